"""The playground: the bundled digits, backprop checked by finite differences, and real training runs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import schedules
from playground.data import load_digits, split
from playground.mlp import (
    BatchTrainer,
    TrainConfig,
    batch_indices,
    forward,
    init_params,
    loss_and_grads,
    steps_per_epoch,
    total_steps,
    train,
)

DEFAULT = TrainConfig()
N_STEPS = 10 * 23  # 10 epochs × ceil(1438 / 64)


@pytest.fixture(scope="module")
def default_run():
    return train(DEFAULT, np.full(N_STEPS, 0.1))


def test_dataset_shapes_classes_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(np.unique(X * 16), np.arange(17))  # pixel counts 0..16, scaled by 1/16
    assert np.array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert load_digits()[0] is X  # cached
    assert not X.flags.writeable


def test_split_is_deterministic_and_stratified():
    X_tr, y_tr, X_val, y_val = split()
    assert X_tr.shape == (1438, 64) and X_val.shape == (359, 64)
    assert np.array_equal(np.bincount(y_val), [36, 36, 35, 37, 36, 36, 36, 36, 35, 36])
    again = split(seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(split(), again))
    other = split(seed=1)
    assert not np.array_equal(other[2], X_val)
    # a partition: every image exactly once
    X, _ = load_digits()
    assert sorted(map(bytes, np.vstack([X_tr, X_val]))) == sorted(map(bytes, X))
    with pytest.raises(ValueError, match="val_fraction"):
        split(val_fraction=1.5)


def test_steps_per_epoch():
    assert steps_per_epoch(1438, 64) == 23
    assert steps_per_epoch(128, 64) == 2
    assert steps_per_epoch(129, 64) == 3
    assert total_steps(DEFAULT) == N_STEPS
    assert total_steps(TrainConfig(batch_size=1438, epochs=3)) == 3


def test_backprop_matches_finite_differences():
    rng = np.random.default_rng(42)
    X = rng.random((5, 4))
    y = np.array([0, 2, 1, 2, 0])
    params = init_params(4, 3, 3, rng)
    for k in ("b1", "b2"):
        params[k] = rng.standard_normal(params[k].shape) * 0.1  # non-zero biases exercise their gradients too
    loss, grads = loss_and_grads(params, X, y)
    eps = 1e-6
    for name, p in params.items():
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            plus = loss_and_grads(params, X, y)[0]
            p[i] = old - eps
            minus = loss_and_grads(params, X, y)[0]
            p[i] = old
            numeric[i] = (plus - minus) / (2 * eps)
        assert grads[name].shape == p.shape
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9, err_msg=name)
    logits = forward(params, X)
    expected = np.mean(np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(5), y])
    assert loss == pytest.approx(expected, rel=1e-12)


def test_default_sgd_learns(default_run):
    r = default_run
    assert r.train_loss.shape == r.lr.shape == (N_STEPS,)
    assert r.val_accuracy.shape == r.val_loss.shape == r.epoch_train_loss.shape == (10,)
    assert np.all(r.lr == 0.1)
    assert r.val_accuracy[-1] > 0.9  # chance is 0.1
    assert r.train_loss[0] > 2.0  # ~ln(10) at He init
    assert r.epoch_train_loss[-1] < 0.2 and r.val_loss[-1] < 0.3
    assert r.val_loss[-1] < r.val_loss[0] < r.train_loss[0]
    assert r.train_loss[-23:].mean() < 0.2 * r.train_loss[:23].mean()
    assert not r.diverged
    assert r.weights["W1"].shape == (64, 64) and r.weights["W2"].shape == (64, 10)
    assert all(w.dtype == np.float64 for w in r.weights.values())


def test_deterministic_bit_for_bit(default_run):
    again = train(DEFAULT, np.full(N_STEPS, 0.1))
    for name in ("train_loss", "lr", "epoch_train_loss", "val_loss", "val_accuracy"):
        assert np.array_equal(getattr(again, name), getattr(default_run, name)), name
    for k, w in default_run.weights.items():
        assert np.array_equal(again.weights[k], w), k
    other = train(TrainConfig(seed=1), np.full(N_STEPS, 0.1))
    assert not np.array_equal(other.train_loss, default_run.train_loss)


def test_callable_lr_is_the_same_as_the_array(default_run):
    r = train(DEFAULT, lambda t: 0.1)
    assert np.array_equal(r.train_loss, default_run.train_loss)


def test_adam_learns():
    r = train(TrainConfig(optimizer="adam"), np.full(N_STEPS, 1e-3))
    assert r.val_accuracy[-1] > 0.85
    assert r.val_loss[-1] < 0.5 * r.val_loss[0]
    assert np.all(np.diff(r.epoch_train_loss) < 0)  # small steady steps: monotone on this run


def test_plain_sgd_and_weight_decay_run():
    plain = train(TrainConfig(momentum=0.0, epochs=3), np.full(69, 0.5))
    assert plain.val_accuracy[-1] > 0.85
    decayed = train(TrainConfig(weight_decay=1e-2, epochs=3), np.full(69, 0.1))
    undecayed = train(TrainConfig(epochs=3), np.full(69, 0.1))
    assert np.linalg.norm(decayed.weights["W1"]) < np.linalg.norm(undecayed.weights["W1"])


def test_engine_schedule_end_to_end():
    lr = schedules.compute("torch.OneCycleLR", {"max_lr": 0.2, "total_steps": N_STEPS}, steps=N_STEPS)
    seen = []
    r = train(DEFAULT, lr, on_progress=seen.append)
    assert np.array_equal(r.lr, lr)
    assert r.lr[0] == pytest.approx(0.2 / 25) and r.lr.max() == pytest.approx(0.2, rel=1e-3)
    assert r.val_accuracy[-1] > 0.9
    assert seen == [(e + 1) / 10 for e in range(10)]


def test_wrong_lr_length_raises_naming_the_expected_length():
    with pytest.raises(ValueError, match=r"expected length 230 .*got shape \(229,\)"):
        train(DEFAULT, np.full(N_STEPS - 1, 0.1))
    with pytest.raises(ValueError, match="expected length 46"):
        train(TrainConfig(epochs=2), np.full(N_STEPS, 0.1))
    with pytest.raises(ValueError, match="expected length 230"):
        train(DEFAULT, np.full((2, N_STEPS), 0.1))  # the engine's multi-group output: one curve, please


def test_bad_config_raises():
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="rmsprop")
    with pytest.raises(ValueError, match="batch_size"):
        TrainConfig(batch_size=0)


def test_diverging_lr_does_not_crash():
    """lr 50: no exception and no warning; the losses explode (finite here: the ReLUs die) and accuracy falls to
    chance. An absurd lr (1e200) overflows to inf / nan, still without an exception."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = train(DEFAULT, np.full(N_STEPS, 50.0))
        absurd = train(TrainConfig(epochs=1), np.full(23, 1e200))
    assert r.diverged
    assert np.nanmax(r.train_loss) > 1e3
    assert r.epoch_train_loss[-1] > 10 * r.train_loss[0]
    assert r.val_accuracy[-1] < 0.2
    assert absurd.diverged
    assert not np.isfinite(absurd.train_loss).all()


def test_on_epoch_end_reports_each_evaluation_before_on_progress(default_run):
    events = []
    r = train(DEFAULT, np.full(N_STEPS, 0.1), on_progress=lambda f: events.append(("progress", f)),
              on_epoch_end=lambda epoch, loss, acc: events.append(("epoch", epoch, loss, acc)))
    assert np.array_equal(r.train_loss, default_run.train_loss)  # the hooks change nothing
    assert events[0::2] == [("epoch", e, default_run.val_loss[e], default_run.val_accuracy[e]) for e in range(10)]
    assert events[1::2] == [("progress", (e + 1) / 10) for e in range(10)]
    assert all(type(x) is float for event in events[0::2] for x in event[2:])


def test_a_callable_lr_sees_what_on_epoch_end_recorded():
    """Closed loop, as a ReduceLROnPlateau page drives it: halve the lr after any epoch whose val loss is not a new
    best; ``lr(t)`` for the first step of epoch e + 1 already knows epoch e's validation loss."""
    val_losses, lr_now = [], [0.1]

    def on_epoch_end(epoch, val_loss, val_accuracy):
        if val_losses and val_loss >= min(val_losses):
            lr_now[0] /= 2
        val_losses.append(val_loss)

    r = train(TrainConfig(epochs=6), lambda t: lr_now[0], on_epoch_end=on_epoch_end)
    assert len(val_losses) == 6 and val_losses == r.val_loss.tolist()
    expected, lr = [], 0.1
    for e in range(6):
        expected += [lr] * 23
        if e and r.val_loss[e] >= r.val_loss[:e].min():
            lr /= 2
    assert r.lr.tolist() == expected


def test_batch_trainer_is_train_one_step_at_a_time(default_run):
    trainer = BatchTrainer(DEFAULT)
    losses = [trainer.step(0.1) for _ in range(N_STEPS)]
    assert np.array_equal(losses, default_run.train_loss)
    assert trainer.steps == N_STEPS
    for k, w in default_run.weights.items():
        assert np.array_equal(trainer.params[k], w), k
    assert trainer.evaluate() == (default_run.epoch_train_loss[-1], default_run.val_loss[-1],
                                  default_run.val_accuracy[-1])
    assert trainer.step(0.1) != losses[-1]  # and it keeps going, into an 11th epoch


def test_batch_indices_draw_one_permutation_per_epoch():
    batches = batch_indices(10, 4, np.random.default_rng(7))
    got = [next(batches) for _ in range(6)]
    assert [b.size for b in got] == [4, 4, 2, 4, 4, 2]
    rng = np.random.default_rng(7)
    assert np.array_equal(np.concatenate(got[:3]), rng.permutation(10))
    assert np.array_equal(np.concatenate(got[3:]), rng.permutation(10))
