"""The Train page under AppTest: runs are trained and drawn, widgets retrain, links restore, bad input is shown."""

from __future__ import annotations

import json

import numpy as np
import pytest

import schedules
from app_pages.state import Schedule
from app_pages.train_state import Run, Setup, runs_from_query, runs_to_query, setup_from_query, setup_to_query
from playground.mlp import TrainConfig, train

from .test_app import _array, app, errors

PAGE = "app_pages/train.py"


def open_link(query: dict):
    """The page opened from a link (AppTest starts on the default page, whose own URL is dropped first)."""
    at = app()
    at.query_params.clear()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def lr_traces(at) -> dict[str, np.ndarray]:
    """The lr trace of every run (the dotted ones on the right-hand axis), by run name."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {t["name"]: _array(t["y"]) for t in spec["data"] if t.get("yaxis") == "y2"}


def summary(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_default_runs_are_trained_and_drawn():
    at = app(page=PAGE)
    lrs = lr_traces(at)
    assert list(lrs) == ["constant lr 0.1", "OneCycleLR to 0.5"]
    want = schedules.compute("torch.OneCycleLR", {"max_lr": 0.5, "total_steps": 230}, steps=230, base_lr=0.1)
    assert np.array_equal(lrs["OneCycleLR to 0.5"], want)  # 230 points: not decimated
    assert np.array_equal(lrs["constant lr 0.1"], np.full(230, 0.1))
    rows = summary(at)
    direct = train(TrainConfig(), want)
    assert rows[1]["final val accuracy"] == direct.val_accuracy[-1]  # the page trains exactly the playground
    assert all(r["final val accuracy"] > 0.9 and r["diverged"] == "no" for r in rows)
    assert "r" in at.query_params


def test_batch_size_changes_the_run_and_total_steps_follows():
    at = app(page=PAGE)
    at.sidebar.number_input(key="train.batch_size").set_value(128).run()
    assert not at.exception
    assert at.text_input(key="r1.total_steps").value == "120"  # 10 epochs × ceil(1438 / 128) = 12
    lrs = lr_traces(at)
    assert lrs["OneCycleLR to 0.5"].size == 120
    assert json.loads(at.query_params["t"]) == {"batch_size": 128}


def test_per_epoch_stepping_holds_the_lr_for_an_epoch():
    at = app(page=PAGE)
    at.selectbox(key="r1.framework").set_value("torch").run()
    at.selectbox(key="r1.name").set_value("torch.StepLR").run()
    at.radio(key="r1.by").set_value("epoch").run()
    at.number_input(key="r1.step_size").set_value(3).run()
    assert not at.exception
    lr = lr_traces(at)["OneCycleLR to 0.5"]
    assert np.array_equal(lr, np.repeat(schedules.compute("torch.StepLR", {"step_size": 3}, steps=10, base_lr=0.1), 23))


def test_plateau_run_is_stepped_per_epoch_on_the_validation_loss():
    at = app(page=PAGE)
    at.selectbox(key="r1.framework").set_value("torch").run()
    at.selectbox(key="r1.name").set_value("torch.ReduceLROnPlateau").run()
    at.number_input(key="r1.lr").set_value(0.8).run()
    assert not at.exception and not errors(at)
    assert at.radio(key="r1.by").disabled
    lr = lr_traces(at)["OneCycleLR to 0.5"]
    per_epoch = lr[::23]
    assert np.array_equal(lr, np.repeat(per_epoch, 23)) and per_epoch[0] == 0.8


def test_a_bad_value_shows_the_message_and_the_other_run_still_trains():
    at = app(page=PAGE)
    at.number_input(key="r1.max_lr").set_value(-1.0).run()
    assert not at.exception
    assert any("max_lr" in e for e in errors(at))
    assert list(lr_traces(at)) == ["constant lr 0.1"]
    assert any("1 run(s) have invalid parameters" in w.value for w in at.warning)


def test_too_long_a_run_is_refused_next_to_the_setting():
    at = app(page=PAGE)
    at.sidebar.number_input(key="train.batch_size").set_value(1).run()
    at.sidebar.slider(key="train.epochs").set_value(100).run()
    assert not at.exception
    assert any("143,800 steps" in e.value and "batch_size" in e.value for e in at.sidebar.error)
    assert not at.get("plotly_chart")


def test_adding_and_removing_runs():
    at = app(page=PAGE)
    add = [b for b in at.button if b.label.startswith("Add a run")][0]
    add.click().run()
    add = [b for b in at.button if b.label.startswith("Add a run")][0]
    add.click().run()
    assert len(lr_traces(at)) == 4
    assert [b for b in at.button if b.label.startswith("Add a run")][0].disabled
    at.button(key="r0.remove").click().run()
    assert list(lr_traces(at))[0] == "OneCycleLR to 0.5" and len(lr_traces(at)) == 3


def test_a_link_restores_setup_and_runs():
    runs = [Run(Schedule("torch.ExponentialLR", {"gamma": 0.9}, "exp"), 0.3, "epoch")]
    query = {**setup_to_query(Setup(optimizer="adam", batch_size=256, epochs=4)), **runs_to_query(runs)}
    at = open_link(query)
    assert at.sidebar.radio(key="train.optimizer").value == "adam"
    lr = lr_traces(at)["exp"]
    assert np.array_equal(lr, np.repeat(0.3 * 0.9 ** np.arange(4), 6))  # ceil(1438 / 256) = 6


@pytest.mark.parametrize("query, fragment", [
    ({"t": "{bad"}, "not valid JSON"),
    ({"t": '{"batch_size": 0}'}, "batch_size=0 is not valid (1 to 1438)"),
    ({"t": '{"hidden": 100}'}, "hidden=100 is not valid (16, 32, 64, 128, 256)"),
    ({"r": '[{"s": "torch.Nope"}]'}, "unknown scheduler"),
    ({"r": '[{"s": "torch.StepLR", "p": {"step_size": 3}, "lr": -1}]'}, "lr=-1 is not a learning rate"),
])
def test_a_bad_link_warns_and_falls_back(query, fragment):
    at = open_link(query)
    assert any(fragment in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.get("plotly_chart")


def test_state_round_trip():
    setup = Setup(optimizer="adam", momentum=0.5, hidden=32, weight_decay=1e-4, batch_size=16, epochs=3, seed=7)
    warnings: list[str] = []
    assert setup_from_query(setup_to_query(setup), warnings) == setup and not warnings
    runs = [Run(Schedule("torch.StepLR", {"step_size": 3, "gamma": 0.5}, "a"), 0.2, "epoch"),
            Run(Schedule("transformers.cosine", {"num_warmup_steps": 5, "num_training_steps": 50}, "b"), 1e-3)]
    assert runs_from_query(runs_to_query(runs), warnings, 50) == runs and not warnings
    assert setup_to_query(Setup()) == {}


def test_momentum_is_kept_while_adam_hides_it():
    at = app(page=PAGE)
    at.sidebar.slider(key="train.momentum").set_value(0.5).run()
    at.sidebar.radio(key="train.optimizer").set_value("adam").run()
    assert json.loads(at.query_params["t"]) == {"optimizer": "adam", "momentum": 0.5}
    at.sidebar.radio(key="train.optimizer").set_value("sgd").run()
    assert at.sidebar.slider(key="train.momentum").value == 0.5
