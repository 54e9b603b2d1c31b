"""Plateau: ReduceLROnPlateau (torch, OneFlow, transformers) and GreedyLR driven by a real metric series, with
every change of the lr explained by the rule that fired."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

import schedules
from app_pages import common, widgets
from app_pages.common import KEEP
from app_pages.metrics import staircase_loss
from app_pages.state import FRAMEWORKS, Schedule, Settings, json_object, schedule_from_query, schedule_to_query
from app_pages.train_state import Run, Setup
from app_pages.training_cache import trained
from playground.uploads import UploadError, read_metric, sample_metric_csv
from render.learn_figures import plateau_figure

PREFIX = "plateau"
NAMES = ["torch.ReduceLROnPlateau", "oneflow.ReduceLROnPlateau", "transformers.reduce_lr_on_plateau",
         "transformers.greedy"]
SOURCES = {"synthetic": "a synthetic loss (seeded)", "train": "a training run (the playground)",
           "upload": "a CSV file"}
DEFAULT_SCHEDULE = Schedule("torch.ReduceLROnPlateau", {"patience": 5, "cooldown": 2, "threshold": 0.01,
                                                        "factor": 0.5})
EVENT_NOUNS = {"reduce": "reduction", "increase": "increase", "skipped_eps": "skipped change (eps)",
               "clamped_min": "rule fired at min_lr", "clamped_max": "rule fired at max_lr", "reset": "reset"}
# The source's settings, as in the link's "m": synthetic loss shape, or the playground run's length
SOURCE_DEFAULTS = {"src": "synthetic", "n": 100, "plateau": 15, "noise": 0.01, "seed": 0, "epochs": 30}
SOURCE_LIMITS = {"n": (2, 100_000), "plateau": (0, 1000), "noise": (0.0, 0.5), "seed": (0, 10_000),
                 "epochs": (2, 100)}
MAX_TABLE_ROWS = 1000  # events listed under the chart (each explained in a sentence)
BASE_LR = 0.5  # high enough for the playground to stall, so that the scheduler has something to do


# ------------------------------------------------------------------------------------------------ state


def source_from_query(query: dict, warnings: list[str]) -> dict:
    source = dict(SOURCE_DEFAULTS)
    for key, value in (json_object(query, "m", "metric source", warnings) or {}).items():
        if key == "src" and value in SOURCES:
            source[key] = value
        elif key in SOURCE_LIMITS and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and SOURCE_LIMITS[key][0] <= value <= SOURCE_LIMITS[key][1]:
            source[key] = type(SOURCE_DEFAULTS[key])(value)
        else:
            warnings.append(f"The link's metric setting {key}={value!r} is not valid; using the default.")
    return source


def load_state() -> None:
    query = st.query_params.to_dict()
    if common.is_new_link(PREFIX, query, "s"):
        warnings: list[str] = []
        sched = schedule_from_query(query, warnings, fallback=DEFAULT_SCHEDULE.name)
        if sched.name not in NAMES:
            warnings.append(f"{sched.name} does not read a metric; showing {DEFAULT_SCHEDULE.name} instead.")
            sched = DEFAULT_SCHEDULE
        source = source_from_query(query, warnings)
        try:
            lr = float(query.get("lr", BASE_LR))
            if not 1e-8 <= lr <= 1e3:
                raise ValueError
        except ValueError:
            warnings.append(f"The link's lr={query['lr']!r} is not a learning rate from 1e-08 to 1000; using "
                            f"{BASE_LR}.")
            lr = BASE_LR
        st.session_state[f"{PREFIX}.warnings"] = warnings
        seed(sched, source, lr)
    elif f"{PREFIX}.name" not in st.session_state or f"{PREFIX}.src" not in st.session_state:
        seed(*(st.session_state.get(f"{PREFIX}.saved") or (DEFAULT_SCHEDULE, SOURCE_DEFAULTS, BASE_LR)))


def seed(sched: Schedule, source: dict, base_lr: float) -> None:
    widgets.seed(PREFIX, sched.name, sched.params, source["n"])
    for key, value in source.items():
        st.session_state[f"{PREFIX}.{key}"] = value
    st.session_state[f"{PREFIX}.lr"] = base_lr


# ------------------------------------------------------------------------------------------------ metric


def metric_controls() -> tuple[dict, str]:
    """The source widgets; returns the source settings and a caption of what the metric is."""
    source = {"src": st.radio("The metric comes from", list(SOURCES), key=f"{PREFIX}.src", **KEEP, horizontal=True,
                              format_func=SOURCES.get)}
    cols = st.columns(4)
    if source["src"] == "synthetic":
        source["n"] = cols[0].number_input("Steps", *SOURCE_LIMITS["n"], key=f"{PREFIX}.n", **KEEP,
                                           help="scheduler.step(metric) calls: one metric value each.")
        source["plateau"] = cols[1].number_input("Plateau length", *SOURCE_LIMITS["plateau"], **KEEP,
                                                 key=f"{PREFIX}.plateau",
                                                 help="Steps the loss stays flat after each 5-step descent.")
        source["noise"] = cols[2].slider("Noise (relative)", *SOURCE_LIMITS["noise"], key=f"{PREFIX}.noise", **KEEP,
                                         step=0.005)
        source["seed"] = cols[3].number_input("Seed", *SOURCE_LIMITS["seed"], key=f"{PREFIX}.seed", **KEEP)
        return source, (f"A loss that falls by 40% over 5 steps and then stays flat for {source['plateau']} steps, "
                        f"again and again, with {source['noise']:.1%} noise. It does not react to the lr.")
    if source["src"] == "train":
        source["epochs"] = cols[0].number_input("Epochs", *SOURCE_LIMITS["epochs"], key=f"{PREFIX}.epochs", **KEEP)
        return source, ("The playground's MLP (SGD + momentum 0.9, batch 64) trained with this scheduler, stepped "
                        "after every epoch with that epoch's validation loss: a closed loop, the loss reacts to "
                        "the lr the scheduler sets.")
    return source, "One value per line of the file, in order: scheduler.step(value) after each."


def uploaded_metric() -> np.ndarray | None:
    """The metric of the uploaded file, or None with the reason shown (never an exception)."""
    upload = common.csv_upload(PREFIX, "A CSV with a metric column (val_loss, eval_loss, accuracy, …) and "
                               "optionally an epoch or step column", sample_metric_csv(), "val_loss_example.csv",
                               "drive the scheduler with it")
    if upload is None:
        return None
    try:
        table = read_metric(upload.getvalue(), name=upload.name)
    except UploadError as err:
        st.error(f"{upload.name}: {err}", icon="⚠️")
        return None
    st.caption(f"{upload.name}: {len(table):,} values of column “{table.column}”"
               + (f" against “{table.x_column}”" if table.x_column else "") + ". " + " ".join(table.notes))
    if table.mode_hint and table.mode_hint != st.session_state.get(f"{PREFIX}.mode"):
        st.warning(f"The column “{table.column}” looks like a metric to {table.mode_hint}imise: set mode to "
                   f"“{table.mode_hint}” below.", icon="💡")
    return table.values


# ------------------------------------------------------------------------------------------------ page


def events_table(trace) -> pd.DataFrame:
    return pd.DataFrame([{"step": e.step, "what": e.kind.replace("_", " "), "rule": e.rule, "lr before": e.old_lr,
                          "lr after": e.new_lr, "why": e.detail} for e in trace.events[:MAX_TABLE_ROWS]])


def main() -> None:
    load_state()
    common.show_link_warnings(PREFIX)
    st.title("Plateau on real metrics")
    st.caption("ReduceLROnPlateau and GreedyLR react to a metric, not to the step count. Feed them a real metric "
               "series and see every change of the lr, with the rule that fired.")
    source, about = metric_controls()
    st.caption(about)
    metric_area = st.container()

    editor, chart = st.columns([1, 2], gap="large")
    with editor:
        current = st.session_state[f"{PREFIX}.name"]
        if current not in NAMES:
            widgets.seed(PREFIX, DEFAULT_SCHEDULE.name, DEFAULT_SCHEDULE.params, source.get("n", 100))
        name = st.selectbox("Scheduler", NAMES, key=f"{PREFIX}.name", format_func=lambda n:
                            f"{FRAMEWORKS[n.split('.')[0]]} · {schedules.get(n).title}",
                            on_change=widgets.on_schedule_change, args=(PREFIX, source.get("n", 100)))
        base_lr = st.number_input("Optimizer lr", min_value=1e-8, max_value=1e3, format="%g", key=f"{PREFIX}.lr")
        slots = widgets.Slots()
        params = widgets.params_widgets(name, PREFIX, source.get("n", 100), slots)
    sched = Schedule(name, params)
    save(sched, source, base_lr)

    with chart:
        try:
            schedules.validate(name, params)
        except schedules.ScheduleError as err:
            if not slots.show_error(PREFIX, err):
                st.error(str(err), icon="⚠️")
            st.info("The chart comes back as soon as the parameters are valid.")
            return
        with metric_area:
            got = metric_series(source, sched, float(base_lr))
        if got is None:
            return
        metrics, x_title, metric_name = got
        try:
            trace = schedules.trace(name, params, steps=len(metrics) + 1, base_lr=float(base_lr), metrics=metrics)
        except schedules.ScheduleError as err:
            st.error(str(err), icon="⚠️")
            return
        fig = plateau_figure(trace, theme=common.theme(), x_title=x_title, metric_name=metric_name,
                             log_lr=st.toggle("Log-scale lr", key=f"{PREFIX}.log_lr", value=True))
        st.plotly_chart(fig, key=f"{PREFIX}.chart", theme=None, config=common.chart_config("plateau"))
        kinds = [e.kind for e in trace.events]
        counts = ", ".join(f"{kinds.count(k)} × {EVENT_NOUNS[k]}" for k in dict.fromkeys(kinds)) or "no change"
        st.caption(f"{len(metrics):,} metric values → {counts}. Shaded: cooldown (and GreedyLR's warmup), when "
                   "bad steps are not counted. Dashed: the value the metric had to beat (the best so far with the "
                   "threshold). Hover a marker for why the lr changed there.")
    if trace.events:
        if len(trace.events) > MAX_TABLE_ROWS:
            st.caption(f"The first {MAX_TABLE_ROWS:,} of {len(trace.events):,} events:")
        st.dataframe(events_table(trace), width="stretch", hide_index=True,
                     column_config={"lr before": st.column_config.NumberColumn(format="%.4g"),
                                    "lr after": st.column_config.NumberColumn(format="%.4g"),
                                    "why": st.column_config.TextColumn(width="large")})
    common.docs_section(sched, Settings(steps=len(metrics) + 1, base_lr=float(base_lr)))


def metric_series(source: dict, sched: Schedule, base_lr: float) -> tuple[list[float], str, str] | None:
    """(the metric values, the x axis title, the metric's name), or None when there is none yet."""
    if source["src"] == "synthetic":
        loss = staircase_loss(source["n"], plateau=source["plateau"], noise=source["noise"], seed=source["seed"])
        return loss.tolist(), "step", "synthetic loss"
    if source["src"] == "upload":
        values = uploaded_metric()
        return None if values is None else (values.tolist(), "step (one per metric value)", "uploaded metric")
    bar = st.progress(0.0, text="Training the playground with this scheduler…")
    setup = Setup(epochs=source["epochs"])
    try:
        result, _ = trained(setup, Run(sched, base_lr, "epoch"), lambda f: bar.progress(f, text=f"Training… {f:.0%}"))
    except (schedules.ScheduleError, ValueError) as err:
        st.error(str(err), icon="⚠️")
        return None
    finally:
        bar.empty()
    st.caption(f"Final validation accuracy {result.val_accuracy[-1]:.1%} (best {np.max(result.val_accuracy):.1%}). "
               "x is the epoch, from 0: the validation loss at x is measured at the end of epoch x, and the lr at x "
               "is the one epoch x trains with, set by step(val_loss) after epoch x − 1.")
    return result.val_loss.tolist(), "epoch", "validation loss"


def save(sched: Schedule, source: dict, base_lr: float) -> None:
    st.session_state[f"{PREFIX}.saved"] = (sched, {**SOURCE_DEFAULTS, **source}, base_lr)
    changed = {k: v for k, v in source.items() if v != SOURCE_DEFAULTS[k]}
    query = {**schedule_to_query(sched), **({"m": json.dumps(changed, separators=(",", ":"))} if changed else {})}
    if base_lr != BASE_LR:
        query["lr"] = repr(float(base_lr))
    common.write_link(PREFIX, query)


main()
