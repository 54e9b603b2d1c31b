"""The learn-by-doing pages in a real browser (Train, LR range test, Plateau, Batch size & LR): they load without
console errors, show real values, carry their results into Explore with one click, and explain bad uploads.
Same server, Chromium and screenshots as ``test_app_in_browser.py``."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

from playwright.sync_api import Page, expect  # noqa: E402

from .conftest import find_chromium  # noqa: E402

if find_chromium() is None:
    pytest.skip("no Chromium: neither /usr/bin/chromium nor a `chromium` on PATH (apt-get install chromium)",
                allow_module_level=True)

from .test_app_in_browser import loaded, query, settle, shoot, traces  # noqa: E402

pytestmark = pytest.mark.browser

# name, y axis and number of points of every trace of the index-th chart
TRACE_AXES_JS = """(index) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  if (!gd || !gd.data) return null;
  const n = (v) => v == null ? 0 : (v.length != null ? v.length : (v._inputArray ? v._inputArray.length : 0));
  return gd.data.map((t) => ({name: t.name, yaxis: t.yaxis || 'y', n: n(t.y)}));
}"""


def trace_axes(page: Page, index: int = 0) -> list[dict]:
    data = page.evaluate(TRACE_AXES_JS, index)
    assert data is not None, "no plotly chart on the page"
    return data


def upload(page: Page, name: str, data: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.wait_for_timeout(300)
    settle(page)


def test_train_page_trains_and_retrains(open_page, page_errors, screenshots):
    page = loaded(open_page("/train"))
    expect(page.get_by_role("heading", name="Training playground")).to_be_visible()
    lr = [t for t in trace_axes(page) if t["yaxis"] == "y2"]
    assert [(t["name"], t["n"]) for t in lr] == [("constant lr 0.1", 230), ("OneCycleLR to 0.5", 230)]
    rows = page.locator('[data-testid="stDataFrame"]').first.locator('[role="row"]')
    expect(rows).to_have_count(3)  # header + a row per run
    shoot(page, screenshots, "train-desktop")
    box = page.get_by_role("spinbutton", name="Batch size")
    box.fill("128")
    box.press("Enter")
    page.wait_for_function("() => location.search.includes('t=')")
    settle(page)
    assert json.loads(query(page)["t"]) == {"batch_size": 128}
    assert {t["n"] for t in trace_axes(page) if t["yaxis"] == "y2"} == {120}  # 10 epochs × ceil(1438 / 128)
    page_errors.check()


def test_range_test_suggests_and_carries_into_explore(open_page, page_errors, screenshots):
    page = loaded(open_page("/range-test"))
    expect(page.get_by_role("heading", name="LR range test")).to_be_visible()
    names = [t["name"] for t in traces(page)]
    assert "smoothed loss" in names and "stopped: diverged" in names
    valley = next(n for n in names if n.startswith("valley: "))
    shoot(page, screenshots, "range-test-desktop")
    page.get_by_role("link", name="in Explore").click()
    page.get_by_role("heading", name="Explore a schedule").wait_for()
    loaded(page)
    assert query(page)["s"] == "torch.OneCycleLR"
    assert f"{json.loads(query(page)['p'])['max_lr']:.3g}" == valley.split(": ")[1]
    expect(page.get_by_role("combobox", name="Scheduler")).to_have_value("OneCycleLR")
    page_errors.check()


def test_range_test_upload_good_and_bad(open_page, page_errors, screenshots):
    from playground.uploads import sample_lr_loss_csv

    page = open_page("/range-test")
    loaded(page)
    page.get_by_text("a CSV of (lr, loss)").click()
    settle(page)
    upload(page, "broken.csv", b"lr,loss\n0.001,2.3\n0.002,abc\n")
    alert = page.locator('[data-testid="stAlertContentError"]').first
    expect(alert).to_contain_text("broken.csv: ")
    expect(alert).to_contain_text("abc")
    shoot(page, screenshots, "range-test-bad-upload")
    upload(page, "example.csv", sample_lr_loss_csv())
    page.locator(".js-plotly-plot").first.wait_for()
    settle(page)
    assert any(t["name"].startswith("valley: ") for t in traces(page))
    page_errors.check()


def test_plateau_marks_reductions_and_explains_them(open_page, page_errors, screenshots):
    page = loaded(open_page("/plateau"))
    expect(page.get_by_role("heading", name="Plateau on real metrics")).to_be_visible()
    axes = trace_axes(page)
    assert ("lr", "y2", 101) in [(t["name"], t["yaxis"], t["n"]) for t in axes]
    reduce = next(t for t in axes if t["name"] == "reduce")
    assert reduce["n"] >= 3
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    shoot(page, screenshots, "plateau-desktop")
    page.get_by_text("a CSV file").click()
    settle(page)
    upload(page, "empty.csv", b"")
    expect(page.locator('[data-testid="stAlertContentError"]').first).to_contain_text("empty.csv: ")
    page_errors.check()


def test_plateau_dark_theme(open_page, page_errors, screenshots):
    page = loaded(open_page("/plateau", color_scheme="dark"))
    shoot(page, screenshots, "plateau-dark")
    page_errors.check()


def test_batch_size_counts_and_links(open_page, page_errors, screenshots):
    page = loaded(open_page("/batch-size?b=" + quote(json.dumps({"replicas": 256}))))
    expect(page.get_by_role("heading", name="Batch size and learning rate")).to_be_visible()
    metrics = page.locator('[data-testid="stMetricValue"]')
    expect(metrics.nth(0)).to_have_text("8,192")
    expect(metrics.nth(4)).to_have_text("14,130")
    shoot(page, screenshots, "batch-size-desktop")
    page.get_by_role("link", name="transformers cosine").click()
    page.get_by_role("heading", name="Explore a schedule").wait_for()
    loaded(page)
    assert query(page)["s"] == "transformers.cosine"
    params = json.loads(query(page)["p"])  # Explore writes every parameter, defaults included
    assert (params["num_warmup_steps"], params["num_training_steps"]) == (785, 14130)
    assert max(max(t["y"]) for t in traces(page)) == pytest.approx(3.2)
    page_errors.check()


def test_learn_pages_on_a_phone(open_page, page_errors, screenshots):
    from .conftest import PHONE

    for path, name in (("/train", "train"), ("/range-test", "range-test")):
        page = loaded(open_page(path, viewport=PHONE))
        shoot(page, screenshots, f"{name}-phone")
    page_errors.check()
