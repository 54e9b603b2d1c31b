"""Figures of the learn-by-doing pages: what each trace holds, axes, decimation, gaps for diverged runs; the
training CSV."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

import schedules
from playground import range_test as rt
from playground.mlp import TrainConfig, train
from render.files import training_csv
from render.learn_figures import TrainingRun, plateau_figure, range_test_figure, scaling_figure, training_figure

from .curves import decode


def spec(fig) -> dict:
    return json.loads(fig.to_json())


def run_of(label: str, result) -> TrainingRun:
    return TrainingRun(label, result.lr, result.train_loss, result.epoch_train_loss, result.val_loss,
                       result.val_accuracy, result.steps_per_epoch)


@pytest.fixture(scope="module")
def two_runs():
    config = TrainConfig(epochs=4)
    return [run_of("a", train(config, np.full(92, 0.1))), run_of("b", train(config, np.geomspace(0.3, 0.01, 92)))]


def test_training_figure_has_five_traces_per_run_on_the_right_axes(two_runs):
    d = spec(training_figure(two_runs))
    assert len(d["data"]) == 10
    by_axis = {}
    for t in d["data"]:
        by_axis.setdefault(t.get("yaxis", "y"), []).append(t)
    assert len(by_axis["y"]) == 6 and len(by_axis["y2"]) == 2 and len(by_axis["y3"]) == 2
    lr_b = by_axis["y2"][1]
    assert np.array_equal(decode(lr_b["y"]), two_runs[1].lr)
    val = [t for t in by_axis["y"] if t["line"].get("dash") == "dash"]
    assert [list(decode(t["x"])) for t in val] == [[23, 46, 69, 92]] * 2  # after each epoch's last step
    acc = by_axis["y3"][0]
    assert np.array_equal(decode(acc["y"]), two_runs[0].val_accuracy)
    assert d["layout"]["yaxis2"]["overlaying"] == "y" and d["layout"]["yaxis2"]["side"] == "right"
    assert d["layout"]["yaxis"]["type"] == "log"
    # one legend entry per run; its other traces follow it through the legend group
    assert [t["name"] for t in d["data"] if t.get("showlegend", True)] == ["a", "b"]
    assert {t["legendgroup"] for t in d["data"]} == {"run0", "run1"}
    low = d["layout"]["yaxis3"]["range"][0]
    assert 0 <= low <= min(r.val_accuracy.min() for r in two_runs) - 0.05


def test_training_figure_decimates_long_runs_and_leaves_gaps_for_divergence():
    n = 50_000
    loss = np.linspace(2.3, 0.1, n)
    loss[30_000:] = np.inf
    run = TrainingRun("long", np.full(n, 0.1), loss, np.array([1.0, np.nan]), np.array([1.0, np.inf]),
                      np.array([0.5, 0.1]), n // 2)
    d = spec(training_figure([run]))
    assert all(decode(t["y"]).size <= 2000 + 6 for t in d["data"])
    batch = decode(d["data"][0]["y"])
    assert np.isnan(batch).any() and np.nanmax(batch) == pytest.approx(2.3)
    assert np.isnan(decode(d["data"][2]["y"])[1])
    assert len(json.dumps(d)) < 200_000
    with pytest.raises(ValueError, match="at least one run"):
        training_figure([])


def test_range_test_figure_marks_suggestions_divergence_and_bounds():
    result = rt.run_playground(TrainConfig(), rt.RangeTestConfig())
    base, top, _ = rt.cyclic_bounds(result, "max_over_4")
    d = spec(range_test_figure(result, bounds=(base, top)))
    names = [t["name"] for t in d["data"]]
    assert names[:3] == ["batch loss", "smoothed loss", "stopped: diverged"]
    for s in result.suggestions:
        trace = d["data"][names.index(f"{s.label}: {s.lr:.3g}")]
        assert decode(trace["x"])[0] == s.marker_lr and decode(trace["y"])[0] == s.marker_loss
    assert d["layout"]["xaxis"]["type"] == "log"
    # the explosion of the last 5 points is left out of the y range, the valley is in it
    low, high = d["layout"]["yaxis"]["range"]
    assert high < result.smoothed[result.stopped_at] and low < np.nanmin(result.smoothed)
    (band,) = d["layout"]["shapes"]
    assert (band["x0"], band["x1"]) == (base, top)
    assert not spec(range_test_figure(result))["layout"].get("shapes")


def test_plateau_figure_draws_every_event_where_the_lr_changed():
    metrics = [1.0] * 3 + [0.5] * 40 + [0.2] * 57
    trace = schedules.trace("torch.ReduceLROnPlateau", {"patience": 4, "cooldown": 3}, steps=101, base_lr=0.1,
                            metrics=metrics)
    d = spec(plateau_figure(trace, metric_name="val loss", log_lr=True))
    names = [t["name"] for t in d["data"]]
    assert names[:3] == ["val loss", "to beat (best with threshold)", "lr"]
    lr = decode(d["data"][2]["y"])
    assert np.array_equal(lr, trace.lr)
    reduce = d["data"][names.index("reduce")]
    steps = list(decode(reduce["x"]))
    assert steps == [e.step for e in trace.events if e.kind == "reduce"]
    assert all(lr[s] < lr[s - 1] for s in steps)
    assert all("patience 4" in text for text in reduce["text"])
    lines = [s for s in d["layout"]["shapes"] if s["type"] == "line"]
    rects = [s for s in d["layout"]["shapes"] if s["type"] == "rect"]
    assert [s["x0"] for s in lines] == [e.step for e in trace.events]
    assert len(rects) == len(trace.cooldown_spans) > 0
    assert d["layout"]["yaxis2"]["type"] == "log" and d["layout"]["yaxis2"]["dtick"] == 1  # spans decades
    assert [a["text"] for a in d["layout"]["annotations"]] == [e.rule for e in trace.events]


def test_plateau_figure_stays_small_on_a_long_noisy_run():
    rng = np.random.default_rng(0)
    metrics = (1 + 0.3 * rng.standard_normal(200_000)).tolist()
    trace = schedules.trace("torch.ReduceLROnPlateau", {"patience": 0, "min_lr": 1e-300}, steps=200_001,
                            metrics=metrics)
    assert len(trace.events) > 10_000
    d = spec(plateau_figure(trace))
    assert not d["layout"].get("shapes") and not d["layout"].get("annotations")
    assert all(decode(t["y"]).size <= 2000 + 6 for t in d["data"][:3])
    markers = d["data"][3:]
    assert sum(len(t["x"]) for t in markers) <= 2000 * len(markers)
    assert any("(first 2,000 of " in t["name"] for t in markers)
    assert len(json.dumps(d)) < 3_000_000


def test_scaling_figure_is_log_log_with_the_two_points():
    batches = np.array([64, 128, 256, 512])
    d = spec(scaling_figure({"linear": (batches, batches / 256 * 0.1), "sqrt": (batches, np.sqrt(batches / 256) * 0.1)},
                            reference=(256, 0.1), chosen=(512, 0.2)))
    assert d["layout"]["xaxis"]["type"] == "log" and d["layout"]["yaxis"]["type"] == "log"
    names = [t["name"] for t in d["data"]]
    assert names == ["linear", "sqrt", "reference: batch 256, lr 0.1", "your batch: batch 512, lr 0.2"]


def test_training_csv_holds_every_step_and_the_epoch_evaluations(two_runs):
    table = pd.read_csv(io.BytesIO(training_csv(two_runs)))
    assert list(table.columns) == ["run", "step", "epoch", "lr", "batch_loss", "train_loss", "val_loss",
                                   "val_accuracy"]
    assert len(table) == 2 * 92
    b = table[table["run"] == "b"]
    assert np.array_equal(b["lr"].to_numpy(), two_runs[1].lr)  # exact floats
    assert np.array_equal(b["batch_loss"].to_numpy(), two_runs[1].batch_loss)
    ends = b.dropna(subset=["val_loss"])
    assert list(ends["step"]) == [22, 45, 68, 91] and list(ends["epoch"]) == [0, 1, 2, 3]
    assert np.array_equal(ends["val_accuracy"].to_numpy(), two_runs[1].val_accuracy)
