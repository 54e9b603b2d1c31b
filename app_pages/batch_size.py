"""Batch size and learning rate: the linear and square-root scaling rules, warmup for large batches, and the exact
step counts a schedule needs, carried into the schedule pages as links."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

import numpy as np
import streamlit as st

from app_pages import common
from app_pages.common import KEEP
from app_pages.state import MAX_UI_STEPS, Schedule, Settings, json_object, schedule_to_query, settings_to_query
from playground import scaling
from render.learn_figures import scaling_figure

PREFIX = "bs"
PRESETS = {  # name -> ScalingInput fields
    "ImageNet, ResNet-50, 8 GPUs × 32 (Goyal et al.'s reference)": dict(
        dataset_size=1_281_167, epochs=90, per_device_batch=32, replicas=8, ref_batch=256, ref_lr=0.1),
    "ImageNet in 1 hour: 256 GPUs × 32 = 8k (Goyal et al.)": dict(
        dataset_size=1_281_167, epochs=90, per_device_batch=32, replicas=256, ref_batch=256, ref_lr=0.1),
    "CIFAR-10, 4 GPUs × 128, Adam (square root)": dict(
        dataset_size=50_000, epochs=200, per_device_batch=128, replicas=4, ref_batch=128, ref_lr=1e-3, rule="sqrt"),
    "Fine-tuning, 1 GPU × 16 with 4 accumulation steps": dict(
        dataset_size=120_000, epochs=3, per_device_batch=16, replicas=1, grad_accum=4, ref_batch=32, ref_lr=2e-5,
        rule="sqrt"),
    "The playground digits (1,438 images)": dict(
        dataset_size=1_438, epochs=10, per_device_batch=64, replicas=1, ref_batch=64, ref_lr=0.1),
}
DEFAULT = scaling.ScalingInput(**{**PRESETS[next(iter(PRESETS))]})
LIMITS = {"dataset_size": (1, 10**12), "epochs": (1, 100_000), "per_device_batch": (1, 10**7),
          "replicas": (1, 100_000), "grad_accum": (1, 100_000), "ref_batch": (1, 10**9)}
RULE_NAMES = {"linear": "linear: lr × k", "sqrt": "square root: lr × √k", "none": "none: keep the lr"}


# ------------------------------------------------------------------------------------------------ state


def input_from_query(query: dict, warnings: list[str]) -> scaling.ScalingInput:
    data = json_object(query, "b", "batch setup", warnings)
    if data is None:
        return DEFAULT
    try:
        names = {f.name for f in fields(scaling.ScalingInput)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
        inp = scaling.ScalingInput(**{**asdict(DEFAULT), **data})
        for key, (low, high) in LIMITS.items():  # the widgets' ranges: Streamlit would clamp a value silently
            if not low <= getattr(inp, key) <= high:
                raise ValueError(f"{key} must be from {low:,} to {high:,}, got {getattr(inp, key):,}")
        if not 1e-12 <= inp.ref_lr <= 1e6:
            raise ValueError(f"ref_lr must be from 1e-12 to 1e6, got {inp.ref_lr:g}")
        if inp.warmup_epochs is not None and not 0 <= inp.warmup_epochs <= 100_000:
            raise ValueError(f"warmup_epochs must be from 0 to 100,000, got {inp.warmup_epochs:g}")
        return inp
    except (ValueError, TypeError) as err:
        warnings.append(f"The link's batch setup (b) is not valid ({err}); using the defaults.")
        return DEFAULT


def seed(inp: scaling.ScalingInput) -> None:
    for key, value in asdict(inp).items():
        st.session_state[f"{PREFIX}.{key}"] = value
    st.session_state[f"{PREFIX}.suggest_warmup"] = inp.warmup_epochs is None
    if inp.warmup_epochs is None:
        st.session_state[f"{PREFIX}.warmup_epochs"] = float(scaling.GOYAL_WARMUP_EPOCHS)


def load_state() -> None:
    query = st.query_params.to_dict()
    if common.is_new_link(PREFIX, query, "b"):
        warnings: list[str] = []
        seed(input_from_query(query, warnings))
        st.session_state[f"{PREFIX}.warnings"] = warnings
    elif f"{PREFIX}.dataset_size" not in st.session_state:
        seed(st.session_state.get(f"{PREFIX}.saved") or DEFAULT)


def apply_preset() -> None:
    seed(scaling.ScalingInput(**PRESETS[st.session_state[f"{PREFIX}.preset"]]))


# -------------------------------------------------------------------------------------------- widgets


def controls() -> dict:
    k = PREFIX + "."
    st.selectbox("Start from", list(PRESETS), key=k + "preset", index=None, placeholder="a preset…",
                 on_change=apply_preset)
    values = {}
    st.markdown("**Reference** (a batch size and lr known to train well)")
    a, b, c = st.columns(3)
    values["ref_batch"] = a.number_input("Reference batch", *LIMITS["ref_batch"], key=k + "ref_batch", **KEEP)
    values["ref_lr"] = b.number_input("Reference lr", min_value=1e-12, max_value=1e6, format="%g", key=k + "ref_lr",
                                      **KEEP)
    values["rule"] = c.radio("Scaling rule", list(RULE_NAMES), key=k + "rule", format_func=RULE_NAMES.get, **KEEP,
                             help="Linear: Goyal et al. 2017 (SGD). Square root: Krizhevsky 2014, Hoffer et al. 2017; "
                                  "the usual choice for Adam.")
    st.markdown("**Your run**")
    a, b, c = st.columns(3)
    values["per_device_batch"] = a.number_input("Batch per process", *LIMITS["per_device_batch"],
                                                key=k + "per_device_batch", **KEEP,
                                                help="The DataLoader's batch_size (per_device_train_batch_size).")
    values["replicas"] = b.number_input("Processes (GPUs)", *LIMITS["replicas"], key=k + "replicas", **KEEP,
                                        help="Data-parallel replicas: DistributedSampler's num_replicas, world size.")
    values["grad_accum"] = c.number_input("Accumulation steps", *LIMITS["grad_accum"], key=k + "grad_accum", **KEEP,
                                          help="gradient_accumulation_steps: batches per optimizer step.")
    global_batch_solver(values["replicas"], values["grad_accum"])
    a, b, c = st.columns(3)
    values["drop_last"] = c.toggle("drop_last", key=k + "drop_last", **KEEP,
                                   help="Drop the incomplete last batch (and the sampler's uneven tail).")
    values["dataset_size"] = a.number_input("Training samples N", *LIMITS["dataset_size"], key=k + "dataset_size",
                                            **KEEP)
    values["epochs"] = b.number_input("Epochs", *LIMITS["epochs"], key=k + "epochs", **KEEP)
    c, d = st.columns(2)
    suggest = c.toggle("Suggest the warmup", key=k + "suggest_warmup", **KEEP,
                       help="Goyal et al.: 5 epochs of gradual warmup when the lr is scaled up, none otherwise.")
    warmup = d.number_input("Warmup epochs", min_value=0.0, max_value=100_000.0, format="%g", key=k + "warmup_epochs",
                            disabled=suggest, **KEEP)
    values["warmup_epochs"] = None if suggest else float(warmup)
    return values


def use_batch(per: int) -> None:
    st.session_state[f"{PREFIX}.per_device_batch"] = per


def global_batch_solver(replicas: int, grad_accum: int) -> None:
    """The batch per process for a global batch chosen first (as papers state it)."""
    with st.expander("From a global batch: the batch per process"):
        target = st.number_input("Global batch", 1, 10**9, value=4096, key=f"{PREFIX}.target")
        choices = scaling.per_process_batch(int(target), int(replicas), int(grad_accum))
        m = replicas * grad_accum
        if len(choices) == 1 and choices[0] * m == target:
            st.markdown(f"{target:,} / ({replicas:,} processes × {grad_accum:,} accumulation) = **{choices[0]:,}** per "
                        "process.")
        else:
            st.markdown(f"{target:,} is not a multiple of {replicas:,} processes × {grad_accum:,} accumulation = "
                        f"{m:,}: the nearest are " + " or ".join(f"**{b:,}** per process ({b * m:,} in all)"
                                                                   for b in choices) + ".")
        cols = st.columns(len(choices))
        for col, per in zip(cols, choices):
            col.button(f"Use {per:,} per process", key=f"{PREFIX}.use.{per}", on_click=use_batch, args=(per,))


# ------------------------------------------------------------------------------------------------ page


def schedule_links(result: scaling.ScalingResult) -> None:
    """Explore links: three schedules for this run, with its real step counts and the scaled lr."""
    total, warm, spe = result.total_steps, result.warmup_steps, result.steps_per_epoch
    if total > MAX_UI_STEPS:
        st.info(f"{total:,} steps is more than the {MAX_UI_STEPS:,} the app draws; the numbers above are exact, "
                "use them with the engine or the command line (`python -m render`, up to 10,000,000 steps).")
        return
    if warm:
        warmup_then_cosine = Schedule("torch.SequentialLR", {
            "schedulers": [{"name": "torch.LinearLR", "params": {"start_factor": result.warmup_start_factor,
                                                                 "end_factor": 1.0, "total_iters": warm}},
                           {"name": "torch.CosineAnnealingLR", "params": {"T_max": max(total - warm, 1)}}],
            "milestones": [warm]}, "warmup from the reference lr, then cosine")
        torch_label = (f"PyTorch LinearLR(start_factor={result.warmup_start_factor:.4g}, total_iters={warm:,}) then "
                       "CosineAnnealingLR, as SequentialLR")
    else:  # no warmup: a LinearLR of one step would still start from the reference lr
        warmup_then_cosine = Schedule("torch.CosineAnnealingLR", {"T_max": total}, "cosine")
        torch_label = f"PyTorch CosineAnnealingLR(T_max={total:,}), no warmup"
    options = [
        (Schedule("transformers.cosine", {"num_warmup_steps": warm, "num_training_steps": total},
                  "get_cosine_schedule_with_warmup"), f"transformers cosine, num_warmup_steps={warm:,}, "
                                                      f"num_training_steps={total:,}"),
        (warmup_then_cosine, torch_label),
        (Schedule("torch.OneCycleLR", {"max_lr": result.lr, "total_steps": total}, "OneCycleLR"),
         f"PyTorch OneCycleLR(max_lr={result.lr:.4g}, total_steps={total:,})"),
    ]
    settings = Settings(length="epochs", epochs=result.input.epochs, steps_per_epoch=spe, base_lr=result.lr)
    st.markdown("**Open a schedule for this run** (stepped every optimizer step, the lr scaled):")
    for sched, label in options:
        st.page_link("app_pages/explore.py", label=label, icon=":material/open_in_new:",
                     query_params={**schedule_to_query(sched), **settings_to_query(settings)})


def main() -> None:
    load_state()
    common.show_link_warnings(PREFIX)
    st.title("Batch size and learning rate")
    st.caption("Scale the lr with the batch, warm it up when the batch is large, and count the steps exactly: "
               "num_training_steps must be the number of optimizer steps, not of samples or batches.")
    left, right = st.columns([5, 4], gap="large")
    with left:
        values = controls()
    try:
        inp = scaling.ScalingInput(**values)
        result = scaling.scale(inp)
    except ValueError as err:
        right.error(str(err), icon="⚠️")
        return
    st.session_state[f"{PREFIX}.saved"] = inp
    changed = {k: v for k, v in asdict(inp).items() if v != getattr(DEFAULT, k)}
    common.write_link(PREFIX, {"b": json.dumps(changed, separators=(",", ":"))})

    with right:
        a, b, c = st.columns(3)
        a.metric("Global batch", f"{result.global_batch:,}", help="batch per process × processes × accumulation")
        b.metric("k = batch / reference", f"{result.k:.4g}")
        c.metric("Scaled lr", f"{result.lr:.4g}")
        a, b, c = st.columns(3)
        a.metric("Steps per epoch", f"{result.steps_per_epoch:,}")
        b.metric("Total steps", f"{result.total_steps:,}", help="num_training_steps: epochs × steps per epoch")
        c.metric("Warmup steps", f"{result.warmup_steps:,}", help=f"{result.warmup_epochs:g} epochs"
                 + (" (suggested)" if result.warmup_suggested else ""))
        st.markdown("\n".join(f"- {note}" for note in result.notes))
    rows = scaling.table(inp, rules=("linear", "sqrt"))
    curves = {}
    for rule in ("linear", "sqrt"):
        mine = [r for r in rows if r.input.rule == rule]
        curves[RULE_NAMES[rule]] = (np.array([r.global_batch for r in mine]), np.array([r.lr for r in mine]))
    fig = scaling_figure(curves, reference=(inp.ref_batch, inp.ref_lr), chosen=(result.global_batch, result.lr),
                         theme=common.theme())
    st.plotly_chart(fig, key=f"{PREFIX}.chart", theme=None, config=common.chart_config("lr_vs_batch"))
    st.caption("Both rules agree at the reference; the linear rule holds up to a point (Goyal et al. trained up to "
               "8k images per batch) and warmup is what makes its first epochs stable.")
    schedule_links(result)


main()
