"""The pages under Streamlit's AppTest: widgets change the curve, bad values show messages, links restore views."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import schedules

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def app(query: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _array(value) -> np.ndarray:
    """Plotly >= 6 sends numpy arrays as {"dtype", "bdata"}."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), np.dtype(value["dtype"]))
    return np.asarray(value, dtype=float)


def traces(at: AppTest) -> list[dict]:
    charts = at.get("plotly_chart")
    assert charts, "no chart on the page"
    spec = json.loads(charts[0].proto.spec)
    return [t for t in spec["data"] if t.get("type", "scatter") in ("scatter", "scattergl")]


def curve(at: AppTest, index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    trace = traces(at)[index]
    return _array(trace["x"]), _array(trace["y"])


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


# ---------------------------------------------------------------------------------------------- Explore


def test_explore_opens_on_a_valid_default_curve():
    at = app()
    x, y = curve(at)
    lr = schedules.compute("torch.OneCycleLR", schedules.example("torch.OneCycleLR", 1000), steps=1000)
    assert y.max() == pytest.approx(lr.max()) and y[-1] == pytest.approx(lr[-1])
    assert x[0] == 0 and x[-1] == 999
    assert any("OneCycleLR" in m.value for m in [*at.markdown, *at.subheader])
    assert at.code and "OneCycleLR(" in at.code[0].value
    assert at.query_params["s"] == "torch.OneCycleLR"


def test_changing_widgets_changes_the_curve_and_the_url():
    at = app()
    at.selectbox(key="explore.name").select("torch.StepLR").run()
    at.number_input(key="explore.step_size").set_value(50).run()
    at.number_input(key="explore.gamma").set_value(0.5).run()
    assert not at.exception
    _, y = curve(at)
    np.testing.assert_allclose(y[[0, 49, 50, 100, 999]], [0.1, 0.1, 0.05, 0.025, 0.1 * 0.5 ** 19], rtol=1e-12)
    assert json.loads(at.query_params["p"]) == {"step_size": 50, "gamma": 0.5}
    assert "StepLR(optimizer, step_size=50, gamma=0.5)" in at.code[0].value


def test_a_bad_value_shows_the_engines_message_and_the_page_stays_alive():
    at = app({"s": "torch.StepLR", "p": json.dumps({"step_size": 30})})
    at.number_input(key="explore.step_size").set_value(0).run()
    assert not at.exception
    assert any("step_size: must be an integer in [1, 10000000], got 0" in e for e in errors(at))
    assert not at.get("plotly_chart")
    assert at.sidebar.number_input(key="settings.steps").value == 1000  # the rest of the page is alive
    at.number_input(key="explore.step_size").set_value(10).run()
    assert not errors(at) and traces(at)


def test_expression_is_checked_live():
    at = app({"s": "torch.LambdaLR", "p": json.dumps({"lr_lambda": "0.95 ** epoch"})})
    at.text_input(key="explore.lr_lambda").input("__import__('os').system('true')").run()
    assert not at.exception
    assert any("lr_lambda" in e for e in errors(at))
    at.text_input(key="explore.lr_lambda").input("1.0 if epoch < 20 else 0.1").run()
    _, y = curve(at)
    assert y[19] == pytest.approx(0.1) and y[20] == pytest.approx(0.01)


def test_a_link_restores_the_view():
    query = {"s": "torch.CosineAnnealingLR", "p": json.dumps({"T_max": 40, "eta_min": 0.001}), "n": "200",
             "lr": "0.5", "y": "log", "x": "fraction"}
    at = app(query)
    x, y = curve(at)
    lr = schedules.compute("torch.CosineAnnealingLR", {"T_max": 40, "eta_min": 0.001}, steps=200, base_lr=0.5)
    np.testing.assert_allclose(y[[0, 40, 80, 199]], lr[[0, 40, 80, 199]], rtol=1e-12)
    assert x[-1] == pytest.approx(199 / 200)  # fraction of training done before the step
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["yaxis"]["type"] == "log"
    assert at.number_input(key="explore.T_max").value == 40
    url = {k: at.query_params[k] for k in query}  # and the URL still describes it
    assert json.loads(url.pop("p")) == json.loads(query.pop("p")) and url == query


@pytest.mark.parametrize("query,fragment", [
    ({"s": "torch.NoSuchLR"}, "unknown scheduler"),
    ({"s": "torch.StepLR", "p": "{oops"}, "not valid JSON"),
    ({"s": "torch.StepLR", "p": json.dumps({"step_size": -4})}, "step_size"),
    ({"s": "torch.StepLR", "n": "many"}, "n='many'"),
])
def test_a_bad_link_warns_and_falls_back(query, fragment):
    at = app(query)
    assert any(fragment in w.value for w in at.warning)
    assert traces(at)


def test_per_epoch_stepping_shows_the_other_choice():
    at = app({"s": "torch.StepLR", "p": json.dumps({"step_size": 3}), "len": "epochs", "ep": "10", "spe": "20",
              "by": "epoch", "x": "epochs"})
    assert len(traces(at)) == 2
    x, per_epoch = curve(at, 0)
    _, per_iteration = curve(at, 1)
    assert per_epoch[59] == pytest.approx(0.1) and per_epoch[60] == pytest.approx(0.01)  # decays every 3 epochs
    assert per_iteration[3] == pytest.approx(0.01)  # the classic mistake: every 3 iterations
    assert x[20] == pytest.approx(1.0)  # x in epochs


def test_metric_driven_schedule_uses_the_snippets_metric():
    at = app({"s": "torch.ReduceLROnPlateau", "p": json.dumps({"patience": 5})})
    _, y = curve(at)
    from schedules.snippets import placeholder_metric

    lr = schedules.compute("torch.ReduceLROnPlateau", {"patience": 5}, steps=1000,
                           metrics=[placeholder_metric(t) for t in range(1000)])
    assert y.min() == pytest.approx(lr.min()) and y.min() < 0.1
    assert "scheduler.step(val_loss)" in at.code[0].value


# ---------------------------------------------------------------------------------------- Compare, Compose


def test_compare_overlays_curves_and_summarises_them():
    at = app(page="app_pages/compare.py")
    assert len(traces(at)) == 3
    assert at.dataframe and len(at.dataframe[0].value) == 3
    at.button(key=next(b.key for b in at.button if "Add a curve" in b.label)).click().run()
    assert len(traces(at)) == 4
    at.text_input(key="c3.label").input("mine").run()
    assert "mine" in at.dataframe[0].value.index


def test_compare_from_a_link_with_a_bad_curve():
    curves = [{"s": "torch.StepLR", "p": {"step_size": 10}, "name": "step"},
              {"s": "oneflow.StepLR", "p": {"step_size": -10}, "name": "oneflow step"}]
    at = app()
    at.query_params["c"] = json.dumps(curves)
    at.query_params["n"] = "100"
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "Curve 2: The link's parameters for oneflow.StepLR are not valid (oneflow.StepLR: step_size: must be an "
        "integer in [1, 10000000], got -10); using its defaults."]
    assert [t["name"] for t in traces(at)] == ["step", "oneflow step"]
    _, y = curve(at, 0)
    np.testing.assert_allclose(y[[9, 10, 99]], [0.1, 0.01, 0.1 ** 10], rtol=1e-12)
    assert json.loads(at.query_params["c"])[1]["p"] == {"step_size": 30, "gamma": 0.1}


def test_compose_builds_a_sequential_schedule_and_its_code():
    at = app(page="app_pages/compose.py")
    assert traces(at)
    code = at.code[0].value
    assert "SequentialLR(" in code and "LinearLR(" in code and "CosineAnnealingLR(" in code
    at.radio(key="compose.recipe").set_value("warmup").run()
    assert not at.exception and traces(at) and "WarmupLR(" in at.code[0].value


def test_switching_pages_keeps_each_pages_state():
    at = app({"s": "torch.ExponentialLR", "p": json.dumps({"gamma": 0.99})})
    at.switch_page("app_pages/compare.py").run()
    at.switch_page("app_pages/explore.py").run()
    assert not at.exception
    assert at.selectbox(key="explore.name").value == "torch.ExponentialLR"
    assert at.number_input(key="explore.gamma").value == 0.99


def test_every_choice_is_in_the_link_metric_threshold_and_difference_pair():
    at = app({"s": "torch.ReduceLROnPlateau", "p": json.dumps({"patience": 3}),
              "m": json.dumps({"kind": "noisy", "seed": 4, "noise": 0.05})})
    assert at.radio(key="explore.metric.kind").value == "noisy"
    assert at.number_input(key="explore.metric.seed").value == 4
    assert json.loads(at.query_params["m"]) == {"kind": "noisy", "seed": 4, "noise": 0.05}
    from app_pages.metrics import synthetic_loss

    _, y = curve(at)
    lr = schedules.compute("torch.ReduceLROnPlateau", {"patience": 3}, steps=1000,
                           metrics=synthetic_loss(1000, seed=4, noise=0.05))
    np.testing.assert_allclose(y[-1], lr[-1], rtol=1e-12)

    curves = [{"s": "torch.StepLR", "p": {"step_size": 10}, "name": "a"},
              {"s": "torch.ExponentialLR", "p": {"gamma": 0.9}, "name": "b"},
              {"s": "torch.ConstantLR", "p": {}, "name": "c"}]
    at = app()
    for key, value in {"c": json.dumps(curves), "n": "100", "thr": "0.02", "da": "c", "db": "b"}.items():
        at.query_params[key] = value
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    assert at.number_input(key="compare.threshold").value == 0.02
    assert at.selectbox(key="compare.diff.a").value == "c" and at.selectbox(key="compare.diff.b").value == "b"
    assert "drops below 0.02 at" in at.dataframe[0].value.columns
    assert at.query_params["thr"] == "0.02" and at.query_params["da"] == "c"


def test_parameters_equal_to_the_run_length_follow_it():
    at = app()  # OneCycleLR with total_steps = 1000 = the run length
    at.sidebar.number_input(key="settings.steps").set_value(2000).run()
    assert not at.exception and not errors(at)
    assert at.text_input(key="explore.total_steps").value == "2000"
    x, _ = curve(at)
    assert x[-1] == 1999
    at = app({"s": "torch.CosineAnnealingLR", "p": json.dumps({"T_max": 300})})
    at.sidebar.number_input(key="settings.steps").set_value(2000).run()
    assert at.number_input(key="explore.T_max").value == 300  # not the run length: stays
