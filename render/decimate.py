"""Shape-preserving decimation of a long curve for display.

A 1,000,000-step curve is drawn with at most a few thousand points: per bucket of consecutive steps we keep the
first, the lowest, the highest and the last point, plus both ends of the bucket's largest jump (the pair of
neighbouring steps whose values differ most). Points are returned in step order with their true step numbers and
their exact values, so:

* both ends of the curve and the global minimum and maximum are always kept;
* every extreme of every bucket is kept, so the drawn envelope is the curve's at any zoom that shows whole buckets;
* a jump (StepLR, MultiStepLR, a SequentialLR switch) is kept as the exact pair ``(t, lr[t]), (t+1, lr[t+1])``,
  so it stays vertical and exact however far one zooms in. This holds for every jump as long as no bucket holds
  more than one (fewer than ``max_points // 6`` jumps spread over the curve); where jumps are denser than buckets
  (a StepLR with ``step_size`` shorter than a bucket), the largest in each bucket and the envelope are kept.
"""

from __future__ import annotations

import numpy as np

POINTS_PER_BUCKET = 6  # first, min, max, last, and the two sides of the largest jump


def _bucket_picks(b: np.ndarray) -> np.ndarray:
    """Rows of b are buckets: (rows, 6) in-bucket offsets of first, min, max, both sides of the jump, last."""
    rows, size = b.shape
    out = np.empty((rows, POINTS_PER_BUCKET), dtype=np.int64)
    out[:, 0] = 0
    out[:, 5] = size - 1
    out[:, 1] = b.argmin(axis=1)
    out[:, 2] = b.argmax(axis=1)
    if size >= 2:
        d = np.subtract(b[:, 1:], b[:, :-1])
        np.abs(d, out=d)
        j = d.argmax(axis=1)
        nan_rows = np.flatnonzero(np.isnan(d[np.arange(rows), j]))  # inf - inf: argmax stops at the first nan
        if nan_rows.size:
            dn = d[nan_rows]
            dn[np.isnan(dn)] = -1.0
            j[nan_rows] = dn.argmax(axis=1)
        out[:, 3] = j
        out[:, 4] = j + 1
    else:
        out[:, 3:5] = 0
    return out


def minmax_decimate(y: np.ndarray, max_points: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """``(indices, values)``: at most ``max_points`` points of the 1-D curve ``y`` in step order (``indices`` int64,
    strictly increasing; ``values == y[indices]``, exact). A curve of at most ``max_points`` points is returned
    whole. See the module docstring for what is kept; vectorized, a few ms per 1,000,000 points."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"minmax_decimate takes a 1-D curve, got shape {y.shape}")
    max_points = int(max_points)
    if max_points < POINTS_PER_BUCKET:
        raise ValueError(f"max_points must be at least {POINTS_PER_BUCKET}, got {max_points}")
    n = y.size
    if n <= max_points:
        idx = np.arange(n, dtype=np.int64)
        return idx, y[idx]

    buckets = max_points // POINTS_PER_BUCKET
    size = -(-n // buckets)          # ceil: at most `buckets` buckets, the last one possibly shorter
    full = n // size
    m = full * size
    with np.errstate(invalid="ignore"):  # inf - inf in a jump is nan; argmax handles it
        picks = _bucket_picks(y[:m].reshape(full, size))
        picks += (np.arange(full, dtype=np.int64) * size)[:, None]
        if m < n:
            tail = _bucket_picks(y[m:].reshape(1, n - m)) + m
            picks = np.concatenate([picks, tail])
    picks.sort(axis=1)
    flat = picks.ravel()
    # buckets are disjoint and ascending, so the flattened rows are sorted; drop the repeats
    keep = np.empty(flat.size, dtype=bool)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    idx = flat[keep]
    return idx, y[idx]
