"""curves_csv and curves_json: full resolution, exact floats, epoch column, null for non-finite, speed."""

from __future__ import annotations

import csv
import io
import json
import time

import numpy as np
import pytest

import schedules
from render import Curve, curves_csv, curves_json

from .curves import curve, eight


def texts(x) -> list[str]:
    """The CSV text of each value of ``x``, through curves_csv itself."""
    body = curves_csv([Curve("v", np.asarray(x, dtype=np.float64))]).decode().splitlines()[1:]
    return [line.split(",", 1)[1] for line in body]


def test_csv_header_rows_and_exact_values():
    n = 200_000
    c = curve("torch.OneCycleLR", n)
    data = curves_csv([c])
    lines = data.decode().split("\n")
    assert lines[0] == "step,torch.OneCycleLR"
    assert lines[-1] == "" and len(lines) == n + 2             # header, n rows, final newline
    steps, values = zip(*(line.split(",") for line in lines[1:-1]))
    assert [int(s) for s in steps] == list(range(n))
    parsed = np.array([float(v) for v in values])
    np.testing.assert_array_equal(parsed, c.lr)               # exact round trip, not within a tolerance
    assert all(float(v) == x for v, x in zip(values[:1000], c.lr[:1000].tolist()))


def test_csv_epoch_column_and_several_curves():
    step = curve("torch.StepLR", 10_000)
    cyc = curve("torch.CyclicLR", 10_000)
    rows = list(csv.reader(io.StringIO(curves_csv([step, cyc], steps_per_epoch=391).decode())))
    assert rows[0] == ["step", "epoch", "torch.StepLR", "torch.CyclicLR"]
    assert len(rows) == 10_001
    body = np.array(rows[1:], dtype=np.float64)
    np.testing.assert_array_equal(body[:, 0], np.arange(10_000))
    np.testing.assert_array_equal(body[:, 1], np.arange(10_000) / 391)
    np.testing.assert_array_equal(body[:, 2], step.lr)
    np.testing.assert_array_equal(body[:, 3], cyc.lr)
    assert rows[1][:3] == ["0", "0.0", "0.1"]                  # readable: repr's text, not %.17g's


def test_csv_shorter_curves_leave_empty_cells_and_labels_are_quoted():
    a = Curve('lr, "warm"', np.array([0.1, 0.2, 0.3]))
    b = Curve("short", np.array([1e-5]))
    assert curves_csv([a, b]) == b'step,"lr, ""warm""",short\n0,0.1,1e-05\n1,0.2,\n2,0.3,\n'


def test_float_text_is_exact_and_matches_repr():
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2**63, 20_000, dtype=np.int64).view(np.float64)
    samples = [
        rng.random(20_000),                                                    # [0, 1)
        np.exp(rng.uniform(np.log(1e-300), np.log(1e300), 20_000)),             # every magnitude
        bits[np.isfinite(bits)],                                                # any finite bit pattern
        np.concatenate([[10.0**k, np.nextafter(10.0**k, 0), np.nextafter(10.0**k, 1e300)] for k in range(-300, 300)]),
        np.ldexp(1.0, np.arange(-1070, 1020)),                                  # powers of two, subnormals
        np.array([0.0, -0.0, 5e-324, 1e308, 0.1, 0.3, 1e-5, 1.5e-7, 100.0, 123.456, 1e16, 99999999999999.99,
                  2.4674151610781795e-13, -0.001]),
    ]
    for x in samples:
        out = texts(x)
        np.testing.assert_array_equal(np.array([float(s) for s in out]), x)   # exact round trip
        assert all(s == repr(v) for s, v in zip(out, x.tolist()))             # and repr's shortest digits
    assert texts([0.1, 1e-05, 100.0, 1.5e-07, 1e-4, 12345.678]) == ["0.1", "1e-05", "100.0", "1.5e-07", "0.0001",
                                                                     "12345.678"]


def test_csv_speed_1e6_rows():
    n = 1_000_000
    curves = eight(n)
    start = time.perf_counter()
    one = curves_csv(curves[:1])
    t1 = time.perf_counter() - start
    start = time.perf_counter()
    all8 = curves_csv(curves, steps_per_epoch=1000)
    t8 = time.perf_counter() - start
    print(f"\ncurves_csv 1e6 rows: 1 curve {t1 * 1e3:.0f} ms ({len(one) / 1e6:.1f} MB), "
          f"step+epoch+8 curves {t8 * 1e3:.0f} ms ({len(all8) / 1e6:.1f} MB)")
    assert one.count(b"\n") == n + 1 and all8.count(b"\n") == n + 1
    last = all8[all8.rindex(b"\n", 0, len(all8) - 1) + 1:-1].split(b",")
    assert [float(v) for v in last[2:]] == [c.lr[-1] for c in curves]
    assert t1 < 3 and t8 < 20


def test_json_exact_meta_and_null_for_inf():
    c = curve("torch.OneCycleLR", 50_000)
    inf = Curve("2 ** epoch", schedules.compute("torch.LambdaLR", {"lr_lambda": "2.0 ** epoch"}, steps=1100))
    assert np.isinf(inf.lr).any()
    meta = {"name": "torch.OneCycleLR", "params": {"max_lr": 0.1, "total_steps": np.int64(50_000)},
            "steps": 50_000, "base_lr": [0.1], "limit": float("inf"), "grid": np.array([1.5, 2.5])}
    data = curves_json([c, inf], meta=meta)
    doc = json.loads(data)                                        # strict: Infinity / NaN would not parse here
    json.loads(data, parse_constant=lambda s: pytest.fail(f"non-standard JSON constant {s}"))
    assert doc["meta"] == {"name": "torch.OneCycleLR", "params": {"max_lr": 0.1, "total_steps": 50_000},
                           "steps": 50_000, "base_lr": [0.1], "limit": None, "grid": [1.5, 2.5]}
    assert [x["label"] for x in doc["curves"]] == ["torch.OneCycleLR", "2 ** epoch"]
    np.testing.assert_array_equal(np.array(doc["curves"][0]["lr"]), c.lr)   # full resolution, exact
    lr = doc["curves"][1]["lr"]
    assert len(lr) == 1100
    assert [v is None for v in lr] == np.isinf(inf.lr).tolist()
    assert [v for v in lr if v is not None] == inf.lr[np.isfinite(inf.lr)].tolist()
    assert json.loads(curves_json([], meta={})) == {"meta": {}, "curves": []}
    assert json.loads(curves_json([Curve("é", np.array([0.5]))], meta={}))["curves"][0] == {"label": "é", "lr": [0.5]}
