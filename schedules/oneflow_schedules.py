"""OneFlow (master) ``oneflow.optim.lr_scheduler``: 14 schedulers as vectorized numpy curves.

OneFlow's ``LRScheduler.step()`` does ``last_step += 1; lr_g = get_lr(base_g, last_step)``: every scheduler except
LambdaLR (which overrides ``step``) and ReduceLROnPlateau is a pure closed form of (base lr, step), with no recursion.
This module mirrors that: each such scheduler has a vectorized ``get_lr(p, base, t)`` (``GET_LR``) that takes any
base broadcastable against the integer step row ``t``, so the composites can call it the way OneFlow does:
SequentialLR/WarmupLR with the global (or rescaled) step and the shared base, ChainedScheduler with the previous
member's output as the "base". ``lr[t]`` is the optimizer's lr after ``t`` calls of ``scheduler.step()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .engine import Child, Context
from .errors import ScheduleError
from .fastmath import cos_pi_ratio, powers_at
from .params import STEP_CAP, factor_param, gamma_param, lr_param, marks, milestones_param, power_param, steps_param
from .spec import REQUIRED, Param, Slider, Spec, register
from .torch_schedules import PLATEAU_PARAMS, plateau_replay

DOCS = "https://oneflow.readthedocs.io/en/master/generated/oneflow.optim.lr_scheduler.{}.html"
CLOSED = ("Closed form: OneFlow computes get_lr(base_lr, step) afresh at every step (no recursion), and the engine "
          "evaluates the same expression vectorized, in OneFlow's operation order.")

# title -> get_lr(params, base, t): base broadcastable to (groups, len(t)), t an int64 row of steps >= 0.
GET_LR: dict[str, Callable[[dict, np.ndarray, np.ndarray], np.ndarray]] = {}


def _of(title, **params):
    return {"name": f"oneflow.{title}", "params": params}


# Parameters that show each schedule well (required ones included), and how many steps to show.
EXAMPLES = {
    "ConstantLR": ({"factor": 0.5, "total_iters": 20}, 100),
    "LinearLR": ({"start_factor": 0.1, "total_iters": 20}, 100),
    "ExponentialLR": ({"gamma": 0.95}, 100),
    "StepLR": ({"step_size": 30}, 100),
    "MultiStepLR": ({"milestones": [30, 80]}, 100),
    "PolynomialLR": ({"decay_batch": 30, "end_learning_rate": 0.001, "power": 2.0, "cycle": True}, 100),
    "CosineDecayLR": ({"decay_steps": 80, "alpha": 0.1}, 100),
    "CosineAnnealingLR": ({"T_max": 50}, 150),
    "CosineAnnealingWarmRestarts": ({"T_0": 10, "T_mult": 2, "decay_rate": 0.7}, 150),
    "LambdaLR": ({"lr_lambda": "0.95 ** epoch"}, 100),
    "SequentialLR": ({"schedulers": [_of("LinearLR", start_factor=0.1, total_iters=10), _of("CosineAnnealingLR",
                                                                                          T_max=100)],
                      "milestones": [10]}, 100),
    "WarmupLR": ({"scheduler": _of("CosineAnnealingLR", T_max=90), "warmup_factor": 0.1, "warmup_iters": 10,
                  "warmup_prefix": True}, 100),
    "ChainedScheduler": ({"schedulers": [_of("ConstantLR", factor=0.1, total_iters=10),
                                         _of("ExponentialLR", gamma=0.97)]}, 100),
    "ReduceLROnPlateau": ({"patience": 5}, 100),
}


def oneflow_spec(title, summary, params, formula, notes=(), get_lr=None, compute=None, **kw) -> Spec:
    """Register ``oneflow.<title>``. A ``get_lr`` makes the scheduler usable inside the composites."""
    kw.setdefault("example", EXAMPLES[title][0])
    kw.setdefault("example_steps", EXAMPLES[title][1])
    extra = dict(kw.pop("extra", {}))
    if get_lr is not None:
        GET_LR[title] = get_lr
        extra["has_get_lr"] = True  # OneFlow's get_lr(base_lr, step) exists: SequentialLR/WarmupLR/Chained accept it

        def compute(p, ctx: Context, _f=get_lr):
            return _f(p, ctx.base_col, ctx.t)

    return register(Spec(f"oneflow.{title}", title, summary, tuple(params), compute, formula, DOCS.format(title),
                         tuple(notes), extra=extra, **kw))


def _pow(x, exponent) -> np.ndarray:
    fast = powers_at(x, exponent) if np.ndim(exponent) else None
    return fast if fast is not None else np.power(x, np.asarray(exponent, dtype=np.float64))


# ------------------------------------------------------------------------------------------- factors


def constant_get_lr(p, base, t):
    return np.where(t < p["total_iters"], base * p["factor"], base)


oneflow_spec(
    "ConstantLR", "Scale the lr by a constant factor until total_iters, then restore it.",
    [factor_param("factor", 1.0 / 3, "The lr is multiplied by this while step < total_iters."),
     steps_param("total_iters", 5, "Steps during which the factor applies.", low=0)],
    r"\eta_t = \eta_0 \cdot (f \text{ if } t < T \text{ else } 1)",
    ["total_iters=0 gives the base lr from step 0 (torch would keep the factor forever).",
     "OneFlow raises ValueError for a factor outside [0, 1].", CLOSED],
    get_lr=constant_get_lr,
    phases=marks(("total_iters", "factor ends")))


def linear_get_lr(p, base, t):
    s, e, total = p["start_factor"], p["end_factor"], p["total_iters"]
    ramp = s + (e - s) * (t / max(total, 1))  # the max only avoids 0/0 where np.where picks e anyway
    return base * np.where(t < total, ramp, e)


oneflow_spec(
    "LinearLR", "Scale the lr linearly from start_factor to end_factor over total_iters steps.",
    [factor_param("start_factor", 1.0 / 3, "Factor at step 0."),
     factor_param("end_factor", 1.0, "Factor from step total_iters on."),
     steps_param("total_iters", 5, "Length of the ramp, in steps.", low=0)],
    r"\eta_t = \eta_0 \left(s + (e - s)\,\frac{t}{T}\right) \text{ for } t < T,\ \eta_0\, e \text{ after}",
    ["start_factor=0 is allowed (torch refuses it); both factors must be in [0, 1] (OneFlow: ValueError).",
     "total_iters=0 gives base * end_factor from step 0.",
     "OneFlow 0.7.0 returned the base lr (factor 1) from total_iters on, ignoring end_factor; master (shown here) "
     "holds end_factor.", CLOSED],
    get_lr=linear_get_lr,
    phases=marks(("total_iters", "ramp ends")))


def exponential_get_lr(p, base, t):
    return base * _pow(p["gamma"], t)


oneflow_spec("ExponentialLR", "Multiply the lr by gamma every step.", [gamma_param(REQUIRED)],
             r"\eta_t = \eta_0 \cdot \gamma^{t}", ["OneFlow raises ValueError for gamma <= 0.", CLOSED],
             get_lr=exponential_get_lr)


def step_get_lr(p, base, t):
    return base * _pow(p["gamma"], t // p["step_size"])


oneflow_spec("StepLR", "Multiply the lr by gamma every step_size steps.",
             [steps_param("step_size", help="Period of the decay, in steps."), gamma_param(0.1)],
             r"\eta_t = \eta_0 \cdot \gamma^{\lfloor t / s \rfloor}",
             ["OneFlow asserts step_size > 0 and gamma > 0.", "Same curve as torch's StepLR.", CLOSED],
             get_lr=step_get_lr)


def multistep_get_lr(p, base, t):
    ms = np.asarray(p["milestones"], dtype=np.int64)
    return base * _pow(p["gamma"], np.searchsorted(ms, t, side="right"))


def _increasing(name, values, strict=True):
    for a, b in zip(values, values[1:]):
        if b < a or (strict and b == a):
            raise ScheduleError(f"must be {'strictly ' if strict else ''}increasing"
                                f"{'' if strict else ' (sorted)'}, got {list(values)}", name)


oneflow_spec("MultiStepLR", "Multiply the lr by gamma at each milestone.",
             [milestones_param(), gamma_param(0.1)],
             r"\eta_t = \eta_0 \cdot \gamma^{\mathrm{bisect\_right}(m,\ t)}",
             ["Milestones must be strictly increasing (OneFlow asserts it; torch accepts any order and repeats).",
              CLOSED],
             get_lr=multistep_get_lr, check=lambda p, groups: _increasing("milestones", p["milestones"]),
    phases=marks(("milestones", "decay")))


def polynomial_get_lr(p, base, t):
    decay, end, power = p["decay_batch"], p["end_learning_rate"], p["power"]
    if p["cycle"]:
        cur = np.where(t == 0, 1, t)
        decay_batch = decay * -(-cur // decay)  # decay_batch * ceil(cur / decay_batch), in integers
    else:
        cur = np.minimum(t, decay)
        decay_batch = decay
    factor = _pow(1 - cur / decay_batch, power)
    return (base - end) * factor + end


oneflow_spec(
    "PolynomialLR", "Decay the lr polynomially to end_learning_rate over decay_batch steps, optionally in cycles.",
    [steps_param("decay_batch", REQUIRED, "Steps of one decay."),
     lr_param("end_learning_rate", 0.0001, "The lr at the end of the decay (absolute, not a factor)."),
     power_param(),
     Param("cycle", "bool", False, "Restart the decay every decay_batch steps instead of staying at the end.")],
    r"\eta_t = (\eta_0 - \eta_{end})\left(1 - \frac{c}{D'}\right)^{p} + \eta_{end},\ "
    r"c = \min(t, D),\ D' = D \text{ (no cycle)};\ c = \max(t, 1),\ D' = D\lceil c / D\rceil \text{ (cycle)}",
    ["Decays to end_learning_rate (default 1e-4, an absolute lr), not to zero; a base lr below it makes the "
     "curve rise.",
     "cycle=True: lr(0) equals lr(1) (OneFlow treats step 0 as step 1), the lr reaches end_learning_rate at every "
     "multiple of decay_batch and jumps back up one step later, each cycle decaying over a longer span "
     "decay_batch * ceil(t / decay_batch) from a lower point.",
     "OneFlow 0.7.0 called decay_batch `steps`.", "OneFlow asserts decay_batch > 0.", CLOSED],
    get_lr=polynomial_get_lr,
    phases=marks(("decay_batch", "decay ends")))

# -------------------------------------------------------------------------------------------- cosines


def cosine_decay_get_lr(p, base, t):
    T, alpha = p["decay_steps"], p["alpha"]
    cos_decay = 0.5 * (1 + cos_pi_ratio(np.minimum(t, T), T))  # past T the value is alpha anyway
    return base * np.where(t < T, (1 - alpha) * cos_decay + alpha, alpha)


oneflow_spec(
    "CosineDecayLR", "Half a cosine from the initial lr down to alpha * lr over decay_steps, then flat.",
    [steps_param("decay_steps", REQUIRED, "Length of the decay, in steps."),
     factor_param("alpha", 0.0, "Final lr as a fraction of the initial lr.")],
    r"\eta_t = \eta_0\left((1-\alpha)\,\tfrac12\left(1 + \cos\frac{\pi \min(t, T)}{T}\right) + \alpha\right)",
    ["Clamped: from decay_steps on the lr stays at base * alpha (unlike CosineAnnealingLR).",
     "OneFlow asserts decay_steps > 0; it does not check alpha (values outside [0, 1] are not offered).", CLOSED],
    get_lr=cosine_decay_get_lr,
    phases=marks(("decay_steps", "decay ends")))


def cosine_annealing_get_lr(p, base, t):
    T, eta = p["T_max"], p["eta_min"]
    return eta + (base - eta) * (0.5 * (1 + cos_pi_ratio(t, T)))


oneflow_spec(
    "CosineAnnealingLR", "Cosine from the initial lr down to eta_min over T_max steps, and back up after.",
    [steps_param("T_max", REQUIRED, "Half period of the cosine, in steps."),
     lr_param("eta_min", 0.0, "Minimum lr.")],
    r"\eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})\left(1 + \cos\frac{\pi t}{T_{max}}\right)",
    ["Not clamped: past T_max the lr rises again (period 2*T_max).",
     "OneFlow evaluates the closed form at every step, so it has none of the drift of torch's recursive update "
     "past T_max.", CLOSED],
    get_lr=cosine_annealing_get_lr)


def _cycle_index(t: np.ndarray, T0: int, mult: int) -> tuple[np.ndarray, np.ndarray]:
    """OneFlow's cycle index ``math.floor(math.log(1 - step / T_0 * (1 - T_mult), T_mult))`` and its argument.

    numpy's log may differ from CPython's by an ulp, which flips the floor where the log lands on an integer
    (at cycle starts, where OneFlow itself is sometimes an ulp low: T_0=1, T_mult=10, step 111 gives log 2.9999...
    and so the end of cycle 2, eta_min). Those few steps are redone with ``math.log`` itself."""
    x = 1 - t / T0 * (1 - mult)
    v = np.log(x) / math.log(mult)
    epoch = np.floor(v).astype(np.int64)
    for i in np.flatnonzero(np.abs(v - np.rint(v)) < 1e-9):
        epoch[i] = math.floor(math.log(float(x[i]), mult))
    return epoch, x


def _cycle_cosines(t, epoch, step_in_epoch, epoch_steps, T0, mult):
    """cos(pi * step_in_epoch / epoch_steps), as OneFlow computes it, through fastmath's tables: one table for
    T_mult = 1; one per cycle for sorted steps (each cycle a contiguous run); plain np.cos otherwise."""
    if mult == 1:
        return cos_pi_ratio(step_in_epoch, T0)
    if t.size < 2 or not np.all(t[1:] >= t[:-1]):
        return np.cos(np.pi * step_in_epoch / epoch_steps)
    out = np.empty(t.shape)
    edges = [0, *(np.flatnonzero(np.diff(epoch)) + 1).tolist(), t.size]
    for a, b in zip(edges, edges[1:]):
        out[a:b] = cos_pi_ratio(step_in_epoch[a:b], epoch_steps[a])
    return out


def cawr_get_lr(p, base, t):
    T0, mult, eta = p["T_0"], p["T_mult"], p["eta_min"]
    decay, limit = p["decay_rate"], p["restart_limit"]
    if mult > 1:
        epoch, _ = _cycle_index(t, T0, mult)
        mpow = np.power(np.int64(mult), epoch)
        epoch_steps = mpow * T0
        step_in_epoch = t - (1 - mpow) / (1 - mult) * T0
    else:
        epoch = t // T0
        epoch_steps = T0
        step_in_epoch = t - epoch_steps * epoch
    gamma = _pow(decay, epoch)
    cos_decay = 0.5 * (1 + _cycle_cosines(t, epoch, step_in_epoch, epoch_steps, T0, mult))
    lr = eta + (base * gamma - eta) * cos_decay
    if limit == 0:
        return lr
    return np.where(epoch < limit, lr, eta)


oneflow_spec(
    "CosineAnnealingWarmRestarts",
    "Cosine annealing that restarts every T_i steps; T_i grows by T_mult, the peak decays by decay_rate.",
    [steps_param("T_0", REQUIRED, "Length of the first cycle, in steps."),
     Param("T_mult", "int", 1, "Each cycle is T_mult times longer than the previous.", low=1, high=1000,
           slider=Slider(1, 4)),
     lr_param("eta_min", 0.0, "Minimum lr."),
     Param("decay_rate", "float", 1.0, "The peak of cycle i is base * decay_rate**i.", low=0.0, high=10.0,
           slider=Slider(0.1, 1.0, step=0.01)),
     Param("restart_limit", "int", 0, "After this many cycles the lr stays at eta_min; 0 means unlimited.",
           low=0, high=STEP_CAP, slider=Slider(0, 20))],
    r"\eta_t = \eta_{min} + \tfrac12(\eta_0\,d^{\,i} - \eta_{min})\left(1 + \cos\frac{\pi T_{cur}}{T_i}\right),\ "
    r"i = \left\lfloor \log_{T_{mult}}\!\left(1 + \frac{t (T_{mult} - 1)}{T_0}\right)\right\rfloor",
    ["With T_mult > 1 the cycle index is the floor of a float logarithm (CPython math.log), reproduced exactly: "
     "where the log of a cycle start lands an ulp below the integer, OneFlow is still at the end of the previous "
     "cycle and gives eta_min instead of the restart peak (T_0=1, T_mult=10: step 111). torch's integer counters "
     "do not have this.",
     "decay_rate and restart_limit are OneFlow extensions; restart_limit=0 means unlimited, and a negative one "
     "(eta_min at every step in OneFlow) is not offered.",
     "OneFlow raises ValueError unless T_0 is a positive int and T_mult an int >= 1.", CLOSED],
    get_lr=cawr_get_lr)

# ----------------------------------------------------------------------------------------------- lambda


def lambda_lr(p, ctx: Context):
    rows = [np.broadcast_to(f.evaluate(ctx.tf), (ctx.steps,)) for f in p["lr_lambda"]]
    return ctx.base_col * np.stack(rows)


oneflow_spec(
    "LambdaLR", "The lr is the initial lr times a function of the step.",
    [Param("lr_lambda", "expr", REQUIRED, per_group=True,
           help="A function of the step count, typed as an expression in `epoch`, e.g. `0.95 ** epoch`. A list "
                "gives one per parameter group.")],
    r"\eta_t = \eta_0 \cdot \lambda(t)",
    ["lr[0] is base * lr_lambda(0).",
     "It overrides step() and has no get_lr(base_lr, step), so OneFlow's SequentialLR, WarmupLR and "
     "ChainedScheduler cannot hold it (NotImplementedError); the engine refuses it there.", CLOSED],
    compute=lambda_lr)

# ------------------------------------------------------------------------------------------- composites

SCHEDULERS = Param("schedulers", "schedule_list", REQUIRED,
                   "The member schedulers, each {'name': 'oneflow.X', 'params': {...}}; members need OneFlow's "
                   "get_lr(base_lr, step), so LambdaLR, ReduceLROnPlateau and the composites cannot be members.",
                   min_len=1, max_len=16)


def _member_problem(child: Child) -> str | None:
    """Why OneFlow cannot use ``child`` as a member of a composite, or None."""
    spec = child.spec
    if spec.framework != "oneflow":
        return f"members must be OneFlow schedulers (oneflow.*), got {spec.name}"
    if spec.title in GET_LR:
        return None
    if spec.metric_driven:
        return ("ReduceLROnPlateau is not an LRScheduler and has no get_lr(base_lr, step), so OneFlow cannot "
                "use it here")
    return (f"{spec.title} has no get_lr(base_lr, step) (it overrides step()), so OneFlow raises "
            "NotImplementedError when it is used here; only closed-form schedulers can be members")


def _check_members(children, path="schedulers"):
    for i, child in enumerate(children):
        problem = _member_problem(child)
        if problem:
            raise ScheduleError(problem, f"{path}[{i}]")


def _rescaling(p) -> list[bool]:
    value = p["interval_rescaling"]
    return list(value) if isinstance(value, tuple) else [value] * len(p["milestones"])


def sequential_check(p, groups):
    _check_members(p["schedulers"])
    ms, n = p["milestones"], len(p["schedulers"])
    if len(ms) != n - 1:
        raise ScheduleError(f"needs one milestone fewer than schedulers ({n - 1}), got {len(ms)} (OneFlow: "
                            "ValueError)", "milestones")
    _increasing("milestones", ms, strict=False)
    r = p["interval_rescaling"]
    if isinstance(r, tuple) and len(r) != len(ms):
        raise ScheduleError(f"a list must have one entry per milestone ({len(ms)}), got {len(r)} (OneFlow: "
                            "ValueError)", "interval_rescaling")


def _segments(ctx: Context, members, milestones, rescaling, base) -> np.ndarray:
    """OneFlow's SequentialLR.step: member k = bisect_right(milestones, t) at step t, or at t - milestones[k-1]
    when its interval_rescaling is set, always from the shared base."""
    t = ctx.t
    bounds = [0] + [min(m, ctx.steps) for m in milestones] + [ctx.steps]
    out = np.empty((ctx.groups, ctx.steps))
    for k, (child, a, b) in enumerate(zip(members, bounds, bounds[1:])):
        if b > a:
            tk = t[a:b] - milestones[k - 1] if k > 0 and rescaling[k - 1] else t[a:b]
            out[:, a:b] = GET_LR[child.spec.title](child.params, base, tk)
    return out


def sequential_lr(p, ctx: Context):
    return _segments(ctx, p["schedulers"], list(p["milestones"]), _rescaling(p), ctx.base_col)


oneflow_spec(
    "SequentialLR", "Run schedulers one after another, switching at the milestones.",
    [SCHEDULERS, milestones_param("Steps at which the next scheduler takes over (sorted).", low=0),
     Param("interval_rescaling", "bool_list", False,
           "false: the next scheduler continues on the global step; true: it restarts at its own step 0. One bool, "
           "or a list with one per milestone.")],
    r"\eta_t = S_k\big(\eta_0,\ t - [r_k]\, m_{k-1}\big),\ k = \mathrm{bisect\_right}(m, t)",
    ["Default interval_rescaling=false: a member taking over at milestone m is evaluated at the global step t, "
     "not at t - m (torch always restarts it): e.g. ConstantLR(0.1, 2) then ExponentialLR(0.9) at milestone 2 "
     "gives 0.81 at step 2, not 1.0. (OneFlow's own docstring example shows 0.9 there, which neither mode gives.)",
     "Members are closed forms of (initial lr, step), so nothing carries over between segments.",
     "Milestones must be sorted (repeats allowed: the segment between them is empty). OneFlow does not check the "
     "order, but its bisect on an unsorted list picks the wrong member and rescaled steps go negative.",
     "Members: every OneFlow scheduler with get_lr(base_lr, step), i.e. not LambdaLR, ReduceLROnPlateau or a "
     "composite (OneFlow: NotImplementedError / AttributeError).", CLOSED],
    compute=sequential_lr, composite=True, check=sequential_check,
    phases=lambda p, steps: [(m, f"→ {c.spec.title}") for m, c in zip(p["milestones"], p["schedulers"][1:])])


def warmup_check(p, groups):
    if p["scheduler"] is None:
        if p["warmup_iters"] == 0:
            raise ScheduleError("must be >= 1 when there is no scheduler (OneFlow: ValueError \"When "
                                "'scheduler_or_optimizer' is an optimizer warmup_iters can't be equal to 0\")",
                                "warmup_iters")
        return
    problem = _member_problem(p["scheduler"])
    if problem:
        raise ScheduleError(problem, "scheduler")


def _fail(title, param, why):
    raise ScheduleError(f"oneflow.{title}: {param}: {why}", param)


def warmup_lr(p, ctx: Context):
    W, factor, sched = p["warmup_iters"], p["warmup_factor"], p["scheduler"]
    prefix, base = p["warmup_prefix"], ctx.base_col
    if W == 0:  # OneFlow builds no warmup at all: the scheduler alone, on the global step
        return GET_LR[sched.spec.title](sched.params, base, ctx.t)
    if p["warmup_method"] == "linear":
        end_factor = 1.0
        if sched is not None and not prefix:
            b0 = float(ctx.base[0])
            if not np.isclose(ctx.base, b0).all():
                _fail("WarmupLR", "warmup_prefix",
                      f"the parameter groups have different lrs {ctx.base.tolist()}: OneFlow's linear warmup without "
                      "prefix ends at the scheduler's lr at warmup_iters, computed from the first group only, and "
                      "raises ValueError ('The param_groups in optimizer have different warmup configs'); set "
                      "warmup_prefix=true, use warmup_method='constant', or give the groups one lr")
            end_lr = float(GET_LR[sched.spec.title](sched.params, np.array([[b0]]), np.array([W]))[0, 0])
            end_factor = end_lr / b0
            if not 0.0 <= end_factor <= 1.0:
                _fail("WarmupLR", "scheduler",
                      f"its lr at warmup_iters={W} is {end_lr!r}, and OneFlow's warmup LinearLR gets end_factor = "
                      f"{end_lr!r} / {b0!r} = {end_factor!r}, outside [0, 1] (ValueError 'Ending multiplicative "
                      "factor expected to be between 0 and 1'); use warmup_prefix=true or "
                      "warmup_method='constant'")
        warm = {"start_factor": factor, "end_factor": end_factor, "total_iters": W}
        warm_get_lr = linear_get_lr
    else:
        warm = {"factor": factor, "total_iters": W}
        warm_get_lr = constant_get_lr
    if sched is None:
        return warm_get_lr(warm, base, ctx.t)
    out = np.empty((ctx.groups, ctx.steps))
    a = min(W, ctx.steps)
    out[:, :a] = warm_get_lr(warm, base, ctx.t[:a])
    if ctx.steps > W:
        t = ctx.t[W:]
        out[:, W:] = GET_LR[sched.spec.title](sched.params, base, t - W if prefix else t)
    return out


oneflow_spec(
    "WarmupLR", "Warm up (linearly or at a constant factor) for warmup_iters steps, then hand over to a scheduler.",
    [Param("scheduler", "schedule", None, "The scheduler after the warmup, {'name': 'oneflow.X', 'params': {...}}; "
           "null warms up an optimizer alone (the lr then stays at base).", nullable=True),
     factor_param("warmup_factor", 1.0 / 3, "The lr starts at base * warmup_factor."),
     steps_param("warmup_iters", 5, "Length of the warmup, in steps; 0 means no warmup.", low=0,
                 slider=Slider(0, 1000)),
     Param("warmup_method", "choice", "linear", "linear: ramp up from warmup_factor; constant: hold warmup_factor.",
           choices=("linear", "constant")),
     Param("warmup_prefix", "bool", False, "true: the scheduler starts at its own step 0 after the warmup (and the "
           "linear ramp ends at base); false: the warmup overlays the scheduler's first warmup_iters steps.")],
    r"\eta_t = \begin{cases} \eta_0\left(f + (e - f)\frac{t}{W}\right) & t < W \\ "
    r"S(\eta_0,\ t - [\text{prefix}]\,W) & t \ge W \end{cases}",
    ["A SequentialLR of [warmup, scheduler] with milestone warmup_iters and interval_rescaling = warmup_prefix.",
     "linear without prefix: the ramp ends at the scheduler's own value at warmup_iters (end factor "
     "S(base, W) / base), and the scheduler continues on the global step, so its first warmup_iters steps are "
     "replaced by the ramp. With prefix the ramp ends at base and the scheduler restarts at 0 after it.",
     "linear without prefix needs all parameter groups to have (np.isclose) the same lr, and the scheduler's lr at "
     "warmup_iters to be at most base; OneFlow raises ValueError otherwise, and so does the engine.",
     "warmup_iters=0 leaves the scheduler alone (and is an error without one). Also exported as WarmUpLR.",
     "The older WarmUpLR (warm_up_lr.py) always ramped to the base lr and then jumped to the scheduler's value; "
     "the master docstring's CosineDecayLR example (0.00075 at step 1) still shows that, master gives 0.000595.",
     CLOSED],
    compute=warmup_lr, composite=True, check=warmup_check,
    phases=marks(("warmup_iters", "warmup ends")))


def chained_lr(p, ctx: Context):
    out = np.broadcast_to(ctx.base_col, (ctx.groups, ctx.steps))
    for child in p["schedulers"]:
        out = GET_LR[child.spec.title](child.params, out, ctx.t)
    return out


oneflow_spec(
    "ChainedScheduler", "Compose several schedulers: each applies its closed form to the previous one's lr.",
    [SCHEDULERS], r"\eta_t = S_n\big(\dots S_2(S_1(\eta_0, t), t)\dots, t\big)",
    ["Each member's get_lr is applied with the previous member's output as its base lr, at the same step; pure "
     "factor members (Constant, Linear, Exponential, Step, MultiStep) multiply, affine ones (cosines, polynomial "
     "with end_learning_rate) do not.",
     "Members: every OneFlow scheduler with get_lr(base_lr, step), i.e. not LambdaLR, ReduceLROnPlateau or a "
     "composite.", CLOSED],
    compute=chained_lr, composite=True, check=lambda p, groups: _check_members(p["schedulers"]))

# ---------------------------------------------------------------------------------------------- plateau

oneflow_spec(
    "ReduceLROnPlateau", "Multiply the lr by factor when the metric stops improving.", PLATEAU_PARAMS,
    r"\eta \leftarrow \max(\eta \cdot f, \eta_{min}) \text{ after patience+1 bad steps}",
    ["Same algorithm as torch's (OneFlow's test compares the two): metrics[t] is passed to step() after step t, "
     "so lr[t+1] depends on metrics[0..t]. NaN metrics count as not better; reductions smaller than eps are "
     "skipped; bad steps during cooldown are ignored.",
     "Not an LRScheduler: it cannot be a member of SequentialLR, WarmupLR or ChainedScheduler.",
     "A state machine: computed by a sequential loop over the metrics."],
    compute=plateau_replay, metric_driven=True)
