"""Reading user-uploaded CSVs for the playground pages, with one clear sentence for every bad file.

* :func:`read_lr_loss` reads the (lr, loss) table of the user's own LR range test (the LR range test page).
* :func:`read_metric` reads a metric series, e.g. the validation loss per epoch (the plateau page, to drive
  ReduceLROnPlateau).
* :func:`sample_lr_loss_csv` and :func:`sample_metric_csv` make small valid example files ("download an example").

A bad upload never crashes: every problem raises :class:`UploadError` (a ``ValueError``) whose message is one
sentence, meant to be shown as is, naming the row and column and what was expected. What was handled silently
(an index column ignored, rows dropped after a divergence, ...) is listed in the result's ``notes``.

Row and column numbers are the ones a spreadsheet shows when it opens the file: row N is the N-th line of the file
(the header is row 1 when it is the first line; blank lines and ``#`` comment lines are rows too, since a
spreadsheet shows them), and columns without a header are named by their letter (column A is the first).

What is accepted:

* UTF-8 text, with or without a byte-order mark; UTF-16 with a byte-order mark (Excel's "Unicode text"); a file
  that is not UTF-8 but reads as Windows-1252 (Excel on Windows) is read as such, with a note. Anything else (a
  workbook, an image, ...) is refused: "The file is not text (UTF-8): is it a CSV?".
* Line ends LF, CRLF or CR; blank lines and lines starting with ``#`` are skipped.
* Delimiter sniffed from the first lines: tab, semicolon, comma, else runs of whitespace (else one column). With a
  tab or semicolon delimiter, decimal commas (``0,001``) are read as decimal points.
* A header row, detected when the first line has text where the next line has numbers; column names are matched
  case-insensitively, with ``-`` and spaces read as ``_`` (``Learning Rate`` is ``learning_rate``).
* An index column written by pandas ``to_csv`` (a first column with an empty name or ``Unnamed: 0``) is ignored.
* Numbers as Python's ``float`` reads them (``1e-3``, ``nan``, ``inf``), and ``tensor(2.30)`` as printed by torch
  (a list of fastai or torch-lr-finder losses dumped without ``.item()``).
"""

from __future__ import annotations

import csv
import gc
import math
import re
from dataclasses import dataclass, field

import numpy as np

MB = 1024 * 1024
LR_LOSS_MAX_BYTES = 5 * MB
LR_LOSS_MAX_ROWS = 100_000
LR_LOSS_MIN_ROWS = 10  # the range-test suggestions skip the first tenth and the last 5 points
METRIC_MAX_BYTES = 20 * MB
METRIC_MAX_ROWS = 1_000_000
METRIC_MIN_ROWS = 2

# Names are compared after _norm(): lower case, "-" and whitespace runs as "_".
LR_NAMES = ("lr", "learning_rate", "lrs")
LOSS_NAMES = ("loss", "smooth_loss", "smoothed_loss", "train_loss", "losses")  # as listed in messages
LOSS_PREFERENCE = ("smooth_loss", "smoothed_loss", "loss", "losses", "train_loss", "training_loss")  # smoothed first
METRIC_NAMES = (  # preference order: validation metrics first, as ReduceLROnPlateau usually watches them
    "val_loss", "eval_loss", "validation_loss", "valid_loss", "test_loss",
    "val_acc", "val_accuracy", "eval_accuracy", "eval_acc", "valid_acc", "validation_accuracy",
    "accuracy", "acc", "loss", "train_loss", "training_loss", "metric", "value",
)  # fmt: skip
X_NAMES = ("epoch", "epochs", "step", "steps", "global_step", "iteration", "iter", "x")
_MAX_HINTS = ("acc", "f1", "auc", "bleu", "rouge", "precision", "recall", "map", "iou", "dice", "r2", "score")
_MIN_HINTS = ("loss", "err", "perplexity", "ppl", "mse", "mae", "rmse", "wer", "cer", "nll")

_MISSING = frozenset({"", "na", "n/a", "null", "none", "#n/a"})  # lower-cased cell texts that mean "no value"
_TENSOR = re.compile(r"^tensor\(\s*([^,()\s]+)\s*(?:,.*)?\)$", re.DOTALL)
_DECIMAL_COMMA = re.compile(r"^[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?$")
_LINE_END = re.compile(r"\r\n|\r|\n")
_SNIFF_LINES = 50


class UploadError(ValueError):
    """A bad upload: the message is one sentence for the user (row numbers as a spreadsheet shows them)."""


@dataclass(frozen=True, eq=False)
class LrLossTable:
    """An LR range test read from a file: ``lrs[i]`` and ``losses[i]`` come from spreadsheet row ``rows[i]``."""

    lrs: np.ndarray  # float64, finite, > 0, non-decreasing
    losses: np.ndarray  # float64, all finite (rows from the first non-finite loss on are dropped, see notes)
    lr_column: str  # the header name used, or "column A" without a header
    loss_column: str
    rows: np.ndarray  # int64 spreadsheet row number of each point
    notes: list[str] = field(default_factory=list)  # what was handled silently, one sentence each
    name: str = "upload"

    def __len__(self) -> int:
        return int(self.lrs.size)


@dataclass(frozen=True, eq=False)
class MetricTable:
    """A metric series read from a file: ``values[i]`` is what ``scheduler.step(metric)`` receives at step ``i``."""

    values: np.ndarray  # float64: finite or NaN (a NaN is "not better": a bad epoch for ReduceLROnPlateau)
    column: str  # the header name used, or "column B" without a header
    x: np.ndarray | None = None  # float64 epoch/step counter when the file has one
    x_column: str | None = None
    mode_hint: str | None = None  # "min" or "max" when the column name says (loss: min; accuracy: max)
    rows: np.ndarray | None = None  # int64 spreadsheet row number of each value
    notes: list[str] = field(default_factory=list)
    name: str = "upload"

    def __len__(self) -> int:
        return int(self.values.size)


# --------------------------------------------------------------------------------------------------- the reading


@dataclass
class _Grid:
    header: list[str] | None  # cleaned names, when the file has a header row
    rows: list[list[str]]  # data cells as written (not stripped)
    row_nos: list[int]  # spreadsheet row number of each data row
    decimal_comma: bool  # tab or semicolon delimiter: "0,5" may be a decimal comma
    index_col: int | None  # a pandas index column to ignore
    notes: list[str]


def _letter(j: int) -> str:
    """Spreadsheet column letter: 0 -> A, 25 -> Z, 26 -> AA."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _show(cell: str, limit: int = 40) -> str:
    cell = cell.strip()
    return cell if len(cell) <= limit else cell[: limit - 1] + "…"


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] and cell[0] in "\"'":
        cell = cell[1:-1].strip()
    return cell


def _num(cell: str, decimal_comma: bool, kinds: set | None = None) -> float | None:
    """The number in a cell, or None. ``kinds`` collects "tensor" / "comma" when those forms were read."""
    try:
        return float(cell)
    except ValueError:
        pass
    c = _unquote(cell)
    try:
        return float(c)
    except ValueError:
        pass
    m = _TENSOR.match(c)
    if m:
        try:
            v = float(m.group(1))
        except ValueError:
            return None
        if kinds is not None:
            kinds.add("tensor")
        return v
    if decimal_comma and _DECIMAL_COMMA.match(c):
        if kinds is not None:
            kinds.add("comma")
        return float(c.replace(",", "."))
    return None


def _rows(row_nos: np.ndarray) -> str:
    """'row 7' or 'rows 3, 4, 9, 12, 15, ...': the first five spreadsheet rows of a selection."""
    shown = ", ".join(str(r) for r in row_nos[:5]) + (", ..." if row_nos.size > 5 else "")
    return f"row{'s' if row_nos.size != 1 else ''} {shown}"


def _is_missing(cell: str) -> bool:
    return _unquote(cell).lower() in _MISSING


def _decode(data: bytes, max_bytes: int) -> tuple[str, list[str]]:
    if len(data) > max_bytes:
        raise UploadError(
            f"The file is {len(data) / MB:.1f} MB ({len(data):,} bytes); the limit is {max_bytes // MB} MB "
            f"({max_bytes:,} bytes)."
        )
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM: Excel's "Unicode text"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UploadError("The file is not text (UTF-8): is it a CSV?") from None
        notes.append("Read the file as UTF-16 text.")
    elif data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UploadError("The file is a spreadsheet workbook or an archive, not text: save it as CSV (UTF-8).")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise UploadError("The file is not text (UTF-8): is it a CSV?") from None
            if re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text):
                raise UploadError("The file is not text (UTF-8): is it a CSV?") from None
            notes.append("The file is not UTF-8: read it as Windows-1252 text.")
    if "\x00" in text:
        raise UploadError("The file is not text (UTF-8): is it a CSV?")
    if not text.strip().lstrip("\ufeff").strip():
        raise UploadError("The file is empty.")
    return text, notes


def _splitter(sample: list[str]):
    """A function line -> cells, for the delimiter of the first lines (tab, semicolon, comma, whitespace, none)."""
    first = sample[0]
    half = len(sample) / 2
    for delim in ("\t", ";", ","):
        if delim in first and sum(delim in s for s in sample) >= half:
            break
    else:
        if len(first.split()) >= 2 and sum(len(s.split()) >= 2 for s in sample) >= half:
            return (lambda line: line.split()), False, lambda line: not line.strip()
        return (lambda line: [line]), False, lambda line: not line.strip()

    def split(line: str, d=delim) -> list[str]:
        if '"' in line:
            try:
                return next(csv.reader([line], delimiter=d))
            except csv.Error as err:  # e.g. a quoted cell over csv's field limit (128 KiB)
                raise UploadError(f"A line could not be read as CSV ({err}): is it a table of numbers?") from None
        return line.split(d)

    return split, delim != ",", lambda line, d=delim: not line.replace(d, "").replace('"', "").strip()


def _read_grid(data: bytes, *, max_bytes: int, max_rows: int) -> _Grid:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) <= max_bytes and not data.strip():
        raise UploadError("The file is empty.")
    text, notes = _decode(data, max_bytes)  # refuses a file over max_bytes first
    lines = _LINE_END.split(text) if "\r" in text else text.split("\n")
    content = [(i + 1, ln) for i, ln in enumerate(lines) if (s := ln.lstrip()) and s[0] != "#"]
    if not content:
        raise UploadError("The file has no data: only blank lines and comments (lines starting with #).")
    split, decimal_comma, blank = _splitter([ln for _, ln in content[:_SNIFF_LINES]])
    content = [(n, ln) for n, ln in content if not blank(ln)]  # ",,," rows: empty spreadsheet rows
    if not content:
        raise UploadError("The file has no data: every row is empty.")

    first = split(content[0][1])
    second = split(content[1][1]) if len(content) > 1 else None

    def texty(j: int, cell: str) -> bool:
        if _is_missing(cell) or _num(cell, decimal_comma) is not None:
            return False
        if second is None or j >= len(second):
            return True
        return _is_missing(second[j]) or _num(second[j], decimal_comma) is not None

    has_header = any(texty(j, c) for j, c in enumerate(first))
    n_data = len(content) - has_header
    if n_data > max_rows:
        raise UploadError(f"The file has {n_data:,} rows of data; the limit is {max_rows:,}.")
    if n_data == 0:
        raise UploadError("The file has a header row but no data rows.")

    header = None
    index_col = None
    if has_header:
        header = [_unquote(c).lstrip("\ufeff").strip() for c in first]
        while len(header) > 1 and header[-1] == "":  # a trailing delimiter on the header line
            header.pop()
        if len(header) > 1 and (header[0] == "" or _norm(header[0]).startswith("unnamed:_0")):
            index_col = 0
            notes.append("Ignored the unnamed first column (an index written by pandas to_csv).")
        content = content[1:]
    gc_was_on = gc.isenabled()
    gc.disable()  # a million small lists: the cyclic collector alone would take seconds, and they hold no cycles
    try:
        rows = [split(ln) for _, ln in content]
    finally:
        if gc_was_on:
            gc.enable()
    return _Grid(header, rows, [n for n, _ in content], decimal_comma, index_col, notes)


def _column(grid: _Grid, j: int, label: str, *, missing: str) -> tuple[np.ndarray, list[str]]:
    """Column ``j`` as float64 and its cells as written. ``missing``: "error", "nan" (empty cell = NaN, as pandas
    writes NaN) or "skip" (NaN too; the caller drops those rows, found with _missing_mask)."""
    try:  # the fast path: every row has the cell, and every cell is a plain number
        cells = [row[j] for row in grid.rows]
        return np.fromiter(map(float, cells), np.float64, len(cells)), cells
    except (IndexError, ValueError):
        pass
    out = np.empty(len(grid.rows), dtype=np.float64)
    cells = []
    kinds: set[str] = set()
    for i, row in enumerate(grid.rows):
        if j >= len(row):
            raise UploadError(f"Row {grid.row_nos[i]} has no value in {label}: it has only {len(row)} cell(s).")
        cell = row[j]
        cells.append(cell)
        try:
            out[i] = float(cell)
            continue
        except ValueError:
            pass
        v = _num(cell, grid.decimal_comma, kinds)
        if v is None:
            if _is_missing(cell):
                if missing == "error":
                    what = "is empty" if not _unquote(cell) else f"has no value ({_show(cell)!r})"
                    raise UploadError(f"Row {grid.row_nos[i]}, {label} {what}: a number is expected.")
                v = math.nan
            else:
                raise UploadError(f"Row {grid.row_nos[i]}, {label}: {_show(cell)!r} is not a number.")
        out[i] = v
    if "tensor" in kinds:
        _note_once(grid.notes, "Read values written as tensor(...) as plain numbers.")
    if "comma" in kinds:
        _note_once(grid.notes, "Read decimal commas (0,5) as decimal points.")
    return out, cells


def _note_once(notes: list[str], note: str) -> None:
    if note not in notes:
        notes.append(note)


def _find(names: list[str], wanted: tuple[str, ...], skip: int | None) -> list[int]:
    """Indices of the columns whose name is in ``wanted``, in ``wanted``'s order of preference."""
    normed = [_norm(n) if j != skip else "" for j, n in enumerate(names)]
    return [j for w in wanted for j, n in enumerate(normed) if n == w]


def _found(names: list[str], skip: int | None) -> str:
    shown = [n if n else "(unnamed)" for j, n in enumerate(names) if j != skip]
    return ", ".join(shown) if shown else "no named columns"


def _or_list(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1]


def _name(grid: _Grid, j: int) -> str:
    """The header name of column ``j``, or ``column C`` when it has none."""
    if grid.header is not None and j < len(grid.header) and grid.header[j]:
        return grid.header[j]
    return f"column {_letter(j)}"


def _label(grid: _Grid, j: int) -> str:
    """Column ``j`` for a message: ``column 'loss'`` or ``column B``."""
    if grid.header is not None and j < len(grid.header) and grid.header[j]:
        return f"column '{grid.header[j]}'"
    return f"column {_letter(j)}"


def _numeric_columns(grid: _Grid) -> list[int]:
    """Columns whose first cell with a value (among the first 50 rows) is a number; the first row says how many
    columns there are."""
    out = []
    for j in range(len(grid.rows[0])):
        if j == grid.index_col:
            continue
        cell = next((r[j] for r in grid.rows[:_SNIFF_LINES] if j < len(r) and not _is_missing(r[j])), None)
        if cell is not None and _num(cell, grid.decimal_comma) is not None:
            out.append(j)
    return out


def _is_counter(values: np.ndarray | None, start: tuple[int, ...] | None = None) -> bool:
    """Whole numbers, strictly increasing (an epoch or step column); ``start``: allowed first values."""
    if (
        values is None
        or values.size < 2
        or not np.isfinite(values).all()
        or not np.array_equal(values, np.round(values))
    ):
        return False
    if start is not None and values[0] not in start:
        return False
    return bool((np.diff(values) > 0).all())


def _try_column(grid: _Grid, j: int) -> np.ndarray | None:
    try:
        v, _ = _column(grid, j, "", missing="nan")
    except UploadError:
        return None
    return v


# --------------------------------------------------------------------------------------------- the range test


def read_lr_loss(data: bytes, *, name: str = "upload") -> LrLossTable:
    """Read an LR range test: a table of (lr, loss), at least 10 rows, at most 100,000 rows and 5 MB.

    Columns by header name (case-insensitive): the lr from ``lr``, ``learning_rate`` (or ``learning rate``) or
    ``lrs``; the loss from ``smooth_loss``, ``smoothed_loss``, ``loss``, ``losses``, ``train_loss`` (the first found
    in this order: a smoothed loss is preferred, and the note says which was used when there was a choice). This
    reads torch-lr-finder's ``history`` dumped with pandas (columns ``lr``, ``loss``, plus the index) and fastai's
    recorder (``lrs``, ``losses``). Without a header row: the first two numeric columns (after an index column
    0, 1, 2, ... when there are three or more).

    Rules: every lr is a finite number > 0 (the plot is on a log axis) and the lr never goes down (a range test
    sweeps upward; equal neighbours are fine, a constant lr is not). The first row's loss must be finite; from the
    first non-finite loss on (NaN, inf, or an empty cell, which is how pandas writes NaN) the run has diverged and
    those rows are dropped, with a note. At least 10 rows must remain, since the suggestions skip the first tenth
    and the last 5 points. Row numbers in messages are the spreadsheet's (the header is row 1).
    """
    grid = _read_grid(data, max_bytes=LR_LOSS_MAX_BYTES, max_rows=LR_LOSS_MAX_ROWS)
    notes = grid.notes
    if grid.header is not None:
        names = grid.header
        lr_js = _find(names, LR_NAMES, grid.index_col)
        if not lr_js:
            raise UploadError(
                f"No lr column: expected a column named {_or_list(LR_NAMES)} (found: {_found(names, grid.index_col)})."
            )
        loss_js = [j for j in _find(names, LOSS_PREFERENCE, grid.index_col) if j != lr_js[0]]
        if not loss_js:
            raise UploadError(
                f"No loss column: expected a column named {_or_list(LOSS_NAMES)} "
                f"(found: {_found(names, grid.index_col)})."
            )
        lr_j, loss_j = lr_js[0], loss_js[0]
        if len(loss_js) > 1:
            others = ", ".join(f"'{names[j]}'" for j in loss_js[1:])
            notes.append(f"Used the loss column '{names[loss_j]}' (also found: {others}).")
        lr_label, loss_label = f"column '{names[lr_j]}'", f"column '{names[loss_j]}'"
        lr_name, loss_name = names[lr_j], names[loss_j]
    else:
        numeric = _numeric_columns(grid)
        if len(numeric) >= 3:
            first = _try_column(grid, numeric[0])
            if first is not None and _is_counter(first, start=(0, 1)) and np.all(np.diff(first) == 1):
                notes.append(f"Ignored column {_letter(numeric[0])}: it counts rows (an index).")
                numeric = numeric[1:]
        if len(numeric) < 2:
            raise UploadError(
                f"Expected two columns of numbers, the lr then the loss, but row {grid.row_nos[0]} has "
                f"{len(numeric)} number{'s' if len(numeric) != 1 else ''}."
            )
        lr_j, loss_j = numeric[0], numeric[1]
        lr_name, loss_name = f"column {_letter(lr_j)}", f"column {_letter(loss_j)}"
        lr_label, loss_label = lr_name, loss_name
        notes.append(f"No header row: read {lr_name} as the lr and {loss_name} as the loss.")

    lrs, lr_cells = _column(grid, lr_j, lr_label, missing="error")
    losses, loss_cells = _column(grid, loss_j, loss_label, missing="nan")
    row_nos = np.asarray(grid.row_nos, dtype=np.int64)
    n = lrs.size
    if n < LR_LOSS_MIN_ROWS:
        raise UploadError(
            f"The file has {n} row{'s' if n != 1 else ''} of data; at least {LR_LOSS_MIN_ROWS} are needed, "
            "because the suggestions skip the first tenth and the last 5 points."
        )

    bad = ~np.isfinite(lrs) | (lrs <= 0)
    if bad.any():
        i = int(np.argmax(bad))
        if not np.isfinite(lrs[i]):
            raise UploadError(f"The lr must be a finite number: row {row_nos[i]} has lr = {_show(lr_cells[i])}.")
        raise UploadError(
            f"The lr must be positive for the log-scale plot: row {row_nos[i]} has lr = {_show(lr_cells[i])}."
        )
    down = np.diff(lrs) < 0
    if down.any():
        i = int(np.argmax(down)) + 1
        raise UploadError(
            f"The lr goes down at row {row_nos[i]} ({_show(lr_cells[i])} after {_show(lr_cells[i - 1])}): a range "
            "test sweeps the lr upward, so the rows must be in increasing lr order."
        )
    if lrs[-1] == lrs[0]:
        raise UploadError(
            f"The lr never changes (every row has lr = {_show(lr_cells[0])}): a range test sweeps the lr upward."
        )

    def shown(i: int) -> str:
        return _show(loss_cells[i]) if _unquote(loss_cells[i]) else "empty"

    if not np.isfinite(losses[0]):
        what = f"is {shown(0)}" if _unquote(loss_cells[0]) else "is empty"
        raise UploadError(f"The first row's loss must be a finite number: row {row_nos[0]}, {loss_label} {what}.")
    finite = np.isfinite(losses)
    if not finite.all():
        cut = int(np.argmin(finite))
        if cut < LR_LOSS_MIN_ROWS:
            raise UploadError(
                f"Only {cut} row{'s' if cut != 1 else ''} come before the loss becomes {shown(cut)} at row "
                f"{row_nos[cut]}; at least {LR_LOSS_MIN_ROWS} are needed, because the suggestions skip the first "
                "tenth and the last 5 points."
            )
        dropped = n - cut
        later = int(finite[cut:].sum())
        notes.append(
            f"Dropped {dropped} row{'s' if dropped != 1 else ''} from row {row_nos[cut]} on, where the loss became "
            f"{shown(cut)} (the run diverged)"
            + (f", including {later} finite value{'s' if later != 1 else ''} after it." if later else ".")
        )
        lrs, losses, row_nos = lrs[:cut], losses[:cut], row_nos[:cut]
    for a in (lrs, losses, row_nos):
        a.setflags(write=False)
    return LrLossTable(lrs, losses, lr_name, loss_name, row_nos, notes, name)


# ------------------------------------------------------------------------------------------------- the metric


def _mode_hint(column: str) -> str | None:
    n = _norm(column)
    if any(h in n for h in _MIN_HINTS):
        return "min"
    if any(h in n for h in _MAX_HINTS):
        return "max"
    return None


def read_metric(data: bytes, *, name: str = "upload") -> MetricTable:
    """Read a metric series (e.g. the validation loss per epoch): at least 2 values, at most 1,000,000 rows, 20 MB.

    The column: the first header name found among ``val_loss``, ``eval_loss``, ``validation_loss``, ``valid_loss``,
    ``test_loss``, ``val_acc``, ``val_accuracy``, ``eval_accuracy``, ``eval_acc``, ``accuracy``, ``acc``, ``loss``,
    ``train_loss``, ``metric``, ``value`` (case-insensitive, validation metrics first); else the only numeric
    column; else, with two numeric columns of which the first counts (whole numbers, increasing: an epoch or step),
    the second. A column named ``epoch``, ``step``, ``global_step``, ``iteration``, ... (or that counter) becomes
    ``x``. The same rules apply without a header row, the columns then being named by letter.

    Values: ``nan`` written in the file is kept (ReduceLROnPlateau treats NaN as not better than the best, so it
    counts as a bad epoch) and noted; rows where the metric cell is empty (``""``, ``NA``, ``null``) are skipped and
    noted, as in a log that writes the validation loss on some rows only (Lightning's ``metrics.csv``); ``inf`` is
    refused with its row number. Row numbers in messages are the spreadsheet's (the header is row 1).

    ``mode_hint`` says which way is better when the header name tells: "min" for a loss, error or perplexity,
    "max" for an accuracy, F1, AUC, BLEU, ... (ReduceLROnPlateau's ``mode``); None otherwise or without a header.
    """
    grid = _read_grid(data, max_bytes=METRIC_MAX_BYTES, max_rows=METRIC_MAX_ROWS)
    notes = grid.notes
    x_j = None
    numeric = _numeric_columns(grid)
    if grid.header is not None:
        names = grid.header
        found = _find(names, METRIC_NAMES, grid.index_col)
        x_named = _find(names, X_NAMES, grid.index_col)
        if found:
            j = found[0]
            if len(found) > 1:
                others = ", ".join(f"'{names[k]}'" for k in found[1:])
                notes.append(f"Used the column '{names[j]}' (also found: {others}).")
            x_j = x_named[0] if x_named else None
        else:
            candidates = [k for k in numeric if k not in x_named]
            if len(candidates) == 1:
                j = candidates[0]
                x_j = x_named[0] if x_named else None
            elif len(candidates) == 2 and not x_named and _is_counter(_try_column(grid, candidates[0])):
                x_j, j = candidates
            else:
                shown = ", ".join(METRIC_NAMES[:6]) + ", loss, metric, ..."
                raise UploadError(
                    f"Which column is the metric: expected one named {shown} or a single column of numbers "
                    f"(found: {_found(names, grid.index_col)})."
                )
    else:
        if len(numeric) == 1:
            j = numeric[0]
        elif len(numeric) == 2 and _is_counter(_try_column(grid, numeric[0])):
            x_j, j = numeric
        else:
            raise UploadError(
                f"Which column is the metric: the file has no header row and {len(numeric)} columns of numbers; "
                "add a header row naming the metric column (e.g. val_loss)."
            )
        notes.append(
            f"No header row: read column {_letter(j)} as the metric"
            + (f" and column {_letter(x_j)} as the step." if x_j is not None else ".")
        )
    column = _name(grid, j)
    label = _label(grid, j)

    values, cells = _column(grid, j, label, missing="skip")
    row_nos = np.asarray(grid.row_nos, dtype=np.int64)
    inf = np.isinf(values)
    if inf.any():
        i = int(np.argmax(inf))
        raise UploadError(
            f"Row {row_nos[i]}, {label} is {_show(cells[i])}: only finite numbers, or nan for a missing value, "
            "are allowed."
        )
    empty = np.zeros(values.size, dtype=bool)
    for i in np.flatnonzero(np.isnan(values)):
        empty[i] = _is_missing(cells[i])
    if empty.any():
        k = int(empty.sum())
        notes.append(
            f"Skipped {k:,} row{'s' if k != 1 else ''} where {label} is empty ({_rows(row_nos[empty])}); "
            "write nan to keep a missing value as NaN."
        )
        keep = ~empty
        values, row_nos = values[keep], row_nos[keep]
        grid.rows = [r for r, kp in zip(grid.rows, keep) if kp]
        grid.row_nos = row_nos.tolist()
    n = values.size
    if n < METRIC_MIN_ROWS:
        raise UploadError(
            f"The file has {n} value{'s' if n != 1 else ''} in {label}; at least {METRIC_MIN_ROWS} are needed."
        )
    nan = np.isnan(values)
    if nan.all():
        raise UploadError(f"Every value in {label} is nan: there is nothing to follow.")
    if nan.any():
        k = int(nan.sum())
        notes.append(
            f"{k:,} value{'s are' if k != 1 else ' is'} nan ({_rows(row_nos[nan])}): ReduceLROnPlateau "
            "treats NaN as not better than the best, so each counts as a bad epoch."
        )

    x = x_column = None
    if x_j is not None:
        x_name = _name(grid, x_j)
        xv = _try_column(grid, x_j)
        if xv is None or not np.isfinite(xv).all():
            notes.append(f"Ignored the step column '{x_name}': it does not hold a number on every row.")
        else:
            x, x_column = xv, x_name
            x.setflags(write=False)

    hint = _mode_hint(column) if grid.header is not None else None
    values.setflags(write=False)
    row_nos.setflags(write=False)
    return MetricTable(values, column, x, x_column, hint, row_nos, notes, name)


# ----------------------------------------------------------------------------------------------- the examples


def sample_lr_loss_csv() -> bytes:
    """A small valid range test (header ``lr,loss``, 100 rows): the lr sweeps 1e-7 to 10 geometrically; the loss
    starts at ln(10) ≈ 2.30 (10 classes, as the digits), falls steepest near lr 3e-4, bottoms out near lr 0.01
    and explodes past 0.1 (to about 90 at lr 10). Deterministic: an analytic curve with a fixed wiggle, written
    with 6 significant digits."""
    lines = ["lr,loss"]
    n = 100
    for i in range(n):
        x = -7.0 + 8.0 * i / (n - 1)  # log10(lr)
        lr = 10.0**x
        fall = 1.95 / (1.0 + math.exp(-2.0 * (x + 3.5)))
        explode = 0.05 * math.exp(3.0 * (x + 1.5))
        wiggle = 0.015 * math.sin(2.7 * i)
        lines.append(f"{lr:.6g},{math.log(10) - fall + explode + wiggle:.6g}")
    return ("\n".join(lines) + "\n").encode()


def sample_metric_csv() -> bytes:
    """A small valid metric file (header ``epoch,val_loss``, epochs 1-40): the validation loss falls from 1.7
    and plateaus near 0.30 from epoch 20 on, with a small fixed wiggle, as a run ready for ReduceLROnPlateau."""
    lines = ["epoch,val_loss"]
    for epoch in range(1, 41):
        wiggle = 0.006 * (((epoch * 37) % 7) - 3) / 3
        lines.append(f"{epoch},{0.30 + 1.4 * math.exp(-(epoch - 1) / 4.0) + wiggle:.4f}")
    return ("\n".join(lines) + "\n").encode()
