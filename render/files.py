"""Curves as files: CSV and JSON at full resolution (never decimated), every float written exactly.

Exact means round-trip: ``float(text) == value`` for every number, written like Python's ``repr`` (the shortest
digits that read back to the same float). pandas writes the CSV (~1 s per million rows and curve) and the
standard library the JSON; both run only when a download is asked for.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from .figures import Curve


def curves_csv(curves: list[Curve], *, steps_per_epoch: int | None = None) -> bytes:
    """CSV (UTF-8, ``\\n``) with columns ``step``, ``epoch`` (``step / steps_per_epoch``, when given) and one column
    per curve label, one row per step, full resolution, exact floats. Curves of different lengths leave empty
    cells after their end; labels are quoted as CSV requires."""
    n = max((np.size(c.lr) for c in curves), default=0)
    columns = {"step": np.arange(n, dtype=np.int64)}
    if steps_per_epoch is not None:
        columns["epoch"] = columns["step"] / steps_per_epoch
    table = pd.DataFrame(columns)
    for i, c in enumerate(curves):  # by position: two curves may share a label
        lr = np.asarray(c.lr, dtype=np.float64).ravel()
        table.insert(len(table.columns), f"#{i}", np.pad(lr, (0, n - lr.size), constant_values=np.nan))
    table.columns = list(columns) + [c.label for c in curves]
    return table.to_csv(index=False, lineterminator="\n", na_rep="").encode()


def _plain(obj):
    """Make ``obj`` JSON-safe: numpy scalars and arrays to Python, non-finite floats to None."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, np.generic):
        return _plain(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def curves_json(curves: list[Curve], *, meta: dict) -> bytes:
    """UTF-8 JSON ``{"meta": meta, "curves": [{"label": ..., "lr": [...]}, ...]}``: ``meta`` as given (numpy
    values converted), ``lr`` at full resolution with exact floats; non-finite numbers (inf from an overflowing
    lambda, NaN) are written as ``null`` so the file is valid JSON (``json.dumps`` would write ``Infinity``)."""
    body = {"meta": _plain(meta),
            "curves": [{"label": c.label, "lr": _plain(np.asarray(c.lr, dtype=np.float64).ravel())} for c in curves]}
    return (json.dumps(body, ensure_ascii=False, allow_nan=False, default=str) + "\n").encode()


def training_csv(runs) -> bytes:
    """CSV of playground runs (``render.learn_figures.TrainingRun``): one row per run and optimizer step with the
    lr and that step's batch loss; the epoch's evaluation (train_loss, val_loss, val_accuracy) on the epoch's last
    step, empty elsewhere. Exact floats, like ``curves_csv``."""
    frames = []
    for run in runs:
        n, spe = np.size(run.lr), int(run.steps_per_epoch)
        table = pd.DataFrame({"run": run.label, "step": np.arange(n), "epoch": np.arange(n) // spe,
                              "lr": np.asarray(run.lr, dtype=np.float64),
                              "batch_loss": np.asarray(run.batch_loss, dtype=np.float64)})
        last = np.arange(spe - 1, n, spe)
        for column in ("train_loss", "val_loss", "val_accuracy"):
            values = np.full(n, np.nan)
            values[last] = getattr(run, column)
            table[column] = values
        frames.append(table)
    return pd.concat(frames).to_csv(index=False, lineterminator="\n", na_rep="").encode()
