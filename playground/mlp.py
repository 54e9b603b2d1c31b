"""A small MLP in numpy (64 → hidden ReLU → 10, softmax cross-entropy) trained on the digits with one lr per step.

The learning rate is given per optimizer step, exactly as the engine's curve stepped per iteration gives it
(``lr[t]`` is used for step ``t``), so any schedule can be tried on a real, if tiny, training run.

* Init: He (normal, std ``sqrt(2 / fan_in)``) for both weight matrices, zero biases, from ``config.seed``.
* Each epoch visits the training set in a fresh random order (also from ``config.seed``), in batches of
  ``batch_size`` (the last one may be smaller); the loss is the batch mean, as ``torch.nn.CrossEntropyLoss``.
* Optimizers follow torch's semantics (``torch.optim.SGD`` / ``torch.optim.Adam``, default arguments otherwise):
  weight decay is L2 added to the gradient (``g += weight_decay * w``, on every parameter, biases included);
  SGD momentum ``v = momentum * v + g; w -= lr * v`` (no dampening, not Nesterov; ``momentum=0`` is plain SGD);
  Adam with bias correction, ``eps = 1e-8`` added to ``sqrt(v_hat)``.
* Everything is float64 and deterministic: the same config and lr give the same arrays, bit for bit.
* Divergence (a too-large lr) is not an error: training runs to the end, numpy's floating-point warnings are
  silenced, and the losses simply become huge (lr 50 with the defaults: batch losses up to ~3e4, the ReLUs die and
  accuracy falls to chance) or, for absurd rates (1e200), ``inf`` then ``nan``; ``TrainResult.diverged`` says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from .data import N_CLASSES, N_FEATURES, split

ADAM_EPS = 1e-8  # torch.optim.Adam's default
PARAM_NAMES = ("W1", "b1", "W2", "b2")


@dataclass
class TrainConfig:
    hidden: int = 64
    optimizer: str = "sgd"  # "sgd" (with momentum) or "adam"
    momentum: float = 0.9  # SGD only
    betas: tuple[float, float] = (0.9, 0.999)  # Adam only
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: int = 10
    seed: int = 0

    def __post_init__(self):
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam', got {self.optimizer!r}")
        for name in ("hidden", "batch_size", "epochs"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        if self.momentum < 0:
            raise ValueError(f"momentum must be >= 0, got {self.momentum}")
        if len(self.betas) != 2 or not all(0.0 <= b < 1.0 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay}")


@dataclass
class TrainResult:
    config: TrainConfig
    train_loss: np.ndarray  # (total_steps,) the mean loss of each step's batch, before that step's update
    lr: np.ndarray  # (total_steps,) the learning rate used at each step
    epoch_train_loss: np.ndarray  # (epochs,) loss over the whole training set after each epoch
    val_loss: np.ndarray  # (epochs,) loss over the validation set after each epoch
    val_accuracy: np.ndarray  # (epochs,) validation accuracy after each epoch
    weights: dict[str, np.ndarray] = field(default_factory=dict)  # final W1 (64, h), b1 (h,), W2 (h, 10), b2 (10,)

    @property
    def steps_per_epoch(self) -> int:
        return self.train_loss.size // self.config.epochs

    @property
    def diverged(self) -> bool:
        """True when training blew up: some loss is not finite (overflow to inf, then nan), or the training-set loss
        after the last epoch is higher than the very first batch's loss (at initialisation)."""
        finite = np.isfinite(self.train_loss).all() and np.isfinite(self.epoch_train_loss).all()
        return not finite or bool(self.epoch_train_loss[-1] > self.train_loss[0])


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    """Optimizer steps in one epoch: ``ceil(n_train / batch_size)`` (the last batch may be smaller)."""
    if n_train < 1 or batch_size < 1:
        raise ValueError(f"n_train and batch_size must be >= 1, got {n_train} and {batch_size}")
    return -(-int(n_train) // int(batch_size))


def total_steps(config: TrainConfig) -> int:
    """How many lr values ``train(config, lr)`` needs: ``epochs * steps_per_epoch(n_train, batch_size)``."""
    return config.epochs * steps_per_epoch(split()[0].shape[0], config.batch_size)


def init_params(n_in: int, hidden: int, n_out: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """He-normal weights, zero biases."""
    return {
        "W1": rng.standard_normal((n_in, hidden)) * math.sqrt(2.0 / n_in),
        "b1": np.zeros(hidden),
        "W2": rng.standard_normal((hidden, n_out)) * math.sqrt(2.0 / hidden),
        "b2": np.zeros(n_out),
    }


def forward(params: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """The logits (n, 10)."""
    h = np.maximum(X @ params["W1"] + params["b1"], 0.0)
    return h @ params["W2"] + params["b2"]


def cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean softmax cross-entropy, computed stably through log-sum-exp."""
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
    return float(np.mean(lse - logits[np.arange(y.size), y]))


def loss_and_grads(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray):
    """(mean cross-entropy of the batch, gradients of it with respect to every parameter): backprop by hand."""
    n = y.size
    a = X @ params["W1"] + params["b1"]
    h = np.maximum(a, 0.0)
    z = h @ params["W2"] + params["b2"]
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(m[:, 0] + np.log(s[:, 0]) - z[rows, y]))
    dz = e / s
    dz[rows, y] -= 1.0
    dz /= n
    dh = dz @ params["W2"].T
    dh *= a > 0
    grads = {"W1": X.T @ dh, "b1": dh.sum(axis=0), "W2": h.T @ dz, "b2": dz.sum(axis=0)}
    return loss, grads


def one_blas_thread():
    """A context in which BLAS uses one thread. The playground's matrices are tiny (at most 1,438 × 512): two threads
    gain nothing and wait for each other whenever the other core is busy, as on a shared host (measured on 2 cores
    with a load of 2: the default run takes 0.11-0.24 s with two BLAS threads, 0.025 s with one)."""
    return threadpool_limits(limits=1, user_api="blas")


class Optimizer:
    """``torch.optim.SGD`` (momentum, no dampening, not Nesterov) or ``torch.optim.Adam`` over a dict of float64
    arrays, updated in place; the semantics are in the module docstring. ``steps`` counts the updates made."""

    def __init__(self, config: TrainConfig, params: dict[str, np.ndarray]):
        self.first = {k: np.zeros_like(v) for k, v in params.items()}  # SGD momentum buffer / Adam first moment
        self.second = {k: np.zeros_like(v) for k, v in params.items()}  # Adam second moment
        self.weight_decay, self.momentum = float(config.weight_decay), float(config.momentum)
        self.beta1, self.beta2 = (float(b) for b in config.betas)
        self.adam = config.optimizer == "adam"
        self.steps = 0

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> None:
        """One update of every parameter with learning rate ``lr`` (``grads`` is modified: weight decay is added)."""
        wd, mom, beta1, beta2 = self.weight_decay, self.momentum, self.beta1, self.beta2
        if self.adam:
            bc1 = 1.0 - beta1 ** (self.steps + 1)
            bc2_sqrt = math.sqrt(1.0 - beta2 ** (self.steps + 1))
            step_size = lr / bc1
        for k, w in params.items():
            g = grads[k]
            if wd:
                g += wd * w
            m = self.first[k]
            if self.adam:
                v = self.second[k]
                m += (1.0 - beta1) * (g - m)  # torch: exp_avg.lerp_(grad, 1 - beta1)
                v *= beta2
                v += (1.0 - beta2) * (g * g)
                w -= step_size * (m / (np.sqrt(v) / bc2_sqrt + ADAM_EPS))
            elif mom:
                m *= mom
                m += g
                w -= lr * m
            else:
                w -= lr * g
        self.steps += 1


def batch_indices(n_train: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Endless mini-batches of training-row indices: each epoch a fresh ``rng.permutation(n_train)`` cut into batches
    of ``batch_size`` (the last one may be smaller). The permutation is drawn lazily, when its first batch is asked
    for, so taking whole epochs draws exactly one permutation per epoch."""
    while True:
        order = rng.permutation(n_train)
        for start in range(0, n_train, batch_size):
            yield order[start:start + batch_size]


class BatchTrainer:
    """The MLP from ``config.seed`` (He init) and its optimizer, trained one mini-batch at a time on ``split()``'s
    training part, batches in ``batch_indices`` order: exactly what ``train`` does, one call of ``step`` per
    optimizer step (``train`` is built on it)."""

    def __init__(self, config: TrainConfig):
        self.config = config
        self.X_train, self.y_train, self.X_val, self.y_val = split()
        self.n_train = self.y_train.size
        init_seq, shuffle_seq = np.random.SeedSequence(config.seed).spawn(2)
        self.params = init_params(N_FEATURES, config.hidden, N_CLASSES, np.random.default_rng(init_seq))
        self.optimizer = Optimizer(config, self.params)
        self._batches = batch_indices(self.n_train, config.batch_size, np.random.default_rng(shuffle_seq))

    @property
    def steps(self) -> int:
        """Optimizer steps taken so far."""
        return self.optimizer.steps

    def step(self, lr: float) -> float:
        """Train on the next batch with learning rate ``lr``; return that batch's mean loss, computed before the
        update. Never warns or raises on overflow: a diverging lr gives huge, ``inf`` or ``nan`` losses."""
        idx = next(self._batches)
        with np.errstate(all="ignore"):
            loss, grads = loss_and_grads(self.params, self.X_train[idx], self.y_train[idx])
            self.optimizer.step(self.params, grads, lr)
        return loss

    def evaluate(self) -> tuple[float, float, float]:
        """(loss over the whole training set, validation loss, validation accuracy) with the current weights."""
        with np.errstate(all="ignore"):
            train_loss = cross_entropy(forward(self.params, self.X_train), self.y_train)
            val_logits = forward(self.params, self.X_val)
            val_loss = cross_entropy(val_logits, self.y_val)
            val_accuracy = float(np.mean(val_logits.argmax(axis=1) == self.y_val))
        return train_loss, val_loss, val_accuracy


def _lr_schedule(lr, n_steps: int, config: TrainConfig, n_train: int) -> Callable[[int], float]:
    if callable(lr):
        return lambda t: float(lr(t))
    arr = np.asarray(lr, dtype=np.float64)
    if arr.ndim != 1 or arr.size != n_steps:
        spe = n_steps // config.epochs
        raise ValueError(
            f"lr must hold one learning rate per optimizer step: expected length {n_steps} "
            f"(epochs {config.epochs} × steps_per_epoch {spe} = ceil({n_train} / batch_size {config.batch_size})), "
            f"got shape {arr.shape}"
        )
    values = arr.tolist()
    return values.__getitem__


def train(
    config: TrainConfig,
    lr: np.ndarray | Callable[[int], float],
    *,
    on_progress: Callable[[float], None] | None = None,
    on_epoch_end: Callable[[int, float, float], None] | None = None,
) -> TrainResult:
    """Train the MLP on ``split()`` (seed 0, 20 % validation) with ``lr[t]`` (or ``lr(t)``) at optimizer step ``t``.

    ``lr`` must have ``epochs * steps_per_epoch(n_train, batch_size)`` values (see ``total_steps(config)``), else
    ``ValueError``. After every epoch's evaluation, ``on_epoch_end(epoch, val_loss, val_accuracy)`` is called (epoch
    from 0; a callable ``lr`` may read what it recorded, e.g. to drive ReduceLROnPlateau in closed loop), then
    ``on_progress(fraction)`` with ``(epoch + 1) / epochs``.
    """
    trainer = BatchTrainer(config)
    spe = steps_per_epoch(trainer.n_train, config.batch_size)
    n_steps = config.epochs * spe
    lr_at = _lr_schedule(lr, n_steps, config, trainer.n_train)

    losses = np.empty(n_steps)
    lrs = np.empty(n_steps)
    ep_train, ep_val, ep_acc = np.empty(config.epochs), np.empty(config.epochs), np.empty(config.epochs)
    t = 0
    with one_blas_thread():
        for epoch in range(config.epochs):
            for _ in range(spe):
                lrs[t] = step_lr = lr_at(t)
                losses[t] = trainer.step(step_lr)
                t += 1
            ep_train[epoch], ep_val[epoch], ep_acc[epoch] = trainer.evaluate()
            if on_epoch_end is not None:
                on_epoch_end(epoch, float(ep_val[epoch]), float(ep_acc[epoch]))
            if on_progress is not None:
                on_progress((epoch + 1) / config.epochs)

    return TrainResult(config=config, train_loss=losses, lr=lrs, epoch_train_loss=ep_train, val_loss=ep_val,
                       val_accuracy=ep_acc, weights=trainer.params)
