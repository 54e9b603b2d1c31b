"""App speed: server-side time from a parameter change to a finished rerun, and the chart's payload.

Streamlit's AppTest runs the real page script in-process (no browser), so the time of ``widget.set_value(v).run()``
is what the server spends on a rerun: widgets, engine (a cache miss: every change is a new value), decimation,
figure, code snippet, serialisation. Measured at 10^4, 10^5 and 10^6 steps for a few schedulers; the payload is
the size of the plotly figure the browser receives.

    python bench/app_speed.py [--changes 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = [  # (scheduler, params, the number widget to change, values it takes)
    ("torch.OneCycleLR", lambda n: {"max_lr": 0.1, "total_steps": n}, "explore.pct_start",
     [0.25, 0.3, 0.35, 0.4, 0.2, 0.45, 0.5, 0.15, 0.55]),
    ("torch.CosineAnnealingLR", lambda n: {"T_max": n // 2}, "explore.T_max", None),
    ("transformers.cosine", lambda n: {"num_warmup_steps": n // 20, "num_training_steps": n}, "explore.num_cycles",
     [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3]),
    ("torch.SequentialLR", lambda n: {"schedulers": [
        {"name": "torch.LinearLR", "params": {"start_factor": 0.01, "total_iters": n // 20}},
        {"name": "torch.CosineAnnealingLR", "params": {"T_max": n - n // 20}}], "milestones": [n // 20]},
     "explore.milestones", None),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=7)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from streamlit.testing.v1 import AppTest

    print("| scheduler | steps | rerun after a change, median (min–max) ms | payload KB per curve |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for name, make, widget, values in CASES:
        for steps in (10_000, 100_000, 1_000_000):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            at.query_params["s"] = name
            at.query_params["p"] = json.dumps(make(steps))
            at.query_params["n"] = str(steps)
            at.run()
            assert not at.exception, at.exception
            times = []
            for i in range(args.changes):
                if widget == "explore.milestones":
                    target, value = at.text_input(key=widget), str(steps // 20 + 1 + i)
                else:
                    target = at.number_input(key=widget)
                    value = values[i] if values else steps // 2 + 1 + i
                start = time.perf_counter()
                (target.input(value) if widget == "explore.milestones" else target.set_value(value)).run()
                times.append(time.perf_counter() - start)
                assert not at.exception and not at.error, [e.value for e in at.error]
            chart = at.get("plotly_chart")[0]
            spec = json.loads(chart.proto.spec)
            kb = len(chart.proto.spec) / 1024 / max(1, len(spec["data"]))
            median = statistics.median(times) * 1e3
            worst = max(worst, median) if steps == 1_000_000 else worst
            print(f"| {name} | {steps:,} | {median:.0f} ({min(times) * 1e3:.0f}–{max(times) * 1e3:.0f}) | {kb:.0f} |")
    print(f"\nworst median rerun at 10^6 steps: {worst:.0f} ms (goal < 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
