"""The LR range test, Plateau and Batch size pages under AppTest: real values on the page, links in and out,
bad uploads and bad links shown as messages with the rest of the page alive."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import schedules
from app_pages.metrics import staircase_loss
from playground import range_test as rt
from playground import scaling
from playground.mlp import TrainConfig

from .test_app import APP, _array

RANGE, PLATEAU, BATCH = "app_pages/range_test.py", "app_pages/plateau.py", "app_pages/batch_size.py"


def open_page(page: str, query: dict | None = None) -> AppTest:
    """The page opened directly, from a link when ``query`` is given."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.query_params.clear()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def chart(at: AppTest) -> dict[str, dict]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {t["name"]: t for t in spec["data"]}


def page_links(at: AppTest) -> list[dict]:
    """Every st.page_link: its label and query parameters, and which page it opens, told by its parameters
    (Explore's links carry a schedule ``s``, the Train page's its runs ``r``)."""
    links = []
    for element in at.get("page_link"):
        query = {k: v[0] for k, v in parse_qs(element.proto.query_string).items()}
        page = "explore" if "s" in query else "train" if "r" in query else "?"
        links.append({"label": element.proto.label, "page": page, "query": query})
    return links


# --------------------------------------------------------------------------------------------- range test


def test_range_test_on_the_playground_matches_the_module():
    at = open_page(RANGE)
    traces = chart(at)
    want = rt.run_playground(TrainConfig(), rt.RangeTestConfig())
    smoothed = _array(traces["smoothed loss"]["y"])
    assert np.allclose(smoothed, want.smoothed, equal_nan=True)
    valley = want.suggestion("valley")
    assert f"valley: {valley.lr:.3g}" in traces
    assert "stopped: diverged" in traces
    table = at.dataframe[0].value
    assert table["lr"].iloc[0] == pytest.approx(valley.lr)
    # one click: OneCycleLR's max_lr is the valley suggestion, in an Explore link
    (explore,) = [link for link in page_links(at) if link["page"] == "explore"]
    assert json.loads(explore["query"]["p"])["max_lr"] == pytest.approx(valley.lr)
    assert explore["query"]["s"] == "torch.OneCycleLR"


def test_range_test_cyclic_bounds_by_the_papers_rule():
    at = open_page(RANGE)
    at.radio(key="rt.target").set_value("cyclic").run()
    at.radio(key="rt.rule").set_value("max_over_4").run()
    want = rt.run_playground(TrainConfig(), rt.RangeTestConfig())
    base, top, _ = rt.cyclic_bounds(want, "max_over_4")
    assert top / base == pytest.approx(4.0)
    (explore,) = [link for link in page_links(at) if link["page"] == "explore"]
    params = json.loads(explore["query"]["p"])
    assert explore["query"]["s"] == "torch.CyclicLR"
    assert params["base_lr"] == pytest.approx(base) and params["max_lr"] == pytest.approx(top)
    assert params["step_size_up"] == 4 * 23  # four epochs of the playground's 23 batches
    schedules.validate("torch.CyclicLR", params)
    assert json.loads(at.query_params["rt"]) == {"target": "cyclic", "rule": "max_over_4"}


def test_range_test_bad_settings_show_the_message():
    at = open_page(RANGE)
    at.number_input(key="rt.end_lr").set_value(1e-8).run()
    assert not at.exception
    assert any("end_lr must be greater than start_lr" in e.value for e in at.error)


def test_range_test_upload_asks_for_a_file():
    """(Uploading is tested in the browser: AppTest cannot fill a file uploader.)"""
    at = open_page(RANGE)
    at.radio(key="rt.src").set_value("upload").run()
    assert any("Upload a file" in i.value for i in at.info)
    assert not at.get("plotly_chart") and not at.error


# ------------------------------------------------------------------------------------------------ plateau


def test_plateau_on_the_synthetic_loss_marks_every_reduction():
    at = open_page(PLATEAU)
    traces = chart(at)
    metrics = staircase_loss(100, plateau=15, noise=0.01, seed=0).tolist()
    params = {"patience": 5, "cooldown": 2, "threshold": 0.01, "factor": 0.5}
    want = schedules.trace("torch.ReduceLROnPlateau", params, steps=101, base_lr=0.5, metrics=metrics)
    assert np.array_equal(_array(traces["lr"]["y"]), want.lr)
    reduce = traces["reduce"]
    assert list(_array(reduce["x"])) == [e.step for e in want.events if e.kind == "reduce"]
    assert len(reduce["x"]) >= 3
    table = at.dataframe[0].value
    assert list(table["rule"]) == [e.rule for e in want.events]
    assert all("patience 5" in why for why in table["why"])


@pytest.mark.parametrize("name", ["oneflow.ReduceLROnPlateau", "transformers.reduce_lr_on_plateau",
                                  "transformers.greedy"])
def test_plateau_every_metric_driven_scheduler(name):
    at = open_page(PLATEAU)
    at.selectbox(key="plateau.name").set_value(name).run()
    assert not at.exception and not at.error
    lr = _array(chart(at)["lr"]["y"])
    assert lr.size == 101 and lr[0] == 0.5


def test_plateau_closed_loop_on_the_playground():
    at = open_page(PLATEAU)
    at.radio(key="plateau.src").set_value("train").run()
    assert not at.exception and not at.error
    traces = chart(at)
    val_loss = _array(traces["validation loss"]["y"])
    assert val_loss.size == 30
    lr = _array(traces["lr"]["y"])
    replay = schedules.compute("torch.ReduceLROnPlateau", {"patience": 5, "cooldown": 2, "threshold": 0.01,
                                                           "factor": 0.5}, steps=31, base_lr=0.5, metrics=val_loss)
    assert np.array_equal(lr, replay)
    assert json.loads(at.query_params["m"]) == {"src": "train"}


def test_plateau_upload_asks_for_a_file():
    at = open_page(PLATEAU)
    at.radio(key="plateau.src").set_value("upload").run()
    assert any("Upload a file" in i.value for i in at.info)
    assert not at.exception and not at.error


def test_plateau_bad_parameter_is_shown_next_to_it():
    at = open_page(PLATEAU)
    at.number_input(key="plateau.patience").set_value(-1).run()
    assert not at.exception
    assert any("patience" in e.value for e in at.error)


def test_plateau_link_restores_and_a_bad_link_warns():
    query = {"s": "transformers.greedy", "p": json.dumps({"patience": 2}), "m": json.dumps({"plateau": 5, "n": 60})}
    at = open_page(PLATEAU, query)
    assert at.selectbox(key="plateau.name").value == "transformers.greedy"
    assert _array(chart(at)["lr"]["y"]).size == 61
    at = open_page(PLATEAU, {"s": "torch.StepLR", "m": "{bad"})
    warnings = [w.value for w in at.warning]
    assert any("does not read a metric" in w for w in warnings) and any("not valid JSON" in w for w in warnings)
    assert at.get("plotly_chart")


# --------------------------------------------------------------------------------------------- batch size


def test_batch_size_page_numbers_and_links():
    at = open_page(BATCH, {"b": json.dumps({"replicas": 256})})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Global batch"] == "8,192" and metrics["Scaled lr"] == "3.2"
    assert metrics["Steps per epoch"] == "157" and metrics["Total steps"] == "14,130"
    assert metrics["Warmup steps"] == "785"
    links = page_links(at)
    cosine = next(link for link in links if link["query"].get("s") == "transformers.cosine")
    assert json.loads(cosine["query"]["p"]) == {"num_warmup_steps": 785, "num_training_steps": 14130}
    assert cosine["query"]["lr"] == "3.2" and cosine["query"]["spe"] == "157" and cosine["query"]["ep"] == "90"
    goyal = next(link for link in links if link["query"].get("s") == "torch.SequentialLR")
    params = json.loads(goyal["query"]["p"])
    assert params["schedulers"][0]["params"]["start_factor"] == pytest.approx(1 / 32)
    lr = schedules.compute("torch.SequentialLR", params, steps=14130, base_lr=3.2)
    assert lr[0] == pytest.approx(0.1) and lr[785] == pytest.approx(3.2)  # from the reference lr to the scaled one


def test_batch_size_rule_and_too_long_runs():
    at = open_page(BATCH)
    at.radio(key="bs.rule").set_value("sqrt").run()
    at.number_input(key="bs.replicas").set_value(32).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Scaled lr"] == f"{0.1 * np.sqrt(4):.4g}"
    # the default ImageNet run at batch 256 has 450,450 steps: drawable; at batch 1, 115 million: not
    at.number_input(key="bs.per_device_batch").set_value(1).run()
    at.number_input(key="bs.replicas").set_value(1).run()
    assert any("more than the 1,000,000" in i.value for i in at.info)
    assert not page_links(at) or all(not link["page"] == "explore" for link in page_links(at))


def test_batch_size_bad_link_warns():
    at = open_page(BATCH, {"b": json.dumps({"replicas": 0})})
    assert any("replicas" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Global batch"] == "256"
    inp = scaling.ScalingInput(dataset_size=10, epochs=1, per_device_batch=3)
    assert scaling.scale(inp).steps_per_epoch == 4


def test_batch_size_from_a_global_batch():
    at = open_page(BATCH)
    at.number_input(key="bs.target").set_value(8192).run()
    at.button(key="bs.use.1024").click().run()  # 8 processes: 1,024 each
    assert at.number_input(key="bs.per_device_batch").value == 1024
    assert {m.label: m.value for m in at.metric}["Global batch"] == "8,192"
    at.number_input(key="bs.target").set_value(1000).run()  # 8 processes: 125 each
    assert at.button(key="bs.use.125")
    at.number_input(key="bs.replicas").set_value(3).run()  # 1000 / 3: 333 or 334
    assert at.button(key="bs.use.333") and at.button(key="bs.use.334")


@pytest.mark.parametrize("page, query, fragment", [
    (BATCH, {"b": json.dumps({"epochs": 200_000})}, "epochs must be from 1 to 100,000"),
    (BATCH, {"b": json.dumps({"ref_lr": 1e7})}, "ref_lr must be from 1e-12 to 1e6"),
    (RANGE, {"rt": json.dumps({"num_it": 20_000})}, "num_it=20000 is not in 6 to 10,000"),
    (RANGE, {"rt": json.dumps({"end_lr": 1e7})}, "end_lr=10000000.0 is not in 0.0 to 1,000,000.0"),
    (PLATEAU, {"s": "torch.ReduceLROnPlateau", "lr": "1e-9"}, "lr='1e-9' is not a learning rate"),
])
def test_link_values_outside_a_widgets_range_warn_instead_of_clamping(page, query, fragment):
    at = open_page(page, query)
    assert any(fragment in w.value for w in at.warning), [w.value for w in at.warning]
    assert not at.error


def test_range_test_upload_link_is_not_blocked_by_hidden_sweep_settings():
    at = open_page(RANGE, {"rt": json.dumps({"src": "upload", "start_lr": 0.0})})  # 0 is invalid for exp sweeps
    assert not at.error and any("Upload a file" in i.value for i in at.info)


def test_range_test_too_long_is_refused_under_its_widget():
    at = open_page(RANGE)
    at.number_input(key="rt.batch_size").set_value(1438).run()
    at.number_input(key="rt.num_it").set_value(1000).run()
    assert [e.value for e in at.error] == [
        "num_it 1,000 × batch_size 1,438 = 1,438,000 images; the playground's range test trains on at most "
        "1,000,000: lower num_it or batch_size"]
    assert not at.get("plotly_chart")


def test_batch_size_without_warmup_links_a_plain_cosine():
    at = open_page(BATCH)  # the reference itself: k = 1, no warmup
    links = page_links(at)
    assert [link["query"]["s"] for link in links] == ["transformers.cosine", "torch.CosineAnnealingLR",
                                                      "torch.OneCycleLR"]
    assert json.loads(links[1]["query"]["p"]) == {"T_max": 450_450}
