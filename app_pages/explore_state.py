"""The schedule that Explore and Animate share: one set of widget state under one prefix, one kind of link."""

from __future__ import annotations

import streamlit as st

from app_pages import common, widgets
from app_pages.state import Schedule, metric_from_query, schedule_from_query, settings_from_query

PREFIX = "explore"


def load_state(page: str) -> None:
    """Seed the widgets from a link when the URL describes a view other than the one shown, else from the
    state this session last had: widget state is dropped while another page is open, and a keyed widget drawn
    by another page is a new widget (Streamlit's widget ids include the page), so Explore and Animate reseed
    the shared widgets whenever the other one drew them last."""
    query = st.query_params.to_dict()
    moved = st.session_state.get(f"{PREFIX}.page") != page
    st.session_state[f"{PREFIX}.page"] = page
    if common.is_new_link(PREFIX, query, "s"):
        warnings: list[str] = []
        settings = settings_from_query(query, warnings)
        sched = schedule_from_query(query, warnings, steps=settings.total_steps)
        seed_metric(metric_from_query(query, warnings))
        st.session_state[f"{PREFIX}.warnings"] = warnings
    elif moved or f"{PREFIX}.name" not in st.session_state:
        saved = st.session_state.get(f"{PREFIX}.saved")
        sched, settings = saved if saved else (Schedule.example("torch.OneCycleLR", 1000), None)
    else:
        return
    if settings is not None:
        common.seed_settings(settings)
    widgets.seed(PREFIX, sched.name, sched.params, settings.total_steps if settings else 1000)


def seed_metric(m: dict) -> None:
    for field in ("kind", "seed", "noise"):
        st.session_state[f"{PREFIX}.metric.{field}"] = m[field]
