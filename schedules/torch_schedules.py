"""PyTorch 2.13 ``torch.optim.lr_scheduler``: the 15 schedulers as vectorized numpy curves.

Closed forms are used wherever they agree with torch's recursive ``step()`` to ~1e-12 over the engine's range;
``torch_replay`` repeats torch's own steps where its rounding or side effects must be reproduced (each spec's
notes say which). ``lr[t]`` is the optimizer's lr after ``t`` calls of ``scheduler.step()``.
"""

from __future__ import annotations

import math

import numpy as np

from .engine import Child, Context, evaluate_expression
from .errors import ScheduleError
from .fastmath import cos_progression, int_powers
from .params import (
    STEP_CAP,
    cycle_starts,
    factor_param,
    gamma_param,
    lr_param,
    marks,
    milestones_param,
    power_param,
    steps_param,
)
from .spec import REQUIRED, Param, Slider, Spec, register
from .torch_replay import replay

DOCS = "https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.{}.html"
CLOSED = "Computed in closed form (vectorized); agrees with torch's recursive step() to about 1e-13."
#  Classes whose step() multiplies the current lr by a factor that does not depend on the lr: a chain of
#  them is the product of their curves.
MULTIPLICATIVE = {"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
                  "MultiplicativeLR"}


def torch_spec(title, summary, params, compute, formula, notes=(), **kw) -> Spec:
    return register(Spec(f"torch.{title}", title, summary, tuple(params), compute, formula,
                         DOCS.format(title), tuple(notes), **kw))


def _refuse(title, param, why):
    raise ScheduleError(f"torch.{title}: {why}", param)


# ----------------------------------------------------------------------------------------------- lambdas

LAMBDA_PARAM = Param("lr_lambda", "expr", REQUIRED, per_group=True,
                     help="A function of the epoch (step count), typed as an expression in `epoch`, e.g. "
                          "`0.95 ** epoch`. A list gives one per parameter group.")


def lambda_lr(p, ctx: Context):
    return ctx.base_col * np.stack([evaluate_expression(f, ctx.tf, "torch.LambdaLR", "lr_lambda")
                                    for f in p["lr_lambda"]])


torch_spec("LambdaLR", "The lr is the initial lr times a function of the step.", [LAMBDA_PARAM], lambda_lr,
           r"\eta_t = \eta_0 \cdot \lambda(t)",
           ["lr[0] is base * lr_lambda(0), not base.", "Not chainable: it ignores the current lr.", CLOSED],
    example={"lr_lambda": "0.95 ** epoch"}, example_steps=100)


def multiplicative_lr(p, ctx: Context):
    rows = []
    for g, f in enumerate(p["lr_lambda"]):
        factors = evaluate_expression(f, ctx.tf, "torch.MultiplicativeLR", "lr_lambda").copy()
        factors[0] = ctx.base[g]  # cumprod over [base, f(1), f(2), ...] multiplies in torch's own order
        rows.append(np.cumprod(factors))
    return np.stack(rows)


torch_spec("MultiplicativeLR", "Each step multiplies the current lr by a function of the step.", [LAMBDA_PARAM],
           multiplicative_lr, r"\eta_t = \eta_{t-1} \cdot \lambda(t),\quad \eta_0 = \eta_{\text{base}}",
           ["lr[0] is base: lr_lambda(0) is never applied on its own.",
            "Computed as a running product in torch's multiplication order (bit-exact)."],
           extra={"multiplicative": True},
    example={"lr_lambda": "0.97"}, example_steps=100)

# ------------------------------------------------------------------------------------------ step shapes


def step_lr(p, ctx: Context):
    size = p["step_size"]
    levels = ctx.base_col * int_powers(p["gamma"], (ctx.steps - 1) // size + 1)
    return np.repeat(levels, size, axis=1)[:, : ctx.steps]


torch_spec("StepLR", "Multiply the lr by gamma every step_size steps.",
           [steps_param("step_size", help="Period of the decay, in steps."), gamma_param(0.1)], step_lr,
           r"\eta_t = \eta_0 \cdot \gamma^{\lfloor t / s \rfloor}", [CLOSED],
    example={"step_size": 30}, example_steps=100)


def multistep_lr(p, ctx: Context):
    bounds = np.clip(np.sort(np.asarray(p["milestones"], dtype=np.int64)), 0, ctx.steps)
    lengths = np.diff(np.concatenate([[0], bounds, [ctx.steps]]))  # steps spent after k decays
    levels = ctx.base_col * int_powers(p["gamma"], len(lengths))
    return np.repeat(levels, lengths, axis=1)


torch_spec("MultiStepLR", "Multiply the lr by gamma at each milestone.",
           [milestones_param(), gamma_param(0.1)], multistep_lr,
           r"\eta_t = \eta_0 \cdot \gamma^{\#\{m_i \le t\}}",
           ["Milestones need not be sorted; a repeated milestone decays twice (torch keeps a Counter).", CLOSED],
    example={"milestones": [30, 80]}, example_steps=100, phases=marks(("milestones", "decay")))


def constant_lr(p, ctx: Context):
    factor, total = p["factor"], p["total_iters"]
    if total == 0:  # torch applies the factor at t=0 and never reaches t == total_iters to undo it
        return np.broadcast_to(ctx.base_col * factor, (ctx.groups, ctx.steps))
    if factor == 0 and ctx.steps > total:
        _refuse("ConstantLR", "factor", "factor=0 makes torch divide by zero at step total_iters "
                                        "(it multiplies by 1/factor there); use a factor > 0")
    return ctx.base_col * np.where(ctx.t < total, factor, 1.0)


torch_spec("ConstantLR", "Scale the lr by a constant factor until total_iters, then restore it.",
           [factor_param("factor", 1.0 / 3, "The lr is multiplied by this until total_iters."),
            steps_param("total_iters", 5, "Steps during which the factor applies.", low=0)],
           constant_lr, r"\eta_t = \eta_0 \cdot (f \text{ if } t < T \text{ else } 1)",
           ["total_iters=0: torch applies the factor at step 0 and never undoes it (the closed form would say "
            "base); reproduced.", CLOSED], extra={"multiplicative": True},
    example={"factor": 0.5, "total_iters": 20}, example_steps=100, phases=marks(("total_iters", "factor ends")))


def linear_lr(p, ctx: Context):
    s, e, total = p["start_factor"], p["end_factor"], p["total_iters"]
    if total == 0:  # torch: start_factor at t=0, then "t > total_iters" keeps it forever
        return np.broadcast_to(ctx.base_col * s, (ctx.groups, ctx.steps))
    return ctx.base_col * (s + (e - s) * np.minimum(ctx.t, total) / total)


torch_spec("LinearLR", "Scale the lr linearly from start_factor to end_factor over total_iters steps.",
           [factor_param("start_factor", 1.0 / 3, "Factor at step 0.", low_open=True),
            factor_param("end_factor", 1.0, "Factor from step total_iters on."),
            steps_param("total_iters", 5, "Length of the ramp, in steps.", low=0)],
           linear_lr, r"\eta_t = \eta_0 \left(s + (e - s)\,\frac{\min(t, T)}{T}\right)",
           ["total_iters=0: stays at base * start_factor forever (the closed form would divide by zero).",
            CLOSED + " Drift grows with total_iters: about 5e-13 at 1e5."], extra={"multiplicative": True},
    example={"start_factor": 0.1, "total_iters": 20}, example_steps=100, phases=marks(("total_iters", "ramp ends")))


def exponential_lr(p, ctx: Context):
    return ctx.base_col * int_powers(p["gamma"], ctx.steps)


torch_spec("ExponentialLR", "Multiply the lr by gamma every step.", [gamma_param(REQUIRED)], exponential_lr,
           r"\eta_t = \eta_0 \cdot \gamma^{t}", [CLOSED],
    example={"gamma": 0.95}, example_steps=100)


def polynomial_lr(p, ctx: Context):
    total, power = p["total_iters"], p["power"]
    if total == 0:  # torch never leaves its "t > total_iters: keep the lr" branch
        return np.broadcast_to(ctx.base_col, (ctx.groups, ctx.steps))
    return ctx.base_col * (1.0 - np.minimum(ctx.t, total) / total) ** power


torch_spec("PolynomialLR", "Decay the lr polynomially to zero over total_iters steps.",
           [steps_param("total_iters", 5, "Steps until the lr reaches zero.", low=0), power_param()],
           polynomial_lr, r"\eta_t = \eta_0 \left(1 - \frac{\min(t, T)}{T}\right)^{p}",
           ["Reaches exactly 0 at total_iters and stays there.", "total_iters=0: stays at base.", CLOSED],
           extra={"multiplicative": True},
    example={"total_iters": 80, "power": 2.0}, example_steps=100, phases=marks(("total_iters", "reaches 0")))


# -------------------------------------------------------------------------------------------- cosines


def cosine_closed(eta, base_col, steps: int, T: int):
    """torch's _get_closed_form_lr: eta + (base - eta) * (1 + cos(pi * t / T)) / 2."""
    cos = cos_progression(np.pi / T, 0.0, steps, lambda k: np.cos(np.pi * k / T))
    return eta + (base_col - eta) * (1 + cos) / 2


def cosine_recursion(eta: float, base: np.ndarray, T: int, steps: int) -> np.ndarray:
    """torch's recursive CosineAnnealingLR.get_lr, operation for operation. The per-step ratios are vectorized
    (numpy's cos equals CPython's math.cos here); only the recurrence itself, whose rounding we must repeat,
    runs as a scalar loop."""
    t = np.arange(1, steps, dtype=np.float64)
    with np.errstate(all="ignore"):  # the ratio is unused (and may divide by zero) on restart steps
        ratios = ((1 + np.cos(np.pi * t / T)) / (1 + np.cos(np.pi * (t - 1) / T))).tolist()
    restarts = ((np.arange(1, steps) - 1 - T) % (2 * T) == 0).tolist()
    out = np.empty((base.size, steps))
    for g, lr in enumerate(base.tolist()):
        bump = (lr - eta) * (1 - math.cos(math.pi / T)) / 2  # torch adds this at each restart, from the raw base
        values = [lr]
        for ratio, restart in zip(ratios, restarts):
            lr = lr + bump if restart else ratio * (lr - eta) + eta
            values.append(lr)
        out[g] = values
    return out


def cosine_phases(p, steps):
    return [(k * p["T_max"], "T_max" if k == 1 else f"{k}·T_max") for k in range(1, min(steps // p["T_max"], 64) + 1)]


def cosine_annealing_lr(p, ctx: Context):
    T, eta = p["T_max"], p["eta_min"]
    if eta != 0 and ctx.steps > T + 1:
        # past T_max torch's recursion loses ~eps*eta per step to cancellation: repeat it exactly
        return cosine_recursion(eta, ctx.base, T, ctx.steps)
    return cosine_closed(eta, ctx.base_col, ctx.steps, T)


torch_spec(
    "CosineAnnealingLR", "Cosine from the initial lr down to eta_min over T_max steps, and back up after.",
    [steps_param("T_max", REQUIRED, "Half period of the cosine, in steps."),
     lr_param("eta_min", 0.0, "Minimum lr.")],
    cosine_annealing_lr,
    r"\eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})\left(1 + \cos\frac{\pi t}{T_{max}}\right)",
    ["Not clamped: past T_max the lr rises again (period 2*T_max).",
     "Closed form up to T_max, and past it when eta_min=0. Past T_max with eta_min>0 torch's recursive update "
     "drifts from the closed form (4e-8 at T_max=1e5), so the engine replays torch's steps sequentially there."],
    example={"T_max": 50}, example_steps=150, phases=cosine_phases)


def cawr_lr(p, ctx: Context):
    T0, mult, eta = p["T_0"], p["T_mult"], p["eta_min"]
    # torch's T_cur / T_i counters are integers: cycle i starts at T0 * (mult^i - 1) / (mult - 1) and lasts
    # T0 * mult^i steps, and every cycle of one length has bit-identical values, so each length is computed once
    out = np.empty((ctx.groups, ctx.steps))
    start, length = 0, T0
    while start < ctx.steps:
        n = min(length, ctx.steps - start)
        cycle = cosine_closed(eta, ctx.base_col, n, length)
        if mult == 1:
            out[:] = np.tile(cycle, (1, ctx.steps // n + 1))[:, : ctx.steps]
            break
        out[:, start: start + n] = cycle
        start, length = start + length, length * mult
    return out


torch_spec("CosineAnnealingWarmRestarts", "Cosine annealing that restarts every T_i steps; T_i grows by T_mult.",
           [steps_param("T_0", REQUIRED, "Length of the first cycle, in steps."),
            Param("T_mult", "int", 1, "Each cycle is T_mult times longer than the previous.", low=1, high=1000,
                  slider=Slider(1, 4)),
            lr_param("eta_min", 0.0, "Minimum lr.")],
           cawr_lr, r"\eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})\left(1 + \cos\frac{\pi T_{cur}}{T_i}\right)",
           ["Stepped once per step (integer epochs): T_cur and T_i follow torch's integer counters, so the "
            "float-log boundary quirk of step(epoch) with explicit epochs does not arise.", CLOSED],
    example={"T_0": 10, "T_mult": 2}, example_steps=150,
    phases=lambda p, steps: cycle_starts(p["T_0"], p["T_mult"], steps))


# ------------------------------------------------------------------------------------------- cyclic


def cyclic_lr(p, ctx: Context):
    up = float(p["step_size_up"])
    down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
    total = up + down
    ratio = up / total
    t = ctx.tf
    cycle = np.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    sf = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    mode = p["mode"]
    scale = 1.0 if mode == "triangular" else 1 / 2.0 ** (cycle - 1) if mode == "triangular2" else \
        np.power(p["gamma"], t)
    lo, hi = np.asarray(p["base_lr"])[:, None], np.asarray(p["max_lr"])[:, None]
    return lo + (hi - lo) * sf * scale


torch_spec("CyclicLR", "Triangular cycles between base_lr and max_lr (Smith's cyclical learning rates).",
           [lr_param("base_lr", REQUIRED, "Lower bound of the cycle (overrides the optimizer's lr).",
                     per_group=True),
            lr_param("max_lr", REQUIRED, "Upper bound of the cycle.", per_group=True),
            steps_param("step_size_up", 2000, "Steps in the rising half of a cycle."),
            steps_param("step_size_down", None, "Steps in the falling half (default: step_size_up).",
                        nullable=True),
            Param("mode", "choice", "triangular", "triangular: constant amplitude; triangular2: halved every "
                  "cycle; exp_range: scaled by gamma**step.", choices=("triangular", "triangular2", "exp_range")),
            Param("gamma", "float", 1.0, "exp_range only: amplitude factor gamma**step.", low=0.0, high=1.0,
                  low_open=True, slider=Slider(0.99, 1.0, step=0.0001))],
           cyclic_lr, r"\eta_t = \eta_{lo} + (\eta_{hi} - \eta_{lo})\,\max(0, 1 - |x|)\,s(t)",
           ["The optimizer's own lr is ignored: the cycle runs between base_lr and max_lr.",
            "exp_range scales by gamma**step (iterations, not cycles); the built-in modes override scale_mode.",
            "A custom scale_fn and the momentum arguments (which move momentum, not the lr) are not offered.",
            "Closed form with torch's own operation order (bit-exact)."],
    example={"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 20}, example_steps=200)


# ----------------------------------------------------------------------------------------- one cycle


def one_cycle_total(p) -> int:
    return p["total_steps"] if p["total_steps"] is not None else p["epochs"] * p["steps_per_epoch"]


def one_cycle_check(p, groups):
    if p["total_steps"] is None and (p["epochs"] is None or p["steps_per_epoch"] is None):
        raise ScheduleError("give total_steps, or both epochs and steps_per_epoch (torch: 'You must define "
                            "either total_steps OR (epochs AND steps_per_epoch)')", "total_steps")
    total = one_cycle_total(p)
    if total > STEP_CAP:
        raise ScheduleError(f"epochs * steps_per_epoch must be at most {STEP_CAP}, got {total}", "epochs")


def one_cycle_phases(p, steps):
    total, pct = one_cycle_total(p), p["pct_start"]
    marks = [(math.floor(pct * total - 1), "peak")]  # the last step of each phase reaches its end value
    if p["three_phase"]:
        marks.append((math.floor(2 * pct * total - 2), "back to initial"))
    return marks + [(total - 1, "end")]


def one_cycle_lr(p, ctx: Context):
    total = one_cycle_total(p)
    if ctx.steps > total + 1:
        _refuse("OneCycleLR", "total_steps", f"it is defined for total_steps + 1 = {total + 1} steps (torch raises "
                f"'Tried to step {total + 1} times' after that), but {ctx.steps} steps were asked for; raise "
                "total_steps or show fewer steps")
    pct = p["pct_start"]
    max_lr = np.asarray(p["max_lr"], dtype=np.float64)[:, None]
    initial = max_lr / p["div_factor"]
    values = {"initial": initial, "max": max_lr, "min": initial / p["final_div_factor"]}
    if p["three_phase"]:
        phases = [(float(pct * total) - 1, "initial", "max"), (float(2 * pct * total) - 2, "max", "initial"),
                  (total - 1, "initial", "min")]
    else:
        phases = [(float(pct * total) - 1, "initial", "max"), (total - 1, "max", "min")]
    out = np.empty((ctx.groups, ctx.steps))
    done = 0  # steps 0..done-1 are assigned; a phase takes the steps t <= end not taken by an earlier phase
    start = 0.0
    for i, (end, a, b) in enumerate(phases):
        stop = ctx.steps if i == len(phases) - 1 else min(ctx.steps, max(done, math.floor(end) + 1))
        if stop > done:
            if end == start:
                _refuse("OneCycleLR", "pct_start", f"pct_start * total_steps = {pct * total:g} gives phase {i + 1} "
                        "zero length, and torch divides by zero when it reaches it; choose another pct_start")
            span = end - start
            frac = (np.arange(done, stop, dtype=np.float64) - start) / span
            lo, hi = values[a], values[b]
            if p["anneal_strategy"] == "cos":
                cos = cos_progression(np.pi / span, np.pi * (done - start) / span, stop - done,
                                      lambda k, f=frac: np.cos(np.pi * f[k]))
                out[:, done:stop] = hi + (lo - hi) / 2.0 * (cos + 1)
            else:
                out[:, done:stop] = (hi - lo) * frac + lo
            done = stop
        start = end
    return out


torch_spec("OneCycleLR", "Warm up to max_lr, then anneal far below the start (Smith's 1cycle policy).",
           [lr_param("max_lr", REQUIRED, "Peak lr.", per_group=True, low_open=True),
            steps_param("total_steps", None, "Length of the cycle; or give epochs and steps_per_epoch.",
                        nullable=True),
            steps_param("epochs", None, "With steps_per_epoch, instead of total_steps.", nullable=True,
                        slider=Slider(1, 100)),
            steps_param("steps_per_epoch", None, "With epochs, instead of total_steps.", nullable=True),
            factor_param("pct_start", 0.3, "Fraction of the cycle spent increasing the lr."),
            Param("anneal_strategy", "choice", "cos", "Shape of each phase.", choices=("cos", "linear")),
            Param("div_factor", "float", 25.0, "Initial lr = max_lr / div_factor.", low=0.0, high=1e6,
                  low_open=True, slider=Slider(1.0, 1000.0, log=True)),
            Param("final_div_factor", "float", 1e4, "Final lr = initial lr / final_div_factor.", low=0.0, high=1e9,
                  low_open=True, slider=Slider(1.0, 1e6, log=True)),
            Param("three_phase", "bool", False, "Add a symmetric way down before the final annealing.")],
           one_cycle_lr,
           r"\frac{\eta_{\max}}{\text{div}} \nearrow \eta_{\max} \searrow "
           r"\frac{\eta_{\max}}{\text{div}\cdot\text{final\_div}}",
           ["The optimizer's own lr is ignored; it writes max_lr/div_factor into initial_lr (and so changes the "
            "base of any scheduler it is combined with).",
            "Step total_steps is legal and extrapolates the last phase; one more step is an error in torch.",
            "Closed form with torch's own operation order (bit-exact)."],
           check=one_cycle_check,
    example={"max_lr": 0.1, "total_steps": 100}, example_steps=100, phases=one_cycle_phases)

# ----------------------------------------------------------------------------------------- composites

SCHEDULERS = Param("schedulers", "schedule_list", REQUIRED, "The member schedulers, each {'name': 'torch.X', "
                   "'params': {...}}.", min_len=1, max_len=16)


def _torch_members(p, groups):
    for i, child in enumerate(p["schedulers"]):
        if child.spec.framework != "torch":
            raise ScheduleError(f"members must be torch schedulers, got {child.spec.name}", f"schedulers[{i}]")
        if child.spec.metric_driven:
            raise ScheduleError("ReduceLROnPlateau cannot be a member (torch raises ValueError: its step() "
                                "needs a metric)", f"schedulers[{i}]")


def sequential_check(p, groups):
    _torch_members(p, groups)
    ms, n = p["milestones"], len(p["schedulers"])
    if len(ms) != n - 1:
        raise ScheduleError(f"needs one milestone fewer than schedulers ({n - 1}), got {len(ms)}", "milestones")
    if any(b <= a for a, b in zip(ms, ms[1:])):
        raise ScheduleError(f"must be strictly increasing, got {list(ms)}", "milestones")


# Members that SequentialLR restarts to exactly their standalone curve from the shared base: their closed form
# at epoch 0 is base and their later steps only depend on the current lr (or on base alone).
RESTARTABLE = {"LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
               "ConstantLR", "LinearLR"}


def _sequential_is_vectorizable(p) -> bool:
    for i, child in enumerate(p["schedulers"]):
        title = child.spec.title
        if title not in RESTARTABLE:
            return False
        if title in ("ConstantLR", "LinearLR") and child.params["total_iters"] == 0 and i > 0:
            return False
    return True


def sequential_phases(p, steps):
    return [(m, f"→ {c.spec.title}") for m, c in zip(p["milestones"], p["schedulers"][1:])]


def sequential_lr(p, ctx: Context):
    if not _sequential_is_vectorizable(p):
        return replay(Child(SEQUENTIAL, p), ctx.base, ctx.steps)
    bounds = [0] + [min(m, ctx.steps) for m in p["milestones"]] + [ctx.steps]
    out = np.empty((ctx.groups, ctx.steps))
    for child, a, b in zip(p["schedulers"], bounds, bounds[1:]):
        if b > a:
            out[:, a:b] = ctx.compute(child, b - a)
    return out


SEQUENTIAL = torch_spec(
    "SequentialLR", "Run schedulers one after another, switching at the milestones.",
    [SCHEDULERS, milestones_param("Steps at which the next scheduler takes over.", low=1)],
    sequential_lr, r"\eta_t = S_k(t - m_{k-1}),\ k = \#\{m_i \le t\}",
    ["Each member restarts at its own step 0 at its milestone, from the optimizer's initial lr.",
     "A MultiplicativeLR member continues from the previous segment's last lr; a OneCycleLR member rewrites "
     "initial_lr (max_lr/div_factor), changing the base of every segment; ConstantLR/LinearLR with "
     "total_iters=0 restart at base. These, CyclicLR, CosineAnnealingWarmRestarts and nested composites are "
     "replayed step by step; the rest is assembled from the members' closed forms."],
    composite=True, check=sequential_check,
    example={"schedulers": [{"name": "torch.LinearLR", "params": {"start_factor": 0.1, "total_iters": 10}},
                            {"name": "torch.CosineAnnealingLR", "params": {"T_max": 90}}], "milestones": [10]},
    example_steps=100, phases=sequential_phases)


def chained_scheduler(p, ctx: Context):
    members = p["schedulers"]
    if all(c.spec.title in MULTIPLICATIVE for c in members):
        out = np.broadcast_to(ctx.base_col, (ctx.groups, ctx.steps)).copy()
        for child in members:
            out *= ctx.compute(child) / ctx.base_col
        return out
    return replay(Child(CHAINED, p), ctx.base, ctx.steps)


CHAINED = torch_spec(
    "ChainedScheduler", "Step several schedulers on the same optimizer at every step.",
    [SCHEDULERS], chained_scheduler, r"\eta_t = f_n(\dots f_1(\eta_{t-1}))",
    ["Pure factor members (Step, MultiStep, Constant, Linear, Exponential, Polynomial, Multiplicative) "
     "multiply: the curve is the product, computed vectorized.",
     "Any other member overwrites or shifts the lr (LambdaLR, CyclicLR, OneCycleLR, warm restarts) or is "
     "affine (CosineAnnealingLR, whose restart past T_max adds the unscaled base): then the engine replays "
     "torch's steps, and the result is not a product."],
    composite=True, check=_torch_members,
    example={"schedulers": [{"name": "torch.LinearLR", "params": {"start_factor": 0.1, "total_iters": 10}},
                            {"name": "torch.ExponentialLR", "params": {"gamma": 0.97}}]},
    example_steps=100)

# ---------------------------------------------------------------------------------------------- plateau

PLATEAU_PARAMS = (
    Param("mode", "choice", "min", "min: the metric should fall (a loss); max: it should rise (accuracy).",
          choices=("min", "max")),
    factor_param("factor", 0.1, "The lr is multiplied by this on a plateau.", high_open=True),
    Param("patience", "int", 10, "Non-improving steps tolerated before a reduction.", low=0, high=STEP_CAP,
          slider=Slider(0, 50)),
    Param("threshold", "float", 1e-4, "How much better counts as an improvement.", low=0.0, high=1e6,
          slider=Slider(1e-6, 1.0, log=True)),
    Param("threshold_mode", "choice", "rel", "rel: relative to the best; abs: absolute.", choices=("rel", "abs")),
    Param("cooldown", "int", 0, "Steps after a reduction during which bad steps are not counted.", low=0,
          high=STEP_CAP, slider=Slider(0, 50)),
    lr_param("min_lr", 0, "Lower bound of the lr.", per_group=True),
    Param("eps", "float", 1e-8, "Reductions smaller than this are skipped.", low=0.0, high=1e6,
          slider=Slider(1e-12, 1e-3, log=True)),
)


def hold(at: list, values: list, groups: int, steps: int) -> np.ndarray:
    """The (groups, steps) curve of a replay that notes only where the lrs change: from step ``at[k]`` on
    (``at[0] == 0``, increasing) the groups' lrs are ``values[k * groups:(k + 1) * groups]``. A per-step copy
    into the output would cost more than the replay's own arithmetic."""
    starts = np.array(at, dtype=np.int64)
    lrs = np.array(values, dtype=np.float64).reshape(len(at), groups)
    return np.repeat(lrs.T, np.diff(starts, append=steps), axis=1)


def plateau_replay(p, ctx: Context, lrs=None, recorder=None) -> np.ndarray:
    """torch's ReduceLROnPlateau.step(metric) after every step (OneFlow and transformers share it).

    With a ``recorder`` (``schedules.trace``) the same loop also appends, after each step ``t``, the state
    ``(metric, best, num_bad_epochs, cooldown_counter, improved)`` to ``recorder.states`` (index 0: the state
    after construction) and, each time patience runs out, ``(t, lrs before, max(lr * factor, min_lr), lrs after)``
    to ``recorder.fires``."""
    lrs = [float(x) for x in (ctx.base if lrs is None else lrs)]
    mode, rel, thr = p["mode"], p["threshold_mode"] == "rel", p["threshold"]
    factor, patience, cooldown, eps = p["factor"], p["patience"], p["cooldown"], p["eps"]
    min_lrs = p["min_lr"]
    groups = range(len(lrs))
    best = math.inf if mode == "min" else -math.inf
    bad = cooldown_counter = 0
    at, values = [0], list(lrs)  # the lrs from step at[k] on: values[k * groups:(k + 1) * groups]
    metrics = ctx.metrics.tolist() if ctx.steps > 1 else []
    record = recorder is not None
    if record:
        keep, fired = recorder.states.append, recorder.fires.append
        keep((math.nan, best, bad, cooldown_counter, False))
    for t in range(1, ctx.steps):
        current = metrics[t - 1]
        if mode == "min":
            better = current < best * (1.0 - thr) if rel else current < best - thr
        else:
            better = current > best * (thr + 1.0) if rel else current > best + thr
        if better:
            best, bad = current, 0
        else:
            bad += 1
        if cooldown_counter > 0:
            cooldown_counter -= 1
            bad = 0
        if bad > patience:  # _reduce_lr
            changed = False
            if record:
                before, targets = tuple(lrs), []
            for g in groups:
                old = lrs[g]
                new = max(old * factor, min_lrs[g])
                if old - new > eps:
                    lrs[g] = new
                    changed = True
                if record:
                    targets.append(new)
            cooldown_counter, bad = cooldown, 0
            if changed:
                at.append(t)
                values.extend(lrs)
            if record:
                fired((t, before, tuple(targets), tuple(lrs)))
        if record:
            keep((current, best, bad, cooldown_counter, better))
    return hold(at, values, len(lrs), ctx.steps)


torch_spec("ReduceLROnPlateau", "Multiply the lr by factor when the metric stops improving.", PLATEAU_PARAMS,
           plateau_replay, r"\eta \leftarrow \max(\eta \cdot f, \eta_{min}) \text{ after patience+1 bad steps}",
           ["Driven by metrics: metrics[t] is passed to step() after step t, so lr[t+1] depends on "
            "metrics[0..t].", "NaN metrics count as not better. The first reduction comes after patience+1 "
            "non-improving steps; bad steps during cooldown are ignored; reductions smaller than eps are "
            "skipped.", "A state machine: computed by a sequential loop over the metrics."],
           metric_driven=True,
    example={"patience": 5}, example_steps=100)
