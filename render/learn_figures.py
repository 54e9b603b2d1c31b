"""Figures for the learn-by-doing pages: training runs, the LR range test, plateau traces and batch-size scaling.

Same look as ``lr_figure`` (explicit colours per theme, Okabe-Ito palette, no plotly template); long series are
decimated with ``minmax_decimate`` so a figure stays small whatever the run length.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from . import style
from .decimate import minmax_decimate
from .figures import axis_style, base_layout

MAX_POINTS = 2000


@dataclass
class TrainingRun:
    """One playground run: per-step batch loss and lr, per-epoch evaluation."""

    label: str
    lr: np.ndarray              # (steps,) lr used at each optimizer step
    batch_loss: np.ndarray      # (steps,) loss of each step's batch, before its update
    train_loss: np.ndarray      # (epochs,) loss over the whole training set after each epoch
    val_loss: np.ndarray        # (epochs,)
    val_accuracy: np.ndarray    # (epochs,)
    steps_per_epoch: int
    color: str | None = None


def _finite(values: np.ndarray) -> np.ndarray:
    """inf/nan (a diverged run) become gaps rather than breaking the axis range."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


def _decimated(y: np.ndarray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=np.float64)
    idx, val = minmax_decimate(np.where(np.isnan(y), np.inf, y), max_points)  # nan: like inf, a gap
    return idx, _finite(val)


def _log_axis(values) -> dict:
    """A log axis: one label per decade when the values span a decade or more (plotly would label every digit),
    else labels at 1, 2 and 5 of each decade (a narrower range may hold no power of ten at all)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    wide = v.size and np.log10(v.max() / v.min()) >= 1
    return {"type": "log", "tickmode": "linear", "dtick": 1 if wide else "D2"}


def training_figure(runs: list[TrainingRun], *, theme: str = "light", log_loss: bool = True,
                    log_lr: bool = False, height: int = 560) -> go.Figure:
    """Two panels over optimizer steps. Top: each run's batch loss (faint), training-set and validation loss after
    every epoch (solid / dashed, with markers) and, on a right-hand axis, its lr (dotted). Bottom: validation
    accuracy after every epoch. One colour per run; a legend entry toggles all of a run's traces."""
    if not runs:
        raise ValueError("training_figure needs at least one run")
    c = style.theme_colors(theme)
    traces = []
    for i, run in enumerate(runs):
        col = run.color or style.color(i)
        group = f"run{i}"
        name = html.escape(run.label)
        spe = int(run.steps_per_epoch)
        ends = (np.arange(np.size(run.val_loss)) + 1) * spe  # epoch e is evaluated after step (e + 1) * spe - 1
        idx, val = _decimated(run.batch_loss)
        traces.append({"type": "scatter", "mode": "lines", "x": idx, "y": val, "name": name, "legendgroup": group,
                       "showlegend": False, "line": {"color": col, "width": 1}, "opacity": 0.25,
                       "hovertemplate": f"{name} batch loss: %{{y:.4~g}}<extra></extra>", "yaxis": "y"})
        traces.append({"type": "scatter", "mode": "lines+markers", "x": ends, "y": _finite(run.train_loss),
                       "name": name, "legendgroup": group, "line": {"color": col, "width": style.LINE_WIDTH},
                       "marker": {"size": 5}, "yaxis": "y",
                       "hovertemplate": f"{name} train loss: %{{y:.4~g}}<extra></extra>"})
        traces.append({"type": "scatter", "mode": "lines+markers", "x": ends, "y": _finite(run.val_loss),
                       "name": name, "legendgroup": group, "showlegend": False,
                       "line": {"color": col, "width": style.LINE_WIDTH, "dash": "dash"},
                       "marker": {"size": 5, "symbol": "circle-open"}, "yaxis": "y",
                       "hovertemplate": f"{name} val loss: %{{y:.4~g}}<extra></extra>"})
        idx, val = minmax_decimate(np.asarray(run.lr, dtype=np.float64), MAX_POINTS)
        traces.append({"type": "scatter", "mode": "lines", "x": idx, "y": _finite(val), "name": name,
                       "legendgroup": group, "showlegend": False,
                       "line": {"color": col, "width": 1.5, "dash": "dot", "shape": "hv"}, "yaxis": "y2",
                       "hovertemplate": f"{name} lr: %{{y:.4~g}}<extra></extra>"})
        traces.append({"type": "scatter", "mode": "lines+markers", "x": ends, "y": _finite(run.val_accuracy),
                       "name": name, "legendgroup": group, "showlegend": False,
                       "line": {"color": col, "width": style.LINE_WIDTH}, "marker": {"size": 5}, "yaxis": "y3",
                       "hovertemplate": f"{name} val accuracy: %{{y:.2%}}<extra></extra>"})

    layout = base_layout(theme, height=height, legend=True)
    x = axis_style(c, "step")
    x.update({"hoverformat": ",d", "anchor": "y3"})
    loss = axis_style(c, "loss (solid: train set, dashed: validation)")
    loss.update({"domain": [0.38, 1.0], "hoverformat": ".4~g"})
    if log_loss:
        loss.update(_log_axis(np.concatenate([np.asarray(r.batch_loss, dtype=np.float64) for r in runs])))
    lr = axis_style(c, "lr (dotted)")
    lr.update({"overlaying": "y", "side": "right", "showgrid": False, "tickmode": "auto", "rangemode": "tozero",
               "hoverformat": ".4~g"})
    if log_lr:
        lr.update(_log_axis(np.concatenate([np.asarray(r.lr, dtype=np.float64) for r in runs])))
    acc = axis_style(c, "val accuracy")
    lowest = min((np.nanmin(_finite(r.val_accuracy)) for r in runs if np.isfinite(r.val_accuracy).any()), default=0.0)
    acc.update({"domain": [0.0, 0.3], "tickformat": ".0%",
                "range": [max(0.0, np.floor((lowest - 0.05) * 10) / 10), 1.01]})  # room for the differences
    layout.update({"xaxis": x, "yaxis": loss, "yaxis2": lr, "yaxis3": acc, "uirevision": "training"})
    layout["margin"]["r"] = 12
    return go.Figure({"data": traces, "layout": layout})


# ------------------------------------------------------------------------------------------- range test

SUGGESTION_SYMBOLS = {"valley": "star", "steep": "triangle-down", "minimum": "circle", "steepest_gradient": "diamond"}


def range_test_figure(result, *, theme: str = "light", bounds: tuple[float, float] | None = None,
                      height: int = 460) -> go.Figure:
    """The loss against the lr of an LR range test (``playground.range_test.RangeTestResult``): the raw batch
    losses (faint, when known), the smoothed loss the suggestions are computed on, the point where the test
    stopped on divergence (×), each suggestion as a marker at its ``marker_lr``/``marker_loss`` named with its lr in
    the legend, and an optional shaded ``bounds`` band (CyclicLR's base_lr to max_lr). Like fastai's plot, the y
    range leaves out the last 5 points, where the loss explodes, so that the valley stays readable."""
    c = style.theme_colors(theme)
    lrs = np.asarray(result.lrs, dtype=np.float64)
    smoothed = _finite(result.smoothed)
    traces = []
    if result.raw_losses is not None:
        traces.append({"type": "scatter", "mode": "lines", "x": lrs, "y": _finite(result.raw_losses),
                       "name": "batch loss", "line": {"color": c["muted"], "width": 1}, "opacity": 0.5,
                       "hovertemplate": "batch loss %{y:.4~g}<extra></extra>"})
    traces.append({"type": "scatter", "mode": "lines", "x": lrs, "y": smoothed, "name": "smoothed loss",
                   "line": {"color": style.color(0), "width": style.LINE_WIDTH},
                   "hovertemplate": "smoothed loss %{y:.4~g}<extra></extra>"})
    if result.stopped_at is not None:
        i = int(result.stopped_at)
        traces.append({"type": "scatter", "mode": "markers", "x": [lrs[i]], "y": [smoothed[i]],
                       "name": "stopped: diverged", "marker": {"symbol": "x", "size": 11, "color": style.color(3)},
                       "hovertemplate": "stopped at lr %{x:.3~g}<extra></extra>"})
    for k, s in enumerate(result.suggestions):  # the legend names each marker with its lr
        col = style.color(k + 1 if k + 1 != 3 else 5)  # vermillion is the divergence mark's
        traces.append({"type": "scatter", "mode": "markers", "x": [s.marker_lr], "y": [s.marker_loss],
                       "name": f"{s.label}: {s.lr:.3g}",
                       "marker": {"symbol": SUGGESTION_SYMBOLS.get(s.key, "circle"), "size": 13, "color": col,
                                  "line": {"color": c["background"], "width": 1}},
                       "hovertemplate": html.escape(f"{s.label}: lr {s.lr:.4g}") + "<extra></extra>"})
    shapes = []
    if bounds is not None:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": bounds[0], "x1": bounds[1], "y0": 0,
                       "y1": 1, "fillcolor": style.color(2), "opacity": 0.12, "line": {"width": 0},
                       "layer": "below"})

    finite = smoothed[np.isfinite(smoothed)]
    layout = base_layout(theme, height=height, legend=True)
    x = axis_style(c, "learning rate")
    x.update({"type": "log", "hoverformat": ".4~g", "exponentformat": "power"})  # a linear sweep too
    y = axis_style(c, "loss")
    y["hoverformat"] = ".4~g"
    if finite.size:
        # as fastai's plot (skip_end=5): the last points, where the loss explodes, would flatten the valley
        shown = finite[:-5] if finite.size > 10 else finite
        raw = _finite(result.raw_losses) if result.raw_losses is not None else shown
        raw_low = float(np.nanmin(raw)) if np.isfinite(raw).any() else float(shown.min())
        top = float(shown.max())
        bottom = min(float(shown.min()), raw_low)
        pad = 0.08 * (top - bottom) or 0.1 * abs(top) or 1.0
        y["range"] = [bottom - pad, top + 2 * pad]
    layout.update({"xaxis": x, "yaxis": y, "shapes": shapes,
                   "uirevision": "range-test", "hovermode": "x unified"})
    return go.Figure({"data": traces, "layout": layout})


# ------------------------------------------------------------------------------------------------ plateau

EVENT_COLORS = {"reduce": 3, "increase": 2, "reset": 5, "skipped_eps": 7, "clamped_min": 7, "clamped_max": 7}


MAX_EVENT_LINES = 200  # more events than this: markers only (each line is a layout shape, which plotly draws slowly)
MAX_EVENT_MARKERS = 2000  # per kind; the page's table lists events too


def plateau_figure(trace, *, theme: str = "light", x_title: str = "step", log_lr: bool = False,
                   metric_name: str = "metric", height: int = 480) -> go.Figure:
    """A metric-driven scheduler's run (``schedules.trace``): the metric it was given and the bar it had to beat
    (left axis), the lr (right axis), cooldown/warmup stretches shaded, and every event (reduction, increase,
    skipped or clamped change, reset) as a dotted line labelled with the rule that fired; hovering its marker
    gives the sentence that explains it. Long runs stay small: the series are min/max-decimated, and past
    ``MAX_EVENT_LINES`` events only markers are drawn (the first ``MAX_EVENT_MARKERS`` of each kind)."""
    c = style.theme_colors(theme)
    n = trace.steps
    # metric[t] is what step t compared, i.e. the metric reported after step t - 1: drawn where it was measured
    m_idx, m_val = _decimated(trace.metric[1:])
    b_idx, b_val = _decimated(trace.bar[1:])
    l_idx, l_val = minmax_decimate(np.asarray(trace.lr, dtype=np.float64), MAX_POINTS)
    traces = [
        {"type": "scatter", "mode": "lines+markers" if n <= 120 else "lines", "x": m_idx, "y": m_val,
         "name": metric_name, "line": {"color": style.color(0), "width": 1.5},
         "marker": {"size": 4}, "hovertemplate": f"{html.escape(metric_name)} %{{y:.5~g}}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "x": b_idx, "y": b_val,
         "name": "to beat (best with threshold)", "line": {"color": c["muted"], "width": 1, "dash": "dash",
                                                          "shape": "hv"},
         "hovertemplate": "had to beat %{y:.5~g}<extra></extra>"},
        {"type": "scatter", "mode": "lines", "x": l_idx, "y": _finite(l_val), "name": "lr", "yaxis": "y2",
         "line": {"color": style.color(1), "width": style.LINE_WIDTH, "shape": "hv"},
         "hovertemplate": "lr %{y:.5~g}<extra></extra>"},
    ]
    shapes, annotations = [], []
    spans = [*trace.cooldown_spans, *getattr(trace, "warmup_spans", [])]
    for start, end in spans if len(spans) <= MAX_EVENT_LINES else ():
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": start - 0.5, "x1": end - 0.5, "y0": 0,
                       "y1": 1, "fillcolor": c["muted"], "opacity": 0.12, "line": {"width": 0}, "layer": "below"})
    events = trace.events
    by_kind: dict[str, list] = {}
    for event in events:
        by_kind.setdefault(event.kind, []).append(event)
        if len(events) > MAX_EVENT_LINES:
            continue
        col = style.color(EVENT_COLORS.get(event.kind, 7))
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": event.step, "x1": event.step, "y0": 0,
                       "y1": 1, "line": {"color": col, "width": 1, "dash": "dot"}, "layer": "below"})
        if len(events) <= 40:
            annotations.append({"x": event.step, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
                                "text": html.escape(event.rule), "showarrow": False, "textangle": -90,
                                "xanchor": "right", "font": {"size": style.SMALL_SIZE, "color": col}})
    for kind, all_of_kind in by_kind.items():
        col = style.color(EVENT_COLORS.get(kind, 7))
        shown = all_of_kind[:MAX_EVENT_MARKERS]
        name = kind.replace("_", " ")
        if len(shown) < len(all_of_kind):
            name += f" (first {len(shown):,} of {len(all_of_kind):,})"
        traces.append({"type": "scatter", "mode": "markers", "yaxis": "y2", "name": name,
                       "x": [e.step for e in shown], "y": [e.new_lr for e in shown],
                       "marker": {"symbol": "triangle-down" if kind == "reduce" else "triangle-up"
                                  if kind == "increase" else "circle-open", "size": 10, "color": col},
                       "text": [html.escape(f"step {e.step}: {e.detail}") for e in shown],
                       "hovertemplate": "%{text}<extra></extra>"})

    layout = base_layout(theme, height=height, legend=True)
    x = axis_style(c, x_title)
    y = axis_style(c, html.escape(metric_name))
    y["hoverformat"] = ".5~g"
    lr = axis_style(c, "lr")
    lr.update({"overlaying": "y", "side": "right", "showgrid": False, "tickmode": "auto", "exponentformat": "power"})
    if log_lr:
        lr.update(_log_axis(trace.lr))
    layout.update({"xaxis": x, "yaxis": y, "yaxis2": lr, "shapes": shapes, "annotations": annotations,
                   "hovermode": "closest", "uirevision": "plateau"})
    layout["legend"].update({"y": -0.12, "yanchor": "top"})  # below: the rule labels sit above the plot
    layout["margin"]["t"] = 60
    return go.Figure({"data": traces, "layout": layout})


# ---------------------------------------------------------------------------------------------- batch size


def scaling_figure(rules: dict[str, tuple[np.ndarray, np.ndarray]], *, reference: tuple[float, float],
                   chosen: tuple[float, float], theme: str = "light", height: int = 380) -> go.Figure:
    """The lr against the global batch size, one line per scaling rule (``{name: (batches, lrs)}``), on log-log
    axes, with the reference (batch, lr) and the chosen (batch, lr) marked."""
    c = style.theme_colors(theme)
    traces = []
    for i, (name, (batches, lrs)) in enumerate(rules.items()):
        traces.append({"type": "scatter", "mode": "lines+markers", "x": np.asarray(batches, dtype=np.float64),
                       "y": np.asarray(lrs, dtype=np.float64), "name": html.escape(name),
                       "line": {"color": style.color(i), "width": style.LINE_WIDTH}, "marker": {"size": 5},
                       "hovertemplate": f"{html.escape(name)}: lr %{{y:.4~g}} at batch %{{x:,d}}<extra></extra>"})
    for label, (batch, lr), symbol, col in (("reference", reference, "circle-open", c["text"]),
                                            ("your batch", chosen, "star", style.color(3))):
        traces.append({"type": "scatter", "mode": "markers", "x": [batch], "y": [lr],
                       "name": f"{label}: batch {batch:,.0f}, lr {lr:.4g}",
                       "marker": {"symbol": symbol, "size": 14, "color": col, "line": {"width": 2, "color": col}},
                       "hovertemplate": f"{label}: lr %{{y:.4~g}} at batch %{{x:,d}}<extra></extra>"})
    layout = base_layout(theme, height=height, legend=True)
    x = axis_style(c, "global batch size")
    x.update({"type": "log", "dtick": np.log10(2) * 2, "tickformat": ",d", "hoverformat": ",d"})
    y = axis_style(c, "learning rate")
    y.update({"type": "log", "exponentformat": "power", "hoverformat": ".4~g"})
    layout.update({"xaxis": x, "yaxis": y, "hovermode": "closest", "uirevision": "scaling"})
    return go.Figure({"data": traces, "layout": layout})
