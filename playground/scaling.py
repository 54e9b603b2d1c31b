"""Batch size and learning rate: the scaling rules, a warmup for large batches, and the exact step counts.

Give a reference (``ref_batch``, ``ref_lr``) that trains well, and the batch you will really use
(``per_device_batch × replicas × grad_accum``); :func:`scale` gives the scaled lr, the warmup, and the numbers a
schedule needs: optimizer steps per epoch and in total, exactly as PyTorch and transformers count them.

The rules (``k = global_batch / ref_batch``):

* ``"linear"``: ``lr = ref_lr × k``. Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training ImageNet in
  1 Hour" (the linear scaling rule, ``lr = 0.1 × batch / 256`` for ResNet-50 with SGD, batches up to 8k), after
  Krizhevsky 2014, "One weird trick for parallelizing convolutional neural networks", who discusses both rules.
* ``"sqrt"``: ``lr = ref_lr × √k``. The variance argument of Krizhevsky 2014 (keep the variance of the gradient
  estimate's update constant); Hoffer et al. 2017, "Train longer, generalize better"; the rule commonly used with
  Adam (Malladi et al. 2022, "On the SDEs and Scaling Rules for Adaptive Gradient Algorithms", derive it for Adam).
* ``"none"``: ``lr = ref_lr``.

Warmup (Goyal et al. 2017, section 2.2, "gradual warmup"): start at ``ref_lr`` and increase by a constant amount
every iteration to reach ``k × ref_lr`` after 5 epochs. In PyTorch that is ``LinearLR(start_factor=ref_lr / lr,
total_iters=warmup_steps)`` stepped every iteration on an optimizer whose lr is the scaled lr (``start_factor =
1 / k`` with the linear rule). ``warmup_epochs=None`` suggests it when the scaled lr is above ``ref_lr`` (a batch
above ``ref_batch`` with the linear or square-root rule): Goyal's 5 epochs, but at most a tenth of the run, so that a
short run (Goyal et al. trained 90 epochs; a fine-tuning may take 3) is not all warmup: the tenth is the
``warmup_proportion = 0.1`` of BERT's fine-tuning script (Devlin et al. 2018, ``run_classifier.py``). Else 0.

The counts, and where each comes from (torch 2.13.0, transformers 5.23.0, read in the installed packages):

* Per replica, ``torch.utils.data.DistributedSampler(dataset, num_replicas=R, drop_last=...)``
  (``torch/utils/data/distributed.py``, ``__init__``): ``num_samples = ceil(N / R)`` and the sampler pads the
  shuffled order with its first ``R × num_samples - N`` indices so every replica gets as many; with
  ``drop_last=True`` and ``N % R != 0``, ``num_samples = ceil((N - R) / R)``, which is ``floor(N / R)``, and the
  tail of the shuffled order is dropped. One process (``replicas=1``): all ``N``.
* Batches per process and epoch: ``len(DataLoader)`` is ``len(BatchSampler)`` (``torch/utils/data/sampler.py``,
  ``BatchSampler.__len__``): ``ceil(num_samples / per_device_batch)``, or ``floor`` with ``drop_last=True``.
  ``drop_last`` here is both the sampler's and the DataLoader's. transformers' Trainer does not use a
  DistributedSampler but lets accelerate shard whole batches (``accelerate/data_loader.py``,
  ``BatchSamplerShard.__len__``, read in accelerate's source since it is not installed here: ``ceil(ceil(N / b) /
  R)`` batches per process, or ``floor(floor(N / b) / R)`` with ``dataloader_drop_last``); both equal
  ``ceil(N / (b × R))`` (``floor`` with drop_last), the same count as here; only what fills the last batches differs.
* Optimizer steps per epoch: transformers' ``Trainer.set_initial_training_values`` (``transformers/trainer.py``):
  ``num_update_steps_per_epoch = max(len_dataloader // gradient_accumulation_steps + int(len_dataloader %
  gradient_accumulation_steps > 0), 1)``, i.e. ``ceil(batches / grad_accum)``: the last step of an epoch
  accumulates the remaining ``batches % grad_accum`` batches (the epoch loop's ``remainder``) instead of dropping
  them. ``max_steps = ceil(num_train_epochs × num_update_steps_per_epoch)``, which is ``total_steps = epochs ×
  steps_per_epoch`` for whole epochs, and the scheduler is created with ``num_training_steps=max_steps``.
* ``warmup_steps = warmup_epochs × steps_per_epoch`` rounded to the nearest step, halves up, computed exactly on the
  decimal value of ``warmup_epochs`` (0.5 epoch of 157 steps is 79 steps).

Every bad input raises ``ValueError`` whose message names the parameter and its valid range. numpy-free, stdlib only.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from fractions import Fraction

RULES = ("linear", "sqrt", "none")
GOYAL_WARMUP_EPOCHS = 5  # Goyal et al. 2017, section 2.2: gradual warmup over the first 5 epochs
WARMUP_MAX_SHARE = 10  # a suggested warmup is at most 1/10 of the run (BERT's run_classifier warmup_proportion=0.1)
_RULE_NAMES = {
    "linear": "linear rule (Goyal et al. 2017)",
    "sqrt": "square-root rule (Krizhevsky 2014; Hoffer et al. 2017)",
    "none": "rule 'none'",
}


def _count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _rule(value) -> str:
    if value not in RULES:
        raise ValueError(f"rule must be one of 'linear', 'sqrt', 'none', got {value!r}")
    return str(value)


def _n(x: float) -> str:
    """A number for a sentence: whole numbers with thousands separators, others with 6 significant digits."""
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.6g}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {'batches' if word == 'batch' else word + 's'}"


@dataclass(frozen=True, kw_only=True)
class ScalingInput:
    """A training run and its reference point; validated on construction (counts are whole numbers >= 1)."""

    dataset_size: int  # N: samples in the training set
    epochs: int
    per_device_batch: int  # the DataLoader's batch_size on each process
    replicas: int = 1  # processes (GPUs) in data parallel: DistributedSampler's num_replicas
    grad_accum: int = 1  # gradient accumulation steps (transformers' gradient_accumulation_steps)
    drop_last: bool = False  # DistributedSampler's and DataLoader's drop_last
    ref_batch: int = 256  # the reference global batch...
    ref_lr: float = 0.1  # ...and its lr (Goyal et al.: 0.1 for 256)
    rule: str = "linear"  # "linear", "sqrt" or "none"
    warmup_epochs: float | None = None  # None: suggest (5 epochs, at most epochs / 10, when the lr is scaled up)

    def __post_init__(self):
        for name in ("dataset_size", "epochs", "per_device_batch", "replicas", "grad_accum", "ref_batch"):
            object.__setattr__(self, name, _count(name, getattr(self, name)))
        object.__setattr__(self, "ref_lr", _positive("ref_lr", self.ref_lr))
        object.__setattr__(self, "rule", _rule(self.rule))
        if not isinstance(self.drop_last, bool) and getattr(getattr(self.drop_last, "dtype", None), "kind", "") != "b":
            raise ValueError(f"drop_last must be True or False, got {self.drop_last!r}")
        object.__setattr__(self, "drop_last", bool(self.drop_last))
        w = self.warmup_epochs
        if w is not None:
            if isinstance(w, bool) or not isinstance(w, numbers.Real) or not 0 <= w <= self.epochs:
                raise ValueError(
                    f"warmup_epochs must be a number in [0, epochs] = [0, {self.epochs}] (or None to suggest one), "
                    f"got {w!r}"
                )
            object.__setattr__(self, "warmup_epochs", float(w))
        if self.drop_last and self.dataset_size // self.replicas < self.per_device_batch:
            need = self.replicas * self.per_device_batch
            raise ValueError(
                f"dataset_size must be at least replicas × per_device_batch = {self.replicas:,} × "
                f"{self.per_device_batch:,} = {need:,} with drop_last=True (each replica needs one full batch), "
                f"got {self.dataset_size:,}"
            )
        lr = scaled_lr(self.ref_lr, self.ref_batch, self.global_batch, self.rule)
        if not math.isfinite(lr):
            raise ValueError(f"ref_lr = {self.ref_lr:g} scaled by k = {self.k:g} overflows: ref_lr must be smaller")

    @property
    def global_batch(self) -> int:
        """Samples per optimizer step: ``per_device_batch × replicas × grad_accum``."""
        return self.per_device_batch * self.replicas * self.grad_accum

    @property
    def k(self) -> float:
        """``global_batch / ref_batch``."""
        return self.global_batch / self.ref_batch


@dataclass(frozen=True)
class ScalingResult:
    """The scaled lr, the warmup and the step counts for one :class:`ScalingInput` (see the module docstring)."""

    input: ScalingInput
    global_batch: int  # per_device_batch × replicas × grad_accum
    k: float  # global_batch / ref_batch
    lr: float  # the scaled (peak) lr
    samples_per_replica: int  # len(DistributedSampler): ceil(N / replicas), floor with drop_last (N with 1 replica)
    padding: int  # samples DistributedSampler repeats so each replica gets as many (drop_last=False), else 0
    dropped: int  # samples not seen in an epoch with drop_last=True (sampler tail + each replica's partial batch)
    batches_per_epoch: int  # len(DataLoader) on each process
    last_batch_size: int  # samples in each process's last batch of an epoch
    steps_per_epoch: int  # optimizer steps per epoch, as transformers' Trainer counts them
    last_step_batches: int  # batches accumulated in an epoch's last optimizer step (grad_accum unless a remainder)
    total_steps: int  # epochs × steps_per_epoch: transformers' num_training_steps (Trainer's max_steps)
    warmup_epochs: float  # as given, or the suggestion
    warmup_suggested: bool  # True when warmup_epochs was None and is the suggestion
    warmup_steps: int  # warmup_epochs × steps_per_epoch, nearest step, halves up
    warmup_start_factor: float  # min(1, ref_lr / lr): LinearLR(start_factor, total_iters=warmup_steps) from ref_lr
    notes: tuple[str, ...]  # plain sentences: how each number came about


def scaled_lr(ref_lr: float, ref_batch: int, batch: int, rule: str) -> float:
    """The lr for global batch ``batch``: ``ref_lr × k`` (linear), ``ref_lr × √k`` (sqrt) or ``ref_lr`` (none),
    ``k = batch / ref_batch``."""
    ref_lr = _positive("ref_lr", ref_lr)
    ref_batch = _count("ref_batch", ref_batch)
    batch = _count("batch", batch)
    rule = _rule(rule)
    if rule == "linear":
        return ref_lr * batch / ref_batch
    if rule == "sqrt":
        return ref_lr * math.sqrt(batch / ref_batch)
    return ref_lr


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def scale(inp: ScalingInput) -> ScalingResult:
    """Scale the lr to ``inp``'s global batch and count its steps exactly (see the module docstring)."""
    if not isinstance(inp, ScalingInput):
        raise TypeError(f"scale() takes a ScalingInput, got {type(inp).__name__}")
    N, R, b, ga, E = inp.dataset_size, inp.replicas, inp.per_device_batch, inp.grad_accum, inp.epochs
    B, k = inp.global_batch, inp.k
    lr = scaled_lr(inp.ref_lr, inp.ref_batch, B, inp.rule)
    notes: list[str] = []

    factors = [f"{b:,} per device"]
    if R > 1:
        factors.append(_plural(R, "replica"))
    if ga > 1:
        factors.append(f"{ga} accumulation steps")
    if len(factors) > 1:
        notes.append(f"Global batch = {' × '.join(factors)} = {B:,} samples per optimizer step.")
    if B == inp.ref_batch:
        notes.append(f"The global batch equals ref_batch ({B:,}): k = 1 and the lr stays {_n(inp.ref_lr)}.")
    elif inp.rule == "linear":
        notes.append(
            f"k = {B:,} / {inp.ref_batch:,} = {_n(k)}; {_RULE_NAMES['linear']}: lr = {_n(inp.ref_lr)} × {_n(k)} "
            f"= {_n(lr)}."
        )
    elif inp.rule == "sqrt":
        notes.append(
            f"k = {B:,} / {inp.ref_batch:,} = {_n(k)}; {_RULE_NAMES['sqrt']}: lr = {_n(inp.ref_lr)} × √{_n(k)} "
            f"= {_n(lr)}."
        )
    else:
        notes.append(f"k = {B:,} / {inp.ref_batch:,} = {_n(k)}; rule 'none': the lr stays {_n(inp.ref_lr)}.")

    # DistributedSampler (torch/utils/data/distributed.py, __init__ and __iter__)
    if inp.drop_last and N % R != 0:
        S = math.ceil((N - R) / R)  # torch's own expression; equals N // R
    else:
        S = math.ceil(N / R)
    padding = 0 if inp.drop_last else S * R - N
    if R > 1:
        if inp.drop_last and N % R:
            notes.append(
                f"DistributedSampler(drop_last=True) drops the last {_plural(N - S * R, 'sample')} of the shuffled "
                f"order so each of the {R:,} replicas gets floor({N:,} / {R:,}) = {S:,}."
            )
        elif padding:
            notes.append(
                f"DistributedSampler pads {_plural(padding, 'sample')} (repeated from the start of the shuffled "
                f"order) so each of the {R:,} replicas gets ceil({N:,} / {R:,}) = {S:,}."
            )
        else:
            notes.append(f"DistributedSampler gives each of the {R:,} replicas {N:,} / {R:,} = {S:,} samples.")

    # DataLoader: len(BatchSampler) (torch/utils/data/sampler.py, BatchSampler.__len__)
    who = "Each process's DataLoader" if R > 1 else "The DataLoader"
    if inp.drop_last:
        nb = S // b
        last = b
        skipped = S - nb * b
        notes.append(
            f"{who} makes floor({S:,} / {b:,}) = {_plural(nb, 'batch')} per epoch, all full"
            + (f" (drop_last=True skips the last {_plural(skipped, 'sample')})." if skipped else ".")
        )
    else:
        nb = -(-S // b)
        last = S - (nb - 1) * b
        if last == b:
            notes.append(f"{who} makes {S:,} / {b:,} = {_plural(nb, 'batch')} per epoch, all full.")
        else:
            notes.append(
                f"{who} makes ceil({S:,} / {b:,}) = {_plural(nb, 'batch')} per epoch: the last has "
                f"{_plural(last, 'sample')}."
            )
    dropped = N - R * nb * b if inp.drop_last else 0
    if dropped and R > 1:
        notes.append(f"In all, drop_last=True leaves {dropped:,} of the {N:,} samples out of each epoch.")

    # transformers' Trainer.set_initial_training_values (trainer.py) and the epoch loop's remainder
    spe = max(nb // ga + int(nb % ga > 0), 1)
    rem = nb % ga or ga
    if ga > 1:
        if nb % ga == 0:
            notes.append(
                f"{_plural(nb, 'batch')} / {ga} accumulation steps = {_plural(spe, 'optimizer step')} per epoch."
            )
        else:
            loop = (
                f"a hand-written loop that steps when (i + 1) % {ga} == 0 makes {nb // ga:,} and never applies "
                f"the last {_plural(rem, 'batch')}"
            )
            notes.append(
                f"ceil({nb:,} / {ga}) = {_plural(spe, 'optimizer step')} per epoch, as transformers' Trainer counts "
                f"them: the last step accumulates {_plural(rem, 'batch')} instead of {ga} ({loop})."
            )
    if not inp.drop_last and (R > 1 or ga > 1):
        # ceil(ceil(ceil(N / R) / b) / ga) = ceil(N / B); every step before the last sees B real samples
        real = N - (spe - 1) * B
        if real == B:
            notes.append(f"In all: {N:,} / {B:,} = {_plural(spe, 'optimizer step')} per epoch, all full.")
        else:
            pad = f" plus the {_plural(padding, 'padded repeat')}" if padding else ""
            notes.append(
                f"In all: ceil({N:,} / {B:,}) = {_plural(spe, 'optimizer step')} per epoch: the last one sees "
                f"{_plural(real, 'sample')}{pad}, not {B:,}."
            )
    total = E * spe
    notes.append(
        f"Total: {_plural(E, 'epoch')} × {spe:,} = {_plural(total, 'optimizer step')}: the num_training_steps for "
        "transformers' schedules (the Trainer's max_steps)."
    )

    # warmup (Goyal et al. 2017, section 2.2)
    suggested = inp.warmup_epochs is None
    if suggested:
        w = float(min(GOYAL_WARMUP_EPOCHS, E / WARMUP_MAX_SHARE)) if lr > inp.ref_lr else 0.0
    else:
        w = inp.warmup_epochs
    ws = _round_half_up(Fraction(repr(w)) * spe)
    start = min(1.0, inp.ref_lr / lr)
    if suggested and w == 0:
        notes.append("No warmup suggested: the lr is not scaled above ref_lr.")
    elif w == 0:
        notes.append("No warmup (warmup_epochs = 0).")
    else:
        why = ""
        if suggested:
            why = " (suggested: Goyal et al. 2017 warm up over 5 epochs when the batch grows"
            if E < GOYAL_WARMUP_EPOCHS * WARMUP_MAX_SHARE:
                why += f"; here a tenth of the {_plural(E, 'epoch')}, as BERT's warmup_proportion = 0.1"
            why += ")"
        if ws == 0:
            notes.append(f"Warmup: {_n(w)} epochs × {spe:,} steps rounds to 0 steps: no warmup{why}.")
        elif start < 1.0:
            notes.append(
                f"Warmup: {_n(w)} epochs × {spe:,} = {_plural(ws, 'step')}{why}; torch LinearLR(start_factor="
                f"{start:.6g}, total_iters={ws}) on lr {_n(lr)} rises from {_n(inp.ref_lr)} to {_n(lr)} "
                "(transformers' warmups start from 0 instead)."
            )
        else:
            notes.append(
                f"Warmup: {_n(w)} epochs × {spe:,} = {_plural(ws, 'step')}; the lr is not scaled above ref_lr, so "
                "a LinearLR warmup from ref_lr is flat (start_factor = 1)."
            )

    return ScalingResult(
        input=inp, global_batch=B, k=k, lr=lr, samples_per_replica=S, padding=padding, dropped=dropped,
        batches_per_epoch=nb, last_batch_size=last, steps_per_epoch=spe, last_step_batches=rem, total_steps=total,
        warmup_epochs=w, warmup_suggested=suggested, warmup_steps=ws, warmup_start_factor=start, notes=tuple(notes),
    )  # fmt: skip


def default_batches(inp: ScalingInput) -> list[int]:
    """Global batch sizes for a chart: ``replicas × grad_accum × 2^m`` (per-device batches 1, 2, 4, ...) up to the
    first that covers the dataset, plus ``inp``'s own global batch; those ``drop_last`` would leave without a
    single batch are left out."""
    m = inp.replicas * inp.grad_accum
    out = {inp.global_batch}
    per = 1
    while True:
        if not (inp.drop_last and inp.dataset_size // inp.replicas < per):
            out.add(per * m)
        if per * m >= inp.dataset_size or per >= 2**40:
            break
        per *= 2
    if inp.ref_batch % m == 0 and not (inp.drop_last and inp.dataset_size // inp.replicas < inp.ref_batch // m):
        out.add(inp.ref_batch)
    return sorted(out)


def table(inp: ScalingInput, batches=None, *, rules=None) -> list[ScalingResult]:
    """:func:`scale` at each global batch size in ``batches`` (default :func:`default_batches`), for a chart of lr
    against batch size. Each batch must be a multiple of ``replicas × grad_accum``: the replicas and the accumulation
    stay, the per-device batch changes. ``rules`` (default ``(inp.rule,)``) gives one row per rule and batch, rule
    by rule, e.g. ``rules=("linear", "sqrt")`` for both curves; ``warmup_epochs`` stays as given (None: suggested
    per batch)."""
    m = inp.replicas * inp.grad_accum
    batches = default_batches(inp) if batches is None else list(batches)
    for i, b in enumerate(batches):
        _count(f"batches[{i}]", b)
        if b % m:
            raise ValueError(
                f"batches[{i}] must be a multiple of replicas × grad_accum = {m:,} (the per-device batch changes), "
                f"got {b!r}"
            )
    rules = (inp.rule,) if rules is None else tuple(_rule(r) for r in rules)
    return [scale(replace(inp, per_device_batch=int(b) // m, rule=r)) for r in rules for b in batches]


def per_process_batch(global_batch: int, replicas: int = 1, grad_accum: int = 1) -> tuple[int, ...]:
    """The batch per process that gives ``global_batch`` on ``replicas`` processes with ``grad_accum`` accumulation
    steps: ``(b,)`` when it divides exactly, else the two nearest choices ``(b_low, b_high)`` (``b_low`` left out
    when it would be 0), whose global batches are ``b × replicas × grad_accum``."""
    for name, value in (("global_batch", global_batch), ("replicas", replicas), ("grad_accum", grad_accum)):
        _count(name, value)
    m = replicas * grad_accum
    low, rest = divmod(global_batch, m)
    if rest == 0:
        return (low,)
    return (low, low + 1) if low else (1,)
