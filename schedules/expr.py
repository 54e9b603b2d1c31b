"""Safe user expressions of ``epoch`` for LambdaLR / MultiplicativeLR, without eval, exec or compile.

The text is parsed with ``ast.parse`` and only a small whitelist of nodes is accepted; every accepted node becomes
a closure over float64 numpy arrays. Where Python would raise for some epoch (division by zero, log(0), ...) each
value carries an int8 array of error codes instead, so that a branch Python never evaluates
(``1 / epoch if epoch > 0 else 1.0`` at epoch 0) does not raise here either.

>>> parse_expression("0.95 ** (epoch // 3)").evaluate(np.arange(4))
array([1.  , 1.  , 1.  , 0.95])
"""

from __future__ import annotations

import ast
import copy
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import ScheduleError
from .fastmath import powers_at

MAX_LENGTH = 300  # characters
MAX_NODES = 120  # AST expression nodes
MAX_INT_DIGITS = 20
CHUNK = 1 << 16  # epochs evaluated at a time


class ExpressionError(ScheduleError):
    """An expression that is not allowed, or that fails (as Python would) at some epoch."""


# Per-element error codes; 0 is fine. Codes are merged so that the one Python would raise first wins.
_MESSAGES = ("", "division by zero", "modulo by zero", "zero raised to a negative power", "log of a number <= 0",
             "log with base 1", "square root of a negative number", "negative number raised to a fractional power",
             "the result is not a number")
DIV, MOD, ZERO_POW, LOG, LOG_BASE_1, SQRT, NEG_POW, NAN = range(1, 9)

Errors = np.ndarray | None  # int8 codes broadcastable to the result, None when nothing failed (the fast path)
Node = Callable[[np.ndarray], tuple[np.ndarray, Errors]]


def _flag(bad, code: int) -> Errors:
    return np.where(bad, np.int8(code), np.int8(0)) if np.any(bad) else None


def _first(*errors: Errors) -> Errors:
    """Merge error codes, given in Python's evaluation order: the earliest failure of each element wins."""
    out = None
    for err in errors:
        if err is not None:
            out = err if out is None else np.where(out != 0, out, err)
    return out


def _only(err: Errors, evaluated) -> Errors:
    """Keep errors only where Python actually evaluates the operand (lazy `if`/`and`/`or`/comparison chains)."""
    return None if err is None else np.where(evaluated, err, np.int8(0))


def _pow(a, b):
    result = powers_at(a, b)  # `0.95 ** epoch`, the commonest lambda: 3 ms instead of np.power's 60 per 1e6
    if result is not None:
        return result, None
    result = np.power(a, b)
    nan = np.isnan(result)  # only a negative base with a fractional exponent gives a fresh NaN
    return result, _first(_flag((a == 0) & (b < 0), ZERO_POW), _flag(nan & (a < 0), NEG_POW) if nan.any() else None)


def _log(x, base=None):
    if base is None:
        return np.log(x), _flag(x <= 0, LOG)
    return np.log(x) / np.log(base), _first(_flag(x <= 0, LOG), _flag(base <= 0, LOG), _flag(base == 1, LOG_BASE_1))


def _pick(later_wins):
    """Python's min/max: keep the earlier argument unless a later one is strictly smaller/larger."""
    def pick(*args):
        out = args[0]
        for arg in args[1:]:
            out = np.where(later_wins(arg, out), arg, out)
        return out, None
    return pick


_min, _max = _pick(np.less), _pick(np.greater)


def _math(fn, domain_error=None, code=0):
    return lambda x: (fn(x), None if domain_error is None else _flag(domain_error(x), code))


_BINOPS = {
    ast.Add: lambda a, b: (a + b, None), ast.Sub: lambda a, b: (a - b, None), ast.Mult: lambda a, b: (a * b, None),
    ast.Div: lambda a, b: (a / b, _flag(b == 0, DIV)),
    ast.FloorDiv: lambda a, b: (np.floor_divide(a, b), _flag(b == 0, DIV)),
    ast.Mod: lambda a, b: (np.mod(a, b), _flag(b == 0, MOD)),
    ast.Pow: _pow,
}
_COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
            ast.Eq: np.equal, ast.NotEq: np.not_equal}
_UNARY = {ast.USub: np.negative, ast.UAdd: np.positive, ast.Not: lambda v: (v == 0).astype(np.float64)}
_SYMBOLS = {ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@",
            ast.Invert: "~", ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
# name -> (min args, max args or None for any, implementation, name in generated Python code)
_FUNCTIONS = {
    "cos": (1, 1, _math(np.cos), "math.cos"), "sin": (1, 1, _math(np.sin), "math.sin"),
    "tan": (1, 1, _math(np.tan), "math.tan"), "tanh": (1, 1, _math(np.tanh), "math.tanh"),
    "exp": (1, 1, _math(np.exp), "math.exp"), "log": (1, 2, _log, "math.log"),
    "log2": (1, 1, _math(np.log2, lambda x: x <= 0, LOG), "math.log2"),
    "log10": (1, 1, _math(np.log10, lambda x: x <= 0, LOG), "math.log10"),
    "sqrt": (1, 1, _math(np.sqrt, lambda x: x < 0, SQRT), "math.sqrt"),
    "abs": (1, 1, _math(np.abs), "abs"), "floor": (1, 1, _math(np.floor), "math.floor"),
    "ceil": (1, 1, _math(np.ceil), "math.ceil"), "min": (2, None, _min, "min"), "max": (2, None, _max, "max"),
    "clip": (3, 3, lambda x, lo, hi: _min(_max(x, lo)[0], hi), None),  # Python: min(max(x, lo), hi)
}
_CONSTANTS = {"pi": np.float64(np.pi), "e": np.float64(np.e)}
_EPOCH_NAMES = ("epoch", "step")
_FORBIDDEN = {
    ast.Attribute: "attribute access is", ast.Subscript: "indexing is", ast.Slice: "slicing is",
    ast.ListComp: "comprehensions are", ast.SetComp: "comprehensions are", ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "generator expressions are", ast.Lambda: "lambda is", ast.JoinedStr: "f-strings are",
    ast.NamedExpr: "assignment (:=) is", ast.Tuple: "tuples are", ast.List: "lists are", ast.Dict: "dicts are",
    ast.Set: "sets are", ast.Starred: "*args are", ast.Await: "await is", ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
}


def _checked(value, *errors: Errors):
    """A node's result; a NaN that appears here (inf - inf, sin(inf), ...) is an error at this node."""
    return value, _first(*errors, _flag(np.isnan(value), NAN))


class _Builder:
    """Validates the tree and turns each node into a closure ``epoch -> (value, errors)``."""

    def __init__(self, text: str):
        self.lines = text.split("\n")

    def where(self, node: ast.AST) -> str:
        line = self.lines[node.lineno - 1].encode()  # col_offset counts UTF-8 bytes
        column = len(line[: node.col_offset].decode(errors="ignore")) + 1
        return f"at column {column}" if len(self.lines) == 1 else f"at line {node.lineno}, column {column}"

    def fail(self, node: ast.AST, message: str):
        raise ExpressionError(f"{message} {self.where(node)}")

    def build(self, node: ast.AST) -> Node:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            if node.id in _EPOCH_NAMES:
                return lambda epoch: (epoch, None)
            if node.id in _CONSTANTS:
                value = _CONSTANTS[node.id]
                return lambda epoch: (value, None)
            if node.id in _FUNCTIONS:
                self.fail(node, f"function '{node.id}' must be called, e.g. {node.id}(epoch),")
            self.fail(node, f"unknown name '{node.id}' (allowed: epoch, step, pi, e, and {', '.join(_FUNCTIONS)})")
        if isinstance(node, (ast.BinOp, ast.UnaryOp)) and type(node.op) in _SYMBOLS:
            self.fail(node, f"operator '{_SYMBOLS[type(node.op)]}' is not allowed")
        if isinstance(node, ast.BinOp):
            op, left, right = _BINOPS[type(node.op)], self.build(node.left), self.build(node.right)

            def binop(epoch):
                (a, a_err), (b, b_err) = left(epoch), right(epoch)
                value, err = op(a, b)
                return _checked(value, a_err, b_err, err)
            return binop
        if isinstance(node, ast.UnaryOp):
            op, operand = _UNARY[type(node.op)], self.build(node.operand)

            def unary(epoch):
                value, err = operand(epoch)
                return op(value), err
            return unary
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.BoolOp):
            return self.boolop(node)
        if isinstance(node, ast.IfExp):
            test, body, orelse = self.build(node.test), self.build(node.body), self.build(node.orelse)

            def ifexp(epoch):
                (c, c_err), (b, b_err), (o, o_err) = test(epoch), body(epoch), orelse(epoch)
                chosen = c != 0
                return np.where(chosen, b, o), _first(c_err, _only(b_err, chosen), _only(o_err, ~chosen))
            return ifexp
        if isinstance(node, ast.Call):
            return self.call(node)
        self.fail(node, f"{_FORBIDDEN.get(type(node), type(node).__name__ + ' is')} not allowed")

    def constant(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            self.fail(node, f"{value} is not allowed")
        if isinstance(value, (str, bytes)):
            self.fail(node, "strings are not allowed")
        if isinstance(value, complex):
            self.fail(node, "complex numbers are not allowed")
        if isinstance(value, int) and len(str(abs(value))) > MAX_INT_DIGITS:
            self.fail(node, f"integer literal has more than {MAX_INT_DIGITS} digits")
        number = np.float64(value)
        if not np.isfinite(number):
            self.fail(node, "number literal is too large")
        return lambda epoch: (number, None)

    def compare(self, node: ast.Compare) -> Node:
        for op in node.ops:
            if type(op) in _SYMBOLS:
                self.fail(node, f"comparison '{_SYMBOLS[type(op)]}' is not allowed")
        first, ops = self.build(node.left), [_COMPARE[type(op)] for op in node.ops]
        rest = [self.build(c) for c in node.comparators]

        def compare(epoch):
            left, err = first(epoch)
            result = np.True_
            for op, operand in zip(ops, rest):
                right, right_err = operand(epoch)
                err = _first(err, _only(right_err, result))  # `a < b < c` skips c where a < b is false
                result, left = result & op(left, right), right
            return np.asarray(result, dtype=np.float64), err
        return compare

    def boolop(self, node: ast.BoolOp) -> Node:
        is_and, operands = isinstance(node.op, ast.And), [self.build(v) for v in node.values]

        def boolop(epoch):
            value, err = operands[0](epoch)
            for operand in operands[1:]:
                evaluated = (value != 0) if is_and else (value == 0)  # Python returns the deciding operand
                other, other_err = operand(epoch)
                value, err = np.where(evaluated, other, value), _first(err, _only(other_err, evaluated))
            return value, err
        return boolop

    def call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name):
            self.build(node.func)  # names the forbidden construct, e.g. attribute access or lambda
            self.fail(node, "only the listed functions can be called")
        name = node.func.id
        if name not in _FUNCTIONS:
            self.fail(node, f"calling '{name}' is not allowed (functions: {', '.join(_FUNCTIONS)})")
        if node.keywords:
            self.fail(node, f"keyword arguments are not allowed in {name}()")
        lo, hi, fn, _ = _FUNCTIONS[name]
        count = len(node.args)
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            self.fail(node, f"*args are not allowed in {name}()")
        if count < lo or (hi is not None and count > hi):
            expected = f"at least {lo}" if hi is None else str(lo) if lo == hi else f"{lo} to {hi}"
            self.fail(node, f"{name}() takes {expected} argument{'s' * (expected != '1')} ({count} given)")
        args = [self.build(arg) for arg in node.args]

        def call(epoch):
            values, errors = zip(*(arg(epoch) for arg in args))
            value, err = fn(*values)
            return _checked(value, *errors, err)
        return call


class _ToPython(ast.NodeTransformer):
    """Rewrites a validated tree for a plain-Python ``lambda epoch: ...`` that uses the math module."""

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in _CONSTANTS:
            return ast.Attribute(ast.Name("math", ast.Load()), node.id, ast.Load())
        return ast.Name("epoch" if node.id in _EPOCH_NAMES else node.id, ast.Load())

    def visit_Call(self, node: ast.Call) -> ast.expr:
        args = [self.visit(arg) for arg in node.args]
        if node.func.id == "clip":
            inner = ast.Call(ast.Name("max", ast.Load()), args[:2], [])
            return ast.Call(ast.Name("min", ast.Load()), [inner, args[2]], [])
        func = ast.parse(_FUNCTIONS[node.func.id][3], mode="eval").body
        return ast.Call(func, args, [])


@dataclass(frozen=True)
class Expression:
    """A validated expression; hashable and compared by its (stripped) text."""

    text: str
    _tree: ast.Expression = field(init=False, repr=False, compare=False)
    _root: Node = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.text, str):
            raise ExpressionError(f"expression must be text, not {type(self.text).__name__}")
        text = self.text.strip()
        if not text:
            raise ExpressionError("expression is empty")
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"expression is too long ({len(text)} characters, at most {MAX_LENGTH})")
        try:
            with warnings.catch_warnings(action="ignore"):  # e.g. SyntaxWarning "invalid decimal literal" for 1if
                tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            line = f"line {exc.lineno}, " if "\n" in text else ""
            where = f" at {line}column {exc.offset}" if exc.lineno and exc.offset else " at the end"
            raise ExpressionError(f"syntax error{where}: {exc.msg}") from None
        except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
            raise ExpressionError(f"cannot parse the expression ({type(exc).__name__})") from None
        nodes = sum(isinstance(node, ast.expr) for node in ast.walk(tree))
        if nodes > MAX_NODES:
            raise ExpressionError(f"expression is too complex ({nodes} parts, at most {MAX_NODES})")
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "_tree", tree)
        object.__setattr__(self, "_root", _Builder(text).build(tree.body))

    def __reduce__(self):  # the closures cannot be pickled; the text is enough to rebuild them
        return Expression, (self.text,)

    def evaluate(self, epoch: np.ndarray) -> np.ndarray:
        """The expression at each epoch as float64; raises ExpressionError where Python's lambda would fail."""
        epoch = np.asarray(epoch, dtype=np.float64)
        flat, result = epoch.reshape(-1), np.empty(epoch.size)
        with np.errstate(all="ignore"):
            # In chunks: a deep expression keeps one temporary per level alive, so memory stays bounded.
            for start in range(0, flat.size, CHUNK):
                part = flat[start: start + CHUNK]
                value, err = self._root(part)
                result[start: start + part.size] = value
                if err is not None and err.any():
                    index = np.argmax(np.broadcast_to(err, part.shape) != 0)
                    raise ExpressionError(f"{_MESSAGES[np.broadcast_to(err, part.shape)[index]]} "
                                          f"at epoch {_format(part[index])}")
        if np.isnan(result).any():  # only reachable through a NaN epoch
            raise ExpressionError(f"the result is not a number at epoch {_format(flat[np.isnan(result)][0])}")
        return result.reshape(epoch.shape)

    def python_source(self) -> str:
        """The body of an equivalent ``lambda epoch: ...`` for generated code (needs ``import math``)."""
        return ast.unparse(_ToPython().visit(copy.deepcopy(self._tree.body)))


def _format(epoch: float) -> str:
    return str(int(epoch)) if float(epoch).is_integer() else repr(float(epoch))


def parse_expression(text: str) -> Expression:
    """Validate ``text``; raises ExpressionError saying what is wrong and where."""
    return Expression(text)
