"""Train the playground MLP with a schedule from the engine, stepped as a training loop would step it.

* ``stepping="iteration"``: ``scheduler.step()`` after every optimizer step, so step ``t`` uses ``lr[t]`` of a
  curve of ``epochs × steps_per_epoch`` values;
* ``stepping="epoch"``: ``scheduler.step()`` once per epoch, so every step of epoch ``e`` uses ``lr[e]`` of a curve
  of ``epochs`` values;
* a metric-driven scheduler (ReduceLROnPlateau, GreedyLR) is stepped once per epoch with that epoch's validation
  loss, as in torch's documented loop (``val_loss = validate(...); scheduler.step(val_loss)``): a closed loop, so
  the lr of epoch ``e + 1`` depends on the losses the run itself produced up to epoch ``e``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import schedules

from .data import split
from .mlp import TrainConfig, TrainResult, steps_per_epoch, train

STEPPINGS = ("iteration", "epoch")
MAX_TRAIN_STEPS = 50_000  # per run: about 2 s on a 2-core machine (≈ 40 µs per step at batch 1)


def run_shape(config: TrainConfig) -> tuple[int, int]:
    """(steps per epoch, total optimizer steps) of ``config`` on the playground's training split."""
    spe = steps_per_epoch(split()[0].shape[0], config.batch_size)
    return spe, spe * config.epochs


def check_size(config: TrainConfig) -> None:
    """ValueError naming batch_size and epochs when a run would take more than MAX_TRAIN_STEPS steps."""
    spe, n = run_shape(config)
    if n > MAX_TRAIN_STEPS:
        raise ValueError(f"epochs {config.epochs} × {spe:,} steps per epoch (batch_size {config.batch_size}) = "
                         f"{n:,} steps; the playground trains at most {MAX_TRAIN_STEPS:,} steps per run: use a "
                         "larger batch_size or fewer epochs")


def scheduler_steps(config: TrainConfig, name: str, stepping: str) -> int:
    """How many lr values the scheduler produces for the run: one per epoch when it is stepped per epoch (always,
    for a metric-driven scheduler), else one per optimizer step."""
    spe, n = run_shape(config)
    return config.epochs if stepping == "epoch" or schedules.get(name).metric_driven else n


def lr_per_step(config: TrainConfig, name: str, params: dict, base_lr: float, stepping: str) -> np.ndarray:
    """The lr of every optimizer step for a schedule that does not read a metric (raises ScheduleError)."""
    if stepping not in STEPPINGS:
        raise ValueError(f"stepping must be one of {STEPPINGS}, got {stepping!r}")
    spe, n = run_shape(config)
    if stepping == "epoch":
        return np.repeat(schedules.compute(name, params, steps=config.epochs, base_lr=base_lr), spe)
    return schedules.compute(name, params, steps=n, base_lr=base_lr)


def train_with_schedule(config: TrainConfig, name: str, params: dict, base_lr: float, stepping: str = "iteration",
                        on_progress: Callable[[float], None] | None = None) -> TrainResult:
    """Train with scheduler ``name`` (see the module docstring for the stepping). The schedule is validated
    before any training (ScheduleError); a run longer than MAX_TRAIN_STEPS raises ValueError."""
    check_size(config)
    if not schedules.get(name).metric_driven:
        return train(config, lr_per_step(config, name, params, base_lr, stepping), on_progress=on_progress)

    spe, _ = run_shape(config)
    val_losses: list[float] = []
    # Fails early on bad parameters: the first epoch's lr needs no metric (it is the initial lr).
    epoch_lr = [float(schedules.compute(name, params, steps=1, base_lr=base_lr, metrics=[])[0])]

    def lr_at(t: int) -> float:
        epoch = t // spe
        if epoch == len(epoch_lr):  # the scheduler has been stepped with the losses of epochs 0..epoch-1
            curve = schedules.compute(name, params, steps=epoch + 1, base_lr=base_lr, metrics=val_losses)
            epoch_lr.append(float(curve[-1]))
        return epoch_lr[epoch]

    def record(epoch: int, val_loss: float, val_accuracy: float) -> None:
        val_losses.append(val_loss)

    return train(config, lr_at, on_progress=on_progress, on_epoch_end=record)
