"""Every spec: documented, its example and defaults compute, its bounds are enforced, fuzzing never crashes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedules

EXPECTED_IDS = {
    "torch": ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
              "SequentialLR", "PolynomialLR", "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau",
              "CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts"],
    "transformers": ["constant", "constant_with_warmup", "linear", "cosine", "cosine_with_restarts", "polynomial",
                     "inverse_sqrt", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay",
                     "reduce_lr_on_plateau", "greedy"],
    "oneflow": ["ConstantLR", "LinearLR", "ExponentialLR", "StepLR", "MultiStepLR", "PolynomialLR", "CosineDecayLR",
                "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "LambdaLR", "SequentialLR", "WarmupLR",
                "ChainedScheduler", "ReduceLROnPlateau"],
}
NAMES = schedules.names()


def metrics_for(steps: int, seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    return list(1.0 / (1 + 0.05 * t) + 0.05 * rng.standard_normal(steps))


def run(name, params, steps=None, base_lr=0.1):
    spec = schedules.get(name)
    steps = steps or spec.example_steps
    metrics = metrics_for(steps) if spec.metric_driven or _has_metric_child(params) else None
    return schedules.compute(name, params, steps=steps, base_lr=base_lr, metrics=metrics)


def _has_metric_child(params) -> bool:
    text = repr(params)
    return "Plateau" in text or "greedy" in text or "plateau" in text


def test_every_issue_scheduler_is_registered():
    for framework, ids in EXPECTED_IDS.items():
        for title in ids:
            assert f"{framework}.{title}" in NAMES, f"{framework}.{title} missing"
    assert len(NAMES) == len(set(NAMES)) == sum(len(v) for v in EXPECTED_IDS.values())


@pytest.mark.parametrize("name", NAMES)
def test_spec_is_documented(name):
    spec = schedules.get(name)
    assert spec.name == name and spec.framework in EXPECTED_IDS
    assert spec.title and spec.summary and spec.formula and spec.notes
    assert spec.docs_url.startswith("https://")
    for p in spec.params:
        assert p.help, f"{name}.{p.name} has no help text"
        assert p.range_text()
        if p.kind in ("float", "int") and p.slider is not None:
            assert p.slider.min < p.slider.max
            if p.slider.log:
                assert p.slider.min > 0


@pytest.mark.parametrize("name", NAMES)
def test_example_and_defaults_compute(name):
    spec = schedules.get(name)
    lr = run(name, spec.example)
    assert lr.shape == (spec.example_steps,) and lr.dtype == np.float64
    assert not np.isnan(lr).any() and np.isfinite(lr).all()
    two = run(name, spec.example, base_lr=[0.1, 0.02])
    assert two.shape == (2, spec.example_steps)
    np.testing.assert_allclose(two[0], lr, rtol=1e-12)
    required = {p.name: spec.example[p.name] for p in spec.params if p.required}
    try:
        assert not np.isnan(run(name, required)).any()
    except schedules.ScheduleError as err:  # only a cross-parameter rule may ask for more than the required ones
        assert spec.check is not None and err.param


def _numeric_params():
    for name in NAMES:
        for p in schedules.get(name).params:
            if p.kind in ("float", "int"):
                yield name, p


@pytest.mark.parametrize("name,param", list(_numeric_params()), ids=lambda v: getattr(v, "name", v))
def test_numeric_bounds_are_enforced(name, param):
    spec = schedules.get(name)
    bad = ["fast", True, math.nan, math.inf]
    if param.low is not None:
        bad.append(param.low if param.low_open else param.low - (1 if param.kind == "int" else 1e-9))
    if param.high is not None:
        bad.append(param.high if param.high_open else param.high + (1 if param.kind == "int" else 1e-6))
    if param.kind == "int":
        bad.append((param.low or 0) + 1.5)
    for value in bad:
        params = dict(spec.example, **{param.name: value})
        with pytest.raises(schedules.ScheduleError) as err:
            run(name, params)
        assert err.value.param == param.name, (value, str(err.value))
        assert param.name in str(err.value) and name in str(err.value)


@pytest.mark.parametrize("name", NAMES)
def test_other_kinds_are_checked(name):
    spec = schedules.get(name)
    for p in spec.params:
        wrong = {"choice": "no-such-choice", "bool": "yes", "int_list": "30,80", "bool_list": "maybe",
                 "expr": "__import__('os')", "schedule": {"name": "torch.NoSuchLR"},
                 "schedule_list": "x"}.get(p.kind)
        if wrong is None:
            continue
        with pytest.raises(schedules.ScheduleError) as err:
            run(name, dict(spec.example, **{p.name: wrong}))
        assert err.value.param and err.value.param.startswith(p.name)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_and_missing_parameters(name):
    spec = schedules.get(name)
    first = spec.params[0].name if spec.params else "x"
    # with no parameters there is nothing to suggest, and the message says so
    with pytest.raises(schedules.ScheduleError, match="did you mean" if spec.params else r"valid: none") as err:
        run(name, dict(spec.example, **{first + "s": 1}))
    assert err.value.param == first + "s"
    for p in spec.params:
        if p.required:
            params = {k: v for k, v in spec.example.items() if k != p.name}
            with pytest.raises(schedules.ScheduleError, match="required") as err:
                run(name, params)
            assert err.value.param == p.name


def test_global_arguments_are_checked():
    for steps in [0, -5, 10_000_001, 2.5, True, "100", None]:
        with pytest.raises(schedules.ScheduleError) as err:
            schedules.compute("torch.StepLR", {"step_size": 3}, steps=steps)
        assert err.value.param == "steps" and "[1, 10000000]" in str(err.value)
    for base in [0, -1, math.nan, math.inf, "x", [], [0.1] * 65, [0.1, -0.1], True]:
        with pytest.raises(schedules.ScheduleError) as err:
            schedules.compute("torch.StepLR", {"step_size": 3}, steps=10, base_lr=base)
        assert err.value.param == "base_lr"
    with pytest.raises(schedules.ScheduleError, match="at least steps - 1 = 9"):
        schedules.compute("torch.ReduceLROnPlateau", {}, steps=10, metrics=[1.0] * 5)
    with pytest.raises(schedules.ScheduleError, match="did you mean torch.StepLR"):
        schedules.compute("torch.StepLr", {"step_size": 3}, steps=10)
    with pytest.raises(schedules.ScheduleError):
        schedules.compute("torch.StepLR", ["step_size", 3], steps=10)


def test_ten_million_steps_are_accepted():
    lr = schedules.compute("torch.StepLR", {"step_size": 1_000_000, "gamma": 0.5}, steps=10_000_000)
    assert lr.shape == (10_000_000,) and lr[-1] == pytest.approx(0.1 * 0.5 ** 9)


def test_schedule_error_is_a_value_error():
    assert issubclass(schedules.ScheduleError, ValueError)


# ------------------------------------------------------------------------------------------- fuzzing

EXPRESSIONS = ["0.95 ** epoch", "epoch // 3", "min(1.0, (epoch + 1) / 10)", "1.0 if epoch < 20 else 0.1",
               "1 / epoch", "exp(epoch)", "log(epoch)", "0.0"]


def _value(p, draw, framework):
    if p.nullable and draw(st.booleans()):
        return None
    if p.kind == "float":
        low = p.low if p.low is not None else -1e3
        high = min(p.high if p.high is not None else 1e3, max(low, 0) + 1e3)
        return draw(st.floats(low, high, exclude_min=p.low_open, exclude_max=p.high_open, allow_nan=False))
    if p.kind == "int":
        low = int(p.low if p.low is not None else -100)
        return draw(st.integers(low, min(int(p.high if p.high is not None else low + 300), low + 300)))
    if p.kind == "bool":
        return draw(st.booleans())
    if p.kind == "bool_list":
        return draw(st.booleans() | st.lists(st.booleans(), max_size=3))
    if p.kind == "choice":
        return draw(st.sampled_from(p.choices))
    if p.kind == "int_list":
        low = int(p.low or 0)
        return draw(st.lists(st.integers(low, low + 300), min_size=p.min_len, max_size=max(p.min_len, 5)))
    if p.kind == "expr":
        return draw(st.sampled_from(EXPRESSIONS))
    simple = [n for n in NAMES if n.startswith(framework + ".") and not schedules.get(n).composite
              and not schedules.get(n).metric_driven]
    child = st.sampled_from(simple).map(lambda n: {"name": n, "params": schedules.get(n).example})
    if p.kind == "schedule":
        return draw(child)
    return draw(st.lists(child, min_size=p.min_len, max_size=4))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzzed_parameters_never_crash_or_give_nan(name, data):
    spec = schedules.get(name)
    params = {}
    for p in spec.params:
        if p.required or data.draw(st.booleans()):
            params[p.name] = _value(p, data.draw, spec.framework)
    steps = data.draw(st.integers(1, 400))
    base = data.draw(st.floats(1e-6, 10.0) | st.lists(st.floats(1e-6, 10.0), min_size=1, max_size=3))
    metrics = data.draw(st.lists(st.floats(-1e3, 1e3) | st.just(math.nan), min_size=steps, max_size=steps))
    try:
        lr = schedules.compute(name, params, steps=steps, base_lr=base, metrics=metrics)
    except schedules.ScheduleError as err:
        assert str(err)
        return
    assert lr.shape[-1] == steps and not np.isnan(lr).any()


@pytest.mark.parametrize("name", NAMES)
def test_phases_are_sorted_steps_inside_the_run(name):
    spec = schedules.get(name)
    marks = schedules.phases(name, spec.example, steps=spec.example_steps)
    assert [s for s, _ in marks] == sorted({s for s, _ in marks})
    assert all(0 < s < spec.example_steps and label for s, label in marks)


def test_phases_mark_what_a_reader_looks_for():
    seq = schedules.get("torch.SequentialLR").example
    assert schedules.phases("torch.SequentialLR", seq, steps=100) == [(10, "→ CosineAnnealingLR")]
    assert schedules.phases("torch.OneCycleLR", {"max_lr": 1.0, "total_steps": 100}, steps=101) == \
        [(29, "peak"), (99, "end")]
    lr = schedules.compute("torch.OneCycleLR", {"max_lr": 1.0, "total_steps": 100}, steps=100)
    assert lr.argmax() == 29
    assert schedules.phases("transformers.warmup_stable_decay", {"num_warmup_steps": 10, "num_training_steps": 100,
                                                                 "num_decay_steps": 30}, steps=100) == \
        [(10, "warmup ends"), (70, "decay starts")]  # 100 is the end of the run, not inside it
    assert schedules.phases("torch.StepLR", {"step_size": 3}, steps=10) == []
    with pytest.raises(schedules.ScheduleError):
        schedules.phases("torch.StepLR", {"step_size": 0}, steps=10)


@pytest.mark.parametrize("name", NAMES)
def test_examples_scaled_to_any_run_length_compute(name):
    spec = schedules.get(name)
    for steps in (1, 10, 1000, 100_000):
        params = schedules.example(name, steps)
        lr = run(name, params, steps=steps)
        assert lr.shape == (steps,) and not np.isnan(lr).any()
    assert schedules.example(name) == spec.example and schedules.example(name) is not spec.example


def test_example_scaling_keeps_the_shape():
    assert schedules.example("torch.OneCycleLR", 1000)["total_steps"] == 1000
    seq = schedules.example("torch.SequentialLR", 1000)
    assert seq["milestones"] == [100] and seq["schedulers"][1]["params"]["T_max"] == 900
    assert schedules.example("torch.CosineAnnealingWarmRestarts", 1500)["T_mult"] == 2  # not a step count
