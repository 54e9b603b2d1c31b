"""The Train page's state as plain data and its round trip through the URL (no streamlit import).

``t`` holds the model and data setup as JSON, ``r`` the runs (schedule, optimizer lr, stepping, label). Reading a
link never raises: a bad value becomes a warning and falls back to its default.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import schedules
from playground.mlp import TrainConfig
from playground.schedule_run import STEPPINGS

from .state import Schedule, json_object, schedule_from_query

MAX_RUNS = 4
HIDDEN_CHOICES = (16, 32, 64, 128, 256)
LR_LIMITS = (1e-8, 1e3)  # the optimizer lr's widget range
LIMITS = {  # TrainConfig field -> (low, high): the page's widgets and the link reader share them
    "momentum": (0.0, 0.999),
    "weight_decay": (0.0, 0.1),
    "batch_size": (1, 1438),
    "epochs": (1, 100),
    "seed": (0, 10_000),
}


@dataclass
class Setup:
    """What is trained, and how: everything but the schedules."""

    optimizer: str = "sgd"
    momentum: float = 0.9
    hidden: int = 64
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: int = 10
    seed: int = 0

    def config(self) -> TrainConfig:
        return TrainConfig(hidden=self.hidden, optimizer=self.optimizer, momentum=self.momentum,
                           weight_decay=self.weight_decay, batch_size=self.batch_size, epochs=self.epochs,
                           seed=self.seed)


@dataclass
class Run:
    """One curve to train with: the engine's schedule, the optimizer's lr and how often step() is called."""

    schedule: Schedule = field(default_factory=Schedule)
    base_lr: float = 0.1
    stepping: str = "iteration"


def default_runs(steps: int) -> list[Run]:
    return [Run(Schedule("transformers.constant", {}, "constant lr 0.1"), 0.1),
            Run(Schedule("torch.OneCycleLR", {"max_lr": 0.5, "total_steps": steps}, "OneCycleLR to 0.5"), 0.1)]


def setup_to_query(setup: Setup) -> dict[str, str]:
    changed = {k: v for k, v in asdict(setup).items() if v != getattr(Setup, k)}
    return {"t": json.dumps(changed, separators=(",", ":"))} if changed else {}


def setup_from_query(query: dict[str, str], warnings: list[str]) -> Setup:
    setup = Setup()
    for key, value in (json_object(query, "t", "training setup", warnings) or {}).items():
        if key not in Setup.__dataclass_fields__:
            warnings.append(f"The link's training setup has an unknown field {key!r}; it is ignored.")
            continue
        default = getattr(Setup, key)
        ok = False
        if key == "optimizer":
            ok = value in ("sgd", "adam")
        elif key == "hidden":
            ok = value in HIDDEN_CHOICES
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            low, high = LIMITS[key]
            ok = low <= value <= high and (isinstance(default, float) or float(value).is_integer())
            value = type(default)(value) if ok else value
        if ok:
            setattr(setup, key, value)
        else:
            bounds = ("sgd or adam" if key == "optimizer" else ", ".join(map(str, HIDDEN_CHOICES)) if key == "hidden"
                      else "{} to {}".format(*LIMITS[key]))
            warnings.append(f"The link's {key}={value!r} is not valid ({bounds}); using {default!r}.")
    return setup


def runs_to_query(runs: list[Run]) -> dict[str, str]:
    data = [{"s": r.schedule.name, "p": r.schedule.params, "lr": r.base_lr, "by": r.stepping,
             **({"name": r.schedule.label} if r.schedule.label else {})} for r in runs]
    return {"r": json.dumps(data, separators=(",", ":"))}


def runs_from_query(query: dict[str, str], warnings: list[str], steps: int) -> list[Run] | None:
    """The runs of a link (None when it has none). A bad run falls back to its scheduler's example."""
    if "r" not in query:
        return None
    try:
        data = json.loads(query["r"])
        if not isinstance(data, list) or not data or not all(isinstance(d, dict) for d in data):
            raise ValueError
    except ValueError:
        warnings.append("The link's runs (r) are not a valid JSON list; showing the default runs.")
        return None
    if len(data) > MAX_RUNS:
        warnings.append(f"The link has {len(data)} runs; the playground trains at most {MAX_RUNS}.")
        data = data[:MAX_RUNS]
    runs = []
    for i, d in enumerate(data):
        before = len(warnings)
        one = {"s": str(d.get("s")), "p": json.dumps(d.get("p", {})), "name": str(d.get("name", ""))}
        sched = schedule_from_query(one, warnings, steps=steps)
        run = Run(sched)
        lr, by = d.get("lr", run.base_lr), d.get("by", run.stepping)
        if isinstance(lr, (int, float)) and not isinstance(lr, bool) and LR_LIMITS[0] <= lr <= LR_LIMITS[1]:
            run.base_lr = float(lr)
        else:
            warnings.append(f"The link's lr={lr!r} is not a learning rate from {LR_LIMITS[0]:g} to "
                            f"{LR_LIMITS[1]:g}; using {run.base_lr:g}.")
        if by in STEPPINGS:
            run.stepping = by
        else:
            warnings.append(f"The link's stepping by={by!r} is not one of {', '.join(STEPPINGS)}.")
        for j in range(before, len(warnings)):
            warnings[j] = f"Run {i + 1}: " + warnings[j]
        runs.append(run)
    return runs


def is_metric_driven(run: Run) -> bool:
    return schedules.get(run.schedule.name).metric_driven
