"""GIF speed and size: ``render.animate`` drawing and sweep animations, warm, with and without gifsicle.

Rows: the drawing animation (60 frames + 15 held, 20 fps) of 1 and 3 curves of 10,000 steps at FULL (640×400) and
THUMB (240×150), and a sweep of CosineAnnealingWarmRestarts over 24 values of ``T_0`` (bounced: 46 frames,
12 fps) at FULL and THUMB. Columns: best-of-N wall time and size with ``optimize=True`` (``gifsicle -O3`` when it
is on PATH) and with ``optimize=False`` (Pillow only: what a machine without gifsicle gets). Goals: a 1-curve FULL
drawing < 0.5 s and < 100 KB, a 24-value sweep < 400 KB.

    python bench/gif_speed.py [--repeats 5] [--out DIR]   # --out also writes the GIFs there
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import PIL  # noqa: E402

import schedules  # noqa: E402
from bench.timing import best  # noqa: E402
from render import Curve  # noqa: E402
from render.animate import FULL, THUMB, drawing_gif, gif_info, sweep_gif  # noqa: E402

N = 10_000


def warmup_cosine(n: int = N, warmup: int = 1000) -> Curve:
    lr = schedules.compute("torch.SequentialLR", {"schedulers": [
        {"name": "torch.LinearLR", "params": {"start_factor": 0.01, "total_iters": warmup}},
        {"name": "torch.CosineAnnealingLR", "params": {"T_max": n - warmup}}], "milestones": [warmup]}, steps=n)
    return Curve("SequentialLR (warmup + cosine)", lr, phases=((warmup, "cosine"),))


def three() -> list[Curve]:
    return [warmup_cosine(),
            Curve("CosineAnnealingWarmRestarts", schedules.compute("torch.CosineAnnealingWarmRestarts",
                                                                   {"T_0": 700, "T_mult": 2}, steps=N)),
            Curve("OneCycleLR", schedules.compute("torch.OneCycleLR", {"max_lr": 0.1, "total_steps": N}, steps=N),
                  dash="dash")]


def sweep_frames(count: int = 24) -> list[tuple[str, list[Curve]]]:
    return [(f"T_0 = {t0:,}", [Curve("CosineAnnealingWarmRestarts", schedules.compute(
        "torch.CosineAnnealingWarmRestarts", {"T_0": int(t0), "T_mult": 2}, steps=N))])
        for t0 in np.linspace(200, 5000, count).astype(int)]



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()

    gifsicle = shutil.which("gifsicle")
    version = "not installed"
    if gifsicle:
        version = subprocess.run([gifsicle, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    start = time.perf_counter()
    drawing_gif([warmup_cosine(100, 10)], frames=2, size=THUMB)        # imports matplotlib, loads fonts
    cold = time.perf_counter() - start
    one, sweep = [warmup_cosine()], sweep_frames()
    cases = [
        ("drawing, 1 curve", "full", lambda **kw: drawing_gif(one, size=FULL, **kw)),
        ("drawing, 3 curves", "full", lambda **kw: drawing_gif(three(), size=FULL, steps_per_epoch=500, **kw)),
        ("drawing, 1 curve", "thumb", lambda **kw: drawing_gif(one, size=THUMB, **kw)),
        ("drawing, 3 curves", "thumb", lambda **kw: drawing_gif(three(), size=THUMB, steps_per_epoch=500, **kw)),
        ("sweep, 24 values bounced", "full", lambda **kw: sweep_gif(sweep, size=FULL, title="T_mult = 2", **kw)),
        ("sweep, 24 values bounced", "thumb", lambda **kw: sweep_gif(sweep, size=THUMB, **kw)),
    ]
    rows = []
    for name, size, fn in cases:
        fn(optimize=False)                                               # warm for this case
        t_opt, gif = best(lambda fn=fn: fn(optimize=True), args.repeats)
        t_raw, raw = best(lambda fn=fn: fn(optimize=False), args.repeats)
        info = gif_info(gif)
        rows.append((name, info, t_opt, len(gif), t_raw, len(raw)))
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            stem = f"{name.split(',')[0]}_{name.split(', ')[1].split()[0]}_{size}"
            (args.out / f"{stem}.gif").write_bytes(gif)
            (args.out / f"{stem}_nogifsicle.gif").write_bytes(raw)

    print(f"render.animate, 10,000-step curves; best of {args.repeats} warm runs; matplotlib {matplotlib.__version__},"
          f" Pillow {PIL.__version__}, numpy {np.__version__}; gifsicle: {version}; first call "
          f"(fonts, canvas; matplotlib already imported) {cold:.2f} s\n")
    print("| animation | canvas | frames (shown) | gifsicle -O3: ms | KB | Pillow only (optimize=False): ms | KB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, info, t_opt, n_opt, t_raw, n_raw in rows:
        w, h = info["size"]
        shown = sum(info["durations"]) / 1000
        opt = f"{t_opt * 1e3:.0f} | {n_opt / 1e3:.1f}" if gifsicle else "– | –"
        print(f"| {name} | {w}×{h} | {info['frames']} ({shown:.2f} s) | {opt} | {t_raw * 1e3:.0f} "
              f"| {n_raw / 1e3:.1f} |")


if __name__ == "__main__":
    main()
