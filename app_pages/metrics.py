"""A seeded synthetic validation loss, so that metric-driven schedulers (ReduceLROnPlateau, GreedyLR) have
something to react to in the app."""

from __future__ import annotations

import numpy as np

from schedules.snippets import placeholder_metric


def synthetic_loss(steps: int, seed: int = 0, noise: float = 0.02, floor: float = 0.3,
                   decay_fraction: float = 0.2) -> list[float]:
    """A loss that falls from 1 towards ``floor`` (e-folding over ``decay_fraction`` of the run) and then
    plateaus, with seeded Gaussian noise: one value per step, as ``schedules.compute(metrics=...)`` takes it."""
    t = np.arange(max(steps, 1), dtype=np.float64)
    tau = max(decay_fraction * steps, 1.0)
    loss = floor + (1 - floor) * np.exp(-t / tau)
    loss += noise * np.random.default_rng(seed).standard_normal(t.size)
    return loss.tolist()


def metric_series(steps: int, kind: str = "placeholder", seed: int = 0, noise: float = 0.02) -> list[float]:
    """The metric the app feeds metric-driven schedulers: the code snippets' placeholder (so the code shown
    reproduces the curve shown) or the seeded noisy loss."""
    if kind == "placeholder":
        return [placeholder_metric(t) for t in range(max(steps, 1))]
    return synthetic_loss(steps, seed=seed, noise=noise)
