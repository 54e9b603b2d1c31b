"""The README's gallery: one small drawing GIF per scheduler family, and the captioned grid that shows them.

    python -m render.gallery                 # rebuild docs/gallery/*.gif and the README block
    python -m render.gallery --out-dir DIR --no-readme

A family is a look, not a class: torch's and OneFlow's StepLR draw the same curve, so they share one tile, whose
caption lists every framework that gives exactly that curve (``schedules.snippets.equivalents``). Each tile is
chosen to show something a learner should see (CosineAnnealingLR run past ``T_max`` rises again, transformers'
cosine too, OneCycleLR ends far below where it starts, ...).

The GIFs are written with ``optimize=False`` (no gifsicle), so the bytes depend only on this code and the library
versions (numpy, matplotlib, Pillow): a rebuild on any machine gives the same files, which the tests check.
Stale GIFs in the output directory are deleted; ``docs/`` must stay under ``MAX_DOCS_BYTES``.
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from schedules.snippets import equivalents

from .cli import curve

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
GALLERY = DOCS / "gallery"
README = REPO / "README.md"
SRC = "docs/gallery"                 # the GIFs' path as the README links them
START = "<!-- gallery:start -->"
END = "<!-- gallery:end -->"
ANCHOR = "## Run the app"            # the block goes just before this heading (the end of the first section)
COLUMNS = 4
FRAMES = 40                          # drawing frames per GIF, plus the animation's hold on the last frame
MAX_DOCS_BYTES = 5_000_000
MAX_GIF_BYTES = 60_000               # a goal per GIF: reported, not enforced


@dataclass(frozen=True)
class Tile:
    """One GIF of the gallery: the scheduler, its parameters and length, and what the caption says of them."""

    name: str
    params: dict
    steps: int
    note: str                        # the key parameters, as the caption shows them
    log_y: bool = False
    extra: dict = field(default_factory=dict)  # more drawing_gif keyword arguments

    @property
    def file(self) -> str:
        return f"{self.name}.gif"

    @property
    def heading(self) -> str:
        """The scheduler's own name: the class for torch and OneFlow (its spec title), the scheduler type that
        ``get_scheduler`` and ``lr_scheduler_type`` take for transformers (the function names run to 50
        characters, wider than a tile)."""
        return self.name.split(".", 1)[1]


def _child(name: str, **params) -> dict:
    return {"name": name, "params": params}


# Rows of four: step decays; warmups and expressions; cosines; cycles; transformers' warmup schedules;
# composites and metric-driven ones.
TILES: tuple[Tile, ...] = (
    Tile("torch.StepLR", {"step_size": 20, "gamma": 0.5}, 100, "step_size = 20, gamma = 0.5"),
    Tile("torch.MultiStepLR", {"milestones": [30, 60, 80], "gamma": 0.5}, 100,
         "milestones = [30, 60, 80], gamma = 0.5"),
    Tile("torch.ExponentialLR", {"gamma": 0.95}, 100, "gamma = 0.95, log y: a straight line", log_y=True),
    Tile("torch.PolynomialLR", {"total_iters": 80, "power": 2.0}, 100,
         "total_iters = 80, power = 2, then 0"),

    Tile("torch.LinearLR", {"start_factor": 0.1, "total_iters": 20}, 100,
         "start_factor = 0.1, total_iters = 20: a warmup"),
    Tile("torch.ConstantLR", {"factor": 0.5, "total_iters": 20}, 100,
         "factor = 0.5 until total_iters = 20, then the full lr"),
    Tile("torch.LambdaLR", {"lr_lambda": "min((epoch + 1) / 10, sqrt(10 / (epoch + 1)))"}, 100,
         "lr_lambda = min((epoch + 1) / 10, sqrt(10 / (epoch + 1)))"),
    Tile("torch.ChainedScheduler", {"schedulers": [_child("torch.LinearLR", start_factor=0.1, total_iters=20),
                                                   _child("torch.ExponentialLR", gamma=0.97)]}, 100,
         "LinearLR(0.1, 20 steps) × ExponentialLR(0.97), both every step"),

    Tile("torch.CosineAnnealingLR", {"T_max": 50}, 150, "T_max = 50, run to 150 steps"),
    Tile("torch.CosineAnnealingWarmRestarts", {"T_0": 10, "T_mult": 2}, 150,
         "T_0 = 10, T_mult = 2: each cycle twice as long"),
    Tile("oneflow.CosineAnnealingWarmRestarts", {"T_0": 20, "T_mult": 1, "decay_rate": 0.7}, 100,
         "T_0 = 20, decay_rate = 0.7: each peak × 0.7"),
    Tile("oneflow.CosineDecayLR", {"decay_steps": 80, "alpha": 0.1}, 100,
         "decay_steps = 80, alpha = 0.1, then flat"),

    Tile("torch.CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 20, "mode": "triangular2"}, 200,
         "step_size_up = 20, mode = triangular2: the amplitude halves each cycle"),
    Tile("torch.OneCycleLR", {"max_lr": 0.1, "total_steps": 100}, 100,
         "max_lr = 0.1, from max_lr / 25 to max_lr / 250,000"),
    Tile("transformers.cosine_with_restarts",
         {"num_warmup_steps": 10, "num_training_steps": 100, "num_cycles": 3}, 120,
         "warmup 10, num_cycles = 3 hard-restarted cosines, 0 after step 100"),
    Tile("oneflow.PolynomialLR", {"decay_batch": 30, "end_learning_rate": 0.001, "power": 2.0, "cycle": True},
         100, "decay_batch = 30, cycle = True: restarts, lower each time, every 30 steps"),

    Tile("transformers.linear", {"num_warmup_steps": 10, "num_training_steps": 100}, 120,
         "warmup 10, 0 at num_training_steps = 100, run to 120"),
    Tile("transformers.cosine", {"num_warmup_steps": 10, "num_training_steps": 100}, 150,
         "warmup 10, num_training_steps = 100, run to 150: it rises again"),
    Tile("transformers.warmup_stable_decay",
         {"num_warmup_steps": 10, "num_training_steps": 100, "num_decay_steps": 30}, 100,
         "warmup 10, stable, cosine decay over the last 30"),
    Tile("transformers.inverse_sqrt", {"num_warmup_steps": 10}, 200, "warmup 10, then 1 / sqrt(step)"),

    Tile("torch.SequentialLR", {"schedulers": [_child("torch.LinearLR", start_factor=0.1, total_iters=10),
                                               _child("torch.CosineAnnealingLR", T_max=90)], "milestones": [10]},
         100, "LinearLR warmup (10 steps), then CosineAnnealingLR"),
    Tile("oneflow.WarmupLR", {"scheduler": _child("oneflow.MultiStepLR", milestones=[60, 85]),
                              "warmup_factor": 0.01, "warmup_iters": 20}, 100,
         "linear warmup (20 steps) over MultiStepLR([60, 85])"),
    Tile("torch.ReduceLROnPlateau", {"patience": 5, "factor": 0.5}, 100,
         "patience = 5, factor = 0.5; synthetic loss, flat from step 47"),
    Tile("transformers.greedy", {"patience": 3, "min_lr": 0.01, "max_lr": 0.5}, 200,
         "patience = 3, min_lr = 0.01, max_lr = 0.5; synthetic loss"),
)


def frameworks(tile: Tile) -> list[str]:
    """The frameworks that give exactly this tile's curve: its own, then the others with an equivalent."""
    own = tile.name.split(".", 1)[0]
    others = {other.split(".", 1)[0] for other, _ in equivalents(tile.name, tile.params, steps=tile.steps)}
    order = ("torch", "transformers", "oneflow")
    return [own] + [f for f in order if f in others and f != own]


def tile_gif(tile: Tile) -> bytes:
    """The tile's drawing animation, THUMB size, unoptimized (byte-identical across machines)."""
    from . import animate

    one = curve(tile.name, tile.params, tile.steps, 0.1)
    return animate.drawing_gif([one], frames=FRAMES, size=animate.THUMB, log_y=tile.log_y, optimize=False,
                               **tile.extra)


def build(out_dir: Path, *, log=None) -> list[tuple[Path, int, float]]:
    """Write every tile's GIF into ``out_dir`` (created if needed) and delete the other GIFs there. Returns
    (path, bytes, seconds) per tile. ``log`` (e.g. ``print``) gets one line per GIF."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = {t.file for t in TILES}
    if len(wanted) != len(TILES):
        raise ValueError("two gallery tiles share a file name")
    for stale in sorted(out_dir.glob("*.gif")):
        if stale.name not in wanted:
            stale.unlink()
            if log:
                log(f"deleted stale {stale}")
    written = []
    for tile in TILES:
        t0 = time.perf_counter()
        data = tile_gif(tile)
        path = out_dir / tile.file
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        seconds = time.perf_counter() - t0
        written.append((path, len(data), seconds))
        if log:
            log(f"{_shown(path)}  {len(data) / 1000:5.1f} KB  {seconds:4.2f} s")
    return written


def _shown(path: Path) -> str:
    """``path`` relative to the working directory where it is under it (shorter log lines)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def caption(tile: Tile) -> str:
    """The caption under a tile, as HTML: heading · frameworks, then the key parameters."""
    fw = ", ".join(frameworks(tile))
    return f"<b>{html.escape(tile.heading)}</b> · {html.escape(fw)}<br><sub>{html.escape(tile.note)}</sub>"


def readme_block() -> str:
    """The README block, markers included: a table of ``COLUMNS`` captioned GIFs per row."""
    lines = [START,
             "<!-- written by `python -m render.gallery`: edit render/gallery.py, not this block -->",
             "",
             "Every family of schedule at a glance, drawn by `python -m render` "
             "(metric-driven ones on a synthetic loss):",
             "",
             "<table>"]
    for row in range(0, len(TILES), COLUMNS):
        lines.append("<tr>")
        for tile in TILES[row:row + COLUMNS]:
            alt = html.escape(f"{tile.name}: {tile.note}", quote=True)
            lines.append(f'<td align="center" valign="top"><img src="{SRC}/{tile.file}" width="240" '
                         f'alt="{alt}"><br>{caption(tile)}</td>')
        lines.append("</tr>")
    lines += ["</table>", "", END]
    return "\n".join(lines)


def with_block(text: str, block: str) -> str:
    """``text`` (the README) with ``block`` between the markers, or inserted just before ``ANCHOR``."""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        return head + block + tail
    if START in text or END in text:
        raise ValueError(f"README has only one of {START} and {END}")
    at = text.find("\n" + ANCHOR)
    if at < 0:
        raise ValueError(f"README has no {ANCHOR!r} heading to put the gallery before")
    return text[:at + 1] + block + "\n\n" + text[at + 1:]


def update_readme(path: Path = README) -> bool:
    """Rewrite the gallery block of the README at ``path``; True if it changed."""
    text = path.read_text(encoding="utf-8")
    new = with_block(text, readme_block())
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m render.gallery", description=__doc__.split("\n\n")[0])
    p.add_argument("--out-dir", type=Path, default=GALLERY, help=f"where the GIFs go (default: {GALLERY})")
    p.add_argument("--readme", type=Path, default=README, help=f"the README to update (default: {README})")
    p.add_argument("--no-readme", action="store_true", help="leave the README alone")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    written = build(args.out_dir, log=print)
    total = sum(size for _, size, _ in written)
    print(f"{len(written)} GIFs, {total / 1000:.1f} KB, largest {max(s for _, s, _ in written) / 1000:.1f} KB, "
          f"built in {time.perf_counter() - t0:.1f} s")
    big = [f"{path.name} ({size / 1000:.1f} KB)" for path, size, _ in written if size > MAX_GIF_BYTES]
    if big:
        print(f"note: over the {MAX_GIF_BYTES / 1000:.0f} KB goal: {', '.join(big)}")
    if not args.no_readme:
        changed = update_readme(args.readme)
        print(f"{_shown(args.readme)}: gallery block {'rewritten' if changed else 'unchanged'}")
    docs = DOCS if DOCS.exists() else args.out_dir
    docs_total = tree_bytes(docs)
    print(f"{_shown(docs)}/: {docs_total / 1e6:.2f} MB in total (limit {MAX_DOCS_BYTES / 1e6:.0f} MB)")
    if docs_total >= MAX_DOCS_BYTES:
        print(f"error: {docs} is {docs_total:,} bytes, over the {MAX_DOCS_BYTES:,}-byte limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
