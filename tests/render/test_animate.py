"""render.animate: GIF structure (frames, loop, size, durations), determinism (also across processes), size and
speed, lossless encoding, what the frames show (moving marker, end state, phase lines), THUMB, bad arguments."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image

import schedules
from render import Curve
from render import animate as A
from render.animate import FULL, THUMB, drawing_gif, gif_info, sweep_gif

from .curves import curve

ROOT = Path(__file__).resolve().parents[2]
N = 10_000
WHITE = (255, 255, 255)


def warmup_cosine(n: int = N, warmup: int = 1000) -> Curve:
    """SequentialLR LinearLR -> CosineAnnealingLR with its milestone as a phase."""
    lr = schedules.compute("torch.SequentialLR", {"schedulers": [
        {"name": "torch.LinearLR", "params": {"start_factor": 0.01, "total_iters": warmup}},
        {"name": "torch.CosineAnnealingLR", "params": {"T_max": n - warmup}}], "milestones": [warmup]}, steps=n)
    return Curve("warmup + cosine", lr, phases=((warmup, "cosine"),))


def restarts_sweep(count: int = 24, n: int = N) -> list[tuple[str, list[Curve]]]:
    out = []
    for t0 in np.linspace(200, 5000, count).astype(int):
        lr = schedules.compute("torch.CosineAnnealingWarmRestarts", {"T_0": int(t0), "T_mult": 2}, steps=n)
        out.append((f"T_0 = {t0:,}", [Curve("CosineAnnealingWarmRestarts", lr)]))
    return out


def decode(data: bytes) -> list[np.ndarray]:
    """Every frame as shown (disposal and transparency applied by Pillow), (h, w, 3) uint8."""
    out = []
    with Image.open(io.BytesIO(data)) as im:
        for i in range(im.n_frames):
            im.seek(i)
            out.append(np.asarray(im.convert("RGB")).copy())
    return out


def internals(curves, size=FULL, frames=60, **kw):
    """(drawing, index frames, palette) exactly as drawing_gif computes them."""
    opts = {"x_unit": "steps", "steps_per_epoch": None, "log_y": False, "title": None, **kw}
    with matplotlib.rc_context(A._rc_for(A._look(size))):
        return A._drawing_frames(curves, frames=frames, size=size, **opts)


# ------------------------------------------------------------------------------------------------ structure

def test_drawing_frames_loop_size_and_durations():
    data = drawing_gif([warmup_cosine()], frames=60, fps=20, hold_last=15)
    info = gif_info(data)
    assert data.startswith(b"GIF89a")
    assert info["frames"] == 60            # the held end state is one frame with a longer delay
    assert info["loop"] == 0
    assert info["size"] == FULL
    assert info["durations"] == [50] * 59 + [50 * 16]
    assert sum(info["durations"]) == (60 + 15) * 50
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (640, 400)


@pytest.mark.parametrize("frames, hold, fps, delay", [(2, 0, 10, 100), (25, 4, 12, 80), (90, 30, 50, 20)])
def test_drawing_frame_counts_and_delays(frames, hold, fps, delay):
    info = gif_info(drawing_gif([warmup_cosine(2000, 200)], frames=frames, hold_last=hold, fps=fps, size=THUMB))
    assert info["frames"] == frames and info["loop"] == 0 and info["size"] == THUMB
    assert info["durations"] == [delay] * (frames - 1) + [delay * (1 + hold)]


def test_sweep_frames_bounce_and_durations():
    sweep = restarts_sweep(6, 2000)
    info = gif_info(sweep_gif(sweep, fps=12, size=THUMB))
    assert info["frames"] == 2 * 6 - 2        # 0 1 2 3 4 5 4 3 2 1, then the loop restarts at 0
    assert info["durations"] == [80] * 10     # 1000 / 12 ms in whole 1/100 s
    assert info["loop"] == 0 and info["size"] == THUMB
    once = gif_info(sweep_gif(sweep, bounce=False, size=THUMB))
    assert once["frames"] == 6
    shown = decode(sweep_gif(sweep, size=THUMB, optimize=False))
    for k, j in zip(range(6, 10), range(4, 0, -1)):   # the way back shows the same frames
        assert np.array_equal(shown[k], shown[j])
    single = gif_info(sweep_gif(sweep[:1], size=THUMB))
    assert single["frames"] == 1 and single["size"] == THUMB


# -------------------------------------------------------------------------------------------- determinism

def test_same_bytes_twice_in_process():
    c = [warmup_cosine(), curve("torch.StepLR", N, dash="dash")]
    assert drawing_gif(c, title="Two") == drawing_gif(c, title="Two")
    assert drawing_gif(c, optimize=False) == drawing_gif(c, optimize=False)
    sweep = restarts_sweep(5)
    assert sweep_gif(sweep, size=THUMB) == sweep_gif(sweep, size=THUMB)


def test_unoptimized_bytes_identical_in_a_fresh_process():
    code = (  # from the repository root: `python -c` puts the working directory first on sys.path
        "import hashlib\n"
        "from tests.render.test_animate import warmup_cosine, restarts_sweep\n"
        "from render.animate import drawing_gif, sweep_gif, THUMB\n"
        "a = drawing_gif([warmup_cosine()], optimize=False, title='t')\n"
        "b = sweep_gif(restarts_sweep(5), size=THUMB, optimize=False)\n"
        "print(hashlib.sha256(a).hexdigest(), hashlib.sha256(b).hexdigest())\n"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           timeout=180).stdout.split()
    here = [hashlib.sha256(drawing_gif([warmup_cosine()], optimize=False, title="t")).hexdigest(),
            hashlib.sha256(sweep_gif(restarts_sweep(5), size=THUMB, optimize=False)).hexdigest()]
    assert other == here


def test_optimize_false_does_not_depend_on_gifsicle(monkeypatch):
    c = [warmup_cosine(3000, 300)]
    plain = drawing_gif(c, size=THUMB, optimize=False)
    monkeypatch.setattr(A.shutil, "which", lambda name: None)   # no gifsicle on PATH
    assert drawing_gif(c, size=THUMB, optimize=False) == plain
    assert drawing_gif(c, size=THUMB, optimize=True) == plain    # optimize without gifsicle: Pillow's bytes


# ------------------------------------------------------------------------------------------- size and speed

def test_drawing_speed_and_size_full():
    c = [warmup_cosine()]
    drawing_gif(c)                                           # warm: imports, fonts
    times, data = [], b""
    for _ in range(3):
        start = time.perf_counter()
        data = drawing_gif(c)
        times.append(time.perf_counter() - start)
    print(f"\ndrawing_gif 60 frames 640x400, 10k steps: {min(times) * 1e3:.0f} ms, {len(data) / 1e3:.1f} KB "
          f"(gifsicle: {A.shutil.which('gifsicle') is not None})")
    assert min(times) < 2.0                                  # ~0.3 s here; generous for slow CI machines
    assert len(data) < 100_000
    assert len(drawing_gif(c, optimize=False)) < 150_000     # without gifsicle


def test_sweep_size():
    sweep = restarts_sweep(24)
    start = time.perf_counter()
    data = sweep_gif(sweep)
    elapsed = time.perf_counter() - start
    print(f"\nsweep_gif 24 frames bounced (46) 640x400: {elapsed * 1e3:.0f} ms, {len(data) / 1e3:.1f} KB")
    assert gif_info(data)["frames"] == 46
    assert len(data) < 400_000
    assert elapsed < 4.0


# -------------------------------------------------------------------------------------------- the pixels

@pytest.mark.parametrize("optimize", [False, True])
def test_encoding_is_lossless_after_the_palette(optimize):
    """Every decoded frame is exactly the palette colours of the index frame (transparency, disposal and
    gifsicle change nothing on screen); pure white stays white."""
    c = [warmup_cosine(), curve("torch.OneCycleLR", N)]
    drawing, indexed, palette = internals(c, frames=20)
    shown = decode(drawing_gif(c, frames=20, optimize=optimize))
    assert len(shown) == len(indexed) == 20
    for got, idx in zip(shown, indexed):
        assert np.array_equal(got, palette[idx])
    assert len(palette) < A.MAX_COLORS
    assert tuple(palette[0]) == WHITE
    assert (shown[-1] == 255).all(axis=2).mean() > 0.5       # mostly white background, exactly white


def test_marker_moves_every_frame_and_last_frame_is_the_end_state():
    c = [warmup_cosine()]
    shown = decode(drawing_gif(c, frames=40, optimize=False))
    for k in range(len(shown) - 1):
        assert not np.array_equal(shown[k], shown[k + 1]), f"frame {k} equals frame {k + 1}"
    drawing, indexed, palette = internals(c, frames=40)
    drawing.frame(drawing.x_end)
    end = drawing.stage.full_draw()                          # one plain canvas.draw() of the whole curve
    assert np.array_equal(palette[A._Remap(palette)(end)], shown[-1])


def test_blitting_gives_the_pixels_of_a_full_draw():
    """Background + moving artists (with phases baked into the background) = drawing everything at once."""
    c = [warmup_cosine(), curve("torch.CyclicLR", N)]
    for size in (FULL, THUMB):
        with matplotlib.rc_context(A._rc_for(A._look(size))):
            d = A._Drawing(c, size=size, x_unit="epochs", steps_per_epoch=250, log_y=True, title="blit")
            for xp in np.linspace(0, d.x_end, 50)[:25]:
                d.frame(xp, bake=True)
                blit = d.stage.render().copy()
            assert d.baked == 1
            assert np.array_equal(blit, d.stage.full_draw())


def _column_ink(frame: np.ndarray, col: int, rows: slice) -> int:
    """Pixels of a column (and its neighbours) darker than the grid's light grey (#E5E5E5) and its antialiasing."""
    strip = frame[rows, col - 1:col + 2].reshape(-1, 3)
    return int((strip.min(axis=1) < 200).sum())


@pytest.mark.parametrize("size", [FULL, THUMB])
def test_phase_line_appears_when_the_marker_reaches_it(size):
    c = [warmup_cosine(N, 5000)]                             # the phase in the middle of the run
    frames = 21
    shown = decode(drawing_gif(c, frames=frames, size=size, optimize=False))
    drawing, _, _ = internals(c, size=size, frames=frames)
    ax = drawing.stage.ax
    col = int(ax.transData.transform((5000, 0))[0])
    h = size[1]
    # the lower 60 % of the axes: at the phase (the warmup's end) the curve and its marker are at the top
    rows = slice(int(h - ax.bbox.y0 - 0.6 * ax.bbox.height), int(h - ax.bbox.y0) - 2)
    positions = np.linspace(0, drawing.x_end, frames)
    before = [k for k in range(frames) if positions[k] < 5000]
    after = [k for k in range(frames) if positions[k] >= 5000]
    ink_before = _column_ink(shown[before[-1]], col, rows)
    ink_after = _column_ink(shown[after[0]], col, rows)
    height = rows.stop - rows.start
    print(f"\nphase column ink at {size}: before {ink_before}, after {ink_after} of {3 * height}")
    assert ink_before < 0.1 * height                         # the grid crossings only
    assert ink_after > ink_before + 0.25 * height            # a dotted line through the whole height
    for k in before:                                         # in no earlier frame
        assert _column_ink(shown[k], col, rows) < 0.1 * height
    for k in after:                                          # and in every later one
        assert _column_ink(shown[k], col, rows) > 0.25 * height


def test_thumb_drawing_is_small_and_readable_size():
    c = [warmup_cosine(), curve("torch.StepLR", N), curve("torch.OneCycleLR", N)]
    data = drawing_gif(c, size=THUMB, steps_per_epoch=500)
    info = gif_info(data)
    assert info["size"] == THUMB and info["frames"] == 60 and info["loop"] == 0
    assert len(data) < 60_000
    shown = decode(data)
    assert shown[-1].shape == (150, 240, 3)
    drawing, _, _ = internals(c, size=THUMB)
    assert drawing.stage.ax.get_xlabel() == "" and drawing.stage.ax.get_ylabel() == ""   # no axis titles
    assert len(drawing.stage.ax.get_xticks()) <= 6


def test_sweep_frame_text_changes_only_the_band():
    """Identical curves, different texts: frames differ only in the text band at the top right."""
    lr = schedules.compute("torch.StepLR", {"step_size": 300}, steps=1000)
    frames = [(f"step_size = {v}", [Curve("StepLR", lr)]) for v in (100, 300, 900)]
    shown = decode(sweep_gif(frames, optimize=False, bounce=False))
    diff = (shown[0] != shown[1]).any(axis=2)
    ys, xs = np.nonzero(diff)
    assert ys.size > 0
    assert ys.max() < 40 and xs.min() > FULL[0] / 2


def test_sweep_y_range_is_fixed_over_all_frames():
    """A small curve and a large one: the small one is drawn low on the shared axis, not stretched."""
    base = np.full(500, 0.1)
    frames = [("small", [Curve("c", base * 0.01)]), ("large", [Curve("c", base)])]
    shown = decode(sweep_gif(frames, optimize=False, bounce=False))
    blue = np.array([0x00, 0x72, 0xB2])
    rows = [np.nonzero((f == blue).all(axis=2).any(axis=1))[0] for f in shown]
    assert rows[0].min() > rows[1].max() + 100               # far lower on the same y axis


def test_sweep_with_changing_labels_phases_and_log():
    frames = []
    for w in (500, 2000, 4000):
        c = warmup_cosine(N, w)
        frames.append((f"warmup = {w}", [c, Curve(f"linear {w}", schedules.compute(
            "transformers.linear", {"num_warmup_steps": w, "num_training_steps": N}, steps=N), dash="dash")]))
    data = sweep_gif(frames, log_y=True, title="Warmup", x_unit="epochs", steps_per_epoch=500)
    info = gif_info(data)
    assert info["frames"] == 4 and info["size"] == FULL


def test_options_x_units_log_and_odd_sizes():
    c = [warmup_cosine(2000, 100)]
    for kw in ({"x_unit": "epochs", "steps_per_epoch": 100}, {"x_unit": "fraction"}, {"log_y": True},
               {"title": "a rather long title that will not fit in a thumbnail at all"}):
        info = gif_info(drawing_gif(c, size=THUMB, frames=10, **kw))
        assert info["frames"] == 10 and info["size"] == THUMB
    for size in [(333, 217), (1000, 600), (120, 80)]:
        assert gif_info(drawing_gif(c, size=size, frames=5))["size"] == size
    zero = Curve("zero start", schedules.compute("transformers.cosine", {"num_warmup_steps": 100,
                                                                          "num_training_steps": 2000}, steps=2000))
    assert gif_info(drawing_gif([zero], log_y=True, frames=5))["frames"] == 5       # lr <= 0: a gap and a note
    short = Curve("short", np.array([0.1, 0.05, 0.025]))
    assert gif_info(drawing_gif([short], frames=30))["frames"] == 30                 # 3 steps, 30 distinct frames


def test_bad_arguments():
    c = [warmup_cosine(100, 10)]
    with pytest.raises(ValueError, match="frames"):
        drawing_gif(c, frames=1)
    with pytest.raises(ValueError, match="fps"):
        drawing_gif(c, fps=0)
    with pytest.raises(ValueError, match="fps"):
        drawing_gif(c, fps=100)
    with pytest.raises(ValueError, match="hold_last"):
        drawing_gif(c, hold_last=-1)
    with pytest.raises(ValueError, match="size"):
        drawing_gif(c, size=(20, 10))
    with pytest.raises(ValueError, match="size"):
        drawing_gif(c, size=(640.5, 400))
    with pytest.raises(ValueError, match="steps_per_epoch"):
        drawing_gif(c, x_unit="epochs")
    with pytest.raises(ValueError, match="curves"):
        drawing_gif([])
    with pytest.raises(ValueError, match="frames"):
        sweep_gif([])
    with pytest.raises(ValueError, match=r"frames\[0\]"):
        sweep_gif([("a", [])])
    with pytest.raises(ValueError, match=r"frames\[0\]"):
        sweep_gif([c])
    with pytest.raises(ValueError, match="GIF"):
        gif_info(_png())


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="PNG")
    return buf.getvalue()


def test_render_animate_does_not_import_streamlit_or_pyplot():
    code = ("import sys\n"
            "import numpy as np\n"
            "from render import Curve\n"
            "from render.animate import drawing_gif\n"
            "assert 'matplotlib' not in sys.modules\n"
            "drawing_gif([Curve('a', np.linspace(0.1, 0, 100))], frames=3, size=(240, 150))\n"
            "assert 'streamlit' not in sys.modules and 'matplotlib.pyplot' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_readout_text_and_corner():
    assert A._fmt_lr(0.1) == "0.1000" and A._fmt_lr(2.7341e-9) == "2.734e-9" and A._fmt_lr(0.012345) == "0.01235"
    one, _, _ = internals([warmup_cosine()], frames=3, steps_per_epoch=250)
    assert one.readout_rows(5000.0) == [f"step 5,000 · epoch 20.00\nlr {A._fmt_lr(warmup_cosine().lr[5000])}"]
    assert one.corner == "upper right"               # a decay leaves the upper right empty
    race = [warmup_cosine(), curve("torch.StepLR", N), curve("torch.OneCycleLR", N), curve("torch.CyclicLR", N)]
    full, _, _ = internals(race, frames=3)
    rows = full.readout_rows(9999.0)
    assert rows[0] == "step 9,999" and len(rows) == 5 and all(r.startswith("● ") for r in rows[1:])
    thumb, _, _ = internals(race, size=THUMB, frames=3)
    assert thumb.readout_rows(9999.0) == ["step 9,999"]   # no room for 4 values in a thumbnail
