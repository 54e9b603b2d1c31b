"""A step-by-step replay of torch.optim.lr_scheduler (2.13) on plain floats: the sequential fallback.

The vectorized closed forms in ``torch_schedules`` cover every scheduler on its own. Torch's recursive updates
only need repeating where its own rounding or its side effects show: CosineAnnealingLR past ``T_max`` with
``eta_min != 0`` (cancellation amplifies rounding to ~1e-8), and composites whose members are not pure factors
(ChainedScheduler with LambdaLR/CyclicLR/OneCycleLR/CAWR/affine cosine, SequentialLR restarts of recursive or
stateful members, OneCycleLR's ``initial_lr`` overwrite). Each class here repeats torch's ``get_lr``,
``_get_closed_form_lr`` and construction side effects operation for operation, on a stand-in optimizer.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter

import numpy as np

from .errors import ScheduleError


class Optimizer:
    """The part of torch.optim.Optimizer that schedulers touch: the param groups' lr and initial_lr."""

    def __init__(self, lrs):
        self.param_groups = [{"lr": float(lr)} for lr in lrs]

    def lrs(self) -> list[float]:
        return [g["lr"] for g in self.param_groups]


class Scheduler:
    has_closed_form = False

    def __init__(self, opt: Optimizer):
        self.opt = opt
        for group in opt.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [g["initial_lr"] for g in opt.param_groups]
        self.last_epoch = -1
        self.initial_step()

    def initial_step(self):
        self.step_count = 0
        self.is_initial = True
        try:
            self.step()
        finally:
            self.is_initial = False

    def step(self):
        self.step_count += 1
        self.update_lr(None)

    def update_lr(self, epoch):
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self.closed_form() if self.has_closed_form else self.get_lr()
        for group, lr in zip(self.opt.param_groups, values):
            group["lr"] = lr

    def current(self):
        return self.opt.lrs()


class LambdaLR(Scheduler):
    def __init__(self, opt, tables):
        self.tables = tables  # tables[g][epoch] = lr_lambda_g(epoch), precomputed vectorized
        super().__init__(opt)

    def get_lr(self):
        return [b * float(tab[self.last_epoch]) for tab, b in zip(self.tables, self.base_lrs)]


class MultiplicativeLR(Scheduler):
    def __init__(self, opt, tables):
        self.tables = tables
        super().__init__(opt)

    def get_lr(self):
        if self.is_initial:
            return self.current()
        return [lr * float(tab[self.last_epoch]) for tab, lr in zip(self.tables, self.current())]


class StepLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, step_size, gamma=0.1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self.current()
        return [lr * self.gamma for lr in self.current()]

    def closed_form(self):
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, milestones, gamma=0.1):
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self.current()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self.current()]

    def closed_form(self):
        ms = sorted(self.milestones.elements())
        return [b * self.gamma ** bisect_right(ms, self.last_epoch) for b in self.base_lrs]


class ConstantLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, factor=1.0 / 3, total_iters=5):
        self.factor, self.total_iters = factor, total_iters
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self.current()]
        if self.last_epoch != self.total_iters:
            return self.current()
        return [lr * (1.0 / self.factor) for lr in self.current()]

    def closed_form(self):
        return [b * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)) for b in self.base_lrs]


class LinearLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        self.s, self.e, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(opt)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.s for lr in self.current()]
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.current()
        d = self.e - self.s
        return [lr * (1.0 + d / (self.total_iters * self.s + (self.last_epoch - 1) * d)) for lr in self.current()]

    def closed_form(self):
        return [b * (self.s + (self.e - self.s) * min(self.total_iters, self.last_epoch) / self.total_iters)
                for b in self.base_lrs]


class ExponentialLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, gamma):
        self.gamma = gamma
        super().__init__(opt)

    def get_lr(self):
        if self.is_initial:
            return self.current()
        return [lr * self.gamma for lr in self.current()]

    def closed_form(self):
        return [b * self.gamma ** self.last_epoch for b in self.base_lrs]


class PolynomialLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, total_iters=5, power=1.0):
        self.total_iters, self.power = total_iters, power
        super().__init__(opt)

    def get_lr(self):
        if self.is_initial or self.last_epoch > self.total_iters:
            return self.current()
        t, T = self.last_epoch, self.total_iters
        decay = ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** self.power
        return [lr * decay for lr in self.current()]

    def closed_form(self):
        return [b * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
                for b in self.base_lrs]


class CosineAnnealingLR(Scheduler):
    has_closed_form = True

    def __init__(self, opt, T_max, eta_min=0.0):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(opt)

    def get_lr(self):
        t, T, eta = self.last_epoch, self.T_max, self.eta_min
        if self.is_initial:
            return self.current()
        if self.step_count == 1 and t > 0:
            return [eta + (b - eta) * (1 + math.cos(t * math.pi / T)) / 2 for b in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            return [lr + (b - eta) * (1 - math.cos(math.pi / T)) / 2 for b, lr in zip(self.base_lrs, self.current())]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta) + eta for lr in self.current()]

    def closed_form(self):
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for b in self.base_lrs]


class CyclicLR(Scheduler):
    def __init__(self, opt, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular",
                 gamma=1.0):
        for lr, group in zip(base_lr, opt.param_groups):
            group["lr"] = lr
        self.max_lrs = list(max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode, self.gamma = mode, gamma
        super().__init__(opt)
        self.base_lrs = list(base_lr)

    def scale(self, cycle):
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / 2.0 ** (cycle - 1)
        return self.gamma ** self.last_epoch

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        sf = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        s = self.scale(cycle)
        return [b + (m - b) * sf * s for b, m in zip(self.base_lrs, self.max_lrs)]


class OneCycleLR(Scheduler):
    def __init__(self, opt, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", div_factor=25.0, final_div_factor=1e4, three_phase=False):
        total = total_steps if total_steps is not None else epochs * steps_per_epoch
        self.total_steps = total
        if three_phase:
            self.phases = [(float(pct_start * total) - 1, "initial_lr", "max_lr"),
                           (float(2 * pct_start * total) - 2, "max_lr", "initial_lr"),
                           (total - 1, "initial_lr", "min_lr")]
        else:
            self.phases = [(float(pct_start * total) - 1, "initial_lr", "max_lr"), (total - 1, "max_lr", "min_lr")]
        self.cos = anneal_strategy == "cos"
        for m, group in zip(max_lr, opt.param_groups):
            group["initial_lr"] = m / div_factor
            group["max_lr"] = m
            group["min_lr"] = group["initial_lr"] / final_div_factor
        super().__init__(opt)

    def anneal(self, start, end, pct):
        if self.cos:
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        t = self.last_epoch
        if t > self.total_steps:
            raise ScheduleError(f"OneCycleLR was stepped {t} times but total_steps is {self.total_steps}: torch "
                                f"raises 'Tried to step {t} times'", "total_steps")
        lrs = []
        for group in self.opt.param_groups:
            start = 0.0
            for i, (end, a, b) in enumerate(self.phases):
                if t <= end or i == len(self.phases) - 1:
                    lrs.append(self.anneal(group[a], group[b], (t - start) / (end - start)))
                    break
                start = end
        return lrs


class CosineAnnealingWarmRestarts(Scheduler):
    def __init__(self, opt, T_0, T_mult=1, eta_min=0.0):
        self.T_0, self.T_i, self.T_mult, self.eta_min, self.T_cur = T_0, T_0, T_mult, eta_min, -1
        super().__init__(opt)

    def get_lr(self):
        return [self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for b in self.base_lrs]

    def step(self):
        # torch's step(epoch=None): the first call is an explicit epoch 0; the rest advance T_cur by one
        if self.last_epoch < 0:
            self.T_i, self.T_cur, epoch = self.T_0, 0, 0
        else:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.opt.param_groups, self.get_lr()):
            group["lr"] = lr


class SequentialLR(Scheduler):
    def __init__(self, opt, schedulers, milestones):
        self.schedulers, self.milestones = schedulers, list(milestones)
        self.last_epoch = 0
        self.opt = opt
        for group in opt.param_groups:
            group["lr"] = group["initial_lr"]
        self.undo(self)
        self.schedulers[bisect_right(self.milestones, 0)].initial_step()

    def undo(self, sched):
        if hasattr(sched, "schedulers"):
            for s in sched.schedulers:
                self.undo(s)
        else:
            sched.last_epoch -= 1

    def step(self):
        self.last_epoch += 1
        idx = bisect_right(self.milestones, self.last_epoch)
        scheduler = self.schedulers[idx]
        if idx > 0 and self.milestones[idx - 1] == self.last_epoch:
            scheduler.update_lr(0)
        else:
            scheduler.step()

    def initial_step(self):  # reached when nested in another SequentialLR: torch calls LRScheduler's
        self.step_count = 0
        self.step()

    def update_lr(self, epoch):  # torch: LRScheduler._update_lr on a SequentialLR calls its get_lr
        raise ScheduleError("a SequentialLR nested as a later member of another SequentialLR cannot be "
                            "restarted: torch raises NotImplementedError there", "schedulers")


class ChainedScheduler(Scheduler):
    def __init__(self, opt, schedulers):
        self.schedulers, self.opt = schedulers, opt

    def step(self):
        for s in self.schedulers:
            s.step()

    def initial_step(self):
        self.step_count = 0
        self.step()

    def update_lr(self, epoch):
        raise ScheduleError("a ChainedScheduler as a later member of a SequentialLR cannot be restarted: "
                            "torch raises NotImplementedError there", "schedulers")


def lambda_tables(exprs, steps: int, spec_name: str):
    """lr_lambda values for epochs 0..steps (one array per group), computed vectorized once."""
    from .engine import evaluate_expression

    epochs = np.arange(steps + 1, dtype=np.float64)
    return [evaluate_expression(e, epochs, spec_name, "lr_lambda") for e in exprs]


def build(child, opt: Optimizer, steps: int):
    """Construct the torch scheduler a validated child describes, children first, as user code would."""
    name, p = child.spec.title, dict(child.params)
    if name in ("SequentialLR", "ChainedScheduler"):
        members = [build(c, opt, steps) for c in p.pop("schedulers")]
        if name == "SequentialLR":
            return SequentialLR(opt, members, p["milestones"])
        return ChainedScheduler(opt, members)
    if name in ("LambdaLR", "MultiplicativeLR"):
        cls = LambdaLR if name == "LambdaLR" else MultiplicativeLR
        return cls(opt, lambda_tables(p["lr_lambda"], steps, child.spec.name))
    return globals()[name](opt, **p)


def replay(child, base, steps: int) -> np.ndarray:
    """The lr of every group after 0..steps-1 calls of step(), shape (groups, steps)."""
    opt = Optimizer(base)
    try:
        top = build(child, opt, steps)
        out = np.empty((len(base), steps))
        out[:, 0] = opt.lrs()
        for t in range(1, steps):
            top.step()
            out[:, t] = opt.lrs()
    except ZeroDivisionError:
        raise ScheduleError(f"{child.spec.name}: torch divides by zero with these parameters (a zero-length "
                            "phase or factor); it would raise ZeroDivisionError", None) from None
    except OverflowError:
        raise ScheduleError(f"{child.spec.name}: the lr overflows float64 with these parameters", None) from None
    return out
