"""The Animate page under AppTest: it animates Explore's schedule, sweeps a parameter, and keeps it in the link."""

from __future__ import annotations

import json
import re

import pytest

from tests.app_pages.test_app import app, errors

pytest.importorskip("render.animate")
PAGE = "app_pages/animate.py"


def caption_info(at) -> tuple[int, str]:
    text = next(c.value for c in at.caption if "frames ·" in c.value)
    frames, size = re.match(r"(\d+) frames · (\d+×\d+) px", text).groups()
    return int(frames), size


def test_animate_draws_the_schedule_explore_shows():
    at = app({"s": "torch.StepLR", "p": json.dumps({"step_size": 20}), "n": "100"})
    at.switch_page(PAGE).run()
    assert not at.exception and not errors(at)
    assert at.selectbox(key="explore.name").value == "torch.StepLR"
    frames, size = caption_info(at)
    assert frames > 30 and size == "640×400"
    assert at.query_params["anim"] == "drawing" and at.query_params["s"] == "torch.StepLR"


def test_sweep_mode_and_thumbnail_size_are_kept_in_the_link():
    at = app({"s": "torch.ExponentialLR", "p": json.dumps({"gamma": 0.95}), "n": "100"})
    at.switch_page(PAGE).run()
    at.radio(key="animate.mode").set_value("sweep").run()
    at.radio(key="animate.size").set_value("thumb").run()
    assert not at.exception and not errors(at)
    assert at.selectbox(key="animate.param").value == "gamma"
    frames, size = caption_info(at)
    assert size == "240×150" and frames >= 16
    assert at.query_params["anim"] == "sweep" and at.query_params["sp"] == "gamma"


def test_a_bad_value_on_animate_shows_the_message():
    at = app({"s": "torch.StepLR", "p": json.dumps({"step_size": 20}), "n": "100"})
    at.switch_page(PAGE).run()
    at.number_input(key="explore.step_size").set_value(0).run()
    assert not at.exception
    assert any("step_size: must be an integer in [1, 10000000]" in e for e in errors(at))


def test_compare_races_its_curves():
    at = app(page="app_pages/compare.py")
    at.toggle(key="compare.race").set_value(True).run()
    assert not at.exception and not errors(at)
    assert at.get("image"), "no race GIF shown"
    assert any(b.label == "Download the race GIF" for b in at.get("download_button"))
