"""Train: a small numpy MLP on the bundled digits, trained with one to four schedules from the engine."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd
import streamlit as st

import schedules
from app_pages import common, widgets
from app_pages.state import Schedule, Settings, schedule_to_query, settings_to_query
from app_pages.train_state import (
    HIDDEN_CHOICES,
    LIMITS,
    LR_LIMITS,
    MAX_RUNS,
    Run,
    Setup,
    default_runs,
    is_metric_driven,
    runs_from_query,
    runs_to_query,
    setup_from_query,
    setup_to_query,
)
from app_pages.training_cache import trained
from playground.mlp import TrainResult
from playground.schedule_run import (
    MAX_TRAIN_STEPS,
    check_size,
    lr_per_step,
    run_shape,
    scheduler_steps,
)
from render.files import training_csv
from render.learn_figures import TrainingRun, training_figure

PREFIX = "train"


# ------------------------------------------------------------------------------------------------ state


def seed_setup(setup: Setup) -> None:
    for key, value in asdict(setup).items():
        st.session_state[f"{PREFIX}.{key}"] = value


def seed_runs(runs: list[Run], setup: Setup) -> None:
    config = setup.config()
    st.session_state[f"{PREFIX}.count"] = len(runs)
    for i, run in enumerate(runs):
        steps = scheduler_steps(config, run.schedule.name, run.stepping)
        widgets.seed(f"r{i}", run.schedule.name, run.schedule.params, steps)
        st.session_state[f"r{i}.label"] = run.schedule.label or schedules.get(run.schedule.name).title
        st.session_state[f"r{i}.lr"] = run.base_lr
        st.session_state[f"r{i}.by"] = run.stepping
        st.session_state[f"r{i}.steps"] = steps


def load_state() -> None:
    query = st.query_params.to_dict()
    if common.is_new_link(PREFIX, query, "r") or common.is_new_link(PREFIX, query, "t"):
        warnings: list[str] = []
        setup = setup_from_query(query, warnings)
        _, steps = run_shape(setup.config())
        runs = runs_from_query(query, warnings, steps) or default_runs(steps)
        st.session_state[f"{PREFIX}.warnings"] = warnings
        seed_setup(setup)
        seed_runs(runs, setup)
    elif "r0.name" not in st.session_state:  # first visit, or widget state dropped while another page was open
        setup, runs = st.session_state.get(f"{PREFIX}.saved") or (Setup(), None)
        seed_setup(setup)
        seed_runs(runs or default_runs(run_shape(setup.config())[1]), setup)


def read_runs(n: int) -> list[Run]:
    return [Run(Schedule(st.session_state[f"r{i}.name"], widgets.read_params(f"r{i}"), st.session_state[f"r{i}.label"]),
                st.session_state[f"r{i}.lr"], st.session_state[f"r{i}.by"]) for i in range(n)]


def add_run(setup: Setup) -> None:
    n = st.session_state[f"{PREFIX}.count"]
    runs = read_runs(n)
    _, steps = run_shape(setup.config())
    runs.append(Run(Schedule("transformers.cosine", {"num_warmup_steps": steps // 10, "num_training_steps": steps},
                             f"cosine with warmup ({n + 1})"), 0.3))
    seed_runs(runs, setup)


def remove_run(index: int, setup: Setup) -> None:
    runs = read_runs(st.session_state[f"{PREFIX}.count"])
    seed_runs([r for i, r in enumerate(runs) if i != index], setup)


# -------------------------------------------------------------------------------------------- widgets


def setup_controls() -> Setup:
    """The model, optimizer and data controls in the sidebar, from their session state."""
    sb = st.sidebar
    sb.header("Model and data")
    key = f"{PREFIX}."
    s = Setup()
    s.optimizer = sb.radio("Optimizer", ["sgd", "adam"], key=key + "optimizer", horizontal=True,
                           format_func=lambda o: {"sgd": "SGD + momentum", "adam": "Adam"}[o],
                           help="torch.optim semantics: SGD(momentum, no dampening), Adam(betas 0.9/0.999, eps 1e-8).")
    if s.optimizer == "sgd":
        sb.slider("Momentum", *LIMITS["momentum"], key=key + "momentum", step=0.01,
                  persist_state="session")  # kept while Adam hides it
    s.momentum = st.session_state[key + "momentum"]  # in the link and the saved state, also under Adam
    s.batch_size = sb.number_input("Batch size", *LIMITS["batch_size"], key=key + "batch_size",
                                   help="1,438 training images; the last batch of an epoch may be smaller.")
    s.epochs = sb.slider("Epochs", *LIMITS["epochs"], key=key + "epochs")
    s.hidden = sb.select_slider("Hidden units", HIDDEN_CHOICES, key=key + "hidden")
    s.weight_decay = sb.number_input("Weight decay (L2)", *LIMITS["weight_decay"], key=key + "weight_decay",
                                     format="%g", step=1e-4)
    s.seed = sb.number_input("Seed", *LIMITS["seed"], key=key + "seed",
                             help="Initial weights and batch order; the same seed gives the same run, bit for bit.")
    return s


def follow_run_length(i: int, steps: int) -> None:
    """Step counts equal to the run length (OneCycleLR's total_steps ...) follow it when batch or epochs change."""
    old = st.session_state.get(f"r{i}.steps", steps)
    if old != steps:
        widgets.follow_run_length(f"r{i}", old, steps)
        st.session_state[f"r{i}.steps"] = steps


def run_editor(i: int, n: int, setup: Setup) -> tuple[Run, widgets.Slots]:
    prefix = f"r{i}"
    config = setup.config()
    st.text_input("name", key=f"{prefix}.label", max_chars=60)
    steps = scheduler_steps(config, st.session_state[f"{prefix}.name"], st.session_state[f"{prefix}.by"])
    follow_run_length(i, steps)
    slots = widgets.Slots()
    name = widgets.schedule_picker(prefix, steps, compact=True)
    left, right = st.columns(2)
    base_lr = left.number_input("Optimizer lr", *LR_LIMITS, format="%g", key=f"{prefix}.lr",
                                help="The lr the optimizer is built with: the schedule's base lr.")
    metric_driven = schedules.get(name).metric_driven
    right.radio("scheduler.step() every", ["iteration", "epoch"], key=f"{prefix}.by", horizontal=True,
                disabled=metric_driven,
                help="Per epoch: the schedule has one value per epoch, held for the whole epoch.")
    if metric_driven:
        st.caption("Stepped once per epoch with the validation loss: `scheduler.step(val_loss)`, a closed loop.")
    steps = scheduler_steps(config, name, st.session_state[f"{prefix}.by"])
    follow_run_length(i, steps)
    params = widgets.params_widgets(name, prefix, steps, slots)
    st.button("Remove this run", key=f"{prefix}.remove", on_click=remove_run, args=(i, setup), disabled=n <= 1)
    label = st.session_state[f"{prefix}.label"] or schedules.get(name).title
    return Run(Schedule(name, params, label), float(base_lr), st.session_state[f"{prefix}.by"]), slots


# ------------------------------------------------------------------------------------------- training


def summary(runs: list[Run], results: list[tuple[TrainResult, float]]) -> pd.DataFrame:
    rows = []
    for run, (r, seconds) in zip(runs, results):
        best = int(np.nanargmax(np.nan_to_num(r.val_accuracy, nan=-1.0)))
        rows.append({"run": run.schedule.label, "final val accuracy": r.val_accuracy[-1],
                     "best val accuracy": r.val_accuracy[best], "at epoch": best + 1,
                     "final val loss": r.val_loss[-1], "final train loss": r.epoch_train_loss[-1],
                     "lr range": f"{np.min(r.lr):.3g} to {np.max(r.lr):.3g}",
                     "diverged": "yes" if r.diverged else "no", "time (s)": seconds})
    return pd.DataFrame(rows)


def explore_link(run: Run, setup: Setup) -> dict[str, str]:
    spe, _ = run_shape(setup.config())
    stepping = "epoch" if is_metric_driven(run) else run.stepping
    settings = Settings(length="epochs", epochs=setup.epochs, steps_per_epoch=spe, stepping=stepping,
                        base_lr=run.base_lr)
    return {**schedule_to_query(run.schedule), **settings_to_query(settings)}


# ------------------------------------------------------------------------------------------------ page


def main() -> None:
    load_state()
    setup = setup_controls()
    common.show_link_warnings(PREFIX)
    st.title("Training playground")
    spe, total = run_shape(setup.config())
    st.caption(f"A 64 → {setup.hidden} → 10 MLP written in numpy, trained on the 8×8 handwritten digits (UCI, "
               f"CC BY 4.0: 1,438 training and 359 validation images) with {setup.optimizer.upper()}, batch "
               f"{setup.batch_size}: {spe} steps per epoch, {total:,} steps in {setup.epochs} epochs. Seeded: the "
               "same settings give the same run.")
    try:
        check_size(setup.config())
        too_long = None
    except ValueError as err:
        too_long = str(err)
        st.sidebar.error(too_long, icon="⚠️")

    results_area = st.container()  # filled after the editors below have been read
    st.subheader("Runs")
    n = st.session_state[f"{PREFIX}.count"]
    runs, problems = [], 0
    editors = st.columns(2)
    for i in range(n):
        with editors[i % 2], st.expander(f"{i + 1}. {st.session_state[f'r{i}.label']}", expanded=n <= 2):
            run, slots = run_editor(i, n, setup)
            try:  # the engine's checks before any training (a metric-driven schedule: its first value)
                if is_metric_driven(run):
                    schedules.compute(run.schedule.name, run.schedule.params, steps=1, base_lr=run.base_lr,
                                      metrics=[])
                else:
                    lr_per_step(setup.config(), run.schedule.name, run.schedule.params, run.base_lr, run.stepping)
            except schedules.ScheduleError as err:
                problems += 1
                if not slots.show_error(f"r{i}", err):
                    st.error(str(err), icon="⚠️")
                continue
            runs.append(run)
    st.button(f"Add a run ({n}/{MAX_RUNS})", on_click=add_run, args=(setup,), disabled=n >= MAX_RUNS,
              icon=":material/add:")
    if problems:
        st.warning(f"{problems} run(s) have invalid parameters and are not trained; the message is next to the "
                   "parameter.", icon="⚠️")
    save(setup, n)
    with results_area:
        show_results(setup, runs, too_long)


def show_results(setup: Setup, runs: list[Run], too_long: str | None) -> None:
    if too_long:
        st.info(f"Nothing is trained while the run is longer than {MAX_TRAIN_STEPS:,} steps.")
        return
    if not runs:
        st.info("Every run has invalid parameters: the messages are next to them below.")
        return
    bar = st.empty()
    results = []
    for i, run in enumerate(runs):
        label = f"Training {run.schedule.label} ({i + 1}/{len(runs)})"
        progress = bar.progress(0.0, text=label)  # replaced by the next run's bar, removed at the end
        results.append(trained(setup, run, lambda f, p=progress, t=label: p.progress(f, text=f"{t}: {f:.0%}")))
    bar.empty()

    plotted = [TrainingRun(run.schedule.label, r.lr, r.train_loss, r.epoch_train_loss, r.val_loss, r.val_accuracy,
                           r.steps_per_epoch) for run, (r, _) in zip(runs, results)]
    log_lr = st.toggle("Log-scale lr axis", key=f"{PREFIX}.log_lr")
    fig = training_figure(plotted, theme=common.theme(), log_lr=log_lr)
    st.plotly_chart(fig, key=f"{PREFIX}.chart", theme=None, config={"displaylogo": False,
                    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "training_runs"}})
    st.caption("Faint: each batch's loss. Solid: training-set loss after each epoch; dashed: validation loss; "
               "dotted (right axis): the lr. Bottom: validation accuracy (chance is 10%).")
    st.dataframe(summary(runs, results), width="stretch", hide_index=True,
                 column_config={"final val accuracy": st.column_config.NumberColumn(format="percent"),
                                "best val accuracy": st.column_config.NumberColumn(format="percent"),
                                "final val loss": st.column_config.NumberColumn(format="%.4f"),
                                "final train loss": st.column_config.NumberColumn(format="%.4f"),
                                "time (s)": st.column_config.NumberColumn(format="%.2f")})
    cols = st.columns(len(runs))
    for col, run in zip(cols, runs):
        where = " (on Explore's placeholder metric)" if is_metric_driven(run) else ""
        col.page_link("app_pages/explore.py", label=f"{run.schedule.label} in Explore{where}",
                      icon=":material/open_in_new:", query_params=explore_link(run, setup))
    st.download_button("CSV of every run (per step)", lambda: training_csv(plotted), file_name="training_runs.csv",
                       mime="text/csv", on_click="ignore", icon=":material/table:", key=f"{PREFIX}.csv")


def save(setup: Setup, n: int) -> None:
    runs = read_runs(n)
    st.session_state[f"{PREFIX}.saved"] = (setup, runs)
    common.write_link(PREFIX, {**setup_to_query(setup), **runs_to_query(runs)})


main()
