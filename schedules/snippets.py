"""Runnable code for a schedule, and the same curve in the other frameworks.

``snippet`` writes a complete Python program (imports, a tiny model, an optimizer, the scheduler with exactly the
validated parameters, and a training loop that records the lr) that reproduces the curve the engine computes.
``equivalents`` lists the (name, params) of other frameworks' schedulers whose curve is the same for the given
steps and base lr, each one checked with ``compute``.

>>> print(snippet("torch.StepLR", {"step_size": 30}, steps=100))  # doctest: +SKIP

The programs are text: nothing here imports torch, transformers or OneFlow.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from dataclasses import dataclass

import numpy as np

from .engine import MAX_STEPS, Child, compute, validate
from .errors import ScheduleError
from .expr import Expression
from .spec import Param, Spec

__all__ = ["equivalents", "placeholder_metric", "snippet"]

WIDTH = 88  # generated lines are wrapped at this width (black's default)
INDENT = "    "

# ------------------------------------------------------------------------------------------ the metric


def placeholder_metric(t: int) -> float:
    """The synthetic validation loss the snippets of metric-driven schedulers pass to ``scheduler.step()``
    after step (or epoch) ``t``: it improves, then plateaus at 0.3 from t = 47 on. ``compute(...,
    metrics=[placeholder_metric(t) for t in range(steps)])`` is the curve such a snippet records."""
    return max(0.3, 1.0 / (1 + 0.05 * t))


PLACEHOLDER_SOURCE = "max(0.3, 1.0 / (1 + 0.05 * {t}))"  # placeholder_metric as code, in the loop variable {t}

# -------------------------------------------------------------------------------- a tiny code printer


@dataclass(frozen=True)
class _Call:
    func: str
    args: tuple  # of (keyword or None, node)


@dataclass(frozen=True)
class _List:
    items: tuple  # of nodes


@dataclass(frozen=True)
class _Dict:
    items: tuple  # of (key, node); keys are printed as strings


def _flat(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, _Call):
        return f"{node.func}(" + ", ".join((f"{k}=" if k else "") + _flat(v) for k, v in node.args) + ")"
    if isinstance(node, _List):
        return "[" + ", ".join(_flat(v) for v in node.items) + "]"
    return "{" + ", ".join(f"{json.dumps(k)}: {_flat(v)}" for k, v in node.items) + "}"


def _render(node, column: int, indent: int) -> str:
    """``node`` as code starting at ``column``; what does not fit in WIDTH is broken one item per line."""
    flat = _flat(node)
    if isinstance(node, str) or column + len(flat) <= WIDTH:
        return flat
    inner = indent + len(INDENT)
    pad = " " * inner
    if isinstance(node, _Call):
        opening, closing = node.func + "(", ")"
        items = [(f"{k}=" if k else "", v) for k, v in node.args]
    elif isinstance(node, _List):
        opening, closing = "[", "]"
        items = [("", v) for v in node.items]
    else:
        opening, closing = "{", "}"
        items = [(json.dumps(k) + ": ", v) for k, v in node.items]
    if not items:
        return flat
    lines = [opening]
    for prefix, value in items:
        lines.append(pad + prefix + _render(value, inner + len(prefix), inner) + ",")
    lines.append(" " * indent + closing)
    return "\n".join(lines)


def _assign(target: str, node) -> str:
    return f"{target} = " + _render(node, len(target) + 3, 0)


# ---------------------------------------------------------------------------------------- values


def _int(value: int) -> str:
    return f"{value:_}" if abs(value) >= 10_000 else str(value)


def _scalar(p: Param, value):
    if value is None:
        return "None"
    if isinstance(value, Expression):
        return "lambda epoch: " + value.python_source()
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if p.kind in ("float",) or isinstance(value, float):
        return repr(float(value))
    return _int(int(value))


def _same(values) -> bool:
    return all(v == values[0] for v in values[1:])


def _value(p: Param, value):
    """A validated parameter value as a code node (per-group lists that hold one value collapse to it)."""
    if isinstance(value, tuple):
        if p.kind == "int_list":
            return _List(tuple(_int(int(v)) for v in value))
        if value and _same(value) and p.kind != "bool_list":
            return _scalar(p, value[0])
        if p.kind == "bool_list" and value and _same(value):
            return repr(value[0])
        return _List(tuple(_scalar(p, v) for v in value))
    return _scalar(p, value)


def _is_default(p: Param, value) -> bool:
    if p.required:
        return False
    default = p.default
    if default is None or value is None:
        return default is None and value is None
    if isinstance(value, tuple) and p.kind != "int_list":
        return bool(value) and all(_equal(v, default) for v in value)
    return _equal(value, default)


def _equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return float(a) == float(b)
    return a == b


def _shown(spec: Spec, params: dict):
    """(param, value) for the parameters a snippet prints: required ones and those off the default."""
    for p in spec.params:
        value = params[p.name]
        if p.kind in ("schedule", "schedule_list") or not _is_default(p, value):
            yield p, value


def _walk(child: Child):
    """``child`` and every schedule nested in it, depth first."""
    yield child
    for value in child.params.values():
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, Child):
                yield from _walk(v)


def _expressions(child: Child):
    for c in _walk(child):
        for value in c.params.values():
            yield from (v for v in (value if isinstance(value, tuple) else (value,)) if isinstance(v, Expression))


# --------------------------------------------------------------------------------- scheduler code

RESERVED = {"optimizer", "scheduler", "model", "lrs", "math", "torch", "flow", "step", "epoch", "batch", "x", "y",
            "loss", "steps", "epochs", "steps_per_epoch", "val_loss", "base_lrs", "layer", "lr", "get_scheduler"}


def _snake(title: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", title).lower()
    return name if name.isidentifier() else "sched"


class _Builder:
    """Statements that construct a scheduler tree: children first, each in its own variable."""

    def __init__(self, framework: str):
        self.framework = framework
        self.lines: list[str] = []
        self.used = set(RESERVED)

    def name(self, wanted: str) -> str:
        name, k = wanted, 2
        while name in self.used:
            name, k = f"{wanted}_{k}", k + 1
        self.used.add(name)
        return name

    def func(self, spec: Spec) -> str:
        return spec.title if self.framework == "torch" else f"flow.optim.lr_scheduler.{spec.title}"

    def members(self, children, wanted=None) -> list[str]:
        if wanted is None:
            wanted = [_snake(c.spec.title) for c in children]
        return [self.build(c, self.name(w)) for c, w in zip(children, wanted)]

    def build(self, child: Child, var: str) -> str:
        spec = child.spec
        positional: list = []
        keywords: list = []
        for p, value in _shown(spec, child.params):
            if p.kind == "schedule_list":
                roles = None
                if spec.title == "SequentialLR" and len(value) == 2 and value[0].spec.title in ("LinearLR",
                                                                                               "ConstantLR"):
                    roles = ["warmup", "main"]
                node = _List(tuple(self.members(value, roles)))
                if spec.title == "ChainedScheduler":
                    positional.append(node)
                else:
                    keywords.append((p.name, node))
            elif p.kind == "schedule":  # OneFlow's WarmupLR: the scheduler, or the optimizer alone
                positional.append(self.members([value], ["main"])[0] if value is not None else "optimizer")
            else:
                keywords.append((p.name, _value(p, value)))
        if spec.title == "ChainedScheduler":
            if self.framework == "torch":
                keywords.append(("optimizer", "optimizer"))
        elif spec.title != "WarmupLR":
            positional.insert(0, "optimizer")
        args = tuple((None, v) for v in positional) + tuple(keywords)
        self.lines.append(_assign(var, _Call(self.func(spec), args)))
        return var


def _transformers_call(child: Child) -> _Call:
    spec = child.spec
    direct, kwargs = [], []
    for p, value in _shown(spec, child.params):
        (direct if p.name in spec.extra["direct"] else kwargs).append((p.name, _value(p, value)))
    args = [(None, json.dumps(spec.extra["scheduler_type"])), (None, "optimizer"), *direct]
    if kwargs:
        args.append(("scheduler_specific_kwargs", _Dict(tuple(kwargs))))
    return _Call("get_scheduler", tuple(args))


# --------------------------------------------------------------------------------------- checking


def _check_int(name: str, value, low: int, high: int, nullable: bool = False):
    if value is None and nullable:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise ScheduleError(f"{name} must be an integer in [{low}, {high}]{' or None' if nullable else ''}, "
                            f"got {value!r}", name)
    return int(value)


def _base_lrs(base_lr) -> list[float] | float:
    values = list(base_lr) if isinstance(base_lr, (list, tuple, np.ndarray)) else [base_lr]
    if not 1 <= len(values) <= 64:
        raise ScheduleError(f"base_lr must be a number > 0 or a list of 1 to 64 of them, got {len(values)} values",
                            "base_lr")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) or v <= 0:
            raise ScheduleError(f"base_lr must be a finite number > 0 (or a list of them), got {v!r}", "base_lr")
        out.append(float(v))
    return out if isinstance(base_lr, (list, tuple, np.ndarray)) else out[0]


def _n_groups(base) -> int:
    return len(base) if isinstance(base, list) else 1


# Schedules whose framework raises at some step() (OneCycleLR past total_steps, ConstantLR's 1/factor with
# factor=0, transformers' polynomial with num_training_steps == num_warmup_steps): the engine refuses them there.
_MAY_REFUSE_A_STEP = {"torch.OneCycleLR", "torch.ConstantLR", "transformers.polynomial"}


def _may_refuse_a_step(child: Child) -> bool:
    """Whether the framework may raise at some step() of ``child`` (which the engine then refuses): the schedules
    above, and torch composites nested in torch composites (a later member of a SequentialLR cannot restart)."""
    if _MAY_REFUSE_A_STEP & {c.spec.name for c in _walk(child)}:
        return True
    members = child.params.get("schedulers") if child.spec.composite else None
    return bool(members) and child.spec.framework == "torch" and any(
        m.spec.composite or _may_refuse_a_step(m) for m in members)


def _last_step_refused(name: str, params, child: Child, scheduler_steps: int, base) -> bool:
    """True when the framework refuses the scheduler.step() after the last recorded lr (the loop then skips it).
    Raises the engine's ScheduleError when the framework refuses a step within the run."""
    if child.spec.metric_driven or not _may_refuse_a_step(child) or scheduler_steps >= MAX_STEPS:
        return False
    try:
        compute(name, params, steps=scheduler_steps + 1, base_lr=base)
        return False
    except ScheduleError:
        compute(name, params, steps=scheduler_steps, base_lr=base)  # refused within the run: say so
        return True


# ------------------------------------------------------------------------------------------ snippet


def snippet(name: str, params: dict | None, *, steps: int, base_lr=0.1, stepping: str = "iteration",
            steps_per_epoch: int | None = None, metrics_hint: bool = True) -> str:
    """A complete Python program that builds ``name`` with ``params`` and records the lr of ``steps`` optimizer
    steps in ``lrs`` (one float per step, or one list per step when ``base_lr`` is a list of group lrs).

    ``steps`` counts optimizer steps (training iterations). With ``steps_per_epoch`` the loop runs over epochs of
    that many batches; ``stepping="epoch"`` then calls ``scheduler.step()`` once after each epoch (the classic
    per-epoch pattern: ``lrs`` is the engine's curve over ceil(steps / steps_per_epoch) scheduler steps, each
    value repeated for every batch of its epoch), ``"iteration"`` after every batch. Metric-driven schedulers get
    ``scheduler.step(val_loss)`` with a deterministic placeholder loss (``placeholder_metric``); ``metrics_hint``
    adds the comment that says where the real metric comes from. Raises ScheduleError for bad input."""
    steps = _check_int("steps", steps, 1, MAX_STEPS)
    base = _base_lrs(base_lr)
    if stepping not in ("iteration", "epoch"):
        raise ScheduleError(f"stepping must be 'iteration' or 'epoch', got {stepping!r}", "stepping")
    spe = _check_int("steps_per_epoch", steps_per_epoch, 1, MAX_STEPS, nullable=True)
    if stepping == "epoch" and spe is None:
        raise ScheduleError("stepping='epoch' needs steps_per_epoch (the scheduler steps once per epoch of "
                            "steps_per_epoch batches)", "steps_per_epoch")
    groups = _n_groups(base)
    child = validate(name, params, groups=groups)
    spec = child.spec
    framework = spec.framework
    epochs = None if spe is None else -(-steps // spe)
    scheduler_steps = epochs if stepping == "epoch" else steps
    guard = _last_step_refused(name, params, child, scheduler_steps, base)

    flow = framework == "oneflow"
    lib = "flow" if flow else "torch"
    lines = [f"# {spec.title}" + (f" ({json.dumps(spec.extra['scheduler_type'])})" if framework == "transformers"
                                  else "")
             + " as the visualizer shows it: lr[t] is the lr after t calls of scheduler.step()"]
    if any("math." in e.python_source() for e in _expressions(child)):
        lines += ["import math", ""]
    if flow:
        lines.append("import oneflow as flow")
    else:
        lines.append("import torch")
        if framework == "torch":
            names = sorted({c.spec.title for c in _walk(child)})
            line = "from torch.optim.lr_scheduler import " + ", ".join(names)
            if len(line) > WIDTH:
                line = "from torch.optim.lr_scheduler import (\n" + "".join(f"{INDENT}{n},\n" for n in names) + ")"
            lines.append(line)
        else:
            lines.append("from transformers import get_scheduler")
    lines += ["", f"{lib}.manual_seed(0)"]

    # model and optimizer
    if isinstance(base, list):
        lines.append(_assign("base_lrs", _List(tuple(repr(b) for b in base))))
        lines.append(f"model = {lib}.nn.ModuleList([{lib}.nn.Linear(4, 1) for _ in base_lrs])  "
                     "# one layer per parameter group")
        groups_code = '[{"params": list(layer.parameters()), "lr": lr} for layer, lr in zip(model, base_lrs)]'
        lines += [f"optimizer = {lib}.optim.SGD(", f"    {groups_code},",
                  "    lr=base_lrs[0],  # the optimizer's default lr (transformers' polynomial and min_lr read it)",
                  ")"]
        forward = "sum((layer(x) - y).pow(2).mean() for layer in model)"
        record = 'lrs.append([group["lr"] for group in optimizer.param_groups])'
    else:
        lines.append(f"model = {lib}.nn.Linear(4, 1)")
        lines.append(f"optimizer = {lib}.optim.SGD(model.parameters(), lr={base!r})")
        forward = "(model(x) - y).pow(2).mean()"
        record = 'lrs.append(optimizer.param_groups[0]["lr"])'

    # the scheduler
    if framework == "transformers":
        lines.append(_assign("scheduler", _transformers_call(child)))
    else:
        builder = _Builder(framework)
        builder.build(child, "scheduler")
        lines += builder.lines

    # the loop
    lines += ["", f"x, y = {lib}.randn(32, 4), {lib}.randn(32, 1)  # placeholder data: use your own batches"]
    nested = spe is not None
    partial = nested and steps % spe != 0
    if nested:
        lines += [f"steps_per_epoch = {_int(spe)}", f"epochs = {_int(epochs)}"
                  + (f"  # {_int(steps)} steps: the last epoch is cut short" if partial else "")]
    if partial or not nested:
        lines.append(f"steps = {_int(steps)}")
    if stepping == "epoch":
        lines.append("lrs = []  # the lr of each batch: scheduler.step() runs once per epoch")
    else:
        lines.append("lrs = []  # lrs[t] is the lr in effect for optimizer step t")

    body = [record, "optimizer.zero_grad()", f"loss = {forward}", "loss.backward()", "optimizer.step()"]
    tick = "epoch" if stepping == "epoch" else "step"
    last = "epochs - 1" if stepping == "epoch" else "steps - 1"
    if spec.metric_driven:
        step_lines = []
        if metrics_hint:
            watched = "a loss" if child.params.get("mode", "min") == "min" else "e.g. an accuracy"
            step_lines += [f"# {spec.title} is driven by a metric: pass it your validation metric ({watched}, "
                           f"mode={json.dumps(child.params.get('mode', 'min'))}),",
                           f"# computed on held-out data after each {tick}. The placeholder below is a synthetic "
                           "loss",
                           f"# that improves, then plateaus at 0.3 from {tick} 47 on."]
        step_lines += [f"val_loss = {PLACEHOLDER_SOURCE.format(t=tick)}", "scheduler.step(val_loss)"]
    elif guard:
        step_lines = [f"if {tick} < {last}:  # {spec.title}: one more step() would raise here (the schedule ends)",
                      INDENT + "scheduler.step()"]
    else:
        step_lines = ["scheduler.step()"]

    if not nested:
        lines.append("for step in range(steps):")
        lines += [INDENT + s for s in body + step_lines]
    else:
        lines.append("for epoch in range(epochs):")
        inner = []
        needs_step = partial or (stepping == "iteration" and (spec.metric_driven or guard))
        if needs_step:
            inner.append("step = epoch * steps_per_epoch + batch")
        if partial:
            inner += ["if step == steps:", INDENT + "break"]
        inner += body
        if stepping == "iteration":
            inner += step_lines
            lines.append(INDENT + "for batch in range(steps_per_epoch):")
            lines += [2 * INDENT + s for s in inner]
        else:
            lines.append(INDENT + "for batch in range(steps_per_epoch):")
            lines += [2 * INDENT + s for s in inner]
            lines += [INDENT + s for s in step_lines]
    lines += ["", 'print(f"lr at the first step: {lrs[0]}, at the last: {lrs[-1]}")']
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------------------------- equivalents

PLATEAUS = ("torch.ReduceLROnPlateau", "oneflow.ReduceLROnPlateau", "transformers.reduce_lr_on_plateau")
# torch and OneFlow schedulers of the same title whose parameters mean the same (OneFlow may add some)
SAME_TITLE = {"ConstantLR", "LinearLR", "ExponentialLR", "StepLR", "MultiStepLR", "CosineAnnealingLR",
              "CosineAnnealingWarmRestarts", "LambdaLR"}


def _raw(value):
    """A validated value back in the engine's input form (text expressions, lists, schedule dicts)."""
    if isinstance(value, Expression):
        return value.text
    if isinstance(value, Child):
        return {"name": value.spec.name, "params": _minimal(value)}
    if isinstance(value, tuple):
        return [_raw(v) for v in value]
    return value


def _minimal(child: Child) -> dict:
    """The parameters a user would write: required ones and those off the default (per-group lists that hold
    one value collapse to it)."""
    out = {}
    for p, value in _shown(child.spec, child.params):
        if isinstance(value, tuple) and p.per_group and p.kind not in ("int_list", "schedule_list") and value \
                and _same(value):
            value = value[0]
        out[p.name] = _raw(value)
    return out


def _map_members(children, framework: str):
    out = []
    for c in children:
        mapped = next((cand for cand in _candidates(c) if cand[0].startswith(framework + ".")), None)
        if mapped is None:
            return None
        out.append({"name": mapped[0], "params": mapped[1]})
    return out


def _candidates(child: Child) -> list[tuple[str, dict]]:
    """Other-framework schedules that may give the same curve (``equivalents`` checks each one)."""
    fw, title, p = child.spec.framework, child.spec.title, child.params
    raw = {k: _raw(v) for k, v in p.items()}
    out: list[tuple[str, dict]] = []
    if fw == "torch":
        if title in SAME_TITLE:
            params = dict(raw)
            if title == "MultiStepLR":
                params["milestones"] = sorted(params["milestones"])  # torch's order does not matter
            out.append((f"oneflow.{title}", params))
        if title == "PolynomialLR" and p["total_iters"] > 0:
            out.append(("oneflow.PolynomialLR", {"decay_batch": p["total_iters"], "end_learning_rate": 0.0,
                                                 "power": p["power"]}))
            if p["power"] == 1.0:
                out.append(("transformers.linear", {"num_warmup_steps": 0, "num_training_steps": p["total_iters"]}))
        if title == "CosineAnnealingLR" and p["eta_min"] == 0:
            out.append(("oneflow.CosineDecayLR", {"decay_steps": p["T_max"]}))
            out.append(("transformers.cosine", {"num_warmup_steps": 0, "num_training_steps": p["T_max"]}))
        if title == "ConstantLR" and p["factor"] == 1.0:
            out.append(("transformers.constant", {}))
        if title in ("SequentialLR", "ChainedScheduler"):
            members = _map_members(p["schedulers"], "oneflow")
            if members is not None:
                params = {"schedulers": members}
                if title == "SequentialLR":
                    params.update(milestones=list(p["milestones"]), interval_rescaling=True)
                out.append((f"oneflow.{title}", params))
    elif fw == "oneflow":
        if title in SAME_TITLE:
            params = dict(raw)
            if title == "CosineAnnealingWarmRestarts":
                if p["decay_rate"] != 1.0 or p["restart_limit"] != 0:
                    params = None
                else:
                    del params["decay_rate"], params["restart_limit"]
            if params is not None:
                out.append((f"torch.{title}", params))
        if title == "PolynomialLR" and p["end_learning_rate"] == 0 and not p["cycle"]:
            out.append(("torch.PolynomialLR", {"total_iters": p["decay_batch"], "power": p["power"]}))
            if p["power"] == 1.0:
                out.append(("transformers.linear", {"num_warmup_steps": 0, "num_training_steps": p["decay_batch"]}))
        if title == "CosineAnnealingLR" and p["eta_min"] == 0:
            out.append(("transformers.cosine", {"num_warmup_steps": 0, "num_training_steps": p["T_max"]}))
        if title == "CosineDecayLR" and p["alpha"] == 0:
            out.append(("torch.CosineAnnealingLR", {"T_max": p["decay_steps"]}))
            out.append(("transformers.cosine", {"num_warmup_steps": 0, "num_training_steps": p["decay_steps"]}))
        if title == "ConstantLR" and p["factor"] == 1.0:
            out.append(("transformers.constant", {}))
        if title == "LinearLR" and p["start_factor"] == 0 and p["end_factor"] == 1.0:
            out.append(("transformers.constant_with_warmup", {"num_warmup_steps": p["total_iters"]}))
        if title == "SequentialLR":
            rescaled = p["interval_rescaling"]
            restarts = all(rescaled) if isinstance(rescaled, tuple) else (rescaled or not p["milestones"])
            if restarts:  # each member restarts at its milestone, as torch's always do
                members = _map_members(p["schedulers"], "torch")
                if members is not None:
                    out.append(("torch.SequentialLR", {"schedulers": members, "milestones": list(p["milestones"])}))
        if title == "ChainedScheduler":
            members = _map_members(p["schedulers"], "torch")
            if members is not None:
                out.append(("torch.ChainedScheduler", {"schedulers": members}))
        if title == "WarmupLR":
            W, f = p["warmup_iters"], p["warmup_factor"]
            warm = ({"name": "torch.LinearLR", "params": {"start_factor": f, "end_factor": 1.0, "total_iters": W}}
                    if p["warmup_method"] == "linear" else
                    {"name": "torch.ConstantLR", "params": {"factor": f, "total_iters": W}})
            sched = p["scheduler"]
            if sched is None:
                out.append((warm["name"], warm["params"]))
            elif W == 0 or p["warmup_prefix"]:
                members = _map_members([sched], "torch")
                if members is not None:
                    if W == 0:
                        out.append((members[0]["name"], members[0]["params"]))
                    else:
                        out.append(("torch.SequentialLR", {"schedulers": [warm, members[0]], "milestones": [W]}))
    elif fw == "transformers":
        if title == "get_constant_schedule":
            out.append(("torch.ConstantLR", {"factor": 1.0, "total_iters": 0}))
            out.append(("oneflow.ConstantLR", {"factor": 1.0, "total_iters": 0}))
        if title == "get_constant_schedule_with_warmup":
            out.append(("oneflow.LinearLR", {"start_factor": 0.0, "end_factor": 1.0,
                                             "total_iters": p["num_warmup_steps"]}))
        if title == "get_linear_schedule_with_warmup" and p["num_warmup_steps"] == 0:
            N = p["num_training_steps"]
            out.append(("torch.PolynomialLR", {"total_iters": N, "power": 1.0}))
            out.append(("oneflow.PolynomialLR", {"decay_batch": N, "end_learning_rate": 0.0, "power": 1.0}))
        if title == "get_cosine_schedule_with_warmup" and p["num_warmup_steps"] == 0 and p["num_cycles"] == 0.5:
            N = p["num_training_steps"]
            out.append(("torch.CosineAnnealingLR", {"T_max": N}))
            out.append(("oneflow.CosineAnnealingLR", {"T_max": N}))
            out.append(("oneflow.CosineDecayLR", {"decay_steps": N}))
    return out


def _agree(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all(np.isclose(a, b, rtol=1e-9, atol=1e-300)))


def equivalents(name: str, params: dict | None, *, steps: int, base_lr=0.1) -> list[tuple[str, dict]]:
    """Other frameworks' (name, params) that give exactly this curve for these ``steps`` and ``base_lr``: each
    candidate from a small mapping table is kept only if ``compute`` agrees with the original within 1e-9
    relative. Metric-driven schedulers map plateau to plateau only (the same algorithm, so no check is needed).
    A candidate the other framework refuses (OneFlow's stricter ranges, say) is left out. Raises ScheduleError
    only for bad input (the original's parameters, steps, base_lr)."""
    steps = _check_int("steps", steps, 1, MAX_STEPS)
    base = _base_lrs(base_lr)
    child = validate(name, params, groups=_n_groups(base))
    spec = child.spec
    out: list[tuple[str, dict]] = []
    if spec.metric_driven:
        if spec.name not in PLATEAUS:
            return out
        raw = _minimal(child)
        for other in PLATEAUS:
            if other.split(".")[0] != spec.framework:
                try:
                    validate(other, raw, groups=_n_groups(base))
                except ScheduleError:
                    continue
                out.append((other, dict(raw)))
        return out
    original = compute(name, params, steps=steps, base_lr=base)
    seen = set()
    for other, cand in _candidates(child):
        if other in seen or other.split(".")[0] == spec.framework:
            continue
        try:
            minimal = _minimal(validate(other, cand, groups=_n_groups(base)))
            curve = compute(other, minimal, steps=steps, base_lr=base)
        except Exception:  # refused by the other framework (or not computable there): not an equivalent
            continue
        if _agree(curve, original):
            seen.add(other)
            out.append((other, minimal))
    return out
