"""Parameter builders shared by the framework modules (same meaning, same range, same slider everywhere)."""

from __future__ import annotations

from .spec import REQUIRED, Param, Slider

STEP_CAP = 10_000_000  # the engine's largest number of steps; step-count parameters share it


def steps_param(name: str, default=REQUIRED, help: str = "", low: int = 1, nullable: bool = False,
                slider=Slider(1, 1000)) -> Param:
    """A count of steps (periods, warmup lengths, milestones)."""
    return Param(name, "int", default, help, low=low, high=STEP_CAP, nullable=nullable, slider=slider)


def factor_param(name: str, default=REQUIRED, help: str = "", low: float = 0.0, high: float = 1.0,
                 low_open: bool = False, high_open: bool = False, log: bool = False) -> Param:
    """A multiplicative factor, usually in [0, 1]."""
    return Param(name, "float", default, help, low=low, high=high, low_open=low_open, high_open=high_open,
                 slider=Slider(max(low, 1e-4) if log else low, high, log=log))


def gamma_param(default=REQUIRED, help: str = "Multiplicative decay factor.", high: float = 10.0) -> Param:
    return Param("gamma", "float", default, help, low=0.0, high=high, low_open=True,
                 slider=Slider(0.01, 1.0, step=0.01))


def lr_param(name: str, default=REQUIRED, help: str = "", per_group: bool = False, low: float = 0.0,
             low_open: bool = False, nullable: bool = False) -> Param:
    """An absolute learning rate (log slider)."""
    return Param(name, "float", default, help, low=low, high=1e6, low_open=low_open, per_group=per_group,
                 nullable=nullable, slider=Slider(1e-7, 10.0, log=True))


def milestones_param(help: str = "Steps at which the lr is multiplied by gamma.", low: int = 0,
                     min_len: int = 0) -> Param:
    return Param("milestones", "int_list", REQUIRED, help, low=low, high=STEP_CAP, min_len=min_len,
                 max_len=1000, slider=Slider(0, 1000))


def power_param(default=1.0, help: str = "Exponent of the polynomial decay.") -> Param:
    return Param("power", "float", default, help, low=0.0, high=100.0, slider=Slider(0.0, 5.0, step=0.05))


def marks(*pairs: tuple[str, str]):
    """A spec's ``phases`` function marking the steps held by the named step parameters (ints or lists of ints),
    e.g. ``marks(("total_iters", "ramp ends"))``."""

    def phases(p, steps):
        out = []
        for name, label in pairs:
            value = p.get(name)
            for v in (value if isinstance(value, (list, tuple)) else [value]):
                if isinstance(v, int):
                    out.append((v, label))
        return out

    return phases


def cycle_starts(first: int, mult: int, steps: int, label: str = "restart"):
    """Restart steps of a warm-restart schedule (cycles of first * mult**i steps), at most 64 of them."""
    out, start, length = [], first, first * mult
    while start < steps and len(out) < 64:
        out.append((start, label))
        start, length = start + length, length * mult
    return out
