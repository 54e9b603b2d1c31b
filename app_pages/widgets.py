"""Widgets generated from the engine's specs: one editor serves every scheduler, nested members included.

A schedule's widgets keep their values in ``st.session_state`` under a prefix (``explore``, ``c2``, ...):
``seed`` writes a schedule's params there, ``schedule_editor`` draws the widgets and returns the params they
hold. Every widget gets a slot right below it, so the engine's message for a bad value can be shown next to the
widget it names (``show_error``).
"""

from __future__ import annotations

import math
import re
import time

import streamlit as st

import schedules
from schedules.spec import Param

from .state import FRAMEWORKS

LIST_SPLIT = re.compile(r"[,\s;]+")


# ------------------------------------------------------------------------------------ keys and values

def _key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}"


LADDER = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)  # per decade: 25, 3e-4, 0.8 ... are on it


def log_ladder(low: float, high: float) -> list[float]:
    """Round values, nine per decade, between low and high: the positions of a log-scale slider."""
    out = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in LADDER:
            value = float(f"{mantissa}e{exponent}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                out.append(value)
    return out


def _nearest(options: list[float], value: float) -> float:
    """The slider position closest to ``value`` on a log scale (0, when the ladder has it, for values <= 0)."""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        return options[0]
    return min((o for o in options if o > 0), key=lambda o: abs(math.log(o) - math.log(value)))


def _log_options(p: Param, low: float, high: float) -> list[float]:
    """A log slider's positions; 0 first when 0 is a valid value (eta_min, min_lr ...)."""
    zero = [0.0] if p.low == 0 and not p.low_open else []
    return zero + log_ladder(low, high)


def _list_text(value) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def _parse_list(text: str):
    """'30, 80' -> [30, 80]; anything that is not a list of integers goes to the engine as typed, so that its
    message (naming the parameter and its range) is the one shown."""
    parts = [p for p in LIST_SPLIT.split(text.strip()) if p]
    try:
        return [int(p) for p in parts]
    except ValueError:
        return text


def _parse_number(text: str, p: Param):
    """The optional number a text box holds: None when empty; typed text the engine will name if not a number."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if p.kind == "int" and value.is_integer() else value


def _slider_range(param: Param, run_steps: int) -> tuple[float, float]:
    lo, hi = param.slider.min, param.slider.max
    if param.kind == "int" and param.high is not None and param.high >= schedules.MAX_STEPS:
        hi = max(hi, run_steps)  # step counts: let the slider span the run
    return lo, hi


def seed(prefix: str, name: str, params: dict, run_steps: int = 1000) -> None:
    """Write a schedule into session_state so that the next schedule_editor shows it."""
    state = st.session_state
    state[_key(prefix, "name")] = name
    spec = schedules.get(name)
    for p in spec.params:
        key = _key(prefix, p.name)
        value = params.get(p.name, p.default if not p.required else None)
        if p.kind in ("float", "int"):
            if isinstance(value, (list, tuple)):  # per-group lists: the app edits one group
                value = value[0] if value else None
            if p.nullable or p.slider is None:
                state[key] = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = float(value) if p.kind == "float" else int(value) if float(value).is_integer() else value
            state[key] = value
            if p.slider is not None and not p.nullable and isinstance(value, (int, float)):
                lo, hi = _slider_range(p, run_steps)
                if p.slider.log:
                    state[key + ".slider"] = _nearest(_log_options(p, lo, hi), value)
                else:
                    state[key + ".slider"] = type(lo)(min(max(value, lo), hi)) if p.kind == "float" else \
                        int(min(max(value, lo), hi))
        elif p.kind in ("bool", "choice"):
            state[key] = value
        elif p.kind == "bool_list":
            state[key] = bool(value if not isinstance(value, (list, tuple)) else any(value))
        elif p.kind == "int_list":
            state[key] = _list_text(value or [])
        elif p.kind == "expr":
            state[key] = value[0] if isinstance(value, (list, tuple)) else (value or "")
        elif p.kind == "schedule_list":
            members = value or []
            state[key + ".count"] = len(members)
            for i, member in enumerate(members):
                seed(_key(key, str(i)), member["name"], member.get("params", {}), run_steps)
        elif p.kind == "schedule":
            state[key + ".on"] = value is not None
            if value is not None:
                seed(_key(key, "0"), value["name"], value.get("params", {}), run_steps)


def follow_run_length(prefix: str, old: int, new: int) -> None:
    """Step-count parameters that equal the run length (OneCycleLR's total_steps, a cosine's T_max over the whole
    run, transformers' num_training_steps ...) keep equalling it when the run length changes; others stay put."""
    state = st.session_state
    name = state.get(_key(prefix, "name"))
    if name is None:
        return
    for p in schedules.get(name).params:
        key = _key(prefix, p.name)
        if p.kind == "int" and p.high is not None and p.high >= schedules.MAX_STEPS:
            if state.get(key) == old:
                state[key] = new
                state[key + ".slider"] = new
            elif state.get(key) == str(old):  # optional numbers are text boxes
                state[key] = str(new)
        elif p.kind == "schedule_list":
            for i in range(state.get(key + ".count", 0)):
                follow_run_length(_key(key, str(i)), old, new)
        elif p.kind == "schedule" and state.get(key + ".on"):
            follow_run_length(_key(key, "0"), old, new)


# ---------------------------------------------------------------------------------------- editors

class Slots:
    """Placeholders under each widget, keyed by the widget's state key, for the engine's messages."""

    def __init__(self):
        self.slots: dict[str, object] = {}

    def add(self, key: str) -> None:
        self.slots[key] = st.empty()

    def show_error(self, prefix: str, error: schedules.ScheduleError) -> bool:
        """Show ``error`` under the widget of the parameter it names; False when no widget matches."""
        if not error.param:
            return False
        path = re.sub(r"\[(\d+)\]", r".\1", error.param).replace(".params.", ".")
        key = _key(prefix, path)
        while key and key not in self.slots:  # e.g. "milestones[2]" belongs to the milestones widget
            key = key.rpartition(".")[0]
        if not key:
            return False
        self.slots[key].error(str(error), icon="⚠️")
        return True


ECHO_SECONDS = 1.5


def _set_peer(key: str, value) -> None:
    """Set the other widget of a slider/number pair from a callback, remembering the value the browser still
    shows for it until the rerun's result arrives there."""
    st.session_state[key + ".echo"] = (st.session_state.get(key), time.monotonic())
    st.session_state[key] = value


def _is_echo(key: str) -> bool:
    """True when a widget 'change' is only the browser sending back the value it showed before a callback moved
    the widget: a quick second event (a held arrow key) leaves before the browser has drawn the first result.
    Acting on it would undo the user's change (the slider would snap back)."""
    old = st.session_state.get(key + ".echo")
    return old is not None and st.session_state.get(key) == old[0] and time.monotonic() - old[1] < ECHO_SECONDS


def _sync_from_slider(key: str, log: bool):
    if _is_echo(key + ".slider"):  # the number box was edited; the slider's value is stale: follow the box
        st.session_state.pop(key + ".slider.echo")
        st.session_state[key + ".slider"] = st.session_state[key + ".slider.target"]
        return
    _set_peer(key, st.session_state[key + ".slider"])


def _sync_from_number(key: str, options=None, bounds=None):
    if _is_echo(key):  # the slider moved; the box's value is stale: follow the slider
        st.session_state.pop(key + ".echo")
        st.session_state[key] = st.session_state[key + ".slider"]
        return
    value = st.session_state[key]
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        return
    if options is not None:
        target = _nearest(options, value)
    elif bounds is not None:
        lo, hi = bounds
        target = type(lo)(min(max(value, lo), hi))
    else:
        return
    st.session_state[key + ".slider.target"] = target
    _set_peer(key + ".slider", target)


def number_widget(p: Param, key: str, run_steps: int, disabled: bool = False) -> float | int | None:
    """A slider (log ladder for rates) and a precise number box beside it, kept in step."""
    label = p.name
    if p.nullable or p.slider is None:  # optional: a text box, empty meaning "not given"
        text = st.text_input(label, key=key, help=p.help + f" Valid: {p.range_text()}. Leave empty for none.",
                             placeholder="none", disabled=disabled)
        return _parse_number(text, p)
    lo, hi = _slider_range(p, run_steps)
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        if p.slider.log:
            options = _log_options(p, lo, hi)
            if st.session_state.get(key + ".slider") not in options:
                st.session_state[key + ".slider"] = _nearest(options, st.session_state.get(key))
            st.select_slider(label, options=options, key=key + ".slider", format_func=lambda v: f"{v:g}",
                             on_change=_sync_from_slider, args=(key, True), help=p.help, disabled=disabled)
            sync = {"options": options}
        else:
            if p.kind == "int":
                lo, hi = int(lo), int(hi)
                step = max(1, int(p.slider.step or 1))
            else:
                lo, hi = float(lo), float(hi)
                step = float(p.slider.step or (hi - lo) / 200)
            current = st.session_state.get(key + ".slider")
            if not isinstance(current, (int, float)) or not lo <= current <= hi:
                value = st.session_state.get(key)
                st.session_state[key + ".slider"] = (int if p.kind == "int" else float)(
                    min(max(value, lo), hi) if isinstance(value, (int, float)) and math.isfinite(value) else lo)
            st.slider(label, min_value=lo, max_value=hi, step=step, key=key + ".slider",
                      on_change=_sync_from_slider, args=(key, False), help=p.help, disabled=disabled)
            sync = {"bounds": (lo, hi)}
    with right:
        return st.number_input(f"{label} (exact)", key=key, step=1 if p.kind == "int" else None,
                               format=None if p.kind == "int" else "%g", label_visibility="collapsed",
                               on_change=_sync_from_number, args=(key,), kwargs=sync, disabled=disabled,
                               help=f"Type an exact value. Valid: {p.range_text()}.")


def member_names(spec_name: str) -> list[str]:
    """The schedulers a composite accepts as members, for its pickers."""
    framework = spec_name.split(".")[0]
    out = []
    for name in schedules.names():
        spec = schedules.get(name)
        if spec.framework != framework or spec.metric_driven or name == spec_name:
            continue
        if framework == "oneflow" and not spec.extra.get("has_get_lr"):
            continue
        out.append(name)
    return out


def _on_member_change(prefix: str, run_steps: int):
    name = st.session_state[_key(prefix, "name")]
    seed(prefix, name, schedules.example(name, run_steps), run_steps)


def members_widget(p: Param, key: str, spec_name: str, run_steps: int, slots: Slots, depth: int) -> list[dict]:
    count_key = key + ".count"
    count = st.session_state.setdefault(count_key, 0)
    options = member_names(spec_name)
    members = []
    for i in range(count):
        child_prefix = _key(key, str(i))
        with st.container(border=True):
            head, remove = st.columns([5, 1], vertical_alignment="bottom")
            with head:
                if st.session_state.get(_key(child_prefix, "name")) not in options:
                    seed(child_prefix, options[0], schedules.example(options[0], run_steps), run_steps)
                st.selectbox(f"{p.name}[{i}]", options, key=_key(child_prefix, "name"),
                             format_func=lambda n: schedules.get(n).title, on_change=_on_member_change,
                             args=(child_prefix, run_steps))
            with remove:
                st.button("Remove", key=child_prefix + ".remove", on_click=_remove_member, args=(key, i, run_steps),
                          disabled=count <= p.min_len, width="stretch")
            slots.add(child_prefix)
            params = params_widgets(st.session_state[_key(child_prefix, "name")], child_prefix, run_steps, slots,
                                    depth + 1)
            members.append({"name": st.session_state[_key(child_prefix, "name")], "params": params})
    if count < p.max_len:
        st.button(f"Add a member to {p.name}", key=key + ".add", on_click=_add_member,
                  args=(key, options[0], run_steps))
    return members


def _add_member(key: str, name: str, run_steps: int):
    count = st.session_state.get(key + ".count", 0)
    seed(_key(key, str(count)), name, schedules.example(name, run_steps), run_steps)
    st.session_state[key + ".count"] = count + 1


def _remove_member(key: str, index: int, run_steps: int):
    """Shift the members after ``index`` down one place (their widget state moves with them)."""
    count = st.session_state.get(key + ".count", 0)
    members = [(st.session_state[_key(_key(key, str(i)), "name")], read_params(_key(key, str(i))))
               for i in range(count) if i != index]
    for i, (name, params) in enumerate(members):
        seed(_key(key, str(i)), name, params, run_steps)
    st.session_state[key + ".count"] = count - 1


def read_params(prefix: str) -> dict:
    """The params a seeded (or drawn) editor holds, read from session_state without drawing anything."""
    name = st.session_state[_key(prefix, "name")]
    out = {}
    for p in schedules.get(name).params:
        key = _key(prefix, p.name)
        if p.kind == "schedule_list":
            out[p.name] = [{"name": st.session_state[_key(_key(key, str(i)), "name")],
                            "params": read_params(_key(key, str(i)))}
                           for i in range(st.session_state.get(key + ".count", 0))]
        elif p.kind == "schedule":
            if st.session_state.get(key + ".on"):
                out[p.name] = {"name": st.session_state[_key(_key(key, "0"), "name")],
                               "params": read_params(_key(key, "0"))}
            else:
                out[p.name] = None
        elif p.kind == "int_list":
            out[p.name] = _parse_list(st.session_state.get(key, ""))
        elif p.kind in ("float", "int") and (p.nullable or p.slider is None):
            out[p.name] = _parse_number(st.session_state.get(key, ""), p)
        elif key in st.session_state:
            out[p.name] = st.session_state[key]
    return {k: v for k, v in out.items() if v is not None or schedules.get(name).param(k).nullable}


def params_widgets(name: str, prefix: str, run_steps: int, slots: Slots, depth: int = 0) -> dict:
    """Draw the widgets of scheduler ``name`` (state under ``prefix``) and return the params they hold."""
    spec = schedules.get(name)
    params = {}
    for p in spec.params:
        key = _key(prefix, p.name)
        if p.kind in ("float", "int"):
            value = number_widget(p, key, run_steps)
        elif p.kind == "bool":
            value = st.toggle(p.name, key=key, help=p.help)
        elif p.kind == "bool_list":
            value = st.toggle(p.name, key=key, help=p.help)
        elif p.kind == "choice":
            if len(p.choices) <= 3:
                value = st.radio(p.name, p.choices, key=key, help=p.help, horizontal=True)
            else:
                value = st.selectbox(p.name, p.choices, key=key, help=p.help)
        elif p.kind == "int_list":
            text = st.text_input(p.name, key=key, help=p.help + " Comma-separated, e.g. 30, 80.")
            value = _parse_list(text)
        elif p.kind == "expr":
            text = st.text_input(p.name, key=key, help=p.help + " Allowed: + - * / // % **, comparisons, "
                                 "a if c else b, cos sin tan exp log sqrt tanh abs floor ceil min max, pi, e.")
            value = text
            try:  # live validation: the evaluator's message, before anything is computed
                schedules.validate(name, {**spec.example, p.name: text})
            except schedules.ScheduleError as err:
                if err.param and err.param.startswith(p.name):
                    st.caption(f":red[{err}]")
        elif p.kind == "schedule_list":
            if depth >= 2:
                st.caption("Deeper nesting is kept as it is; edit it through the link's JSON.")
                value = read_params(prefix).get(p.name)
            else:
                st.markdown(f"**{p.name}**")
                value = members_widget(p, key, name, run_steps, slots, depth)
        elif p.kind == "schedule":
            on = st.toggle(f"{p.name}: combine with a scheduler", key=key + ".on", help=p.help)
            value = None
            if on:
                child_prefix = _key(key, "0")
                options = member_names(name)
                if st.session_state.get(_key(child_prefix, "name")) not in options:
                    seed(child_prefix, options[0], schedules.example(options[0], run_steps), run_steps)
                with st.container(border=True):
                    st.selectbox(p.name, options, key=_key(child_prefix, "name"),
                                 format_func=lambda n: schedules.get(n).title, on_change=_on_member_change,
                                 args=(child_prefix, run_steps))
                    child = st.session_state[_key(child_prefix, "name")]
                    value = {"name": child, "params": params_widgets(child, child_prefix, run_steps, slots, depth + 1)}
        else:
            raise AssertionError(p.kind)
        slots.add(key)
        if value is not None or p.nullable:
            params[p.name] = value
    return params


def on_schedule_change(prefix: str, run_steps: int):
    name = st.session_state[_key(prefix, "name")]
    seed(prefix, name, schedules.example(name, run_steps), run_steps)


def _on_framework_change(prefix: str, run_steps: int):
    framework = st.session_state[_key(prefix, "framework")]
    current = st.session_state.get(_key(prefix, "name"), "")
    if not current.startswith(framework + "."):
        first = next(n for n in schedules.names() if n.startswith(framework + "."))
        seed(prefix, first, schedules.example(first, run_steps), run_steps)


def schedule_picker(prefix: str, run_steps: int, *, compact: bool = False) -> str:
    """Framework and scheduler choice; returns the scheduler id."""
    name = st.session_state[_key(prefix, "name")]
    st.session_state[_key(prefix, "framework")] = name.split(".")[0]
    cols = st.columns([2, 3]) if not compact else st.columns(2)
    with cols[0]:
        st.selectbox("Framework", list(FRAMEWORKS), key=_key(prefix, "framework"), format_func=FRAMEWORKS.get,
                     on_change=_on_framework_change, args=(prefix, run_steps))
    framework = st.session_state[_key(prefix, "framework")]
    with cols[1]:
        options = [n for n in schedules.names() if n.startswith(framework + ".")]
        st.selectbox("Scheduler", options, key=_key(prefix, "name"), format_func=lambda n: schedules.get(n).title,
                     on_change=on_schedule_change, args=(prefix, run_steps))
    return st.session_state[_key(prefix, "name")]
