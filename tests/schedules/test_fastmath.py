"""fastmath: powers within a few ulp; 1 + cos and 1 - cos accurate to ~1e-11 relative, as cosine schedules need."""

import numpy as np
import pytest

from schedules.fastmath import MAX_ANGLE, cos_progression, int_powers


def exact_for(alpha, beta):
    return lambda k: np.cos(alpha * k + beta)


@pytest.mark.parametrize("alpha,beta,n", [
    (np.pi / 1_000_000, 0.0, 1_000_000),
    (np.pi / 99_999, 0.0, 200_000),  # a full period: both ends of the cosine
    (2 * np.pi / 50_001, 0.3, 50_001),
    (np.pi / 4096, -1.0, 5000),
])
def test_fast_path_is_accurate_where_cosine_schedules_are_sensitive(alpha, beta, n):
    fast = cos_progression(alpha, beta, n, exact_for(alpha, beta))
    exact = np.cos(alpha * np.arange(n) + beta)
    assert np.max(np.abs(fast - exact)) < 5e-15
    for sign in (1, -1):  # the relative error of 1 +- cos, which schedules scale to the lr
        denom = 1 + sign * exact
        ok = denom > 0
        assert np.max(np.abs((1 + sign * fast[ok]) - denom[ok]) / denom[ok]) < 1e-10


def test_near_one_values_come_from_the_exact_formula():
    calls = []

    def exact(k):
        calls.append(k)
        return np.cos(np.pi / 10_000 * k)

    out = cos_progression(np.pi / 10_000, 0.0, 10_001, exact)
    near = np.concatenate(calls)
    assert 0 in near and 10_000 in near and len(near) < 500
    assert out[10_000] == np.cos(np.pi)


def test_large_angles_and_short_runs_use_the_exact_formula_only():
    seen = []
    cos_progression(1.0, 0.0, 10_000, lambda k: seen.append(len(k)) or np.cos(k * 1.0))
    assert seen == [10_000] and 10_000 > MAX_ANGLE
    seen.clear()
    cos_progression(1e-4, 0.0, 100, lambda k: seen.append(len(k)) or np.cos(k * 1e-4))
    assert seen == [100]


@pytest.mark.parametrize("gamma", [0.95, 0.9999, 1.0001, 0.5, 1.0, 7.0])
def test_int_powers_match_pythons_pow(gamma):
    n = 20_000 if gamma <= 1.0001 else 360  # 7.0 ** 365 overflows (Python's pow raises there)
    ref = np.array([gamma ** k for k in range(n)])
    got = int_powers(gamma, n)
    normal = (ref > 1e-300) & np.isfinite(ref)
    assert np.max(np.abs(got[normal] - ref[normal]) / ref[normal]) < 1e-15
    assert np.array_equal(got[~normal], ref[~normal]) or np.all(got[~normal] < 1e-290)
    assert got[0] == 1.0 and got[1] == gamma
