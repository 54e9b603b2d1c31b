"""transformers 5.23 ``get_scheduler``: the engine's curves against the live library.

The oracle builds ``torch.optim.SGD([{'params': ..., 'lr': b} for b in base_lrs], lr=base_lrs[0])``, calls
``transformers.get_scheduler(name, optimizer, num_warmup_steps=..., num_training_steps=...,
scheduler_specific_kwargs=...)`` and reads ``optimizer.param_groups[g]['lr']`` before each ``scheduler.step()``
(``step(metric)`` for the metric-driven ones). Tolerance: rtol 1e-9, atol 1e-300.
"""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest
import torch
import transformers
import transformers.optimization as hf
from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from schedules import ScheduleError

DIRECT = ("num_warmup_steps", "num_training_steps")
NAMES = ["constant", "constant_with_warmup", "linear", "cosine", "cosine_with_restarts", "polynomial",
         "inverse_sqrt", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay",
         "reduce_lr_on_plateau", "greedy"]
METRIC_DRIVEN = {"reduce_lr_on_plateau", "greedy"}


def hf_curve(name: str, params: dict, steps: int, base_lr=0.1, metrics=None) -> np.ndarray:
    """lr of each group before each of ``steps`` scheduler steps, as transformers computes it."""
    lrs = base_lr if isinstance(base_lr, (list, tuple)) else [base_lr]
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": float(b)} for b in lrs]
    opt = torch.optim.SGD(groups, lr=float(lrs[0]))
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items() if k not in DIRECT}
    out = np.empty((len(lrs), steps))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "scheduler.step() before optimizer.step()", wsd "both given"
        sched = transformers.get_scheduler(name, opt, num_warmup_steps=params.get("num_warmup_steps"),
                                           num_training_steps=params.get("num_training_steps"),
                                           scheduler_specific_kwargs=kwargs)
        for t in range(steps):
            out[:, t] = [float(g["lr"]) for g in opt.param_groups]
            if t == steps - 1:
                break
            if metrics is not None:
                sched.step(metrics[t])
            else:
                sched.step()
    return out if isinstance(base_lr, (list, tuple)) else out[0]


def ours(name, params, steps, base_lr=0.1, metrics=None):
    return schedules.compute(f"transformers.{name}", params, steps=steps, base_lr=base_lr, metrics=metrics)


def assert_parity(name, params, steps, base_lr=0.1, metrics=None):
    got = ours(name, params, steps, base_lr, metrics)
    want = hf_curve(name, params, steps, base_lr, metrics)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-300, err_msg=f"{name} {params} base={base_lr}")
    return got


def library_or_error(name, params, steps, base_lr, metrics=None):
    """The library's curve, or the exception it raises (at construction or while stepping)."""
    try:
        return hf_curve(name, params, steps, base_lr, metrics)
    except Exception as err:  # noqa: BLE001 - any library failure must be a ScheduleError on our side
        return err


# ------------------------------------------------------------------------------------ registry & params


def test_the_twelve_scheduler_types_are_registered():
    assert {t.value for t in transformers.SchedulerType} == set(NAMES)
    assert {n for n in schedules.names() if n.startswith("transformers.")} == {f"transformers.{n}" for n in NAMES}
    for name in NAMES:
        spec = schedules.get(f"transformers.{name}")
        assert spec.metric_driven == (name in METRIC_DRIVEN)
        assert spec.docs_url.startswith("https://huggingface.co/docs/transformers/")
        assert spec.notes and spec.formula
        assert any("losed form" in n or "sequential" in n for n in spec.notes)


@pytest.mark.parametrize("name", NAMES)
def test_spec_examples_match_library(name):
    spec = schedules.get(f"transformers.{name}")
    metrics = SERIES["noisy_decreasing"][: spec.example_steps - 1] if name in METRIC_DRIVEN else None
    for base in (0.1, [0.1, 0.02]):
        assert_parity(name, spec.example, spec.example_steps, base, metrics)


WARMUP_REQUIRED = {"constant_with_warmup", "linear", "cosine", "cosine_with_restarts", "polynomial", "inverse_sqrt",
                   "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay"}
TRAINING_REQUIRED = {"linear", "cosine", "cosine_with_restarts", "polynomial", "cosine_with_min_lr",
                     "cosine_warmup_with_min_lr"}


@pytest.mark.parametrize("name", NAMES)
def test_params_mirror_get_scheduler_and_library_defaults(name):
    spec = schedules.get(f"transformers.{name}")
    names = {p.name for p in spec.params}
    assert ("num_warmup_steps" in names and spec.param("num_warmup_steps").required) == (name in WARMUP_REQUIRED)
    assert ("num_training_steps" in names and spec.param("num_training_steps").required) == \
        (name in TRAINING_REQUIRED)
    if name == "warmup_stable_decay":
        assert not spec.param("num_training_steps").required  # N or num_stable_steps
    fn = hf.TYPE_TO_SCHEDULER_FUNCTION[transformers.SchedulerType(name)]
    target = {"reduce_lr_on_plateau": torch.optim.lr_scheduler.ReduceLROnPlateau,
              "greedy": hf.GreedyLR}.get(name, fn)
    signature = inspect.signature(target).parameters
    for p in spec.params:
        if p.name in DIRECT:
            continue
        lib = signature[p.name].default
        if lib is inspect.Parameter.empty:
            assert p.required, p.name
        else:
            assert p.default == lib, (p.name, p.default, lib)


# ---------------------------------------------------------------------------------------- 1. live grid

BASES = [0.1, [0.1, 0.37, 2.0], [3e-4, 1e-2]]


def _grid():
    cases = [("constant", {}, 40)]
    for W in (0, 1, 4, 37):
        cases.append(("constant_with_warmup", {"num_warmup_steps": W}, W + 30))
    wn = [(0, 10), (2, 10), (10, 10), (15, 10), (0, 1), (1, 1), (3, 1000), (7, 8)]
    for W, N in wn:
        cases.append(("linear", {"num_warmup_steps": W, "num_training_steps": N}, 2 * max(W, N) + 5))
    for (W, N), nc in zip(wn * 2, [0.5, 0.25, 1.75, 3, 0.5, 0.0, 1.0, 0.6] * 2):
        cases.append(("cosine", {"num_warmup_steps": W, "num_training_steps": N, "num_cycles": nc},
                      3 * max(W, N) + 5))
    cases.append(("cosine", {"num_warmup_steps": 5, "num_training_steps": 50}, 200))  # default num_cycles
    for (W, N), nc in zip(wn * 2, [1, 2, 2.5, 0.3, 4, 0.0, 7, 1.5] * 2):
        cases.append(("cosine_with_restarts", {"num_warmup_steps": W, "num_training_steps": N, "num_cycles": nc},
                      2 * max(W, N) + 5))
    for W, N in [(0, 10), (2, 10), (15, 10), (0, 1), (3, 1000), (7, 8), (10, 10)]:
        for power, lr_end in [(1.0, 1e-7), (2.0, 0.0), (0.5, 0.05), (3.3, 1e-7), (0.0, 0.01), (97.0, 0.0)]:
            cases.append(("polynomial", {"num_warmup_steps": W, "num_training_steps": N, "power": power,
                                         "lr_end": lr_end}, max(W, N) + 20 if W != N else W))
    for W in (0, 1, 5, 100):
        for ts in (None, 1, 7, 1000):
            params = {"num_warmup_steps": W} if ts is None else {"num_warmup_steps": W, "timescale": ts}
            cases.append(("inverse_sqrt", params, W + 300))
    for name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        for (W, N), nc in zip(wn, [0.5, 0.25, 1.75, 3, 0.5, 0.0, 1.0, 0.6]):
            for extra in ({"min_lr": 1e-3}, {"min_lr_rate": 0.1}, {"min_lr_rate": 0.0}, {"min_lr_rate": 1.0},
                          {"min_lr": 0.0}):
                cases.append((name, {"num_warmup_steps": W, "num_training_steps": N, "num_cycles": nc, **extra},
                              2 * max(W, N) + 5))
    for W in (0, 1, 2, 10):
        for wr in (0.0, 0.1, 0.5, 1.0):
            cases.append(("cosine_warmup_with_min_lr", {"num_warmup_steps": W, "num_training_steps": 40,
                                                        "min_lr_rate": 0.05, "warmup_lr_rate": wr}, 90))
    shapes = ("linear", "cosine", "1-sqrt")
    for wt in shapes:
        for dt in shapes:
            cases.append(("warmup_stable_decay", {"num_warmup_steps": 10, "num_training_steps": 100,
                                                  "num_decay_steps": 30, "warmup_type": wt, "decay_type": dt,
                                                  "min_lr_ratio": 0.1}, 130))
    for params in [
        {"num_warmup_steps": 0, "num_training_steps": 50, "num_decay_steps": 20},
        {"num_warmup_steps": 5, "num_stable_steps": 7, "num_decay_steps": 9, "decay_type": "linear"},
        {"num_warmup_steps": 5, "num_training_steps": 500, "num_stable_steps": 7, "num_decay_steps": 9},  # S wins
        {"num_warmup_steps": 10, "num_training_steps": 20, "num_decay_steps": 30},  # negative stable phase
        {"num_warmup_steps": 10, "num_training_steps": 5, "num_decay_steps": 3},  # decay skipped entirely
        {"num_warmup_steps": 4, "num_training_steps": 20, "num_decay_steps": 0, "min_lr_ratio": 0.3},
        {"num_warmup_steps": 4, "num_training_steps": 40, "num_decay_steps": 30, "num_cycles": 1.25,
         "min_lr_ratio": 0.2, "warmup_type": "1-sqrt"},
        {"num_warmup_steps": 1, "num_stable_steps": 0, "num_decay_steps": 1, "min_lr_ratio": 1.0},
    ]:
        cases.append(("warmup_stable_decay", params, 80))
    return cases


GRID = _grid()


@pytest.mark.parametrize("name,params,steps", GRID, ids=[f"{c[0]}-{i}" for i, c in enumerate(GRID)])
def test_grid_matches_library(name, params, steps):
    for base in BASES:
        if name == "polynomial" and params["lr_end"] >= (base[0] if isinstance(base, list) else base):
            continue  # the library refuses these; see test_polynomial_refusals
        assert_parity(name, params, steps, base)


LONG = [
    ("linear", {"num_warmup_steps": 1000, "num_training_steps": 60_000}),
    ("cosine", {"num_warmup_steps": 0, "num_training_steps": 40_000}),  # rises again past N
    ("cosine_with_restarts", {"num_warmup_steps": 500, "num_training_steps": 90_000, "num_cycles": 3.5}),
    ("polynomial", {"num_warmup_steps": 100, "num_training_steps": 90_000, "power": 3.3, "lr_end": 1e-5}),
    ("inverse_sqrt", {"num_warmup_steps": 4000}),
    ("cosine_warmup_with_min_lr", {"num_warmup_steps": 3000, "num_training_steps": 70_000, "min_lr": 1e-4}),
    ("warmup_stable_decay", {"num_warmup_steps": 2000, "num_training_steps": 90_000, "num_decay_steps": 20_000,
                             "warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.01}),
]


@pytest.mark.parametrize("name,params", LONG, ids=[c[0] for c in LONG])
def test_100k_steps_match_library(name, params):
    got = assert_parity(name, params, 100_000, [0.1, 0.02])
    assert got.shape == (2, 100_000)


def test_lambda_schedules_follow_the_library_operation_order():
    # far tighter than the 1e-9 contract: the vectorized forms repeat the library's operations, and differ only
    # where numpy's pow rounds the last bit differently from CPython's
    for name, params, steps in GRID:
        base = [0.1, 0.37]
        np.testing.assert_allclose(ours(name, params, steps, base), hf_curve(name, params, steps, base),
                                   rtol=1e-14, atol=1e-300)


# ------------------------------------------------------------------------------------- quirks & errors


def test_cosine_rises_again_past_num_training_steps():
    lr = assert_parity("cosine", {"num_warmup_steps": 0, "num_training_steps": 100}, 201, 1.0)
    assert lr[100] == 0.0 and lr[150] == pytest.approx(0.5) and lr[200] == pytest.approx(1.0)


def test_cosine_warmup_with_min_lr_is_shifted_by_one():
    params = {"num_warmup_steps": 4, "num_training_steps": 20, "min_lr_rate": 0.1}
    lr = assert_parity("cosine_warmup_with_min_lr", params, 30, 1.0)
    np.testing.assert_allclose(lr[:4], [0.25, 0.5, 0.75, 1.0], rtol=0, atol=0)  # peak at W - 1, lr[0] > 0
    assert lr[19] == pytest.approx(0.1, abs=1e-15) and lr.argmin() == 19  # minimum at N - 1


def test_polynomial_uses_optimizer_default_lr():
    # groups are scaled proportionally: group 2 ends at 0.5 * lr_end / 0.1, not at lr_end
    lr = assert_parity("polynomial", {"num_warmup_steps": 0, "num_training_steps": 10, "lr_end": 0.01}, 15,
                       [0.1, 0.5])
    np.testing.assert_allclose(lr[:, -1], [0.01, 0.05], rtol=1e-12)


def test_polynomial_refusals():
    with pytest.raises(ValueError, match="lr_end"):
        hf_curve("polynomial", {"num_warmup_steps": 0, "num_training_steps": 10, "lr_end": 0.1}, 5, 0.1)
    for lr_end, base in [(0.1, 0.1), (0.2, 0.1), (0.05, [0.01, 1.0])]:
        with pytest.raises(ScheduleError) as err:
            ours("polynomial", {"num_warmup_steps": 0, "num_training_steps": 10, "lr_end": lr_end}, 5, base)
        assert err.value.param == "lr_end" and "smaller than" in str(err.value)
    params = {"num_warmup_steps": 6, "num_training_steps": 6}
    with pytest.raises(ZeroDivisionError):
        hf_curve("polynomial", params, 7, 0.1)
    with pytest.raises(ScheduleError) as err:
        ours("polynomial", params, 7, 0.1)
    assert err.value.param == "num_training_steps" and "divide by zero" in str(err.value)
    assert_parity("polynomial", params, 6, 0.1)  # step W is never reached: fine in the library too


@pytest.mark.parametrize("name", ["cosine_with_min_lr", "cosine_warmup_with_min_lr"])
def test_min_lr_xor_min_lr_rate(name):
    base = {"num_warmup_steps": 2, "num_training_steps": 10}
    for extra, param in [({}, "min_lr_rate"), ({"min_lr": 1e-3, "min_lr_rate": 0.1}, "min_lr")]:
        with pytest.raises(ValueError):
            hf_curve(name, {**base, **extra}, 5)
        with pytest.raises(ScheduleError) as err:
            ours(name, {**base, **extra}, 5)
        assert err.value.param == param and "min_lr" in str(err.value)


def test_wsd_needs_training_or_stable_steps():
    params = {"num_warmup_steps": 2, "num_decay_steps": 5}
    with pytest.raises(ValueError):
        hf_curve("warmup_stable_decay", params, 5)
    with pytest.raises(ScheduleError) as err:
        ours("warmup_stable_decay", params, 5)
    assert err.value.param == "num_training_steps" and "num_stable_steps" in str(err.value)


@pytest.mark.parametrize("name", sorted(WARMUP_REQUIRED))
def test_missing_warmup_steps(name):
    params = {"num_training_steps": 10, "num_decay_steps": 3} if name == "warmup_stable_decay" else \
        {"num_training_steps": 10} if name in TRAINING_REQUIRED else {}
    with pytest.raises(ScheduleError) as err:
        ours(name, params, 5)
    assert err.value.param == "num_warmup_steps" and "required" in str(err.value)
    with pytest.raises(ValueError, match="num_warmup_steps"):
        hf_curve(name, {"num_training_steps": 10}, 5)


# ------------------------------------------------------------------------ 2. hypothesis, live library

WN = st.integers(0, 60)
NN = st.integers(1, 60)
CYCLES = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.floats(0.0, 8.0))
RATE = st.floats(0.0, 1.0)
BASE = st.one_of(st.floats(1e-4, 10.0), st.lists(st.floats(1e-4, 10.0), min_size=1, max_size=4))


def optional(**strategies):
    """A dict strategy in which every key may be left out."""
    return st.fixed_dictionaries({}, optional=strategies)


def merged(*dicts):
    return st.tuples(*dicts).map(lambda ds: {k: v for d in ds for k, v in d.items()})


# mostly the valid "exactly one of min_lr / min_lr_rate", sometimes neither or both (the library raises)
MIN_LR_CHOICE = st.one_of(st.fixed_dictionaries({"min_lr": st.floats(0.0, 1.0)}),
                          st.fixed_dictionaries({"min_lr_rate": RATE}),
                          optional(min_lr=st.one_of(st.none(), st.floats(0.0, 1.0)),
                                   min_lr_rate=st.one_of(st.none(), RATE)))

STRATEGIES = {
    "constant": st.just({}),
    "constant_with_warmup": st.fixed_dictionaries({"num_warmup_steps": WN}),
    "linear": st.fixed_dictionaries({"num_warmup_steps": WN, "num_training_steps": NN}),
    "cosine": st.fixed_dictionaries({"num_warmup_steps": WN, "num_training_steps": NN},
                                    optional={"num_cycles": CYCLES}),
    "cosine_with_restarts": st.fixed_dictionaries({"num_warmup_steps": WN, "num_training_steps": NN},
                                                  optional={"num_cycles": CYCLES}),
    "polynomial": st.fixed_dictionaries(
        {"num_warmup_steps": st.integers(0, 20), "num_training_steps": st.integers(1, 20)},
        optional={"lr_end": st.one_of(st.just(0.0), st.floats(0.0, 2.0)),
                  "power": st.one_of(st.sampled_from([0.0, 1.0, 2.0]), st.floats(0.0, 20.0))}),
    "inverse_sqrt": st.fixed_dictionaries({"num_warmup_steps": WN},
                                          optional={"timescale": st.one_of(st.none(), st.integers(1, 20_000))}),
    "cosine_with_min_lr": merged(
        st.fixed_dictionaries({"num_warmup_steps": WN, "num_training_steps": NN}, optional={"num_cycles": CYCLES}),
        MIN_LR_CHOICE),
    "cosine_warmup_with_min_lr": merged(
        st.fixed_dictionaries({"num_warmup_steps": WN, "num_training_steps": NN},
                              optional={"num_cycles": CYCLES, "warmup_lr_rate": st.one_of(st.none(), RATE)}),
        MIN_LR_CHOICE),
    "warmup_stable_decay": merged(
        st.fixed_dictionaries(
            {"num_warmup_steps": WN, "num_decay_steps": st.integers(0, 60)},
            optional={"warmup_type": st.sampled_from(["linear", "cosine", "1-sqrt"]),
                      "decay_type": st.sampled_from(["linear", "cosine", "1-sqrt"]),
                      "min_lr_ratio": RATE, "num_cycles": CYCLES}),
        st.one_of(st.fixed_dictionaries({"num_training_steps": st.integers(0, 150)}),
                  st.fixed_dictionaries({"num_stable_steps": st.integers(0, 60)}),
                  optional(num_training_steps=st.one_of(st.none(), st.integers(0, 150)),
                           num_stable_steps=st.one_of(st.none(), st.integers(0, 60))))),
}


def check_against_library(name, params, steps, base, metrics=None):
    want = library_or_error(name, params, steps, base, metrics)
    if isinstance(want, Exception):
        with pytest.raises(ScheduleError):
            ours(name, params, steps, base, metrics)
        return
    got = ours(name, params, steps, base, metrics)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-300, err_msg=f"{name} {params} base={base}")


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@settings(derandomize=True, max_examples=80, deadline=None)
@given(data=st.data())
def test_hypothesis_lambda_schedules(name, data):
    params = data.draw(STRATEGIES[name], label="params")
    steps = data.draw(st.integers(1, 200), label="steps")
    base = data.draw(BASE, label="base_lr")
    check_against_library(name, params, steps, base)


def metric_series(draw_steps):
    """Random walks on a coarse grid (so plateaus, ties and rises all happen), sometimes with NaN or inf."""
    step = st.sampled_from([-1.0, -0.5, -0.1, -1e-7, 0.0, 0.0, 0.0, 0.1, 0.5, 1.0])
    return st.lists(step, min_size=draw_steps, max_size=draw_steps).flatmap(
        lambda inc: st.lists(st.sampled_from([None, None, None, None, math.nan, math.inf, -math.inf]),
                             min_size=len(inc), max_size=len(inc)).map(
            lambda spikes: [s if s is not None else v for s, v in zip(spikes, np.cumsum(inc).tolist())]))


PLATEAU_KW = optional(mode=st.sampled_from(["min", "max"]), factor=st.floats(0.0, 0.99),
                      patience=st.integers(0, 6), threshold=st.sampled_from([0.0, 1e-4, 0.05, 1.0, 2.0]),
                      threshold_mode=st.sampled_from(["rel", "abs"]), cooldown=st.integers(0, 4),
                      min_lr=st.sampled_from([0.0, 1e-3, 0.05]), eps=st.sampled_from([0.0, 1e-8, 1e-3]))
GREEDY_KW = optional(mode=st.sampled_from(["min", "max"]), factor=st.floats(0.05, 0.99),
                     patience=st.integers(0, 6), threshold=st.sampled_from([0.0, 1e-6, 0.05, 1.0, 2.0]),
                     threshold_mode=st.sampled_from(["rel", "abs"]), cooldown=st.integers(0, 4),
                     warmup=st.integers(0, 4), min_lr=st.sampled_from([0.0, 1e-3, 0.05, 0.2]),
                     max_lr=st.sampled_from([0.0, 0.3, 1.0, 5.0]), eps=st.sampled_from([0.0, 1e-8, 1e-3]),
                     smooth=st.booleans(), window_size=st.integers(1, 8), reset_start=st.integers(0, 4))


@pytest.mark.parametrize("name,kwargs", [("reduce_lr_on_plateau", PLATEAU_KW), ("greedy", GREEDY_KW)])
@settings(derandomize=True, max_examples=80, deadline=None)
@given(data=st.data())
def test_hypothesis_metric_driven(name, kwargs, data):
    params = data.draw(kwargs, label="params")
    steps = data.draw(st.integers(1, 120), label="steps")
    base = data.draw(BASE, label="base_lr")
    metrics = data.draw(metric_series(max(steps - 1, 0)), label="metrics")
    check_against_library(name, params, steps, base, metrics)


# ------------------------------------------------ 3. expected tables of transformers' own test suite

# From huggingface/transformers, tests/optimization/test_optimization.py (ScheduleInitTest.test_schedulers):
# AdamW(lr=10.0), common kwargs num_warmup_steps=2, num_training_steps=10, the first 10 lrs, compared there with
# a tolerance of 1e-2.
HF_TABLES = [
    ("constant", {}, [10.0] * 10),
    ("constant_with_warmup", {"num_warmup_steps": 4}, [0.0, 2.5, 5.0, 7.5, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]),
    ("linear", {"num_warmup_steps": 2, "num_training_steps": 10},
     [0.0, 5.0, 10.0, 8.75, 7.5, 6.25, 5.0, 3.75, 2.5, 1.25]),
    ("cosine", {"num_warmup_steps": 2, "num_training_steps": 10},
     [0.0, 5.0, 10.0, 9.61, 8.53, 6.91, 5.0, 3.08, 1.46, 0.38]),
    ("cosine_with_restarts", {"num_warmup_steps": 2, "num_training_steps": 10, "num_cycles": 2},
     [0.0, 5.0, 10.0, 8.53, 5.0, 1.46, 10.0, 8.53, 5.0, 1.46]),
    ("polynomial", {"num_warmup_steps": 2, "num_training_steps": 10, "power": 2.0, "lr_end": 1e-7},
     [0.0, 5.0, 10.0, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156]),
    ("inverse_sqrt", {"num_warmup_steps": 2}, [0.0, 5.0, 10.0, 8.165, 7.071, 6.325, 5.774, 5.345, 5.0, 4.714]),
]


@pytest.mark.parametrize("name,params,expected", HF_TABLES, ids=[c[0] for c in HF_TABLES])
def test_transformers_test_suite_tables(name, params, expected):
    lr = ours(name, params, 10, 10.0)
    np.testing.assert_allclose(lr, expected, rtol=0, atol=1e-2)
    # the tables are rounded; the exact values are the library's
    np.testing.assert_allclose(lr, hf_curve(name, params, 10, 10.0), rtol=1e-12, atol=1e-300)


def test_exact_table_values():
    lin = ours("linear", {"num_warmup_steps": 2, "num_training_steps": 10}, 10, 10.0)
    np.testing.assert_array_equal(lin, [0.0, 5.0, 10.0, 8.75, 7.5, 6.25, 5.0, 3.75, 2.5, 1.25])
    inv = ours("inverse_sqrt", {"num_warmup_steps": 2}, 10, 10.0)
    np.testing.assert_allclose(inv[2:], [10.0 / math.sqrt(k / 2) for k in range(2, 10)], rtol=1e-15)


# ------------------------------------------------------------------------------------ 4. metric driven

RNG = np.random.default_rng(2024)
N_METRIC = 400
SERIES = {
    "noisy_decreasing": (np.linspace(3.0, 0.5, N_METRIC) + RNG.normal(0, 0.05, N_METRIC)).tolist(),
    "flat": [1.0] * N_METRIC,
    "rising": np.linspace(0.1, 5.0, N_METRIC).tolist(),
    "with_nan": [math.nan if i % 37 in (5, 6) else 2.0 - 0.003 * i for i in range(N_METRIC)],
    "improve_then_stall": [1.0 / (1 + i) if i < 100 else 0.01 + 0.001 * math.sin(i) for i in range(N_METRIC)],
}
PLATEAU_CASES = [{}, {"patience": 3, "factor": 0.5}, {"mode": "max", "patience": 2, "threshold_mode": "abs",
                                                       "threshold": 0.01, "cooldown": 3},
                 {"patience": 0, "factor": 0.3, "min_lr": [1e-3, 0.05], "eps": 1e-4}]
GREEDY_CASES = [{}, {"patience": 2}, {"patience": 3, "smooth": True, "window_size": 7, "min_lr": 0.02},
                {"mode": "max", "threshold_mode": "rel", "threshold": 1e-3, "patience": 1, "cooldown": 2,
                 "warmup": 3, "max_lr": [0.5, 2.0]},
                {"patience": 1, "factor": 0.5, "min_lr": 0.02, "reset_start": 3},  # reaches min_lr and resets
                {"patience": 0, "smooth": True, "window_size": 1, "reset_start": 0, "min_lr": [0.05, 0.01]}]


@pytest.mark.parametrize("series", sorted(SERIES))
@pytest.mark.parametrize("name,cases", [("reduce_lr_on_plateau", PLATEAU_CASES), ("greedy", GREEDY_CASES)])
def test_metric_series_match_library(name, cases, series):
    metrics = SERIES[series]
    for params in cases:
        for base in ([0.1, 0.5], 0.3):
            if isinstance(params.get("min_lr"), list) or isinstance(params.get("max_lr"), list):
                base = [0.1, 0.5]
            assert_parity(name, params, N_METRIC + 1, base, metrics)


def test_greedy_moves_both_ways_and_resets():
    metrics = [1.0 / (1 + i) for i in range(60)] + [1.0] * 200
    lr = assert_parity("greedy", {"patience": 2, "factor": 0.5, "min_lr": 0.01, "reset_start": 2}, 261, 0.1, metrics)
    assert lr.max() > 0.1  # raised while the metric improved
    assert lr.min() == 0.01  # lowered to min_lr on the plateau
    back = np.flatnonzero((lr[1:] == 0.1) & (lr[:-1] == 0.01))
    assert back.size > 0  # ... and reset to the initial lr after reset_start reductions at min_lr


def test_greedy_100k_steps():
    rng = np.random.default_rng(7)
    metrics = (np.cumsum(rng.normal(0, 1, 100_000)) + rng.normal(0, 3, 100_000)).tolist()
    lr = assert_parity("greedy", {"patience": 5, "smooth": True, "window_size": 20, "min_lr": 1e-3},
                       100_000, [0.1, 0.02], metrics)
    assert np.unique(lr[0]).size > 20


@pytest.mark.parametrize("name", sorted(METRIC_DRIVEN))
def test_metrics_are_required(name):
    with pytest.raises(ScheduleError) as err:
        ours(name, {}, 10)
    assert err.value.param == "metrics" and "metrics" in str(err.value)
    with pytest.raises(ScheduleError) as err:
        ours(name, {}, 10, metrics=[1.0] * 5)
    assert err.value.param == "metrics"
    assert ours(name, {}, 1, metrics=[]).tolist() == [0.1]


def test_greedy_parameter_ranges():
    with pytest.raises(ValueError, match="Factor"):
        hf_curve("greedy", {"factor": 1.0}, 3, 0.1, [1.0, 1.0])
    for params, param in [({"factor": 1.0}, "factor"), ({"factor": 0.0}, "factor"),
                          ({"window_size": 0}, "window_size"), ({"min_lr": [0.1, 0.2]}, "min_lr")]:
        with pytest.raises(ScheduleError) as err:
            ours("greedy", params, 3, 0.1, [1.0, 1.0])
        assert err.value.param == param


# ----------------------------------------------------------- whole valid range: a curve or a ScheduleError


def param_strategy(p):
    """Any value the spec says is valid for ``p`` (its full documented range, not the slider's)."""
    if p.kind == "choice":
        value = st.sampled_from(p.choices)
    elif p.kind == "bool":
        value = st.booleans()
    elif p.kind == "int":
        value = st.one_of(st.sampled_from([int(p.low), int(p.low) + 1, int(p.high)]),
                          st.integers(int(p.low), min(int(p.high), 5000)), st.integers(int(p.low), int(p.high)))
    else:
        assert p.kind == "float", p
        value = st.one_of(st.floats(p.low, p.high, exclude_min=p.low_open, exclude_max=p.high_open),
                          st.floats(p.low, min(p.high, 2.0), exclude_min=p.low_open,
                                    exclude_max=p.high_open and p.high <= 2.0))
    if p.nullable:
        value = st.one_of(st.none(), value)
    return value


@pytest.mark.parametrize("name", NAMES)
@settings(derandomize=True, max_examples=120, deadline=None)
@given(data=st.data())
def test_whole_valid_range_gives_a_curve_or_a_schedule_error(name, data):
    spec = schedules.get(f"transformers.{name}")
    params = data.draw(st.fixed_dictionaries({}, optional={p.name: param_strategy(p) for p in spec.params}),
                       label="params")
    steps = data.draw(st.one_of(st.integers(1, 3000), st.sampled_from([1, 2, 10_000])), label="steps")
    base = data.draw(st.one_of(st.sampled_from([1e-300, 5e-324, 1e300, 0.1]), st.floats(1e-12, 1e6),
                               st.lists(st.floats(1e-9, 1e3), min_size=2, max_size=3)), label="base_lr")
    metrics = None
    if name in METRIC_DRIVEN:
        metrics = data.draw(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=steps - 1,
                                     max_size=steps - 1) if steps <= 3000 else st.just([0.0] * (steps - 1)),
                            label="metrics")
    try:
        lr = ours(name, params, steps, base, metrics)
    except ScheduleError as err:
        assert str(err).startswith("transformers.") or err.param is None or "metrics" in str(err)
        return
    assert lr.shape[-1] == steps and not np.isnan(lr).any()
