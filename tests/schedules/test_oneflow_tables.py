"""OneFlow schedulers: the expected tables of OneFlow's own test file, its documented quirks, a scalar transcription
of its get_lr source (CPython math, as OneFlow runs it), cross-checks against the torch specs where the semantics
coincide, errors, and a hypothesis sweep.

Tables and reference formulas are from repo Oneflow-Inc/oneflow, path
python/oneflow/test/modules/test_lr_scheduler.py, commit 0e02ad318d316e7c829a060f0d39464663b9ab3c (OneFlow cannot be
installed here). Sources transcribed below: python/oneflow/nn/optimizer/*.py on master (lr_scheduler.py at
c8c9c9317d0aca1618621731692adf9896be1874, cosine_annealing_warm_restarts.py at 58ba2766ecd744dd7614330aa1104b7ca4f46a17,
warmup_lr.py at d117fe4241d14a281742d8cfeab7384904fd650b, sequential_lr.py at e6a27795e78eb78cf08b4db766c7468b26fbafe4).
"""

from __future__ import annotations

import bisect
import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedules
from schedules import ScheduleError
from schedules.oneflow_schedules import GET_LR


def of(name, **params):
    return {"name": f"oneflow.{name}", "params": params}


def lr(name, steps, base_lr=1.0, metrics=None, **params):
    return schedules.compute(f"oneflow.{name}", params, steps=steps, base_lr=base_lr, metrics=metrics)


def table(got, expected, **tol):
    """np.allclose as OneFlow's tests use it (rtol 1e-5, atol 1e-8) unless told otherwise."""
    expected = np.asarray(expected, dtype=np.float64)
    got = np.asarray(got)[..., : expected.shape[-1]]
    np.testing.assert_allclose(got, expected, **({"rtol": 1e-5, "atol": 1e-8} | tol))


def places(k):
    """unittest's assertAlmostEqual(places=k): round(a - b, k) == 0."""
    return {"rtol": 0.0, "atol": 0.5 * 10.0 ** -k}


# ------------------------------------------------------------------------------------------------------------------
# Scalar transcription of OneFlow's get_lr(base_lr, step) (pure Python + math, the way OneFlow evaluates it)


def _ref_get_lr(name: str, p: dict):
    q = schedules.get(f"oneflow.{name}").defaults() | p
    if name == "ConstantLR":
        return lambda b, s: b * q["factor"] if s < q["total_iters"] else b
    if name == "LinearLR":
        def linear(b, s):
            if s < q["total_iters"]:
                m = q["start_factor"] + (q["end_factor"] - q["start_factor"]) * (s / q["total_iters"])
            else:
                m = q["end_factor"]
            return b * m
        return linear
    if name == "ExponentialLR":
        return lambda b, s: b * (q["gamma"] ** s)
    if name == "StepLR":
        return lambda b, s: b * q["gamma"] ** math.floor(s / q["step_size"])
    if name == "MultiStepLR":
        return lambda b, s: b * q["gamma"] ** bisect.bisect_right(q["milestones"], s)
    if name == "PolynomialLR":
        def poly(b, s):
            decay = q["decay_batch"]
            if q["cycle"]:
                s = 1 if s == 0 else s
                decay = decay * math.ceil(s / decay)
            else:
                s = min(s, decay)
            return (b - q["end_learning_rate"]) * (1 - s / decay) ** q["power"] + q["end_learning_rate"]
        return poly
    if name == "CosineDecayLR":
        def cos_decay(b, s):
            if s < q["decay_steps"]:
                c = 0.5 * (1 + math.cos(math.pi * s / q["decay_steps"]))
                return b * ((1 - q["alpha"]) * c + q["alpha"])
            return b * q["alpha"]
        return cos_decay
    if name == "CosineAnnealingLR":
        return lambda b, s: q["eta_min"] + (b - q["eta_min"]) * (0.5 * (1 + math.cos(math.pi * s / q["T_max"])))
    if name == "CosineAnnealingWarmRestarts":
        def cawr(b, s):
            T0, m, eta = q["T_0"], q["T_mult"], q["eta_min"]
            if m > 1:
                e = math.floor(math.log(1 - s / T0 * (1 - m), m))
                e_steps = m ** e * T0
                in_e = s - (1 - m ** e) / (1 - m) * T0
            else:
                e = s // T0
                e_steps = T0
                in_e = s - e_steps * e
            g = q["decay_rate"] ** e
            if q["restart_limit"] == 0 or (q["restart_limit"] > 0 and e < q["restart_limit"]):
                return eta + (b * g - eta) * (0.5 * (1 + math.cos(math.pi * in_e / e_steps)))
            return eta
        return cawr
    raise KeyError(name)


def ref_curve(sched: dict, steps: int, bases) -> np.ndarray:
    """OneFlow's step loop for one schedule dict, in scalar Python."""
    name, p = sched["name"].split(".", 1)[1], sched.get("params", {})
    out = np.empty((len(bases), steps))
    for t in range(steps):
        if name == "SequentialLR":
            ms = list(p["milestones"])
            r = p.get("interval_rescaling", False)
            r = list(r) if isinstance(r, list) else [r] * len(ms)
            k = bisect.bisect_right(ms, t)
            s = t - ms[k - 1] if k > 0 and r[k - 1] else t
            child = p["schedulers"][k]
            f = _ref_get_lr(child["name"].split(".", 1)[1], child.get("params", {}))
            out[:, t] = [f(b, s) for b in bases]
        elif name == "ChainedScheduler":
            lrs = list(bases)
            for child in p["schedulers"]:
                f = _ref_get_lr(child["name"].split(".", 1)[1], child.get("params", {}))
                lrs = [f(x, t) for x in lrs]
            out[:, t] = lrs
        elif name == "WarmupLR":
            q = schedules.get("oneflow.WarmupLR").defaults() | p
            W, child = q["warmup_iters"], q["scheduler"]
            f = _ref_get_lr(child["name"].split(".", 1)[1], child.get("params", {})) if child else None
            if W <= 0:
                out[:, t] = [f(b, t) for b in bases]
                continue
            if q["warmup_method"] == "linear":
                end = f(bases[0], W) / bases[0] if f and not q["warmup_prefix"] else 1.0
                warm = _ref_get_lr("LinearLR", {"start_factor": q["warmup_factor"], "end_factor": end,
                                                "total_iters": W})
            else:
                warm = _ref_get_lr("ConstantLR", {"factor": q["warmup_factor"], "total_iters": W})
            if t < W or f is None:
                out[:, t] = [warm(b, t) for b in bases]
            else:
                out[:, t] = [f(b, t - W if q["warmup_prefix"] else t) for b in bases]
        else:
            f = _ref_get_lr(name, p)
            out[:, t] = [f(b, t) for b in bases]
    return out


# ------------------------------------------------------------------------------------------------------------------
# Tables from OneFlow's test_lr_scheduler.py (TestLrScheduler: reference formulas, base_lr 1.0, steps 1..20)


def test_cosine_decay_lr_table():
    def ref(step, decay_steps=10, alpha=0.5):
        if step < decay_steps:
            cos_decay = 0.5 * (1 + math.cos(math.pi * step / decay_steps))
            return (1 - alpha) * cos_decay + alpha
        return alpha

    got = lr("CosineDecayLR", 21, decay_steps=10, alpha=0.5)
    table(got[1:], [ref(i) for i in range(1, 21)], **places(4))
    np.testing.assert_allclose(got, [ref(i) for i in range(21)], rtol=1e-15)


def test_cosine_annealing_lr_table():
    # OneFlow's test checks the closed form against torch's recursive form over 5 half periods
    T_max, eta_min, base = 20, 0.5, 1.0
    expected, last = [], base
    for i in range(1, 101):
        if (i - 1 - T_max) % (2 * T_max) == 0:
            last = last + (base - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        else:
            last = (1 + math.cos(math.pi * i / T_max)) / (1 + math.cos(math.pi * (i - 1) / T_max)) * (
                last - eta_min) + eta_min
        expected.append(last)
    got = lr("CosineAnnealingLR", 101, T_max=T_max, eta_min=eta_min)
    table(got[1:], expected, **places(4))


def test_step_lr_table():
    got = lr("StepLR", 21, step_size=5, gamma=0.1)
    table(got[1:], [0.1 ** (i // 5) for i in range(1, 21)], **places(5))


def test_multistep_lr_table():
    ms = [5, 11, 15]
    got = lr("MultiStepLR", 18, milestones=ms, gamma=0.1)
    table(got[1:], [0.1 ** sum(i >= m for m in ms) for i in range(1, 18)], **places(5))


def test_exponential_lr_table():
    got = lr("ExponentialLR", 21, gamma=0.1)
    table(got[1:], [0.1 ** i for i in range(1, 21)], **places(5))


def test_lambda_lr_table_two_groups():
    got = lr("LambdaLR", 21, base_lr=[1.0, 1.0], lr_lambda=["epoch // 30", "0.95 * epoch"])
    table(got[:, 1:], [[i // 30 for i in range(1, 21)], [0.95 * i for i in range(1, 21)]], **places(5))


def test_polynomial_lr_cycle_table():
    def ref(step, decay_steps=100, end=1e-5, power=2):
        if step == 0:
            step = 1
        decay_steps = decay_steps * math.ceil(step / decay_steps)
        step = min(step, decay_steps)
        return (1.0 - end) * (1 - step / decay_steps) ** power + end

    got = lr("PolynomialLR", 21, decay_batch=100, end_learning_rate=1e-5, power=2, cycle=True)
    table(got, [ref(i) for i in range(21)], **places(4))


PLATEAU_GRID = dict(mode=["min", "max"], factor=[0.1, 0.3], patience=[2, 5], threshold=[1e-3, 1e-5],
                    threshold_mode=["rel", "abs"], cooldown=[0, 1], min_lr=[0, 1e-3], eps=[1e-5, 1e-8])


def _plateau_ref(metrics, base, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps):
    """OneFlow's ReduceLROnPlateau.step, transcribed (lr before each step, then after)."""
    lr_, best = base, (math.inf if mode == "min" else -math.inf)
    bad = cool = 0
    out = [lr_]
    for current in metrics:
        if mode == "min":
            better = current < best * (1.0 - threshold) if threshold_mode == "rel" else current < best - threshold
        else:
            better = current > best * (threshold + 1.0) if threshold_mode == "rel" else current > best + threshold
        if better:
            best, bad = current, 0
        else:
            bad += 1
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            new = max(lr_ * factor, min_lr)
            if lr_ - new > eps:
                lr_ = new
            cool, bad = cooldown, 0
        out.append(lr_)
    return out


def test_reduce_lr_on_plateau_grid():
    # OneFlow's test: the 256 combinations of the grid, 15 random walk metrics each, against torch (places=5)
    rng = random.Random(0)
    keys = list(PLATEAU_GRID)
    for values in itertools.product(*PLATEAU_GRID.values()):
        params = dict(zip(keys, values))
        val, metrics = 0.1, []
        for _ in range(15):
            val += (rng.random() - 0.5) / 10
            metrics.append(val)
        got = lr("ReduceLROnPlateau", 16, metrics=metrics, **params)
        table(got[1:], _plateau_ref(metrics, 1.0, **params)[1:], **places(5))
        np.testing.assert_array_equal(got, schedules.compute("torch.ReduceLROnPlateau", params, steps=16,
                                                             base_lr=1.0, metrics=metrics))


# WarmupLRTestCase


def test_warmup_only_linear():
    expected = [0.0005, 0.0006, 0.0007, 0.0008, 0.0009, 0.001, 0.001, 0.001, 0.001, 0.001]
    table(lr("WarmupLR", 10, 0.001, warmup_factor=0.5, warmup_iters=5, warmup_method="linear"), expected)


def test_warmup_iters_0_exp_lr():
    got = lr("WarmupLR", 10, 0.1, scheduler=of("ExponentialLR", gamma=0.9), warmup_factor=0.5, warmup_iters=0)
    table(got, [0.1 * pow(0.9, i) for i in range(10)])


def test_linear_warmup_exp_lr():
    expected = [0.05, 0.0518098, 0.0536196, 0.0554294, 0.0572392, 0.059049, 0.0531441, 0.04782969, 0.043046721,
                0.0387420489]
    got = lr("WarmupLR", 10, 0.1, scheduler=of("ExponentialLR", gamma=0.9), warmup_factor=0.5, warmup_iters=5)
    table(got, expected)


def test_linear_warmup_prefix_exp_lr():
    expected = [0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.09, 0.081, 0.0729, 0.06561]
    got = lr("WarmupLR", 10, 0.1, scheduler=of("ExponentialLR", gamma=0.9), warmup_factor=0.5, warmup_iters=5,
             warmup_prefix=True)
    table(got, expected)


def test_constant_warmup_cosine_annealing():
    expected = [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.03454915028125264, 0.020610737385376353, 0.009549150281252635,
                0.002447174185242324, 0.0, 0.0024471741852423235, 0.009549150281252666, 0.020610737385376433,
                0.034549150281252786, 0.050000000000000225, 0.06545084971874766, 0.079389262614624,
                0.09045084971874778, 0.09755282581475812, 0.1]
    got = lr("WarmupLR", 21, 0.1, scheduler=of("CosineAnnealingLR", T_max=10), warmup_factor=0.5, warmup_iters=5,
             warmup_method="constant")
    table(got, expected)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-17)  # full-precision table: same libm cos


def test_linear_warmup_cosine_annealing():
    expected = [0.01, 0.025071068, 0.040142136, 0.055213203, 0.070284271, 0.085355339, 0.079389263, 0.072699525,
                0.06545085, 0.057821723, 0.05, 0.042178277, 0.03454915, 0.027300475, 0.020610737, 0.014644661,
                0.00954915, 0.005449674, 0.002447174, 0.000615583]
    got = lr("WarmupLR", 20, 0.1, scheduler=of("CosineAnnealingLR", T_max=20), warmup_factor=0.1, warmup_iters=5)
    table(got, expected)


def test_linear_warmup_prefix_cosine_annealing():
    expected = [0.01, 0.028, 0.046, 0.064, 0.082, 0.1, 0.099384417, 0.097552826, 0.094550326, 0.09045085,
                0.085355339, 0.079389263, 0.072699525, 0.06545085, 0.057821723, 0.05, 0.042178277, 0.03454915,
                0.027300475, 0.020610737]
    got = lr("WarmupLR", 20, 0.1, scheduler=of("CosineAnnealingLR", T_max=20), warmup_factor=0.1, warmup_iters=5,
             warmup_prefix=True)
    table(got, expected)


def test_linear_warmup_multistep_lr():
    expected = [0.0005, 0.0006, 0.0007, 0.0008, 0.0009] + [0.001] * 5 + [0.0001] * 10
    got = lr("WarmupLR", 20, 0.001, scheduler=of("MultiStepLR", milestones=[10]), warmup_factor=0.5, warmup_iters=5)
    table(got, expected)


def test_linear_warmup_prefix_multistep_lr():
    expected = [0.01, 0.028, 0.046, 0.064, 0.082] + [0.1] * 5 + [0.01] * 5 + [0.001] * 5
    got = lr("WarmupLR", 20, 0.1, scheduler=of("MultiStepLR", milestones=[5, 10]), warmup_factor=0.1,
             warmup_iters=5, warmup_prefix=True)
    table(got, expected)


# ConstantLRTestCase, LinearLRTestCase, ChainedSchedulerTestCase


def test_constant_lr_table():
    table(lr("ConstantLR", 20, 0.01, factor=0.1, total_iters=10), [0.001] * 10 + [0.01] * 10)


def test_linear_lr_table():
    expected = [0.01, 0.019, 0.028, 0.037, 0.046, 0.055, 0.064, 0.073, 0.082, 0.091] + [0.1] * 11
    table(lr("LinearLR", 21, 0.1, start_factor=0.1, end_factor=1, total_iters=10), expected)


def test_chained_scheduler_table():
    got = lr("ChainedScheduler", 6, 1.0, schedulers=[of("ConstantLR", factor=0.1, total_iters=3),
                                                      of("ExponentialLR", gamma=0.9)])
    table(got, [0.1, 0.09, 0.081, 0.729, 0.6561, 0.59049])
    np.testing.assert_allclose(got, [0.1, 0.09, 0.081, 0.729, 0.6561, 0.59049], rtol=1e-15)


# CosineAnnealingWarmRestartsTestCase (full-precision tables)

CAWR_MULT_1 = [0.1, 0.09779754323328192, 0.09140576474687263, 0.08145033635316129, 0.06890576474687264,
               0.05500000000000001, 0.04109423525312737, 0.028549663646838717, 0.01859423525312737,
               0.012202456766718092] * 5
CAWR_MULT_2 = [
    0.1, 0.09779754323328192, 0.09140576474687263, 0.08145033635316129, 0.06890576474687264, 0.05500000000000001,
    0.04109423525312737, 0.028549663646838717, 0.01859423525312737, 0.012202456766718092, 0.1, 0.0994459753267812,
    0.09779754323328192, 0.09509529358847656, 0.09140576474687263, 0.08681980515339464, 0.08145033635316129,
    0.07542957248827961, 0.06890576474687264, 0.0620395509268104, 0.05500000000000001, 0.04796044907318963,
    0.04109423525312737, 0.034570427511720396, 0.028549663646838717, 0.023180194846605363, 0.01859423525312737,
    0.014904706411523451, 0.012202456766718092, 0.010554024673218806, 0.1, 0.09986128001799077, 0.0994459753267812,
    0.09875664641789544, 0.09779754323328192, 0.0965745789630079, 0.09509529358847656, 0.09336880739593416,
    0.09140576474687263, 0.0892182684520014, 0.08681980515339464, 0.08422516217485827, 0.08145033635316129,
    0.0785124354122177, 0.07542957248827961, 0.07222075445642905, 0.06890576474687264, 0.06550504137351576,
    0.0620395509268104, 0.05853065930775304, 0.05500000000000001, 0.05146934069224699, 0.04796044907318963,
    0.04449495862648427, 0.04109423525312737, 0.03777924554357097, 0.034570427511720396, 0.031487564587782305,
    0.028549663646838717, 0.02577483782514174, 0.023180194846605363, 0.02078173154799861, 0.01859423525312737,
    0.016631192604065852, 0.014904706411523451, 0.013425421036992097, 0.012202456766718092, 0.011243353582104555,
    0.010554024673218806, 0.010138719982009242]
CAWR_DECAY_LIMIT = [
    0.1, 0.09779754323328192, 0.09140576474687263, 0.08145033635316129, 0.06890576474687264, 0.05500000000000001,
    0.04109423525312737, 0.028549663646838717, 0.01859423525312737, 0.012202456766718092, 0.05, 0.04975376681190276,
    0.04902113032590308, 0.04782013048376736, 0.04618033988749895, 0.044142135623730955, 0.04175570504584947,
    0.03907980999479094, 0.03618033988749895, 0.03312868930080462, 0.03, 0.02687131069919539, 0.023819660112501053,
    0.020920190005209068, 0.018244294954150538, 0.01585786437626905, 0.013819660112501053, 0.012179869516232645,
    0.01097886967409693, 0.010246233188097247] + [0.01] * 20


@pytest.mark.parametrize("params, expected", [
    ({"T_0": 10, "eta_min": 0.01}, CAWR_MULT_1),
    ({"T_0": 10, "T_mult": 2, "eta_min": 0.01}, CAWR_MULT_2),
    ({"T_0": 10, "T_mult": 2, "decay_rate": 0.5, "restart_limit": 2, "eta_min": 0.01}, CAWR_DECAY_LIMIT),
])
def test_cawr_tables(params, expected):
    got = lr("CosineAnnealingWarmRestarts", len(expected), 0.1, **params)
    table(got, expected)
    np.testing.assert_allclose(got, expected, rtol=1e-14)


# ------------------------------------------------------------------------------------------------------------------
# Documented quirks


def test_cawr_float_log_boundary():
    # cycle starts at 0, 1, 11, 111, 1111 ...; math.log(1000, 10) = 2.9999999999999996, so step 111 is still the end
    # of cycle 2 (step_in_epoch == epoch_steps) and gives eta_min; 11 (log 2.0) and 1111 (log 4.0) restart
    got = lr("CosineAnnealingWarmRestarts", 1112, 1.0, T_0=1, T_mult=10, eta_min=0.001)
    assert math.log(1000, 10) < 3
    assert got[111] == 0.001
    assert got[0] == got[1] == got[11] == got[1111] == 1.0
    assert got[112] < 1.0  # cycle 3 goes on as if it had started
    np.testing.assert_allclose(got, ref_curve(of("CosineAnnealingWarmRestarts", T_0=1, T_mult=10, eta_min=0.001),
                                              1112, [1.0])[0], rtol=1e-13)
    # torch's integer counters restart at 111
    torch_lr = schedules.compute("torch.CosineAnnealingWarmRestarts", {"T_0": 1, "T_mult": 10, "eta_min": 0.001},
                                 steps=1112, base_lr=1.0)
    assert torch_lr[111] == 1.0
    mask = np.ones(1112, dtype=bool)
    mask[111] = False
    np.testing.assert_allclose(got[mask], torch_lr[mask], rtol=1e-12)


@pytest.mark.parametrize("T_0, T_mult", [(1, 2), (1, 3), (3, 2), (1, 10), (7, 5), (2, 100), (1, 1000), (5, 7)])
def test_cawr_matches_scalar_math_everywhere(T_0, T_mult):
    sched = of("CosineAnnealingWarmRestarts", T_0=T_0, T_mult=T_mult, eta_min=0.001, decay_rate=0.9)
    steps = 20000
    got = schedules.compute(sched["name"], sched["params"], steps=steps, base_lr=[1.0, 0.3])
    np.testing.assert_allclose(got, ref_curve(sched, steps, [1.0, 0.3]), rtol=1e-12, atol=0)


def test_cawr_boundary_steps_match_math_log_floor():
    # every cycle start up to 1e7 steps, for all T_mult in 2..40 and a few T_0: the cycle index is math's floor
    from schedules.oneflow_schedules import _cycle_index

    for T_mult in range(2, 41):
        for T_0 in (1, 2, 3, 10):
            starts, s, n = [], 0, 0
            while s < 10_000_000:
                starts += [s - 1, s, s + 1] if s else [0, 1]
                s += T_0 * T_mult ** n
                n += 1
            t = np.asarray(starts, dtype=np.int64)
            epoch, _ = _cycle_index(t, T_0, T_mult)
            expected = [math.floor(math.log(1 - int(x) / T_0 * (1 - T_mult), T_mult)) for x in t]
            assert epoch.tolist() == expected, (T_0, T_mult)


def test_polynomial_cycle_lr0_equals_lr1():
    got = lr("PolynomialLR", 25, 0.1, decay_batch=5, end_learning_rate=0.001, power=1.0, cycle=True)
    assert got[0] == got[1] < 0.1  # step 0 is treated as step 1: the base lr itself never shows
    for k in (1, 2, 3, 4):
        assert got[5 * k] == pytest.approx(0.001, abs=1e-15)  # end_learning_rate at every multiple
        assert got[5 * k + 1] > got[5 * k]  # and back up one step later
    # cycle k decays over 5 * ceil(t / 5): the second cycle starts at (0.1 - 0.001) * (1 - 6/10) + 0.001
    assert got[6] == pytest.approx(0.099 * 0.4 + 0.001, rel=1e-14)
    no_cycle = lr("PolynomialLR", 25, 0.1, decay_batch=5, end_learning_rate=0.001)
    assert no_cycle[0] == 0.1 and np.all(no_cycle[5:] == 0.001)


def test_polynomial_rises_to_end_lr_above_base():
    got = lr("PolynomialLR", 12, 1e-5, decay_batch=10)  # default end_learning_rate 1e-4 is above the base
    assert got[0] == (1e-5 - 1e-4) * 1.0 + 1e-4 and got[10] == pytest.approx(1e-4) and np.all(np.diff(got) >= 0)


def test_sequential_global_step_vs_interval_rescaling():
    members = [of("ConstantLR", factor=0.1, total_iters=2), of("ExponentialLR", gamma=0.9)]
    glob = lr("SequentialLR", 5, 1.0, schedulers=members, milestones=[2])
    np.testing.assert_allclose(glob, [0.1, 0.1, 0.81, 0.729, 0.6561], rtol=1e-15)
    resc = lr("SequentialLR", 5, 1.0, schedulers=members, milestones=[2], interval_rescaling=True)
    np.testing.assert_allclose(resc, [0.1, 0.1, 1.0, 0.9, 0.81], rtol=1e-15)
    listed = lr("SequentialLR", 5, 1.0, schedulers=members, milestones=[2], interval_rescaling=[True])
    np.testing.assert_array_equal(listed, resc)


def test_sequential_per_member_rescaling_and_repeated_milestones():
    members = [of("LinearLR", start_factor=0.5, total_iters=4), of("StepLR", step_size=3, gamma=0.5),
               of("CosineAnnealingLR", T_max=10), of("ExponentialLR", gamma=0.8)]
    for ms, r in [([4, 10, 15], [True, False, True]), ([4, 4, 9], [False, True, True]), ([0, 3, 3], False)]:
        sched = of("SequentialLR", schedulers=members, milestones=ms, interval_rescaling=r)
        got = schedules.compute(sched["name"], sched["params"], steps=30, base_lr=[0.1, 0.02])
        np.testing.assert_allclose(got, ref_curve(sched, 30, [0.1, 0.02]), rtol=1e-13)
    # the repeated milestone 4 skips StepLR entirely
    got = lr("SequentialLR", 12, 1.0, schedulers=members, milestones=[4, 4, 9])
    assert got[4] == 0.5 * (1 + math.cos(math.pi * 4 / 10))


def test_warmup_with_and_without_prefix_differ_only_as_documented():
    sched = of("CosineDecayLR", decay_steps=20, alpha=0.1)
    no_prefix = lr("WarmupLR", 30, 0.5, scheduler=sched, warmup_factor=0.2, warmup_iters=6)
    prefix = lr("WarmupLR", 30, 0.5, scheduler=sched, warmup_factor=0.2, warmup_iters=6, warmup_prefix=True)
    alone = lr("CosineDecayLR", 30, 0.5, decay_steps=20, alpha=0.1)
    np.testing.assert_array_equal(no_prefix[6:], alone[6:])  # the scheduler on the global step
    np.testing.assert_allclose(no_prefix[:6], 0.5 * (0.2 + (alone[6] / 0.5 - 0.2) * np.arange(6) / 6), rtol=1e-14)
    np.testing.assert_allclose(prefix[:6], 0.5 * (0.2 + 0.8 * np.arange(6) / 6), rtol=1e-14)
    np.testing.assert_array_equal(prefix[6:], alone[:24])  # restarted at its own step 0
    for s in (no_prefix, prefix):
        want = ref_curve(of("WarmupLR", scheduler=sched, warmup_factor=0.2, warmup_iters=6, warmup_prefix=s is prefix),
                         30, [0.5])[0]
        np.testing.assert_allclose(s, want, rtol=1e-14)


def test_warmup_constant_and_zero_iters():
    got = lr("WarmupLR", 8, 0.001, warmup_factor=0.5, warmup_iters=5, warmup_method="constant")
    table(got, [0.0005] * 5 + [0.001] * 3)  # OneFlow's WarmupLR docstring, example 1
    base_only = lr("WarmupLR", 10, 0.1, scheduler=of("StepLR", step_size=3), warmup_iters=0, warmup_prefix=True)
    np.testing.assert_array_equal(base_only, lr("StepLR", 10, 0.1, step_size=3))


def test_warmup_docstring_cosine_decay_example():
    # WarmupLR docstring example 3: lr 0.001, CosineDecayLR(decay_steps=5, alpha=0.1), linear warmup 0.5 over 2
    got = lr("WarmupLR", 4, 0.001, scheduler=of("CosineDecayLR", decay_steps=5, alpha=0.1), warmup_factor=0.5,
             warmup_iters=2)
    # The docstring says 0.00075 at step 1: a ramp to the base lr, which is what the older WarmUpLR
    # (warm_up_lr.py) did. Master ramps to CosineDecayLR's own lr at step 2 (0.000689), so step 1 is halfway there.
    np.testing.assert_allclose(got[[0, 2, 3]], [0.0005, 0.000689, 0.000410], atol=1e-6)
    end = 0.001 * (0.9 * 0.5 * (1 + math.cos(math.pi * 2 / 5)) + 0.1)
    assert got[1] == pytest.approx(0.001 * (0.5 + (end / 0.001 - 0.5) * 0.5), rel=1e-14)


def test_chained_composes_affine_members():
    members = [of("CosineAnnealingLR", T_max=7, eta_min=0.01), of("StepLR", step_size=4, gamma=0.5),
               of("PolynomialLR", decay_batch=9, end_learning_rate=0.002, power=2.0, cycle=True),
               of("CosineAnnealingWarmRestarts", T_0=2, T_mult=3, eta_min=0.001, decay_rate=0.7, restart_limit=3)]
    sched = of("ChainedScheduler", schedulers=members)
    got = schedules.compute(sched["name"], sched["params"], steps=60, base_lr=[0.1, 0.05])
    np.testing.assert_allclose(got, ref_curve(sched, 60, [0.1, 0.05]), rtol=1e-12)


# ------------------------------------------------------------------------------------------------------------------
# Every closed form against the scalar transcription, over a grid and per-group base lrs

GRID = [
    ("ConstantLR", {}), ("ConstantLR", {"factor": 0.5, "total_iters": 0}), ("ConstantLR", {"factor": 0.0}),
    ("LinearLR", {}), ("LinearLR", {"start_factor": 0.0, "end_factor": 0.5, "total_iters": 7}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 30}), ("LinearLR", {"total_iters": 0}),
    ("ExponentialLR", {"gamma": 0.97}), ("ExponentialLR", {"gamma": 1.01}),
    ("StepLR", {"step_size": 3}), ("StepLR", {"step_size": 1, "gamma": 0.999}),
    ("MultiStepLR", {"milestones": [0, 3, 9]}), ("MultiStepLR", {"milestones": [], "gamma": 0.5}),
    ("PolynomialLR", {"decay_batch": 7}), ("PolynomialLR", {"decay_batch": 7, "power": 0.5, "cycle": True}),
    ("PolynomialLR", {"decay_batch": 1, "power": 0.0, "cycle": True, "end_learning_rate": 0.0}),
    ("CosineDecayLR", {"decay_steps": 13}), ("CosineDecayLR", {"decay_steps": 1, "alpha": 0.3}),
    ("CosineAnnealingLR", {"T_max": 9, "eta_min": 0.003}), ("CosineAnnealingLR", {"T_max": 1}),
    ("CosineAnnealingWarmRestarts", {"T_0": 4}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001, "restart_limit": 4}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "decay_rate": 0.5, "restart_limit": 3}),
    ("CosineAnnealingWarmRestarts", {"T_0": 1, "T_mult": 10, "decay_rate": 0.0}),
]


@pytest.mark.parametrize("name, params", GRID)
def test_closed_forms_match_scalar_source(name, params):
    bases = [0.1, 1.0, 3e-4]
    got = schedules.compute(f"oneflow.{name}", params, steps=150, base_lr=bases)
    np.testing.assert_allclose(got, ref_curve(of(name, **params), 150, bases), rtol=1e-13, atol=1e-300)
    single = schedules.compute(f"oneflow.{name}", params, steps=150, base_lr=0.1)
    np.testing.assert_array_equal(single, got[0])
    assert set(GET_LR) >= {name}
    assert schedules.get(f"oneflow.{name}").extra.get("has_get_lr") is True


def test_lambda_per_group_and_shared():
    got = lr("LambdaLR", 6, [0.1, 0.2], lr_lambda="0.5 ** epoch")
    np.testing.assert_allclose(got, [[0.1 * 0.5 ** t for t in range(6)], [0.2 * 0.5 ** t for t in range(6)]])
    got = lr("LambdaLR", 3, [0.1, 0.2], lr_lambda=["1.0", "epoch"])
    np.testing.assert_allclose(got, [[0.1, 0.1, 0.1], [0.0, 0.2, 0.4]])


# ------------------------------------------------------------------------------------------------------------------
# Where OneFlow's semantics coincide with torch's closed form

SAME_AS_TORCH = [
    ("StepLR", {"step_size": 4, "gamma": 0.5}, "StepLR", {"step_size": 4, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [3, 8, 20]}, "MultiStepLR", {"milestones": [3, 8, 20]}),
    ("ExponentialLR", {"gamma": 0.95}, "ExponentialLR", {"gamma": 0.95}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 6}, "ConstantLR", {"factor": 0.25, "total_iters": 6}),
    ("LinearLR", {"start_factor": 0.2, "end_factor": 0.7, "total_iters": 9},
     "LinearLR", {"start_factor": 0.2, "end_factor": 0.7, "total_iters": 9}),
    ("CosineAnnealingLR", {"T_max": 15}, "CosineAnnealingLR", {"T_max": 15}),
    ("CosineAnnealingWarmRestarts", {"T_0": 6, "T_mult": 2, "eta_min": 0.002},
     "CosineAnnealingWarmRestarts", {"T_0": 6, "T_mult": 2, "eta_min": 0.002}),
    ("CosineAnnealingWarmRestarts", {"T_0": 6}, "CosineAnnealingWarmRestarts", {"T_0": 6}),
    ("PolynomialLR", {"decay_batch": 12, "power": 0.9, "end_learning_rate": 0.0},
     "PolynomialLR", {"total_iters": 12, "power": 0.9}),
    ("LambdaLR", {"lr_lambda": "0.95 ** epoch"}, "LambdaLR", {"lr_lambda": "0.95 ** epoch"}),
]


@pytest.mark.parametrize("name, params, torch_name, torch_params", SAME_AS_TORCH)
def test_same_as_torch(name, params, torch_name, torch_params):
    bases = [0.1, 0.7]
    got = schedules.compute(f"oneflow.{name}", params, steps=200, base_lr=bases)
    want = schedules.compute(f"torch.{torch_name}", torch_params, steps=200, base_lr=bases)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-18)


def test_cosine_annealing_past_t_max_is_exact_closed_form():
    # torch replays its recursive update there (drift); OneFlow is the closed form: close, not identical
    got = lr("CosineAnnealingLR", 300, 0.1, T_max=7, eta_min=0.05)
    torch_lr = schedules.compute("torch.CosineAnnealingLR", {"T_max": 7, "eta_min": 0.05}, steps=300, base_lr=0.1)
    np.testing.assert_allclose(got, torch_lr, rtol=1e-9)
    np.testing.assert_allclose(got, ref_curve(of("CosineAnnealingLR", T_max=7, eta_min=0.05), 300, [0.1])[0],
                               rtol=1e-15)


def test_sequential_with_rescaling_equals_torch_restarts():
    members = [of("LinearLR", start_factor=0.5, total_iters=4), of("ExponentialLR", gamma=0.9),
               of("StepLR", step_size=3), of("CosineAnnealingLR", T_max=6)]
    torch_members = [{"name": m["name"].replace("oneflow.", "torch."), "params": m["params"]} for m in members]
    got = lr("SequentialLR", 40, [0.1, 0.3], schedulers=members, milestones=[4, 10, 20], interval_rescaling=True)
    want = schedules.compute("torch.SequentialLR", {"schedulers": torch_members, "milestones": [4, 10, 20]},
                             steps=40, base_lr=[0.1, 0.3])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    glob = lr("SequentialLR", 40, [0.1, 0.3], schedulers=members, milestones=[4, 10, 20])
    assert not np.allclose(glob, want)


def test_chained_factor_members_equal_torch_product():
    members = [of("StepLR", step_size=5, gamma=0.5), of("ExponentialLR", gamma=0.98),
               of("MultiStepLR", milestones=[7, 30]), of("ConstantLR", factor=0.5, total_iters=3)]
    torch_members = [{"name": m["name"].replace("oneflow.", "torch."), "params": m["params"]} for m in members]
    got = lr("ChainedScheduler", 50, [0.1, 1.0], schedulers=members)
    want = schedules.compute("torch.ChainedScheduler", {"schedulers": torch_members}, steps=50, base_lr=[0.1, 1.0])
    np.testing.assert_allclose(got, want, rtol=1e-12)


# ------------------------------------------------------------------------------------------------------------------
# Per-group bases in the linear warmup without prefix


def test_warmup_linear_without_prefix_needs_one_base():
    sched = of("ExponentialLR", gamma=0.9)
    with pytest.raises(ScheduleError) as err:
        lr("WarmupLR", 10, [0.1, 0.2], scheduler=sched)
    assert err.value.param == "warmup_prefix" and "different" in str(err.value)
    # np.isclose bases pass, and the end factor comes from the first group
    got = lr("WarmupLR", 10, [0.1, 0.1 * (1 + 1e-6)], scheduler=sched)
    np.testing.assert_allclose(got[1], got[0] * (1 + 1e-6), rtol=1e-14)
    # prefix, constant, or no scheduler: per-group bases are fine
    for extra in ({"warmup_prefix": True}, {"warmup_method": "constant"}):
        got = lr("WarmupLR", 10, [0.1, 0.2], scheduler=sched, **extra)
        np.testing.assert_allclose(got[1], 2 * got[0], rtol=1e-14)
    got = lr("WarmupLR", 10, [0.1, 0.2])
    np.testing.assert_allclose(got[1], 2 * got[0], rtol=1e-14)


def test_warmup_end_factor_above_one_is_refused():
    # the scheduler's lr at warmup_iters is above base: OneFlow's LinearLR rejects end_factor > 1
    with pytest.raises(ScheduleError) as err:
        lr("WarmupLR", 10, 0.1, scheduler=of("CosineAnnealingLR", T_max=10, eta_min=0.5))
    assert err.value.param == "scheduler" and "end_factor" in str(err.value)
    # also when rounding alone puts it one ulp above base: eta_min + (base - eta_min) * cos(2 pi) > base here
    base, eta = 0.694428926870111, 0.18770122685745178
    assert eta + (base - eta) * (0.5 * (1 + math.cos(math.pi * 10 / 5))) > base
    with pytest.raises(ScheduleError, match="1.0000000000000002"):
        lr("WarmupLR", 12, base, scheduler=of("CosineAnnealingLR", T_max=5, eta_min=eta), warmup_iters=10)
    got = lr("WarmupLR", 10, 0.1, scheduler=of("CosineAnnealingLR", T_max=10, eta_min=0.5), warmup_prefix=True)
    assert got[5] == pytest.approx(0.1, rel=1e-15)  # eta_min + (base - eta_min) * 1.0


# ------------------------------------------------------------------------------------------------------------------
# Errors: ScheduleError naming the parameter

ERRORS = [
    ("StepLR", {"step_size": 0}, "step_size"),
    ("StepLR", {"step_size": 3, "gamma": 0.0}, "gamma"),
    ("StepLR", {}, "step_size"),
    ("ExponentialLR", {}, "gamma"),
    ("ExponentialLR", {"gamma": -0.5}, "gamma"),
    ("ConstantLR", {"factor": 1.5}, "factor"),
    ("ConstantLR", {"factor": -0.1}, "factor"),
    ("LinearLR", {"start_factor": 1.2}, "start_factor"),
    ("LinearLR", {"end_factor": 1.01}, "end_factor"),
    ("MultiStepLR", {"milestones": [5, 3]}, "milestones"),
    ("MultiStepLR", {"milestones": [3, 3]}, "milestones"),
    ("MultiStepLR", {"milestones": [3], "gamma": 0}, "gamma"),
    ("PolynomialLR", {"decay_batch": 0}, "decay_batch"),
    ("PolynomialLR", {"steps": 10}, "steps"),  # the 0.7.0 name
    ("PolynomialLR", {"decay_batch": 10, "power": -1.0}, "power"),
    ("CosineDecayLR", {"decay_steps": 0}, "decay_steps"),
    ("CosineAnnealingLR", {"T_max": 0}, "T_max"),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": -0.1}, "eta_min"),
    ("CosineAnnealingWarmRestarts", {"T_0": 0}, "T_0"),
    ("CosineAnnealingWarmRestarts", {"T_0": 2.5}, "T_0"),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 0}, "T_mult"),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 1.5}, "T_mult"),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "restart_limit": -1}, "restart_limit"),
    ("LambdaLR", {"lr_lambda": "epoch +"}, "lr_lambda"),
    ("ReduceLROnPlateau", {"factor": 1.0}, "factor"),
    ("ReduceLROnPlateau", {"mode": "median"}, "mode"),
    ("SequentialLR", {"schedulers": [], "milestones": []}, "schedulers"),
    ("SequentialLR", {"schedulers": [of("StepLR", step_size=2), of("ExponentialLR", gamma=0.9)], "milestones": []},
     "milestones"),
    ("SequentialLR", {"schedulers": [of("StepLR", step_size=2), of("ExponentialLR", gamma=0.9),
                                     of("ConstantLR")], "milestones": [8, 4]}, "milestones"),
    ("SequentialLR", {"schedulers": [of("StepLR", step_size=2), of("ExponentialLR", gamma=0.9)], "milestones": [3],
                      "interval_rescaling": [True, False]}, "interval_rescaling"),
    ("SequentialLR", {"schedulers": [of("StepLR", step_size=2), of("ExponentialLR", gamma=0.9)], "milestones": [3],
                      "interval_rescaling": "yes"}, "interval_rescaling"),
    ("SequentialLR", {"schedulers": [of("LambdaLR", lr_lambda="1.0"), of("ExponentialLR", gamma=0.9)],
                      "milestones": [3]}, "schedulers[0]"),
    ("SequentialLR", {"schedulers": [of("StepLR", step_size=2), of("ReduceLROnPlateau")], "milestones": [3]},
     "schedulers[1]"),
    ("SequentialLR", {"schedulers": [of("StepLR", step_size=2),
                                     {"name": "torch.ExponentialLR", "params": {"gamma": 0.9}}], "milestones": [3]},
     "schedulers[1]"),
    ("SequentialLR", {"schedulers": [of("StepLR", step_size=2),
                                     of("SequentialLR", schedulers=[of("StepLR", step_size=2)], milestones=[])],
                      "milestones": [3]}, "schedulers[1]"),
    ("SequentialLR", {"schedulers": [of("StepLR", step_size=0)], "milestones": []},
     "schedulers[0].params.step_size"),
    ("ChainedScheduler", {"schedulers": []}, "schedulers"),
    ("ChainedScheduler", {"schedulers": [of("ConstantLR"), of("LambdaLR", lr_lambda="0.9 ** epoch")]},
     "schedulers[1]"),
    ("ChainedScheduler", {"schedulers": [of("ConstantLR"), of("WarmupLR")]}, "schedulers[1]"),
    ("ChainedScheduler", {"schedulers": [of("ConstantLR"), of("ChainedScheduler", schedulers=[of("ConstantLR")])]},
     "schedulers[1]"),
    ("WarmupLR", {"warmup_method": "cosine"}, "warmup_method"),
    ("WarmupLR", {"warmup_iters": 0}, "warmup_iters"),
    ("WarmupLR", {"warmup_iters": -2, "scheduler": of("StepLR", step_size=2)}, "warmup_iters"),
    ("WarmupLR", {"warmup_factor": 1.5}, "warmup_factor"),
    ("WarmupLR", {"scheduler": of("LambdaLR", lr_lambda="1.0")}, "scheduler"),
    ("WarmupLR", {"scheduler": of("ReduceLROnPlateau")}, "scheduler"),
    ("WarmupLR", {"scheduler": of("WarmupLR")}, "scheduler"),
    ("WarmupLR", {"scheduler": of("CosineDecayLR")}, "scheduler.params.decay_steps"),
]


@pytest.mark.parametrize("name, params, param", ERRORS)
def test_errors_name_the_parameter(name, params, param):
    with pytest.raises(ScheduleError) as err:
        schedules.compute(f"oneflow.{name}", params, steps=20, base_lr=0.1, metrics=[1.0] * 19)
    assert err.value.param == param, str(err.value)
    assert str(err.value).startswith("oneflow.") and f": {param}: " in str(err.value), str(err.value)


def test_range_messages_state_the_range():
    with pytest.raises(ScheduleError, match=r"\[0, 1\]"):
        lr("ConstantLR", 5, factor=2.0)
    with pytest.raises(ScheduleError, match="strictly increasing"):
        lr("MultiStepLR", 5, milestones=[4, 2])
    with pytest.raises(ScheduleError, match="did you mean 'decay_batch'"):
        lr("PolynomialLR", 5, decay_batchs=3)


def test_plateau_needs_metrics():
    with pytest.raises(ScheduleError) as err:
        lr("ReduceLROnPlateau", 5)
    assert err.value.param == "metrics"


# ------------------------------------------------------------------------------------------------------------------
# Hypothesis: in-range parameters raise nothing but ScheduleError and never give NaN

EXPRS = ["0.95 ** epoch", "epoch // 3", "1.0 / (epoch + 1)", "min(1.0, (epoch + 1) / 10)", "1.0"]
CLOSED = sorted(GET_LR)


def _value(p, draw):
    if p.kind == "bool":
        return draw(st.booleans())
    if p.kind == "choice":
        return draw(st.sampled_from(p.choices))
    if p.kind == "expr":
        return draw(st.sampled_from(EXPRS))
    if p.kind == "int_list":
        return sorted(set(draw(st.lists(st.integers(0, 400), max_size=6))))
    lo = p.low if p.low is not None else -1e6
    hi = p.high if p.high is not None else 1e6
    if p.kind == "int":
        lo = int(lo) + (1 if p.low_open else 0)
        return draw(st.one_of(st.integers(lo, min(int(hi), lo + 60)), st.integers(lo, int(hi))))
    edge = [x for x in (lo, hi) if not ((x == lo and p.low_open) or (x == hi and p.high_open))]
    s = p.slider
    inside = st.floats(lo, hi, exclude_min=p.low_open, exclude_max=p.high_open, allow_nan=False)
    options = [inside, st.sampled_from(edge)] if edge else [inside]
    if s is not None:
        options.append(st.floats(max(s.min, lo), min(s.max, hi), exclude_min=p.low_open and s.min <= lo,
                                 exclude_max=p.high_open and s.max >= hi, allow_nan=False))
    return draw(st.one_of(*options))


@st.composite
def simple_schedule(draw, names=None):
    name = draw(st.sampled_from(names or CLOSED))
    spec = schedules.get(f"oneflow.{name}")
    params = {}
    for p in spec.params:
        if p.required or draw(st.booleans()):
            params[p.name] = _value(p, draw)
    return {"name": spec.name, "params": params}


@st.composite
def any_schedule(draw):
    kind = draw(st.sampled_from(["simple", "lambda", "plateau", "seq", "warmup", "chained"]))
    if kind == "simple":
        return draw(simple_schedule())
    if kind == "lambda":
        return draw(simple_schedule(["LambdaLR"]))
    if kind == "plateau":
        return draw(simple_schedule(["ReduceLROnPlateau"]))
    members = draw(st.lists(simple_schedule(), min_size=1, max_size=3))
    if kind == "seq":
        ms = sorted(draw(st.lists(st.integers(0, 300), min_size=len(members) - 1, max_size=len(members) - 1)))
        r = draw(st.one_of(st.booleans(), st.lists(st.booleans(), min_size=len(ms), max_size=len(ms))))
        return of("SequentialLR", schedulers=members, milestones=ms, interval_rescaling=r)
    if kind == "warmup":
        return of("WarmupLR", scheduler=draw(st.one_of(st.none(), st.just(members[0]))),
                  warmup_factor=draw(st.floats(0, 1)), warmup_iters=draw(st.integers(1, 200)),
                  warmup_method=draw(st.sampled_from(["linear", "constant"])), warmup_prefix=draw(st.booleans()))
    return of("ChainedScheduler", schedulers=members)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sched=any_schedule(), steps=st.integers(1, 400),
       bases=st.lists(st.floats(1e-6, 10.0), min_size=1, max_size=3), seed=st.integers(0, 2 ** 16))
def test_hypothesis_only_schedule_errors_and_no_nan(sched, steps, bases, seed):
    metrics = np.random.default_rng(seed).normal(1.0, 0.3, size=steps).tolist()
    try:
        out = schedules.compute(sched["name"], sched["params"], steps=steps, base_lr=bases, metrics=metrics)
    except ScheduleError:
        return
    assert out.shape == (len(bases), steps)
    assert not np.isnan(out).any()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sched=simple_schedule(), steps=st.integers(1, 300), bases=st.lists(st.floats(1e-4, 2.0), min_size=1,
                                                                          max_size=2))
def test_hypothesis_closed_forms_match_scalar_source(sched, steps, bases):
    try:
        out = schedules.compute(sched["name"], sched["params"], steps=steps, base_lr=bases)
    except ScheduleError:
        return
    with np.errstate(all="ignore"):
        try:
            want = ref_curve(sched, steps, bases)
        except OverflowError:  # Python's float ** raises where numpy gives inf
            return
    np.testing.assert_allclose(out, want, rtol=1e-11, atol=1e-300)

