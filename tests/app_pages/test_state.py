"""URL state round trips and the fallbacks for bad links (no Streamlit needed)."""

import json

import numpy as np
import pytest

from app_pages.metrics import synthetic_loss
from app_pages.state import (
    MAX_CURVES,
    MAX_UI_STEPS,
    Schedule,
    Settings,
    curves_from_query,
    curves_to_query,
    schedule_from_query,
    schedule_to_query,
    settings_from_query,
    settings_to_query,
)
from app_pages.summary import first_below, largest_difference, summary_table


def test_settings_round_trip_and_defaults_stay_out_of_the_url():
    assert settings_to_query(Settings()) == {}
    s = Settings(length="epochs", epochs=30, steps_per_epoch=250, stepping="epoch", base_lr=0.003, log_y=True,
                 x_unit="epochs")
    query = settings_to_query(s)
    assert query["y"] == "log" and query["by"] == "epoch"
    warnings = []
    assert settings_from_query(query, warnings) == s and warnings == []
    assert s.total_steps == 7500 and s.scheduler_steps == 30 and s.per_epoch == 250


@pytest.mark.parametrize("key,value", [("n", "0"), ("n", "abc"), ("n", str(MAX_UI_STEPS + 1)), ("lr", "-1"),
                                       ("lr", "nan"), ("y", "sideways"), ("x", "hours"), ("by", "batch"),
                                       ("len", "forever")])
def test_bad_settings_warn_and_fall_back(key, value):
    warnings = []
    s = settings_from_query({key: value, "n": "500"} if key != "n" else {key: value}, warnings)
    assert len(warnings) == 1 and repr(value) in warnings[0]
    default = Settings()
    attr = {"n": "steps", "lr": "base_lr", "y": "log_y", "x": "x_unit", "by": "stepping", "len": "length"}[key]
    assert getattr(s, attr) == getattr(default, attr)


def test_too_many_steps_in_epochs_fall_back():
    warnings = []
    s = settings_from_query({"len": "epochs", "ep": "1000", "spe": "5000"}, warnings)
    assert s.total_steps <= MAX_UI_STEPS and "at most" in warnings[0]


def test_schedule_round_trip_including_composites():
    sched = Schedule("torch.SequentialLR", {"schedulers": [
        {"name": "torch.LinearLR", "params": {"start_factor": 0.1, "total_iters": 10}},
        {"name": "torch.LambdaLR", "params": {"lr_lambda": "0.95 ** epoch"}}], "milestones": [10]}, "warm + λ")
    warnings = []
    assert schedule_from_query(schedule_to_query(sched), warnings) == sched and warnings == []


@pytest.mark.parametrize("query,fragment", [
    ({"s": "torch.NoSuchLR"}, "unknown scheduler"),
    ({"s": "torch.StepLR", "p": "{not json"}, "not valid JSON"),
    ({"s": "torch.StepLR", "p": "[1, 2]"}, "not valid JSON"),
    ({"s": "torch.StepLR", "p": json.dumps({"step_size": 0})}, "step_size: must be an integer in [1, 10000000]"),
    ({"s": "torch.LambdaLR", "p": json.dumps({"lr_lambda": "__import__('os')"})}, "lr_lambda"),
])
def test_bad_schedule_links_warn_and_fall_back_to_the_example(query, fragment):
    warnings = []
    sched = schedule_from_query(query, warnings, steps=500)
    assert len(warnings) == 1 and fragment in warnings[0]
    assert sched.params == Schedule.example(sched.name, 500).params


def test_compare_curves_round_trip_and_cap():
    curves = [Schedule.example("torch.StepLR", 100, "a"), Schedule.example("oneflow.CosineDecayLR", 100, "b")]
    warnings = []
    assert curves_from_query(curves_to_query(curves), warnings) == curves and not warnings
    many = curves_to_query([Schedule.example("torch.StepLR", 100)] * 12)
    assert len(curves_from_query(many, warnings)) == MAX_CURVES and "at most" in warnings[0]
    warnings.clear()
    broken = {"c": json.dumps([{"s": "torch.StepLR", "p": {"step_size": -3}}, {"s": "torch.ExponentialLR",
                                                                              "p": {"gamma": 0.9}}])}
    got = curves_from_query(broken, warnings)
    assert len(got) == 2 and warnings[0].startswith("Curve 1:") and got[1].params == {"gamma": 0.9}
    assert curves_from_query({"c": "]["}, warnings) is None
    assert curves_from_query({}, warnings) is None


def test_summary_numbers():
    a = np.array([0.1, 0.2, 0.05, 0.01])
    b = np.array([0.1, 0.1, 0.1, 0.1])
    table = summary_table({"a": a, "b": b}, threshold=0.06)
    assert table.loc["a", "peak"] == 0.2 and table.loc["a", "peak at step"] == 1
    assert table.loc["a", "final"] == 0.01 and table.loc["a", "mean"] == pytest.approx(0.09)
    assert table.loc["a", "area (Σ lr)"] == pytest.approx(0.36)
    assert table.loc["a", "drops below 0.06 at"] == 2 and first_below(b, 0.06) is None
    warm = np.array([0.0, 0.05, 0.1, 0.08, 0.04])  # a warmup below the threshold does not count as a drop
    assert summary_table({"w": warm}, 0.06).loc["w", "drops below 0.06 at"] == 4
    d = largest_difference(a, b)
    assert d["max_abs"] == pytest.approx(0.1) and d["abs_step"] == 1
    assert d["rel_step"] == 3 and d["max_rel"] == pytest.approx(0.9) and not d["identical"]
    assert largest_difference(b, b.copy())["identical"]


def test_synthetic_loss_is_seeded_and_falls():
    a, b = synthetic_loss(500, seed=3), synthetic_loss(500, seed=3)
    assert a == b and len(a) == 500 and synthetic_loss(500, seed=4) != a
    assert np.mean(a[:20]) > np.mean(a[-100:]) + 0.3


def test_the_default_metric_is_the_snippets_placeholder():
    from app_pages.metrics import metric_series
    from schedules.snippets import placeholder_metric

    assert metric_series(60) == [placeholder_metric(t) for t in range(60)]
    assert metric_series(60, "noisy", seed=1) == synthetic_loss(60, seed=1)


def test_a_link_naming_only_the_scheduler_opens_its_example():
    warnings = []
    sched = schedule_from_query({"s": "torch.SequentialLR"}, warnings, steps=2000)
    assert warnings == [] and sched.params == Schedule.example("torch.SequentialLR", 2000).params


def test_log_slider_positions():
    from app_pages.widgets import _nearest, log_ladder

    ladder = log_ladder(1e-4, 1.0)
    assert ladder[:4] == [1e-4, 1.5e-4, 2e-4, 2.5e-4] and ladder[-1] == 1.0 and 3e-4 in ladder and 0.25 in ladder
    assert _nearest([0.0, *ladder], 0.0) == 0.0 and _nearest([0.0, *ladder], 0.0031) == 3e-3
    assert _nearest(ladder, -1) == 1e-4


def test_json_object_from_a_link():
    from app_pages.state import json_object

    warnings: list[str] = []
    assert json_object({}, "t", "setup", warnings) is None and not warnings
    assert json_object({"t": '{"a": 1}'}, "t", "setup", warnings) == {"a": 1} and not warnings
    for bad in ("{bad", "[1, 2]", "3"):
        assert json_object({"t": bad}, "t", "training setup", warnings) is None
    assert warnings == ["The link's training setup (t) is not valid JSON (an object); using the defaults."] * 3
