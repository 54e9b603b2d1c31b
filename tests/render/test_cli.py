"""``python -m render``: every output type, --set, --sweep, --list, --help and the errors, run as the user runs it
(a subprocess from the repository root)."""

from __future__ import annotations

import csv
import io
import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import schedules
from render import cli
from schedules.snippets import placeholder_metric

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "render", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def ok(*args: str) -> subprocess.CompletedProcess:
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# ------------------------------------------------------------------------------------------- every output


def test_gif_drawing(tmp_path):
    from render.animate import gif_info

    out = tmp_path / "cosine.gif"
    proc = ok("torch.CosineAnnealingLR", "--set", "T_max=50", "--steps", "150", "--frames", "12",
              "--size", "320x200", "--out", str(out))
    data = out.read_bytes()
    assert proc.stdout.strip() == f"wrote {out} ({len(data):,} bytes)"
    assert data[:6] in (b"GIF87a", b"GIF89a")
    info = gif_info(data)
    assert info["size"] == (320, 200)
    assert 2 <= info["frames"] <= 12 + 15   # the drawing frames plus at most the hold on the last one
    assert info["loop"] == 0
    assert len(info["durations"]) == info["frames"]


def test_gif_default_size(tmp_path):
    from render.animate import FULL, gif_info

    out = tmp_path / "steplr.gif"
    ok("torch.StepLR", "--frames", "8", "--out", str(out))
    assert gif_info(out.read_bytes())["size"] == FULL


def test_png_svg_pdf(tmp_path):
    png, svg, pdf = tmp_path / "a.png", tmp_path / "a.svg", tmp_path / "a.pdf"
    ok("torch.OneCycleLR", "--set", "three_phase=true", "--size", "480x300", "--out", str(png))
    assert png_size(png.read_bytes()) == (480, 300)
    ok("torch.OneCycleLR", "--out", str(svg))
    text = svg.read_text()
    assert text.startswith("<?xml") and "<svg" in text and text.rstrip().endswith("</svg>")
    ok("torch.SequentialLR", "--size", "800x500", "--out", str(pdf))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_png_default_size_and_upper_case_extension(tmp_path):
    out = tmp_path / "A.PNG"
    ok("torch.StepLR", "--out", str(out))
    assert png_size(out.read_bytes()) == (1050, 630)   # static_image's 7 x 4.2 in at 150 dpi


def test_csv(tmp_path):
    out = tmp_path / "multistep.csv"
    ok("torch.MultiStepLR", "--set", "milestones=[30,80]", "--set", "gamma=0.5", "--steps", "120",
       "--base-lr", "0.2", "--out", str(out))
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["step", "torch.MultiStepLR"]
    assert len(rows) == 1 + 120
    expected = schedules.compute("torch.MultiStepLR", {"milestones": [30, 80], "gamma": 0.5}, steps=120,
                                 base_lr=0.2)
    assert [int(r[0]) for r in rows[1:]] == list(range(120))
    assert [float(r[1]) for r in rows[1:]] == expected.tolist()


def test_json_meta_and_exact_values(tmp_path):
    out = tmp_path / "onecycle.json"
    ok("torch.OneCycleLR", "--set", "three_phase=true", "--set", "max_lr=0.05", "--steps", "300",
       "--out", str(out))
    body = json.loads(out.read_text())
    params = {**schedules.example("torch.OneCycleLR", 300), "three_phase": True, "max_lr": 0.05}
    assert body["meta"] == {"name": "torch.OneCycleLR", "params": params, "steps": 300, "base_lr": 0.1}
    assert params["total_steps"] == 300                     # the example, scaled to --steps
    assert len(body["curves"]) == 1
    assert body["curves"][0]["lr"] == schedules.compute("torch.OneCycleLR", params, steps=300).tolist()


def test_default_steps_and_params_are_the_example(tmp_path):
    out = tmp_path / "cosine.json"
    ok("torch.CosineAnnealingLR", "--out", str(out))
    spec = schedules.get("torch.CosineAnnealingLR")
    meta = json.loads(out.read_text())["meta"]
    assert meta["steps"] == spec.example_steps
    assert meta["params"] == spec.example


# --------------------------------------------------------------------------------------- --set values


def test_set_text_values(tmp_path):
    out = tmp_path / "lambda.json"
    ok("torch.LambdaLR", "--set", "lr_lambda=0.95 ** epoch", "--steps", "40", "--out", str(out))
    body = json.loads(out.read_text())
    assert body["meta"]["params"] == {"lr_lambda": "0.95 ** epoch"}
    assert body["curves"][0]["lr"] == schedules.compute("torch.LambdaLR", {"lr_lambda": "0.95 ** epoch"},
                                                        steps=40).tolist()
    # a choice is text, and a lambda that looks like a number stays an expression
    ok("torch.CyclicLR", "--set", "mode=triangular2", "--out", str(out))
    assert json.loads(out.read_text())["meta"]["params"]["mode"] == "triangular2"
    ok("torch.MultiplicativeLR", "--set", "lr_lambda=0.9", "--steps", "5", "--out", str(out))
    body = json.loads(out.read_text())
    assert body["meta"]["params"] == {"lr_lambda": "0.9"}
    assert body["curves"][0]["lr"] == pytest.approx([0.1, 0.09, 0.081, 0.0729, 0.06561], rel=1e-12)


def test_set_json_composite_and_null(tmp_path):
    out = tmp_path / "seq.json"
    members = '[{"name": "torch.ConstantLR", "params": {"factor": 0.5, "total_iters": 5}}, ' \
              '{"name": "torch.ExponentialLR", "params": {"gamma": 0.9}}]'
    ok("torch.SequentialLR", "--set", f"schedulers={members}", "--set", "milestones=[5]", "--steps", "20",
       "--out", str(out))
    params = {"schedulers": json.loads(members), "milestones": [5]}
    body = json.loads(out.read_text())
    assert body["meta"]["params"] == params
    assert body["curves"][0]["lr"] == schedules.compute("torch.SequentialLR", params, steps=20).tolist()
    ok("torch.CyclicLR", "--set", "step_size_down=null", "--out", str(out))
    assert json.loads(out.read_text())["meta"]["params"]["step_size_down"] is None


def test_metric_driven_gets_the_placeholder_metric(tmp_path):
    out = tmp_path / "plateau.json"
    ok("torch.ReduceLROnPlateau", "--set", "factor=0.5", "--out", str(out))
    body = json.loads(out.read_text())
    steps = body["meta"]["steps"]
    metrics = [placeholder_metric(t) for t in range(steps)]
    expected = schedules.compute("torch.ReduceLROnPlateau", {"patience": 5, "factor": 0.5}, steps=steps,
                                 metrics=metrics)
    assert body["curves"][0]["lr"] == expected.tolist()
    assert min(expected) < 0.1                              # the synthetic loss plateaus, so the lr drops
    assert "max(0.3, 1/(1 + 0.05 t))" in body["meta"]["metrics"]


def test_phases_go_into_the_curve():
    params = schedules.example("torch.SequentialLR")
    one = cli.curve("torch.SequentialLR", params, 100, 0.1)
    assert one.phases == tuple(schedules.phases("torch.SequentialLR", params, steps=100))
    assert one.phases and one.phases[0][0] == 10


# ---------------------------------------------------------------------------------------------- --sweep


def test_sweep_values_and_labels():
    assert cli.sweep_values("int", 10, 12, 6) == [10, 11, 12]             # nearest integers, each once
    assert cli.sweep_values("int", 1, 100, 4) == [1, 34, 67, 100]
    assert cli.sweep_values("float", 0.1, 0.9, 5) == [0.1, 0.3, 0.5, 0.7, 0.9]   # no linspace noise
    assert cli.sweep_values("float", 0.9, 0.1, 3) == [0.9, 0.5, 0.1]
    assert cli.sweep_label("step_size", 30) == "step_size = 30"
    assert cli.sweep_label("gamma", 0.123456) == "gamma = 0.1235"
    assert cli.sweep_label("eta_min", 1e-5) == "eta_min = 1e-05"


def sweep_frames(tmp_path, *args) -> int:
    from render.animate import gif_info

    out = tmp_path / "sweep.gif"
    ok(*args, "--size", "240x150", "--out", str(out))
    info = gif_info(out.read_bytes())
    assert info["size"] == (240, 150)
    return info["frames"]


def test_sweep_frame_counts(tmp_path, monkeypatch):
    """The GIF has one frame per distinct value (played forward and back); the labels are checked by
    capturing what the CLI hands to sweep_gif in-process."""
    five = sweep_frames(tmp_path, "torch.StepLR", "--sweep", "gamma=0.1:0.9", "--frames", "5")
    three = sweep_frames(tmp_path, "torch.StepLR", "--sweep", "step_size=10:12", "--frames", "6")
    assert five > three >= 3
    assert five in (5, 2 * 5 - 2)       # once, or bounced (forward, then back without repeating the ends)
    assert three in (3, 2 * 3 - 2)

    from render import animate

    seen = {}

    def fake_sweep_gif(frames, **kwargs):
        seen["labels"] = [label for label, _ in frames]
        seen["lr0"] = [curves[0].lr for _, curves in frames]
        seen["kwargs"] = kwargs
        return b"GIF89a"

    monkeypatch.setattr(animate, "sweep_gif", fake_sweep_gif)
    out = tmp_path / "fake.gif"
    assert cli.main(["torch.StepLR", "--sweep", "gamma=0.1:0.9", "--frames", "5", "--out", str(out)]) == 0
    assert seen["labels"] == ["gamma = 0.1", "gamma = 0.3", "gamma = 0.5", "gamma = 0.7", "gamma = 0.9"]
    np.testing.assert_array_equal(seen["lr0"][0], schedules.compute("torch.StepLR", {"step_size": 30,
                                                                                    "gamma": 0.1}, steps=100))
    assert seen["kwargs"]["size"] == animate.FULL
    assert cli.main(["torch.StepLR", "--sweep", "step_size=10:12", "--frames", "6", "--out", str(out)]) == 0
    assert seen["labels"] == ["step_size = 10", "step_size = 11", "step_size = 12"]


# ---------------------------------------------------------------------------------------- --list, --help


def test_list():
    proc = ok("--list")
    lines = proc.stdout.splitlines()
    assert len(lines) == len(schedules.names())
    for name, line in zip(schedules.names(), lines):
        assert line.split()[0] == name
        assert line.endswith(schedules.get(name).summary)


def test_help():
    proc = ok("--help")
    for text in ("usage:", "--set PARAM=VALUE", "--sweep PARAM=START:STOP", "--frames", "--size", "--out",
                 "--list", ".gif", ".png", ".svg", ".pdf", ".csv", ".json", "synthetic", "max(0.3, 1/(1 + 0.05 t))"):
        assert text in proc.stdout, text


# ---------------------------------------------------------------------------------------------- errors


ERRORS = {
    "unknown schedule": (["torch.StepL", "--out", "x.png"], "did you mean torch.StepLR"),
    "bad value": (["torch.StepLR", "--set", "step_size=0", "--out", "x.png"], "step_size"),
    "wrong type": (["torch.StepLR", "--set", "step_size=ten", "--out", "x.png"], "step_size"),
    "unknown param": (["torch.StepLR", "--set", "gama=0.5", "--out", "x.png"], "did you mean 'gamma'"),
    "bad expression": (["torch.LambdaLR", "--set", "lr_lambda=epoch +", "--out", "x.csv"], "lr_lambda"),
    "set without =": (["torch.StepLR", "--set", "gamma", "--out", "x.png"], "expected PARAM=VALUE"),
    "set without name": (["torch.StepLR", "--set", "=0.5", "--out", "x.png"], "expected PARAM=VALUE"),
    "sweep non-numeric": (["torch.MultiStepLR", "--sweep", "milestones=1:5", "--out", "x.gif"],
                          "only int and float parameters"),
    "sweep choice": (["torch.CyclicLR", "--sweep", "mode=1:2", "--out", "x.gif"], "only int and float"),
    "sweep unknown param": (["torch.StepLR", "--sweep", "gama=0.1:0.5", "--out", "x.gif"], "did you mean"),
    "sweep syntax": (["torch.StepLR", "--sweep", "gamma=0.1", "--out", "x.gif"], "PARAM=START:STOP"),
    "sweep not a number": (["torch.StepLR", "--sweep", "gamma=a:b", "--out", "x.gif"], "finite numbers"),
    "sweep bad value": (["torch.StepLR", "--sweep", "gamma=-1:0.5", "--frames", "3", "--out", "x.gif"],
                        "gamma = -1"),
    "sweep to png": (["torch.StepLR", "--sweep", "gamma=0.1:0.5", "--out", "x.png"], ".gif"),
    "unknown extension": (["torch.StepLR", "--out", "x.txt"], "unknown extension"),
    "no extension": (["torch.StepLR", "--out", "x"], "unknown extension"),
    "size syntax": (["torch.StepLR", "--size", "640by400", "--out", "x.png"], "WxH"),
    "size too small": (["torch.StepLR", "--size", "119x400", "--out", "x.png"], "120 to 2000"),
    "size too large": (["torch.StepLR", "--size", "640x2001", "--out", "x.gif"], "120 to 2000"),
    "gif too wide": (["torch.StepLR", "--size", "1500x400", "--out", "x.gif"], "1460"),
    "size for csv": (["torch.StepLR", "--size", "640x400", "--out", "x.csv"], "--size"),
    "frames out of range": (["torch.StepLR", "--frames", "1", "--out", "x.gif"], "--frames"),
    "steps out of range": (["torch.StepLR", "--steps", "0", "--out", "x.csv"], "--steps"),
    "steps not an int": (["torch.StepLR", "--steps", "ten", "--out", "x.csv"], "--steps"),
    "bad base lr": (["torch.StepLR", "--base-lr", "-1", "--out", "x.csv"], "base_lr"),
    "no out": (["torch.StepLR"], "--out"),
    "no name": (["--out", "x.png"], "NAME"),
    "unknown option": (["torch.StepLR", "--bogus", "--out", "x.png"], "--bogus"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors(case, tmp_path):
    args, fragment = ERRORS[case]
    args = [str(tmp_path / a) if a.startswith("x") and a != "x" and "." in a else a for a in args]
    args = [str(tmp_path / "x") if a == "x" else a for a in args]
    proc = run(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith("error: "), proc.stderr
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1                   # one line
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []                 # nothing written


def test_unwritable_path(tmp_path):
    proc = run("torch.StepLR", "--out", str(tmp_path / "missing" / "x.csv"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: cannot write") and "Traceback" not in proc.stderr
