"""Scheduler specs: the single source for validation, widgets, code snippets and docs.

A spec describes one scheduler of one framework: its parameters (the framework's own keyword names and
defaults, with valid ranges and slider hints), a LaTeX formula, notes on quirks and a vectorized compute
function. Framework modules build specs and ``register`` them; nothing else needs to change to add one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()
"""Default of a parameter the caller must give."""

# Parameter kinds. Lists hold numbers; "schedule" values are {"name": ..., "params": {...}} dicts.
KINDS = (
    "float",  # a finite float (ints accepted)
    "int",  # an integer (integral floats accepted)
    "bool",
    "choice",  # one of ``choices``
    "int_list",  # a list of integers (milestones)
    "bool_list",  # a bool or a list of bools (OneFlow interval_rescaling)
    "expr",  # a text expression in ``epoch`` evaluated by schedules.expr
    "schedule",  # one child schedule
    "schedule_list",  # a list of child schedules
)


@dataclass(frozen=True)
class Slider:
    """A hint for the UI: the range a slider should span (the valid range may be wider)."""

    min: float
    max: float
    log: bool = False
    step: float | None = None


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: Any = REQUIRED
    help: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # True: ``low`` itself is not allowed
    high_open: bool = False
    choices: tuple = ()
    nullable: bool = False  # None is a valid value (and usually the default)
    per_group: bool = False  # a list with one value per parameter group is accepted too
    min_len: int = 0  # for list kinds
    max_len: int = 10_000
    slider: Slider | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def range_text(self) -> str:
        """The valid range in words, e.g. ``an integer in [1, 10000000]`` or ``a float in (0, 1]``."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "bool_list":
            return "true, false or a list of them"
        if self.kind == "expr":
            return "an expression in epoch, e.g. '0.95 ** epoch'"
        if self.kind == "schedule":
            return "a schedule {'name': ..., 'params': {...}}"
        if self.kind == "schedule_list":
            return f"a list of {self.min_len} or more schedules {{'name': ..., 'params': {{...}}}}"
        noun = {"float": "a number", "int": "an integer", "int_list": "a list of integers"}[self.kind]
        if self.low is not None or self.high is not None:
            bounds = interval_text(self.low, self.high, self.low_open, self.high_open)
            joiner = " in " if self.low is not None and self.high is not None else " "
            noun += (", each" if self.kind == "int_list" else "") + joiner + bounds
        text = noun
        if self.nullable:
            text += " or null"
        return text


def interval_text(low, high, low_open=False, high_open=False) -> str:
    def fmt(x):
        return f"{x:g}" if isinstance(x, float) and not float(x).is_integer() else f"{int(x)}" \
            if x is not None and math.isfinite(x) else ("inf" if x is None or x > 0 else "-inf")

    if high is None:
        return (">" if low_open else ">=") + " " + fmt(low)
    if low is None:
        return ("<" if high_open else "<=") + " " + fmt(high)
    return ("(" if low_open else "[") + fmt(low) + ", " + fmt(high) + (")" if high_open else "]")


@dataclass(frozen=True)
class Spec:
    name: str  # "<framework>.<name>", e.g. "torch.StepLR"
    title: str  # the framework's own class or function name
    summary: str  # one plain-language line
    params: tuple[Param, ...]
    compute: Callable  # (validated params: dict, ctx: engine.Context) -> ndarray (groups, steps)
    formula: str = ""  # LaTeX
    docs_url: str = ""
    notes: tuple[str, ...] = ()  # quirks, and whether the curve is a closed form or a sequential replay
    metric_driven: bool = False
    composite: bool = False
    check: Callable | None = None  # (validated params, n_groups) -> None, raises ScheduleError
    example: dict = field(default_factory=dict)  # params that show the schedule well (required ones included)
    phases: Callable | None = None  # (validated params, steps) -> [(step, label), ...]: boundaries worth marking
    example_steps: int = 100
    extra: dict = field(default_factory=dict)  # framework-specific facts (e.g. torch class traits)

    @property
    def framework(self) -> str:
        return self.name.split(".", 1)[0]

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict:
        """The parameters that have defaults, with them (required ones are left out)."""
        return {p.name: p.default for p in self.params if not p.required}


_REGISTRY: dict[str, Spec] = {}


def register(spec: Spec) -> Spec:
    if spec.name in _REGISTRY:
        raise ValueError(f"duplicate scheduler {spec.name}")
    _REGISTRY[spec.name] = spec
    return spec


def registry() -> dict[str, Spec]:
    return _REGISTRY
