"""The LR range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2015/2017, section 3.3), as
fastai 2.8 (``Learner.lr_find``) and torch-lr-finder 0.2.2 (``LRFinder.range_test`` and ``plot``) define it.

Train one mini-batch per iteration while the learning rate grows from ``start_lr`` towards ``end_lr``, record the
smoothed loss, stop when it diverges, then read suggestions off the curve of loss against lr (drawn with log x).

Conventions (``RangeTestConfig.convention``), iteration ``i = 0 .. num_it - 1``:

* ``"fastai"`` (``fastai/callback/schedule.py`` ``LRFinder`` and ``lr_find``, ``fastai/learner.py``
  ``AvgSmoothLoss`` and ``Recorder``): ``lr_i = start * (end / start) ** (i / num_it)`` (``SchedExp``; linear:
  ``start + (i / num_it) * (end - start)``, ``SchedLin``), so ``end_lr`` itself is never used. The recorded loss is
  the bias-corrected exponential average ``avg_i = beta * avg_{i-1} + (1 - beta) * loss_i`` from ``avg = 0``,
  reported as ``avg_i / (1 - beta ** (i + 1))``, ``beta = 0.98``. After each batch ``best = min(best, smoothed)``;
  the test stops when ``smoothed > 4 * best`` (that point is recorded).
* ``"torch-lr-finder"`` (``torch_lr_finder/lr_finder.py``): ``lr_i = start * (end / start) ** (i / (num_iter - 1))``
  (linear: ``start + i / (num_iter - 1) * (end - start)``), which reaches ``end_lr`` on the last iteration;
  ``loss_0`` is the raw loss, then ``smooth_f * raw + (1 - smooth_f) * previous``, ``smooth_f = 0.05``, no bias
  correction; stop (point recorded) when the smoothed loss exceeds 5 × the best smoothed loss.

Neither framework stops on ``nan`` (every comparison with it is false): nor does this module.

Suggestions (``suggest``) are computed on the recorded, smoothed curve:

* fastai's ``valley``, ``steep``, ``minimum`` and ``slide`` on ``lrs[num_it // 10:-5]`` (the same slice of the
  losses), cut at the first ``nan``;
* torch-lr-finder's ``plot(suggest_lr=True)`` "steepest gradient" on ``lrs[10:-5]`` (``skip_start=10``,
  ``skip_end=5``), which needs at least 17 recorded points.

numpy and the standard library only: no torch, fastai, streamlit or plotting here.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .mlp import BatchTrainer, TrainConfig, one_blas_thread

CONVENTIONS = ("fastai", "torch-lr-finder")
MODES = ("exp", "linear")
MIN_NUM_IT, MAX_NUM_IT = 6, 10_000  # fastai raises num_it below 6 to 6; we ask for it instead

FASTAI_BETA = 0.98  # Recorder(beta=0.98) -> AvgSmoothLoss(beta=0.98)
FASTAI_STOP_FACTOR = 4.0  # LRFinder.after_batch: smooth_loss > 4 * best_loss
FASTAI_END_SKIP = 5  # lr_find: recorder.lrs[num_it // 10:-5]
TORCH_LR_FINDER_SMOOTH_F = 0.05  # range_test(smooth_f=0.05)
TORCH_LR_FINDER_STOP_FACTOR = 5.0  # range_test(diverge_th=5)
TORCH_LR_FINDER_SKIP_START, TORCH_LR_FINDER_SKIP_END = 10, 5  # plot(skip_start=10, skip_end=5)
SLIDE_LR_DIFF, SLIDE_THRESH = 15, 0.005  # fastai slide(lr_diff=15, thresh=.005, adjust_value=1.)

SUGGESTION_KEYS = ("valley", "steep", "minimum", "slide", "steepest_gradient")
CYCLIC_RULES = ("valley_span", "max_over_4", "max_over_3")
MAX_PLAYGROUND_SAMPLES = 1_000_000  # num_it × batch_size: about 1.5 s on a 2-core machine
MAX_LR_DIVISOR = 2  # see cyclic_bounds: max_lr is half the lr where the smoothed loss stops falling
VALLEY_FALL_FRACTION = 0.1  # cyclic_bounds("valley_span"): the loss "starts to fall" once it is a tenth of the way down

FASTAI_SOURCE = "fastai lr_find"
TORCH_LR_FINDER_SOURCE = "torch-lr-finder plot"


def _fmt(x: float) -> str:
    return f"{x:.3g}"


@dataclass(frozen=True)
class RangeTestConfig:
    """One range test: ``num_it`` iterations from ``start_lr`` towards ``end_lr`` (see the module docstring for how
    each ``convention`` spaces them and smooths the loss). ``stop_div`` stops at the first diverging point."""

    start_lr: float = 1e-7
    end_lr: float = 10.0
    num_it: int = 100
    mode: str = "exp"  # "exp" (geometric sweep) or "linear"
    convention: str = "fastai"  # "fastai" or "torch-lr-finder"
    stop_div: bool = True

    def __post_init__(self):
        if self.convention not in CONVENTIONS:
            raise ValueError(f"convention must be one of {', '.join(map(repr, CONVENTIONS))}, got {self.convention!r}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be 'exp' or 'linear', got {self.mode!r}")
        num_it = self.num_it
        if not isinstance(num_it, (int, np.integer)) or isinstance(num_it, bool):
            raise ValueError(f"num_it must be a whole number from {MIN_NUM_IT} to {MAX_NUM_IT:,}, got {num_it!r}")
        if not MIN_NUM_IT <= num_it <= MAX_NUM_IT:
            raise ValueError(f"num_it must be from {MIN_NUM_IT} to {MAX_NUM_IT:,} (fastai raises fewer than "
                             f"{MIN_NUM_IT} to {MIN_NUM_IT}), got {num_it}")
        object.__setattr__(self, "num_it", int(num_it))
        for name in ("start_lr", "end_lr"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value}")
            object.__setattr__(self, name, float(value))
        if self.mode == "exp" and self.start_lr <= 0:
            raise ValueError(f"start_lr must be > 0 for an exponential sweep, got {self.start_lr}")
        if self.mode == "linear" and self.start_lr < 0:
            raise ValueError(f"start_lr must be >= 0 for a linear sweep, got {self.start_lr}")
        if self.end_lr <= self.start_lr:
            raise ValueError(f"end_lr must be greater than start_lr ({self.start_lr:g}), got {self.end_lr:g}")
        if not isinstance(self.stop_div, (bool, np.bool_)):
            raise ValueError(f"stop_div must be True or False, got {self.stop_div!r}")
        object.__setattr__(self, "stop_div", bool(self.stop_div))

    @property
    def stop_factor(self) -> float:
        """The test stops when the smoothed loss exceeds this many times the best smoothed loss so far."""
        return FASTAI_STOP_FACTOR if self.convention == "fastai" else TORCH_LR_FINDER_STOP_FACTOR

    @property
    def smoothing_rule(self) -> str:
        """How the recorded loss is smoothed, in one sentence."""
        if self.convention == "fastai":
            return (f"fastai's AvgSmoothLoss: exponential average with beta {FASTAI_BETA}, bias-corrected "
                    f"(divided by 1 - {FASTAI_BETA}^(i + 1))")
        return (f"torch-lr-finder: the first loss as is, then {TORCH_LR_FINDER_SMOOTH_F} × loss + "
                f"{1 - TORCH_LR_FINDER_SMOOTH_F:g} × the previous smoothed loss (no bias correction)")


def sweep_lrs(config: RangeTestConfig) -> np.ndarray:
    """The ``num_it`` learning rates of the sweep, float64, in the convention's exact arithmetic (Python floats, as
    the frameworks compute them): fastai at ``pos = i / num_it``, torch-lr-finder at ``pos = i / (num_it - 1)``,
    ``start * (end / start) ** pos`` (exp) or ``start + pos * (end - start)`` (linear)."""
    start, end, n = config.start_lr, config.end_lr, config.num_it
    denominator = n if config.convention == "fastai" else n - 1
    if config.mode == "exp":
        values = [start * (end / start) ** (i / denominator) for i in range(n)]
    else:
        values = [start + (i / denominator) * (end - start) for i in range(n)]
    return np.array(values, dtype=np.float64)


class _Smoother:
    """The convention's running smoothed loss: call it with each raw loss in turn."""

    def __init__(self, convention: str):
        self.fastai = convention == "fastai"
        self.count = 0
        self.value = 0.0

    def __call__(self, loss: float) -> float:
        self.count += 1
        if self.fastai:
            # AvgSmoothLoss.accumulate: val = torch.lerp(loss, val, beta); value = val / (1 - beta ** count)
            self.value = FASTAI_BETA * self.value + (1.0 - FASTAI_BETA) * loss
            return self.value / (1.0 - FASTAI_BETA ** self.count)
        if self.count == 1:
            self.value = loss
        else:
            self.value = TORCH_LR_FINDER_SMOOTH_F * loss + (1 - TORCH_LR_FINDER_SMOOTH_F) * self.value
        return self.value


class _DivergenceWatch:
    """``best = min(best, smoothed)`` then ``smoothed > factor * best``, as both frameworks check after each batch
    (``nan`` never updates ``best`` and never diverges: comparisons with it are false)."""

    def __init__(self, factor: float):
        self.factor = factor
        self.best = math.inf

    def __call__(self, smoothed: float) -> bool:
        if smoothed < self.best:
            self.best = smoothed
        return smoothed > self.factor * self.best


def smooth(raw: Sequence[float] | np.ndarray, config: RangeTestConfig) -> np.ndarray:
    """The smoothed losses the convention records for the raw batch losses ``raw`` (float64, same length)."""
    smoother = _Smoother(config.convention)
    with np.errstate(all="ignore"):
        return np.array([smoother(float(x)) for x in np.asarray(raw, dtype=np.float64).ravel()], dtype=np.float64)


def divergence_index(smoothed: Sequence[float] | np.ndarray, factor: float) -> int | None:
    """The first index where the smoothed loss exceeds ``factor`` × the lowest smoothed loss up to and including it,
    i.e. where the test stops (that point is recorded); ``None`` if it never does."""
    watch = _DivergenceWatch(float(factor))
    for i, value in enumerate(np.asarray(smoothed, dtype=np.float64).ravel().tolist()):
        if watch(value):
            return i
    return None


@dataclass(frozen=True)
class Suggestion:
    """One suggested learning rate, and where to mark it on the curve of loss against lr.

    ``index`` is the marker's index into the recorded arrays (``RangeTestResult.lrs``); fastai's ``minimum`` is
    drawn at the lr of the lowest loss, ten times the suggested ``lr``; ``slide`` is drawn at the loss interpolated
    at its lr. ``span`` (valley only) is fastai's longest valley: (index where it starts, index where it ends).
    """

    key: str
    label: str
    lr: float
    marker_lr: float
    marker_loss: float
    index: int
    rule: str
    source: str
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class RangeTestResult:
    """A finished range test: one entry per recorded iteration (up to and including the stopping point).

    ``raw_losses`` is ``None`` for a table analysed as already smoothed. ``num_it`` is the value the fastai
    suggestion window was cut with (``config.num_it`` for a run, the table's row count for ``analyze``).
    """

    config: RangeTestConfig
    lrs: np.ndarray
    raw_losses: np.ndarray | None
    smoothed: np.ndarray
    stopped_at: int | None
    stop_reason: str
    suggestions: list[Suggestion]
    notes: list[str] = field(default_factory=list)
    num_it: int = 0

    def suggestion(self, key: str) -> Suggestion | None:
        """The suggestion with this key, or ``None`` if it could not be made (see ``notes``)."""
        return next((s for s in self.suggestions if s.key == key), None)


# --- suggestions -------------------------------------------------------------------------------------------------


def _nearest_index(lrs: np.ndarray, lr: float) -> int:
    """fastai's ``min(range(len(lrs)), key=lambda i: abs(lrs[i] - lr))``: the first index of the nearest lr."""
    return int(np.argmin(np.abs(lrs - lr)))


def _longest_valley(losses: np.ndarray) -> tuple[int, int]:
    """fastai's ``valley`` search, ``(max_start, max_end)``, in O(n log n) instead of its O(n²) double loop.

    In fastai, ``lds[i]`` is the length of the longest strictly decreasing subsequence ending at ``i``, ``max_end``
    the first index where ``lds`` is largest, and ``max_start = max_end - lds[max_end]``: one before the first point
    such a subsequence could start at, so -1 when it starts at 0. (fastai updates ``max_end``/``max_start`` inside
    its inner loop, but ``lds[i]`` can exceed the record ``max(lds[:i])`` by one at most, so the update always sees
    the final ``lds[i]``.) Until some ``lds`` reaches 2, both stay 0. Here ``lds`` comes from patience sorting on
    the negated losses.
    """
    tails: list[float] = []  # tails[k]: the smallest last -loss of a decreasing run of length k + 1 seen so far
    max_start = max_end = 0  # fastai's initial values, kept while no run longer than 1 appears
    best_length = 1
    for i, value in enumerate((-losses).tolist()):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
        else:
            tails[k] = value
        if k + 1 > best_length:
            best_length, max_end, max_start = k + 1, i, i - (k + 1)
    return max_start, max_end


def _fastai_window(losses: np.ndarray, num_it: int) -> tuple[np.ndarray, bool]:
    """(indices of the points fastai's suggestions look at, whether a nan cut them short): ``[num_it // 10:-5]`` of
    the recorded points, up to the first ``nan`` among them."""
    positions = np.arange(losses.size)[num_it // 10:-FASTAI_END_SKIP]
    nan_at = np.flatnonzero(np.isnan(losses[positions]))
    if nan_at.size:
        return positions[:nan_at[0]], True
    return positions, False


def _fastai_suggestions(lrs: np.ndarray, losses: np.ndarray, num_it: int, keys) -> tuple[list[Suggestion], list[str]]:
    n = lrs.size
    positions, cut_at_nan = _fastai_window(losses, num_it)
    window_text = (f"fastai's window skips the first num_it // 10 = {num_it // 10} and the last {FASTAI_END_SKIP} "
                   f"of the {n} recorded points")
    w_lrs, w_losses = lrs[positions], losses[positions]
    reasons: list[str] = []
    m = positions.size
    if m == 0:
        why = (f"{window_text}, which leaves none" + (" before the first nan" if cut_at_nan else "")
               + ": no fastai suggestion (the test stopped too early; lower start_lr or raise num_it)")
        return [], [why]
    out: list[Suggestion] = []
    offset = int(positions[0])

    if "valley" in keys:
        max_start, max_end = _longest_valley(w_losses)
        sections = (max_end - max_start) / 3
        idx = max_start + int(sections) + int(sections / 2)
        idx %= m  # fastai indexes a tensor: -1 is the last point
        span = (offset + max(max_start, 0), offset + max_end)
        out.append(Suggestion(
            key="valley", label="valley", lr=float(w_lrs[idx]), marker_lr=float(w_lrs[idx]),
            marker_loss=float(w_losses[idx]), index=offset + idx, span=span, source=FASTAI_SOURCE,
            rule=(f"fastai's valley: the longest run of falling loss (longest decreasing subsequence) spans lr "
                  f"{_fmt(lrs[span[0]])} to {_fmt(lrs[span[1]])}; the suggestion sits half-way along it "
                  f"(start + ⌊span / 3⌋ + ⌊span / 6⌋ points)")))

    if "steep" in keys:
        if m < 2:
            reasons.append(f"steep needs 2 points in the window, got {m} ({window_text})")
        else:
            with np.errstate(all="ignore"):
                slopes = (w_losses[1:] - w_losses[:-1]) / (np.log(w_lrs[1:]) - np.log(w_lrs[:-1]))
            lr_steep = float(w_lrs[int(np.argmin(slopes))])
            idx = _nearest_index(w_lrs, lr_steep)
            out.append(Suggestion(
                key="steep", label="steep", lr=lr_steep, marker_lr=lr_steep, marker_loss=float(w_losses[idx]),
                index=offset + idx, source=FASTAI_SOURCE,
                rule=("fastai's steep: where the loss falls fastest, the most negative slope of loss against log lr "
                      "between neighbouring points (the lower lr of the pair)")))

    if "minimum" in keys:
        lr_min = float(w_lrs[int(np.argmin(w_losses))])
        idx = _nearest_index(w_lrs, lr_min)
        out.append(Suggestion(
            key="minimum", label="minimum / 10", lr=lr_min / 10, marker_lr=lr_min, marker_loss=float(w_losses[idx]),
            index=offset + idx, source=FASTAI_SOURCE,
            rule=f"fastai's minimum: the lowest smoothed loss is at lr {_fmt(lr_min)}; the suggestion is a tenth of it",
        ))

    if "slide" in keys:
        if m < SLIDE_LR_DIFF + 1:
            reasons.append(f"slide needs {SLIDE_LR_DIFF + 1} points in the window, got {m} ({window_text})")
        else:
            gradient = np.gradient(w_losses)
            right, left = -1, -1 - SLIDE_LR_DIFF
            local_min_lr = w_lrs[left]
            while left >= -m and abs(gradient[right] - gradient[left]) > SLIDE_THRESH:
                local_min_lr = w_lrs[left]
                right -= 1
                left -= 1
            lr_slide = float(local_min_lr) * 1.0
            with np.errstate(all="ignore"):
                loss_at = float(np.interp(np.log10(lr_slide), np.log10(w_lrs), w_losses))
            out.append(Suggestion(
                key="slide", label="slide", lr=lr_slide, marker_lr=lr_slide, marker_loss=loss_at,
                index=offset + _nearest_index(w_lrs, lr_slide), source=FASTAI_SOURCE,
                rule=(f"fastai's slide: from the high end, slide a {SLIDE_LR_DIFF}-point interval down until the "
                      f"loss gradients at its two ends differ by at most {SLIDE_THRESH}; its left end")))
    return out, reasons


def _torch_lr_finder_suggestion(lrs: np.ndarray, losses: np.ndarray) -> tuple[list[Suggestion], list[str]]:
    need = TORCH_LR_FINDER_SKIP_START + TORCH_LR_FINDER_SKIP_END + 2
    if lrs.size < need:
        return [], [f"torch-lr-finder's steepest gradient needs at least {need} recorded points (skip_start "
                    f"{TORCH_LR_FINDER_SKIP_START} + skip_end {TORCH_LR_FINDER_SKIP_END} + 2), got {lrs.size}"]
    window = slice(TORCH_LR_FINDER_SKIP_START, -TORCH_LR_FINDER_SKIP_END)
    with np.errstate(all="ignore"):
        idx = int(np.gradient(losses[window]).argmin())  # as plot(): a nan gradient wins the argmin
    index = TORCH_LR_FINDER_SKIP_START + idx
    return [Suggestion(
        key="steepest_gradient", label="steepest gradient", lr=float(lrs[index]), marker_lr=float(lrs[index]),
        marker_loss=float(losses[index]), index=index, source=TORCH_LR_FINDER_SOURCE,
        rule=(f"torch-lr-finder's plot: the most negative np.gradient of the loss (per point, not per lr) after "
              f"skipping the first {TORCH_LR_FINDER_SKIP_START} and last {TORCH_LR_FINDER_SKIP_END} points"))], []


def suggest(
    lrs: Sequence[float] | np.ndarray,
    smoothed: Sequence[float] | np.ndarray,
    num_it: int,
    *,
    keys: Sequence[str] = SUGGESTION_KEYS,
) -> tuple[list[Suggestion], list[str]]:
    """The suggestions named in ``keys`` for a recorded curve (in ``SUGGESTION_KEYS`` order), and one plain sentence
    for each suggestion that could not be made (too few points, all ``nan``). Never raises on short or ``nan`` data.

    fastai's are cut from ``[num_it // 10:-5]`` of the recorded points (``num_it`` as given to ``lr_find``);
    torch-lr-finder's from ``[10:-5]``.
    """
    unknown = [k for k in keys if k not in SUGGESTION_KEYS]
    if unknown:
        raise ValueError(f"keys must be among {', '.join(SUGGESTION_KEYS)}, got {unknown[0]!r}")
    lrs = np.asarray(lrs, dtype=np.float64).ravel()
    losses = np.asarray(smoothed, dtype=np.float64).ravel()
    if lrs.size != losses.size:
        raise ValueError(f"lrs and smoothed must have the same length, got {lrs.size} and {losses.size}")
    suggestions, reasons = _fastai_suggestions(lrs, losses, int(num_it), set(keys))
    if "steepest_gradient" in keys:
        more, why = _torch_lr_finder_suggestion(lrs, losses)
        suggestions += more
        reasons += why
    suggestions.sort(key=lambda s: SUGGESTION_KEYS.index(s.key))
    return suggestions, reasons


# --- running and analysing ---------------------------------------------------------------------------------------


def _finish(config: RangeTestConfig, lrs: np.ndarray, raw: np.ndarray | None, smoothed: np.ndarray,
            stopped_at: int | None, num_it: int, notes: list[str]) -> RangeTestResult:
    n = lrs.size
    factor = _fmt(config.stop_factor)
    if stopped_at is not None:
        best = float(np.nanmin(smoothed[:stopped_at + 1]))
        stop_reason = (f"Stopped at iteration {stopped_at + 1} of {num_it} (lr {_fmt(lrs[stopped_at])}): the smoothed "
                       f"loss {_fmt(smoothed[stopped_at])} passed {factor} × the best, {_fmt(best)}.")
    elif config.stop_div:
        stop_reason = f"Ran all {n} iterations: the smoothed loss never passed {factor} × its best."
    else:
        stop_reason = f"Ran all {n} iterations (stop_div is off)."
    nan_at = np.flatnonzero(np.isnan(smoothed))
    if nan_at.size:
        first = int(nan_at[0])
        notes.append(f"The smoothed loss is nan from iteration {first + 1} (lr {_fmt(lrs[first])}) on; neither "
                     f"framework stops on nan; fastai's suggestions use the points before it.")
    suggestions, reasons = suggest(lrs, smoothed, num_it)
    return RangeTestResult(config=config, lrs=lrs, raw_losses=raw, smoothed=smoothed, stopped_at=stopped_at,
                           stop_reason=stop_reason, suggestions=suggestions, notes=notes + reasons, num_it=num_it)


def run(
    step: Callable[[float], float],
    config: RangeTestConfig | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> RangeTestResult:
    """Run the range test: for each lr of ``sweep_lrs(config)`` in turn, ``step(lr)`` trains one batch at that lr and
    returns the batch loss computed before the update; the loss is smoothed, recorded, and the test stops after the
    first diverging point when ``config.stop_div``. ``on_progress(fraction)`` follows every iteration
    (``(i + 1) / num_it``, and 1.0 when it stops early)."""
    config = config or RangeTestConfig()
    planned = sweep_lrs(config)
    smoother = _Smoother(config.convention)
    diverged = _DivergenceWatch(config.stop_factor)
    raw, smoothed = [], []
    stopped_at = None
    with np.errstate(all="ignore"), one_blas_thread():
        for i, lr in enumerate(planned.tolist()):
            loss = float(step(lr))
            raw.append(loss)
            smoothed.append(smoother(loss))
            if diverged(smoothed[-1]) and config.stop_div:
                stopped_at = i
                break
            if on_progress is not None:
                on_progress((i + 1) / config.num_it)
    if stopped_at is not None and on_progress is not None:
        on_progress(1.0)
    notes = []
    if config.convention == "fastai":
        notes.append(f"fastai spaces the lrs at i / num_it: the last planned lr is {_fmt(planned[-1])}, one step "
                     f"short of end_lr {_fmt(config.end_lr)}.")
    return _finish(config, planned[:len(raw)], np.array(raw), np.array(smoothed), stopped_at, config.num_it, notes)


def playground_stepper(train_config: TrainConfig | None = None) -> Callable[[float], float]:
    """A ``step(lr) -> loss`` for ``run``: the playground MLP from its seed, trained one batch per call exactly as
    ``mlp.train`` trains it (same init, same per-epoch shuffled batches, cycling into new epochs, same optimizer)."""
    return BatchTrainer(train_config or TrainConfig()).step


def run_playground(
    train_config: TrainConfig | None = None,
    config: RangeTestConfig | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> RangeTestResult:
    """``run(playground_stepper(train_config), config, on_progress)``: the range test on the playground MLP.
    ``ValueError`` (before any training) when ``num_it × batch_size`` is over ``MAX_PLAYGROUND_SAMPLES``."""
    check_playground_size(train_config or TrainConfig(), config or RangeTestConfig())
    return run(playground_stepper(train_config), config, on_progress)


def check_playground_size(train_config: TrainConfig, config: RangeTestConfig) -> None:
    """A test longer than ``MAX_PLAYGROUND_SAMPLES`` images is refused, naming num_it and batch_size."""
    samples = config.num_it * train_config.batch_size
    if samples > MAX_PLAYGROUND_SAMPLES:
        raise ValueError(f"num_it {config.num_it:,} × batch_size {train_config.batch_size:,} = {samples:,} images; "
                         f"the playground's range test trains on at most {MAX_PLAYGROUND_SAMPLES:,}: lower num_it or "
                         "batch_size")


def analyze(
    lrs: Sequence[float] | np.ndarray,
    losses: Sequence[float] | np.ndarray,
    *,
    already_smoothed: bool = False,
    config: RangeTestConfig | None = None,
) -> RangeTestResult:
    """Analyse an uploaded (lr, loss) table: smooth the losses per ``config.convention`` (unless
    ``already_smoothed``, e.g. fastai's ``recorder.losses`` or torch-lr-finder's ``history["loss"]``), stop at the
    first diverging row when ``config.stop_div`` (later rows are dropped, with a note), and suggest. The fastai
    window uses ``num_it`` = the number of rows. Only ``convention`` and ``stop_div`` of ``config`` are used.

    ``lrs`` must be finite, >= 0, never going down and not constant (equal neighbours are fine), with one loss per
    lr (rows are counted from 1 in messages); losses may hold ``inf`` or ``nan``.
    """
    config = config or RangeTestConfig()
    lrs = np.asarray(lrs, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"lrs must be a non-empty list of numbers, got shape {lrs.shape}")
    if losses.shape != lrs.shape:
        raise ValueError(f"losses must hold one value per lr ({lrs.size}), got shape {losses.shape}")
    if not np.isfinite(lrs).all() or (lrs < 0).any():
        raise ValueError("lrs must be finite and >= 0")
    if (np.diff(lrs) < 0).any():
        row = int(np.flatnonzero(np.diff(lrs) < 0)[0]) + 1
        raise ValueError(f"lrs must never go down, but row {row + 1} ({lrs[row]:g}) is below the row before it "
                         f"({lrs[row - 1]:g})")
    if lrs[-1] == lrs[0]:
        raise ValueError(f"lrs must sweep upward, but every row has lr {lrs[0]:g}")
    rows = lrs.size
    smoothed = losses.copy() if already_smoothed else smooth(losses, config)
    raw = None if already_smoothed else losses.copy()
    notes = []
    stopped_at = divergence_index(smoothed, config.stop_factor) if config.stop_div else None
    if stopped_at is not None and stopped_at < rows - 1:
        notes.append(f"Rows {stopped_at + 2} to {rows} are ignored: the test stops on divergence at row "
                     f"{stopped_at + 1}.")
        lrs, smoothed = lrs[:stopped_at + 1], smoothed[:stopped_at + 1]
        raw = None if raw is None else raw[:stopped_at + 1]
    return _finish(config, lrs, raw, smoothed, stopped_at, rows, notes)


# --- carrying a suggestion into a schedule -----------------------------------------------------------------------


def one_cycle_max_lr(result: RangeTestResult, key: str = "valley") -> float:
    """The lr of the suggestion ``key``, to use as OneCycleLR's ``max_lr``; ``ValueError`` if it was not made."""
    chosen = result.suggestion(key)
    if chosen is None:
        raise ValueError(f"no {key!r} suggestion for this range test: " + ("; ".join(result.notes) or "none made"))
    return chosen.lr


def cyclic_bounds(result: RangeTestResult, rule: str = "valley_span") -> tuple[float, float, str]:
    """(base_lr, max_lr, a sentence explaining them) for CyclicLR, by Smith's rules (2017, section 3.3: base_lr where
    the loss starts to fall, max_lr where it stops falling; or max_lr the largest lr that converges, base_lr a third or
    a quarter of it). All read the smoothed loss in fastai's suggestion window (``[num_it // 10:-5]``, cut at nan):

    * ``"valley_span"``: the loss stops falling at the end of fastai's longest valley (``valley.span[1]``: where the
      longest decreasing run of the loss stops). The valley's own start is a poor "starts to fall" on a noisy
      plateau (a decreasing run through noise can begin decades early), so base_lr is taken where the loss has
      fallen ``VALLEY_FALL_FRACTION`` (a tenth) of the way from its highest point before the valley's end down to
      that end: the first point after the highest one with ``loss <= top - 0.1 * (top - bottom)``.
    * ``"max_over_4"`` / ``"max_over_3"``: the largest lr that still converges is taken at the lowest smoothed loss
      (the marker of fastai's ``minimum``); base_lr = max_lr / 4 or / 3.

    max_lr is half the lr where the smoothed loss stops falling (``MAX_LR_DIVISOR``), in every rule: the smoothed
    loss lags the raw one by tens of iterations, so that lr is already at the edge of divergence (on the playground,
    CyclicLR up to it reaches 61-65 % validation accuracy, up to half of it 93-96 %), and Smith's rule of thumb
    puts the optimum "within a factor of two of the largest one that converges". ``ValueError``
    when the suggestion a rule needs could not be made, or the loss never falls.
    """
    if rule not in CYCLIC_RULES:
        raise ValueError(f"rule must be one of {', '.join(CYCLIC_RULES)}, got {rule!r}")
    if rule == "valley_span":
        valley = result.suggestion("valley")
        if valley is None:
            raise ValueError("no valley in this range test: " + ("; ".join(result.notes) or "none found"))
        end = valley.span[1]
        positions, _ = _fastai_window(result.smoothed, result.num_it)
        before_end = positions[positions <= end]
        top = int(before_end[np.argmax(result.smoothed[before_end])])
        top_loss, bottom_loss = result.smoothed[top], result.smoothed[end]
        threshold = top_loss - VALLEY_FALL_FRACTION * (top_loss - bottom_loss)
        falling = [i for i in range(top + 1, end + 1) if result.smoothed[i] <= threshold]
        if not top_loss > bottom_loss or not falling:
            raise ValueError("the smoothed loss never falls in this range test: no range to cycle over")
        base_lr, stops = float(result.lrs[falling[0]]), float(result.lrs[end])
        max_lr = stops / MAX_LR_DIVISOR
        why = (f"base_lr {_fmt(base_lr)} is where the loss starts to fall; it stops falling at {_fmt(stops)} (the "
               "end of the longest valley), and max_lr is half of that: the smoothed loss lags, and the optimum is "
               "within a factor of two of the largest lr that converges (Smith 2017, section 3.3).")
        if base_lr >= max_lr:  # a fall that starts late (a coarse linear sweep): no range below half its end
            base_lr = max_lr / 4
            why = (f"The loss starts to fall at {_fmt(float(result.lrs[falling[0]]))}, above max_lr {_fmt(max_lr)} "
                   f"(half of {_fmt(stops)}, where it stops falling: the smoothed loss lags, and the optimum is "
                   "within a factor of two of the largest lr that converges, Smith 2017, section 3.3), so base_lr "
                   f"is a quarter of max_lr, {_fmt(base_lr)}, Smith's other rule.")
        return base_lr, max_lr, why
    minimum = result.suggestion("minimum")
    if minimum is None:
        raise ValueError("no minimum in this range test: " + ("; ".join(result.notes) or "none found"))
    divisor = 4 if rule == "max_over_4" else 3
    largest = minimum.marker_lr
    max_lr = largest / MAX_LR_DIVISOR
    return max_lr / divisor, max_lr, (f"The lowest loss, at lr {_fmt(largest)}, marks the largest lr that still "
                                      f"converges; max_lr {_fmt(max_lr)} is half of it (the optimum is within a "
                                      f"factor of two, Smith 2017, section 3.3) and base_lr a "
                                      f"{'quarter' if divisor == 4 else 'third'} of max_lr.")
