"""Animate: the schedule from Explore drawn over training, or morphing as one parameter sweeps; a looping GIF."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

import schedules
from app_pages import common, widgets
from app_pages.explore_state import PREFIX, load_state
from app_pages.state import Schedule, Settings, schedule_to_query, settings_to_query
from render.animate import FULL, THUMB, drawing_gif, gif_info, sweep_gif
from render.figures import Curve

MODES = {"drawing": "drawing: the curve over training", "sweep": "sweep: one parameter moves"}
SIZES = {"full": FULL, "thumb": THUMB}
MAX_SWEEP_FRAMES = 40


def numeric_params(name: str) -> list:
    return [p for p in schedules.get(name).params if p.kind in ("float", "int") and not p.nullable]


def sweep_values(param, start: float, stop: float, count: int) -> list:
    values = np.linspace(start, stop, count)
    if param.kind == "int":
        return list(dict.fromkeys(int(round(v)) for v in values))  # whole numbers, each once
    return [float(f"{v:.4g}") for v in values]


@st.cache_data(max_entries=32, show_spinner=False)
def _drawing(name: str, params_json: str, settings_json: str, size: tuple, metrics: str | None) -> bytes:
    settings = Settings(**json.loads(settings_json))
    sched = Schedule(name, json.loads(params_json))
    lr = common.schedule_curve(sched, settings, json.loads(metrics) if metrics else None)
    curve = Curve(schedules.get(name).title, lr, phases=common.schedule_phases(sched, settings))
    return drawing_gif([curve], size=size, x_unit=settings.x_unit, steps_per_epoch=settings.per_epoch,
                       log_y=settings.log_y)


@st.cache_data(max_entries=32, show_spinner=False)
def _sweep(name: str, params_json: str, settings_json: str, size: tuple, param: str, values_json: str,
           metrics: str | None) -> bytes:
    settings = Settings(**json.loads(settings_json))
    params = json.loads(params_json)
    frames = []
    for value in json.loads(values_json):
        sched = Schedule(name, {**params, param: value})
        lr = common.schedule_curve(sched, settings, json.loads(metrics) if metrics else None)
        frames.append((f"{param} = {value:g}", [Curve(schedules.get(name).title, lr)]))
    return sweep_gif(frames, size=size, x_unit=settings.x_unit, steps_per_epoch=settings.per_epoch,
                     log_y=settings.log_y)


def animation_controls(name: str) -> dict:
    """Mode, size and (for a sweep) the parameter and its range; state in session, seeded from the URL."""
    state = st.session_state
    query = st.query_params.to_dict()
    if "animate.mode" not in state:
        state["animate.mode"] = query.get("anim") if query.get("anim") in MODES else "drawing"
        state["animate.size"] = query.get("size") if query.get("size") in SIZES else "full"
    choice = {"mode": st.radio("Animation", list(MODES), key="animate.mode", format_func=MODES.get, horizontal=True),
              "size": st.radio("Size", list(SIZES), key="animate.size", horizontal=True,
                               format_func=lambda k: f"{k} ({SIZES[k][0]}×{SIZES[k][1]})")}
    if choice["mode"] == "sweep":
        options = numeric_params(name)
        if not options:
            st.info(f"{schedules.get(name).title} has no numeric parameter to sweep.")
            return choice
        names = [p.name for p in options]
        if state.get("animate.param") not in names:
            state["animate.param"] = query.get("sp") if query.get("sp") in names else names[0]
        param = next(p for p in options if p.name == st.selectbox("Parameter", names, key="animate.param"))
        current = state.get(f"{PREFIX}.{param.name}")
        low = param.slider.min if param.slider else (param.low or 0)
        high = param.slider.max if param.slider else (param.high or 1)
        if param.kind == "int" and param.high is not None and param.high >= schedules.MAX_STEPS:
            high = max(high, 2 * (current or 1))
        a, b, c = st.columns(3)
        start = a.number_input("from", value=float(low if current is None else min(current, low)), format="%g",
                               key=f"animate.from.{param.name}")
        stop = b.number_input("to", value=float(high), format="%g", key=f"animate.to.{param.name}")
        count = c.number_input("frames", min_value=2, max_value=MAX_SWEEP_FRAMES, value=16, key="animate.frames",
                               help=f"Distinct parameter values, 2 to {MAX_SWEEP_FRAMES}; the GIF plays them "
                                    "forward and back.")
        choice.update(param=param, values=sweep_values(param, start, stop, int(count)))
    return choice


def main() -> None:
    load_state("animate")  # the schedule is Explore's: same widgets, same link
    settings = common.settings_controls()
    common.show_link_warnings(PREFIX)
    st.title("Animate a schedule")
    st.caption("Looping GIFs in the style of convolution arithmetic: the same schedule as on Explore.")
    preview, controls = st.columns([3, 2], gap="large")
    slots = widgets.Slots()
    with controls:
        name = widgets.schedule_picker(PREFIX, settings.total_steps)
        params = widgets.params_widgets(name, PREFIX, settings.total_steps, slots)
    with preview:
        choice = animation_controls(name)
    sched = Schedule(name, params)
    metrics = json.dumps({"kind": "placeholder"}) if common.needs_metrics(name, params) else None
    settings_json = json.dumps(vars(settings))
    with preview:
        try:
            common.schedule_curve(sched, settings, json.loads(metrics) if metrics else None)  # validates
            with st.spinner("Drawing the frames…"):
                if choice["mode"] == "sweep" and "values" in choice:
                    gif = _sweep(name, json.dumps(params), settings_json, SIZES[choice["size"]], choice["param"].name,
                                 json.dumps(choice["values"]), metrics)
                else:
                    gif = _drawing(name, json.dumps(params), settings_json, SIZES[choice["size"]], metrics)
        except schedules.ScheduleError as err:
            if not slots.show_error(PREFIX, err):
                st.error(str(err), icon="⚠️")
            return
        st.image(gif, width="content")  # not resized: Streamlit would flatten a resized GIF to one frame
        info = gif_info(gif)
        st.caption(f"{info['frames']} frames · {info['size'][0]}×{info['size'][1]} px · {len(gif) / 1024:.0f} KB · "
                   "loops forever.")
        st.download_button("Download GIF", gif, file_name=f"{name.replace('.', '_')}_{choice['mode']}.gif",
                           mime="image/gif", icon=":material/download:", on_click="ignore")
    st.session_state[f"{PREFIX}.saved"] = (sched, settings)
    query = {**schedule_to_query(sched), **settings_to_query(settings), "anim": choice["mode"],
             "size": choice["size"]}
    if "param" in choice:
        query["sp"] = choice["param"].name
    common.write_link(PREFIX, query)  # Explore's list: the link loader is shared


main()
