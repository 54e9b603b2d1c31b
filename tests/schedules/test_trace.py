"""``schedules.trace``: the metric-driven schedulers explained, checked against the live libraries.

The live runs step torch's ``ReduceLROnPlateau`` (an SGD on one float64 parameter) and transformers' ``GreedyLR``
(through ``get_scheduler``) with the same metrics, wrap their ``_is_better`` / ``is_better``, ``_reduce_lr``,
``_increase_lr`` and ``_reset`` to see each rule fire, and read ``best``, ``num_bad_epochs``, ``cooldown_counter``
(GreedyLR: also ``num_good_epochs``, ``warmup_counter``, ``reset_start``) after every ``step()``: all of it must
equal the trace exactly, and every lr change must be an event at that step.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
import transformers
from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from schedules import Event, ScheduleError, Trace
from schedules.trace import KINDS, RULES

PLATEAUS = ["torch.ReduceLROnPlateau", "oneflow.ReduceLROnPlateau", "transformers.reduce_lr_on_plateau"]
GREEDY = "transformers.greedy"
NAMES = [*PLATEAUS, GREEDY]
CHANGES = {"reduce", "increase", "reset"}  # kinds that change the lr

N = 150
_rng = np.random.default_rng(11)
_t = np.arange(N)
SERIES = {
    # falls, then a plateau (exactly flat)
    "plateau": np.where(_t < 40, 1.0 / (1 + 0.1 * _t), 1.0 / (1 + 0.1 * 40)).tolist(),
    # keeps falling, by less than the default rel threshold 1e-4 each step: never an improvement after the first
    "slow_decline": (1.0 * (1 - 5e-5) ** _t).tolist(),
    "noisy": (np.linspace(2.0, 0.5, N) + _rng.normal(0, 0.08, N)).tolist(),
    "nan": [math.nan if i % 11 in (3, 4) or 60 <= i < 75 else 2.0 - 0.01 * i + 0.05 * (i % 3) for i in range(N)],
    "rising": np.linspace(0.1, 3.0, N).tolist(),
    "improve_then_stall": [1.0 / (1 + i) if i < 50 else 0.02 + 0.001 * math.sin(i) for i in range(N)],
}
PLATEAU_GRID = [
    {},
    {"patience": 3, "factor": 0.5},
    {"mode": "max", "patience": 2, "threshold_mode": "abs", "threshold": 0.01, "cooldown": 3},
    {"patience": 0, "factor": 0.3, "min_lr": 1e-3},
    {"patience": 1, "factor": 0.5, "cooldown": 2, "min_lr": 0.02},
    {"patience": 2, "factor": 0.9, "eps": 0.05},  # large eps: reductions skipped
    {"patience": 4, "threshold": 0.0, "threshold_mode": "abs", "factor": 0.0},
]
GREEDY_GRID = [
    {},
    {"patience": 2},
    {"patience": 3, "smooth": True, "window_size": 7, "min_lr": 0.02},
    {"mode": "max", "threshold_mode": "rel", "threshold": 1e-3, "patience": 1, "cooldown": 2, "warmup": 3},
    {"patience": 1, "factor": 0.5, "min_lr": 0.02, "reset_start": 3},  # reaches min_lr and resets
    {"patience": 0, "smooth": True, "window_size": 1, "reset_start": 0, "min_lr": 0.05},
    {"patience": 1, "max_lr": 0.05, "min_lr": 0.01},  # base above max_lr: increases clamp
    {"patience": 2, "factor": 0.9, "eps": 0.05},  # large eps: both directions skipped
]


def grid():
    for name in NAMES:
        for params in GREEDY_GRID if name == GREEDY else PLATEAU_GRID:
            yield name, params


# ------------------------------------------------------------------------------------------------ live runs


@dataclass
class Live:
    """What the library did, step by step (index 0: after construction)."""

    lr: list = field(default_factory=list)
    state: dict = field(default_factory=dict)  # attribute -> list of values
    improved: list = field(default_factory=list)  # is_better's answer at each step (False where not asked)
    asked: list = field(default_factory=list)  # whether is_better was asked at each step
    compared: list = field(default_factory=list)  # the value it compared (NaN where not asked)
    fires: list = field(default_factory=list)  # (step, "reduce" / "increase", lr before, lr after the change)
    resets: list = field(default_factory=list)  # (step, lr before the reset, lr after)


TORCH_STATE = {"best": "best", "num_bad": "num_bad_epochs", "cooldown": "cooldown_counter"}
GREEDY_STATE = {**TORCH_STATE, "num_good": "num_good_epochs", "warmup": "warmup_counter",
                "reset_left": "reset_start"}


def live(name: str, params: dict, metrics, base_lr: float) -> Live:
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=base_lr)
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "torch.ReduceLROnPlateau" or name == "oneflow.ReduceLROnPlateau":  # OneFlow's is torch's
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        else:
            sched = transformers.get_scheduler(name.split(".")[1], opt, scheduler_specific_kwargs=kwargs)
    greedy = name == GREEDY
    assert isinstance(sched, transformers.optimization.GreedyLR if greedy
                      else torch.optim.lr_scheduler.ReduceLROnPlateau)
    out, attrs = Live(), GREEDY_STATE if greedy else TORCH_STATE
    step = [0]
    lr = lambda: float(opt.param_groups[0]["lr"])  # noqa: E731

    def wrap(method, record):
        original = getattr(sched, method)

        def wrapped(*args):
            before = lr()
            result = original(*args)
            record(before, result, *args)
            return result

        setattr(sched, method, wrapped)

    def better(before, result, current, best):
        out.improved[-1], out.asked[-1], out.compared[-1] = result, True, current

    def fire(direction):
        return lambda before, result, epoch: out.fires.append((step[0], direction, before, lr()))

    wrap("is_better" if greedy else "_is_better", better)
    if greedy:
        wrap("_increase_lr", fire("increase"))
        original_reset = sched._reset

        def reset():  # called from inside _reduce_lr: the reduction's result is the lr before the reset
            out.resets.append((step[0], lr(), None))
            original_reset()
            out.resets[-1] = out.resets[-1][:2] + (lr(),)

        sched._reset = reset
    wrap("_reduce_lr", fire("reduce"))

    def snapshot():
        out.lr.append(lr())
        for key, attr in attrs.items():
            out.state.setdefault(key, []).append(getattr(sched, attr))

    out.improved.append(False)
    out.asked.append(False)
    out.compared.append(math.nan)
    snapshot()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t, metric in enumerate(metrics, start=1):
            step[0] = t
            out.improved.append(False)
            out.asked.append(False)
            out.compared.append(math.nan)
            opt.step()
            sched.step(metric)
            snapshot()
    if greedy:  # the fire record of a reduction that reset: its result is the lr the reset started from
        resets = {t: before for t, before, _ in out.resets}
        out.fires = [(t, d, b, resets.get(t, a) if d == "reduce" else a) for t, d, b, a in out.fires]
    return out


def spans_of(mask) -> list[tuple[int, int]]:
    spans, start = [], None
    for t, on in enumerate(list(mask) + [False]):
        if on and start is None:
            start = t
        elif not on and start is not None:
            spans.append((start, t))
            start = None
    return spans


def check_live(name, params, metrics, base_lr=0.1) -> Trace:
    steps = len(metrics) + 1
    tr = schedules.trace(name, params, steps=steps, base_lr=base_lr, metrics=metrics)
    lib = live(name, params, metrics, base_lr)
    assert tr.lr.tobytes() == schedules.compute(name, params, steps=steps, base_lr=base_lr,
                                                metrics=metrics).tobytes()
    np.testing.assert_array_equal(tr.lr, lib.lr)

    # the state after every step, exactly
    for key, values in lib.state.items():
        ours = getattr(tr, key)
        assert ours is not None and ours.shape == (steps,), key
        np.testing.assert_array_equal(ours, np.array(values, dtype=ours.dtype), err_msg=key)
    if name != GREEDY:
        assert tr.num_good is None and tr.warmup is None and tr.reset_left is None and tr.warmup_spans == []
    np.testing.assert_array_equal(tr.improved, lib.improved)
    asked = np.array(lib.asked)
    assert name == GREEDY or asked[1:].all()  # torch compares at every step
    np.testing.assert_array_equal(tr.metric[asked], np.array(lib.compared)[asked])
    # the bar: what the compared value had to beat
    beats = tr.metric < tr.bar if params.get("mode", "min") == "min" else tr.metric > tr.bar
    np.testing.assert_array_equal(beats[asked], tr.improved[asked])
    assert np.isnan(tr.bar[~asked]).all()

    # cooldown / warmup: the steps that started with the library's counter above 0
    cooldown_before = np.array([0] + lib.state["cooldown"][:-1]) > 0
    assert tr.cooldown_spans == spans_of(cooldown_before)
    if name == GREEDY:
        warmup_before = np.array([0] + lib.state["warmup"][:-1]) > 0
        assert tr.warmup_spans == spans_of(warmup_before & ~cooldown_before)

    # every rule that fired, where it fired, with what it did
    for e in tr.events:
        assert isinstance(e, Event) and e.kind in KINDS and e.rule in RULES
        assert (e.kind in CHANGES) == (e.new_lr != e.old_lr) or e.kind == "reset"
        assert e.detail and e.as_dict()["detail"] == e.detail
    fired = [e for e in tr.events if e.kind != "reset"]
    assert [(e.step, e.old_lr, e.new_lr) for e in fired] == [(t, b, a) for t, _, b, a in lib.fires]
    for e, (_, direction, _, _) in zip(fired, lib.fires):
        allowed = {"reduce": {"reduce", "skipped_eps", "clamped_min"},
                   "increase": {"increase", "skipped_eps", "clamped_max"}}[direction]
        assert e.kind in allowed, (e, direction)
        if e.new_lr == e.old_lr:  # the rule fired without a change: at the bound, or a step within eps
            p = tr.params
            if direction == "reduce":
                at_bound = max(e.old_lr * p["factor"], p["min_lr"][0]) == p["min_lr"][0]
                assert (e.kind, e.rule) == (("clamped_min", "min_lr") if at_bound else ("skipped_eps", "eps"))
            else:
                at_bound = min(e.old_lr / p["factor"], p["max_lr"][0]) == p["max_lr"][0]
                assert (e.kind, e.rule) == (("clamped_max", "max_lr") if at_bound else ("skipped_eps", "eps"))
        else:
            assert e.rule == "patience"
    resets = [(e.step, e.old_lr, e.new_lr) for e in tr.events if e.kind == "reset"]
    assert resets == lib.resets
    # events chain: at each step they go from the lr before to the lr after; no lr change without one
    by_step = {}
    for e in tr.events:
        by_step.setdefault(e.step, []).append(e)
    assert [e.step for e in tr.events] == sorted(e.step for e in tr.events)
    for t in range(1, steps):
        events = by_step.get(t, [])
        if tr.lr[t] != tr.lr[t - 1]:
            assert any(e.kind in CHANGES for e in events), t
        if events:
            assert events[0].old_lr == tr.lr[t - 1] and events[-1].new_lr == tr.lr[t]
            assert all(a.new_lr == b.old_lr for a, b in zip(events, events[1:]))
    return tr


# ----------------------------------------------------------------------------------------------- the API


def test_traceable_names_are_the_metric_driven_ones():
    assert sorted(schedules.traceable()) == sorted(NAMES)
    assert sorted(schedules.traceable()) == sorted(n for n in schedules.names() if schedules.get(n).metric_driven)


@pytest.mark.parametrize("name", ["torch.StepLR", "transformers.cosine", "oneflow.WarmupLR", "torch.SequentialLR"])
def test_only_metric_driven_schedulers_can_be_traced(name):
    with pytest.raises(ScheduleError, match="only metric-driven schedulers can be traced") as err:
        schedules.trace(name, {}, steps=10, metrics=[1.0] * 9)
    assert err.value.param == "name"


BAD = [
    ("torch.ReduceLROnPlatea", {}, {"steps": 10, "metrics": [1.0] * 9}),  # did you mean
    ("torch.ReduceLROnPlateau", {}, {"steps": 0, "metrics": []}),
    ("torch.ReduceLROnPlateau", {}, {"steps": 2.5, "metrics": [1.0, 1.0]}),
    ("torch.ReduceLROnPlateau", {}, {"steps": 10, "base_lr": -1.0, "metrics": [1.0] * 9}),
    ("torch.ReduceLROnPlateau", {"patience": -1}, {"steps": 10, "metrics": [1.0] * 9}),
    ("torch.ReduceLROnPlateau", {"factor": 1.0}, {"steps": 10, "metrics": [1.0] * 9}),
    ("oneflow.ReduceLROnPlateau", {"nope": 1}, {"steps": 10, "metrics": [1.0] * 9}),
    ("transformers.reduce_lr_on_plateau", {}, {"steps": 10, "metrics": None}),
    ("transformers.greedy", {}, {"steps": 10, "metrics": [1.0] * 5}),
    ("transformers.greedy", {}, {"steps": 10, "metrics": ["a"] * 9}),
    ("transformers.greedy", {"window_size": 0}, {"steps": 10, "metrics": [1.0] * 9}),
    ("transformers.greedy", {"min_lr": [0.1, 0.2]}, {"steps": 10, "metrics": [1.0] * 9}),
]


@pytest.mark.parametrize("name,params,kw", BAD)
def test_errors_are_computes(name, params, kw):
    with pytest.raises(ScheduleError) as want:
        schedules.compute(name, params, **kw)
    with pytest.raises(ScheduleError) as got:
        schedules.trace(name, params, **kw)
    assert (str(got.value), got.value.param) == (str(want.value), want.value.param)


def test_one_parameter_group():
    with pytest.raises(ScheduleError, match="one parameter group") as err:
        schedules.trace("torch.ReduceLROnPlateau", {}, steps=5, base_lr=[0.1, 0.2], metrics=[1.0] * 4)
    assert err.value.param == "base_lr"


def test_metrics_are_handled_like_compute():
    # extra values are ignored, a single step needs none, numpy arrays and ints are fine
    long = list(range(30, 0, -1)) + [5] * 40
    for name in NAMES:
        tr = schedules.trace(name, {"patience": 2}, steps=40, metrics=np.array(long))
        assert tr.lr.tobytes() == schedules.compute(name, {"patience": 2}, steps=40, metrics=long).tobytes()
        one = schedules.trace(name, {}, steps=1, metrics=[])
        assert one.lr.tolist() == [0.1] and one.events == [] and one.steps == 1
        assert one.best.tolist() == [math.inf] and one.num_bad.tolist() == [0] and one.improved.tolist() == [False]
        assert np.isnan(one.metric[0]) and np.isnan(one.bar[0])


# ------------------------------------------------------------------------------------- lr is compute's


@pytest.mark.parametrize("name,params", list(grid()), ids=[f"{n}-{i}" for i, (n, _) in enumerate(grid())])
def test_lr_is_compute_bit_for_bit(name, params):
    for series, metrics in SERIES.items():
        for base in (0.1, 1e-3, 3.0):
            want = schedules.compute(name, params, steps=N + 1, base_lr=base, metrics=metrics)
            tr = schedules.trace(name, params, steps=N + 1, base_lr=base, metrics=metrics)
            assert tr.lr.dtype == np.float64 and tr.lr.shape == (N + 1,)
            assert tr.lr.tobytes() == want.tobytes(), (series, base)
            for key in ("metric", "bar", "best", "num_bad", "cooldown", "improved"):
                assert getattr(tr, key).shape == (N + 1,), key


def test_events_rebuild_the_curve():
    rng = np.random.default_rng(3)
    metrics = np.cumsum(rng.choice([-1.0, 0.0, 0.0, 1.0], 3000)).tolist()
    for name, params in grid():
        tr = schedules.trace(name, params, steps=3001, metrics=metrics)
        last = {e.step: e.new_lr for e in tr.events}
        lr, curve = 0.1, []
        for t in range(3001):
            lr = last.get(t, lr)
            curve.append(lr)
        assert tr.lr.tolist() == curve, (name, params)


# ------------------------------------------------------------------------------------------------ live


@pytest.mark.parametrize("series", sorted(SERIES))
@pytest.mark.parametrize("name,params", list(grid()), ids=[f"{n}-{i}" for i, (n, _) in enumerate(grid())])
def test_live_states_and_events(name, params, series):
    metrics = SERIES[series][:80]
    for base in (0.1, 3.0) if name == GREEDY else (0.1,):
        check_live(name, params, metrics, base)


def test_live_long_noisy_run():
    rng = np.random.default_rng(5)
    metrics = (np.cumsum(rng.normal(0, 1, 2000)) + rng.normal(0, 3, 2000)).tolist()
    tr = check_live("transformers.greedy", {"patience": 4, "smooth": True, "window_size": 10, "cooldown": 2,
                                            "warmup": 1, "min_lr": 0.02, "reset_start": 3}, metrics)
    assert {e.kind for e in tr.events} >= {"increase", "reduce", "clamped_min", "reset"}
    tr = check_live("torch.ReduceLROnPlateau", {"patience": 3, "factor": 0.5, "cooldown": 2, "min_lr": 1e-4},
                    metrics)
    assert {e.kind for e in tr.events} == {"reduce", "clamped_min"}


def walks(n):
    """Random walks on a coarse grid (plateaus, ties, rises), with NaN and inf spikes."""
    step = st.sampled_from([-1.0, -0.5, -0.1, -1e-7, 0.0, 0.0, 0.0, 0.1, 0.5, 1.0])
    spike = st.sampled_from([None] * 6 + [math.nan, math.inf, -math.inf])
    return st.tuples(st.lists(step, min_size=n, max_size=n), st.lists(spike, min_size=n, max_size=n)).map(
        lambda x: [s if s is not None else v for v, s in zip(np.cumsum([2.0, *x[0]])[1:].tolist(), x[1])])


PLATEAU_KW = st.fixed_dictionaries({}, optional={
    "mode": st.sampled_from(["min", "max"]), "factor": st.floats(0.0, 0.99), "patience": st.integers(0, 5),
    "threshold": st.sampled_from([0.0, 1e-4, 0.05, 1.0]), "threshold_mode": st.sampled_from(["rel", "abs"]),
    "cooldown": st.integers(0, 4), "min_lr": st.sampled_from([0.0, 1e-3, 0.05]),
    "eps": st.sampled_from([0.0, 1e-8, 1e-3, 0.05])})
GREEDY_KW = st.fixed_dictionaries({}, optional={
    "mode": st.sampled_from(["min", "max"]), "factor": st.floats(0.05, 0.99), "patience": st.integers(0, 5),
    "threshold": st.sampled_from([0.0, 1e-6, 0.05, 1.0]), "threshold_mode": st.sampled_from(["rel", "abs"]),
    "cooldown": st.integers(0, 4), "warmup": st.integers(0, 4), "min_lr": st.sampled_from([0.0, 1e-3, 0.05, 0.2]),
    "max_lr": st.sampled_from([0.0, 0.3, 1.0, 5.0]), "eps": st.sampled_from([0.0, 1e-8, 1e-3, 0.05]),
    "smooth": st.booleans(), "window_size": st.integers(1, 6), "reset_start": st.integers(0, 4)})


@settings(derandomize=True, max_examples=250, deadline=None)
@given(data=st.data())
def test_hypothesis_live(data):
    name = data.draw(st.sampled_from(NAMES), label="name")
    params = data.draw(GREEDY_KW if name == GREEDY else PLATEAU_KW, label="params")
    n = data.draw(st.integers(0, 60), label="steps - 1")
    metrics = data.draw(walks(n), label="metrics")
    base = data.draw(st.sampled_from([0.1, 1e-3, 0.5, 2.0]), label="base_lr")
    check_live(name, params, metrics, base)


# --------------------------------------------------------------------------------------------- wording


def test_plateau_detail_has_the_numbers():
    metrics = [1.0, 0.4123] + [0.5] * 20
    tr = check_live("torch.ReduceLROnPlateau", {"patience": 5, "cooldown": 2}, metrics)
    first = tr.events[0]
    assert (first.step, first.kind, first.rule, first.old_lr) == (8, "reduce", "patience", 0.1)
    assert first.detail == ("6 steps in a row without beating the best 0.4123 by the threshold (min, rel 0.0001: "
                            "needs < 0.412259): more than patience 5, so lr × 0.1 (0.1 → 0.01); cooldown 2 starts")
    assert tr.cooldown_spans[0] == (9, 11)
    assert tr.num_bad[2:9].tolist() == [0, 1, 2, 3, 4, 5, 0] and tr.cooldown[8:12].tolist() == [2, 1, 0, 0]
    assert tr.bar[3] == 0.4123 * (1 - 1e-4) and not tr.improved[3] and tr.improved[2]


def test_plateau_max_abs_and_min_lr_clamp():
    metrics = [0.5, 0.8, 0.85, 0.84, 0.9, 0.79, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    tr = check_live("torch.ReduceLROnPlateau", {"mode": "max", "threshold_mode": "abs", "threshold": 0.1,
                                                "patience": 1, "factor": 0.5, "min_lr": 0.04}, metrics)
    kinds = [(e.step, e.kind, e.rule) for e in tr.events]
    assert kinds == [(4, "reduce", "patience"), (6, "reduce", "patience"), (8, "clamped_min", "min_lr"),
                     (10, "clamped_min", "min_lr"), (12, "clamped_min", "min_lr")]
    assert "needs > 0.9" in tr.events[0].detail and "(max, abs 0.1" in tr.events[0].detail
    assert tr.events[1].detail.endswith("so lr × 0.5 = 0.025 is clamped to min_lr 0.04 (0.05 → 0.04)")
    assert tr.events[2].detail.endswith("but the lr 0.04 is already at min_lr 0.04, so it stays")


def test_nan_streaks_and_no_best_yet():
    tr = check_live("oneflow.ReduceLROnPlateau", {"patience": 2}, [math.nan] * 6)
    assert [e.step for e in tr.events] == [3, 6]
    assert tr.events[0].detail.startswith("3 steps in a row without a value that counts as better (no best value "
                                          "yet) (all of them NaN, which never counts as better): more than "
                                          "patience 2, so lr × 0.1")
    tr = check_live("torch.ReduceLROnPlateau", {"patience": 2}, [1.0, math.nan, 1.0, math.nan])
    assert "(2 of them NaN, which never counts as better)" in tr.events[0].detail


def test_eps_skips_are_explained():
    tr = check_live("transformers.reduce_lr_on_plateau", {"patience": 0, "factor": 0.9, "eps": 0.05}, [1.0] * 5)
    e = tr.events[0]
    assert (e.step, e.kind, e.rule, e.old_lr, e.new_lr) == (2, "skipped_eps", "eps", 0.1, 0.1)
    assert e.detail.endswith("but lr × 0.9 would lower it by only 0.01, not more than eps 0.05, so the reduction "
                             "is skipped and the lr stays 0.1")
    tr = check_live(GREEDY, {"patience": 0, "factor": 0.9, "eps": 0.05}, [3.0, 2.0, 1.0])
    assert [e.kind for e in tr.events] == ["skipped_eps"] * 3
    assert "would raise it by only 0.0111, not more than eps 0.05, so the increase is skipped" in tr.events[0].detail


def test_greedy_increase_reduce_reset_wording():
    metrics = [1.0 / (1 + i) for i in range(12)] + [1.0] * 30
    params = {"patience": 2, "cooldown": 1, "warmup": 2, "min_lr": 0.05, "factor": 0.5, "reset_start": 2}
    tr = check_live(GREEDY, params, metrics)
    kinds = [(e.step, e.kind, e.rule) for e in tr.events]
    assert kinds[:7] == [(3, "increase", "patience"), (8, "increase", "patience"), (15, "reduce", "patience"),
                         (19, "reduce", "patience"), (23, "reduce", "patience"), (27, "clamped_min", "min_lr"),
                         (27, "reset", "reset_start")]
    up, down, at_min, clamped, reset = tr.events[0], tr.events[2], tr.events[4], tr.events[5], tr.events[6]
    assert up.detail == ("3 steps in a row beat the best by the threshold (min, abs 1e-06), the last with 0.333333: "
                         "more than patience 2, so lr ÷ 0.5 (0.1 → 0.2); warmup 2 starts (the counters stay at 0)")
    assert down.detail == ("3 steps in a row without beating the best 0.0833333 by the threshold (min, abs 1e-06: "
                           "needs < 0.0833323): more than patience 2, so lr × 0.5 (0.4 → 0.2); cooldown 1 starts "
                           "(the counters stay at 0)")
    assert "(0.1 → 0.05); the lr is at min_lr, so reset_start counts down to 1" in at_min.detail
    assert "already at min_lr 0.05, so it stays; the lr is at min_lr, and reset_start runs out" in clamped.detail
    assert (reset.old_lr, reset.new_lr) == (0.05, 0.1)
    assert reset.detail == ("reset_start 2 ran out (2 reductions at min_lr with no increase in between): the lr "
                            "returns to its initial value (0.05 → 0.1), and the best value and the counters start "
                            "over")
    assert tr.warmup_spans[:2] == [(4, 6), (9, 11)] and tr.cooldown_spans[0] == (16, 17)
    assert tr.reset_left[26:28].tolist() == [1, 2] and math.isinf(tr.best[27])


def test_greedy_caps_and_restores():
    tr = check_live(GREEDY, {"patience": 0, "max_lr": 0.15, "factor": 0.5}, [3.0, 2.0, 1.0])
    assert [(e.kind, e.rule, e.new_lr) for e in tr.events] == [("increase", "patience", 0.15),
                                                              ("clamped_max", "max_lr", 0.15),
                                                              ("clamped_max", "max_lr", 0.15)]
    assert "so lr ÷ 0.5 = 0.2 is capped at max_lr 0.15 (0.1 → 0.15)" in tr.events[0].detail
    assert tr.events[1].detail.endswith("but the lr 0.15 is already at max_lr 0.15, so it stays")
    tr = check_live(GREEDY, {"patience": 0, "min_lr": 0.1, "reset_start": 5, "smooth": True, "window_size": 2},
                    [1.0, 1.0, 0.0, -5.0])
    assert [e.kind for e in tr.events] == ["increase", "reduce", "increase", "increase"]
    assert tr.reset_left.tolist() == [5, 5, 4, 5, 5]
    assert "the lr is at min_lr, so reset_start counts down to 4" in tr.events[1].detail
    assert "1 step without the rolling mean beating the best 1 by the threshold" in tr.events[1].detail
    assert tr.events[2].detail.endswith("(0.1 → 0.105263); the reset_start count is restored to 5")
    assert "restored" not in tr.events[3].detail
    assert "1 step beat the best by the threshold (min, abs 1e-06), with a rolling mean of -2.5" in tr.events[3].detail
    np.testing.assert_array_equal(tr.metric[1:], [1.0, 1.0, 0.5, -2.5])


def test_every_kind_and_rule_occurs():
    seen = set()
    for name, params in grid():
        for metrics in SERIES.values():
            tr = schedules.trace(name, params, steps=N + 1, base_lr=0.1, metrics=metrics)
            seen |= {(e.kind, e.rule) for e in tr.events}
    assert {k for k, _ in seen} == set(KINDS) and {r for _, r in seen} == set(RULES)


def test_details_are_lazy_and_cheap():
    n = 200_000
    start = time.perf_counter()
    tr = schedules.trace("torch.ReduceLROnPlateau", {"patience": 0, "min_lr": 1e-3}, steps=n, metrics=[1.0] * n)
    elapsed = time.perf_counter() - start
    assert len(tr.events) == n - 2 and tr.events[-1].kind == "clamped_min"
    assert repr(tr) == f"Trace('torch.ReduceLROnPlateau', steps={n}, events={{'reduce': 2, 'clamped_min': {n - 4}}})"
    assert "detail" not in vars(tr.events[-1])  # not written yet
    assert "min_lr 0.001" in tr.events[-1].detail
    assert Event(3, "reduce", 0.1, 0.01, "patience", "a sentence").detail == "a sentence"
    assert elapsed < 5.0
