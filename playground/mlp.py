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
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

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
) -> TrainResult:
    """Train the MLP on ``split()`` (seed 0, 20 % validation) with ``lr[t]`` (or ``lr(t)``) at optimizer step ``t``.

    ``lr`` must have ``epochs * steps_per_epoch(n_train, batch_size)`` values (see ``total_steps(config)``), else
    ``ValueError``. ``on_progress(fraction)`` is called after every epoch with ``(epoch + 1) / epochs``.
    """
    X_train, y_train, X_val, y_val = split()
    n_train = y_train.size
    spe = steps_per_epoch(n_train, config.batch_size)
    n_steps = config.epochs * spe
    lr_at = _lr_schedule(lr, n_steps, config, n_train)

    init_seq, shuffle_seq = np.random.SeedSequence(config.seed).spawn(2)
    params = init_params(N_FEATURES, config.hidden, N_CLASSES, np.random.default_rng(init_seq))
    shuffle_rng = np.random.default_rng(shuffle_seq)
    state1 = {k: np.zeros_like(v) for k, v in params.items()}  # SGD momentum buffer / Adam first moment
    state2 = {k: np.zeros_like(v) for k, v in params.items()}  # Adam second moment
    wd, mom = float(config.weight_decay), float(config.momentum)
    beta1, beta2 = (float(b) for b in config.betas)
    adam = config.optimizer == "adam"

    losses = np.empty(n_steps)
    lrs = np.empty(n_steps)
    ep_train, ep_val, ep_acc = np.empty(config.epochs), np.empty(config.epochs), np.empty(config.epochs)
    t = 0
    with np.errstate(all="ignore"):  # a diverging lr gives inf / nan losses, not warnings or errors
        for epoch in range(config.epochs):
            order = shuffle_rng.permutation(n_train)
            for start in range(0, n_train, config.batch_size):
                idx = order[start:start + config.batch_size]
                loss, grads = loss_and_grads(params, X_train[idx], y_train[idx])
                step_lr = lr_at(t)
                losses[t], lrs[t] = loss, step_lr
                if adam:
                    bc1 = 1.0 - beta1 ** (t + 1)
                    bc2_sqrt = math.sqrt(1.0 - beta2 ** (t + 1))
                    step_size = step_lr / bc1
                for k, w in params.items():
                    g = grads[k]
                    if wd:
                        g += wd * w
                    m = state1[k]
                    if adam:
                        v = state2[k]
                        m += (1.0 - beta1) * (g - m)  # torch: exp_avg.lerp_(grad, 1 - beta1)
                        v *= beta2
                        v += (1.0 - beta2) * (g * g)
                        w -= step_size * (m / (np.sqrt(v) / bc2_sqrt + ADAM_EPS))
                    elif mom:
                        m *= mom
                        m += g
                        w -= step_lr * m
                    else:
                        w -= step_lr * g
                t += 1
            ep_train[epoch] = cross_entropy(forward(params, X_train), y_train)
            val_logits = forward(params, X_val)
            ep_val[epoch] = cross_entropy(val_logits, y_val)
            ep_acc[epoch] = float(np.mean(val_logits.argmax(axis=1) == y_val))
            if on_progress is not None:
                on_progress((epoch + 1) / config.epochs)

    return TrainResult(config=config, train_loss=losses, lr=lrs, epoch_train_loss=ep_train, val_loss=ep_val,
                       val_accuracy=ep_acc, weights=params)
