"""``schedules.snippets``: the generated programs run and record exactly the engine's curve; ``equivalents``.

Every torch and transformers snippet (each spec's example, plus variants: parameter groups, per-epoch stepping,
composites, per-group lambdas, a last step the framework refuses) is written to a file with a footer that prints
``json.dumps(lrs)``. One subprocess (``sys.executable``) runs them all, each as ``__main__`` in a fresh namespace,
so torch and transformers are imported once; a second one, in parallel, runs one program on its own. The recorded
lrs must equal ``schedules.compute`` within rtol 1e-9 (for per-epoch stepping: the curve over the epochs, each
value repeated for every batch). Metric-driven snippets pass ``placeholder_metric(t)`` to ``step()``, and the
engine gets the same series. OneFlow cannot be installed here: its snippets are parsed and inspected.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import schedules
from schedules import ScheduleError
from schedules.snippets import equivalents, placeholder_metric, snippet

FOOTER = "\nimport json\nprint(json.dumps(lrs))\n"
TIMEOUT = 60

RUNNER = textwrap.dedent("""
    import contextlib, io, json, runpy, sys, traceback, warnings

    warnings.simplefilter("ignore")
    results = {}
    for case, path in json.loads(sys.argv[1]).items():
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(path, run_name="__main__")
            results[case] = {"lrs": json.loads(out.getvalue().strip().splitlines()[-1])}
        except BaseException:
            results[case] = {"error": traceback.format_exc(limit=4)}
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)
""")


def _metric(t: int) -> float:
    """The documented placeholder, written out independently of the module."""
    return max(0.3, 1.0 / (1 + 0.05 * t))


def case(name, params=None, steps=None, base_lr=0.1, stepping="iteration", steps_per_epoch=None):
    spec = schedules.get(name)
    return {"name": name, "params": spec.example if params is None else params,
            "steps": spec.example_steps if steps is None else steps, "base_lr": base_lr, "stepping": stepping,
            "steps_per_epoch": steps_per_epoch}


SEQ = {"schedulers": [{"name": "torch.LinearLR", "params": {"start_factor": 0.1, "total_iters": 10}},
                      {"name": "torch.CosineAnnealingLR", "params": {"T_max": 90, "eta_min": 0.001}}],
       "milestones": [10]}
# torch can nest a composite as the first member of a SequentialLR (a later one cannot restart at its milestone)
NESTED = {"schedulers": [{"name": "torch.ChainedScheduler", "params": {"schedulers": [
                             {"name": "torch.LinearLR", "params": {"start_factor": 0.1, "total_iters": 10}},
                             {"name": "torch.ExponentialLR", "params": {"gamma": 0.99}}]}},
                         {"name": "torch.CosineAnnealingLR", "params": {"T_max": 30}}],
          "milestones": [15]}
CASES = {name: case(name) for name in schedules.names() if not name.startswith("oneflow.")}
CASES.update({
    # parameter groups
    "StepLR 2 groups": case("torch.StepLR", {"step_size": 7, "gamma": 0.5}, 40, [0.1, 0.02]),
    "OneCycleLR 2 groups": case("torch.OneCycleLR", {"max_lr": [0.1, 0.05], "total_steps": 60, "pct_start": 0.25,
                                                     "three_phase": True}, 60, [0.1, 0.02]),
    "polynomial 2 groups": case("transformers.polynomial", None, None, [0.1, 0.02]),
    "cosine_with_min_lr 2 groups": case("transformers.cosine_with_min_lr",
                                        {"num_warmup_steps": 5, "num_training_steps": 50, "min_lr": 0.01}, 60,
                                        [0.1, 0.03]),
    "plateau 2 groups": case("torch.ReduceLROnPlateau", {"patience": 2, "min_lr": [0.005, 0.0], "factor": 0.5},
                             100, [0.1, 0.02]),
    "lambdas per group": case("torch.LambdaLR", {"lr_lambda": ["0.95 ** epoch", "0.5 * (1 + cos(pi * epoch / 50))"]},
                              100, [0.1, 0.01]),
    "multiplicative per group": case("torch.MultiplicativeLR", {"lr_lambda": ["0.97", "1.0 if step < 5 else 0.9"]},
                                     50, [0.1, 0.05]),
    # per-epoch and per-iteration stepping with epochs
    "StepLR per epoch": case("torch.StepLR", {"step_size": 3}, 40, stepping="epoch", steps_per_epoch=4),
    "cosine per epoch, partial": case("transformers.cosine", {"num_warmup_steps": 2, "num_training_steps": 12}, 75,
                                      stepping="epoch", steps_per_epoch=5),
    "plateau per epoch": case("torch.ReduceLROnPlateau", {"patience": 3}, 300, stepping="epoch", steps_per_epoch=5),
    "greedy per epoch": case("transformers.greedy", {"patience": 2}, 120, stepping="epoch", steps_per_epoch=2),
    "cosine per iteration, partial": case("torch.CosineAnnealingLR", {"T_max": 40}, 105, steps_per_epoch=10),
    "plateau per iteration with epochs": case("torch.ReduceLROnPlateau", {"patience": 4}, 90, steps_per_epoch=30),
    "lambdas per epoch, 2 groups": case("torch.LambdaLR", {"lr_lambda": ["0.9 ** epoch", "1 / sqrt(epoch + 1)"]},
                                        36, [0.1, 0.01], stepping="epoch", steps_per_epoch=3),
    # composites
    "sequential with eta_min": case("torch.SequentialLR", SEQ, 150),
    "sequential 2 groups per epoch": case("torch.SequentialLR", SEQ, 120, [0.1, 0.01], "epoch", 2),
    "sequential of three": case("torch.SequentialLR", {
        "schedulers": [{"name": "torch.ConstantLR", "params": {"factor": 0.5, "total_iters": 4}},
                       {"name": "torch.ExponentialLR", "params": {"gamma": 0.9}},
                       {"name": "torch.StepLR", "params": {"step_size": 5, "gamma": 0.5}}],
        "milestones": [4, 20]}, 60),
    "sequential with one cycle": case("torch.SequentialLR", {
        "schedulers": [{"name": "torch.LinearLR", "params": {"start_factor": 0.2, "total_iters": 5}},
                       {"name": "torch.OneCycleLR", "params": {"max_lr": 0.3, "total_steps": 40}}],
        "milestones": [5]}, 40),
    "nested composites": case("torch.SequentialLR", NESTED, 60),
    "chained with a cosine": case("torch.ChainedScheduler", {"schedulers": [
        {"name": "torch.CosineAnnealingLR", "params": {"T_max": 10, "eta_min": 0.01}},
        {"name": "torch.StepLR", "params": {"step_size": 15, "gamma": 0.5}}]}, 60),
    # the framework refuses the step after the last recorded lr: the loop must not call it
    "OneCycleLR to its last legal step": case("torch.OneCycleLR", {"max_lr": 0.1, "total_steps": 50}, 51),
    "OneCycleLR epochs x steps_per_epoch": case("torch.OneCycleLR", {"max_lr": 0.1, "epochs": 5, "steps_per_epoch": 8,
                                                                     "anneal_strategy": "linear"}, 41,
                                                stepping="epoch", steps_per_epoch=1),
    "ConstantLR factor 0": case("torch.ConstantLR", {"factor": 0.0, "total_iters": 20}, 20),
    "polynomial N == W": case("transformers.polynomial", {"num_warmup_steps": 10, "num_training_steps": 10}, 10),
    # odd values that must round-trip through the printed code
    "floats round-trip": case("torch.CyclicLR", {"base_lr": 1 / 3 * 0.01, "max_lr": 0.1 / 7, "step_size_up": 9,
                                                 "step_size_down": 4, "mode": "exp_range", "gamma": 0.9993}, 80),
    "wsd with stable steps": case("transformers.warmup_stable_decay", {
        "num_warmup_steps": 5, "num_decay_steps": 20, "num_stable_steps": 30, "warmup_type": "cosine",
        "decay_type": "1-sqrt", "min_lr_ratio": 0.05}, 70),
})


def scheduler_steps(c) -> int:
    spe = c["steps_per_epoch"]
    return -(-c["steps"] // spe) if c["stepping"] == "epoch" else c["steps"]


def expected(c) -> np.ndarray:
    """The engine's curve as the snippet records it: shape (steps,) or (steps, groups)."""
    n = scheduler_steps(c)
    metrics = [_metric(t) for t in range(n)] if schedules.get(c["name"]).metric_driven else None
    curve = schedules.compute(c["name"], c["params"], steps=n, base_lr=c["base_lr"], metrics=metrics)
    if c["stepping"] == "epoch":
        curve = np.repeat(curve, c["steps_per_epoch"], axis=-1)[..., : c["steps"]]
    return curve.T


def program(c) -> str:
    return snippet(c["name"], c["params"], steps=c["steps"], base_lr=c["base_lr"], stepping=c["stepping"],
                   steps_per_epoch=c["steps_per_epoch"])


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Run every case's program: all in one subprocess, and one standalone program next to it."""
    tmp = tmp_path_factory.mktemp("snippets")
    paths = {}
    for i, (key, c) in enumerate(CASES.items()):
        path = tmp / f"case_{i}.py"
        path.write_text(program(c) + FOOTER)
        paths[key] = str(path)
    runner, results = tmp / "runner.py", tmp / "results.json"
    runner.write_text(RUNNER)
    env = dict(os.environ, OMP_NUM_THREADS="1", TRANSFORMERS_VERBOSITY="error")
    standalone = "sequential with eta_min"

    def run(args):
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=TIMEOUT, env=env,
                              cwd=tmp)

    with ThreadPoolExecutor(2) as pool:
        batch = pool.submit(run, [str(runner), json.dumps(paths), str(results)])
        alone = pool.submit(run, [paths[standalone]])
        batch, alone = batch.result(), alone.result()
    assert batch.returncode == 0, batch.stderr
    assert alone.returncode == 0, alone.stderr
    out = json.loads(results.read_text())
    out["standalone"] = {"lrs": json.loads(alone.stdout.strip().splitlines()[-1]), "case": standalone}
    return out


@pytest.mark.parametrize("key", list(CASES))
def test_snippet_records_the_engine_curve(ran, key):
    c = CASES[key]
    result = ran[key]
    assert "error" not in result, f"{key}: the program failed:\n{result.get('error')}\n{program(c)}"
    got = np.asarray(result["lrs"], dtype=np.float64)
    want = expected(c)
    assert got.shape == want.shape, (key, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-300, err_msg=f"{key}\n{program(c)}")


def test_a_snippet_runs_on_its_own(ran):
    alone = ran["standalone"]
    np.testing.assert_allclose(alone["lrs"], expected(CASES[alone["case"]]), rtol=1e-9, atol=1e-300)


def test_the_cases_cover_every_torch_and_transformers_scheduler_and_the_variants():
    names = {c["name"] for c in CASES.values()}
    assert names == {n for n in schedules.names() if not n.startswith("oneflow.")}
    assert any(isinstance(c["base_lr"], list) for c in CASES.values())
    assert any(c["stepping"] == "epoch" and schedules.get(c["name"]).metric_driven for c in CASES.values())
    assert "lambda epoch: 0.5 * (1 + math.cos(math.pi * epoch / 50))" in program(CASES["lambdas per group"])


# ------------------------------------------------------------------------------------------- the text


def test_header_imports_and_loop_shape():
    code = snippet("torch.StepLR", {"step_size": 30}, steps=100)
    lines = code.splitlines()
    assert lines[0] == "# StepLR as the visualizer shows it: lr[t] is the lr after t calls of scheduler.step()"
    assert "import math" not in code
    assert "from torch.optim.lr_scheduler import StepLR" in lines
    assert "scheduler = StepLR(optimizer, step_size=30)" in lines  # gamma=0.1 is the default: not printed
    assert "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)" in lines
    body = [line.strip() for line in lines[lines.index("for step in range(steps):") + 1:] if line.startswith("    ")]
    assert body[0] == 'lrs.append(optimizer.param_groups[0]["lr"])'
    assert body[-2:] == ["optimizer.step()", "scheduler.step()"]
    ast.parse(code)


def test_only_required_and_non_default_params_in_spec_order_with_round_trip_floats():
    code = snippet("torch.OneCycleLR", {"three_phase": True, "max_lr": 1 / 3, "total_steps": 1000,
                                        "pct_start": 0.25, "div_factor": 25}, steps=10)
    call = code[code.index("scheduler = OneCycleLR("):]
    assert f"max_lr={1 / 3!r}" in call and "pct_start=0.25" in call and "three_phase=True" in call
    assert "div_factor" not in call and "anneal_strategy" not in call
    assert call.index("max_lr") < call.index("total_steps") < call.index("pct_start") < call.index("three_phase")
    assert "factor=1.0" in snippet("torch.ConstantLR", {"factor": 1}, steps=10)  # ints for floats print as floats
    assert "total_steps=1_000_000" in snippet("torch.OneCycleLR", {"max_lr": 0.1, "total_steps": 1_000_000},
                                              steps=10)


def test_composites_build_their_members_first():
    code = snippet("torch.SequentialLR", schedules.get("torch.SequentialLR").example, steps=100)
    lines = code.splitlines()
    assert lines.index("warmup = LinearLR(optimizer, start_factor=0.1, total_iters=10)") < \
        lines.index("main = CosineAnnealingLR(optimizer, T_max=90)") < \
        lines.index("scheduler = SequentialLR(optimizer, schedulers=[warmup, main], milestones=[10])")
    chained = snippet("torch.ChainedScheduler", schedules.get("torch.ChainedScheduler").example, steps=100)
    assert "scheduler = ChainedScheduler([linear_lr, exponential_lr], optimizer=optimizer)" in chained


def test_transformers_call():
    linear = snippet("transformers.linear", {"num_warmup_steps": 10, "num_training_steps": 100}, steps=120)
    assert "from transformers import get_scheduler" in linear
    [call] = [n for n in ast.walk(ast.parse(linear)) if isinstance(n, ast.Call) and ast.unparse(n.func) ==
              "get_scheduler"]
    assert [ast.unparse(a) for a in call.args] == ["'linear'", "optimizer"]
    assert {k.arg: ast.literal_eval(k.value) for k in call.keywords} == {"num_warmup_steps": 10,
                                                                         "num_training_steps": 100}
    assert "scheduler_specific_kwargs" not in linear
    restarts = snippet("transformers.cosine_with_restarts", {"num_warmup_steps": 0, "num_training_steps": 100,
                                                              "num_cycles": 3}, steps=120)
    assert 'scheduler_specific_kwargs={"num_cycles": 3.0}' in restarts
    assert snippet("transformers.constant", None, steps=5).count('get_scheduler("constant", optimizer)') == 1


def test_metric_driven_snippets_explain_the_metric():
    code = snippet("torch.ReduceLROnPlateau", {"patience": 5}, steps=100)
    assert "val_loss = max(0.3, 1.0 / (1 + 0.05 * step))" in code and "scheduler.step(val_loss)" in code
    assert "# ReduceLROnPlateau is driven by a metric" in code
    terse = snippet("torch.ReduceLROnPlateau", {"patience": 5}, steps=100, metrics_hint=False)
    assert "driven by a metric" not in terse and "scheduler.step(val_loss)" in terse
    assert [placeholder_metric(t) for t in range(200)] == [_metric(t) for t in range(200)]


def test_per_epoch_stepping_steps_the_scheduler_after_the_batches():
    code = snippet("torch.StepLR", {"step_size": 3}, steps=40, stepping="epoch", steps_per_epoch=4)
    lines = code.splitlines()
    loop = lines[lines.index("for epoch in range(epochs):"):]
    assert loop[1] == "    for batch in range(steps_per_epoch):"
    assert "        optimizer.step()" in loop and "    scheduler.step()" in loop
    assert "epochs = 10" in lines and "steps_per_epoch = 4" in lines
    per_iteration = snippet("torch.StepLR", {"step_size": 3}, steps=40, steps_per_epoch=4)
    assert "        scheduler.step()" in per_iteration.splitlines()


@pytest.mark.parametrize("name", [n for n in schedules.names() if n.startswith("oneflow.")])
@pytest.mark.parametrize("variant", ["example", "2 groups per epoch"])
def test_oneflow_snippets_parse_and_name_every_class_and_param(name, variant):
    spec = schedules.get(name)
    kwargs = {"steps": spec.example_steps}
    if variant != "example":
        kwargs.update(base_lr=[0.1, 0.1], stepping="epoch", steps_per_epoch=3)
    code = snippet(name, spec.example, **kwargs)
    tree = ast.parse(code)
    assert "import oneflow as flow" in code and "torch" not in code
    assert "optimizer = flow.optim.SGD(" in code and "flow.nn.Linear(4, 1)" in code

    def check(child_name, params):
        child_spec = schedules.get(child_name)
        assert f"flow.optim.lr_scheduler.{child_spec.title}(" in code
        validated = schedules.validate(child_name, params).params
        for p in child_spec.params:
            if p.kind == "schedule_list":
                for member in params[p.name]:
                    check(member["name"], member.get("params", {}))
            elif p.kind == "schedule":
                if params.get(p.name):
                    check(params[p.name]["name"], params[p.name].get("params", {}))
            elif p.required or validated[p.name] != schedules.validate(child_name, {
                    k: v for k, v in params.items() if k != p.name}).params[p.name]:
                assert f"{p.name}=" in code, (p.name, code)

    check(name, spec.example)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).endswith(spec.title)]
    assert calls
    if spec.metric_driven:
        assert "scheduler.step(val_loss)" in code


def test_oneflow_warmup_wraps_its_scheduler_or_the_optimizer():
    code = snippet("oneflow.WarmupLR", schedules.get("oneflow.WarmupLR").example, steps=100)
    assert "main = flow.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=90)" in code
    assert "flow.optim.lr_scheduler.WarmupLR(\n    main," in code
    alone = snippet("oneflow.WarmupLR", {"warmup_iters": 10}, steps=20)
    assert "scheduler = flow.optim.lr_scheduler.WarmupLR(optimizer, warmup_iters=10)" in alone
    seq = snippet("oneflow.SequentialLR", schedules.get("oneflow.SequentialLR").example, steps=100)
    assert "interval_rescaling" not in seq  # the default False
    rescaled = snippet("oneflow.SequentialLR", {**schedules.get("oneflow.SequentialLR").example,
                                                "interval_rescaling": True}, steps=100)
    assert "interval_rescaling=True" in rescaled


@pytest.mark.parametrize("kwargs, param", [
    ({"name": "torch.StepLRR", "params": {"step_size": 3}}, "name"),
    ({"name": "torch.StepLR", "params": {"step_size": 0}}, "step_size"),
    ({"name": "torch.StepLR", "params": {"step_size": 3}, "steps": 0}, "steps"),
    ({"name": "torch.StepLR", "params": {"step_size": 3}, "base_lr": -1}, "base_lr"),
    ({"name": "torch.StepLR", "params": {"step_size": 3}, "stepping": "batch"}, "stepping"),
    ({"name": "torch.StepLR", "params": {"step_size": 3}, "stepping": "epoch"}, "steps_per_epoch"),
    ({"name": "torch.OneCycleLR", "params": {"max_lr": 0.1, "total_steps": 10}, "steps": 50}, "total_steps"),
    # torch raises NotImplementedError when a nested composite must restart at a milestone
    ({"name": "torch.SequentialLR", "params": {"schedulers": list(reversed(NESTED["schedulers"])),
                                               "milestones": [5]}, "steps": 50}, "schedulers"),
])
def test_bad_input_raises_schedule_error(kwargs, param):
    kwargs = {"steps": 10, **kwargs}
    with pytest.raises(ScheduleError) as err:
        snippet(kwargs.pop("name"), kwargs.pop("params"), **kwargs)
    assert err.value.param == param


# ------------------------------------------------------------------------------------------ equivalents


def test_steplr_torch_and_oneflow_are_equivalent():
    assert equivalents("torch.StepLR", {"step_size": 30}, steps=100) == [("oneflow.StepLR", {"step_size": 30})]
    assert equivalents("oneflow.StepLR", {"step_size": 30, "gamma": 0.5}, steps=100, base_lr=[0.1, 0.2]) == \
        [("torch.StepLR", {"step_size": 30, "gamma": 0.5})]


def test_cosine_with_eta_min_is_equivalent_only_up_to_t_max():
    params = {"T_max": 10_000, "eta_min": 0.09}
    # past T_max torch's recursion drifts from OneFlow's closed form by more than 1e-9 (2.4e-9 here)
    assert equivalents("torch.CosineAnnealingLR", params, steps=30_000) == []
    assert equivalents("torch.CosineAnnealingLR", params, steps=10_001) == [("oneflow.CosineAnnealingLR", params)]
    assert equivalents("oneflow.CosineAnnealingLR", params, steps=10_001) == [("torch.CosineAnnealingLR", params)]


def test_oneflow_stricter_validation_drops_the_candidate():
    # OneFlow asserts strictly increasing milestones; torch decays twice at a repeated one
    assert equivalents("torch.MultiStepLR", {"milestones": [30, 30]}, steps=100) == []
    # torch's milestone order does not matter: sorted, OneFlow gives the same curve
    assert equivalents("torch.MultiStepLR", {"milestones": [80, 30]}, steps=100) == \
        [("oneflow.MultiStepLR", {"milestones": [30, 80]})]
    # OneFlow's SequentialLR cannot hold a LambdaLR (it has no get_lr(base_lr, step))
    lam = {"schedulers": [{"name": "torch.LambdaLR", "params": {"lr_lambda": "0.9 ** epoch"}},
                          {"name": "torch.StepLR", "params": {"step_size": 5}}], "milestones": [10]}
    assert equivalents("torch.SequentialLR", lam, steps=50) == []
    # torch's LinearLR refuses start_factor=0, which OneFlow (and transformers' warmup) allow
    assert equivalents("oneflow.LinearLR", {"start_factor": 0.0, "total_iters": 10}, steps=50) == \
        [("transformers.constant_with_warmup", {"num_warmup_steps": 10})]


def test_composites_map_member_by_member():
    seq = schedules.get("torch.SequentialLR").example
    [(name, params)] = equivalents("torch.SequentialLR", seq, steps=100)
    assert name == "oneflow.SequentialLR" and params["interval_rescaling"] is True
    assert [m["name"] for m in params["schedulers"]] == ["oneflow.LinearLR", "oneflow.CosineAnnealingLR"]
    # OneFlow's default (no rescaling) continues on the global step: not torch's SequentialLR
    assert equivalents("oneflow.SequentialLR", schedules.get("oneflow.SequentialLR").example, steps=100) == []
    [(name, params)] = equivalents("oneflow.WarmupLR", schedules.get("oneflow.WarmupLR").example, steps=100)
    assert name == "torch.SequentialLR" and params["milestones"] == [10]


def test_transformers_and_metric_driven_mappings():
    assert equivalents("transformers.constant", {}, steps=50) == [
        ("torch.ConstantLR", {"factor": 1.0, "total_iters": 0}), ("oneflow.ConstantLR", {"factor": 1.0,
                                                                                         "total_iters": 0})]
    # torch's total_iters=0 keeps the factor forever, OneFlow's restores the base at once
    assert equivalents("torch.ConstantLR", {"factor": 0.5, "total_iters": 0}, steps=10) == []
    plateau = {"patience": 3, "min_lr": [0.01, 0.001], "mode": "max"}
    assert equivalents("transformers.reduce_lr_on_plateau", plateau, steps=100, base_lr=[0.1, 0.2]) == [
        ("torch.ReduceLROnPlateau", plateau), ("oneflow.ReduceLROnPlateau", plateau)]
    assert equivalents("transformers.greedy", {}, steps=100) == []


def test_every_example_has_checked_equivalents_and_bad_input_raises_schedule_error():
    for name in schedules.names():
        spec = schedules.get(name)
        for base in (0.1, [0.1, 0.05]):
            for other, params in equivalents(name, spec.example, steps=spec.example_steps, base_lr=base):
                assert other.split(".")[0] != spec.framework
                if not spec.metric_driven:
                    np.testing.assert_allclose(
                        schedules.compute(other, params, steps=spec.example_steps, base_lr=base),
                        schedules.compute(name, spec.example, steps=spec.example_steps, base_lr=base),
                        rtol=1e-9, atol=1e-300)
    for args, kwargs in [(("torch.StepLR", {"step_size": -1}), {"steps": 10}),
                         (("nope", {}), {"steps": 10}),
                         (("torch.StepLR", {"step_size": 3}), {"steps": 0}),
                         (("torch.ReduceLROnPlateau", {}), {"steps": 10, "base_lr": "x"}),
                         (("torch.OneCycleLR", {"max_lr": 0.1, "total_steps": 10}), {"steps": 50})]:
        with pytest.raises(ScheduleError):
            equivalents(*args, **kwargs)
