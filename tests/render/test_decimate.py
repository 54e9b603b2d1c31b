"""minmax_decimate: ends, extremes, jumps and the size bound, on engine curves up to 1e7 steps."""

from __future__ import annotations

import time

import numpy as np
import pytest

import schedules
from render import minmax_decimate
from render.decimate import POINTS_PER_BUCKET

from .curves import curve


def check_basics(y, idx, val, max_points):
    assert idx.dtype == np.int64
    assert idx.size <= max_points
    assert np.all(np.diff(idx) > 0), "indices strictly increasing (step order, no repeats)"
    assert idx[0] == 0 and idx[-1] == y.size - 1
    np.testing.assert_array_equal(val, y[idx])          # exact values, no averaging
    assert val.max() == y.max() and val.min() == y.min()


def test_short_curves_are_returned_whole():
    y = schedules.compute("torch.StepLR", {"step_size": 3}, steps=100)
    idx, val = minmax_decimate(y, max_points=100)
    np.testing.assert_array_equal(idx, np.arange(100))
    np.testing.assert_array_equal(val, y)
    idx, val = minmax_decimate(y[:1])
    assert idx.tolist() == [0] and val.tolist() == [y[0]]


@pytest.mark.parametrize("name", ["torch.OneCycleLR", "torch.CyclicLR", "transformers.cosine",
                                  "torch.SequentialLR", "transformers.warmup_stable_decay"])
def test_ends_and_global_extremes_kept(name):
    y = curve(name, 1_000_000).lr
    idx, val = minmax_decimate(y)
    check_basics(y, idx, val, 4000)
    assert np.argmax(y) in idx and np.argmin(y) in idx


@pytest.mark.parametrize("name,params", [
    ("torch.StepLR", {"step_size": 50_000, "gamma": 0.5}),
    ("torch.MultiStepLR", {"milestones": [300_000, 600_000, 600_001, 900_000], "gamma": 0.3}),
    ("torch.CosineAnnealingWarmRestarts", {"T_0": 100_000}),
])
def test_every_jump_kept_exactly(name, params):
    n = 1_000_000
    y = schedules.compute(name, params, steps=n)
    idx, val = minmax_decimate(y)
    check_basics(y, idx, val, 4000)
    d = np.abs(np.diff(y))
    jumps = np.flatnonzero(d > 1e-3 * y.max())           # StepLR drops, restarts
    assert jumps.size >= 4
    kept = set(idx.tolist())
    for t in jumps:
        assert t in kept and t + 1 in kept, f"jump {t} -> {t + 1} lost"
    # so the drawn line is vertical there: the decimated neighbours are the exact pair
    pos = np.searchsorted(idx, jumps)
    np.testing.assert_array_equal(idx[pos + 1], jumps + 1)


def test_every_bucket_keeps_its_envelope():
    # CyclicLR with cycles shorter than a bucket: the envelope (per bucket min and max) must survive
    n, max_points = 1_000_000, 4000
    y = schedules.compute("torch.CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 300}, steps=n)
    idx, val = minmax_decimate(y, max_points)
    check_basics(y, idx, val, max_points)
    size = -(-n // (max_points // POINTS_PER_BUCKET))
    for start in range(0, n, size):
        inside = (idx >= start) & (idx < start + size)
        assert val[inside].max() == y[start:start + size].max()
        assert val[inside].min() == y[start:start + size].min()


@pytest.mark.parametrize("max_points", [6, 7, 100, 999, 4000, 10_001])
def test_size_bound(max_points):
    rng = np.random.default_rng(max_points)
    for n in (max_points + 1, 3 * max_points + 5, 123_457):
        y = rng.standard_normal(n)
        idx, val = minmax_decimate(y, max_points)
        check_basics(y, idx, val, max_points)


def test_speed_and_1e7():
    y6 = curve("torch.OneCycleLR", 1_000_000).lr
    minmax_decimate(y6)
    start = time.perf_counter()
    minmax_decimate(y6)
    t6 = time.perf_counter() - start
    y7 = schedules.compute("torch.StepLR", {"step_size": 1_000_000, "gamma": 0.5}, steps=10_000_000)
    start = time.perf_counter()
    idx, val = minmax_decimate(y7)
    t7 = time.perf_counter() - start
    print(f"\nminmax_decimate: 1e6 steps {t6 * 1e3:.1f} ms, 1e7 steps {t7 * 1e3:.1f} ms")
    check_basics(y7, idx, val, 4000)
    for t in range(999_999, 10_000_000 - 1, 1_000_000):
        assert t in idx and t + 1 in idx
    assert t6 < 0.1 and t7 < 1.0


def test_non_finite_values_do_not_break_it():
    y = schedules.compute("torch.LambdaLR", {"lr_lambda": "2.0 ** epoch"}, steps=20_000)
    assert np.isinf(y).any()
    idx, val = minmax_decimate(y, 600)
    assert idx.size <= 600 and np.all(np.diff(idx) > 0)
    np.testing.assert_array_equal(val, y[idx])
    first_inf = int(np.argmax(np.isinf(y)))
    assert first_inf in idx and first_inf - 1 in idx     # the overflow is a jump, kept as a pair


def test_bad_input():
    with pytest.raises(ValueError, match="1-D"):
        minmax_decimate(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="at least"):
        minmax_decimate(np.zeros(10), max_points=5)
