"""The app in a real browser: Streamlit served on a free port, driven by Playwright through Debian's Chromium.

Each test opens its pages in a fresh browser context (a new Streamlit session) and fails on any console error or
uncaught page error (``conftest.IGNORED_CONSOLE_ERRORS`` lists, with reasons, the only noise let through).
Screenshots of every page go to ``tests/browser/screenshots/`` (gitignored): ``<name>.png`` is the viewport,
``<name>-full.png`` the whole page. The module skips itself without Playwright or a Chromium binary.
"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

from playwright.sync_api import Page, expect  # noqa: E402

from .conftest import PHONE, find_chromium  # noqa: E402

if find_chromium() is None:
    pytest.skip("no Chromium: neither /usr/bin/chromium nor a `chromium` on PATH (apt-get install chromium)",
                allow_module_level=True)

pytestmark = pytest.mark.browser

PLOT = ".js-plotly-plot"
# The traces the app sent to plotly, as plain arrays: plotly >= 6 gets numpy arrays as {dtype, bdata}, which
# plotly.js decodes into a typed array kept on the same object (_inputArray); plain lists stay lists.
TRACES_JS = """(index) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  if (!gd || !gd.data) return null;
  const arr = (v) => v == null ? [] : (Array.isArray(v) || ArrayBuffer.isView(v)) ? Array.from(v)
      : v._inputArray ? Array.from(v._inputArray) : null;
  return gd.data.map((t) => ({name: t.name, x: arr(t.x), y: arr(t.y)}));
}"""
# The height the whole page needs: the main section's content, and the sidebar's when it is open on screen.
FULL_HEIGHT_JS = """() => Math.max(...[...document.querySelectorAll(
  '[data-testid=stMain], [data-testid=stSidebarContent]')]
  .filter((e) => e.getBoundingClientRect().right > 0).map((e) => e.scrollHeight))"""
# The chart's background and the app's, as "rgb(r, g, b)" strings.
BACKGROUNDS_JS = """() => {
  const css = (color) => { const e = document.createElement('div'); e.style.color = color;
    document.body.appendChild(e); const c = getComputedStyle(e).color; e.remove(); return c; };
  const gd = document.querySelector('.js-plotly-plot');
  return [css(gd.layout.paper_bgcolor), css(gd.layout.plot_bgcolor),
          getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor];
}"""
PEAK_JS = """(index) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  if (!gd || !gd.data || !gd.data.length) return null;
  const y = gd.data[0].y;
  const values = Array.from(y._inputArray || y);
  const peak = Math.max(...values);
  return [peak, values.indexOf(peak)];
}"""


# ------------------------------------------------------------------------------------------------ helpers


def settle(page: Page) -> None:
    """Wait until Streamlit has finished its run: no status widget ("Running...") and no stale elements."""
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    expect(page.locator('[data-stale="true"]')).to_have_count(0)


def loaded(page: Page) -> Page:
    page.locator(PLOT).first.wait_for()
    settle(page)
    return page


def traces(page: Page, index: int = 0) -> list[dict]:
    data = page.evaluate(TRACES_JS, index)
    assert data is not None, "no plotly chart on the page"
    return data


def peak(page: Page) -> tuple[float, int]:
    return tuple(page.evaluate(PEAK_JS, 0))


def wait_for_peak(page: Page, condition: str) -> None:
    """Wait until the first chart's (peak, step) satisfies a JS condition on ``p`` and ``i``."""
    page.wait_for_function(f"() => {{ const r = ({PEAK_JS})(0); if (!r) return false; const [p, i] = r; "
                           f"return {condition}; }}")


def wait_for_link_param(page: Page, name: str, value: float) -> None:
    """Wait until the URL's ``p=`` (the schedule's params as JSON) holds ``name == value``."""
    page.wait_for_function("([name, value]) => { const p = new URLSearchParams(location.search).get('p'); "
                           "return p !== null && Math.abs(JSON.parse(p)[name] - value) < 1e-12; }", arg=[name, value])


def query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def link(**params) -> str:
    return "/?" + "&".join(f"{k}={quote(v if isinstance(v, str) else json.dumps(v, separators=(',', ':')))}"
                           for k, v in params.items())


def shoot(page: Page, screenshots, name: str) -> None:
    """The viewport as ``name.png`` and the whole page as ``name-full.png`` (Streamlit scrolls inside its main
    section, so a full-page shot needs a viewport as tall as that section's content)."""
    page.mouse.move(0, 0)
    page.screenshot(path=screenshots / f"{name}.png")
    size = page.viewport_size
    height = page.evaluate(FULL_HEIGHT_JS)
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        settle(page)
        page.wait_for_timeout(300)  # plotly's resize is debounced
        page.screenshot(path=screenshots / f"{name}-full.png")
        page.set_viewport_size(size)


def first_drop(y: list[float]) -> int:
    return next(i for i, v in enumerate(y) if v < y[0])


# ------------------------------------------------------------------------------------------------ Explore


def test_explore_opens_with_title_and_the_default_chart(open_page, page_errors, screenshots):
    page = loaded(open_page("/"))
    expect(page).to_have_title("LR schedules, exactly")
    expect(page.get_by_role("heading", name="Explore a schedule")).to_be_visible()
    expect(page.get_by_role("combobox", name="Scheduler")).to_have_value("OneCycleLR")
    (trace,) = traces(page)
    assert trace["name"] == "OneCycleLR"
    assert len(trace["y"]) == 1000 and trace["x"][0] == 0 and trace["x"][-1] == 999
    assert peak(page) == (pytest.approx(0.1), 299)  # pct_start 0.3 of 1000 steps: the peak is at step 299
    assert query(page)["s"] == "torch.OneCycleLR"  # the page writes its state into the URL
    assert page.evaluate(BACKGROUNDS_JS) == ["rgb(255, 255, 255)"] * 3  # the chart sits flush in the light app
    shoot(page, screenshots, "explore-desktop")
    page_errors.check()


def test_explore_on_a_phone(open_page, page_errors, screenshots):
    page = loaded(open_page("/", viewport=PHONE))
    expect(page.get_by_role("heading", name="Explore a schedule")).to_be_visible()
    expect(page.locator(PLOT)).to_have_count(1)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                           "document.querySelector('[data-testid=stMain]').scrollWidth]")
    assert max(widths) <= PHONE["width"], f"horizontal overflow on a phone: {widths}"
    shoot(page, screenshots, "explore-phone")
    page_errors.check()


def test_explore_in_the_dark_theme(open_page, page_errors, screenshots):
    """A browser that prefers dark gets the app's dark theme, and the chart is drawn for it on the first run."""
    page = loaded(open_page("/", color_scheme="dark"))
    paper, plot, app = page.evaluate(BACKGROUNDS_JS)
    assert paper == plot == app == "rgb(15, 20, 25)"  # [theme.dark] backgroundColor #0F1419
    font = page.evaluate("() => document.querySelector('.js-plotly-plot').layout.font.color")
    assert font.upper() == "#E6EAF0"  # light text on the dark chart
    shoot(page, screenshots, "explore-dark")
    page_errors.check()


def test_slider_keys_change_the_chart_and_the_link(open_page, page_errors):
    page = loaded(open_page("/"))
    # max_lr is a log-scale select_slider (0.1 -> 0.15 is one step right on its ladder)
    max_lr = page.get_by_role("slider", name="max_lr")
    max_lr.focus()
    max_lr.press("ArrowRight")
    wait_for_peak(page, "Math.abs(p - 0.15) < 1e-12")
    wait_for_link_param(page, "max_lr", 0.15)
    expect(page.get_by_role("spinbutton", name="max_lr (exact)")).to_have_value("0.15")

    # pct_start is a linear slider, step 0.005: each step right moves the peak (pct_start * 1000 - 1) by 5 steps.
    # One key at a time, each rerun finished and its link written: quicker keys trip the race that
    # test_quick_keys_are_not_undone documents.
    pct = page.get_by_role("slider", name="pct_start")
    for value, peak_step in ((0.305, 304), (0.31, 309)):
        pct.focus()
        pct.press("ArrowRight")
        wait_for_peak(page, f"i === {peak_step}")
        wait_for_link_param(page, "pct_start", value)
    expect(pct).to_have_value("0.31")
    expect(page.get_by_role("spinbutton", name="pct_start (exact)")).to_have_value("0.31")
    assert peak(page) == (pytest.approx(0.15), 309)
    assert json.loads(query(page)["p"])["max_lr"] == 0.15
    page_errors.check()


def test_quick_keys_are_not_undone(open_page, page_errors):
    """Two ArrowRight presses in quick succession (a held key, a double click on a stepper) must both count."""
    page = loaded(open_page("/"))
    pct = page.get_by_role("slider", name="pct_start")
    for expected in ("0.31", "0.32", "0.33"):
        pct.focus()
        pct.press("ArrowRight")
        pct.press("ArrowRight")
        page.wait_for_timeout(300)  # let the last rerun request go out before waiting for the runs to finish
        settle(page)
        assert pct.input_value() == expected, "the slider went back: the quick second key was undone"
    page_errors.check()


def test_deep_link_restores_a_steplr(open_page, page_errors, screenshots):
    page = loaded(open_page(link(s="torch.StepLR", p={"step_size": 7, "gamma": 0.5}, n="40")))
    expect(page.get_by_role("combobox", name="Scheduler")).to_have_value("StepLR")
    expect(page.get_by_role("spinbutton", name="step_size (exact)")).to_have_value("7")
    expect(page.get_by_role("spinbutton", name="gamma (exact)")).to_have_value("0.5")
    expect(page.get_by_role("spinbutton", name="Total steps")).to_have_value("40")
    (trace,) = traces(page)
    assert trace["x"] == list(range(40))
    assert first_drop(trace["y"]) == 7
    assert trace["y"][:7] == [pytest.approx(0.1)] * 7 and trace["y"][7] == pytest.approx(0.05)
    assert trace["y"][14] == pytest.approx(0.025)
    shoot(page, screenshots, "explore-deep-link")
    page_errors.check()


def test_bad_deep_link_warns_and_still_shows_a_chart(open_page, page_errors):
    page = loaded(open_page("/?s=torch.NoSuchLR"))
    warning = page.locator('[data-testid="stAlertContentWarning"]')
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("unknown scheduler 'torch.NoSuchLR'")
    expect(page.locator(PLOT)).to_have_count(1)
    expect(page.get_by_role("combobox", name="Scheduler")).to_have_value("OneCycleLR")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page_errors.check()


def test_bad_number_shows_the_engine_message_next_to_its_widget(open_page, page_errors, screenshots):
    page = loaded(open_page("/?s=torch.StepLR"))
    box = page.get_by_role("spinbutton", name="step_size (exact)")
    box.fill("0")
    box.press("Enter")
    message = page.locator('[data-testid="stAlertContentError"]')
    expect(message).to_contain_text("step_size: must be an integer in [1, 10000000]")
    expect(message).to_have_count(1)
    settle(page)
    # next to the widget: below the step_size box, above the gamma slider
    below, above = box.bounding_box(), page.get_by_role("slider", name="gamma").bounding_box()
    where = message.bounding_box()
    assert below["y"] + below["height"] <= where["y"] and where["y"] + where["height"] <= above["y"]
    expect(page.get_by_text("The chart comes back as soon as the parameters are valid.")).to_be_visible()
    expect(page.locator(PLOT)).to_have_count(0)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    # the rest of the page still works
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_be_visible()
    expect(sidebar.get_by_role("spinbutton", name="Total steps")).to_be_enabled()
    expect(page.get_by_role("slider", name="gamma")).to_be_enabled()
    shoot(page, screenshots, "explore-bad-value")

    box.fill("5")
    box.press("Enter")
    loaded(page)
    expect(message).to_have_count(0)
    assert first_drop(traces(page)[0]["y"]) == 5
    page_errors.check()


def test_csv_download_matches_the_chart(open_page, page_errors, tmp_path):
    page = loaded(open_page("/"))
    steps = int(page.get_by_role("spinbutton", name="Total steps").input_value())
    (trace,) = traces(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "torch_OneCycleLR.csv"
    path = tmp_path / "curve.csv"
    download.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["step", "OneCycleLR"]
    assert len(rows) == steps + 1 == 1001
    assert [int(r[0]) for r in rows[1:]] == list(range(steps))
    lr = [float(r[1]) for r in rows[1:]]
    assert max(lr) == max(trace["y"]) and lr.index(max(lr)) == 299
    assert lr == trace["y"]  # 1000 points are plotted undecimated: every value identical, exact floats
    page_errors.check()


def test_chart_toolbar_downloads_the_plot(open_page, page_errors):
    page = loaded(open_page("/"))
    page.locator(PLOT).hover()
    button = page.locator('.modebar-btn[data-title^="Download plot"]')
    expect(button).to_be_visible()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "torch_OneCycleLR.png"
    with open(download.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    page_errors.check()


# ------------------------------------------------------------------------------------- Compare, Compose


def test_compare_shows_three_curves_and_a_summary(open_page, page_errors, screenshots):
    page = loaded(open_page("/compare"))
    expect(page.get_by_role("heading", name="Compare schedules")).to_be_visible()
    names = ["OneCycleLR", "transformers cosine", "warm restarts"]
    assert [t["name"] for t in traces(page)] == names
    assert all(len(t["y"]) == 1000 for t in traces(page))
    table = page.locator('[data-testid="stDataFrame"]')
    expect(table).to_be_visible()
    rows = table.locator('[role="row"]')  # glide-data-grid's accessible table (the cells are drawn on a canvas)
    expect(rows).to_have_count(4)  # header + one row per curve
    assert [r.locator('[role="gridcell"]').first.text_content() for r in rows.all()[1:]] == names
    assert json.loads(query(page)["c"])[0]["s"] == "torch.OneCycleLR"
    shoot(page, screenshots, "compare-desktop")
    page_errors.check()


def test_compose_shows_a_chart_and_sequentiallr_code(open_page, page_errors, screenshots):
    page = loaded(open_page("/compose"))
    expect(page.get_by_role("heading", name="Compose a schedule")).to_be_visible()
    (trace,) = traces(page)
    assert len(trace["y"]) == 1000
    assert trace["y"][0] == pytest.approx(0.001)  # LinearLR warmup from start_factor 0.01 of base lr 0.1
    code = page.locator('[data-testid="stCode"]').first
    expect(code).to_be_visible()
    expect(code).to_contain_text("SequentialLR(")
    assert re.search(r"milestones=\[50, 900\]", code.text_content())
    shoot(page, screenshots, "compose-desktop")
    page_errors.check()


def test_animate_page_gif_animates_in_the_browser(open_page, page_errors, screenshots):
    """The preview must animate: Streamlit serves GIF bytes untouched only when it does not resize them, and a
    resized GIF collapses to one frame. Fetch what the browser shows and count its frames."""
    from PIL import Image

    page = open_page(link(s="torch.CosineAnnealingWarmRestarts", p={"T_0": 20, "T_mult": 2}, n="140")
                     .replace("/?", "/animate?", 1))
    image = page.locator('[data-testid="stImage"] img').first
    image.wait_for(timeout=60_000)
    settle(page)
    data = page.request.get(image.evaluate("img => img.src")).body()  # exactly the bytes the browser shows
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.n_frames > 30 and gif.info.get("loop") == 0
    assert gif.size == (640, 400)
    assert page.evaluate("img => [img.naturalWidth, img.naturalHeight]", image.element_handle()) == [640, 400]
    page.wait_for_timeout(600)  # let it play a few frames before the picture
    shoot(page, screenshots, "animate-desktop")
    page_errors.check()
