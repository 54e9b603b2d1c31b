"""Compare: up to 8 named curves from any frameworks on one chart, with summary numbers and their differences."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

import schedules
from app_pages import common, widgets
from app_pages.state import (
    MAX_CURVES,
    Schedule,
    Settings,
    curves_from_query,
    curves_to_query,
    settings_from_query,
    settings_to_query,
)
from app_pages.summary import largest_difference, summary_table
from render.animate import drawing_gif
from render.figures import Curve

PREFIX = "compare"


@st.cache_data(max_entries=16, show_spinner="Drawing the race…")
def race_gif(curves_json: str, settings_json: str) -> bytes:
    settings = Settings(**json.loads(settings_json))
    curves = [Curve(label, np.asarray(lr)) for label, lr in json.loads(curves_json)]
    return drawing_gif(curves, x_unit=settings.x_unit, steps_per_epoch=settings.per_epoch, log_y=settings.log_y)


def default_curves(steps: int) -> list[Schedule]:
    return [Schedule.example("torch.OneCycleLR", steps, "OneCycleLR"),
            Schedule("transformers.cosine", {"num_warmup_steps": steps // 20, "num_training_steps": steps},
                     "transformers cosine"),
            Schedule.example("torch.CosineAnnealingWarmRestarts", steps, "warm restarts")]


def seed_curves(curves: list[Schedule], steps: int) -> None:
    st.session_state[f"{PREFIX}.count"] = len(curves)
    for i, c in enumerate(curves):
        widgets.seed(f"c{i}", c.name, c.params, steps)
        st.session_state[f"c{i}.label"] = c.label or schedules.get(c.name).title


def load_state() -> None:
    query = st.query_params.to_dict()
    if common.is_new_link(PREFIX, query, "c"):
        warnings: list[str] = []
        settings = settings_from_query(query, warnings)
        curves = curves_from_query(query, warnings, steps=settings.total_steps) or default_curves(settings.total_steps)
        st.session_state[f"{PREFIX}.warnings"] = warnings
        common.seed_settings(settings)
        seed_curves(curves, settings.total_steps)
        seed_summary(query, settings.base_lr, warnings)
    elif "c0.name" not in st.session_state:
        saved = st.session_state.get(f"{PREFIX}.saved")
        steps = st.session_state.get("settings.steps", 1000)
        seed_curves(saved or default_curves(steps), steps)


def seed_summary(query: dict, base_lr: float, warnings: list[str]) -> None:
    """The summary's threshold and the pair of curves whose difference is shown (thr, da, db in the URL)."""
    try:
        threshold = float(query.get("thr", base_lr / 10))
        if not threshold >= 0 or threshold == float("inf"):
            raise ValueError
    except ValueError:
        warnings.append(f"The link's thr={query['thr']!r} is not a threshold >= 0; using {base_lr / 10:g}.")
        threshold = base_lr / 10
    st.session_state[f"{PREFIX}.threshold"] = threshold
    for key in ("da", "db"):
        if key in query:
            st.session_state[f"{PREFIX}.diff.{key[1]}"] = query[key]


def add_curve(steps: int) -> None:
    n = st.session_state[f"{PREFIX}.count"]
    explore = st.session_state.get("explore.saved")  # start from what Explore shows, if anything
    sched = explore[0] if explore else Schedule.example("torch.StepLR", steps)
    widgets.seed(f"c{n}", sched.name, sched.params, steps)
    st.session_state[f"c{n}.label"] = f"{schedules.get(sched.name).title} ({n + 1})"
    st.session_state[f"{PREFIX}.count"] = n + 1


def remove_curve(index: int, steps: int) -> None:
    n = st.session_state[f"{PREFIX}.count"]
    kept = [(st.session_state[f"c{i}.label"], st.session_state[f"c{i}.name"], widgets.read_params(f"c{i}"))
            for i in range(n) if i != index]
    seed_curves([Schedule(name, params, label) for label, name, params in kept], steps)


def main() -> None:
    load_state()
    settings = common.settings_controls()
    common.show_link_warnings(PREFIX)
    st.title("Compare schedules")
    st.caption(f"Up to {MAX_CURVES} curves from any framework, on the same run "
               f"({settings.total_steps:,} steps, base lr {settings.base_lr:g}).")

    n = st.session_state[f"{PREFIX}.count"]
    scheds, curves, problems = [], {}, 0
    editors = st.columns(2)
    for i in range(n):
        prefix = f"c{i}"
        with editors[i % 2], st.expander(f"{i + 1}. {st.session_state[f'{prefix}.label']}", expanded=n <= 2):
            st.text_input("name", key=f"{prefix}.label", max_chars=60)
            slots = widgets.Slots()
            name = widgets.schedule_picker(prefix, settings.total_steps, compact=True)
            params = widgets.params_widgets(name, prefix, settings.total_steps, slots)
            st.button("Remove this curve", key=f"{prefix}.remove", on_click=remove_curve,
                      args=(i, settings.total_steps), disabled=n <= 1)
            sched = Schedule(name, params, st.session_state[f"{prefix}.label"] or schedules.get(name).title)
            try:
                metrics = {"kind": "placeholder"} if common.needs_metrics(name, params) else None
                lr = common.schedule_curve(sched, settings, metrics)
            except schedules.ScheduleError as err:
                problems += 1
                if not slots.show_error(prefix, err):
                    st.error(str(err), icon="⚠️")
                continue
            scheds.append(sched)
            label = sched.label if sched.label not in curves else f"{sched.label} ({i + 1})"
            curves[label] = lr
    st.button(f"Add a curve ({n}/{MAX_CURVES})", on_click=add_curve, args=(settings.total_steps,),
              disabled=n >= MAX_CURVES, icon=":material/add:")
    if problems:
        st.warning(f"{problems} curve(s) have invalid parameters and are left out of the chart; the message is "
                   "next to the parameter.", icon="⚠️")
    if not curves:
        return

    plot = [Curve(label, lr) for label, lr in curves.items()]
    common.show_chart(plot, settings, key=f"{PREFIX}.chart", filename="lr_comparison")
    if f"{PREFIX}.threshold" not in st.session_state:
        st.session_state[f"{PREFIX}.threshold"] = settings.base_lr / 10
    threshold = st.number_input("Summary: first step where the lr drops below", min_value=0.0, format="%g",
                                key=f"{PREFIX}.threshold", persist_state="session")
    st.dataframe(summary_table(curves, threshold), width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.4g")
                                for c in ("peak", "final", "mean", "area (Σ lr)")})
    if len(curves) >= 2:
        labels = list(curves)
        a, b = st.columns(2)
        for key, default in (("a", labels[0]), ("b", labels[1])):
            if st.session_state.get(f"{PREFIX}.diff.{key}") not in labels:
                st.session_state[f"{PREFIX}.diff.{key}"] = default
        first = a.selectbox("Difference between", labels, key=f"{PREFIX}.diff.a")
        second = b.selectbox("and", labels, key=f"{PREFIX}.diff.b")
        d = largest_difference(curves[first], curves[second])
        if d["identical"]:
            st.success(f"{first} and {second} are identical on all {settings.total_steps:,} steps.")
        else:
            st.markdown(f"Largest difference: **{d['max_abs']:.4g}** at step {d['abs_step']:,} "
                        f"(relative: {d['max_rel']:.3g} at step {d['rel_step']:,}).")
    common.export_buttons(plot, settings, common.meta_for(scheds, settings), "lr_comparison", key=f"{PREFIX}.export")
    if st.toggle("Race: these curves drawn together as a looping GIF", key=f"{PREFIX}.race"):
        gif = race_gif(json.dumps([[c.label, c.lr.tolist()] for c in plot]), json.dumps(vars(settings)))
        st.image(gif, width="content")  # not resized: a resized GIF would collapse to one frame
        st.download_button("Download the race GIF", gif, file_name="lr_race.gif", mime="image/gif",
                           on_click="ignore", icon=":material/download:", key=f"{PREFIX}.race.gif")

    all_scheds = [Schedule(st.session_state[f"c{i}.name"], widgets.read_params(f"c{i}"),
                           st.session_state[f"c{i}.label"]) for i in range(n)]
    st.session_state[f"{PREFIX}.saved"] = all_scheds
    query = {**curves_to_query(scheds), **settings_to_query(settings)}  # the valid curves: links stay valid
    if threshold != settings.base_lr / 10:
        query["thr"] = repr(float(threshold))
    if len(curves) >= 2:
        query.update(da=st.session_state[f"{PREFIX}.diff.a"], db=st.session_state[f"{PREFIX}.diff.b"])
    common.write_link(PREFIX, query)


main()
