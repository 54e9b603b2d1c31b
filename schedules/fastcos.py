"""cos of an arithmetic progression at the cost of a few multiplies per element, accurate where it matters.

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
