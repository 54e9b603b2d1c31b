"""Training with an engine schedule: per-iteration and per-epoch stepping, the closed loop of a metric-driven
scheduler, and the size cap."""

from __future__ import annotations

import numpy as np
import pytest

import schedules
from playground.mlp import TrainConfig, train
from playground.schedule_run import (
    MAX_TRAIN_STEPS,
    check_size,
    lr_per_step,
    run_shape,
    scheduler_steps,
    train_with_schedule,
)

CONFIG = TrainConfig(epochs=6)  # 23 steps per epoch at batch 64


def test_run_shape_counts_the_last_partial_batch():
    assert run_shape(CONFIG) == (23, 138)  # ceil(1438 / 64) = 23
    assert run_shape(TrainConfig(batch_size=1438, epochs=3)) == (1, 3)
    assert run_shape(TrainConfig(batch_size=1000, epochs=2)) == (2, 4)


def test_per_iteration_stepping_uses_one_value_per_step():
    lr = lr_per_step(CONFIG, "torch.StepLR", {"step_size": 50, "gamma": 0.5}, 0.2, "iteration")
    assert lr.shape == (138,)
    assert lr[49] == 0.2 and lr[50] == 0.1 and lr[137] == 0.05


def test_per_epoch_stepping_holds_each_value_for_an_epoch():
    lr = lr_per_step(CONFIG, "torch.StepLR", {"step_size": 2, "gamma": 0.5}, 0.2, "epoch")
    assert lr.shape == (138,)
    assert np.array_equal(lr, np.repeat([0.2, 0.2, 0.1, 0.1, 0.05, 0.05], 23))
    assert scheduler_steps(CONFIG, "torch.StepLR", "epoch") == 6
    assert scheduler_steps(CONFIG, "torch.StepLR", "iteration") == 138


def test_training_with_a_schedule_is_training_with_its_curve():
    params = {"max_lr": 0.5, "total_steps": 138}
    got = train_with_schedule(CONFIG, "torch.OneCycleLR", params, 0.1)
    want = train(CONFIG, schedules.compute("torch.OneCycleLR", params, steps=138, base_lr=0.1))
    assert np.array_equal(got.lr, want.lr) and np.array_equal(got.train_loss, want.train_loss)
    assert np.array_equal(got.val_accuracy, want.val_accuracy)
    assert got.val_accuracy[-1] > 0.9


def test_plateau_is_a_closed_loop_on_the_runs_own_validation_loss():
    # A large lr that stalls, patience 0: every epoch whose val loss does not improve cuts the lr.
    params = {"patience": 0, "factor": 0.5, "threshold": 0.05}
    config = TrainConfig(epochs=12)
    result = train_with_schedule(config, "torch.ReduceLROnPlateau", params, 0.8)
    spe = result.steps_per_epoch
    per_epoch = result.lr[::spe]
    assert np.array_equal(result.lr, np.repeat(per_epoch, spe))  # stepped once per epoch
    # the lr of epoch e is what torch would give after step(val_loss) of epochs 0..e-1 of this very run
    replay = schedules.compute("torch.ReduceLROnPlateau", params, steps=12, base_lr=0.8,
                               metrics=result.val_loss.tolist())
    assert np.array_equal(per_epoch, replay)
    assert per_epoch[0] == 0.8 and per_epoch[-1] < 0.8  # it did react
    assert scheduler_steps(config, "torch.ReduceLROnPlateau", "iteration") == 12


def test_greedy_closed_loop_matches_its_replay():
    params = {"patience": 1, "min_lr": 0.01, "max_lr": 1.0, "factor": 0.5}
    result = train_with_schedule(CONFIG, "transformers.greedy", params, 0.1)
    per_epoch = result.lr[::result.steps_per_epoch]
    replay = schedules.compute("transformers.greedy", params, steps=6, base_lr=0.1, metrics=result.val_loss.tolist())
    assert np.array_equal(per_epoch, replay)


def test_bad_schedule_fails_before_training():
    calls = []
    with pytest.raises(schedules.ScheduleError, match="gamma"):
        train_with_schedule(CONFIG, "torch.StepLR", {"step_size": 5, "gamma": -1}, 0.1, on_progress=calls.append)
    with pytest.raises(schedules.ScheduleError, match="factor"):
        train_with_schedule(CONFIG, "torch.ReduceLROnPlateau", {"factor": 2.0}, 0.1, on_progress=calls.append)
    assert calls == []
    with pytest.raises(ValueError, match="stepping"):
        lr_per_step(CONFIG, "torch.StepLR", {"step_size": 5}, 0.1, "batch")


def test_runs_longer_than_the_cap_are_refused_with_the_numbers():
    config = TrainConfig(batch_size=1, epochs=100)
    with pytest.raises(ValueError, match=r"epochs 100 × 1,438 steps per epoch \(batch_size 1\) = 143,800 steps"):
        check_size(config)
    check_size(TrainConfig(batch_size=2, epochs=MAX_TRAIN_STEPS // 719))  # exactly at the cap
    with pytest.raises(ValueError, match="at most 50,000"):
        train_with_schedule(config, "transformers.constant", {}, 0.1)
