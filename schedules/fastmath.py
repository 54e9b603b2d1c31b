"""Fast, accurate-where-it-matters versions of the two costly primitives of schedules: powers and cosines.

`int_powers`: gamma ** k for k = 0..n-1. `cos_progression`: cos of an arithmetic progression.

Cosine schedules spend most of their time in ``np.cos`` (8 ms per 1e6 values here, as long as a training framework
needs to step a scheduler 1000 times). For angles ``alpha * k + beta`` the angle-addition formula gives every value
from two tables of ~sqrt(n) cosines and sines and two outer products. Its absolute error is a few 1e-16, which
is harmless except where a schedule uses ``1 + cos`` or ``1 - cos`` near zero (the bottom of a cosine anneal):
there cancellation would magnify it, so values with ``|cos| > 1 - 1e-4`` are recomputed exactly by the caller's
own formula (relative error then stays below ~1e-11). Large angles (many periods) carry rounding in the argument
that the frameworks compute differently, so they are left to the exact path.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

NEAR_ONE = 1.0 - 1e-4
MAX_ANGLE = 64.0  # about 10 periods; beyond, argument rounding (ulp 1.4e-14 here) starts to differ visibly
MIN_LENGTH = 4096  # below this np.cos is as fast


def cos_progression(alpha: float, beta: float, n: int, exact: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """cos(alpha * k + beta) for k = 0..n-1. ``exact(k)`` must return the framework's own cosines at indices ``k``
    (int64 array); it is used for every value when the fast path does not apply, and near cos = +-1."""
    if n < MIN_LENGTH or abs(alpha) * n + abs(beta) > MAX_ANGLE:
        return exact(np.arange(n, dtype=np.int64))
    block = math.isqrt(n)
    outer = alpha * np.arange(0, n + block, block, dtype=np.float64) + beta
    inner = alpha * np.arange(block, dtype=np.float64)
    values = (np.outer(np.cos(outer), np.cos(inner)) - np.outer(np.sin(outer), np.sin(inner))).ravel()[:n]
    near = np.flatnonzero(np.abs(values) > NEAR_ONE)
    if near.size:
        values[near] = exact(near)
    return values


def int_powers(gamma: float, n: int) -> np.ndarray:
    """gamma ** k for k = 0..n-1, each within ~2 ulp of Python's pow, at the cost of a multiply per element:
    an outer product of gamma ** (high part) and gamma ** (low part) (np.power over 1e6 exponents is 60 ms)."""
    block = max(1, math.isqrt(n))
    with np.errstate(over="ignore", under="ignore"):  # overflow to inf / underflow to 0, as pow itself
        low = np.power(gamma, np.arange(block, dtype=np.float64))
        high = np.power(gamma, np.arange(0, n + block, block, dtype=np.float64))
        return np.outer(high, low).ravel()[:n]


def powers_at(gamma: float, k: np.ndarray) -> np.ndarray | None:
    """gamma ** k for one positive finite gamma and whole exponents 0 <= k < 2**31 (any order), within ~2 ulp of
    Python's pow, from two small tables: gamma ** (k >> 10 << 10) * gamma ** (k & 1023). None if not applicable
    (the caller then uses np.power)."""
    if np.ndim(gamma) != 0 or not 0 < gamma < np.inf or np.ndim(k) == 0 or k.size < 1024:
        return None
    if not (k.min() >= 0 and k.max() < 2**31) or (k.dtype.kind == "f" and not np.array_equal(k, np.floor(k))):
        return None
    whole = k.astype(np.int64, copy=False)
    bits = 10
    fine = np.power(gamma, np.arange(1 << bits, dtype=np.float64))
    coarse = np.power(gamma, np.arange((int(whole.max()) >> bits) + 1, dtype=np.float64) * (1 << bits))
    return np.take(coarse, whole >> bits) * np.take(fine, whole & ((1 << bits) - 1))


def cos_pi_ratio(k: np.ndarray, length: float) -> np.ndarray:
    """np.cos(np.pi * k / length) for an array of whole numbers k >= 0 (any order): a fast table over
    0..max(k), then a gather. Exact (the same expression) near cos = +-1, like cos_progression."""
    if k.size < MIN_LENGTH or k.min() < 0 or k.max() > 4 * k.size:
        return np.cos(np.pi * k / length)
    top = int(k.max()) + 1
    table = cos_progression(np.pi / length, 0.0, top, lambda i: np.cos(np.pi * i / length))
    return np.take(table, k.astype(np.int64, copy=False))
