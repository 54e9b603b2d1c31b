"""Hugging Face transformers 5.23 ``get_scheduler``: the 12 ``SchedulerType`` names as numpy curves.

Ten of them are ``torch.optim.lr_scheduler.LambdaLR(m)``: ``lr[t] = base_g * m(t)`` after ``t`` calls of
``scheduler.step()``. Their multipliers ``m`` are vectorized here with the library's own operation order
(``transformers/optimization.py``), so they agree with the library to ~1e-15 on this machine: numpy's ``cos`` and
``sqrt`` match CPython's ``math``, numpy's ``**`` differs in the last bit on ~5% of inputs, and long cosines use
the fast angle-addition path of ``fastmath`` (exact near the bottom of each cosine, ~1e-12 elsewhere).
``reduce_lr_on_plateau`` is torch's ReduceLROnPlateau; ``greedy`` (GreedyLR) is a metric-driven state machine
replayed step by step.

Parameters are flat: ``num_warmup_steps`` / ``num_training_steps`` (what ``get_scheduler`` takes directly, only
for the schedules that use them) and the ``scheduler_specific_kwargs`` under transformers' own names and
defaults. ``spec.extra["direct"]`` / ``spec.extra["kwargs"]`` say which is which.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from .engine import Context
from .errors import ScheduleError
from .fastmath import cos_progression
from .params import STEP_CAP, factor_param, lr_param, power_param, steps_param
from .spec import REQUIRED, Param, Slider, Spec, register
from .torch_schedules import PLATEAU_PARAMS, hold, plateau_replay

DOCS = "https://huggingface.co/docs/transformers/main_classes/optimizer_schedules"
CLOSED = "Closed form, vectorized with the library's operation order (agrees with transformers to ~1e-12)."


# (params, steps) that show each schedule well, its quirks included (cosine rising again past N, ...)
EXAMPLES = {
    "constant": ({}, 100),
    "constant_with_warmup": ({"num_warmup_steps": 10}, 100),
    "linear": ({"num_warmup_steps": 10, "num_training_steps": 100}, 120),
    "cosine": ({"num_warmup_steps": 10, "num_training_steps": 100}, 150),
    "cosine_with_restarts": ({"num_warmup_steps": 10, "num_training_steps": 100, "num_cycles": 3}, 120),
    "polynomial": ({"num_warmup_steps": 10, "num_training_steps": 100, "lr_end": 1e-3, "power": 2.0}, 120),
    "inverse_sqrt": ({"num_warmup_steps": 10}, 200),
    "cosine_with_min_lr": ({"num_warmup_steps": 10, "num_training_steps": 100, "min_lr_rate": 0.1}, 150),
    "cosine_warmup_with_min_lr": ({"num_warmup_steps": 10, "num_training_steps": 100, "min_lr_rate": 0.1}, 150),
    "warmup_stable_decay": ({"num_warmup_steps": 10, "num_training_steps": 100, "num_decay_steps": 30}, 110),
    "reduce_lr_on_plateau": ({"patience": 5}, 100),
    "greedy": ({"patience": 3, "min_lr": 0.01, "max_lr": 0.5}, 200),
}


def hf_spec(type_name, function, summary, params, compute, formula, notes, *, returns="LambdaLR", **kw) -> Spec:
    params = tuple(params)
    direct = tuple(p.name for p in params if p.name in ("num_warmup_steps", "num_training_steps"))
    extra = {"scheduler_type": type_name, "function": function, "returns": returns, "direct": direct,
             "kwargs": tuple(p.name for p in params if p.name not in direct)}
    kw.setdefault("phases", _warmup_phases)
    kw.setdefault("example", EXAMPLES[type_name][0])
    kw.setdefault("example_steps", EXAMPLES[type_name][1])
    return register(Spec(f"transformers.{type_name}", function, summary, params, compute, formula, DOCS,
                         tuple(notes), extra=extra, **kw))


def _warmup_phases(p, steps):
    """The end of warmup and num_training_steps, where a schedule has them."""
    marks = []
    if p.get("num_warmup_steps"):
        marks.append((p["num_warmup_steps"], "warmup ends"))
    if p.get("num_training_steps") is not None:
        marks.append((p["num_training_steps"], "num_training_steps"))
    return marks


def _wsd_phases(p, steps):
    W, S, D = p["num_warmup_steps"], wsd_stable_steps(p), p["num_decay_steps"]
    return [(W, "warmup ends"), (W + S, "decay starts"), (W + S + D, "decay ends")]


def _refuse(type_name, param, why):
    raise ScheduleError(f"transformers.{type_name}: {why}", param)


def _defaults_lr(ctx: Context) -> float:
    """``optimizer.defaults['lr']``: the engine's optimizer is built with lr=base_lrs[0]."""
    return float(ctx.defaults_lr if ctx.defaults_lr is not None else ctx.base[0])


def _cos_cycles(nc: float, progress: np.ndarray, step: float, first: float) -> np.ndarray:
    """``cos(pi * nc * 2.0 * progress)`` where progress runs first, first + step, ... (the steps after warmup):
    computed by the fast angle-addition path, and exactly where the library's own rounding matters."""
    scale = math.pi * float(nc) * 2.0
    return cos_progression(scale * step, scale * first, progress.size, lambda k: np.cos(scale * progress[k]))


def _curve(ctx: Context, m: np.ndarray) -> np.ndarray:
    """LambdaLR: ``base_lr * lmbda(t)`` per group."""
    return ctx.base_col * m[None, :]


def _warmup(ctx: Context, W: int) -> tuple[slice, slice, np.ndarray]:
    """(steps t < W, steps t >= W, m holding the shared linear warmup float(t) / float(max(1, W)) on the first
    and 0 elsewhere). Slices, not masks: the phases are contiguous and boolean indexing costs more than the math."""
    w = max(0, min(W, ctx.steps))
    m = np.zeros(ctx.steps)
    m[:w] = ctx.tf[:w] / float(max(1, W))
    return slice(0, w), slice(w, None), m


def _progress(ctx: Context, W: int, N: int, sel: np.ndarray) -> np.ndarray:
    """float(t - W) / float(max(1, N - W)) on the selected steps."""
    return (ctx.t[sel] - W).astype(np.float64) / float(max(1, N - W))


def _min_lr_check(p, groups):
    if p["min_lr"] is not None and p["min_lr_rate"] is not None:
        raise ScheduleError("give only one of min_lr and min_lr_rate (transformers raises ValueError: 'Only one "
                            "of min_lr or min_lr_rate should be set')", "min_lr")
    if p["min_lr"] is None and p["min_lr_rate"] is None:
        raise ScheduleError("give one of min_lr (an absolute lr) or min_lr_rate (a fraction of the initial lr); "
                            "transformers raises ValueError without either", "min_lr_rate")


def _min_lr_rate(p, ctx: Context) -> float:
    """min_lr_rate, or min_lr / optimizer.defaults['lr'] (the same rate then applies to every group)."""
    return p["min_lr_rate"] if p["min_lr"] is None else p["min_lr"] / _defaults_lr(ctx)


# --------------------------------------------------------------------------------------------- parameters

W_PARAM = steps_param("num_warmup_steps", REQUIRED, "Steps of the linear warmup from 0 to the initial lr "
                      "(get_scheduler argument).", low=0)
N_PARAM = steps_param("num_training_steps", REQUIRED, "Total number of training steps (get_scheduler argument).",
                      slider=Slider(1, 1000))


def cycles_param(default, help):
    return Param("num_cycles", "float", default, help, low=0.0, high=1000.0, slider=Slider(0.0, 10.0, step=0.25))


HALF_CYCLES = cycles_param(0.5, "Number of cosine waves over the decay (0.5: one half-cosine down to the minimum).")
MIN_LR = lr_param("min_lr", None, "Minimum lr, absolute (divided by the optimizer's default lr to give a rate). "
                  "Give this or min_lr_rate.", nullable=True)
MIN_LR_RATE = Param("min_lr_rate", "float", None, "Minimum lr as a fraction of the initial lr. Give this or "
                    "min_lr.", low=0.0, high=1.0, nullable=True, slider=Slider(0.0, 1.0, step=0.01))

# ---------------------------------------------------------------------------------------------- constants


def constant(p, ctx: Context):
    return np.broadcast_to(ctx.base_col, (ctx.groups, ctx.steps))


hf_spec("constant", "get_constant_schedule", "The optimizer's lr, unchanged.", [], constant,
        r"\eta_t = \eta_0",
        ["get_scheduler ignores num_warmup_steps, num_training_steps and scheduler_specific_kwargs here.", CLOSED])


def constant_with_warmup(p, ctx: Context):
    W = p["num_warmup_steps"]
    _, rest, m = _warmup(ctx, W)
    m[rest] = 1.0
    return _curve(ctx, m)


hf_spec("constant_with_warmup", "get_constant_schedule_with_warmup",
        "Linear warmup from 0 to the initial lr, then constant.", [W_PARAM], constant_with_warmup,
        r"\eta_t = \eta_0 \cdot \begin{cases} t / W & t < W \\ 1 & t \ge W \end{cases}",
        ["lr[0] is 0 when num_warmup_steps > 0.", "get_scheduler ignores num_training_steps and "
         "scheduler_specific_kwargs here.", CLOSED])

# ------------------------------------------------------------------------------------------------- linear


def linear(p, ctx: Context):
    W, N = p["num_warmup_steps"], p["num_training_steps"]
    _, rest, m = _warmup(ctx, W)
    m[rest] = np.maximum(0.0, (N - ctx.t[rest]).astype(np.float64) / float(max(1, N - W)))
    return _curve(ctx, m)


hf_spec("linear", "get_linear_schedule_with_warmup",
        "Linear warmup from 0, then linear decay to 0 at num_training_steps.", [W_PARAM, N_PARAM], linear,
        r"\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\ "
        r"\max\left(0, \frac{N - t}{\max(1, N - W)}\right) & t \ge W \end{cases}",
        ["Stays at 0 from num_training_steps on.",
         "num_training_steps < num_warmup_steps is accepted: the lr drops to 0 right after the warmup.", CLOSED])

# ------------------------------------------------------------------------------------------------ cosines


def cosine(p, ctx: Context):
    W, N, nc = p["num_warmup_steps"], p["num_training_steps"], p["num_cycles"]
    _, rest, m = _warmup(ctx, W)
    progress = _progress(ctx, W, N, rest)
    m[rest] = np.maximum(0.0, 0.5 * (1.0 + _cos_cycles(nc, progress, 1.0 / max(1, N - W), 0.0)))
    return _curve(ctx, m)


hf_spec("cosine", "get_cosine_schedule_with_warmup",
        "Linear warmup from 0, then a cosine decay to 0 at num_training_steps.",
        [W_PARAM, N_PARAM, HALF_CYCLES], cosine,
        r"\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\ "
        r"\max\left(0, \tfrac12\left(1 + \cos(2\pi c\, p)\right)\right),\ p = \frac{t - W}{\max(1, N - W)} "
        r"& t \ge W \end{cases}",
        ["Not clamped at num_training_steps: past it the cosine rises again (with num_cycles=0.5 it is back at the "
         "initial lr at 2N - W).", "num_cycles > 0.5 makes the lr go down and up several times before N.", CLOSED])


def cosine_with_restarts(p, ctx: Context):
    W, N, nc = p["num_warmup_steps"], p["num_training_steps"], p["num_cycles"]
    _, rest, m = _warmup(ctx, W)
    # progress >= 1 (from t = W + max(1, N - W) on) gives 0, which m already holds
    cycling = slice(rest.start, max(rest.start, min(ctx.steps, W + max(1, N - W))))
    cycles = float(nc) * _progress(ctx, W, N, cycling)
    # cos(pi * (x % 1)) = (-1)^floor(x) * cos(pi * x): the unwrapped cosine is a progression fastmath computes
    # quickly; near each restart (|cos| ~ 1) it takes the library's own expression, so the wrap stays exact
    sign = 1.0 - 2.0 * (cycles.astype(np.int64) & 1)  # cycles >= 0: the cast floors
    exact = lambda k: sign[k] * np.cos(math.pi * (cycles[k] % 1.0))  # noqa: E731
    step = float(nc) / max(1, N - W)
    cos = sign * cos_progression(math.pi * step, 0.0, cycles.size, exact)
    m[cycling] = np.maximum(0.0, 0.5 * (1.0 + cos))
    return _curve(ctx, m)


hf_spec("cosine_with_restarts", "get_cosine_with_hard_restarts_schedule_with_warmup",
        "Linear warmup from 0, then num_cycles cosine decays to 0, each restarting at the initial lr.",
        [W_PARAM, N_PARAM, cycles_param(1, "Number of cosine cycles (hard restarts) between the warmup and "
                                           "num_training_steps.")],
        cosine_with_restarts,
        r"\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\ "
        r"\tfrac12\left(1 + \cos\left(\pi\, ((c\, p) \bmod 1)\right)\right),\ p = \frac{t - W}{\max(1, N - W)} "
        r"& p < 1 \\ 0 & p \ge 1 \end{cases}",
        ["0 from num_training_steps on (unlike cosine, which rises again).",
         "A fractional num_cycles ends the last cycle early: the lr jumps to 0 at num_training_steps.",
         "num_cycles is typed int in transformers but used as float(num_cycles); fractions work.", CLOSED])


def polynomial(p, ctx: Context):
    W, N, lr_end, power = p["num_warmup_steps"], p["num_training_steps"], p["lr_end"], p["power"]
    lr_init = _defaults_lr(ctx)
    if not lr_init > lr_end:
        _refuse("polynomial", "lr_end", f"lr_end ({lr_end:g}) must be smaller than the initial lr, "
                f"optimizer.defaults['lr'] = {lr_init:g} (transformers raises ValueError)")
    if N == W and ctx.steps > W:
        _refuse("polynomial", "num_training_steps", f"num_training_steps = num_warmup_steps = {W} makes transformers "
                f"divide by zero (ZeroDivisionError) at step {W}; make num_training_steps larger, or show at most "
                f"{W} steps")
    _, rest, m = _warmup(ctx, W)
    decay = slice(rest.start, max(rest.start, min(N + 1, ctx.steps)))  # W <= t <= N
    m[decay.stop:] = lr_end / lr_init
    if decay.stop > decay.start:
        pct_remaining = 1 - (ctx.t[decay] - W).astype(np.float64) / float(N - W)
        m[decay] = ((lr_init - lr_end) * pct_remaining ** power + lr_end) / lr_init
    return _curve(ctx, m)


hf_spec("polynomial", "get_polynomial_decay_schedule_with_warmup",
        "Linear warmup from 0, then a polynomial decay from the initial lr to lr_end.",
        [W_PARAM, N_PARAM, lr_param("lr_end", 1e-7, "The lr at num_training_steps and after."),
         power_param(1.0, "Exponent of the decay (1: linear).")],
        polynomial,
        r"\eta_t = \eta_g \cdot \begin{cases} t / \max(1, W) & t < W \\ "
        r"\frac{(\eta_0 - \eta_{end})\left(1 - \frac{t - W}{N - W}\right)^{p} + \eta_{end}}{\eta_0} & W \le t \le N \\ "
        r"\eta_{end} / \eta_0 & t > N \end{cases},\quad \eta_0 = \text{optimizer.defaults['lr']}",
        ["The decay is computed in absolute terms from optimizer.defaults['lr'] (here the first group's lr), then "
         "divided by it: other groups are scaled proportionally and end at base_g * lr_end / defaults['lr'], not at "
         "lr_end.", "lr_end must be below optimizer.defaults['lr'] (transformers raises ValueError).",
         "num_training_steps == num_warmup_steps divides by zero at step W (ZeroDivisionError in transformers); "
         "the engine refuses it when that step is shown.", CLOSED])


def inverse_sqrt(p, ctx: Context):
    W = p["num_warmup_steps"]
    timescale = p["timescale"]
    if timescale is None:
        timescale = W or 10_000
    _, rest, m = _warmup(ctx, W)
    shift = timescale - W
    m[rest] = 1.0 / np.sqrt((ctx.t[rest] + shift) / timescale)
    return _curve(ctx, m)


hf_spec("inverse_sqrt", "get_inverse_sqrt_schedule", "Linear warmup from 0, then decay as 1/sqrt(step).",
        [W_PARAM, steps_param("timescale", None, "Time scale of the decay; None means num_warmup_steps, or 10000 "
                              "when that is 0.", nullable=True)],
        inverse_sqrt,
        r"\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\ "
        r"\frac{1}{\sqrt{(t + \tau - W) / \tau}} & t \ge W \end{cases}",
        ["Equals the initial lr at t = W and decays without end; num_training_steps is not used (get_scheduler "
         "does not pass it).", "timescale=None means num_warmup_steps, or 10000 when num_warmup_steps is 0.",
         CLOSED])


def cosine_with_min_lr(p, ctx: Context):
    W, N, nc = p["num_warmup_steps"], p["num_training_steps"], p["num_cycles"]
    rate = _min_lr_rate(p, ctx)
    _, rest, m = _warmup(ctx, W)
    progress = _progress(ctx, W, N, rest)
    factor = 0.5 * (1.0 + _cos_cycles(nc, progress, 1.0 / max(1, N - W), 0.0))
    m[rest] = np.maximum(0, factor * (1 - rate) + rate)
    return _curve(ctx, m)


MIN_LR_NOTE = ("min_lr is turned into a rate by dividing by optimizer.defaults['lr'] (the first group's lr): "
               "other groups bottom out at base_g * min_lr / defaults['lr'].")
hf_spec("cosine_with_min_lr", "get_cosine_with_min_lr_schedule_with_warmup",
        "Linear warmup from 0, then a cosine decay down to a minimum lr.",
        [W_PARAM, N_PARAM, HALF_CYCLES, MIN_LR, MIN_LR_RATE], cosine_with_min_lr,
        r"\eta_t = \eta_0 \cdot \begin{cases} t / \max(1, W) & t < W \\ "
        r"\tfrac12\left(1 + \cos(2\pi c\, p)\right)(1 - r) + r,\ p = \frac{t - W}{\max(1, N - W)} "
        r"& t \ge W \end{cases}",
        ["Exactly one of min_lr and min_lr_rate must be given (transformers raises ValueError otherwise, also "
         "for the defaults).", MIN_LR_NOTE, "The warmup starts at 0, not at the minimum.",
         "Not clamped at num_training_steps: past it the cosine rises again.", CLOSED],
        check=_min_lr_check)


def cosine_warmup_with_min_lr(p, ctx: Context):
    W, N, nc, wr = float(p["num_warmup_steps"]), float(p["num_training_steps"]), p["num_cycles"], p["warmup_lr_rate"]
    rate = _min_lr_rate(p, ctx)
    tf = ctx.tf
    warm, rest = slice(0, min(int(W), ctx.steps)), slice(min(int(W), ctx.steps), None)
    m = np.empty(ctx.steps)
    if wr is None:
        m[warm] = (tf[warm] + 1.0) / max(1.0, W)
    else:
        m[warm] = wr + (1.0 - wr) * tf[warm] / max(1, W - 1)
    progress = (tf[rest] - W + 1.0) / max(1.0, N - W)
    factor = 0.5 * (1.0 + _cos_cycles(nc, progress, 1.0 / max(1.0, N - W), 1.0 / max(1.0, N - W)))
    m[rest] = np.maximum(0, factor * (1 - rate) + rate)
    return _curve(ctx, m)


hf_spec("cosine_warmup_with_min_lr", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        "Like cosine_with_min_lr, shifted one step earlier, with a warmup that can start above 0.",
        [W_PARAM, N_PARAM, HALF_CYCLES, MIN_LR, MIN_LR_RATE,
         Param("warmup_lr_rate", "float", None, "Start of the warmup as a fraction of the initial lr; None: the "
               "warmup is (t + 1) / W.", low=0.0, high=1.0, nullable=True, slider=Slider(0.0, 1.0, step=0.01))],
        cosine_warmup_with_min_lr,
        r"\eta_t = \eta_0 \cdot \begin{cases} \frac{t + 1}{\max(1, W)} \text{ or } "
        r"w + (1 - w)\frac{t}{\max(1, W - 1)} & t < W \\ "
        r"\tfrac12\left(1 + \cos(2\pi c\, p)\right)(1 - r) + r,\ p = \frac{t - W + 1}{\max(1, N - W)} "
        r"& t \ge W \end{cases}",
        ["Shifted by one step against cosine_with_min_lr: the warmup reaches the initial lr at t = W - 1 (lr[0] = "
         "base / W, not 0) and the cosine reaches its minimum at t = N - 1.",
         "With warmup_lr_rate the warmup goes from warmup_lr_rate to 1 over t = 0 .. W - 1.",
         "Exactly one of min_lr and min_lr_rate must be given (transformers raises ValueError otherwise).",
         MIN_LR_NOTE, "Not clamped: past N - 1 the cosine rises again.",
         "Computed in floats throughout, like the library. " + CLOSED],
        check=_min_lr_check)

# ------------------------------------------------------------------------------------------------- wsd

SHAPES = ("linear", "cosine", "1-sqrt")


def wsd_check(p, groups):
    if p["num_training_steps"] is None and p["num_stable_steps"] is None:
        raise ScheduleError("give num_training_steps or num_stable_steps (transformers raises ValueError: "
                            "'Either num_training_steps or num_stable_steps must be specified.')",
                            "num_training_steps")


def wsd_stable_steps(p) -> int:
    S = p["num_stable_steps"]
    return S if S is not None else p["num_training_steps"] - p["num_warmup_steps"] - p["num_decay_steps"]


def warmup_stable_decay(p, ctx: Context):
    W, D, r, nc = p["num_warmup_steps"], p["num_decay_steps"], p["min_lr_ratio"], p["num_cycles"]
    S = wsd_stable_steps(p)
    n = ctx.steps
    m = np.full(n, float(r))
    # the phases are contiguous: warmup [0, W), stable [W, W+S), decay [max(W, W+S), W+S+D); S may be negative
    warm_end = min(W, n)
    stable_end = min(max(W + S, warm_end), n)
    decay_start, decay_end = min(max(W, W + S), n), min(max(W + S + D, 0), n)
    m[warm_end:stable_end] = 1.0
    if warm_end > 0:
        q = ctx.tf[:warm_end] / float(max(1, W))
        kind = p["warmup_type"]
        if kind == "cosine":
            f = 0.5 * (1.0 - cos_progression(math.pi / max(1, W), 0.0, q.size, lambda k: np.cos(math.pi * q[k])))
        else:
            f = q if kind == "linear" else 1.0 - np.sqrt(1.0 - q)
        m[:warm_end] = np.maximum(0.0, f * (1.0 - r) + r)
    if decay_end > decay_start:
        q = (ctx.t[decay_start:decay_end] - W - S).astype(np.float64) / float(max(1, D))
        kind = p["decay_type"]
        if kind == "cosine":
            f = 0.5 * (1.0 + _cos_cycles(nc, q, 1.0 / max(1, D), float(q[0])))
        else:
            f = 1.0 - q if kind == "linear" else 1.0 - np.sqrt(q)
        m[decay_start:decay_end] = np.maximum(0.0, f * (1.0 - r) + r)
    return _curve(ctx, m)


hf_spec("warmup_stable_decay", "get_wsd_schedule",
        "Warmup, a stable phase at the initial lr, then a decay to min_lr_ratio (WSD).",
        [W_PARAM,
         steps_param("num_decay_steps", REQUIRED, "Length of the decay phase.", low=0),
         steps_param("num_training_steps", None, "Total steps; the stable phase is num_training_steps - "
                     "num_warmup_steps - num_decay_steps (get_scheduler argument). Give this or num_stable_steps.",
                     low=0, nullable=True),
         steps_param("num_stable_steps", None, "Length of the stable phase; wins over num_training_steps.", low=0,
                     nullable=True),
         Param("warmup_type", "choice", "linear", "Shape of the warmup.", choices=SHAPES),
         Param("decay_type", "choice", "cosine", "Shape of the decay.", choices=SHAPES),
         factor_param("min_lr_ratio", 0.0, "Start of the warmup and end of the decay, as a fraction of the "
                                           "initial lr."),
         HALF_CYCLES],
        warmup_stable_decay,
        r"\eta_t = \eta_0 \cdot \begin{cases} f_w\!\left(\frac{t}{\max(1,W)}\right)(1 - r) + r & t < W \\ 1 & "
        r"t < W + S \\ f_d\!\left(\frac{t - W - S}{\max(1, D)}\right)(1 - r) + r & t < W + S + D \\ r & "
        r"\text{after} \end{cases}",
        ["The warmup starts at min_lr_ratio, not at 0.",
         "num_stable_steps wins over num_training_steps when both are given (transformers warns).",
         "If num_training_steps < num_warmup_steps + num_decay_steps the stable phase is negative: the decay "
         "starts part-way through (or is skipped) right after the warmup, exactly as in transformers.",
         "Warmup shapes: linear q, cosine (1 - cos(pi q)) / 2, 1-sqrt 1 - sqrt(1 - q); decay shapes: linear "
         "1 - q, cosine (1 + cos(2 pi num_cycles q)) / 2, 1-sqrt 1 - sqrt(q).", CLOSED],
        phases=_wsd_phases, check=wsd_check)

# ------------------------------------------------------------------------------------- metric driven

hf_spec("reduce_lr_on_plateau", "get_reduce_on_plateau_schedule",
        "torch's ReduceLROnPlateau: multiply the lr by factor when the metric stops improving.", PLATEAU_PARAMS,
        plateau_replay, r"\eta \leftarrow \max(\eta \cdot f, \eta_{min}) \text{ after patience+1 bad steps}",
        ["get_scheduler passes scheduler_specific_kwargs to torch.optim.lr_scheduler.ReduceLROnPlateau unchanged "
         "(its defaults: mode='min', factor=0.1, patience=10, threshold=1e-4 rel); num_warmup_steps and "
         "num_training_steps are ignored.",
         "Driven by metrics: metrics[t] is passed to step() after step t, so lr[t+1] depends on metrics[0..t]. "
         "The Trainer needs an evaluation strategy for it.", "NaN metrics count as not better.",
         "A state machine: computed by a sequential loop over the metrics."],
        returns="ReduceLROnPlateau", metric_driven=True)


def greedy_replay(p, ctx: Context, recorder=None) -> np.ndarray:
    """transformers.optimization.GreedyLR.step(metric) after every step, statement by statement.

    With a ``recorder`` (``schedules.trace``) the same loop also appends, after each step ``t``, the state
    ``(metric compared, best, num_bad_epochs, num_good_epochs, cooldown_counter, warmup_counter, reset_start,
    improved)`` to ``recorder.states`` (index 0: the state after construction) and, each time patience runs out,
    ``(t, "increase" or "reduce", lrs before, min(lr / factor, max_lr) or max(lr * factor, min_lr), lrs after,
    reset_start after it, whether it reset)`` to ``recorder.fires``."""
    init = [float(b) for b in ctx.base]
    lrs = list(init)
    min_lrs, max_lrs = list(p["min_lr"]), list(p["max_lr"])
    mode_min, rel = p["mode"] == "min", p["threshold_mode"] == "rel"
    factor, patience, threshold, eps = p["factor"], p["patience"], p["threshold"], p["eps"]
    cooldown, warmup = p["cooldown"], p["warmup"]
    smooth, window_size, reset_original = p["smooth"], p["window_size"], p["reset_start"]
    groups = range(len(lrs))

    best = math.inf if mode_min else -math.inf
    num_bad = num_good = cooldown_counter = warmup_counter = 0
    reset_start = reset_original
    window: deque[float] = deque()  # StreamingAverage: its values and running sum, updated in the library's order
    window_sum = 0.0

    at, values = [0], list(lrs)  # the lrs from step at[k] on: values[k * groups:(k + 1) * groups]
    metrics = ctx.metrics.tolist() if ctx.steps > 1 else []
    record = recorder is not None
    if record:
        keep, fired = recorder.states.append, recorder.fires.append
        keep((math.nan, best, 0, 0, 0, 0, reset_start, False))
    for t in range(1, ctx.steps):
        current = metrics[t - 1]
        if smooth:
            window.append(current)
            window_sum += current
            if len(window) > window_size:
                window_sum -= window.popleft()
            current = window_sum / len(window)

        better = False
        if cooldown_counter > 0:
            cooldown_counter -= 1
            num_bad = num_good = 0
        elif warmup_counter > 0:
            warmup_counter -= 1
            num_bad = num_good = 0
        else:
            if mode_min:
                better = current < best * (1.0 - threshold) if rel else current < best - threshold
            else:
                better = current > best * (1.0 + threshold) if rel else current > best + threshold
            if better:
                best = current
                num_bad = 0
                num_good += 1
            else:
                num_bad += 1
                num_good = 0

            if num_good > patience:  # _increase_lr
                changed = False
                if record:
                    before, targets = tuple(lrs), []
                for i in groups:
                    old = lrs[i]
                    new = min(old / factor, max_lrs[i])
                    if new - old > eps:
                        lrs[i] = new
                        changed = True
                    if record:
                        targets.append(new)
                reset_start = reset_original
                warmup_counter = warmup
                num_good = 0
                if changed:
                    at.append(t)
                    values.extend(lrs)
                if record:
                    fired((t, "increase", before, tuple(targets), tuple(lrs), reset_start, False))
            elif num_bad > patience:  # _reduce_lr
                changed = reset = False
                if record:
                    before, targets = tuple(lrs), []
                all_at_min = True
                for i in groups:
                    old = lrs[i]
                    new = max(old * factor, min_lrs[i])
                    if old - new > eps:
                        lrs[i] = new
                        changed = True
                    if lrs[i] > min_lrs[i]:
                        all_at_min = False
                    if record:
                        targets.append(new)
                if record:
                    reduced = tuple(lrs)
                if all_at_min:
                    reset_start -= 1
                    if reset_start <= 0:  # _reset
                        reset = True
                        changed = changed or lrs != init
                        lrs = list(init)
                        best = math.inf if mode_min else -math.inf
                        num_bad = num_good = cooldown_counter = warmup_counter = 0
                        reset_start = reset_original
                        window, window_sum = deque(), 0.0
                cooldown_counter = cooldown
                num_bad = 0
                if changed:
                    at.append(t)
                    values.extend(lrs)
                if record:
                    fired((t, "reduce", before, tuple(targets), reduced, reset_start, reset))
        if record:
            keep((current, best, num_bad, num_good, cooldown_counter, warmup_counter, reset_start, better))

    return hold(at, values, len(lrs), ctx.steps)


hf_spec("greedy", "get_greedy_schedule",
        "GreedyLR: raise the lr while the metric keeps improving, lower it when it stalls.",
        [Param("mode", "choice", "min", "min: the metric should fall (a loss); max: it should rise (accuracy).",
               choices=("min", "max")),
         factor_param("factor", 0.95, "The lr is multiplied by this on a plateau and divided by it after a run of "
                      "improvements.", low_open=True, high_open=True),
         Param("patience", "int", 10, "Improving (or non-improving) steps needed before the lr goes up (or "
               "down).", low=0, high=STEP_CAP, slider=Slider(0, 50)),
         Param("threshold", "float", 1e-6, "How much better counts as an improvement.", low=0.0, high=1e6,
               slider=Slider(1e-8, 1.0, log=True)),
         Param("threshold_mode", "choice", "abs", "abs: absolute; rel: relative to the best.",
               choices=("rel", "abs")),
         Param("cooldown", "int", 0, "Steps after a reduction during which the counters stay at 0.", low=0,
               high=STEP_CAP, slider=Slider(0, 50)),
         Param("warmup", "int", 0, "Steps after an increase during which the counters stay at 0.", low=0,
               high=STEP_CAP, slider=Slider(0, 50)),
         lr_param("min_lr", 1e-3, "Lower bound of the lr (a list gives one per group).", per_group=True),
         lr_param("max_lr", 1.0, "Upper bound of the lr (a list gives one per group).", per_group=True),
         Param("eps", "float", 1e-8, "Changes of the lr smaller than this are skipped.", low=0.0, high=1e6,
               slider=Slider(1e-12, 1e-3, log=True)),
         Param("smooth", "bool", False, "Compare a rolling mean of the metric over window_size steps."),
         Param("window_size", "int", 50, "Window of the rolling mean (with smooth=True).", low=1, high=STEP_CAP,
               slider=Slider(1, 200)),
         Param("reset_start", "int", 500, "Reductions at min_lr (all groups) tolerated before everything resets "
               "to the initial state; an increase restores the count.", low=0, high=STEP_CAP,
               slider=Slider(1, 1000))],
        greedy_replay,
        r"\eta \leftarrow \begin{cases} \min(\eta / f, \eta_{max}) & \text{patience+1 improving steps} \\ "
        r"\max(\eta \cdot f, \eta_{min}) & \text{patience+1 non-improving steps} \end{cases}",
        ["Driven by metrics: metrics[t] is passed to step() after step t, so lr[t+1] depends on metrics[0..t].",
         "The defaults clamp the lr to [min_lr, max_lr] = [1e-3, 1.0] only when it moves: an initial lr outside "
         "that range stays until the first change (a reduction from below min_lr is skipped, as its 'decrease' "
         "is negative).",
         "During cooldown (after a reduction) and warmup (after an increase) the counters are held at 0; "
         "NaN metrics count as not better (and with smooth=True poison the rolling mean until a reset).",
         "Each reduction that leaves every group at or below its min_lr counts reset_start down; at 0 the lrs, "
         "best value, counters and smoothing window all return to the initial state.",
         "A state machine: computed by a sequential loop over the metrics (the library's code, step by step)."],
        returns="GreedyLR", metric_driven=True)
