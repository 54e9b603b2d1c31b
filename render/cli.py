"""The command line: one schedule as a GIF animation, a PNG/SVG/PDF figure, or a CSV/JSON table.

    python -m render torch.CosineAnnealingLR --set T_max=50 --steps 150 --out cosine.gif
    python -m render torch.StepLR --sweep gamma=0.1:0.9 --frames 9 --out steplr-gamma.gif
    python -m render --list

Bad input (an unknown schedule or parameter, a bad value, a bad option) prints ``error: <message>`` to stderr and
exits with status 2, without a traceback; a file that cannot be written exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

import schedules
from schedules.snippets import placeholder_metric

from .figures import Curve

FORMATS = ("gif", "png", "svg", "pdf", "csv", "json")
IMAGES = ("gif", "png", "svg", "pdf")         # the formats --size applies to
STATIC = ("png", "svg", "pdf")
SIZE_RANGE = (120, 2000)                      # --size: pixels, each side
FRAMES_RANGE = (2, 300)                       # --frames
DRAW_FRAMES = 60                              # default frames of a drawing animation
SWEEP_FRAMES = 12                             # default number of values of a sweep
SWEEP_DIGITS = 4                              # significant digits of a float in a sweep frame's label
METRIC_TEXT = "max(0.3, 1/(1 + 0.05 t))"      # placeholder_metric, as the help and the JSON meta say it

USAGE = """\
python -m render NAME [--set PARAM=VALUE ...] [--steps N] [--base-lr LR]
                       [--sweep PARAM=START:STOP] [--frames K] [--size WxH] --out FILE
       python -m render --list
       python -m render --help"""

DESCRIPTION = """\
Draw one learning-rate schedule, exactly as its framework computes it, into FILE. FILE's extension chooses
the output:

  .gif               an animation that draws the curve (with --sweep: one frame per value of PARAM)
  .png .svg .pdf     a static figure
  .csv               step and lr columns, every step, exact floats
  .json              {"meta": {name, params, steps, base_lr}, "curves": [{"label", "lr": [...]}]}"""

EPILOG = f"""\
defaults:
  The parameters are the schedule's example scaled to --steps (python -m render --list shows the schedules),
  then each --set overrides one. --steps defaults to the example's own length. VALUE is read as JSON where it
  parses (--set milestones=[30,80], --set three_phase=true, --set eta_min=1e-4, --set total_steps=null) and as
  text otherwise (--set mode=triangular2, --set lr_lambda="0.95 ** epoch"); lambdas stay text even when they
  look like a number (--set lr_lambda=0.97).
  Metric-driven schedulers (ReduceLROnPlateau, transformers' reduce_lr_on_plateau and greedy) are stepped with a
  synthetic validation loss, metrics[t] = {METRIC_TEXT}: it improves, then plateaus at 0.3
  from t = 47 on. It is the placeholder the app's code snippets use, not a real training run.
  Composite members (SequentialLR's schedulers, ...) are set as a whole, as JSON.

sweep:
  --sweep PARAM=START:STOP makes a .gif with --frames values of the numeric parameter PARAM, evenly spaced from
  START to STOP (both included; default {SWEEP_FRAMES} values). Integer parameters take the nearest integers,
  each once; each frame is labelled "PARAM = value".

exit status: 0 written (the path and size are printed), 2 bad input, 1 the file could not be written.

examples:
  python -m render torch.OneCycleLR --set three_phase=true --out onecycle.png
  python -m render torch.CosineAnnealingLR --set T_max=50 --steps 150 --size 480x300 --out cosine.gif
  python -m render torch.MultiStepLR --set milestones=[30,80] --set gamma=0.5 --out multistep.csv
  python -m render torch.LambdaLR --set lr_lambda="min(1, (epoch + 1) / 10)" --steps 50 --out lambda.svg
  python -m render torch.StepLR --sweep gamma=0.1:0.9 --frames 9 --out steplr-gamma.gif
"""


class CLIError(Exception):
    """Bad command-line input: printed as ``error: <message>``, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own complaints take the same one-line form and exit status
        raise CLIError(f"{message} (python -m render --help shows the usage)")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m render", usage=USAGE, description=DESCRIPTION, epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="a scheduler id such as torch.StepLR or transformers.cosine (see --list)")
    p.add_argument("--list", action="store_true", help="list every scheduler id with its one-line summary")
    p.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE", dest="sets",
                   help="set one parameter (repeatable); VALUE is JSON where it parses, text otherwise")
    p.add_argument("--steps", type=int, metavar="N", help="training steps to draw (default: the example's)")
    p.add_argument("--base-lr", type=float, default=0.1, metavar="LR",
                   help="the optimizer's initial lr (default: 0.1)")
    p.add_argument("--sweep", metavar="PARAM=START:STOP",
                   help="animate PARAM from START to STOP, one frame per value (.gif only)")
    p.add_argument("--frames", type=int, metavar="K",
                   help=f"frames of the drawing animation (default {DRAW_FRAMES}) or values of the sweep "
                        f"(default {SWEEP_FRAMES}); {FRAMES_RANGE[0]} to {FRAMES_RANGE[1]}, .gif only")
    p.add_argument("--size", metavar="WxH",
                   help=f"image size in pixels, each side {SIZE_RANGE[0]} to {SIZE_RANGE[1]}, a .gif at most 1460 "
                        "(default: 640x400 for a .gif, 1050x630 for a static figure); .gif, .png, .svg, .pdf only")
    p.add_argument("--out", metavar="FILE", help="the file to write; its extension chooses the format")
    return p


# ------------------------------------------------------------------------------------------------ parsing


def parse_set(text: str, spec) -> tuple[str, object]:
    """``PARAM=VALUE`` as (PARAM, value): VALUE as JSON where it parses, else the text; an expression parameter
    (a lambda) keeps its text when it parses as a plain number."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise CLIError(f"--set {text!r}: expected PARAM=VALUE, e.g. --set gamma=0.5")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    kind = _kind(spec, key)
    if kind == "expr" and not isinstance(value, (str, list)):
        value = raw  # --set lr_lambda=0.97 is the expression "0.97"
    return key, value


def _kind(spec, key: str) -> str | None:
    try:
        return spec.param(key).kind
    except KeyError:
        return None


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not m:
        raise CLIError(f"--size {text!r}: expected WxH in pixels, e.g. --size 640x400")
    w, h = int(m[1]), int(m[2])
    low, high = SIZE_RANGE
    if not (low <= w <= high and low <= h <= high):
        raise CLIError(f"--size {text}: each side must be {low} to {high} pixels, got {w}x{h}")
    return w, h


def parse_sweep(text: str, spec) -> tuple[str, float, float]:
    """``PARAM=START:STOP`` for a numeric (int or float) parameter of ``spec``."""
    key, sep, span = text.partition("=")
    key = key.strip()
    start, colon, stop = span.partition(":")
    if not sep or not key or not colon:
        raise CLIError(f"--sweep {text!r}: expected PARAM=START:STOP, e.g. --sweep gamma=0.1:0.9")
    try:
        p = spec.param(key)
    except KeyError:
        import difflib

        known = [q.name for q in spec.params]
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise CLIError(f"--sweep: {spec.name} has no parameter {key!r}{hint} "
                       f"(valid: {', '.join(known) or 'none'})") from None
    if p.kind not in ("int", "float"):
        raise CLIError(f"--sweep: {spec.name}: {key} is {p.range_text()}, not a single number: only int and "
                       "float parameters can be swept")
    bounds = []
    for part in (start, stop):
        try:
            x = float(part)
        except ValueError:
            x = float("nan")
        if not np.isfinite(x):
            raise CLIError(f"--sweep {text!r}: START and STOP must be finite numbers, got {part.strip()!r}")
        bounds.append(x)
    return key, bounds[0], bounds[1]


def sweep_values(kind: str, start: float, stop: float, count: int) -> list:
    """``count`` values evenly spaced from ``start`` to ``stop``: the nearest integers (each once, in order) for an
    int parameter, floats without the last-digit noise of ``linspace`` for a float one (each once)."""
    out = []
    for x in np.linspace(start, stop, count):
        v = int(np.floor(x + 0.5)) if kind == "int" else float(f"{x:.12g}")
        if v not in out:
            out.append(v)
    return out


def sweep_label(key: str, value) -> str:
    return f"{key} = {value}" if isinstance(value, int) else f"{key} = {value:.{SWEEP_DIGITS}g}"


# ----------------------------------------------------------------------------------------------- the curve


def uses_metrics(name: str, params) -> bool:
    """Whether the schedule or one of its members (given as {"name": ..., "params": ...}) is metric-driven."""
    try:
        if schedules.get(name).metric_driven:
            return True
    except schedules.ScheduleError:
        return False  # compute names the bad member

    def walk(value) -> bool:
        if isinstance(value, dict):
            if isinstance(value.get("name"), str) and uses_metrics(value["name"], value.get("params")):
                return True
            return any(walk(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return any(walk(v) for v in value)
        return False

    return walk(params)


def curve(name: str, params: dict, steps: int, base_lr: float, label: str | None = None) -> Curve:
    """The engine's curve, with the schedule's phase boundaries; metric-driven ones get the placeholder metric."""
    metrics = [placeholder_metric(t) for t in range(steps)] if uses_metrics(name, params) else None
    lr = schedules.compute(name, params, steps=steps, base_lr=base_lr, metrics=metrics)
    marks = schedules.phases(name, params, steps=steps)
    return Curve(label or name, lr, phases=tuple(marks))


# ------------------------------------------------------------------------------------------------- running


def list_text() -> str:
    names = schedules.names()
    width = max(len(n) for n in names) + 2
    return "\n".join(f"{n:<{width}}{schedules.get(n).summary}" for n in names) + "\n"


def output_format(out: str) -> str:
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        shown = Path(out).suffix or "none"
        raise CLIError(f"--out {out}: unknown extension ({shown}); use one of "
                       + ", ".join("." + f for f in FORMATS))
    return fmt


def render_file(args) -> tuple[bytes, str]:
    """The bytes to write and the format, from parsed arguments. Raises CLIError or ScheduleError."""
    if not args.name:
        raise CLIError("a scheduler NAME is needed, e.g. python -m render torch.StepLR --out steplr.png "
                       "(python -m render --list shows them)")
    spec = schedules.get(args.name)            # unknown: the engine's "did you mean"
    if not args.out:
        raise CLIError("--out FILE is needed; its extension (.gif, .png, .svg, .pdf, .csv, .json) chooses "
                       "the format")
    fmt = output_format(args.out)
    size = parse_size(args.size) if args.size is not None else None
    if size is not None and fmt not in IMAGES:
        raise CLIError(f"--size applies to .gif, .png, .svg and .pdf output, not .{fmt}")
    if args.frames is not None:
        if fmt != "gif":
            raise CLIError(f"--frames applies to .gif output, not .{fmt}")
        if not FRAMES_RANGE[0] <= args.frames <= FRAMES_RANGE[1]:
            raise CLIError(f"--frames must be {FRAMES_RANGE[0]} to {FRAMES_RANGE[1]}, got {args.frames}")
    sweep = parse_sweep(args.sweep, spec) if args.sweep is not None else None
    if sweep is not None and fmt != "gif":
        raise CLIError(f"--sweep makes an animation: write a .gif, not .{fmt}")
    if size is not None and fmt == "gif":
        from .animate import MAX_SIZE

        if size[0] > MAX_SIZE[0] or size[1] > MAX_SIZE[1]:
            raise CLIError(f"--size {args.size}: a .gif is at most {MAX_SIZE[0]}x{MAX_SIZE[1]} pixels "
                           "(browsers and Streamlit stop animating wider ones)")

    steps = spec.example_steps if args.steps is None else args.steps
    if not 1 <= steps <= schedules.MAX_STEPS:
        raise CLIError(f"--steps must be 1 to {schedules.MAX_STEPS:,}, got {steps}")
    params = schedules.example(spec.name, steps)
    for text in args.sets:
        key, value = parse_set(text, spec)
        params[key] = value
    title = spec.name

    if sweep is not None:
        key, start, stop = sweep
        count = SWEEP_FRAMES if args.frames is None else args.frames
        frames = []
        for value in sweep_values(spec.param(key).kind, start, stop, count):
            label = sweep_label(key, value)
            try:
                frames.append((label, [curve(spec.name, {**params, key: value}, steps, args.base_lr)]))
            except schedules.ScheduleError as err:
                raise CLIError(f"--sweep at {label}: {err}") from None
        from . import animate

        return animate.sweep_gif(frames, size=size or animate.FULL, title=title), fmt

    one = curve(spec.name, params, steps, args.base_lr)
    if fmt == "gif":
        from . import animate

        frames = DRAW_FRAMES if args.frames is None else args.frames
        return animate.drawing_gif([one], frames=frames, size=size or animate.FULL, title=title), fmt
    if fmt in STATIC:
        from .static import static_image

        if size is None:
            return static_image([one], fmt, title=title), fmt
        dpi = static_dpi()
        return static_image([one], fmt, title=title, size=(size[0] / dpi, size[1] / dpi), dpi=dpi), fmt
    if fmt == "csv":
        from .files import curves_csv

        return curves_csv([one]), fmt
    from .files import curves_json

    meta = {"name": spec.name, "params": params, "steps": steps, "base_lr": args.base_lr}
    if uses_metrics(spec.name, params):
        meta["metrics"] = f"synthetic: metrics[t] = {METRIC_TEXT}"
    return curves_json([one], meta=meta), fmt


def static_dpi() -> int:
    """The dpi ``static_image`` renders PNGs at by default: --size pixels become inches at this dpi."""
    import inspect

    from .static import static_image

    return inspect.signature(static_image).parameters["dpi"].default


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 written, 2 bad input, 1 not written)."""
    try:
        args = parser().parse_args(argv)
        if args.list:
            sys.stdout.write(list_text())
            return 0
        data, _ = render_file(args)
    except (CLIError, schedules.ScheduleError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    path = Path(args.out)
    try:
        path.write_bytes(data)
    except OSError as err:
        print(f"error: cannot write {path}: {err.strerror or err}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({len(data):,} bytes)")
    return 0
