"""Interactive plotly figures of learning-rate curves.

``lr_figure`` turns engine curves into a ``plotly.graph_objects.Figure`` ready for ``st.plotly_chart(fig,
theme=None, config=chart_config(...))``. Curves are decimated (``minmax_decimate``), never sent at full
resolution; numpy arrays travel as plotly typed arrays (``{"dtype", "bdata"}``).

x units:

* ``"steps"``: the step ``t`` (``lr[t]`` is in effect for training step ``t``, 0-based);
* ``"epochs"``: ``t / steps_per_epoch`` (epoch ``e`` starts at ``x = e``);
* ``"fraction"``: ``t / steps`` of the curve itself, the share of training done before step ``t`` (transformers'
  "progress"): 0 at the first step, ``(steps - 1) / steps`` at the last, so ``fraction = epoch / epochs`` and
  curves of different lengths line up by progress.

Hover (``hovermode="x unified"``) lists every curve at the cursor with its value to 6 significant digits and the
exact step of that point (from ``customdata``, so exact in epochs and fraction mode too), plus its epoch when
``steps_per_epoch`` is given.

Exporting: the modebar's camera button downloads a PNG (``chart_config``); plotly's config cannot add an SVG
button without JavaScript, so the app offers SVG/PDF through ``render.static.static_image`` and a download button.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from . import style
from .decimate import minmax_decimate

X_UNITS = ("steps", "epochs", "fraction")
LOG_NOTE = "lr <= 0 not shown on a log axis"
INF_NOTE = "lr = inf (overflow) not shown"


@dataclass
class Curve:
    """One learning-rate curve: the engine's output for one parameter group, and how to draw it."""

    label: str
    lr: np.ndarray                 # shape (steps,), float64: lr[t] in effect for step t
    color: str | None = None       # default: the palette colour of the curve's position
    dash: str | None = None        # None (solid) | "dash" | "dot"
    opacity: float = 1.0
    phases: tuple = ()             # ((step, label), ...): phase boundaries of a composite, drawn as dotted lines


def check_curves(curves: list[Curve], x_unit: str, steps_per_epoch: int | None) -> None:
    """ValueError for an unknown x unit, epochs without steps_per_epoch, a bad dash or a non 1-D/empty curve."""
    if x_unit not in X_UNITS:
        raise ValueError(f"x_unit must be one of {X_UNITS}, got {x_unit!r}")
    if steps_per_epoch is not None and (not isinstance(steps_per_epoch, (int, np.integer)) or steps_per_epoch < 1):
        raise ValueError(f"steps_per_epoch must be a positive integer, got {steps_per_epoch!r}")
    if x_unit == "epochs" and steps_per_epoch is None:
        raise ValueError('x_unit="epochs" needs steps_per_epoch')
    for c in curves:
        if c.dash not in style.DASHES_PLOTLY:
            raise ValueError(f"{c.label}: dash must be None, 'dash' or 'dot', got {c.dash!r}")
        if np.ndim(c.lr) != 1 or np.size(c.lr) == 0:
            raise ValueError(f"{c.label}: lr must be a non-empty 1-D array, got shape {np.shape(c.lr)}")


def to_x(steps: np.ndarray, n: int, x_unit: str, steps_per_epoch: int | None) -> np.ndarray:
    """Step numbers of a curve of ``n`` steps in the x unit (see the module docstring)."""
    if x_unit == "steps":
        return steps
    if x_unit == "epochs":
        return steps / steps_per_epoch
    return steps / n


def note_text(nonpositive: bool, nonfinite: bool) -> list[str]:
    """The notes for values a chart cannot draw."""
    return [note for flag, note in ((nonpositive, LOG_NOTE), (nonfinite, INF_NOTE)) if flag]


def curve_colors(curves: list[Curve]) -> list[str]:
    """Each curve's colour: its own, else the palette colour of its position."""
    return [c.color or style.color(i) for i, c in enumerate(curves)]


def _hover(label: str, with_epoch: bool) -> str:
    safe = html.escape(label).replace("%", "&#37;")  # no HTML and no %{...} templates from user labels
    text = f"{safe}: %{{y:.6~g}} at step %{{customdata[0]:,d}}"
    if with_epoch:
        text += ", epoch %{customdata[1]:.4~f}"
    return text + "<extra></extra>"


def axis_style(c: dict, title: str) -> dict:
    """One axis in the shared look: outside ticks, light grid, dotted spikes; ``c`` is a theme's colours."""
    return {
        "title": {"text": title, "font": {"size": style.FONT_SIZE, "color": c["text"]}, "standoff": 8},
        "showline": True, "linecolor": c["axis"], "linewidth": 1, "mirror": False,
        "ticks": "outside", "tickcolor": c["axis"], "ticklen": 4,
        "tickfont": {"size": style.TICK_SIZE, "color": c["text"]},
        "showgrid": True, "gridcolor": c["grid"], "gridwidth": 1, "zeroline": False,
        "showspikes": True, "spikemode": "across", "spikesnap": "cursor", "spikethickness": 1,
        "spikedash": "dot", "spikecolor": c["muted"],
        "automargin": True,
    }


def lr_figure(curves: list[Curve], *, x_unit: str = "steps", steps_per_epoch: int | None = None,
              log_y: bool = False, title: str | None = None, theme: str = "light", height: int = 420,
              max_points: int = 4000) -> go.Figure:
    """A plotly figure of ``curves``: one decimated line each (at most ``max_points`` points), in the given x unit
    (``"steps"``, ``"epochs"`` (needs ``steps_per_epoch``) or ``"fraction"``), log y axis optional, composite
    phase boundaries as dotted lines, explicit colours for ``theme`` (``"light"`` / ``"dark"``)."""
    check_curves(curves, x_unit, steps_per_epoch)
    c = style.theme_colors(theme)
    colors = curve_colors(curves)
    with_epoch = steps_per_epoch is not None

    traces = []
    nonpositive = nonfinite = False
    for curve, col in zip(curves, colors):
        lr = np.asarray(curve.lr, dtype=np.float64)
        idx, val = minmax_decimate(lr, max_points)
        if with_epoch:
            custom = np.empty((idx.size, 2))
            custom[:, 0] = idx
            np.divide(idx, steps_per_epoch, out=custom[:, 1])
        else:
            custom = idx.reshape(-1, 1)
        if log_y and not nonpositive:
            nonpositive = bool((val <= 0).any())  # the decimation keeps every bucket's minimum
        bad = ~np.isfinite(val)                   # inf from an overflowing lambda: a gap, not a broken autorange
        if bad.any():
            nonfinite = True
            val = np.where(bad, np.nan, val)
        traces.append({
            "type": "scatter", "mode": "lines", "name": curve.label,
            "x": to_x(idx, lr.size, x_unit, steps_per_epoch), "y": val, "customdata": custom,
            # lr[t] holds for the whole of step t: drawn as steps, so a StepLR drop is vertical, not a slope
            "line": {"color": col, "width": style.LINE_WIDTH, "dash": style.DASHES_PLOTLY[curve.dash], "shape": "hv"},
            "opacity": float(curve.opacity), "hovertemplate": _hover(curve.label, with_epoch),
        })

    shapes, annotations = [], []
    seen = set()
    single = sum(1 for cv in curves if cv.phases) <= 1  # one composite: grey lines; several: their colours
    for curve, col in zip(curves, colors):
        n = np.size(curve.lr)
        for step, label in curve.phases:
            x = float(to_x(np.float64(step), n, x_unit, steps_per_epoch))
            if (x, label) in seen:
                continue
            seen.add((x, label))
            line_color = c["muted"] if single else col
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                           "line": {"color": line_color, "width": style.PHASE_WIDTH, "dash": "dot"},
                           "layer": "below"})
            if label:
                # at the foot of the line: at a phase switch the curve is usually high (end of a warmup)
                annotations.append({"xref": "x", "yref": "paper", "x": x, "y": 0, "xanchor": "left",
                                    "yanchor": "bottom", "xshift": 3, "yshift": 2, "showarrow": False,
                                    "text": html.escape(str(label)),
                                    "font": {"size": style.SMALL_SIZE, "color": line_color}})
    notes = note_text(nonpositive, nonfinite)
    if notes:
        annotations.append({"xref": "paper", "yref": "paper", "x": 1, "y": 1, "xanchor": "right",
                            "yanchor": "top", "showarrow": False, "text": "<br>".join(notes),
                            "align": "right", "font": {"size": style.SMALL_SIZE, "color": c["muted"]},
                            "bgcolor": c["background"], "opacity": 0.9})

    xaxis = axis_style(c, style.X_TITLES[x_unit])
    xaxis["hoverformat"] = ",d" if x_unit == "steps" else ".4~f"
    if x_unit == "steps":
        xaxis["tickformat"] = "~s"   # 250k, 1M (plotly's default would write 0.25M)
    yaxis = axis_style(c, style.Y_TITLE)
    yaxis.update({"exponentformat": "power", "showexponent": "all", "hoverformat": ".6~g"})
    if log_y:
        yaxis["type"] = "log"
    layout = base_layout(theme, height=height, legend=len(curves) > 1, title=title)
    layout.update({
        "xaxis": xaxis, "yaxis": yaxis, "shapes": shapes, "annotations": annotations,
        # zoom and pan survive reruns (parameter changes); they reset when the axes change meaning
        "uirevision": f"lr:{x_unit}:{'log' if log_y else 'linear'}",
    })
    return go.Figure({"data": traces, "layout": layout})


def base_layout(theme: str, *, height: int, legend: bool, title: str | None = None) -> dict:
    """The layout every figure shares: explicit colours and fonts for ``theme`` (no plotly template, so
    Streamlit's theme cannot recolour), unified hover, a horizontal legend above the plot, an optional title."""
    c = style.theme_colors(theme)
    font = {"family": ", ".join(style.FONT_FAMILY), "size": style.FONT_SIZE, "color": c["text"]}
    top = 8 + (32 if title else 0) + (28 if legend else 0)
    layout = {
        "template": "none",
        "colorway": list(style.PALETTE),
        "font": font,
        "paper_bgcolor": c["paper"], "plot_bgcolor": c["background"],
        "height": int(height),
        "margin": {"l": 8, "r": 12, "t": top, "b": 8, "autoexpand": True},
        "hovermode": "x unified",
        "hoverlabel": {"bgcolor": c["paper"], "bordercolor": c["axis"],
                       "font": {"family": font["family"], "size": style.TICK_SIZE, "color": c["text"]}},
        "showlegend": legend,
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                   "font": {"size": style.FONT_SIZE, "color": c["text"]}, "bgcolor": "rgba(0,0,0,0)"},
    }
    if title:
        layout["title"] = {"text": html.escape(title), "x": 0, "xanchor": "left", "xref": "paper",
                           "y": 1, "yanchor": "top", "yref": "container", "pad": {"t": 10},
                           "font": {"size": style.TITLE_SIZE, "color": c["text"]}}
    return layout


def chart_config(filename: str) -> dict:
    """``config`` for ``st.plotly_chart``: the modebar's camera downloads ``<filename>.png`` at 2x; no logo.
    (SVG needs a JavaScript modebar button, which config cannot hold: the app offers SVG via
    ``render.static.static_image`` and a download button.)"""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": filename},
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    }
