"""lr_figure: traces, colours, typed arrays, x units, hover, log axis, phases, theme, payload size and speed."""

from __future__ import annotations

import json
import time

import numpy as np
import plotly.graph_objects as go
import pytest

import schedules
from render import DARK, LIGHT, PALETTE, Curve, chart_config, lr_figure, minmax_decimate
from render.figures import INF_NOTE, LOG_NOTE

from .curves import curve, decode, eight, params


def spec(fig: go.Figure) -> dict:
    """The figure as Streamlit sends it (JSON with typed arrays)."""
    return json.loads(fig.to_json())


def test_one_trace_per_curve_with_palette_colours():
    curves = eight(10_000)
    fig = lr_figure(curves)
    d = spec(fig)
    assert len(d["data"]) == 8
    assert [t["line"]["color"] for t in d["data"]] == list(PALETTE)
    assert [t["name"] for t in d["data"]] == [c.label for c in curves]
    assert d["layout"]["colorway"] == list(PALETTE)
    assert all(t["type"] == "scatter" and t["mode"] == "lines" for t in d["data"])
    # no plotly template: nothing for Streamlit's theme or plotly's default look to fill in
    assert "layout" not in d["layout"]["template"]
    assert d["layout"]["paper_bgcolor"] == LIGHT["paper"] and d["layout"]["plot_bgcolor"] == LIGHT["background"]


def test_explicit_colour_dash_and_opacity():
    y = curve("torch.OneCycleLR", 1000).lr
    fig = lr_figure([Curve("a", y), Curve("b", y * 0.5, color="#123456", dash="dash", opacity=0.4)])
    a, b = spec(fig)["data"]
    assert a["line"]["color"] == PALETTE[0] and a["line"]["dash"] == "solid"
    assert b["line"]["color"] == "#123456" and b["line"]["dash"] == "dash" and b["opacity"] == 0.4
    with pytest.raises(ValueError, match="dash"):
        lr_figure([Curve("c", y, dash="dashdot")])


def test_typed_arrays_hold_the_decimated_curve():
    c = curve("torch.StepLR", 1_000_000)
    idx, val = minmax_decimate(c.lr)
    t = spec(lr_figure([c]))["data"][0]
    assert isinstance(t["x"], dict) and isinstance(t["y"], dict), "numpy arrays travel as typed arrays"
    np.testing.assert_array_equal(decode(t["x"]), idx)
    np.testing.assert_array_equal(decode(t["y"]), val)
    assert decode(t["y"]).dtype == np.float64
    assert decode(t["x"]).size <= 4000                   # never the full curve
    np.testing.assert_array_equal(decode(t["customdata"])[:, 0], idx)


def test_x_units():
    c = curve("torch.SequentialLR", 50_000)
    n, spe = 50_000, 391
    idx, _ = minmax_decimate(c.lr)
    x_steps = decode(spec(lr_figure([c]))["data"][0]["x"])
    x_epochs = decode(spec(lr_figure([c], x_unit="epochs", steps_per_epoch=spe))["data"][0]["x"])
    x_frac = decode(spec(lr_figure([c], x_unit="fraction"))["data"][0]["x"])
    np.testing.assert_array_equal(x_steps, idx)
    np.testing.assert_array_equal(x_epochs, idx / spe)
    np.testing.assert_array_equal(x_frac, idx / n)
    assert x_frac[0] == 0 and x_frac[-1] == (n - 1) / n
    titles = {u: spec(lr_figure([c], x_unit=u, steps_per_epoch=spe))["layout"]["xaxis"]["title"]["text"]
              for u in ("steps", "epochs", "fraction")}
    assert titles == {"steps": "step", "epochs": "epoch", "fraction": "fraction of training"}
    with pytest.raises(ValueError, match="steps_per_epoch"):
        lr_figure([c], x_unit="epochs")
    with pytest.raises(ValueError, match="x_unit"):
        lr_figure([c], x_unit="minutes")


def test_hover_shows_step_epoch_and_lr():
    c = curve("torch.OneCycleLR", 100_000)
    idx, _ = minmax_decimate(c.lr)
    d = spec(lr_figure([c], x_unit="fraction", steps_per_epoch=1000))
    t = d["data"][0]
    assert d["layout"]["hovermode"] == "x unified"
    assert d["layout"]["xaxis"]["showspikes"] and d["layout"]["yaxis"]["showspikes"]
    h = t["hovertemplate"]
    assert "step %{customdata[0]:,d}" in h and "epoch %{customdata[1]" in h and "%{y:.6~g}" in h
    cd = decode(t["customdata"])
    assert cd.shape == (idx.size, 2)
    np.testing.assert_array_equal(cd[:, 0], idx)         # exact step numbers, even in fraction mode
    np.testing.assert_array_equal(cd[:, 1], idx / 1000)
    # without steps_per_epoch: the step only
    t = spec(lr_figure([c]))["data"][0]
    assert "epoch" not in t["hovertemplate"] and decode(t["customdata"]).shape == (idx.size, 1)


def test_labels_cannot_inject_markup_or_templates():
    y = curve("torch.OneCycleLR", 100).lr
    h = spec(lr_figure([Curve("<b>x</b> %{y}", y)]))["data"][0]["hovertemplate"]
    assert "<b>x</b>" not in h and "&lt;b&gt;" in h and "%{y}" not in h.split(":")[0]


def test_log_axis_and_note_for_nonpositive_values():
    pos = curve("torch.OneCycleLR", 10_000)                 # all > 0
    zero = curve("transformers.cosine", 10_000)             # lr[0] == 0 (warmup from 0)
    assert zero.lr[0] == 0
    d = spec(lr_figure([pos], log_y=True))
    assert d["layout"]["yaxis"]["type"] == "log" and d["layout"]["yaxis"]["exponentformat"] == "power"
    assert not any(LOG_NOTE in a["text"] for a in d["layout"].get("annotations", []))
    d = spec(lr_figure([pos, zero], log_y=True))
    assert any(LOG_NOTE in a["text"] for a in d["layout"]["annotations"])
    assert decode(d["data"][1]["y"])[0] == 0             # sent as is; plotly leaves it out of a log axis
    d = spec(lr_figure([zero]))                             # linear: no note
    assert d["layout"]["yaxis"].get("type", "linear") == "linear"
    assert not d["layout"].get("annotations")


def test_overflow_to_inf_is_a_gap_with_a_note():
    y = schedules.compute("torch.LambdaLR", {"lr_lambda": "2.0 ** epoch"}, steps=2000)
    d = spec(lr_figure([Curve("2 ** epoch", y)]))
    v = decode(d["data"][0]["y"])
    assert np.isnan(v).any() and not np.isinf(v).any()
    assert any(INF_NOTE in a["text"] for a in d["layout"]["annotations"])


def test_phase_boundaries():
    c = curve("torch.SequentialLR", 20_000)                 # milestone at 1000
    d = spec(lr_figure([c]))
    (shape,) = d["layout"]["shapes"]
    assert shape["type"] == "line" and shape["x0"] == shape["x1"] == 1000
    assert shape["yref"] == "paper" and shape["line"]["dash"] == "dot"
    (label,) = d["layout"]["annotations"]
    assert label["x"] == 1000 and label["text"] == "LinearLR → CosineAnnealingLR"
    d = spec(lr_figure([c], x_unit="epochs", steps_per_epoch=100))
    assert d["layout"]["shapes"][0]["x0"] == 10.0
    d = spec(lr_figure([c], x_unit="fraction"))
    assert d["layout"]["shapes"][0]["x0"] == 0.05
    # two composites: lines in their curves' colours
    two = [c, Curve("other", c.lr * 0.5, phases=((5000, "b"), (1000, "LinearLR → CosineAnnealingLR")))]
    shapes = spec(lr_figure(two))["layout"]["shapes"]
    # the same boundary twice is drawn once
    assert [(s["x0"], s["line"]["color"]) for s in shapes] == [(1000, PALETTE[0]), (5000, PALETTE[1])]


def test_legend_title_theme_and_uirevision():
    c1, c2 = curve("torch.StepLR", 1000), curve("torch.OneCycleLR", 1000)
    d1 = spec(lr_figure([c1]))["layout"]
    assert d1["showlegend"] is False
    d2 = spec(lr_figure([c1, c2], title="Two schedules", theme="dark", height=300))["layout"]
    assert d2["showlegend"] is True and d2["legend"]["orientation"] == "h" and d2["legend"]["y"] >= 1
    assert d2["title"]["text"] == "Two schedules" and d2["height"] == 300
    assert d2["paper_bgcolor"] == DARK["paper"] and d2["font"]["color"] == DARK["text"]
    assert d2["xaxis"]["gridcolor"] == DARK["grid"]
    assert d1["uirevision"] and d1["uirevision"] == spec(lr_figure([c2]))["layout"]["uirevision"]
    with pytest.raises(ValueError, match="theme"):
        lr_figure([c1], theme="solarized")


def test_chart_config():
    cfg = chart_config("onecycle")
    assert cfg["displaylogo"] is False
    assert cfg["toImageButtonOptions"] == {"format": "png", "scale": 2, "filename": "onecycle"}
    json.dumps(cfg)


def test_payload_and_build_time_at_1e6_steps():
    n = 1_000_000
    curves = eight(n)
    lr_figure(curves[:1])                                    # plotly's validators load once per process
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fig = lr_figure(curves, steps_per_epoch=1000)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    text = fig.to_json()
    t_json = time.perf_counter() - start
    per_curve = len(text) / len(curves)
    print(f"\nlr_figure, 8 curves x 1e6 steps: build {min(times) * 1e3:.1f} ms (decimation included), "
          f"to_json {t_json * 1e3:.1f} ms, {len(text) / 1e3:.0f} KB ({per_curve / 1e3:.0f} KB per curve)")
    assert per_curve < 300_000
    assert min(times) < 0.5
    assert set(params(n)) == {t["name"] for t in json.loads(text)["data"]}
