"""``compute``: validate, dispatch to the scheduler's vectorized function, check the result."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import ScheduleError
from .spec import Spec, registry
from .validate import MAX_GROUPS, MAX_NESTING, validate_params

MAX_STEPS = 10_000_000


@dataclass(frozen=True)
class Child:
    """A validated nested schedule (an element of SequentialLR's ``schedulers`` and the like)."""

    spec: Spec
    params: dict


@dataclass
class Context:
    """What a compute function gets besides its parameters."""

    steps: int
    base: np.ndarray  # shape (groups,), float64
    metrics: np.ndarray | None = None  # metrics[t] is passed to step() after step t; length >= steps - 1
    defaults_lr: float | None = None  # the optimizer's constructor lr (transformers polynomial uses it)

    @property
    def groups(self) -> int:
        return self.base.shape[0]

    @cached_property
    def t(self) -> np.ndarray:
        """Step indices 0..steps-1 as int64."""
        return np.arange(self.steps, dtype=np.int64)

    @cached_property
    def tf(self) -> np.ndarray:
        """Step indices as float64."""
        return self.t.astype(np.float64)

    @property
    def base_col(self) -> np.ndarray:
        """The base lrs as a (groups, 1) column, to broadcast against a per-step row."""
        return self.base[:, None]

    def with_steps(self, steps: int) -> Context:
        return Context(steps, self.base, self.metrics, self.defaults_lr)

    def with_base(self, base) -> Context:
        return Context(self.steps, np.asarray(base, dtype=np.float64).reshape(self.groups),
                       self.metrics, self.defaults_lr)

    def compute(self, child: Child, steps: int | None = None) -> np.ndarray:
        """A nested schedule's curve, shape (groups, steps)."""
        ctx = self if steps is None else self.with_steps(steps)
        return run(child.spec, child.params, ctx)


def evaluate_expression(expr, epochs: np.ndarray, spec_name: str, param: str) -> np.ndarray:
    """A user expression over ``epochs``; a failure at some epoch names the scheduler and parameter."""
    from .expr import ExpressionError

    try:
        return np.broadcast_to(expr.evaluate(epochs), epochs.shape)
    except ExpressionError as err:
        raise ScheduleError(f"{spec_name}: {param}: {err}", param) from None


def names() -> list[str]:
    return list(registry())


def get(name: str) -> Spec:
    specs = registry()
    if not isinstance(name, str) or name not in specs:
        import difflib

        close = difflib.get_close_matches(str(name), list(specs), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see schedules.names()"
        raise ScheduleError(f"unknown scheduler {name!r}{hint}", "name")
    return specs[name]


def validate(name: str, params=None, *, groups: int = 1, _path: str = "", _depth: int = 0) -> Child:
    """Validate ``params`` for scheduler ``name``; returns the validated child (defaults filled in)."""
    if _depth > MAX_NESTING:
        raise ScheduleError(f"schedules nest deeper than {MAX_NESTING} levels", _path.rstrip(".") or None)
    try:
        spec = get(name)
    except ScheduleError as err:
        raise ScheduleError(f"{_path.rstrip('.') + ': ' if _path else ''}{err}",
                            (_path + "name") if _path else "name") from None

    def validate_child(value, path):
        if not isinstance(value, dict) or "name" not in value:
            raise ScheduleError(f"{spec.name}: {path.rstrip('.')}: must be a schedule "
                                f"{{'name': ..., 'params': {{...}}}}, got {value!r}", path.rstrip("."))
        extra = set(value) - {"name", "params"}
        if extra:
            raise ScheduleError(f"{spec.name}: {path.rstrip('.')}: unknown key(s) {sorted(extra)}; a schedule "
                                "is {'name': ..., 'params': {...}}", path.rstrip("."))
        return validate(value["name"], value.get("params"), groups=groups, _path=path + "params.",
                        _depth=_depth + 1)

    return Child(spec, validate_params(spec, params, groups, validate_child, _path))


def run(spec: Spec, params: dict, ctx: Context) -> np.ndarray:
    """A spec's curve as a float64 array of shape (groups, steps) that the caller may own and modify."""
    out = spec.compute(params, ctx)
    shape = (ctx.groups, ctx.steps)
    if isinstance(out, np.ndarray) and out.shape == shape and out.dtype == np.float64 and out.flags.owndata \
            and out.flags.writeable:
        return out
    return np.array(np.broadcast_to(out, shape), dtype=np.float64)


def _check_int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ScheduleError(f"{name} must be an integer in [{low}, {high}], got {value!r}", name)
    if not low <= value <= high:
        raise ScheduleError(f"{name} must be an integer in [{low}, {high}], got {value!r}", name)
    return int(value)


def _base_lrs(base_lr):
    scalar = not isinstance(base_lr, (list, tuple, np.ndarray))
    values = [base_lr] if scalar else list(np.asarray(base_lr, dtype=object).ravel())
    if not 1 <= len(values) <= MAX_GROUPS:
        raise ScheduleError(f"base_lr must be a number > 0 or a list of 1 to {MAX_GROUPS} of them "
                            f"(one per parameter group), got {len(values)} values", "base_lr")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                or not np.isfinite(v) or v <= 0:
            raise ScheduleError(f"base_lr must be a finite number > 0 (or a list of them), got {v!r}", "base_lr")
        out.append(float(v))
    return scalar, np.array(out, dtype=np.float64)


def _metrics(metrics, steps, spec):
    if metrics is None:
        raise ScheduleError(f"{spec.name} is driven by a metric: pass metrics=[...] with one value per step "
                            "(metrics[t] is what step() receives after step t)", "metrics")
    try:
        arr = np.asarray(metrics, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ScheduleError("metrics must be a list of numbers, one per step", "metrics") from None
    if arr.shape[0] < steps - 1:
        raise ScheduleError(f"metrics must have at least steps - 1 = {steps - 1} values (one per step), "
                            f"got {arr.shape[0]}", "metrics")
    return arr[: max(steps - 1, 0)]


def _uses_metrics(child: Child) -> bool:
    if child.spec.metric_driven:
        return True
    for p in child.spec.params:
        value = child.params.get(p.name)
        if p.kind == "schedule" and isinstance(value, Child) and _uses_metrics(value):
            return True
        if p.kind == "schedule_list" and value and any(_uses_metrics(c) for c in value):
            return True
    return False


def example(name: str, steps: int | None = None) -> dict:
    """The spec's example params (a fresh copy); with ``steps``, every step-count parameter (periods, warmup
    lengths, milestones, also inside members) is scaled from the example's length to ``steps``."""
    import copy

    spec = get(name)
    params = copy.deepcopy(spec.example)
    if steps is None:
        return params
    return _scaled(spec, params, steps / spec.example_steps)


def _scaled(spec: Spec, params: dict, factor: float) -> dict:
    for p in spec.params:
        value = params.get(p.name)
        if value is None:
            continue
        counts_steps = p.high is not None and p.high >= MAX_STEPS
        if p.kind == "int" and counts_steps and not isinstance(value, bool):
            params[p.name] = max(int(p.low or 0), round(value * factor))
        elif p.kind == "int_list" and counts_steps:
            scaled = []
            for v in value:  # keep the order and keep distinct milestones distinct
                v = max(int(p.low or 0), round(v * factor))
                scaled.append(max(v, scaled[-1] + 1) if scaled and v <= scaled[-1] and value[0] < value[-1] else v)
            params[p.name] = scaled
        elif p.kind == "schedule_list":
            params[p.name] = [{"name": c["name"], "params": _scaled(get(c["name"]), dict(c.get("params", {})), factor)}
                              for c in value]
        elif p.kind == "schedule" and isinstance(value, dict):
            params[p.name] = {"name": value["name"],
                              "params": _scaled(get(value["name"]), dict(value.get("params", {})), factor)}
    return params


def phases(name: str, params=None, *, steps: int) -> list[tuple[int, str]]:
    """Phase boundaries of a schedule worth marking on a chart (warmup end, milestones, ...), as (step, label)
    pairs with 0 < step < steps, sorted; [] for schedules without phases. Raises ScheduleError like compute."""
    steps = _check_int("steps", steps, 1, MAX_STEPS)
    child = validate(name, params)
    if child.spec.phases is None:
        return []
    marks = {}
    for step, label in child.spec.phases(child.params, steps):
        step = int(step)
        if 0 < step < steps and len(marks) < 64:
            marks.setdefault(step, label)
    return sorted(marks.items())


def prepare(name: str, params=None, *, steps: int, base_lr=0.1, metrics=None) -> tuple[Child, Context, bool]:
    """What ``compute`` validates, in its order and with its errors: the validated schedule, the context to run
    it in (metrics attached when it uses them) and whether ``base_lr`` was a single number."""
    steps = _check_int("steps", steps, 1, MAX_STEPS)
    scalar, base = _base_lrs(base_lr)
    child = validate(name, params, groups=base.shape[0])
    ctx = Context(steps, base, defaults_lr=float(base[0]))
    if _uses_metrics(child):
        ctx.metrics = _metrics(metrics, steps, child.spec)
    return child, ctx, scalar


def compute(name: str, params=None, *, steps: int, base_lr=0.1, metrics=None) -> np.ndarray:
    """The learning rate for each of ``steps`` training steps: ``lr[t]`` is in effect after ``t`` calls of
    ``scheduler.step()``. Returns float64 of shape (steps,), or (groups, steps) when ``base_lr`` is a list.
    Raises ScheduleError for any bad input."""
    child, ctx, scalar = prepare(name, params, steps=steps, base_lr=base_lr, metrics=metrics)
    with np.errstate(all="ignore"):
        out = run(child.spec, child.params, ctx)
    # NaN survives a sum, so a finite sum rules it out cheaply; an infinite one needs the element check
    if not np.isfinite(out.sum()) and np.isnan(out).any():
        t = int(np.argwhere(np.isnan(out))[0][-1])
        raise ScheduleError(f"{name}: the learning rate is not a number from step {t} on (an overflow "
                            "such as inf * 0 in float64); choose parameters that keep it finite", None)
    return out[0] if scalar else out
