"""LR range test: sweep the lr upward on the playground model (or read your own test from a CSV), smooth, stop on
divergence, suggest as fastai and torch-lr-finder do, and carry the result into a schedule with one click."""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.common import KEEP
from app_pages.state import Schedule, Settings, json_object, schedule_to_query, settings_to_query
from app_pages.train_state import Run, Setup, runs_to_query, setup_to_query
from playground import range_test as rt
from playground.mlp import TrainConfig
from playground.schedule_run import run_shape
from playground.uploads import UploadError, read_lr_loss, sample_lr_loss_csv
from render.learn_figures import range_test_figure

PREFIX = "rt"
SOURCES = {"train": "the playground model", "upload": "a CSV of (lr, loss)"}
# The link's "rt": the test and the model; "go": how the result is carried into a schedule
DEFAULTS = {"src": "train", "start_lr": 1e-7, "end_lr": 10.0, "num_it": 100, "mode": "exp", "convention": "fastai",
            "stop_div": True, "optimizer": "sgd", "batch_size": 64, "smoothed": False,
            "target": "onecycle", "pick": "valley", "rule": "valley_span", "steps": 1000}
WIDGET_LIMITS = {"batch_size": (1, 1438), "steps": (1, 1_000_000), "start_lr": (0.0, 1e3), "end_lr": (0.0, 1e6),
                 "num_it": (rt.MIN_NUM_IT, rt.MAX_NUM_IT)}
SUGGESTION_NAMES = {"valley": "valley (fastai's default)", "steep": "steepest descent (fastai)",
                    "minimum": "minimum / 10 (fastai)", "slide": "slide (fastai)",
                    "steepest_gradient": "steepest gradient (torch-lr-finder)"}
RULE_NAMES = {"valley_span": "where the loss starts to fall, and half where it stops (Smith 2017 §3.3)",
              "max_over_4": "max_lr half the lowest-loss lr, base_lr = max_lr / 4",
              "max_over_3": "max_lr half the lowest-loss lr, base_lr = max_lr / 3"}


# ------------------------------------------------------------------------------------------------ state


def state_from_query(query: dict, warnings: list[str]) -> dict:
    state = dict(DEFAULTS)
    data = json_object(query, "rt", "range test settings", warnings)
    if data is None:
        return state
    for key, value in data.items():
        if key not in DEFAULTS or type(value) is not type(DEFAULTS[key]) and not (
                isinstance(DEFAULTS[key], float) and isinstance(value, int) and not isinstance(value, bool)):
            warnings.append(f"The link's range test setting {key}={value!r} is not valid; using the default.")
            continue
        state[key] = float(value) if isinstance(DEFAULTS[key], float) else value
    choices = {"src": SOURCES, "mode": rt.MODES, "convention": rt.CONVENTIONS, "optimizer": ("sgd", "adam"),
               "target": ("onecycle", "cyclic"), "pick": SUGGESTION_NAMES, "rule": RULE_NAMES}
    for key, allowed in choices.items():
        if state[key] not in allowed:
            warnings.append(f"The link's {key}={state[key]!r} is not one of {', '.join(allowed)}; using "
                            f"{DEFAULTS[key]!r}.")
            state[key] = DEFAULTS[key]
    for key, (low, high) in WIDGET_LIMITS.items():  # the widgets' own ranges: Streamlit would clamp silently
        if not low <= state[key] <= high:
            warnings.append(f"The link's {key}={state[key]} is not in {low} to {high:,}; using {DEFAULTS[key]}.")
            state[key] = DEFAULTS[key]
    return state


def load_state() -> None:
    query = st.query_params.to_dict()
    if common.is_new_link(PREFIX, query, "rt"):
        warnings: list[str] = []
        seed(state_from_query(query, warnings))
        st.session_state[f"{PREFIX}.warnings"] = warnings
    elif f"{PREFIX}.src" not in st.session_state:
        seed(st.session_state.get(f"{PREFIX}.saved") or DEFAULTS)


def seed(state: dict) -> None:
    for key, value in state.items():
        st.session_state[f"{PREFIX}.{key}"] = value


def save(state: dict) -> None:
    st.session_state[f"{PREFIX}.saved"] = state
    changed = {k: v for k, v in state.items() if v != DEFAULTS[k]}
    common.write_link(PREFIX, {"rt": json.dumps(changed, separators=(",", ":"))})


# -------------------------------------------------------------------------------------------- the test


@st.cache_data(max_entries=64, show_spinner="Running the range test…")
def playground_test(config_json: str, optimizer: str, batch_size: int) -> rt.RangeTestResult:
    config = rt.RangeTestConfig(**json.loads(config_json))
    return rt.run_playground(TrainConfig(optimizer=optimizer, batch_size=batch_size), config)


def test_config(state: dict) -> rt.RangeTestConfig:
    """Raises ValueError naming the bad setting. An uploaded test uses only the convention and stop_div, so the
    playground's sweep settings (hidden then) cannot block it."""
    sweep = state if state["src"] == "train" else DEFAULTS
    config = rt.RangeTestConfig(start_lr=sweep["start_lr"], end_lr=sweep["end_lr"], num_it=sweep["num_it"],
                                mode=sweep["mode"], convention=state["convention"], stop_div=state["stop_div"])
    if state["src"] == "train":
        rt.check_playground_size(TrainConfig(batch_size=state["batch_size"]), config)
    return config


def controls() -> tuple[dict, dict]:
    """The test's widgets; returns their values and, per setting, the spot under its widget for an error."""
    k = PREFIX + "."
    spots = {}
    state = {"src": st.radio("Run the test on", list(SOURCES), **KEEP, key=k + "src", horizontal=True,
                             format_func=SOURCES.get)}
    cols = st.columns(4)
    if state["src"] == "train":
        state["optimizer"] = cols[0].radio("Optimizer", ["sgd", "adam"], **KEEP, key=k + "optimizer", horizontal=True,
                                           format_func=lambda o: {"sgd": "SGD + momentum", "adam": "Adam"}[o])
        state["batch_size"] = cols[1].number_input("Batch size", *WIDGET_LIMITS["batch_size"], **KEEP,
                                                   key=k + "batch_size")
        spots["batch_size"] = cols[1].container()
        state["start_lr"] = cols[2].number_input("start_lr", *WIDGET_LIMITS["start_lr"], format="%g",
                                                 **KEEP, key=k + "start_lr")
        spots["start_lr"] = cols[2].container()
        state["end_lr"] = cols[3].number_input("end_lr", *WIDGET_LIMITS["end_lr"], format="%g", **KEEP,
                                               key=k + "end_lr")
        spots["end_lr"] = cols[3].container()
        cols = st.columns(4)
        state["num_it"] = cols[0].number_input("Iterations (num_it)", *WIDGET_LIMITS["num_it"], **KEEP,
                                               key=k + "num_it",
                                               help="One batch each; the test moves into further epochs as needed.")
        spots["num_it"] = cols[0].container()
        state["mode"] = cols[1].radio("Sweep", list(rt.MODES), **KEEP, key=k + "mode", horizontal=True,
                                      format_func=lambda m: {"exp": "exponential", "linear": "linear"}[m])
    conventions, stop = (cols[2], cols[3]) if state["src"] == "train" else (cols[0], cols[1])
    state["convention"] = conventions.radio("Smoothing and stopping", list(rt.CONVENTIONS), **KEEP,
                                            key=k + "convention",
                                            help="fastai: bias-corrected average (beta 0.98), stop at 4× the best. "
                                                 "torch-lr-finder: smooth_f 0.05, no bias correction, stop at 5×.")
    state["stop_div"] = stop.toggle("Stop on divergence", **KEEP, key=k + "stop_div")
    return state, spots


def show_error(err: ValueError, spots: dict) -> None:
    """The message under the widget it names (each starts with the setting's name), else under the controls."""
    message = str(err)
    name = next((n for n in spots if message.startswith(n + " ")), None)
    (spots[name] if name else st).error(message, icon="⚠️")


def uploaded_test(state: dict, config: rt.RangeTestConfig) -> rt.RangeTestResult | None:
    upload = common.csv_upload(PREFIX, "A CSV with an lr column (lr, learning_rate, lrs) and a loss column (loss, "
                               "smooth_loss, losses …): fastai's recorder or torch-lr-finder's history",
                               sample_lr_loss_csv(), "range_test_example.csv", "analyse your own range test")
    state["smoothed"] = st.toggle("The losses are already smoothed (fastai's recorder.losses, torch-lr-finder's "
                                  "history['loss'])", key=f"{PREFIX}.smoothed", **KEEP)
    if upload is None:
        return None
    try:
        table = read_lr_loss(upload.getvalue(), name=upload.name)
        result = rt.analyze(table.lrs, table.losses, already_smoothed=state["smoothed"], config=config)
    except (UploadError, ValueError) as err:
        st.error(f"{upload.name}: {err}", icon="⚠️")
        return None
    st.caption(f"{upload.name}: {len(table):,} rows, lr from “{table.lr_column}”, loss from “{table.loss_column}”. "
               + " ".join(table.notes))
    return result


# ------------------------------------------------------------------------------------------- carry over


def carry_controls(result: rt.RangeTestResult, state: dict, spe: int | None) -> tuple[float, float] | None:
    """The choice of schedule, and the links that open it; returns CyclicLR's bounds to shade, if chosen."""
    st.subheader("Use it in a schedule")
    k = PREFIX + "."
    left, right = st.columns([2, 3])
    state["target"] = left.radio("Carry into", ["onecycle", "cyclic"], **KEEP, key=k + "target", format_func=lambda t: {
        "onecycle": "OneCycleLR (max_lr = a suggestion)", "cyclic": "CyclicLR (base_lr and max_lr bounds)"}[t])
    state["steps"] = left.number_input("Steps of the run you plan", 1, 1_000_000, **KEEP, key=k + "steps")
    made = [s.key for s in result.suggestions]
    bounds = None
    if state["target"] == "onecycle":
        if not made:
            right.warning("No suggestion could be made: " + " ".join(result.notes), icon="⚠️")
            return None
        if state["pick"] not in made:
            st.session_state[k + "pick"] = made[0]
        state["pick"] = right.radio("max_lr from", made, **KEEP, key=k + "pick", format_func=SUGGESTION_NAMES.get)
        max_lr = rt.one_cycle_max_lr(result, state["pick"])
        sched = Schedule("torch.OneCycleLR", {"max_lr": max_lr, "total_steps": state["steps"]},
                         f"OneCycleLR max_lr {max_lr:.3g}")
        right.markdown(f"`OneCycleLR(optimizer, max_lr={max_lr:.3g}, total_steps={state['steps']})`: warms up to the "
                       "suggestion over 30% of the run, then anneals to max_lr / 25 / 10⁴.")
    else:
        state["rule"] = right.radio("Bounds by", list(RULE_NAMES), **KEEP, key=k + "rule", format_func=RULE_NAMES.get)
        try:
            base, top, why = rt.cyclic_bounds(result, state["rule"])
        except ValueError as err:
            right.warning(str(err), icon="⚠️")
            return None
        bounds = (base, top)
        step_size = max(1, 4 * spe) if spe else max(1, state["steps"] // 10)
        sched = Schedule("torch.CyclicLR", {"base_lr": base, "max_lr": top, "step_size_up": step_size},
                         f"CyclicLR {base:.3g} to {top:.3g}")
        right.markdown(f"base_lr **{base:.3g}**, max_lr **{top:.3g}**: {why} step_size_up {step_size} "
                       + ("(4 epochs of iterations: Smith suggests 2 to 10)." if spe else
                          "(a tenth of the run; Smith suggests 2 to 10 epochs of iterations)."))
    settings = Settings(steps=state["steps"], base_lr=sched.params.get("base_lr", 0.1), log_y=True)
    links = st.columns(2)
    links[0].page_link("app_pages/explore.py", label=f"Open {sched.label} in Explore", icon=":material/open_in_new:",
                       query_params={**schedule_to_query(sched), **settings_to_query(settings)})
    if state["src"] == "train":
        setup = Setup(optimizer=state["optimizer"], batch_size=state["batch_size"])
        train_steps = run_shape(setup.config())[1]
        trial = Schedule(sched.name, {**sched.params, **({"total_steps": train_steps}
                                                         if sched.name == "torch.OneCycleLR" else {})}, sched.label)
        baseline = Run(Schedule("transformers.constant", {}, "constant 0.1"), 0.1)
        links[1].page_link("app_pages/train.py", label="Train the playground with it", icon=":material/model_training:",
                           query_params={**setup_to_query(setup),
                                         **runs_to_query([baseline, Run(trial, sched.params.get("base_lr", 0.1))])})
    return bounds


def suggestions_table(result: rt.RangeTestResult) -> pd.DataFrame:
    return pd.DataFrame([{"suggestion": SUGGESTION_NAMES.get(s.key, s.label), "lr": s.lr, "how": s.rule,
                          "as in": s.source} for s in result.suggestions])


# ------------------------------------------------------------------------------------------------ page


def main() -> None:
    load_state()
    common.show_link_warnings(PREFIX)
    st.title("LR range test")
    st.caption("Train with a learning rate that grows every batch and watch the loss: it falls, reaches a valley, "
               "then explodes. Smith (2015) reads the bounds of a cyclical schedule off this curve; fastai's "
               "lr_find and torch-lr-finder suggest a single rate.")
    state = {**DEFAULTS, **{k: st.session_state.get(f"{PREFIX}.{k}", v) for k, v in DEFAULTS.items()}}
    values, spots = controls()
    state.update(values)
    try:
        config = test_config(state)
    except ValueError as err:
        show_error(err, spots)
        save(state)
        return
    spe = None
    if state["src"] == "train":
        payload = json.dumps({k: v for k, v in asdict(config).items()}, sort_keys=True)
        result = playground_test(payload, state["optimizer"], state["batch_size"])
        spe = run_shape(Setup(batch_size=state["batch_size"]).config())[0]
        st.caption(f"The playground MLP (64 → 64 → 10, {state['optimizer'].upper()}, batch {state['batch_size']}: "
                   f"{spe} batches per epoch) from its seed, one batch per lr. {config.smoothing_rule}.")
    else:
        result = uploaded_test(state, config)
    if result is None:
        save(state)
        return

    chart = st.container()
    bounds = carry_controls(result, state, spe)
    with chart:
        fig = range_test_figure(result, theme=common.theme(), bounds=bounds)  # log x, a linear sweep too
        st.plotly_chart(fig, key=f"{PREFIX}.chart", theme=None, config=common.chart_config("lr_range_test"))
        st.caption(f"{result.stop_reason} " + " ".join(result.notes))
        if result.suggestions:
            st.dataframe(suggestions_table(result), width="stretch", hide_index=True,
                         column_config={"lr": st.column_config.NumberColumn(format="%.4g"),
                                        "how": st.column_config.TextColumn(width="large")})
    save(state)


main()
