"""Engine speed: a 1,000,000-step curve of every closed-form scheduler, side by side with its baselines.

Baselines measured in the same run (these machines are noisy, so only ratios are compared):
  * one ``np.cos`` over 1,000,000 float64 values (target: each curve within 3x of it);
  * the framework's own loop for the same curve: ``optimizer.step(); scheduler.step()`` as in training (and as the
    parity tests run it), and ``scheduler.step()`` alone (target: the engine at least 1000x faster).
OneFlow cannot be installed here, so its schedulers are compared with np.cos only.

    python bench/engine_speed.py                 # full: torch and transformers stepped 1e6 times (~4 min)
    python bench/engine_speed.py --quick         # torch stepped 1e5 times and scaled x10 (said in the table)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import schedules  # noqa: E402
from bench.timing import best  # noqa: E402

# Step-count parameters, scaled from a spec's example to the benchmark's length
STEP_PARAMS = {"step_size", "milestones", "total_iters", "T_max", "T_0", "step_size_up", "step_size_down",
               "total_steps", "num_warmup_steps", "num_training_steps", "decay_batch", "decay_steps",
               "warmup_iters", "num_decay_steps", "num_stable_steps", "timescale"}
# LambdaLR costs what its expression costs: benchmark the commonest one and one with a cosine
LAMBDAS = {"0.95 ** epoch": lambda e: 0.95 ** e,
           "0.5 * (1 + cos(pi * epoch / 1000000))": lambda e: 0.5 * (1 + np.cos(np.pi * e / 1e6)),
           "0.9999999": lambda e: 0.9999999}


def scaled_params(spec, steps: int) -> dict:
    factor = steps / spec.example_steps
    params = {}
    for key, value in spec.example.items():
        if key in STEP_PARAMS and value is not None:
            value = [max(1, int(v * factor)) for v in value] if isinstance(value, list) else max(1, int(value * factor))
        params[key] = value
    if spec.title == "OneCycleLR":
        params["total_steps"] = steps
    return params


def best_of(fn, repeats: int) -> float:
    return best(fn, repeats)[0]


def framework_loop(name: str, params: dict, steps: int, with_optimizer: bool):
    """A callable that steps the real framework scheduler ``steps`` times (None where there is none)."""
    framework = name.split(".")[0]
    if framework not in ("torch", "transformers"):
        return None
    import torch

    def make():
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
        if framework == "torch":
            from tests.schedules.torch_oracle import build

            python_params = dict(params)
            if "lr_lambda" in python_params:
                python_params["lr_lambda"] = LAMBDAS[python_params["lr_lambda"]]
                cls = getattr(torch.optim.lr_scheduler, name.split(".")[1])
                return opt, cls(opt, **python_params)
            return opt, build(name, python_params, opt)
        import transformers

        kw = dict(params)
        warm, total = kw.pop("num_warmup_steps", None), kw.pop("num_training_steps", None)
        return opt, transformers.get_scheduler(name.split(".")[1], opt, num_warmup_steps=warm,
                                               num_training_steps=total, scheduler_specific_kwargs=kw)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt, sched = make()
            group = opt.param_groups[0]
            lrs = np.empty(steps)
            for t in range(steps):
                lrs[t] = group["lr"]
                if with_optimizer:
                    opt.step()
                sched.step()
        return lrs

    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="step the frameworks 1/10 as often and scale")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", default="", help="substring filter on scheduler ids")
    args = parser.parse_args(argv)
    steps = args.steps
    framework_steps = steps // 10 if args.quick else steps

    import torch  # noqa: F401  (imported here so that no timed loop pays for the imports)
    import transformers  # noqa: F401

    x = np.arange(steps, dtype=np.float64)
    cos_time = best_of(lambda: np.cos(x), args.repeats * 3)
    print(f"baseline: np.cos over {steps:,} float64 = {cos_time * 1e3:.2f} ms (best of {args.repeats * 3})")
    print(f"framework loops: {framework_steps:,} steps" + (f", scaled x{steps // framework_steps}" if args.quick
                                                           else "") + "\n")
    print("| scheduler | engine ms | × np.cos | framework loop s (opt+sched / sched) | engine speed-up |")
    print("|---|---:|---:|---:|---:|")
    worst_cos, worst_speedup = 0.0, float("inf")
    for name in schedules.names():
        spec = schedules.get(name)
        if spec.metric_driven or spec.composite or args.only not in name:
            continue
        for params in variants(spec, steps):
            worst_cos, worst_speedup = bench_one(name, params, steps, framework_steps, cos_time, args.repeats,
                                                 worst_cos, worst_speedup)
    print(f"\nworst engine time / np.cos: {worst_cos:.2f} (target <= 3)")
    print(f"worst speed-up vs the framework's training loop: {worst_speedup:,.0f}× (target >= 1000)")
    return 0


def variants(spec, steps):
    params = scaled_params(spec, steps)
    if spec.title == "LambdaLR":
        return [dict(params, lr_lambda=text) for text in list(LAMBDAS)[:2]]
    if spec.title == "MultiplicativeLR":
        return [dict(params, lr_lambda="0.9999999")]
    return [params]


def bench_one(name, params, steps, framework_steps, cos_time, repeats, worst_cos, worst_speedup):
    """Time one curve against its baselines, print its table row, return the updated worst ratios."""
    label = name + (f" `{params['lr_lambda']}`" if "lr_lambda" in params else "")
    ours = best_of(lambda: schedules.compute(name, params, steps=steps), repeats)
    ratio = ours / cos_time
    worst_cos = max(worst_cos, ratio)
    loop_full = framework_loop(name, params, framework_steps, with_optimizer=True)
    if loop_full is None:
        print(f"| {label} | {ours * 1e3:.2f} | {ratio:.2f} | (not installable here) | |")
        return worst_cos, worst_speedup
    scale = steps / framework_steps
    start = time.perf_counter()
    ref = loop_full()
    full = (time.perf_counter() - start) * scale
    bare = best_of(framework_loop(name, params, framework_steps, with_optimizer=False), 1) * scale
    if framework_steps == steps:  # the engine computes the framework's curve: check it while we are here
        assert np.allclose(schedules.compute(name, params, steps=steps), ref, rtol=1e-9, atol=1e-300), name
    worst_speedup = min(worst_speedup, full / ours)
    print(f"| {label} | {ours * 1e3:.2f} | {ratio:.2f} | {full:.2f} / {bare:.2f} | "
          f"{full / ours:,.0f}× / {bare / ours:,.0f}× |")
    return worst_cos, worst_speedup


if __name__ == "__main__":
    raise SystemExit(main())
