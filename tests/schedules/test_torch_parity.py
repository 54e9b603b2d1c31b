"""The engine against torch 2.13's own step loop: grids, quirks, composites, long runs and hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedules
from tests.schedules.torch_oracle import LAMBDAS, assert_parity, torch_curve


def sched(name, **params):
    return {"name": f"torch.{name}", "params": params}


GRID = [
    ("StepLR", {"step_size": 3}),
    ("StepLR", {"step_size": 1, "gamma": 0.999}),
    ("StepLR", {"step_size": 7, "gamma": 1.5}),
    ("MultiStepLR", {"milestones": [2, 5, 9]}),
    ("MultiStepLR", {"milestones": [9, 2, 5, 5], "gamma": 0.5}),  # unsorted and repeated
    ("MultiStepLR", {"milestones": [0, 3]}),
    ("MultiStepLR", {"milestones": []}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 5}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 0}),  # factor applied at 0 and never undone
    ("ConstantLR", {"factor": 1.0, "total_iters": 3}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.5, "total_iters": 4}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.6, "total_iters": 4}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 30}),
    ("LinearLR", {"start_factor": 0.1, "total_iters": 0}),  # stays at start_factor
    ("ExponentialLR", {"gamma": 0.9}),
    ("ExponentialLR", {"gamma": 1.01}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 20, "power": 0.9}),
    ("PolynomialLR", {"total_iters": 20, "power": 2.0}),
    ("PolynomialLR", {"total_iters": 20, "power": 0.0}),
    ("PolynomialLR", {"total_iters": 0}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 1e-10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.05}),  # past T_max with eta_min > 0: replayed
    ("CosineAnnealingLR", {"T_max": 1}),
    ("CosineAnnealingLR", {"T_max": 13, "eta_min": 0.5}),  # eta_min above base
    ("CosineAnnealingWarmRestarts", {"T_0": 10}),
    ("CosineAnnealingWarmRestarts", {"T_0": 1}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 1, "T_mult": 10}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 5}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 4, "step_size_down": 6}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 2, "step_size_down": 6, "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 3, "mode": "exp_range", "gamma": 0.97}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 60}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 60, "anneal_strategy": "linear"}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 60, "three_phase": True}),
    ("OneCycleLR", {"max_lr": 0.5, "epochs": 6, "steps_per_epoch": 10, "pct_start": 0.25}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 60, "pct_start": 0.0}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 70, "pct_start": 1.0}),
    ("LambdaLR", {"lr_lambda": "0.95 ** epoch"}),
    ("LambdaLR", {"lr_lambda": "epoch // 3"}),
    ("LambdaLR", {"lr_lambda": "min(1.0, (epoch + 1) / 10)"}),
    ("LambdaLR", {"lr_lambda": "1.0 if epoch < 20 else 0.1"}),
    ("MultiplicativeLR", {"lr_lambda": "0.95 ** epoch"}),
    ("MultiplicativeLR", {"lr_lambda": "1.0 if epoch < 5 else 0.9"}),
]


@pytest.mark.parametrize("name,params", GRID, ids=[f"{n}-{i}" for i, (n, _) in enumerate(GRID)])
@pytest.mark.parametrize("steps", [1, 61])
def test_grid_matches_torch(name, params, steps):
    assert_parity(f"torch.{name}", params, steps, base_lr=0.05)


@pytest.mark.parametrize("name,params", [g for g in GRID if g[0] not in ("LambdaLR", "MultiplicativeLR")],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_grid_matches_torch_with_two_groups(name, params):
    assert_parity(f"torch.{name}", params, 61, base_lr=[0.05, 0.5])


def test_per_group_lists():
    assert_parity("torch.LambdaLR", {"lr_lambda": ["0.95 ** epoch", "epoch // 3"]}, 40, base_lr=[0.05, 0.5])
    assert_parity("torch.MultiplicativeLR", {"lr_lambda": ["0.99", "1.0 if epoch < 5 else 0.9"]}, 40,
                  base_lr=[0.05, 0.5])
    assert_parity("torch.CyclicLR", {"base_lr": [0.001, 0.01], "max_lr": [0.1, 1.0], "step_size_up": 4}, 40,
                  base_lr=[0.05, 0.5])
    assert_parity("torch.OneCycleLR", {"max_lr": [0.1, 1.0], "total_steps": 40}, 41, base_lr=[0.05, 0.5])


# ------------------------------------------------------------------------------ documented quirks


def test_cosine_rises_after_t_max():
    lr = assert_parity("torch.CosineAnnealingLR", {"T_max": 10}, 31, base_lr=1.0)
    assert lr[10] == pytest.approx(0.0, abs=1e-15) and lr[20] == pytest.approx(1.0)
    assert lr[15] > lr[10]


def test_cosine_past_t_max_drift_is_reproduced():
    # torch's recursion drifts from the closed form by ~1e-10 here (schedules-spec.md 1.3): we must follow torch
    params = {"T_max": 10_000, "eta_min": 0.05}
    ours = assert_parity("torch.CosineAnnealingLR", params, 30_000, base_lr=0.1, rtol=1e-12)
    closed = 0.05 + 0.05 * (1 + np.cos(np.pi * np.arange(30_000) / 10_000)) / 2
    assert np.max(np.abs(ours - closed) / closed) > 1e-11  # the drift is real, and we reproduce it


def test_one_cycle_step_total_steps_extrapolates_and_one_more_is_refused():
    lr = assert_parity("torch.OneCycleLR", {"max_lr": 1.0, "total_steps": 20}, 21)
    assert lr[20] != lr[19]
    with pytest.raises(schedules.ScheduleError, match="Tried to step 21 times"):
        schedules.compute("torch.OneCycleLR", {"max_lr": 1.0, "total_steps": 20}, steps=22)


def test_one_cycle_zero_length_phase_is_refused():
    with pytest.raises(ZeroDivisionError):  # what torch does
        torch_curve("torch.OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "pct_start": 0.1}, 5)
    with pytest.raises(schedules.ScheduleError, match="zero length") as err:
        schedules.compute("torch.OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "pct_start": 0.1}, steps=5)
    assert err.value.param == "pct_start"


def test_constant_lr_factor_zero_division_is_refused():
    with pytest.raises(ZeroDivisionError):
        torch_curve("torch.ConstantLR", {"factor": 0.0, "total_iters": 3}, 6)
    with pytest.raises(schedules.ScheduleError, match="divide by zero"):
        schedules.compute("torch.ConstantLR", {"factor": 0.0, "total_iters": 3}, steps=6)
    # before total_iters is reached torch has not divided yet: the curve is defined
    assert_parity("torch.ConstantLR", {"factor": 0.0, "total_iters": 3}, 3)


# ------------------------------------------------------------------------------------- composites

COMPOSITES = [
    ("SequentialLR", {"schedulers": [sched("ConstantLR", factor=0.1, total_iters=3), sched("ExponentialLR", gamma=0.9)],
                      "milestones": [3]}),
    ("SequentialLR", {"schedulers": [sched("ConstantLR", factor=0.1, total_iters=3), sched("ExponentialLR", gamma=0.8),
                                     sched("StepLR", step_size=2)], "milestones": [3, 6]}),
    ("SequentialLR", {"schedulers": [sched("LinearLR", start_factor=0.01, total_iters=10),
                                     sched("CosineAnnealingLR", T_max=40, eta_min=0.001)], "milestones": [10]}),
    ("SequentialLR", {"schedulers": [sched("LinearLR", start_factor=0.1, total_iters=5),
                                     sched("MultiplicativeLR", lr_lambda="0.99")], "milestones": [5]}),
    ("SequentialLR", {"schedulers": [sched("LinearLR", start_factor=0.1, total_iters=5),
                                     sched("OneCycleLR", max_lr=1.0, total_steps=50)], "milestones": [5]}),
    ("SequentialLR", {"schedulers": [sched("ExponentialLR", gamma=0.9), sched("CyclicLR", base_lr=0.01, max_lr=0.1,
                                                                              step_size_up=4)], "milestones": [7]}),
    ("SequentialLR", {"schedulers": [sched("StepLR", step_size=3),
                                     sched("CosineAnnealingWarmRestarts", T_0=5, T_mult=2)], "milestones": [8]}),
    ("SequentialLR", {"schedulers": [sched("StepLR", step_size=3), sched("ConstantLR", factor=0.5, total_iters=0)],
                      "milestones": [8]}),
    ("SequentialLR", {"schedulers": [sched("LambdaLR", lr_lambda="min(1.0, (epoch + 1) / 10)"),
                                     sched("PolynomialLR", total_iters=30, power=2.0),
                                     sched("MultiStepLR", milestones=[3, 3, 9])], "milestones": [10, 30]}),
    ("SequentialLR", {"schedulers": [sched("ChainedScheduler", schedulers=[sched("ConstantLR", factor=0.5),
                                                                          sched("ExponentialLR", gamma=0.9)]),
                                     sched("StepLR", step_size=5)], "milestones": [12]}),
    ("SequentialLR", {"schedulers": [sched("ExponentialLR", gamma=0.9)], "milestones": []}),
    ("ChainedScheduler", {"schedulers": [sched("ConstantLR", factor=0.1, total_iters=2),
                                         sched("ExponentialLR", gamma=0.9)]}),
    ("ChainedScheduler", {"schedulers": [sched("LinearLR", start_factor=0.1, total_iters=5),
                                         sched("MultiStepLR", milestones=[10, 20]),
                                         sched("PolynomialLR", total_iters=40)]}),
    ("ChainedScheduler", {"schedulers": [sched("LinearLR", start_factor=0.5, total_iters=4),
                                         sched("MultiStepLR", milestones=[8]),
                                         sched("CosineAnnealingLR", T_max=12)]}),  # non-multiplicative: replayed
    ("ChainedScheduler", {"schedulers": [sched("ExponentialLR", gamma=0.95),
                                         sched("CosineAnnealingLR", T_max=9, eta_min=0.01)]}),
    ("ChainedScheduler", {"schedulers": [sched("StepLR", step_size=4), sched("LambdaLR", lr_lambda="0.95 ** epoch")]}),
    ("ChainedScheduler", {"schedulers": [sched("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3),
                                         sched("ExponentialLR", gamma=0.97)]}),
    ("ChainedScheduler", {"schedulers": [sched("SequentialLR", schedulers=[sched("ConstantLR"),
                                                                          sched("ExponentialLR", gamma=0.9)],
                                               milestones=[4]), sched("StepLR", step_size=6)]}),
]


@pytest.mark.parametrize("name,params", COMPOSITES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(COMPOSITES)])
def test_composites_match_torch(name, params):
    assert_parity(f"torch.{name}", params, 50, base_lr=0.05)
    assert_parity(f"torch.{name}", params, 50, base_lr=[0.05, 0.3])


def test_sequential_table_from_schedules_spec():
    # schedules-spec.md 1.4 (measured on torch 2.13): [Const(0.1,3), Exp(0.8), Step(2,0.1)] @ [3, 6], base 0.05
    params = COMPOSITES[1][1]
    lr = schedules.compute("torch.SequentialLR", params, steps=10, base_lr=0.05)
    np.testing.assert_allclose(lr, [0.005, 0.005, 0.005, 0.05, 0.04, 0.032, 0.05, 0.05, 0.005, 0.005], rtol=1e-12)


def test_chained_with_cosine_is_not_a_product():
    name, params = COMPOSITES[13]
    ours = assert_parity(f"torch.{name}", params, 40, base_lr=1.0)
    product = np.ones(40)
    for child in params["schedulers"]:
        product *= schedules.compute(child["name"], child["params"], steps=40, base_lr=1.0)
    assert np.max(np.abs(ours - product)) > 0.1


def test_nested_sequential_as_later_member_is_refused():
    params = {"schedulers": [sched("StepLR", step_size=3),
                             sched("SequentialLR", schedulers=[sched("ConstantLR"), sched("ExponentialLR", gamma=0.9)],
                                   milestones=[2])], "milestones": [5]}
    with pytest.raises(NotImplementedError):
        torch_curve("torch.SequentialLR", params, 10)
    with pytest.raises(schedules.ScheduleError, match="NotImplementedError"):
        schedules.compute("torch.SequentialLR", params, steps=10)


# ---------------------------------------------------------------------------------------- plateau


def _metrics(kind: str, n: int) -> list[float]:
    rng = np.random.default_rng(7)
    t = np.arange(n)
    series = {
        "decreasing-noisy": 1.0 / (1 + 0.05 * t) + 0.02 * rng.standard_normal(n),
        "flat": np.ones(n),
        "rising": 0.1 + 0.01 * t,
        "negative": -1.0 + 0.001 * rng.standard_normal(n),
        "with-nan": np.where(t % 17 == 5, np.nan, 1.0 / (1 + 0.1 * t)),
        "torch-test-1": 10 - 0.0165 * t,  # PyTorch test_lrscheduler's abs/min series
    }
    return list(series[kind])


PLATEAU = [
    {},
    {"patience": 5, "threshold": 0.1, "threshold_mode": "abs"},
    {"mode": "max", "factor": 0.5, "patience": 2, "cooldown": 3},
    {"factor": 0.5, "patience": 0, "min_lr": 0.01},
    {"factor": 0.9, "patience": 1, "eps": 0.01},
    {"factor": 0.5, "patience": 2, "min_lr": [0.02, 0.1]},
]


@pytest.mark.parametrize("params", PLATEAU)
@pytest.mark.parametrize("kind", ["decreasing-noisy", "flat", "rising", "negative", "with-nan", "torch-test-1"])
def test_plateau_matches_torch(params, kind):
    metrics = _metrics(kind, 120)
    base = [0.5, 0.4] if isinstance(params.get("min_lr"), list) else 0.5
    assert_parity("torch.ReduceLROnPlateau", params, 121, base_lr=base, metrics=metrics)


def test_plateau_table_from_pytorch_tests():
    # pytorch/pytorch test/optim/test_lrscheduler.py, test_reduce_lr_on_plateau2 (abs mode, patience 5,
    # threshold 0.1, metric 10 - 0.0165*i, lr 0.5): [0.5]*6 + [0.05]*7 + [0.005]*7 + [0.0005]*2, where their
    # targets are the lrs after each step(metric); ours are shifted by one (lr[t+1] after metrics[t]).
    lr = schedules.compute("torch.ReduceLROnPlateau", {"patience": 5, "threshold": 0.1, "threshold_mode": "abs"},
                           steps=23, base_lr=0.5, metrics=[10 - 0.0165 * i for i in range(22)])
    np.testing.assert_allclose(lr[1:], [0.5] * 6 + [0.05] * 7 + [0.005] * 7 + [0.0005] * 2, rtol=1e-12)


def test_plateau_without_metrics_says_so():
    with pytest.raises(schedules.ScheduleError, match="metrics") as err:
        schedules.compute("torch.ReduceLROnPlateau", {}, steps=10)
    assert err.value.param == "metrics"


# ----------------------------------------------------------------- expected tables of PyTorch's tests


def test_pytorch_suite_tables():
    # pytorch/pytorch test/optim/test_lrscheduler.py (lr 0.05): test_step_lr, test_multi_step_lr,
    # test_constant_lr, test_linear_lr, test_exp_lr
    def lr(name, params, n=12):
        return schedules.compute(f"torch.{name}", params, steps=n, base_lr=0.05)

    np.testing.assert_allclose(lr("StepLR", {"step_size": 3}), [0.05] * 3 + [0.005] * 3 + [5e-4] * 3 + [5e-5] * 3)
    np.testing.assert_allclose(lr("MultiStepLR", {"milestones": [2, 5, 9]}),
                               [0.05] * 2 + [0.005] * 3 + [5e-4] * 4 + [5e-5] * 3)
    np.testing.assert_allclose(lr("ConstantLR", {"factor": 0.5}, 10), [0.025] * 5 + [0.05] * 5)
    np.testing.assert_allclose(lr("LinearLR", {"start_factor": 0.5, "total_iters": 4}, 10),
                               [0.025, 0.03125, 0.0375, 0.04375] + [0.05] * 6)
    np.testing.assert_allclose(lr("ExponentialLR", {"gamma": 0.9}, 5), [0.05 * 0.9 ** i for i in range(5)])
    # test_onecycle_lr_linear_annealing(_three_phases) in the same file
    got = schedules.compute("torch.OneCycleLR", {"max_lr": 25, "final_div_factor": 2, "total_steps": 10,
                                                 "anneal_strategy": "linear"}, steps=10, base_lr=1.0)
    np.testing.assert_allclose(got, [1, 13, 25, 21.5, 18, 14.5, 11, 7.5, 4, 0.5], rtol=1e-12)
    got = schedules.compute("torch.OneCycleLR", {"max_lr": 25, "total_steps": 10,
                                                 "anneal_strategy": "linear", "three_phase": True,
                                                 "pct_start": 0.4, "final_div_factor": 4}, steps=10)
    np.testing.assert_allclose(got, [1, 9, 17, 25, 17, 9, 1, 0.75, 0.5, 0.25], rtol=1e-12)


# ------------------------------------------------------------------------------------- long runs


@pytest.mark.parametrize("name,params", [
    ("ExponentialLR", {"gamma": 0.9999}),
    ("LinearLR", {"start_factor": 0.001, "total_iters": 100_000}),
    ("CosineAnnealingLR", {"T_max": 100_000}),
    ("CosineAnnealingWarmRestarts", {"T_0": 100, "T_mult": 3}),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": 100_000}),
])
def test_long_runs_match_torch(name, params):
    assert_parity(f"torch.{name}", params, 100_000, base_lr=0.1)


# ------------------------------------------------------------------------------------- hypothesis

FAST = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
factor = st.floats(0.01, 1.0)
steps_n = st.integers(1, 150)


@FAST
@given(st.sampled_from(["StepLR", "ExponentialLR"]), st.integers(1, 40), st.floats(0.05, 1.2), steps_n)
def test_hypothesis_step_and_exp(name, size, gamma, n):
    params = {"step_size": size, "gamma": gamma} if name == "StepLR" else {"gamma": gamma}
    assert_parity(f"torch.{name}", params, n)


@FAST
@given(st.lists(st.integers(0, 150), max_size=6), st.floats(0.05, 1.0), steps_n)
def test_hypothesis_multistep(milestones, gamma, n):
    assert_parity("torch.MultiStepLR", {"milestones": milestones, "gamma": gamma}, n)


@FAST
@given(factor, factor, st.integers(0, 60), steps_n, st.floats(0.0, 3.0))
def test_hypothesis_linear_constant_poly(s, e, total, n, power):
    assert_parity("torch.LinearLR", {"start_factor": s, "end_factor": e, "total_iters": total}, n)
    assert_parity("torch.ConstantLR", {"factor": s, "total_iters": total}, n)
    assert_parity("torch.PolynomialLR", {"total_iters": total, "power": power}, n)


@FAST
@given(st.integers(1, 60), st.floats(0.0, 0.2), st.integers(1, 300), st.floats(0.01, 1.0))
def test_hypothesis_cosine(t_max, eta, n, base):
    assert_parity("torch.CosineAnnealingLR", {"T_max": t_max, "eta_min": eta}, n, base_lr=base)


@FAST
@given(st.integers(1, 30), st.integers(1, 5), st.floats(0.0, 0.05), st.integers(1, 300))
def test_hypothesis_warm_restarts(t0, mult, eta, n):
    assert_parity("torch.CosineAnnealingWarmRestarts", {"T_0": t0, "T_mult": mult, "eta_min": eta}, n)


@FAST
@given(st.floats(1e-4, 0.1), st.floats(0.11, 2.0), st.integers(1, 30), st.none() | st.integers(1, 30),
       st.sampled_from(["triangular", "triangular2", "exp_range"]), st.floats(0.9, 1.0), st.integers(1, 200))
def test_hypothesis_cyclic(lo, hi, up, down, mode, gamma, n):
    assert_parity("torch.CyclicLR", {"base_lr": lo, "max_lr": hi, "step_size_up": up, "step_size_down": down,
                                     "mode": mode, "gamma": gamma}, n)


@FAST
@given(st.floats(0.01, 2.0), st.integers(2, 200), st.floats(0.0, 1.0), st.sampled_from(["cos", "linear"]),
       st.floats(1.0, 100.0), st.floats(1.0, 1e5), st.booleans(), st.data())
def test_hypothesis_one_cycle(max_lr, total, pct, anneal, div, final_div, three, data):
    params = {"max_lr": max_lr, "total_steps": total, "pct_start": pct, "anneal_strategy": anneal,
              "div_factor": div, "final_div_factor": final_div, "three_phase": three}
    n = data.draw(st.integers(1, total + 1))
    try:
        ref = torch_curve("torch.OneCycleLR", params, n)
    except ZeroDivisionError:
        with pytest.raises(schedules.ScheduleError):
            schedules.compute("torch.OneCycleLR", params, steps=n)
        return
    np.testing.assert_allclose(schedules.compute("torch.OneCycleLR", params, steps=n), ref, rtol=1e-9, atol=1e-300)


member = st.sampled_from([
    sched("ConstantLR", factor=0.5, total_iters=4), sched("LinearLR", start_factor=0.2, total_iters=6),
    sched("ExponentialLR", gamma=0.93), sched("StepLR", step_size=4, gamma=0.5),
    sched("MultiStepLR", milestones=[3, 9]), sched("PolynomialLR", total_iters=15, power=1.5),
    sched("CosineAnnealingLR", T_max=8, eta_min=0.002), sched("MultiplicativeLR", lr_lambda="0.99"),
    sched("LambdaLR", lr_lambda="0.95 ** epoch"), sched("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3),
    sched("CosineAnnealingWarmRestarts", T_0=4, T_mult=2), sched("OneCycleLR", max_lr=0.2, total_steps=80),
])


@FAST
@given(st.lists(member, min_size=1, max_size=4), st.data())
def test_hypothesis_composites(members, data):
    milestones = sorted(data.draw(st.sets(st.integers(1, 60), min_size=len(members) - 1,
                                          max_size=len(members) - 1)))
    n = data.draw(st.integers(1, 75))
    assert_parity("torch.SequentialLR", {"schedulers": members, "milestones": milestones}, n)
    assert_parity("torch.ChainedScheduler", {"schedulers": members}, n)


def test_lambda_oracle_covers_the_issue_examples():
    for text in ["0.95 ** epoch", "epoch // 3", "min(1.0, (epoch + 1) / 10)", "1.0 if epoch < 20 else 0.1"]:
        assert text in LAMBDAS
