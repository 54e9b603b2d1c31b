"""Pieces the pages share: cached engine calls, global controls, the chart, exports and the docs section."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

import schedules
from render.figures import Curve, chart_config, lr_figure
from render.files import curves_csv, curves_json
from render.static import static_image
from schedules import snippets

from .metrics import metric_series
from .state import FRAMEWORKS, MAX_UI_STEPS, Schedule, Settings

KEEP = {"persist_state": "session"}  # a widget keeps its value while hidden (another page, another choice)

# ----------------------------------------------------------------------------------------- engine


@st.cache_data(max_entries=256, show_spinner=False)
def _compute(name: str, params_json: str, steps: int, base_lr: float, metrics_key: str | None) -> np.ndarray:
    metrics = metric_series(steps, **json.loads(metrics_key)) if metrics_key else None
    return schedules.compute(name, json.loads(params_json), steps=steps, base_lr=base_lr, metrics=metrics)


@st.cache_data(max_entries=256, show_spinner=False)
def _snippet(name: str, params_json: str, kwargs_json: str) -> str:
    return snippets.snippet(name, json.loads(params_json), **json.loads(kwargs_json))


@st.cache_data(max_entries=256, show_spinner=False)
def _equivalents(name: str, params_json: str, steps: int, base_lr: float) -> list:
    """Other frameworks' schedulers that give exactly this curve (each candidate is computed to check)."""
    try:
        return snippets.equivalents(name, json.loads(params_json), steps=steps, base_lr=base_lr)
    except schedules.ScheduleError:
        return []


def needs_metrics(name: str, params: dict) -> bool:
    if schedules.get(name).metric_driven:
        return True
    return any(needs_metrics(m["name"], m.get("params", {})) for m in _members(params))


def _members(params: dict):
    for value in params.values():
        if isinstance(value, dict) and "name" in value:
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, dict) and "name" in v)


def schedule_curve(sched: Schedule, settings: Settings, metrics: dict | None = None,
                   stepping: str | None = None) -> np.ndarray:
    """The lr in effect at every optimizer step of the run: computed per scheduler step by the engine (cached),
    then held for a whole epoch when the scheduler is stepped once per epoch. Raises ScheduleError."""
    stepping = stepping or settings.stepping
    per_epoch = settings.length == "epochs" and stepping == "epoch"
    steps = settings.epochs if per_epoch else settings.total_steps
    if metrics is not None and metrics.get("kind") == "placeholder":
        metrics = {"kind": "placeholder"}  # seed and noise do not matter: one cache entry
    key = json.dumps(metrics, sort_keys=True) if metrics is not None and needs_metrics(sched.name, sched.params) \
        else None
    lr = _compute(sched.name, json.dumps(sched.params, sort_keys=True), steps, settings.base_lr, key)
    return np.repeat(lr, settings.steps_per_epoch) if per_epoch else lr


def schedule_phases(sched: Schedule, settings: Settings) -> tuple:
    per_epoch = settings.length == "epochs" and settings.stepping == "epoch"
    steps = settings.epochs if per_epoch else settings.total_steps
    try:
        marks = schedules.phases(sched.name, sched.params, steps=steps)
    except schedules.ScheduleError:
        return ()
    scale = settings.steps_per_epoch if per_epoch else 1
    return tuple((step * scale, label) for step, label in marks)


# ------------------------------------------------------------------------------------------- links


def show_link_warnings(prefix: str) -> None:
    """What was wrong with the link the page was opened from (collected by its loader), shown once."""
    for warning in st.session_state.pop(f"{prefix}.warnings", []):
        st.warning(warning, icon="🔗")


def is_new_link(prefix: str, query: dict, key: str) -> bool:
    """True when the URL describes a view this session did not write itself: a link opened or edited by hand.
    The browser applies a rerun's URL update a moment after the rerun, so a quick second change arrives with the
    URL of an earlier run; every URL the session wrote recently therefore counts as its own, not as a link."""
    return bool(query.get(key)) and query not in st.session_state.get(f"{prefix}.written", [])


def write_link(prefix: str, query: dict) -> None:
    """Put the page's state into the URL, and remember it as the session's own."""
    written = st.session_state.setdefault(f"{prefix}.written", [])
    if query not in written:
        written.append(query)
        del written[:-16]
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


# ------------------------------------------------------------------------------------ global controls


SETTINGS_WIDGETS = {"length": "length", "steps": "steps", "epochs": "epochs", "steps_per_epoch": "spe",
                    "stepping": "stepping", "base_lr": "base_lr", "log_y": "log_y", "x_unit": "x"}


def seed_settings(settings: Settings, key: str = "settings") -> None:
    """Put settings into the sidebar widgets' state (the widgets take no value= of their own)."""
    for attr, suffix in SETTINGS_WIDGETS.items():
        st.session_state[f"{key}.{suffix}"] = getattr(settings, attr)


def settings_controls(key: str = "settings") -> Settings:
    """Run length, base lr and axes, drawn in the sidebar from their session state; returns the settings."""
    if f"{key}.length" not in st.session_state:
        seed_settings(Settings(), key)
    sb = st.sidebar
    sb.header("Run")
    keep = KEEP  # the same controls on every page keep their values across pages
    sb.radio("Length given as", ["steps", "epochs"], key=f"{key}.length", horizontal=True, **keep,
             format_func=lambda v: "total steps" if v == "steps" else "epochs × steps/epoch")
    s = Settings(length=st.session_state[f"{key}.length"])
    if s.length == "steps":
        s.steps = sb.number_input("Total steps", 1, MAX_UI_STEPS, key=f"{key}.steps", **keep,
                                  help=f"Optimizer steps, 1 to {MAX_UI_STEPS:,} in the app.")
    else:
        c1, c2 = sb.columns(2)
        s.epochs = c1.number_input("Epochs", 1, MAX_UI_STEPS, key=f"{key}.epochs", **keep)
        s.steps_per_epoch = c2.number_input("Steps / epoch", 1, MAX_UI_STEPS, key=f"{key}.spe", **keep)
        s.stepping = sb.radio(
            "scheduler.step() is called", ["iteration", "epoch"], key=f"{key}.stepping", horizontal=True, **keep,
            format_func=lambda v: "every iteration" if v == "iteration" else "once per epoch",
            help="Scheduler parameters count scheduler steps. Stepping per iteration a schedule configured in "
                 "epochs (or the reverse) is the classic mistake: the chart shows the other choice dashed.")
        if s.epochs * s.steps_per_epoch > MAX_UI_STEPS:
            sb.error(f"epochs × steps per epoch = {s.epochs * s.steps_per_epoch:,} is more than the "
                     f"{MAX_UI_STEPS:,} steps the app shows; using {MAX_UI_STEPS // s.epochs:,} steps per epoch.")
            s.steps_per_epoch = max(1, MAX_UI_STEPS // s.epochs)
    s.base_lr = sb.number_input("Base lr (optimizer lr)", min_value=1e-12, max_value=1e6, format="%g",
                                key=f"{key}.base_lr", **keep,
                                help="The lr the optimizer is built with (CyclicLR and OneCycleLR set their own).")
    sb.header("Axes")
    s.log_y = sb.toggle("Log-scale lr", key=f"{key}.log_y", **keep)
    units = ["steps", "epochs", "fraction"] if s.length == "epochs" else ["steps", "fraction"]
    if st.session_state.get(f"{key}.x") not in units:
        st.session_state[f"{key}.x"] = "steps"
    s.x_unit = sb.radio("x axis", units, key=f"{key}.x", horizontal=True, **keep,
                        format_func=lambda v: {"fraction": "fraction of training"}.get(v, v))
    return s


def theme() -> str:
    try:
        return "dark" if st.context.theme.type == "dark" else "light"
    except AttributeError:
        return "light"


# -------------------------------------------------------------------------------------- chart


def show_chart(curves: list[Curve], settings: Settings, *, key: str, filename: str, title: str | None = None):
    fig = lr_figure(curves, x_unit=settings.x_unit, steps_per_epoch=settings.per_epoch, log_y=settings.log_y,
                    title=title, theme=theme())
    st.plotly_chart(fig, key=key, config=chart_config(filename), theme=None)


def export_buttons(curves: list[Curve], settings: Settings, meta: dict, filename: str, key: str):
    """CSV and JSON of the full-resolution curves, and a documentation-style PNG/SVG drawn on the server."""
    options = {"x_unit": settings.x_unit, "steps_per_epoch": settings.per_epoch, "log_y": settings.log_y}
    cols = st.columns(4)
    cols[0].download_button("CSV", lambda: curves_csv(curves, steps_per_epoch=settings.per_epoch),
                            file_name=f"{filename}.csv", mime="text/csv", key=f"{key}.csv", on_click="ignore",
                            icon=":material/table:", width="stretch")
    cols[1].download_button("JSON", lambda: curves_json(curves, meta=meta), file_name=f"{filename}.json",
                            mime="application/json", key=f"{key}.json", on_click="ignore",
                            icon=":material/data_object:", width="stretch")
    cols[2].download_button("PNG", lambda: static_image(curves, "png", **options), file_name=f"{filename}.png",
                            mime="image/png", key=f"{key}.png", on_click="ignore", icon=":material/image:",
                            width="stretch")
    cols[3].download_button("SVG", lambda: static_image(curves, "svg", **options), file_name=f"{filename}.svg",
                            mime="image/svg+xml", key=f"{key}.svg", on_click="ignore", icon=":material/draw:",
                            width="stretch")


def meta_for(scheds: list[Schedule], settings: Settings) -> dict:
    return {"settings": vars(settings), "schedules": [{"name": s.name, "params": s.params, "label": s.label}
                                                     for s in scheds],
            "note": "lr[t] is the lr in effect at optimizer step t (after t calls of scheduler.step() when the "
                    "scheduler steps every iteration)"}


# --------------------------------------------------------------------------------- docs and code


def docs_section(sched: Schedule, settings: Settings):
    """Formula, plain-language notes and the docs link beside the code that reproduces the curve."""
    spec = schedules.get(sched.name)
    about, code = st.columns([2, 3], gap="large")
    with about:
        st.subheader(f"{spec.title} · {FRAMEWORKS[spec.framework]}")
        st.markdown(spec.summary + f"  [Documentation ↗]({spec.docs_url})")
        if spec.formula:
            st.latex(spec.formula)
        st.markdown("**What to know** (quirks the engine reproduces)")
        st.markdown("\n".join(f"- {note}" for note in spec.notes))
    with code:
        code_section(sched, settings)


def code_section(sched: Schedule, settings: Settings):
    kwargs = {"steps": settings.total_steps, "base_lr": settings.base_lr}
    if settings.length == "epochs":
        kwargs.update(stepping=settings.stepping, steps_per_epoch=settings.steps_per_epoch)
    others = _equivalents(sched.name, json.dumps(sched.params, sort_keys=True), settings.scheduler_steps,
                          settings.base_lr)
    tabs = [(sched.name, sched.params)] + others
    st.markdown("**Code that reproduces this curve**" + (" (and its exact equivalents)" if others else ""))
    views = st.tabs([FRAMEWORKS[name.split(".")[0]] + " · " + schedules.get(name).title for name, _ in tabs])
    for view, (name, params) in zip(views, tabs):
        with view:
            try:
                st.code(_snippet(name, json.dumps(params, sort_keys=True), json.dumps(kwargs)), language="python",
                        wrap_lines=True)
            except schedules.ScheduleError as err:
                st.caption(f"No snippet: {err}")


# ------------------------------------------------------------------------------------------------ uploads


def csv_upload(prefix: str, label: str, example: bytes, example_name: str, purpose: str):
    """A CSV uploader with an example file to download beside it; the uploaded file, or None with a note that
    says what a file is for (a link cannot carry one)."""
    left, right = st.columns([3, 1])
    upload = left.file_uploader(label, type=["csv", "tsv", "txt"], key=f"{prefix}.upload")
    right.download_button("An example file", example, file_name=example_name, mime="text/csv", on_click="ignore",
                          icon=":material/download:", key=f"{prefix}.sample")
    if upload is None:
        st.info(f"Upload a file to {purpose}; a link cannot carry the file, so it is asked for again when a link is "
                "opened.")
    return upload
