"""The bundled UCI 8×8 digits (see ``DATA_LICENSE.md``): loading and a deterministic stratified split."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

DATA_FILE = Path(__file__).resolve().parent / "digits.npz"
N_SAMPLES, N_FEATURES, N_CLASSES = 1797, 64, 10


@lru_cache(maxsize=1)
def _load() -> tuple[np.ndarray, np.ndarray]:
    with np.load(DATA_FILE) as f:
        images, labels = f["images"], f["labels"]
    X = images.astype(np.float64) / 16.0
    y = labels.astype(np.int64)
    X.setflags(write=False)  # cached: shared by every caller
    y.setflags(write=False)
    return X, y


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """(X float64 (1797, 64) with pixels scaled from 0..16 to [0, 1], y int64 (1797,) in 0..9); cached, read-only."""
    return _load()


@lru_cache(maxsize=8)
def _split(seed: int, val_fraction: float):
    X, y = _load()
    rng = np.random.default_rng(seed)
    val = []
    for c in range(N_CLASSES):
        idx = np.flatnonzero(y == c)
        n_val = int(round(idx.size * val_fraction))
        val.append(rng.permutation(idx)[:n_val])
    val_mask = np.zeros(y.size, dtype=bool)
    val_mask[np.concatenate(val)] = True
    out = X[~val_mask], y[~val_mask], X[val_mask], y[val_mask]
    for a in out:
        a.setflags(write=False)
    return out


def split(seed: int = 0, val_fraction: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_val, y_val): ``round(val_fraction * n_c)`` random images of each class ``c`` go to
    validation (stratified), chosen by ``seed``; both parts keep the file's order. Deterministic and cached."""
    val_fraction = float(val_fraction)
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    return _split(int(seed), val_fraction)
