"""Run the real torch.optim.lr_scheduler for a schedule dict: the reference the engine is compared with."""

from __future__ import annotations

import warnings

import numpy as np
import torch

import schedules

# Python callables for the lambda expressions the tests use: the oracle must not reuse our evaluator.
LAMBDAS = {
    "0.95 ** epoch": lambda epoch: 0.95 ** epoch,
    "epoch // 3": lambda epoch: epoch // 3,
    "min(1.0, (epoch + 1) / 10)": lambda epoch: min(1.0, (epoch + 1) / 10),
    "1.0 if epoch < 20 else 0.1": lambda epoch: 1.0 if epoch < 20 else 0.1,
    "0.99": lambda epoch: 0.99,
    "1.0 if epoch < 5 else 0.9": lambda epoch: 1.0 if epoch < 5 else 0.9,
    "0.5 * (1 + cos(pi * epoch / 50))": lambda epoch: 0.5 * (1 + np.cos(np.pi * epoch / 50)),
}

# Constructor arguments that torch wants as Python types our JSON-ish params do not carry
FLOAT_ARGS = {"pct_start"}


def make_optimizer(base_lr) -> torch.optim.Optimizer:
    lrs = base_lr if isinstance(base_lr, (list, tuple)) else [base_lr]
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": float(lr)} for lr in lrs]
    return torch.optim.SGD(groups, lr=float(lrs[0]), momentum=0.9)


def build(name: str, params: dict, opt):
    cls = getattr(torch.optim.lr_scheduler, name.split(".", 1)[1])
    kwargs = dict(params or {})
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [build(c["name"], c.get("params", {}), opt) for c in kwargs["schedulers"]]
    if "lr_lambda" in kwargs:
        value = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = [LAMBDAS[v] for v in value] if isinstance(value, list) else LAMBDAS[value]
    for key in FLOAT_ARGS & kwargs.keys():
        kwargs[key] = float(kwargs[key])
    if name == "torch.ChainedScheduler":
        return cls(kwargs["schedulers"], optimizer=opt)
    return cls(opt, **kwargs)


def torch_curve(name: str, params: dict | None, steps: int, base_lr=0.1, metrics=None) -> np.ndarray:
    """lr of each group before each of ``steps`` optimizer steps, as torch computes it."""
    opt = make_optimizer(base_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = build(name, params, opt)
        out = np.empty((len(opt.param_groups), steps))
        for t in range(steps):
            out[:, t] = [float(g["lr"]) for g in opt.param_groups]
            if t == steps - 1:
                break
            opt.step()
            if metrics is not None:
                sched.step(metrics[t])
            else:
                sched.step()
    return out if isinstance(base_lr, (list, tuple)) else out[0]


def assert_parity(name, params, steps, base_lr=0.1, metrics=None, rtol=1e-9):
    ours = schedules.compute(name, params, steps=steps, base_lr=base_lr, metrics=metrics)
    ref = torch_curve(name, params, steps, base_lr, metrics)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=1e-300, err_msg=f"{name} {params}")
    return ours
