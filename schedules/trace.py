"""``trace``: a metric-driven scheduler's run explained: its state after every step and each rule that fired.

>>> tr = schedules.trace("torch.ReduceLROnPlateau", {"patience": 5}, steps=100, metrics=val_losses)
>>> tr.lr                                   # schedules.compute(...) for the same inputs, bit for bit
>>> [(e.step, e.kind, e.rule) for e in tr.events]
>>> tr.events[0].detail                     # '6 steps in a row without beating the best 0.4123 by the threshold ...'

The state machines are not copied here: the engine's own replays (``plateau_replay``, ``greedy_replay``) run with
a ``Recorder``, which collects the state after each step and what happened each time patience ran out. This module
only turns those records into arrays, events and sentences. Pure numpy and the standard library.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from .engine import prepare
from .errors import ScheduleError
from .spec import registry
from .torch_schedules import plateau_replay
from .transformers_schedules import greedy_replay

# The replays that can record, and which state machine they are
REPLAYS = {plateau_replay: "plateau", greedy_replay: "greedy"}

KINDS = ("reduce", "increase", "skipped_eps", "clamped_min", "clamped_max", "reset")
"""Event kinds: the lr went down / up; a change smaller than eps was skipped; the lr was already at (or beyond)
min_lr / max_lr, so the rule fired without a change; GreedyLR returned to its initial state."""
RULES = ("patience", "eps", "min_lr", "max_lr", "reset_start")
"""Event rules: the parameter that decided what happened (patience for every reduction or increase)."""


@dataclass(frozen=True)
class Event:
    """Something a rule did at ``step``: the lr in effect from ``step`` on went (or would have gone) from
    ``old_lr`` to ``new_lr``. ``detail`` says why in one sentence, with the numbers. ``explain`` is that sentence
    or a function writing it when ``detail`` is first read (a long noisy run can have 100,000 events)."""

    step: int
    kind: str  # one of KINDS
    old_lr: float
    new_lr: float
    rule: str  # one of RULES
    explain: str | Callable[[], str] = field(repr=False, compare=False)

    @cached_property
    def detail(self) -> str:
        return self.explain if isinstance(self.explain, str) else self.explain()

    def as_dict(self) -> dict:
        """step, kind, old_lr, new_lr, rule and detail (e.g. for JSON)."""
        return {"step": self.step, "kind": self.kind, "old_lr": self.old_lr, "new_lr": self.new_lr,
                "rule": self.rule, "detail": self.detail}


@dataclass(frozen=True, eq=False)
class Trace:
    """A metric-driven scheduler's run. Per-step arrays have one value per step ``t``: the state after the
    ``t``-th ``scheduler.step(metrics[t - 1])`` (index 0: right after construction); they equal the library's
    own attributes read after each step (``best``, ``num_bad_epochs``, ``cooldown_counter``; GreedyLR's
    ``num_good_epochs``, ``warmup_counter`` and ``reset_start`` too)."""

    name: str
    params: dict  # validated, defaults filled in
    lr: np.ndarray  # (steps,): schedules.compute for the same inputs
    metric: np.ndarray  # the value step t compared: metrics[t - 1] (GreedyLR smooth=True: the rolling mean); NaN at 0
    bar: np.ndarray  # what metric[t] had to beat to count as better (from best[t - 1]); NaN where not compared
    best: np.ndarray  # float
    num_bad: np.ndarray  # int: num_bad_epochs
    cooldown: np.ndarray  # int: cooldown_counter
    improved: np.ndarray  # bool: metric[t] counted as better (and became the best)
    events: list[Event]
    cooldown_spans: list[tuple[int, int]]  # (start, end): the steps start <= t < end run in cooldown
    num_good: np.ndarray | None = None  # GreedyLR: num_good_epochs
    warmup: np.ndarray | None = None  # GreedyLR: warmup_counter
    reset_left: np.ndarray | None = None  # GreedyLR: reset_start (reductions at min_lr left before a reset)
    warmup_spans: list[tuple[int, int]] = field(default_factory=list)  # GreedyLR: the steps run in warmup

    @property
    def steps(self) -> int:
        return int(self.lr.shape[0])

    def __repr__(self) -> str:
        kinds = {}
        for e in self.events:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
        return f"Trace({self.name!r}, steps={self.steps}, events={kinds})"


class Recorder:
    """What a replay appends to when it is given one: ``states`` (one tuple per step, index 0 the initial
    state) and ``fires`` (one tuple each time patience runs out); see the replays' docstrings for the fields."""

    def __init__(self):
        self.states: list[tuple] = []
        self.fires: list[tuple] = []


def traceable() -> list[str]:
    """The scheduler names ``trace`` accepts: the metric-driven ones."""
    return [name for name, spec in registry().items() if spec.compute in REPLAYS]


def trace(name: str, params=None, *, steps: int, base_lr=0.1, metrics) -> Trace:
    """Run a metric-driven scheduler like ``compute`` and explain it: the state after every step, every lr change
    (or rule that fired without one) as an ``Event``, and the cooldown / warmup spans. Validation, errors and
    metrics handling are compute's; ``base_lr`` must be one number (one parameter group)."""
    spec = registry().get(name) if isinstance(name, str) else None
    if spec is not None and spec.compute not in REPLAYS:
        raise ScheduleError(f"{name} is not driven by a metric: only metric-driven schedulers can be traced "
                            f"({', '.join(traceable())})", "name")
    child, ctx, scalar = prepare(name, params, steps=steps, base_lr=base_lr, metrics=metrics)
    if not scalar:
        raise ScheduleError(f"{name}: trace follows one parameter group: pass base_lr as a number, not a list",
                            "base_lr")
    recorder = Recorder()
    with _collector_paused(), np.errstate(all="ignore"):
        lr = child.spec.compute(child.params, ctx, recorder=recorder)[0]
        if REPLAYS[child.spec.compute] == "plateau":
            return _plateau(name, child.params, lr, recorder)
        return _greedy(name, child.params, lr, float(ctx.base[0]), recorder)


@contextmanager
def _collector_paused():
    """Millions of small acyclic records (a tuple per step, an event per rule that fired) would make the cyclic
    garbage collector run over and over for nothing: two thirds of a long trace's time. It is paused meanwhile
    (and left enabled afterwards if it was)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ------------------------------------------------------------------------------------------------ arrays


def _columns(states: list[tuple], dtypes) -> list[np.ndarray]:
    """The recorded per-step tuples as one array per field."""
    table = np.fromiter(states, np.dtype([(f"f{i}", d) for i, d in enumerate(dtypes)]), len(states))
    return [np.ascontiguousarray(table[f"f{i}"]) for i in range(len(dtypes))]


def _bar(p, best: np.ndarray) -> np.ndarray:
    """What the value after each step had to beat, from the best before it (the library's is_better)."""
    thr, rel = p["threshold"], p["threshold_mode"] == "rel"
    if p["mode"] == "min":
        bar = best * (1.0 - thr) if rel else best - thr
    else:
        bar = best * (thr + 1.0) if rel else best + thr
    return np.concatenate(([math.nan], bar[:-1]))


def _spans(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _held(counter: np.ndarray) -> np.ndarray:
    """Steps t >= 1 that started with the counter above 0 (so ran in cooldown / warmup)."""
    return np.concatenate(([False], counter[:-1] > 0))


# ----------------------------------------------------------------------------------------------- wording


def _num(x: float, digits: int = 6) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def _two(a: float, b: float) -> tuple[str, str]:
    """a and b with just enough digits to tell them apart."""
    for digits in (6, 9, 12, 17):
        sa, sb = _num(a, digits), _num(b, digits)
        if sa != sb or a == b:
            break
    return sa, sb


def _steps(n: int) -> str:
    return "1 step" if n == 1 else f"{n} steps in a row"


def _threshold(p) -> str:
    return f"{p['mode']}, {p['threshold_mode']} {p['threshold']:g}"


def _stalled(p, t: int, best: float, bar: float, metric: np.ndarray, smoothed: bool) -> str:
    """Why patience ran out at step t: its patience + 1 values did not beat the best."""
    n = p["patience"] + 1
    what = "the rolling mean " if smoothed else ""
    if math.isfinite(best):
        sb, sbar = _two(best, bar)
        text = (f"{_steps(n)} without {what}beating the best {sb} by the threshold ({_threshold(p)}: needs "
                f"{'<' if p['mode'] == 'min' else '>'} {sbar})")
    else:
        text = f"{_steps(n)} without {what}a value that counts as better (no best value yet)"
    nans = int(np.isnan(metric[t - n + 1:t + 1]).sum())
    if nans:
        text += f" ({'all' if nans == n else nans} of them NaN, which never counts as better)"
    return text + f": more than patience {p['patience']}"


def _lowered(p, old: float, target: float, new: float, min_lr: float, kind: str) -> str:
    factor = p["factor"]
    if kind == "reduce":
        so, sn = _two(old, new)
        if old * factor < min_lr:
            return f", so lr × {factor:g} = {_num(old * factor)} is clamped to min_lr {_num(min_lr)} ({so} → {sn})"
        return f", so lr × {factor:g} ({so} → {sn})"
    if kind == "clamped_min":
        return _at_bound(p, old, min_lr, "min_lr")
    return (f", but lr × {factor:g} would lower it by only {_num(old - target, 3)}, not more than eps "
            f"{p['eps']:g}, so the reduction is skipped and the lr stays {_num(old)}")


def _raised(p, old: float, target: float, new: float, max_lr: float, kind: str) -> str:
    factor = p["factor"]
    if kind == "increase":
        so, sn = _two(old, new)
        if old / factor > max_lr:
            return f", so lr ÷ {factor:g} = {_num(old / factor)} is capped at max_lr {_num(max_lr)} ({so} → {sn})"
        return f", so lr ÷ {factor:g} ({so} → {sn})"
    if kind == "clamped_max":
        return _at_bound(p, old, max_lr, "max_lr")
    return (f", but lr ÷ {factor:g} would raise it by only {_num(target - old, 3)}, not more than eps "
            f"{p['eps']:g}, so the increase is skipped and the lr stays {_num(old)}")


def _kind(direction: str, old: float, target: float, new: float, bound: float) -> tuple[str, str]:
    """(kind, rule) of a reduction (increase) from ``old`` towards ``target``, i.e. old * factor (old / factor)
    clamped to ``bound`` (min_lr / max_lr), that left the lr at ``new``."""
    if new != old:
        return direction, "patience"
    if target == bound:  # the bound decided: the lr was already there (or within eps of it, or beyond it)
        return ("clamped_min", "min_lr") if direction == "reduce" else ("clamped_max", "max_lr")
    return "skipped_eps", "eps"


def _at_bound(p, old: float, bound: float, which: str) -> str:
    if old == bound:
        where = "at"
    elif (old < bound) == (which == "min_lr"):
        where = "below" if which == "min_lr" else "above"
    else:
        so, sb = _two(old, bound)
        return f", but the lr {so} is already within eps {p['eps']:g} of {which} {sb}, so it stays"
    return f", but the lr {_num(old)} is already {where} {which} {_num(bound)}, so it stays"


# ----------------------------------------------------------------------------------------------- plateau


def _plateau(name, p, lr, recorder) -> Trace:
    metric, best, num_bad, cooldown, improved = _columns(recorder.states, (float, float, np.int64, np.int64, bool))
    bar = _bar(p, best)
    min_lr = p["min_lr"][0]
    events = []
    for t, before, targets, after in recorder.fires:
        old, target, new = before[0], targets[0], after[0]
        kind, rule = _kind("reduce", old, target, new, min_lr)
        events.append(Event(t, kind, old, new, rule, partial(_plateau_detail, p, t, kind, old, target, new,
                                                             best[t - 1], bar[t], metric)))
    return Trace(name, p, lr, metric, bar, best, num_bad, cooldown, improved, events,
                 _spans(_held(cooldown)))


def _plateau_detail(p, t, kind, old, target, new, best, bar, metric) -> str:
    detail = _stalled(p, t, best, bar, metric, False) + _lowered(p, old, target, new, p["min_lr"][0], kind)
    if p["cooldown"]:
        detail += f"; cooldown {p['cooldown']} starts"
    return detail


# ------------------------------------------------------------------------------------------------ greedy


def _greedy(name, p, lr, init, recorder) -> Trace:
    columns = _columns(recorder.states, (float, float, np.int64, np.int64, np.int64, np.int64, np.int64, bool))
    metric, best, num_bad, num_good, cooldown, warmup, reset_left, improved = columns
    in_cooldown = _held(cooldown)
    in_warmup = ~in_cooldown & _held(warmup)
    bar = _bar(p, best)
    bar[in_cooldown | in_warmup] = math.nan
    min_lr, max_lr = p["min_lr"][0], p["max_lr"][0]
    events = []
    for t, direction, before, targets, after, left, reset in recorder.fires:
        old, target, new = before[0], targets[0], after[0]
        kind, rule = _kind(direction, old, target, new, min_lr if direction == "reduce" else max_lr)
        explain = _increase_detail if direction == "increase" else _reduce_detail
        events.append(Event(t, kind, old, new, rule, partial(explain, p, t, kind, old, target, new, best[t - 1],
                                                             bar[t], metric, int(reset_left[t - 1]), left, reset)))
        if reset:
            events.append(Event(t, "reset", new, init, "reset_start", partial(_reset_detail, p, new, init)))
    return Trace(name, p, lr, metric, bar, best, num_bad, cooldown, improved, events, _spans(in_cooldown),
                 num_good=num_good, warmup=warmup, reset_left=reset_left, warmup_spans=_spans(in_warmup))


def _increase_detail(p, t, kind, old, target, new, best, bar, metric, left_before, left, reset) -> str:
    detail = (f"{_steps(p['patience'] + 1)} beat the best by the threshold ({_threshold(p)}), "
              f"{'the last ' if p['patience'] else ''}with {'a rolling mean of ' if p['smooth'] else ''}"
              f"{_num(metric[t])}: more than patience {p['patience']}")
    detail += _raised(p, old, target, new, p["max_lr"][0], kind)
    if left_before < p["reset_start"]:
        detail += f"; the reset_start count is restored to {p['reset_start']}"
    if p["warmup"]:
        detail += f"; warmup {p['warmup']} starts (the counters stay at 0)"
    return detail


def _reduce_detail(p, t, kind, old, target, new, best, bar, metric, left_before, left, reset) -> str:
    detail = _stalled(p, t, best, bar, metric, p["smooth"]) + _lowered(p, old, target, new, p["min_lr"][0], kind)
    where = "at" if new == p["min_lr"][0] else "below"
    if reset:
        detail += f"; the lr is {where} min_lr, and reset_start runs out"
    elif left < left_before:
        detail += f"; the lr is {where} min_lr, so reset_start counts down to {left}"
    if p["cooldown"]:
        detail += f"; cooldown {p['cooldown']} starts (the counters stay at 0)"
    return detail


def _reset_detail(p, old, init) -> str:
    runs = max(p["reset_start"], 1)
    so, sn = _two(old, init)
    return (f"reset_start {p['reset_start']} ran out ({runs} reduction{'' if runs == 1 else 's'} at min_lr with no "
            f"increase in between): the lr returns to its initial value ({so} → {sn}), and the best value"
            + (", the counters and the smoothing window" if p["smooth"] else " and the counters") + " start over")
