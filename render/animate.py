"""Looping GIF animations of learning-rate curves, in the style of the convolution-arithmetic GIFs.

* ``drawing_gif``: the curve(s) drawn over training. Frame ``k`` of ``frames`` shows the run up to
  ``k / (frames - 1)`` of the x range (frame 0: the start point only; the last frame: the whole curve), with a
  marker at the head of each curve, a readout box (step, epoch, lr to 4 significant digits per curve: a dot in
  the curve's colour and its value when several race; the step only in a thumbnail of more than 3 curves) in
  the corner the curves leave emptiest, and each phase boundary appearing as a dotted line (with its label) when
  the marker reaches it. Several curves race together, with a legend. The finished curve then stays on screen for
  ``hold_last`` more frame durations before the loop restarts (one GIF frame with a longer delay: GIF writers
  merge identical consecutive frames, so the file holds ``frames`` frames, the last one lasting ``1 + hold_last``
  frame durations).
* ``sweep_gif``: one frame per parameter value (the caller computes the curves of each), the frame's text (e.g.
  ``"T_mult = 2"``) shown large at the top right, the y range fixed over all frames; ``bounce=True`` plays
  forward then backward (``0, 1, ..., n-1, n-2, ..., 1``: ``2n - 2`` frames) for a seamless loop.
* ``gif_info``: frame count, canvas size, loop flag and per-frame durations of a GIF (read back by Pillow).

Looks like ``render.static`` (same palette, fonts, light theme, no top/right spines, grid), at an exact canvas
size in pixels: ``FULL`` (640×400, the app's sizes in CSS pixels: 96 dpi) or ``THUMB`` (240×150: fewer ticks,
short tick labels, smaller fonts, no axis titles). Sizes from 120×80 up to 1460 px wide work (Streamlit shows a
GIF animated only up to 1460 px wide and only when it does not resize it: ``st.image(gif, width="content")``).

How (measurements in ``bench/gif_speed.py`` and the project notes): matplotlib Agg draws the static parts once;
each frame restores that background and draws only the moving artists (blitting; a phase line the marker has
passed is drawn into the background once), pixel for pixel what one full draw gives; one global palette of 63
colours (the theme's and the curves' exact colours plus a median cut of the final frame, or of a strip of the
first, middle and last frames of a sweep) and an exact nearest-colour remap in numpy, looking up only the pixels
that changed (pure white stays white: Pillow's own remap shifts it); the 64th index is transparent and marks
the pixels a frame leaves unchanged, so Pillow (``optimize=False``: the global palette is kept, ``disposal=1``)
writes small delta frames even without gifsicle; with ``optimize=True``, ``gifsicle -O3`` shrinks the file
further when the binary is on PATH (lossless: never ``--lossy``).
The bytes depend only on the inputs (no timestamps); with ``optimize=False`` they do not depend on gifsicle
either, so a rebuild is byte-identical on any machine with the same matplotlib, Pillow and numpy.

No streamlit here; matplotlib is imported on first use. No animated WebP or MP4: lossless WebP from the same
frames is no smaller than the optimized GIF (55 KB vs 54 KB for the 1-curve FULL drawing) and costs 0.3 s more,
and Streamlit animates WebP only from a data URI; MP4 needs ffmpeg (imageio-ffmpeg, 165 MB), not for the runtime.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from . import style
from .decimate import minmax_decimate
from .figures import Curve, check_curves, curve_colors, note_text, to_x
from .static import _matplotlib, _rc

__all__ = ["FULL", "THUMB", "drawing_gif", "gif_info", "sweep_gif"]

FULL = (640, 400)          # canvas sizes in pixels
THUMB = (240, 150)
DPI = 96                   # CSS pixels: style's pixel font sizes are the screen's
MAX_COLORS = 64            # one global palette: 63 colours and a transparent index (unchanged pixels)
MAX_FPS = 50               # GIF delays are in 1/100 s, and browsers slow down delays under 2/100 s
MAX_FRAMES = 1000
MIN_SIZE, MAX_SIZE = (120, 80), (1460, 1460)
MAX_THUMB_VALUES = 3       # a thumbnail's readout lists the lr of at most this many curves
POINTS_PER_PX = 3          # decimation: points per horizontal pixel of the canvas
GIFSICLE_TIMEOUT = 60      # seconds
TRANSPARENT_RGB = (255, 0, 255)   # the palette entry of the transparent index (never shown)


# ----------------------------------------------------------------------------------------------------- the look

@dataclass(frozen=True)
class _Look:
    """Pixel sizes for one canvas size (DPI 96: 1 px = 0.75 pt)."""

    compact: bool
    tick: float
    label: float
    title: float
    small: float
    readout: float
    frame: float          # a sweep frame's text
    legend: float
    line: float
    marker: float
    phase: float
    xbins: int | str
    ybins: int | str
    axis_titles: bool


def _look(size: tuple[int, int]) -> _Look:
    w, h = size
    if w < 400 or h < 260:   # thumbnails: fewer ticks, short labels, no axis titles
        return _Look(True, tick=9, label=9, title=10, small=8, readout=9, frame=12, legend=8.5, line=1.5,
                     marker=5, phase=1.0, xbins=3, ybins=3, axis_titles=False)
    return _Look(False, tick=style.TICK_SIZE, label=style.FONT_SIZE, title=style.TITLE_SIZE, small=style.SMALL_SIZE,
                 readout=style.TICK_SIZE, frame=style.TITLE_SIZE + 4, legend=style.FONT_SIZE, line=style.LINE_WIDTH,
                 marker=8, phase=style.PHASE_WIDTH, xbins="auto", ybins="auto", axis_titles=True)


def _rc_for(look: _Look) -> dict:
    """``render.static``'s matplotlib style with this look's font sizes."""
    rc = _rc(style.LIGHT)
    rc.update({"font.size": _pt(look.label), "axes.labelsize": _pt(look.label), "xtick.labelsize": _pt(look.tick),
               "ytick.labelsize": _pt(look.tick), "legend.fontsize": _pt(look.legend),
               "axes.titlesize": _pt(look.title)})
    return rc


def _pt(px: float) -> float:
    return px * style.PT_PER_PX


def _si(v: float, _pos=None) -> str:
    """Short tick label: 0, 500, 2.5k, 10k, 1M."""
    a = abs(v)
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:.3g}"


def _short(v: float, _pos=None) -> str:
    """Short y tick label: 3 significant digits, exponent without padding (2.5e-5)."""
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    mantissa, exp = f"{v:.2g}".split("e")
    return f"{mantissa}e{int(exp)}"


def _fmt_lr(v: float) -> str:
    """A learning rate to 4 significant digits, trailing zeros kept (the readout does not jitter): 0.01000."""
    if not np.isfinite(v):
        return str(float(v))
    s = f"{v:#.4g}"
    if "e" in s:
        mantissa, exp = s.split("e")
        s = f"{mantissa}e{int(exp)}"
    return s


def _hex_rgb(color: str) -> tuple[int, int, int]:
    from matplotlib.colors import to_rgb

    return tuple(int(round(c * 255)) for c in to_rgb(color))


# ----------------------------------------------------------------------------------------------- the curves

@dataclass
class _Line:
    """One curve ready to draw: decimated x (in the x unit) and y (nan where not drawable), full lr, style."""

    label: str
    x: np.ndarray
    y: np.ndarray
    lr: np.ndarray
    color: str
    dash: str | None
    alpha: float


def _prepare(curves: list[Curve], x_unit: str, spe: int | None, log_y: bool, max_points: int):
    """(lines, phases [(x, label, colour)], nonpositive, nonfinite) as ``render.static`` draws them."""
    lines, nonpositive, nonfinite = [], False, False
    for curve, col in zip(curves, curve_colors(curves)):
        lr = np.asarray(curve.lr, dtype=np.float64)
        idx, val = minmax_decimate(lr, max_points)
        if log_y:
            nonpositive |= bool((val <= 0).any())
            val = np.where(val > 0, val, np.nan)
        bad = ~np.isfinite(val) & ~np.isnan(val)
        if bad.any():
            nonfinite = True
            val = np.where(bad, np.nan, val)
        lines.append(_Line(curve.label, np.asarray(to_x(idx, lr.size, x_unit, spe), dtype=np.float64), val, lr, col,
                           curve.dash, float(curve.opacity)))
    phases, seen = [], set()
    single = sum(1 for cv in curves if cv.phases) <= 1
    for curve, col in zip(curves, curve_colors(curves)):
        for step, label in curve.phases:
            x = float(to_x(np.float64(step), np.size(curve.lr), x_unit, spe))
            if (x, label) in seen:
                continue
            seen.add((x, label))
            phases.append((x, str(label) if label else "", style.LIGHT["muted"] if single else col))
    return lines, phases, nonpositive, nonfinite


def _data_box(lines: list[_Line]) -> tuple[float, float, float, float] | None:
    """(x0, x1, y0, y1) of everything drawable, or None."""
    xs0, xs1, ys0, ys1 = [], [], [], []
    for ln in lines:
        ok = np.isfinite(ln.y)
        xs0.append(ln.x[0])
        xs1.append(ln.x[-1])
        if ok.any():
            ys0.append(ln.y[ok].min())
            ys1.append(ln.y[ok].max())
    if not ys0:
        return None
    return min(xs0), max(xs1), min(ys0), max(ys1)


# ----------------------------------------------------------------------------------------------- the stage

class _Stage:
    """A figure of fixed layout: static parts drawn once into a background; moving artists blitted per frame."""

    def __init__(self, size, look: _Look, *, x_unit: str, log_y: bool, title: str | None, box, notes: list[str],
                 legend: list[_Line] | None, band_text: str | None = None):
        matplotlib, Figure, MaxNLocator, ScalarFormatter, StrMethodFormatter = _matplotlib()
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.lines import Line2D
        from matplotlib.ticker import FuncFormatter, LogLocator

        self.size, self.look, self.theme = size, look, style.LIGHT
        self.Line2D = Line2D
        w, h = size
        fig = Figure(figsize=((w + 1e-3) / DPI, (h + 1e-3) / DPI), dpi=DPI, layout="constrained")
        fig.get_layout_engine().set(w_pad=6 / DPI, h_pad=5 / DPI, wspace=0, hspace=0)
        self.fig, self.canvas = fig, FigureCanvasAgg(fig)
        self.fmt_y = None
        self.ax = ax = fig.add_subplot()
        self.dynamic: list = []        # drawn per frame
        self.every: list = []          # every moving artist ever added (baked ones too): for full_draw
        self.placeholders: list = []

        if log_y:
            ax.set_yscale("log")
            if look.compact:
                ax.yaxis.set_major_locator(LogLocator(numticks=4))
        elif look.compact:
            ax.yaxis.set_major_locator(MaxNLocator(nbins=look.ybins, min_n_ticks=2))
            ax.yaxis.set_major_formatter(FuncFormatter(_short))
        else:
            fmt_y = ScalarFormatter(useMathText=True)
            fmt_y.set_powerlimits((-3, 4))
            ax.yaxis.set_major_formatter(fmt_y)
            self.fmt_y = fmt_y
        if x_unit == "steps":
            ax.xaxis.set_major_locator(MaxNLocator(nbins=look.xbins, steps=[1, 2, 2.5, 5, 10], integer=True,
                                                   min_n_ticks=2))
            ax.xaxis.set_major_formatter(FuncFormatter(_si) if look.compact else StrMethodFormatter("{x:,.0f}"))
        elif look.compact:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=look.xbins, min_n_ticks=2))
        if look.axis_titles:
            ax.set_xlabel(style.X_TITLES[x_unit])
            ax.set_ylabel(style.Y_TITLE)
        ax.tick_params(length=3 if not look.compact else 2, width=0.8, pad=2 if look.compact else 3.5)

        # fixed axes: the whole x range and the y range of everything that will be drawn
        if box is None:
            box = (0.0, 1.0, 1e-3, 1.0) if log_y else (0.0, 1.0, 0.0, 1.0)
        x0, x1, y0, y1 = box
        ax.margins(x=0.01)
        ax.update_datalim([(x0, y0), (x1, y1)])
        ax.autoscale_view()
        ax.set_xlim(ax.get_xlim())
        ax.set_ylim(ax.get_ylim())
        if self.fmt_y is not None:
            # a "×10⁻⁴" multiplier goes into the axis title: above the axis it would collide with the legend
            self.fmt_y.set_locs(ax.yaxis.get_majorticklocs())
            offset = self.fmt_y.get_offset()
            if offset:
                ax.yaxis.offsetText.set_visible(False)
                ax.set_ylabel(f"{style.Y_TITLE} ({offset})")

        self.notes = None
        if notes and not look.compact:   # no room for notes in a thumbnail
            self.notes = ax.text(0.995, 0.99, "\n".join(notes), transform=ax.transAxes, ha="right", va="top",
                                 multialignment="right", color=self.theme["muted"], fontsize=_pt(look.small))
        # the legend above the axes, from the figure's left edge like the title (more room than from the axes')
        from matplotlib.transforms import blended_transform_factory

        self.legend_kw = {"loc": "lower left", "bbox_to_anchor": (0.01, 1.01),
                          "bbox_transform": blended_transform_factory(fig.transFigure, ax.transAxes),
                          "frameon": False, "borderaxespad": 0, "borderpad": 0,
                          "handlelength": 2.2 if not look.compact else 1.6,
                          "columnspacing": 1.5 if not look.compact else 0.8,
                          "handletextpad": 0.8 if not look.compact else 0.4, "fontsize": _pt(look.legend)}
        self.legend_ncols = self.legend_columns(legend) if legend else 0
        if self.legend_ncols:
            ax.legend(handles=self.handles(legend), ncols=self.legend_ncols, **self.legend_kw)

        # the top band: the title on the left, a sweep frame's text on the right; its height is reserved by an
        # invisible suptitle in the band's biggest font, the visible texts are placed on its top after layout
        self.title = None
        if title or band_text:
            big = look.frame if band_text else look.title
            self.placeholders.append(fig.suptitle(band_text or title, x=0.01, ha="left", fontsize=_pt(big),
                                                  fontweight="bold" if band_text else "normal", alpha=0))
        self._title_text, self._band_text = title, band_text
        self.freeze()

    # legend helpers -------------------------------------------------------------------------------------------
    def handles(self, lines: list[_Line]) -> list:
        """Legend entries (labels cut to the canvas width)."""
        room = self.legend_room() - self.legend_extra()
        return [self.Line2D([], [], color=ln.color, linestyle=style.DASHES_MPL[ln.dash], alpha=ln.alpha,
                            linewidth=_pt(self.look.line), label=self.fit(ln.label, self.look.legend, room))
                for ln in lines]

    def legend_room(self) -> float:
        return self.size[0] * 0.97

    def legend_extra(self) -> float:
        """Pixels per legend column besides its text: handle, handle-text pad, column spacing."""
        kw = self.legend_kw
        return (kw["handlelength"] + kw["handletextpad"] + kw["columnspacing"]) * self.look.legend

    def legend_columns(self, lines: list[_Line]) -> int:
        """The most columns (at most 4) whose entries fit the width; 0 at THUMB if one row cannot hold them."""
        widths = [self.text_width(ln.label or " ", self.look.legend) for ln in lines]
        extra, avail = self.legend_extra(), self.legend_room()
        for cols in range(min(4, len(lines)), 0, -1):
            rows = -(-len(lines) // cols)
            total = sum(max(widths[j:j + rows]) + extra for j in range(0, len(lines), rows))
            if total <= avail:
                return cols
            if self.look.compact:
                return 0
        return 1

    def fit(self, text: str, px: float, room: float) -> str:
        """``text``, cut with an ellipsis to fit ``room`` pixels."""
        if self.text_width(text, px) <= room:
            return text
        lo, hi = 0, len(text)
        while lo < hi:  # the longest prefix that fits with its ellipsis
            mid = (lo + hi + 1) // 2
            if self.text_width(text[:mid].rstrip() + "…", px) <= room:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo].rstrip() + "…"

    def text_width(self, text: str, px: float, weight: str = "normal") -> float:
        from matplotlib.font_manager import FontProperties

        prop = FontProperties(family=style.FONT_FAMILY[0], size=_pt(px), weight=weight)
        return self.canvas.get_renderer().get_text_width_height_descent(text, prop, ismath=False)[0]

    # layout and background ------------------------------------------------------------------------------------
    def freeze(self) -> None:
        """Lay out once (constrained layout, static artists only), then keep that layout for every frame."""
        fig = self.fig
        self.canvas.draw()
        renderer = self.canvas.get_renderer()
        self.band_top = None
        if self.placeholders:
            self.band_top = self.placeholders[0].get_window_extent(renderer).y1
        fig.set_layout_engine("none")
        for p in self.placeholders:
            p.set_visible(False)
        if self._title_text:
            room = self.size[0] * 0.98
            if self._band_text:  # the frame's text sits on the right of the same line
                room -= self.text_width(self._band_text, self.look.frame, "bold") + 1.5 * self.look.frame
            text = self.fit(self._title_text, self.look.title, room)
            self.title = self.fig.text(0.01 * self.size[0], self.band_top, text, ha="left", va="top",
                                       fontsize=_pt(self.look.title), color=self.theme["text"],
                                       transform=self._identity())

    @staticmethod
    def _identity():
        from matplotlib.transforms import IdentityTransform

        return IdentityTransform()

    def add(self, artist, zorder: float):
        """A moving artist: excluded from the layout and the background, drawn per frame in zorder."""
        artist.set_animated(True)
        artist.set_in_layout(False)
        artist.set_zorder(zorder)
        self.dynamic.append(artist)
        self.every.append(artist)
        return artist

    def snapshot(self) -> None:
        """Draw the static parts and keep them as the background."""
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        # axes children first, then figure-level ones: the order a full draw uses
        self.order = sorted(self.dynamic, key=lambda a: (a.axes is None, a.get_zorder()))

    def bake(self, artists: list) -> None:
        """Draw ``artists`` (moving ones that will not change any more, e.g. a phase line the marker has passed)
        into the background once instead of every frame. Their zorder must be below every artist still moving,
        so that the pixels are those of drawing them each frame."""
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for a in sorted(artists, key=lambda a: a.get_zorder()):
            a.draw(renderer)
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        for a in artists:
            self.dynamic.remove(a)
            self.order.remove(a)

    def render(self) -> np.ndarray:
        """The current frame as (h, w) uint32 RGBA words (a view of the canvas: copy to keep it)."""
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for a in self.order:
            a.draw(renderer)
        w, h = self.size
        return np.frombuffer(self.canvas.buffer_rgba(), dtype=np.uint32).reshape(h, w)

    def full_draw(self) -> np.ndarray:
        """The current frame drawn without blitting (every artist in one ``canvas.draw``): for tests."""
        for a in self.every:
            a.set_animated(False)
        try:
            self.canvas.draw()
        finally:
            for a in self.every:
                a.set_animated(True)
        w, h = self.size
        return np.frombuffer(self.canvas.buffer_rgba(), dtype=np.uint32).reshape(h, w).copy()

    def key_colors(self, colors: list[str]) -> list[tuple[int, int, int]]:
        """Colours the palette must hold exactly: white first, the theme's, the curves'."""
        out = []
        for c in ["#FFFFFF", self.theme["text"], self.theme["axis"], self.theme["grid"], self.theme["muted"], *colors]:
            rgb = _hex_rgb(c)
            if rgb not in out:
                out.append(rgb)
        return out[:(MAX_COLORS - 1) // 2]


# -------------------------------------------------------------------------------------------------- drawing

class _Drawing:
    """The drawing animation's stage and moving artists; ``frame(xp)`` shows the run up to ``xp`` (x unit)."""

    def __init__(self, curves: list[Curve], *, size, x_unit, steps_per_epoch, log_y, title):
        look = _look(size)
        self.look, self.x_unit, self.spe = look, x_unit, steps_per_epoch
        lines, phases, nonpositive, nonfinite = _prepare(curves, x_unit, steps_per_epoch, log_y,
                                                         max(600, POINTS_PER_PX * size[0]))
        self.lines, self.phases = lines, phases
        self.x_end = max(float(to_x(np.float64(ln.lr.size - 1), ln.lr.size, x_unit, steps_per_epoch)) for ln in lines)
        self.longest = max(range(len(lines)), key=lambda i: lines[i].lr.size)
        st = self.stage = _Stage(size, look, x_unit=x_unit, log_y=log_y, title=title, box=_data_box(lines),
                                 notes=note_text(nonpositive, nonfinite), legend=lines if len(lines) > 1 else None)
        ax = st.ax
        self.artists = []
        for ln in lines:
            (line,) = ax.plot([], [], color=ln.color, linestyle=style.DASHES_MPL[ln.dash], alpha=ln.alpha,
                              linewidth=_pt(look.line), solid_joinstyle="round", solid_capstyle="round",
                              drawstyle="steps-post")  # lr[t] holds for the whole step, as on the chart
            (mark,) = ax.plot([], [], linestyle="none", marker="o", markersize=_pt(look.marker),
                              markerfacecolor=ln.color, markeredgecolor=st.theme["background"],
                              markeredgewidth=_pt(1.2), alpha=ln.alpha)
            self.artists.append((st.add(line, 3.0), st.add(mark, 5.5)))
        self.phase_artists = []   # (x, [line, label]) in the order the marker reaches them
        for x, label, col in sorted(phases, key=lambda p: p[0]):
            group = [st.add(ax.axvline(x, color=col, linestyle=":", linewidth=_pt(look.phase)), 2.8)]
            room = ax.bbox.x1 - ax.transData.transform((x, 1.0))[0] - 6
            label = st.fit(label, look.small, room) if label and room > 3 * look.small else ""
            if label:
                group.append(st.add(ax.annotate(label, xy=(x, 0), xycoords=("data", "axes fraction"), xytext=(3, 3),
                                                textcoords="offset points", ha="left", va="bottom", color=col,
                                                fontsize=_pt(look.small)), 2.9))
            self.phase_artists.append((x, group))
        self.baked = 0            # phases drawn into the background (with baking on)
        ax.set_xlim(ax.get_xlim())   # the axvlines and plots must not move the fixed limits
        ax.set_ylim(ax.get_ylim())
        self._readout()
        st.snapshot()

    # the readout ----------------------------------------------------------------------------------------------
    def steps_at(self, xp: float) -> list[int]:
        """Each curve's step at the head position ``xp`` (in the x unit)."""
        out = []
        for ln in self.lines:
            n = ln.lr.size
            t = xp if self.x_unit == "steps" else xp * self.spe if self.x_unit == "epochs" else xp * n
            out.append(int(min(n - 1, max(0, round(t)))))
        return out

    def readout_rows(self, xp: float) -> list[str]:
        """The readout's text: one block for the step (and epoch) and, for one curve, its lr; one row per curve
        (a dot in the curve's colour and its lr) when several race; the step only in a thumbnail of more than
        ``MAX_THUMB_VALUES`` curves."""
        steps = self.steps_at(xp)
        s = steps[self.longest]
        head = f"step {s:,}"
        if self.spe:
            head += f" · epoch {s / self.spe:.2f}" if not self.look.compact else f" · ep {s / self.spe:.1f}"
        if len(self.lines) == 1:
            return [f"{head}\nlr {_fmt_lr(self.lines[0].lr[steps[0]])}"]
        if self.look.compact and len(self.lines) > MAX_THUMB_VALUES:   # a thumbnail has no room for them all
            return [head]
        return [head] + [f"● {_fmt_lr(ln.lr[t])}" for ln, t in zip(self.lines, steps)]

    def _readout(self) -> None:
        """A fixed box in the emptiest corner of the axes, sized for the widest readout of any frame."""
        from matplotlib.patches import FancyBboxPatch

        st, look = self.stage, self.look
        ax = st.ax
        renderer = st.canvas.get_renderer()
        samples = [self.readout_rows(x) for x in np.linspace(0.0, self.x_end, 41)]
        pad = 4 if look.compact else 6
        colors = [st.theme["text"]] + [ln.color for ln in self.lines]
        texts, heights, width = [], [], 0.0
        for i in range(len(samples[0])):
            # the widest of the longest texts this row shows, measured as matplotlib lays it out
            # (length, text): ties in length must not come out in set order, which changes with the hash seed
            cands = sorted({rows[i] for rows in samples}, key=lambda s: (len(s), s))[-3:]
            t = ax.text(0, 0, cands[-1], ha="left", va="top", fontsize=_pt(look.readout), color=colors[i],
                        linespacing=1.25, transform=st._identity())
            for c in cands:
                t.set_text(c)
                ext = t.get_window_extent(renderer)
                width = max(width, ext.width)
            heights.append(ext.height)
            t.set_clip_on(False)
            texts.append(t)
        gap = 0.15 * look.readout
        bw = width + 2 * pad
        bh = sum(heights) + gap * (len(heights) - 1) + 2 * pad
        inset = 4 if look.compact else 8
        ab = ax.bbox
        corners = {  # (x0, y0) of the box in display pixels, in order of preference
            "upper right": (ab.x1 - inset - bw, ab.y1 - inset - bh),
            "upper left": (ab.x0 + inset, ab.y1 - inset - bh),
            "lower right": (ab.x1 - inset - bw, ab.y0 + inset),
            "lower left": (ab.x0 + inset, ab.y0 + inset),
        }
        score = {k: self._ink(x0, y0, bw, bh) for k, (x0, y0) in corners.items()}
        if st.notes is not None:  # the notes sit in the upper right
            score["upper right"] += 1e9
        self.corner = min(corners, key=lambda k: score[k])
        x0, y0 = corners[self.corner]
        box = FancyBboxPatch((x0, y0), bw, bh, boxstyle=f"round,pad=0,rounding_size={3 if look.compact else 4}",
                             facecolor=st.theme["background"], edgecolor=st.theme["grid"], linewidth=0.8,
                             alpha=0.88, transform=st._identity())
        box.set_clip_on(False)
        ax.add_artist(box)
        st.add(box, 5.0)
        top = y0 + bh - pad
        for t, hgt in zip(texts, heights):
            t.set_position((x0 + pad, top))
            st.add(t, 7.0)
            top -= hgt + gap
        self.readouts = texts

    def _ink(self, x0: float, y0: float, bw: float, bh: float) -> float:
        """How much of the curves (and phase labels) a box at (x0, y0) in display pixels would cover."""
        ax = self.stage.ax
        m = 3.0
        total = 0.0
        for ln in self.lines:
            pts = _densify(ax.transData.transform(np.column_stack([ln.x, ln.y])))
            total += ((pts[:, 0] >= x0 - m) & (pts[:, 0] <= x0 + bw + m) & (pts[:, 1] >= y0 - m)
                      & (pts[:, 1] <= y0 + bh + m)).sum()
        trans = ax.transData
        if y0 < ax.bbox.y0 + 30:  # a lower corner: the phase labels sit at the foot of their lines
            for x, group in self.phase_artists:
                px = trans.transform((x, 1.0))[0]
                if len(group) > 1 and x0 - 10 * self.look.small <= px <= x0 + bw:
                    total += 1000
        return total

    # frames ---------------------------------------------------------------------------------------------------
    def frame(self, xp: float, bake: bool = False) -> None:
        """Set the moving artists for the head at ``xp`` (in the x unit). With ``bake`` (frames in increasing
        order), a phase line and label are drawn into the background once the marker has passed them."""
        for ln, (line, mark) in zip(self.lines, self.artists):
            if xp >= ln.x[-1]:
                line.set_data(ln.x, ln.y)
                hx, hy = ln.x[-1], ln.y[-1]
            else:
                k = int(np.searchsorted(ln.x, xp, side="right"))
                hx = xp
                hy = float(np.interp(xp, ln.x, ln.y)) if k > 0 else np.nan
                line.set_data(np.append(ln.x[:k], hx), np.append(ln.y[:k], hy))
            mark.set_data([hx], [hy])
        for i, (x, group) in enumerate(self.phase_artists):
            shown = xp >= x
            for a in group:
                a.set_visible(shown)
            if bake and shown and i == self.baked:
                self.stage.bake(group)
                self.baked += 1
        for t, s in zip(self.readouts, self.readout_rows(xp)):
            t.set_text(s)


def _densify(pts: np.ndarray) -> np.ndarray:
    """Points about every pixel along a polyline given in display pixels (segments with a nan end dropped)."""
    a, b = pts[:-1], pts[1:]
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    a, b = a[ok], b[ok]
    if not len(a):
        return pts[np.isfinite(pts).all(axis=1)]
    k = np.maximum(1, np.ceil(np.hypot(*(b - a).T)).astype(np.int64))
    seg = np.repeat(np.arange(len(a)), k)
    t = (np.arange(seg.size) - np.repeat(np.cumsum(k) - k, k)) / np.repeat(k, k)
    return a[seg] + (b - a)[seg] * t[:, None]


# ---------------------------------------------------------------------------------------------------- sweep

class _Sweep:
    """The sweep animation's stage: a pool of lines, phase lines and labels refilled per frame."""

    def __init__(self, frames: list[tuple[str, list[Curve]]], *, size, x_unit, steps_per_epoch, log_y, title):
        look = _look(size)
        self.look = look
        max_points = max(600, POINTS_PER_PX * size[0])
        self.data = []
        nonpositive = nonfinite = False
        boxes = []
        for text, curves in frames:
            lines, phases, npos, nfin = _prepare(curves, x_unit, steps_per_epoch, log_y, max_points)
            nonpositive |= npos
            nonfinite |= nfin
            self.data.append((str(text), lines, phases))
            b = _data_box(lines)
            if b is not None:
                boxes.append(b)
        box = None
        if boxes:
            arr = np.array(boxes)
            box = (arr[:, 0].min(), arr[:, 1].max(), arr[:, 2].min(), arr[:, 3].max())
        n_lines = max(len(lines) for _, lines, _ in self.data)
        n_phases = max(len(phases) for _, _, phases in self.data)
        keys = [self._legend_key(lines) for _, lines, _ in self.data]
        widest = max((lines for _, lines, _ in self.data), key=lambda ls: (len(ls), sum(len(x.label) for x in ls)))
        self.fixed_legend = len(set(keys)) == 1
        legend = widest if n_lines > 1 else None
        band = max((t for t, _, _ in self.data), key=len) or None
        st = self.stage = _Stage(size, look, x_unit=x_unit, log_y=log_y, title=title, box=box,
                                 notes=note_text(nonpositive, nonfinite), legend=legend, band_text=band)
        ax = st.ax
        self.legend_cols = 0
        if st.legend_ncols:
            self.legend_cols = st.legend_ncols
            if not self.fixed_legend:       # labels change: the legend is redrawn per frame
                ax.get_legend().remove()
        self.frame_legend = None
        self.pool = []
        for _ in range(n_lines):
            (line,) = ax.plot([], [], linewidth=_pt(look.line), solid_joinstyle="round", solid_capstyle="round",
                              drawstyle="steps-post")
            self.pool.append(st.add(line, 3.0))
        self.phase_pool = []
        for _ in range(n_phases):
            vline = st.add(ax.axvline(0, color=st.theme["muted"], linestyle=":", linewidth=_pt(look.phase)), 2.8)
            text = st.add(ax.annotate("", xy=(0, 0), xycoords=("data", "axes fraction"), xytext=(3, 3),
                                      textcoords="offset points", ha="left", va="bottom",
                                      fontsize=_pt(look.small)), 2.9)
            self.phase_pool.append((vline, text))
        ax.set_xlim(ax.get_xlim())
        ax.set_ylim(ax.get_ylim())
        self.text = None
        if band:
            self.text = st.fig.text(size[0] - max(4.0, 0.012 * size[0]), st.band_top, "", ha="right", va="top",
                                    fontsize=_pt(look.frame), fontweight="bold", color=st.theme["text"],
                                    transform=st._identity())
            st.add(self.text, 8.0)
        st.snapshot()
        self.colors = sorted({ln.color for _, lines, _ in self.data for ln in lines} | {p[2] for _, _, ps in self.data
                                                                                         for p in ps})

    @staticmethod
    def _legend_key(lines: list[_Line]) -> tuple:
        return tuple((ln.label, ln.color, ln.dash, ln.alpha) for ln in lines)

    def frame(self, i: int) -> None:
        text, lines, phases = self.data[i]
        for j, line in enumerate(self.pool):
            if j < len(lines):
                ln = lines[j]
                line.set_data(ln.x, ln.y)
                line.set_color(ln.color)
                line.set_linestyle(style.DASHES_MPL[ln.dash])
                line.set_alpha(ln.alpha)
                line.set_visible(True)
            else:
                line.set_visible(False)
        for j, (vline, label) in enumerate(self.phase_pool):
            if j < len(phases):
                x, s, col = phases[j]
                vline.set_xdata([x, x])
                vline.set_color(col)
                label.xy = (x, 0)
                if s:   # cut to the room right of the line
                    ax = self.stage.ax
                    room = ax.bbox.x1 - ax.transData.transform((x, 1.0))[0] - 6
                    s = self.stage.fit(s, self.look.small, room) if room > 3 * self.look.small else ""
                label.set_text(s)
                label.set_color(col)
                vline.set_visible(True)
                label.set_visible(bool(s))
            else:
                vline.set_visible(False)
                label.set_visible(False)
        if self.text is not None:
            self.text.set_text(text)
        if self.legend_cols and not self.fixed_legend:
            self._frame_legend(lines)

    def _frame_legend(self, lines: list[_Line]) -> None:
        from matplotlib.legend import Legend

        st = self.stage
        if self.frame_legend is not None:
            st.dynamic.remove(self.frame_legend)
            st.every.remove(self.frame_legend)
        handles = st.handles(lines)
        leg = Legend(st.ax, handles, [h.get_label() for h in handles], ncols=min(self.legend_cols, len(lines)),
                     **st.legend_kw)
        st.add(leg, 5.0)
        self.frame_legend = leg
        st.order = sorted(st.dynamic, key=lambda a: (a.axes is None, a.get_zorder()))


# ----------------------------------------------------------------------------------------------- the palette

def _palette(rgb: np.ndarray, keys: list[tuple[int, int, int]]) -> np.ndarray:
    """(k, 3) uint8, k < MAX_COLORS: the key colours exactly, then a median cut of ``rgb`` (h, w, 3)."""
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    q = img.quantize(colors=MAX_COLORS - 1 - len(keys), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    flat = q.getpalette()
    out = list(keys)
    for _, i in sorted(q.getcolors(256), key=lambda ci: ci[1]):
        c = tuple(flat[3 * i:3 * i + 3])
        if c not in out:
            out.append(c)
    return np.array(out[:MAX_COLORS - 1], dtype=np.uint8)


def _rgb(words: np.ndarray) -> np.ndarray:
    """(h, w) uint32 RGBA words -> (h, w, 3) uint8."""
    return words.view(np.uint8).reshape(*words.shape, 4)[..., :3]


class _Remap:
    """Exact nearest-colour remap of successive frames to one palette; only changed pixels are looked up."""

    def __init__(self, palette: np.ndarray):
        self.pal = palette.astype(np.int32)
        self.prev_words = self.prev_idx = None

    def nearest(self, words: np.ndarray) -> np.ndarray:
        u, inv = np.unique(words, return_inverse=True)
        rgb = u.view(np.uint8).reshape(-1, 4)[:, :3].astype(np.int32)   # RGBA bytes, whatever the endianness
        d = ((rgb[:, None, :] - self.pal[None, :, :]) ** 2).sum(axis=2)
        return d.argmin(axis=1).astype(np.uint8)[inv.ravel()]

    def __call__(self, words: np.ndarray) -> np.ndarray:
        if self.prev_words is None:
            idx = self.nearest(words.ravel()).reshape(words.shape)
        else:
            changed = words != self.prev_words
            idx = self.prev_idx.copy()
            if changed.any():
                idx[changed] = self.nearest(words[changed])
        self.prev_words = words.copy()
        self.prev_idx = idx
        return idx


# ---------------------------------------------------------------------------------------------- GIF writing

def _frame_ms(fps: int) -> int:
    """One frame's delay in ms: 1000 / fps rounded to the GIF's 1/100 s."""
    return 10 * max(2, round(100 / fps))


def _write_gif(indexed: list[np.ndarray], palette: np.ndarray, durations: list[int], optimize: bool) -> bytes:
    """The GIF of the index frames: one global palette, each frame drawn over the previous one (disposal 1) with
    its unchanged pixels transparent (long runs of one index: LZW packs them, without needing gifsicle)."""
    from PIL import Image

    h, w = indexed[0].shape
    clear = len(palette)                       # the transparent index, after the colours
    pal = palette.tobytes() + bytes(TRANSPARENT_RGB)
    images, prev = [], None
    for idx in indexed:
        frame = idx if prev is None else np.where(idx == prev, np.uint8(clear), idx)
        prev = idx
        im = Image.frombuffer("P", (w, h), np.ascontiguousarray(frame, dtype=np.uint8).tobytes(), "raw", "P", 0, 1)
        im.putpalette(pal)
        images.append(im)
    buf = io.BytesIO()
    # Pillow crops each frame to what differs from the previous one it was given, which (unchanged pixels being
    # transparent) covers every pixel that changes on screen
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0,
                   disposal=1, transparency=clear, optimize=False)
    data = buf.getvalue()
    if optimize:
        data = _gifsicle(data)
    return data


def _gifsicle(data: bytes) -> bytes:
    """``gifsicle -O3`` (lossless) when it is on PATH; the input unchanged otherwise or if it fails."""
    exe = shutil.which("gifsicle")
    if exe is None:
        return data
    try:
        out = subprocess.run([exe, "-O3", "--no-warnings"], input=data, capture_output=True, check=False,
                             timeout=GIFSICLE_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return data
    if out.returncode != 0 or not out.stdout.startswith(b"GIF8"):
        return data
    return out.stdout


# ---------------------------------------------------------------------------------------------------- checks

def _check_size(size) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in size)
        ok = all(float(v) == int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height) in pixels, got {size!r}") from None
    if not ok or not (MIN_SIZE[0] <= w <= MAX_SIZE[0] and MIN_SIZE[1] <= h <= MAX_SIZE[1]):
        raise ValueError(f"size must be whole pixels from {MIN_SIZE} to {MAX_SIZE}, got {size!r}")
    return w, h


def _check_int(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def _check_curves(curves, x_unit, steps_per_epoch, where: str = "curves") -> None:
    if not isinstance(curves, (list, tuple)) or not curves or not all(isinstance(c, Curve) for c in curves):
        raise ValueError(f"{where} must be a non-empty list of Curve")
    check_curves(list(curves), x_unit, steps_per_epoch)


# ------------------------------------------------------------------------------------------------------ API

def _drawing_frames(curves, *, frames, size, x_unit, steps_per_epoch, log_y, title):
    """(stage, drawing, list of uint8 index frames, palette) for ``drawing_gif``."""
    drawing = _Drawing(list(curves), size=size, x_unit=x_unit, steps_per_epoch=steps_per_epoch, log_y=log_y,
                       title=title)
    st = drawing.stage
    positions = np.linspace(0.0, drawing.x_end, frames)
    drawing.frame(positions[-1])               # the end state first: its colours make the palette
    last = st.render().copy()
    palette = _palette(_rgb(last), st.key_colors([ln.color for ln in drawing.lines]
                                                 + [p[2] for p in drawing.phases]))
    remap = _Remap(palette)
    out = []
    for xp in positions[:-1]:
        drawing.frame(xp, bake=True)
        out.append(remap(st.render()))
    out.append(remap(last))
    return drawing, out, palette


def drawing_gif(curves: list[Curve], *, frames: int = 60, size: tuple[int, int] = FULL, fps: int = 20,
                x_unit: str = "steps", steps_per_epoch: int | None = None, log_y: bool = False,
                title: str | None = None, hold_last: int = 15, optimize: bool = True) -> bytes:
    """A looping GIF of ``curves`` drawn over training: ``frames`` frames from the start point to the whole curve
    (a moving marker at each head, a readout of step, epoch and lr, phase lines appearing as the marker passes
    them), the last frame held ``hold_last`` more frame durations. ``size`` in pixels (``FULL``, ``THUMB`` or any
    from 120×80 to 1460×1460), ``fps`` frames per second (delays are whole 1/100 s). x unit, ``steps_per_epoch``,
    ``log_y`` and ``title`` as in ``render.static.static_image``. ``optimize``: shrink with ``gifsicle -O3`` when
    it is installed; ``optimize=False`` gives bytes that do not depend on gifsicle. Deterministic."""
    _check_curves(curves, x_unit, steps_per_epoch)
    frames = _check_int("frames", frames, 2, MAX_FRAMES)
    hold_last = _check_int("hold_last", hold_last, 0, MAX_FRAMES)
    fps = _check_int("fps", fps, 1, MAX_FPS)
    size = _check_size(size)
    matplotlib = _matplotlib()[0]
    with matplotlib.rc_context(_rc_for(_look(size))):
        _, indexed, palette = _drawing_frames(curves, frames=frames, size=size, x_unit=x_unit,
                                              steps_per_epoch=steps_per_epoch, log_y=log_y, title=title)
    ms = _frame_ms(fps)
    durations = [ms] * (frames - 1) + [ms * (1 + hold_last)]
    return _write_gif(indexed, palette, durations, optimize)


def _sweep_frames(frames, *, size, x_unit, steps_per_epoch, log_y, title):
    """(sweep, list of uint8 index frames, palette) for ``sweep_gif``: one per distinct frame, in order."""
    sweep = _Sweep(frames, size=size, x_unit=x_unit, steps_per_epoch=steps_per_epoch, log_y=log_y, title=title)
    st = sweep.stage
    n = len(frames)
    strip = []
    for i in sorted({0, n // 2, n - 1}):
        sweep.frame(i)
        strip.append(_rgb(st.render()).copy())
    palette = _palette(np.concatenate(strip, axis=0), st.key_colors(sweep.colors))
    remap = _Remap(palette)
    out = []
    for i in range(n):
        sweep.frame(i)
        out.append(remap(st.render()))
    return sweep, out, palette


def sweep_gif(frames: list[tuple[str, list[Curve]]], *, size: tuple[int, int] = FULL, fps: int = 12,
              x_unit: str = "steps", steps_per_epoch: int | None = None, log_y: bool = False,
              title: str | None = None, bounce: bool = True, optimize: bool = True) -> bytes:
    """A looping GIF with one frame per ``(text, curves)`` of ``frames`` (e.g. one per value of a parameter): the
    curves drawn whole, ``text`` large at the top right, axes fixed over all frames. ``bounce=True`` plays the
    frames forward then backward (``2n - 2`` GIF frames) so the loop has no jump. Other arguments as in
    ``drawing_gif``. Deterministic."""
    if not isinstance(frames, (list, tuple)) or not frames:
        raise ValueError("frames must be a non-empty list of (text, curves)")
    if len(frames) > MAX_FRAMES:
        raise ValueError(f"at most {MAX_FRAMES} frames, got {len(frames)}")
    for i, item in enumerate(frames):
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[0], str):
            raise ValueError(f"frames[{i}] must be (text, curves), got {type(item).__name__}")
        _check_curves(item[1], x_unit, steps_per_epoch, where=f"frames[{i}] curves")
    fps = _check_int("fps", fps, 1, MAX_FPS)
    size = _check_size(size)
    matplotlib = _matplotlib()[0]
    with matplotlib.rc_context(_rc_for(_look(size))):
        _, indexed, palette = _sweep_frames(list(frames), size=size, x_unit=x_unit, steps_per_epoch=steps_per_epoch,
                                            log_y=log_y, title=title)
    order = list(range(len(indexed)))
    if bounce and len(indexed) > 2:
        order += list(range(len(indexed) - 2, 0, -1))
    seq = [indexed[i] for i in order]
    return _write_gif(seq, palette, [_frame_ms(fps)] * len(seq), optimize)


def gif_info(data: bytes) -> dict:
    """``{"frames": n, "size": (w, h), "loop": 0 (forever) or a count or None (plays once), "durations": [ms]}``
    of a GIF, read by Pillow."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        if im.format != "GIF":
            raise ValueError(f"not a GIF: {im.format}")
        n = getattr(im, "n_frames", 1)
        durations = []
        for i in range(n):
            im.seek(i)
            durations.append(int(im.info.get("duration", 0)))
        im.seek(0)
        return {"frames": n, "size": tuple(im.size), "loop": im.info.get("loop"), "durations": durations}
