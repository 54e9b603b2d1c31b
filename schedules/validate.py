"""Turn a user's parameter dict into validated values, or raise a ScheduleError that names the parameter."""

from __future__ import annotations

import difflib
import math
import numbers

from .errors import ScheduleError
from .spec import Param, Spec, interval_text

MAX_GROUPS = 64
MAX_NESTING = 8


def fail(spec: Spec, param: str | None, message: str, path: str = "") -> None:
    where = f"{path}{param}" if param else (path.rstrip(".") or None)
    prefix = f"{spec.name}: " + (f"{where}: " if where else "")
    raise ScheduleError(prefix + message, where)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _in_range(p: Param, x: float) -> bool:
    if p.low is not None and (x < p.low or (p.low_open and x == p.low)):
        return False
    if p.high is not None and (x > p.high or (p.high_open and x == p.high)):
        return False
    return True


def _number(spec: Spec, p: Param, value, path: str, label: str):
    """Validate one float or int value against the parameter's kind and range."""
    if not _is_number(value):
        fail(spec, label, f"must be {p.range_text()}, got {value!r}", path)
    x = float(value)
    if not math.isfinite(x):
        fail(spec, label, f"must be {p.range_text()} (finite), got {value!r}", path)
    if p.kind in ("int", "int_list"):
        if not x.is_integer():
            fail(spec, label, f"must be {p.range_text()}, got {value!r} (not an integer)", path)
        x = int(value)
    if not _in_range(p, x):
        fail(spec, label, f"must be {p.range_text()}, got {value!r}", path)
    return x


def _one_value(spec: Spec, p: Param, value, path: str, label: str, validate_child):
    if value is None:
        if p.nullable:
            return None
        fail(spec, label, f"must be {p.range_text()}, got null", path)
    kind = p.kind
    if kind in ("float", "int"):
        return _number(spec, p, value, path, label)
    if kind == "bool":
        if not isinstance(value, bool):
            fail(spec, label, f"must be true or false, got {value!r}", path)
        return value
    if kind == "bool_list":
        if isinstance(value, bool):
            return value
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, bool) for v in value):
            fail(spec, label, f"must be {p.range_text()}, got {value!r}", path)
        return tuple(value)
    if kind == "choice":
        if value not in p.choices or isinstance(value, bool):
            fail(spec, label, f"must be {p.range_text()}, got {value!r}", path)
        return value
    if kind == "int_list":
        if not isinstance(value, (list, tuple)):
            fail(spec, label, f"must be {p.range_text()}, got {value!r}", path)
        if not p.min_len <= len(value) <= p.max_len:
            fail(spec, label, f"must have {p.min_len} to {p.max_len} entries, got {len(value)}", path)
        return tuple(_number(spec, p, v, path, f"{label}[{i}]") for i, v in enumerate(value))
    if kind == "expr":
        from .expr import ExpressionError, parse_expression

        if not isinstance(value, str):
            fail(spec, label, f"must be {p.range_text()}, got {value!r}", path)
        try:
            return parse_expression(value)
        except ExpressionError as err:
            fail(spec, label, str(err), path)
    if kind == "schedule":
        return validate_child(value, f"{path}{label}.")
    if kind == "schedule_list":
        if not isinstance(value, (list, tuple)):
            fail(spec, label, f"must be {p.range_text()}, got {value!r}", path)
        if not p.min_len <= len(value) <= p.max_len:
            fail(spec, label, f"must hold {p.min_len} to {p.max_len} schedules, got {len(value)}", path)
        return tuple(validate_child(v, f"{path}{label}[{i}].") for i, v in enumerate(value))
    raise AssertionError(kind)


def validate_params(spec: Spec, params, n_groups: int, validate_child, path: str = "") -> dict:
    """Check ``params`` against ``spec``; return a full dict (defaults filled in, per-group values as tuples
    of length ``n_groups``). ``validate_child(value, path)`` validates nested schedules."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        fail(spec, None, f"params must be a dict of keyword arguments, got {type(params).__name__}", path)
    known = {p.name for p in spec.params}
    for key in params:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            valid = ", ".join(p.name for p in spec.params) or "none"
            fail(spec, str(key), f"unknown parameter{hint} (valid: {valid})", path)
    out = {}
    for p in spec.params:
        if p.name in params:
            value = params[p.name]
        elif p.required:
            fail(spec, p.name, f"is required: {p.range_text()}", path)
        else:
            value = p.default  # defaults go through the same checks, which also broadcasts them per group
        if p.per_group and isinstance(value, (list, tuple)) and p.kind not in ("int_list", "schedule_list"):
            if len(value) != n_groups:
                fail(spec, p.name, f"a list must have one value per parameter group ({n_groups}), "
                                   f"got {len(value)}", path)
            out[p.name] = tuple(_one_value(spec, p, v, path, f"{p.name}[{i}]", validate_child)
                                for i, v in enumerate(value))
        else:
            one = _one_value(spec, p, value, path, p.name, validate_child)
            out[p.name] = (one,) * n_groups if p.per_group and one is not None else one
    if spec.check is not None:
        try:
            spec.check(out, n_groups)
        except ScheduleError as err:
            # checks raise bare messages; give them the same "<spec>: <path>: " prefix as the rest
            fail(spec, err.param, str(err), path)
    return out


def check_range(name: str, value: float, low=None, high=None, low_open=False, high_open=False) -> None:
    """For a spec's ``check``: a cross-parameter bound, phrased like the per-parameter ones."""
    if (low is not None and (value < low or (low_open and value == low))) or \
            (high is not None and (value > high or (high_open and value == high))):
        raise ScheduleError(f"must be in {interval_text(low, high, low_open, high_open)}, "
                            f"got {value!r}", name)
