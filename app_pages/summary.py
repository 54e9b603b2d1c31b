"""Summary numbers of lr curves for the Compare page (plain numpy and pandas, tested directly)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def first_below(lr: np.ndarray, threshold: float, start: int = 0) -> int | None:
    """The first step from ``start`` on whose lr is below ``threshold`` (None if there is none)."""
    hits = np.flatnonzero(lr[start:] < threshold)
    return int(hits[0]) + start if hits.size else None


def summary_table(curves: dict[str, np.ndarray], threshold: float) -> pd.DataFrame:
    """Peak, final, mean, area (the sum of the lr over the run's steps: what the optimizer 'spends') and the step
    where the lr drops below ``threshold`` (the first one after the peak, so a warmup does not count)."""
    rows = []
    for label, lr in curves.items():
        rows.append({"curve": label, "peak": float(lr.max()), "peak at step": int(lr.argmax()),
                     "final": float(lr[-1]), "mean": float(lr.mean()), "area (Σ lr)": float(lr.sum()),
                     f"drops below {threshold:g} at": first_below(lr, threshold, int(lr.argmax()))})
    return pd.DataFrame(rows).set_index("curve")


def largest_difference(a: np.ndarray, b: np.ndarray) -> dict:
    """Where two curves of the same length differ most, absolutely and relative to the larger of the two."""
    diff = np.abs(a - b)
    step = int(diff.argmax())
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, diff / scale, 0.0)
    rstep = int(rel.argmax())
    return {"max_abs": float(diff[step]), "abs_step": step, "max_rel": float(rel[rstep]), "rel_step": rstep,
            "identical": bool(diff[step] == 0)}
