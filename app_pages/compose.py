"""Compose: build warmup + main schedule + tail from parts, see the result and the code that makes it."""

from __future__ import annotations

import json
import re

import streamlit as st

import schedules
from app_pages import common, widgets
from app_pages.state import Schedule, settings_from_query, settings_to_query
from render.figures import Curve

PREFIX = "compose"
RECIPES = {
    "sequential": "PyTorch SequentialLR: warmup → main → tail",
    "chained": "PyTorch ChainedScheduler: members multiply",
    "warmup": "OneFlow WarmupLR: warmup around a scheduler",
}
WARMUPS = ["torch.LinearLR", "torch.ConstantLR", "torch.ExponentialLR", "torch.LambdaLR"]
TAILS = ["torch.ConstantLR", "torch.ExponentialLR", "torch.LinearLR", "torch.StepLR"]
PARTS = ("warmup", "main", "tail")


def default_recipe(steps: int) -> dict:
    """A recipe's whole state, the form the URL carries: for 'sequential' the parts and their lengths."""
    warm = max(1, steps // 20)
    return {"recipe": "sequential",
            "warmup": {"name": "torch.LinearLR", "params": {"start_factor": 0.01, "total_iters": warm}},
            "warmup_steps": warm,
            "main": {"name": "torch.CosineAnnealingLR", "params": {"T_max": steps - warm - steps // 10}},
            "main_steps": steps - warm - steps // 10,
            "tail": {"name": "torch.ConstantLR", "params": {"factor": 0.05, "total_iters": steps}},
            "chained": schedules.example("torch.ChainedScheduler", steps),
            "oneflow": schedules.example("oneflow.WarmupLR", steps)}


def seed_recipe(state: dict, steps: int) -> None:
    st.session_state[f"{PREFIX}.recipe"] = state["recipe"]
    for part in PARTS:
        member = state.get(part)
        st.session_state[f"{PREFIX}.{part}.on"] = member is not None
        if member is not None:
            widgets.seed(f"{PREFIX}.{part}", member["name"], member.get("params", {}), steps)
    st.session_state[f"{PREFIX}.warmup_steps"] = int(state.get("warmup_steps", 1))
    st.session_state[f"{PREFIX}.main_steps"] = int(state.get("main_steps", steps))
    widgets.seed(f"{PREFIX}.chained", "torch.ChainedScheduler", state["chained"], steps)
    widgets.seed(f"{PREFIX}.oneflow", "oneflow.WarmupLR", state["oneflow"], steps)


def recipe_from_query(query: dict, steps: int, warnings: list[str]) -> dict:
    state = default_recipe(steps)
    try:
        given = json.loads(query["p"])
        if not isinstance(given, dict) or given.get("recipe") not in RECIPES:
            raise ValueError
        merged = {**state, **{k: v for k, v in given.items() if k in state}}
        composite(merged)  # validated by building it (raises ScheduleError)
        return merged
    except (ValueError, TypeError, KeyError, schedules.ScheduleError) as err:
        warnings.append(f"The link's composition is not valid ({err or 'bad JSON'}); showing the default one.")
        return state


def composite(state: dict) -> Schedule:
    """The engine's schedule for a recipe state (raises ScheduleError when it is not valid)."""
    recipe = state["recipe"]
    if recipe == "chained":
        sched = Schedule("torch.ChainedScheduler", state["chained"], "composed")
    elif recipe == "warmup":
        sched = Schedule("oneflow.WarmupLR", state["oneflow"], "composed")
    else:
        members, milestones, at = [], [], 0
        for part, length in (("warmup", state.get("warmup_steps")), ("main", state.get("main_steps")),
                             ("tail", None)):
            if state.get(part) is None:
                continue
            if members:
                milestones.append(at)
            members.append(state[part])
            at += int(length or 0)
        sched = Schedule("torch.SequentialLR", {"schedulers": members, "milestones": milestones}, "composed")
    schedules.validate(sched.name, sched.params)
    return sched


def part_editor(part: str, options: list[str], steps: int, slots: widgets.Slots, length_key: str | None):
    prefix = f"{PREFIX}.{part}"
    on = part == "main" or st.toggle(f"with a {part}", key=f"{prefix}.on")
    if not on:
        return None
    if st.session_state.get(f"{prefix}.name") not in options:
        widgets.seed(prefix, options[0], schedules.example(options[0], steps), steps)
    st.selectbox(f"{part} scheduler", options, key=f"{prefix}.name", format_func=lambda n: schedules.get(n).title,
                 on_change=widgets.on_schedule_change, args=(prefix, steps))
    if length_key:
        st.number_input(f"{part} length (steps)", min_value=0, max_value=schedules.MAX_STEPS, key=length_key,
                        help="The next part takes over after this many steps (SequentialLR's milestone).")
    name = st.session_state[f"{prefix}.name"]
    return {"name": name, "params": widgets.params_widgets(name, prefix, steps, slots, depth=1)}


def show_error(err: schedules.ScheduleError, state: dict, slots: widgets.Slots) -> bool:
    """Put the engine's message under the widget it names: members of the SequentialLR recipe are the parts
    that are switched on, in order."""
    if state["recipe"] != "sequential":
        return slots.show_error(f"{PREFIX}.{'chained' if state['recipe'] == 'chained' else 'oneflow'}", err)
    found = re.match(r"schedulers\[(\d+)\]\.params\.(.+)", err.param or "")
    parts = [p for p in PARTS if state.get(p) is not None]
    if not found or int(found.group(1)) >= len(parts):
        return False
    inner = schedules.ScheduleError(str(err), found.group(2))
    return slots.show_error(f"{PREFIX}.{parts[int(found.group(1))]}", inner)


def main() -> None:
    query = st.query_params.to_dict()
    warnings: list[str] = []
    if common.is_new_link(PREFIX, query, "p"):
        settings = settings_from_query(query, warnings)
        common.seed_settings(settings)
        seed_recipe(recipe_from_query(query, settings.total_steps, warnings), settings.total_steps)
    elif f"{PREFIX}.recipe" not in st.session_state or f"{PREFIX}.main.name" not in st.session_state:
        steps = st.session_state.get("settings.steps", 1000)
        seed_recipe(st.session_state.get(f"{PREFIX}.saved") or default_recipe(steps), steps)
    settings = common.settings_controls()
    for warning in warnings:
        st.warning(warning, icon="🔗")

    st.title("Compose a schedule")
    st.radio("Recipe", list(RECIPES), key=f"{PREFIX}.recipe", format_func=RECIPES.get, horizontal=True)
    recipe = st.session_state[f"{PREFIX}.recipe"]
    steps = settings.total_steps
    slots = widgets.Slots()
    state = {"recipe": recipe}
    if recipe == "sequential":
        main_options = [n for n in widgets.member_names("torch.SequentialLR") if not schedules.get(n).composite]
        cols = st.columns(3)
        for col, part, options, length in zip(cols, PARTS, (WARMUPS, main_options, TAILS),
                                              (f"{PREFIX}.warmup_steps", f"{PREFIX}.main_steps", None)):
            with col, st.container(border=True):
                st.markdown(f"**{part.capitalize()}**")
                state[part] = part_editor(part, options, steps, slots, length)
        state["warmup_steps"] = st.session_state[f"{PREFIX}.warmup_steps"]
        state["main_steps"] = st.session_state[f"{PREFIX}.main_steps"]
    elif recipe == "chained":
        state["chained"] = widgets.params_widgets("torch.ChainedScheduler", f"{PREFIX}.chained", steps, slots)
    else:
        state["oneflow"] = widgets.params_widgets("oneflow.WarmupLR", f"{PREFIX}.oneflow", steps, slots)

    saved = {**default_recipe(steps), **(st.session_state.get(f"{PREFIX}.saved") or {}), **state}
    try:
        sched = composite(saved)
        lr = common.schedule_curve(sched, settings)
    except schedules.ScheduleError as err:
        if not show_error(err, saved, slots):
            st.error(str(err), icon="⚠️")
        return
    curves = [Curve("composed", lr, phases=common.schedule_phases(sched, settings))]
    common.show_chart(curves, settings, key=f"{PREFIX}.chart", filename="composed_lr")
    explore_query = {"s": sched.name, "p": json.dumps(sched.params, separators=(",", ":")),
                     **settings_to_query(settings)}
    st.page_link("app_pages/explore.py", label="Open this schedule in Explore", icon=":material/open_in_new:",
                 query_params=explore_query)
    common.export_buttons(curves, settings, common.meta_for([sched], settings), "composed_lr", key=f"{PREFIX}.export")
    common.code_section(sched, settings)

    st.session_state[f"{PREFIX}.saved"] = saved
    query = {"p": json.dumps(saved, separators=(",", ":")), **settings_to_query(settings)}
    common.write_link(PREFIX, query)


main()
