"""The timer the benchmark scripts share: best of several runs (these machines are noisy)."""

from __future__ import annotations

import time


def best(fn, repeats: int):
    """(fastest time in seconds, the last result) over ``repeats`` calls of ``fn``."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out
