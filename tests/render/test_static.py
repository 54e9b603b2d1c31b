"""static_image: PNG/SVG/PDF signatures, size, determinism (also across processes), options."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import schedules
from render import Curve, static_image

from .curves import curve

ROOT = Path(__file__).resolve().parents[2]
SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-"}


def sample() -> list[Curve]:
    n = 100_000
    return [curve("torch.SequentialLR", n), curve("torch.StepLR", n), curve("torch.OneCycleLR", n, dash="dash")]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_formats_signature_size_and_determinism(fmt):
    curves = sample()
    start = time.perf_counter()
    first = static_image(curves, fmt, title="Three schedules")
    elapsed = time.perf_counter() - start
    second = static_image(curves, fmt, title="Three schedules")
    print(f"\nstatic_image {fmt}: {len(first) / 1e3:.1f} KB, {elapsed * 1e3:.0f} ms")
    assert first.startswith(SIGNATURES[fmt])
    assert first == second, "same input, same bytes"
    assert 5_000 < len(first) < 400_000
    if fmt == "svg":
        assert b"<svg" in first and b"Date" not in first
    if fmt == "pdf":
        assert b"CreationDate" not in first and first.rstrip().endswith(b"%%EOF")


def test_png_pixel_size_follows_size_and_dpi():
    png = static_image(sample()[:1], "png", size=(6.0, 3.0), dpi=100)
    width, height = struct.unpack(">II", png[16:24])        # IHDR
    assert (width, height) == (600, 300)
    assert b"matplotlib" not in png.lower()                  # no software version in the metadata


def test_identical_bytes_across_processes():
    code = (  # run from the repository root: `python -c` puts the working directory first on sys.path
        "import hashlib\n"
        "from tests.render.test_static import sample\n"
        "from render import static_image\n"
        "print(' '.join(hashlib.sha256(static_image(sample(), f, title='Three schedules')).hexdigest()"
        " for f in ('png', 'svg', 'pdf')))\n"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           timeout=120).stdout.split()
    here = [hashlib.sha256(static_image(sample(), f, title="Three schedules")).hexdigest()
            for f in ("png", "svg", "pdf")]
    assert other == here


def test_options_log_units_phases_and_notes():
    zero = curve("transformers.cosine", 10_000)             # starts at 0: the log note
    seq = curve("torch.SequentialLR", 10_000)
    svg = static_image([zero, seq], "svg", log_y=True, x_unit="epochs", steps_per_epoch=100)
    assert b"lr &lt;= 0 not shown on a log axis" in svg     # matplotlib keeps each text as a comment
    assert b"epoch" in svg and b"LinearLR" in svg
    svg = static_image([seq], "svg", x_unit="fraction")
    assert b"fraction of training" in svg and b"learning rate" in svg
    inf = schedules.compute("torch.LambdaLR", {"lr_lambda": "2.0 ** epoch"}, steps=2000)
    assert b"overflow" in static_image([Curve("2 ** epoch", inf)], "svg")
    one = static_image([seq], "png")
    assert one.startswith(SIGNATURES["png"])


def test_bad_arguments():
    c = [Curve("a", np.linspace(0.1, 0, 100))]
    with pytest.raises(ValueError, match="fmt"):
        static_image(c, "jpg")
    with pytest.raises(ValueError, match="steps_per_epoch"):
        static_image(c, "png", x_unit="epochs")


def test_render_does_not_import_streamlit_or_pyplot():
    code = ("import sys\n"
            "import render\n"
            "assert 'streamlit' not in sys.modules and 'matplotlib' not in sys.modules\n"
            "from render import static_image, Curve\n"
            "import numpy as np\n"
            "static_image([Curve('a', np.linspace(0.1, 0, 10))], 'png')\n"
            "assert 'streamlit' not in sys.modules and 'matplotlib.pyplot' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
