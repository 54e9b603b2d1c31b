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


def staircase_loss(steps: int, plateau: int = 15, noise: float = 0.01, seed: int = 0, drop: float = 0.6,
                   descent: int = 5) -> np.ndarray:
    """A validation loss that falls and stalls in turn: from 1, each stage falls by the factor ``drop`` over
    ``descent`` steps (an exponential approach) and then stays flat for ``plateau`` steps, with seeded Gaussian noise
    of relative size ``noise``. It does not react to the lr: a fixed series, to see which steps trip patience,
    threshold and cooldown."""
    if plateau < 0 or descent < 1:
        raise ValueError(f"plateau must be >= 0 and descent >= 1, got {plateau} and {descent}")
    t = np.arange(max(int(steps), 1))
    stage, within = np.divmod(t, descent + plateau)
    level = drop ** stage
    approach = np.minimum(within / descent, 1.0)
    loss = level * (1.0 - (1.0 - drop) * (1.0 - np.exp(-4.0 * approach)) / (1.0 - np.exp(-4.0)))
    return loss * (1.0 + noise * np.random.default_rng(seed).standard_normal(t.size))
