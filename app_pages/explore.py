"""Explore: one schedule, its widgets generated from the engine's spec, the exact curve, the formula and code."""

from __future__ import annotations

import streamlit as st

import schedules
from app_pages import common, widgets
from app_pages.explore_state import PREFIX, load_state, seed_metric
from app_pages.state import METRIC_DEFAULT, Schedule, metric_to_query, schedule_to_query, settings_to_query
from render.figures import Curve


def metric_widgets() -> dict:
    """The metric a metric-driven schedule reacts to; its widgets hold their values in session state."""
    if f"{PREFIX}.metric.kind" not in st.session_state:
        seed_metric(METRIC_DEFAULT)
    with st.expander("The metric it reacts to", expanded=True):
        st.caption("metrics[t] is what step() receives after step t.")
        keep = common.KEEP
        kind = st.radio("metric", ["placeholder", "noisy"], key=f"{PREFIX}.metric.kind", horizontal=True, **keep,
                        format_func=lambda k: "the code's val_loss (max(0.3, 1/(1+0.05 t)))"
                        if k == "placeholder" else "a noisy synthetic loss (seeded)")
        m = {"kind": kind, "seed": st.session_state[f"{PREFIX}.metric.seed"],
             "noise": st.session_state[f"{PREFIX}.metric.noise"]}
        if kind == "noisy":
            m["noise"] = st.slider("noise", min_value=0.0, max_value=0.2, step=0.005, key=f"{PREFIX}.metric.noise",
                                   **keep)
            m["seed"] = st.number_input("seed", min_value=0, max_value=10_000, key=f"{PREFIX}.metric.seed", **keep)
            st.caption("The code snippet below uses the placeholder val_loss; plug in your own.")
    return m


def main() -> None:
    load_state("explore")
    settings = common.settings_controls()
    common.show_link_warnings(PREFIX)

    run = settings.scheduler_steps
    old = st.session_state.get(f"{PREFIX}.run_steps")
    if old is not None and old != run:
        widgets.follow_run_length(PREFIX, old, run)
    st.session_state[f"{PREFIX}.run_steps"] = run

    st.title("Explore a schedule")
    chart, controls = st.columns([3, 2], gap="large")  # the chart first: on a phone the columns stack
    slots = widgets.Slots()
    with controls:
        name = widgets.schedule_picker(PREFIX, settings.total_steps)
        spec = schedules.get(name)
        st.caption(spec.summary)
        params = widgets.params_widgets(name, PREFIX, settings.total_steps, slots)
        metrics = metric_widgets() if common.needs_metrics(name, params) else None

    sched = Schedule(name, params)
    with chart:
        try:
            lr = common.schedule_curve(sched, settings, metrics)
        except schedules.ScheduleError as err:
            if not slots.show_error(PREFIX, err):
                st.error(str(err), icon="⚠️")
            st.info("The chart comes back as soon as the parameters are valid.")
            return
        curves = [Curve(spec.title, lr, phases=common.schedule_phases(sched, settings))]
        if settings.length == "epochs":
            other = "iteration" if settings.stepping == "epoch" else "epoch"
            try:
                ghost = common.schedule_curve(sched, settings, metrics, stepping=other)
                curves.append(Curve(f"if stepped every {other}", ghost, dash="dash", opacity=0.6))
            except schedules.ScheduleError as err:
                st.caption(f"Stepped every {other} instead, this schedule is not valid: {err}")
        common.show_chart(curves, settings, key=f"{PREFIX}.chart", filename=name.replace(".", "_"))
        st.caption(f"{settings.total_steps:,} steps · lr from {lr.min():.4g} to {lr.max():.4g} · final "
                   f"{lr[-1]:.4g}. Hover for step, epoch and lr; the toolbar saves the chart as PNG.")
        common.export_buttons(curves[:1], settings, common.meta_for([sched], settings), name.replace(".", "_"),
                              key=f"{PREFIX}.export")
    common.docs_section(sched, settings)

    st.session_state[f"{PREFIX}.saved"] = (sched, settings)
    query = {**schedule_to_query(sched), **settings_to_query(settings), **metric_to_query(metrics)}
    common.write_link(PREFIX, query)


main()
