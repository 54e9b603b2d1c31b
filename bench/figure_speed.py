"""Figure speed: from parameters to what the browser receives, for 8 schedulers at 1e4, 1e5 and 1e6 steps.

Per length, best of several runs (these machines are noisy):
  * engine: ``schedules.compute`` of the 8 curves;
  * decimate: ``minmax_decimate`` of the 8 curves (max_points 4000);
  * lr_figure: the plotly figure of the 8 curves, decimation included (the goal: < 20 ms at 1e6 steps);
  * to_json: ``fig.to_json()`` (what ``st.plotly_chart`` sends), its size and size per curve (goal: < 300 KB);
  * png: ``static_image`` of the 8 curves (matplotlib Agg, warm);
  * csv: ``curves_csv`` of step, epoch and the 8 curves at full resolution.

    python bench/figure_speed.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import schedules  # noqa: E402
from bench.timing import best  # noqa: E402
from render import Curve, curves_csv, lr_figure, minmax_decimate, static_image  # noqa: E402
from tests.render.curves import params  # noqa: E402

SPE = 1000  # steps per epoch for the hover and the CSV epoch column



def main() -> None:
    lr_figure([Curve("warm-up", schedules.compute("torch.StepLR", {"step_size": 3}, steps=10))])  # plotly imports
    static_image([Curve("warm-up", schedules.compute("torch.StepLR", {"step_size": 3}, steps=10))])  # matplotlib
    rows = []
    for n in (10_000, 100_000, 1_000_000):
        p = params(n)
        t_engine, lrs = best(lambda p=p, n=n: [schedules.compute(k, v, steps=n) for k, v in p.items()], 3)
        curves = [Curve(k, lr) for k, lr in zip(p, lrs)]
        t_dec, dec = best(lambda curves=curves: [minmax_decimate(c.lr) for c in curves], 7)
        t_fig, fig = best(lambda curves=curves: lr_figure(curves, steps_per_epoch=SPE), 7)
        t_json, text = best(fig.to_json, 7)
        t_png, png = best(lambda curves=curves: static_image(curves, "png"), 3)
        t_csv, data = best(lambda curves=curves: curves_csv(curves, steps_per_epoch=SPE), 3 if n < 1e6 else 1)
        points = sum(i.size for i, _ in dec) / len(dec)
        rows.append((n, t_engine, t_dec, t_fig, t_json, len(text), len(text) / len(curves), points, t_png,
                     len(png), t_csv, len(data)))

    print(f"8 curves ({', '.join(params(100))}); best of 3-7 runs\n")
    print("| steps | engine ms | decimate ms | lr_figure ms (incl. decimate) | to_json ms | JSON KB | KB per curve "
          "| points per curve | png ms (KB) | csv ms (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, te, td, tf, tj, size, per, pts, tp, png, tc, csv in rows:
        print(f"| {n:,} | {te * 1e3:.1f} | {td * 1e3:.1f} | {tf * 1e3:.1f} | {tj * 1e3:.1f} | {size / 1e3:.0f} "
              f"| {per / 1e3:.0f} | {pts:,.0f} | {tp * 1e3:.0f} ({png / 1e3:.0f}) | {tc * 1e3:.0f} ({csv / 1e6:.1f}) |")


if __name__ == "__main__":
    main()
