"""Static images of learning-rate curves (PNG, SVG, PDF) with matplotlib's Agg, for downloads and docs.

Same palette, fonts and axis titles as the interactive chart (``render.style``), in a documentation look: light
background, no top/right spines, light grid, legend above the plot when there is more than one curve, composite
phase boundaries as dotted lines. Curves are decimated like on screen (every extreme and jump kept), which keeps
SVG/PDF small; the files are byte-identical for the same input (no dates, fixed SVG ids, no software version).

matplotlib is imported on first use (~0.35 s), not when ``render`` is imported. No pyplot: figures are plain
``matplotlib.figure.Figure`` objects, so nothing global is touched and threads (Streamlit sessions) are safe.
"""

from __future__ import annotations

import io
import sys

import numpy as np

from . import style
from .decimate import minmax_decimate
from .figures import Curve, check_curves, curve_colors, note_text, to_x

FORMATS = ("png", "svg", "pdf")
MAX_POINTS = 4000        # per curve: ~4 points per horizontal pixel at the default size
# Fixed metadata: no creation date and no matplotlib version, so the bytes depend on the input only
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


def _matplotlib():
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")   # headless; left alone where pyplot already chose one (a notebook)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, ScalarFormatter, StrMethodFormatter

    return matplotlib, Figure, MaxNLocator, ScalarFormatter, StrMethodFormatter


def _rc(theme: dict) -> dict:
    from cycler import cycler  # a matplotlib dependency

    pt = style.PT_PER_PX
    return {
        "font.family": [style.FONT_FAMILY[0]],
        "font.size": style.FONT_SIZE * pt,
        "axes.titlesize": style.TITLE_SIZE * pt,
        "axes.labelsize": style.FONT_SIZE * pt,
        "xtick.labelsize": style.TICK_SIZE * pt,
        "ytick.labelsize": style.TICK_SIZE * pt,
        "legend.fontsize": style.FONT_SIZE * pt,
        "text.color": theme["text"], "axes.labelcolor": theme["text"],
        "xtick.color": theme["axis"], "ytick.color": theme["axis"],
        "xtick.labelcolor": theme["text"], "ytick.labelcolor": theme["text"],
        "axes.edgecolor": theme["axis"], "axes.linewidth": 0.8,
        "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": True, "grid.color": theme["grid"], "grid.linewidth": 0.8,
        "axes.axisbelow": True,
        "axes.prop_cycle": cycler(color=list(style.PALETTE)),
        "figure.facecolor": theme["paper"], "axes.facecolor": theme["background"],
        "savefig.facecolor": theme["paper"],
        "svg.hashsalt": "lr-schedules",        # fixed ids in SVG: identical bytes across runs
        "svg.fonttype": "path",                # text as paths: looks the same without the font installed
        "pdf.fonttype": 42,                    # embedded TrueType: selectable text in PDFs
        "path.simplify": True,
    }


def _legend_columns(curves: list[Curve], width_in: float) -> int:
    """The most legend columns (at most 4) whose entries fit ``width_in`` inches, from the labels' text widths
    (entries fill the columns top to bottom, as matplotlib lays them out)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    size = style.FONT_SIZE * style.PT_PER_PX
    prop = FontProperties(family=style.FONT_FAMILY[0], size=size)
    widths = [TextPath((0, 0), c.label or " ", size=size, prop=prop).get_extents().width / 72 for c in curves]
    extra = (2.2 + 0.8 + 1.5) * size / 72            # handle, handle-text pad, column spacing (in font sizes)
    for cols in range(min(4, len(curves)), 1, -1):
        rows = -(-len(curves) // cols)
        total = sum(max(widths[j:j + rows]) + extra for j in range(0, len(curves), rows))
        if total <= width_in:
            return cols
    return 1


def static_image(curves: list[Curve], fmt: str = "png", *, x_unit: str = "steps", steps_per_epoch: int | None = None,
                 log_y: bool = False, title: str | None = None, size: tuple[float, float] = (7.0, 4.2),
                 dpi: int = 150) -> bytes:
    """The curves as a ``fmt`` image (``"png"``, ``"svg"`` or ``"pdf"``) of ``size`` inches (PNG at ``dpi``),
    light theme; x unit as in ``lr_figure``. Deterministic bytes for the same input."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    check_curves(curves, x_unit, steps_per_epoch)
    matplotlib, Figure, MaxNLocator, ScalarFormatter, StrMethodFormatter = _matplotlib()
    theme = style.LIGHT
    colors = curve_colors(curves)
    pt = style.PT_PER_PX
    with matplotlib.rc_context(_rc(theme)):
        fig = Figure(figsize=size, dpi=dpi, layout="constrained")
        ax = fig.add_subplot()
        nonpositive = nonfinite = False
        for curve, col in zip(curves, colors):
            lr = np.asarray(curve.lr, dtype=np.float64)
            idx, val = minmax_decimate(lr, MAX_POINTS)
            if log_y:
                nonpositive |= bool((val <= 0).any())
                val = np.where(val > 0, val, np.nan)   # a gap, like plotly
            bad = ~np.isfinite(val) & ~np.isnan(val)
            if bad.any():
                nonfinite = True
                val = np.where(bad, np.nan, val)
            ax.plot(to_x(idx, lr.size, x_unit, steps_per_epoch), val, label=curve.label, color=col,
                    linestyle=style.DASHES_MPL[curve.dash], linewidth=style.LINE_WIDTH * pt,
                    alpha=float(curve.opacity), solid_joinstyle="round",
                    drawstyle="steps-post")  # lr[t] holds for the whole step: a StepLR drop is vertical
        if log_y:
            ax.set_yscale("log")
        else:
            fmt_y = ScalarFormatter(useMathText=True)
            fmt_y.set_powerlimits((-3, 4))
            ax.yaxis.set_major_formatter(fmt_y)
        if x_unit == "steps":
            ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))
            ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_xlabel(style.X_TITLES[x_unit])
        ax.set_ylabel(style.Y_TITLE)
        ax.margins(x=0.01)
        ax.tick_params(length=3, width=0.8)

        single = sum(1 for cv in curves if cv.phases) <= 1
        seen = set()
        for curve, col in zip(curves, colors):
            for step, label in curve.phases:
                x = float(to_x(np.float64(step), np.size(curve.lr), x_unit, steps_per_epoch))
                if (x, label) in seen:
                    continue
                seen.add((x, label))
                line_color = theme["muted"] if single else col
                ax.axvline(x, color=line_color, linestyle=":", linewidth=style.PHASE_WIDTH, zorder=1)
                if label:
                    ax.annotate(str(label), xy=(x, 0), xycoords=("data", "axes fraction"), xytext=(3, 3),
                                textcoords="offset points", ha="left", va="bottom", color=line_color,
                                fontsize=style.SMALL_SIZE * pt)
        notes = note_text(nonpositive, nonfinite)
        if notes:
            ax.text(0.995, 0.99, "\n".join(notes), transform=ax.transAxes, ha="right", va="top",
                    multialignment="right", color=theme["muted"], fontsize=style.SMALL_SIZE * pt)
        if len(curves) > 1:
            ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=_legend_columns(curves, size[0] - 0.9),
                      frameon=False, borderaxespad=0, handlelength=2.2, columnspacing=1.5)
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=style.TITLE_SIZE * pt, color=theme["text"])
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return buf.getvalue()
