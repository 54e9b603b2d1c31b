"""The app's state as plain data, and its round trip through the URL's query parameters.

Every choice on a page lives in one small dict; ``to_query``/``from_query`` turn it into query parameters and
back. Reading a link never raises: a bad value becomes a warning and that setting falls back to its default.
No streamlit import: this is plain logic, tested directly.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import schedules

MAX_UI_STEPS = 1_000_000  # the app's cap (the engine and the command line go to 10,000,000)
MAX_CURVES = 8
FRAMEWORKS = {"torch": "PyTorch", "transformers": "transformers", "oneflow": "OneFlow"}
DEFAULT_SCHEDULE = "torch.OneCycleLR"


@dataclass
class Settings:
    """Global controls shared by the pages: the length of the run and how it is shown."""

    length: str = "steps"  # "steps": a number of steps; "epochs": epochs x steps per epoch
    steps: int = 1000
    epochs: int = 10
    steps_per_epoch: int = 100
    stepping: str = "iteration"  # with epochs: scheduler.step() every "iteration" or once per "epoch"
    base_lr: float = 0.1
    log_y: bool = False
    x_unit: str = "steps"  # "steps", "epochs" or "fraction"

    @property
    def total_steps(self) -> int:
        """Optimizer steps in the run (what the x axis spans)."""
        return self.steps if self.length == "steps" else self.epochs * self.steps_per_epoch

    @property
    def scheduler_steps(self) -> int:
        """How many lr values the scheduler produces: one per scheduler.step() (+1 for the initial value)."""
        return self.epochs if self.length == "epochs" and self.stepping == "epoch" else self.total_steps

    @property
    def per_epoch(self) -> int | None:
        return self.steps_per_epoch if self.length == "epochs" else None


SETTINGS_KEYS = {  # query parameter -> (Settings field, parser, check)
    "len": ("length", str, lambda v: v in ("steps", "epochs")),
    "n": ("steps", int, lambda v: 1 <= v <= MAX_UI_STEPS),
    "ep": ("epochs", int, lambda v: 1 <= v <= MAX_UI_STEPS),
    "spe": ("steps_per_epoch", int, lambda v: 1 <= v <= MAX_UI_STEPS),
    "by": ("stepping", str, lambda v: v in ("iteration", "epoch")),
    "lr": ("base_lr", float, lambda v: math.isfinite(v) and 0 < v <= 1e6),
    "y": ("log_y", lambda s: {"log": True, "linear": False}[s], lambda v: True),
    "x": ("x_unit", str, lambda v: v in ("steps", "epochs", "fraction")),
}


def settings_to_query(s: Settings) -> dict[str, str]:
    default = Settings()
    out = {}
    for key, (attr, _, _) in SETTINGS_KEYS.items():
        value = getattr(s, attr)
        if value != getattr(default, attr):
            out[key] = ("log" if value else "linear") if attr == "log_y" else str(value)
    return out


def settings_from_query(query: dict[str, str], warnings: list[str]) -> Settings:
    s = Settings()
    for key, (attr, parse, check) in SETTINGS_KEYS.items():
        if key not in query:
            continue
        try:
            value = parse(query[key])
            if not check(value):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            warnings.append(f"The link's {key}={query[key]!r} is not valid; using {getattr(s, attr)!r} instead.")
            continue
        setattr(s, attr, value)
    if s.length == "epochs" and s.epochs * s.steps_per_epoch > MAX_UI_STEPS:
        warnings.append(f"The link asks for {s.epochs * s.steps_per_epoch:,} steps; the app shows at most "
                        f"{MAX_UI_STEPS:,}, so the defaults are used.")
        s.epochs, s.steps_per_epoch = Settings.epochs, Settings.steps_per_epoch
    if s.x_unit == "epochs" and s.length != "epochs":
        s.x_unit = "steps"
    return s


@dataclass
class Schedule:
    """One schedule as the engine takes it, plus a display name."""

    name: str = DEFAULT_SCHEDULE
    params: dict = field(default_factory=dict)
    label: str = ""

    @classmethod
    def example(cls, name: str, steps: int = 1000, label: str = "") -> Schedule:
        """The scheduler's example, its step counts scaled to a run of ``steps``."""
        return cls(name, schedules.example(name, steps), label)

    def title(self) -> str:
        return self.label or self.name


def schedule_to_query(sched: Schedule, prefix: str = "") -> dict[str, str]:
    out = {prefix + "s": sched.name, prefix + "p": json.dumps(sched.params, separators=(",", ":"))}
    if sched.label:
        out[prefix + "name"] = sched.label
    return out


def schedule_from_query(query: dict[str, str], warnings: list[str], prefix: str = "",
                        fallback: str = DEFAULT_SCHEDULE, steps: int = 1000) -> Schedule:
    """The schedule a link describes; an unknown scheduler or parameters the engine refuses fall back to the
    scheduler's example (with a warning that quotes the engine's message)."""
    name = query.get(prefix + "s")
    if name is None:
        return Schedule.example(fallback, steps)
    if name not in schedules.names():
        warnings.append(f"The link names an unknown scheduler {name!r}; showing {fallback} instead.")
        return Schedule.example(fallback, steps)
    label = query.get(prefix + "name", "")[:60]
    if prefix + "p" not in query:  # a link naming only the scheduler: its example
        return Schedule.example(name, steps, label)
    try:
        params = json.loads(query.get(prefix + "p", "{}"))
        if not isinstance(params, dict):
            raise ValueError("not a dict")
    except ValueError:
        warnings.append(f"The link's parameters for {name} are not valid JSON; using its defaults.")
        return Schedule.example(name, steps, label)
    try:
        schedules.validate(name, params)
    except schedules.ScheduleError as err:
        warnings.append(f"The link's parameters for {name} are not valid ({err}); using its defaults.")
        return Schedule.example(name, steps, label)
    return Schedule(name, params, label)


def curves_to_query(curves: list[Schedule]) -> dict[str, str]:
    data = [{"s": c.name, "p": c.params, **({"name": c.label} if c.label else {})} for c in curves]
    return {"c": json.dumps(data, separators=(",", ":"))}


def curves_from_query(query: dict[str, str], warnings: list[str], steps: int = 1000) -> list[Schedule] | None:
    """The Compare page's curves from a link (None when the link has none)."""
    if "c" not in query:
        return None
    try:
        data = json.loads(query["c"])
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise ValueError
    except ValueError:
        warnings.append("The link's curves are not valid JSON; showing the default comparison.")
        return None
    if len(data) > MAX_CURVES:
        warnings.append(f"The link has {len(data)} curves; the app compares at most {MAX_CURVES}.")
        data = data[:MAX_CURVES]
    curves = []
    for i, d in enumerate(data):
        one = {"s": str(d.get("s")), "p": json.dumps(d.get("p", {})), "name": str(d.get("name", ""))}
        before = len(warnings)
        sched = schedule_from_query(one, warnings, steps=steps)
        if len(warnings) > before:
            warnings[-1] = f"Curve {i + 1}: " + warnings[-1]
        curves.append(sched)
    return curves or None


def json_object(query: dict[str, str], key: str, what: str, warnings: list[str]) -> dict | None:
    """The JSON object a link holds under ``key``: None when there is none, or (with a warning naming ``what``)
    when it is not a JSON object."""
    if key not in query:
        return None
    try:
        data = json.loads(query[key])
    except ValueError:
        data = None
    if not isinstance(data, dict):
        warnings.append(f"The link's {what} ({key}) is not valid JSON (an object); using the defaults.")
        return None
    return data


METRIC_DEFAULT = {"kind": "placeholder", "seed": 0, "noise": 0.02}


def metric_from_query(query: dict[str, str], warnings: list[str]) -> dict:
    """The metric a metric-driven schedule reacts to (``m`` in the URL), or the default."""
    if "m" not in query:
        return dict(METRIC_DEFAULT)
    try:
        m = {**METRIC_DEFAULT, **json.loads(query["m"])}
        if m["kind"] not in ("placeholder", "noisy") or not 0 <= float(m["noise"]) <= 0.2 \
                or not 0 <= int(m["seed"]) <= 10_000 or set(m) != set(METRIC_DEFAULT):
            raise ValueError
        return {"kind": m["kind"], "seed": int(m["seed"]), "noise": float(m["noise"])}
    except (ValueError, TypeError, KeyError):
        warnings.append(f"The link's metric m={query['m']!r} is not valid; using the code's placeholder val_loss.")
        return dict(METRIC_DEFAULT)


def metric_to_query(m: dict | None) -> dict[str, str]:
    return {} if m is None or m == METRIC_DEFAULT else {"m": json.dumps(m, separators=(",", ":"))}
