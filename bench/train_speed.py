"""Playground training speed: the default MLP run (SGD momentum 0.9, lr 0.1, 10 epochs on the digits), best of N.

The goal is under 3 s for the default run on a 2-core machine.

    python bench/train_speed.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import best  # noqa: E402
from playground.data import load_digits, split  # noqa: E402
from playground.mlp import TrainConfig, total_steps, train  # noqa: E402

GOAL_S = 3.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    load_digits()
    split()
    load_s = time.perf_counter() - start

    config = TrainConfig()
    n = total_steps(config)
    lr = np.full(n, 0.1)
    start = time.perf_counter()
    train(config, lr)
    cold_s = time.perf_counter() - start
    seconds, result = best(lambda: train(config, lr), args.repeats)
    print(f"data load + split (first call, then cached): {load_s * 1000:.1f} ms")
    print(f"default run: {config.epochs} epochs, {n} steps of batch {config.batch_size}, hidden {config.hidden}")
    print(f"  first (cold) run: {cold_s:.3f} s")
    print(f"  best of {args.repeats}: {seconds:.3f} s total, {seconds / config.epochs * 1000:.1f} ms per epoch, "
          f"{seconds / n * 1e6:.0f} µs per step")
    print(f"  final val accuracy {result.val_accuracy[-1]:.4f}, val loss {result.val_loss[-1]:.4f}")
    verdict = "meets" if seconds < GOAL_S else "MISSES"
    print(f"  {verdict} the goal of < {GOAL_S:.0f} s")
    return 0 if seconds < GOAL_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
