"""Realistic curves from the engine for the render tests and the figure benchmark."""

from __future__ import annotations

import base64

import numpy as np

import schedules
from render import Curve


def params(n: int) -> dict[str, dict]:
    """Eight schedulers scaled to ``n`` steps (a warmup is n // 20)."""
    w = n // 20
    return {
        "torch.StepLR": {"step_size": n // 10, "gamma": 0.5},
        "torch.OneCycleLR": {"max_lr": 0.1, "total_steps": n},
        "torch.CosineAnnealingLR": {"T_max": n},
        "torch.CyclicLR": {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": n // 20},
        "transformers.cosine": {"num_warmup_steps": w, "num_training_steps": n},
        "torch.CosineAnnealingWarmRestarts": {"T_0": n // 15, "T_mult": 2},
        "transformers.warmup_stable_decay": {"num_warmup_steps": w, "num_training_steps": n,
                                             "num_decay_steps": n // 5},
        "torch.SequentialLR": {"schedulers": [
            {"name": "torch.LinearLR", "params": {"start_factor": 0.01, "total_iters": w}},
            {"name": "torch.CosineAnnealingLR", "params": {"T_max": n - w}}], "milestones": [w]},
    }


def curve(name: str, n: int, **kwargs) -> Curve:
    """The engine's curve for ``name`` at ``n`` steps; SequentialLR gets its milestone as a phase."""
    p = params(n)[name]
    if name == "torch.SequentialLR" and "phases" not in kwargs:
        kwargs["phases"] = ((p["milestones"][0], "LinearLR → CosineAnnealingLR"),)
    return Curve(name, schedules.compute(name, p, steps=n), **kwargs)


def eight(n: int) -> list[Curve]:
    return [curve(name, n) for name in params(n)]


def decode(value) -> np.ndarray:
    """A plotly>=6 typed array ({"dtype", "bdata"[, "shape"]}) or a plain list, as numpy."""
    if isinstance(value, dict) and "bdata" in value:
        out = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            out = out.reshape([int(s) for s in str(value["shape"]).split(",")])
        return out
    return np.asarray(value)
