"""Uploaded CSVs: every error path with its message, the formats real tools write, and the example files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from playground.uploads import (
    LR_LOSS_MAX_BYTES,
    METRIC_MAX_BYTES,
    LrLossTable,
    MetricTable,
    UploadError,
    read_lr_loss,
    read_metric,
    sample_lr_loss_csv,
    sample_metric_csv,
)

LRS = [1e-6 * 3**i for i in range(12)]  # 1e-6 .. 0.177
LOSSES = [2.3 - 0.1 * i for i in range(12)]


def csv_text(header="lr,loss", rows=None, sep=","):
    rows = rows if rows is not None else [f"{a!r}{sep}{b!r}" for a, b in zip(LRS, LOSSES)]
    return "\n".join(([header] if header is not None else []) + rows) + "\n"


def lr_error(data) -> str:
    with pytest.raises(UploadError) as e:
        read_lr_loss(data.encode() if isinstance(data, str) else data)
    return str(e.value)


def metric_error(data) -> str:
    with pytest.raises(UploadError) as e:
        read_metric(data.encode() if isinstance(data, str) else data)
    return str(e.value)


# ------------------------------------------------------------------------------------------------ reading well


def test_plain_csv():
    t = read_lr_loss(csv_text().encode(), name="mine.csv")
    assert isinstance(t, LrLossTable) and t.name == "mine.csv" and len(t) == 12
    assert t.lrs.dtype == np.float64 and np.array_equal(t.lrs, LRS) and np.array_equal(t.losses, LOSSES)
    assert (t.lr_column, t.loss_column) == ("lr", "loss")
    assert t.rows.tolist() == list(range(2, 14))  # the header is row 1
    assert t.notes == []
    assert not t.lrs.flags.writeable
    assert issubclass(UploadError, ValueError)


def test_bom_crlf_and_case():
    data = ("\ufeff" + csv_text(header="LR,Loss")).replace("\n", "\r\n").encode()
    t = read_lr_loss(data)
    assert (t.lr_column, t.loss_column) == ("LR", "Loss") and np.array_equal(t.lrs, LRS)
    old_mac = csv_text().replace("\n", "\r").encode()  # CR only
    assert np.array_equal(read_lr_loss(old_mac).losses, LOSSES)


def test_semicolon_with_decimal_commas():
    rows = [f"{a:.6g};{b:.4f}".replace(".", ",") for a, b in zip(LRS, LOSSES)]
    t = read_lr_loss(csv_text(header="learning_rate;loss", rows=rows).encode())
    assert np.allclose(t.lrs, LRS, rtol=1e-6) and np.allclose(t.losses, LOSSES)
    assert t.notes == ["Read decimal commas (0,5) as decimal points."]
    rows = [f"{a!r};{b!r}" for a, b in zip(LRS, LOSSES)]  # points stay points, no note
    assert read_lr_loss(csv_text(header="lr;loss", rows=rows).encode()).notes == []


def test_tab_and_whitespace_and_aliases():
    t = read_lr_loss(csv_text(header="Learning Rate\tTrain Loss", sep="\t").encode())
    assert (t.lr_column, t.loss_column) == ("Learning Rate", "Train Loss") and np.array_equal(t.lrs, LRS)
    t = read_lr_loss(csv_text(header="lr   loss", sep="   ").encode())
    assert np.array_equal(t.losses, LOSSES)
    rows = [f"  {a!r} \t {b!r}" for a, b in zip(LRS, LOSSES)]  # mixed runs of whitespace
    assert np.array_equal(read_lr_loss(csv_text(header=None, rows=rows).encode()).lrs, LRS)


def test_quoted_cells_and_trailing_delimiter():
    rows = [f'"{a!r}","{b!r}",' for a, b in zip(LRS, LOSSES)]
    t = read_lr_loss(csv_text(header='"lr","loss",', rows=rows).encode())
    assert np.array_equal(t.lrs, LRS) and np.array_equal(t.losses, LOSSES)


def test_comments_and_blank_lines_count_as_rows():
    rows = [f"{a!r},{b!r}" for a, b in zip(LRS, LOSSES)]
    text = "# my range test\n# model: resnet\nlr,loss\n" + "\n".join(rows[:5]) + "\n\n# half way\n"
    text += "\n".join(rows[5:]) + "\n"
    t = read_lr_loss(text.encode())
    assert len(t) == 12 and t.rows[0] == 4 and t.rows[5] == 11  # lines 9 and 10 are blank and a comment
    bad = text.replace(rows[6], "1e-3,oops")
    assert lr_error(bad) == "Row 12, column 'loss': 'oops' is not a number."


def test_pandas_index_column_torch_lr_finder_history():
    # torch-lr-finder: lr_finder.history is {"lr": [...], "loss": [...]}; dumped with pandas, the index comes along
    history = {"lr": LRS, "loss": LOSSES}
    data = pd.DataFrame(history).to_csv().encode()
    assert data.startswith(b",lr,loss")
    t = read_lr_loss(data)
    assert np.array_equal(t.lrs, LRS) and np.array_equal(t.losses, LOSSES)
    assert t.notes == ["Ignored the unnamed first column (an index written by pandas to_csv)."]
    # read back with pandas and written again: the index column is then called "Unnamed: 0"
    import io

    again = pd.read_csv(io.BytesIO(data)).to_csv(index=False).encode()
    assert again.startswith(b"Unnamed: 0,lr,loss")
    assert np.array_equal(read_lr_loss(again).lrs, LRS)


def test_fastai_recorder_with_tensor_losses():
    # fastai: learn.recorder.lrs and learn.recorder.losses (tensors, when dumped without .item())
    frame = pd.DataFrame({"lrs": LRS, "losses": [f"tensor({x:.4f})" for x in LOSSES]})
    t = read_lr_loss(frame.to_csv().encode())
    assert (t.lr_column, t.loss_column) == ("lrs", "losses")
    assert np.allclose(t.losses, LOSSES)
    assert "Read values written as tensor(...) as plain numbers." in t.notes
    rows = [f"{a!r},\"tensor({b}, device='cuda:0')\"" for a, b in zip(LRS, LOSSES)]
    assert np.allclose(read_lr_loss(csv_text(rows=rows).encode()).losses, LOSSES)


def test_smoothed_loss_preferred_and_said():
    rows = [f"{i},{a!r},{b!r},{b + 0.5!r}" for i, (a, b) in enumerate(zip(LRS, LOSSES))]
    t = read_lr_loss(csv_text(header="iteration,lr,smooth_loss,loss", rows=rows).encode())
    assert t.loss_column == "smooth_loss" and np.array_equal(t.losses, LOSSES)
    assert t.notes == ["Used the loss column 'smooth_loss' (also found: 'loss')."]


def test_headerless_first_two_numeric_columns():
    t = read_lr_loss(csv_text(header=None).encode())
    assert np.array_equal(t.lrs, LRS) and (t.lr_column, t.loss_column) == ("column A", "column B")
    assert t.rows[0] == 1
    assert t.notes == ["No header row: read column A as the lr and column B as the loss."]
    # pandas to_csv(header=False) keeps the index: 0, 1, 2, ... is skipped when three columns are numbers
    t = read_lr_loss(pd.DataFrame({"lr": LRS, "loss": LOSSES}).to_csv(header=False).encode())
    assert np.array_equal(t.lrs, LRS) and t.lr_column == "column B"
    assert t.notes[0] == "Ignored column A: it counts rows (an index)."


def test_divergence_at_the_end_is_dropped_with_a_note():
    rows = [f"{a!r},{b!r}" for a, b in zip(LRS, LOSSES)] + ["0.5,inf", "1.0,nan", "2.0,7.5"]
    t = read_lr_loss(csv_text(rows=rows).encode())
    assert len(t) == 12 and np.isfinite(t.losses).all() and t.lrs[-1] == LRS[-1]
    assert t.notes == [
        "Dropped 3 rows from row 14 on, where the loss became inf (the run diverged), including 1 finite value "
        "after it."
    ]
    # pandas writes NaN as an empty cell
    frame = pd.DataFrame({"lr": LRS + [0.5, 1.0], "loss": LOSSES + [math.nan, math.nan]})
    t = read_lr_loss(frame.to_csv(index=False).encode())
    assert len(t) == 12
    assert t.notes == ["Dropped 2 rows from row 14 on, where the loss became empty (the run diverged)."]


def test_equal_neighbouring_lrs_are_fine():
    rows = [f"{a!r},{b!r}" for a, b in zip(sorted(LRS + LRS[:3]), LOSSES + LOSSES[:3])]
    assert len(read_lr_loss(csv_text(rows=rows).encode())) == 15


def test_utf16_and_windows_1252():
    t = read_lr_loss(csv_text().encode("utf-16"))
    assert np.array_equal(t.lrs, LRS) and t.notes == ["Read the file as UTF-16 text."]
    data = ("# Lernrate für das Modell\n" + csv_text()).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    t = read_lr_loss(data)
    assert np.array_equal(t.lrs, LRS) and t.notes == ["The file is not UTF-8: read it as Windows-1252 text."]


def test_sample_files_read_back():
    lr_csv, metric_csv = sample_lr_loss_csv(), sample_metric_csv()
    assert lr_csv == sample_lr_loss_csv() and metric_csv == sample_metric_csv()  # deterministic
    assert lr_csv.startswith(b"lr,loss\n") and metric_csv.startswith(b"epoch,val_loss\n")
    t = read_lr_loss(lr_csv, name="example.csv")
    assert len(t) == 100 and t.notes == [] and t.lrs[0] == 1e-7 and t.lrs[-1] == 10.0
    assert np.all(np.diff(t.lrs) > 0)
    i = int(np.argmin(t.losses))
    assert abs(t.losses[0] - math.log(10)) < 0.02  # starts at ln 10: ten classes
    assert 0.005 < t.lrs[i] < 0.05 and t.losses[i] < 0.5  # bottoms out near lr 0.01
    assert t.losses[-1] > 50  # then explodes
    m = read_metric(metric_csv)
    assert len(m) == 40 and m.column == "val_loss" and m.x_column == "epoch" and m.notes == []
    assert np.array_equal(m.x, np.arange(1, 41)) and m.mode_hint == "min"
    assert m.values[0] > 1.6 and np.all(np.abs(m.values[20:] - 0.30) < 0.015)  # falls, then plateaus
    # ready for ReduceLROnPlateau: with patience 3 the lr is cut on the plateau only, twice
    lr = schedules.compute("torch.ReduceLROnPlateau", {"patience": 3}, steps=40, base_lr=0.1, metrics=m.values)
    assert (np.flatnonzero(np.diff(lr)) + 1).tolist() == [32, 39]


# ------------------------------------------------------------------------------------------ refusing, clearly


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty(data):
    assert lr_error(data) == "The file is empty."
    assert metric_error(data) == "The file is empty."


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b"lr,loss\n1e-3,\x00\x002.3\n",  # NUL bytes are never text
        bytes(range(256)),
    ],
)
def test_not_text(data):
    assert lr_error(data) == "The file is not text (UTF-8): is it a CSV?"
    assert metric_error(data) == "The file is not text (UTF-8): is it a CSV?"


def test_workbook():
    msg = "The file is a spreadsheet workbook or an archive, not text: save it as CSV (UTF-8)."
    assert lr_error(b"PK\x03\x04\x14\x00\x06\x00") == msg  # .xlsx is a zip
    assert metric_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") == msg  # .xls


def test_only_comments_or_header():
    assert lr_error("# nothing here\n\n# still nothing\n").startswith("The file has no data: only blank lines")
    assert lr_error("lr,loss\n") == "The file has a header row but no data rows."
    assert metric_error(",,,\n,,\n\n") == "The file has no data: every row is empty."


def test_size_caps():
    big = b"lr,loss\n" + b"1e-3,2.3" + b" " * LR_LOSS_MAX_BYTES
    msg = lr_error(big)
    assert msg.startswith("The file is 5.0 MB (5,242,896 bytes); the limit is 5 MB (5,242,880 bytes)")
    assert metric_error(b"v\n" + b"1\n" * (METRIC_MAX_BYTES // 2)).endswith("the limit is 20 MB (20,971,520 bytes).")


def test_row_caps():
    rows = b"\n".join(b"%d,1" % (i + 1) for i in range(100_001))
    assert lr_error(b"lr,loss\n" + rows) == "The file has 100,001 rows of data; the limit is 100,000."
    ok = b"lr,loss\n" + b"\n".join(b"%d,1" % (i + 1) for i in range(100_000))
    assert len(read_lr_loss(ok)) == 100_000
    assert metric_error(b"v\n" + b"1\n" * 1_000_001) == "The file has 1,000,001 rows of data; the limit is 1,000,000."
    assert len(read_metric(b"v\n" + b"0.5\n" * 1_000_000)) == 1_000_000


def test_not_a_number_names_row_and_column():
    rows = [f"{a!r},{b!r}" for a, b in zip(LRS, LOSSES)]
    rows[5] = "1e-3,abc"
    assert lr_error(csv_text(rows=rows)) == "Row 7, column 'loss': 'abc' is not a number."
    rows[5] = "fast,2.0"
    assert lr_error(csv_text(rows=rows)) == "Row 7, column 'lr': 'fast' is not a number."
    assert lr_error(csv_text(header=None, rows=rows)) == "Row 6, column A: 'fast' is not a number."
    rows[5] = "x" * 100 + ",2.0"
    assert lr_error(csv_text(rows=rows)) == f"Row 7, column 'lr': '{'x' * 39}…' is not a number."


def test_missing_cells():
    rows = [f"{a!r},{b!r}" for a, b in zip(LRS, LOSSES)]
    rows[2] = repr(LRS[2])
    assert lr_error(csv_text(rows=rows)) == "Row 4 has no value in column 'loss': it has only 1 cell(s)."
    rows[2] = f",{LOSSES[2]}"
    assert lr_error(csv_text(rows=rows)) == "Row 4, column 'lr' is empty: a number is expected."
    rows[2] = f"NA,{LOSSES[2]}"
    assert lr_error(csv_text(rows=rows)) == "Row 4, column 'lr' has no value ('NA'): a number is expected."


def test_no_lr_or_loss_column():
    assert lr_error("epoch,acc\n1,0.5\n2,0.6\n") == (
        "No lr column: expected a column named lr, learning_rate or lrs (found: epoch, acc)."
    )
    assert lr_error(",lr,accuracy\n0,1e-3,0.5\n") == (
        "No loss column: expected a column named loss, smooth_loss, smoothed_loss, train_loss or losses "
        "(found: lr, accuracy)."
    )


def test_lr_must_be_positive_and_finite():
    rows = [f"{a!r},{b!r}" for a, b in zip(LRS, LOSSES)]
    assert lr_error(csv_text(rows=["0,2.3"] + rows)) == (
        "The lr must be positive for the log-scale plot: row 2 has lr = 0."
    )
    rows2 = list(rows)
    rows2[1] = "0,2.3"
    assert lr_error(csv_text(rows=rows2)) == "The lr must be positive for the log-scale plot: row 3 has lr = 0."
    rows2[1] = "-1e-4,2.3"
    assert lr_error(csv_text(rows=rows2)).endswith("row 3 has lr = -1e-4.")
    rows2[1] = "nan,2.3"
    assert lr_error(csv_text(rows=rows2)) == "The lr must be a finite number: row 3 has lr = nan."
    rows2[1] = "inf,2.3"
    assert lr_error(csv_text(rows=rows2)) == "The lr must be a finite number: row 3 has lr = inf."


def test_lr_must_sweep_upward():
    rows = [f"{a!r},{b!r}" for a, b in zip(LRS, LOSSES)]
    rows[8], rows[9] = rows[9], rows[8]
    assert lr_error(csv_text(rows=rows)) == (
        f"The lr goes down at row 11 ({LRS[8]!r} after {LRS[9]!r}): a range test sweeps the lr upward, so the rows "
        "must be in increasing lr order."
    )
    rows = [f"1e-3,{b!r}" for b in LOSSES]
    assert lr_error(csv_text(rows=rows)) == (
        "The lr never changes (every row has lr = 1e-3): a range test sweeps the lr upward."
    )


def test_too_few_rows_says_why():
    rows = [f"{a!r},{b!r}" for a, b in zip(LRS, LOSSES)]
    assert lr_error(csv_text(rows=rows[:9])) == (
        "The file has 9 rows of data; at least 10 are needed, because the suggestions skip the first tenth and the "
        "last 5 points."
    )
    assert len(read_lr_loss(csv_text(rows=rows[:10]).encode())) == 10
    rows[7] = f"{LRS[7]!r},inf"
    assert lr_error(csv_text(rows=rows)) == (
        "Only 7 rows come before the loss becomes inf at row 9; at least 10 are needed, because the suggestions "
        "skip the first tenth and the last 5 points."
    )


def test_first_loss_must_be_finite():
    rows = [f"{a!r},{b!r}" for a, b in zip(LRS, LOSSES)]
    rows[0] = f"{LRS[0]!r},nan"
    assert lr_error(csv_text(rows=rows)) == (
        "The first row's loss must be a finite number: row 2, column 'loss' is nan."
    )
    rows[0] = f"{LRS[0]!r},"
    assert lr_error(csv_text(rows=rows)) == (
        "The first row's loss must be a finite number: row 2, column 'loss' is empty."
    )


def test_one_column_of_numbers_is_not_a_range_test():
    assert lr_error("\n".join(repr(x) for x in LRS)) == (
        "Expected two columns of numbers, the lr then the loss, but row 1 has 1 number."
    )


# ---------------------------------------------------------------------------------------------------- metrics


def test_metric_single_column_with_header():
    m = read_metric(b"val_loss\n0.9\n0.7\n0.65\n")
    assert isinstance(m, MetricTable) and m.column == "val_loss" and m.x is None and m.x_column is None
    assert np.array_equal(m.values, [0.9, 0.7, 0.65]) and m.rows.tolist() == [2, 3, 4] and m.notes == []
    assert m.mode_hint == "min" and not m.values.flags.writeable


def test_metric_single_column_without_header():
    m = read_metric(b"0.9\n0.7\n0.65\n")
    assert m.column == "column A" and m.values.tolist() == [0.9, 0.7, 0.65] and m.mode_hint is None
    assert m.notes == ["No header row: read column A as the metric."]


def test_metric_by_name_with_epoch_and_preference():
    m = read_metric(b"Epoch,Train_Loss,Val_Loss,val_acc\n1,1.0,0.9,0.5\n2,0.8,0.7,0.6\n")
    assert m.column == "Val_Loss" and m.x_column == "Epoch" and m.x.tolist() == [1, 2]
    assert m.values.tolist() == [0.9, 0.7]
    assert m.notes == ["Used the column 'Val_Loss' (also found: 'val_acc', 'Train_Loss')."]


def test_metric_accuracy_hints_mode_max():
    m = read_metric(b"step;eval_accuracy\n100;0,71\n200;0,74\n")
    assert m.column == "eval_accuracy" and m.values.tolist() == [0.71, 0.74] and m.x.tolist() == [100, 200]
    assert m.mode_hint == "max"
    assert m.notes == ["Read decimal commas (0,5) as decimal points."]  # the mode is a field, not a note


def test_metric_counter_then_value():
    m = read_metric(b"1,0.5\n2,0.4\n3,0.45\n")
    assert m.column == "column B" and m.x_column == "column A" and m.x.tolist() == [1, 2, 3]
    assert m.notes == ["No header row: read column B as the metric and column A as the step."]
    m = read_metric(b"ep,bleu\n0,20.1\n1,22.5\n")  # unknown names: two numbers, the first counts
    assert (m.column, m.x_column) == ("bleu", "ep") and m.mode_hint == "max"
    m = read_metric(pd.DataFrame({"my_metric": [0.3, 0.2, 0.25]}).to_csv().encode())  # the only numeric column
    assert m.column == "my_metric" and m.x is None
    assert m.notes == ["Ignored the unnamed first column (an index written by pandas to_csv)."]


def test_metric_nan_kept_and_noted():
    m = read_metric(b"val_loss\n0.9\nnan\n0.7\nNaN\n")
    assert np.isnan(m.values[[1, 3]]).all() and m.values[2] == 0.7 and len(m) == 4
    assert m.notes == [
        "2 values are nan (rows 3, 5): ReduceLROnPlateau treats NaN as not better than the best, so each counts as "
        "a bad epoch."
    ]


def test_metric_empty_cells_skipped_like_lightning_metrics_csv():
    # Lightning's CSVLogger: training rows and validation rows interleaved, the other columns empty
    text = "epoch,step,train_loss,val_loss\n0,49,1.2,\n0,99,1.0,\n0,99,,0.95\n1,149,0.9,\n1,199,0.8,\n1,199,,0.85\n"
    m = read_metric(text.encode())
    assert m.column == "val_loss" and m.values.tolist() == [0.95, 0.85] and m.rows.tolist() == [4, 7]
    assert m.x_column == "epoch" and m.x.tolist() == [0, 1]
    assert m.notes == [
        "Used the column 'val_loss' (also found: 'train_loss').",
        "Skipped 4 rows where column 'val_loss' is empty (rows 2, 3, 5, 6); write nan to keep a missing value as NaN.",
    ]


def test_metric_refusals():
    assert metric_error(b"step,bleu\n1,20\n2,inf\n") == (
        "Row 3, column 'bleu' is inf: only finite numbers, or nan for a missing value, are allowed."
    )
    assert metric_error(b"val_loss\n0.5\n-inf\n").startswith("Row 3, column 'val_loss' is -inf")
    assert metric_error(b"val_loss\n0.5\n") == "The file has 1 value in column 'val_loss'; at least 2 are needed."
    assert (
        metric_error(b"val_loss\nnan\nnan\n") == "Every value in column 'val_loss' is nan: there is nothing to follow."
    )
    assert metric_error(b"val_loss\n0.5\nlow\n") == "Row 3, column 'val_loss': 'low' is not a number."
    assert metric_error(b"a,b\n0.5,0.4\n0.6,0.3\n") == (
        "Which column is the metric: expected one named val_loss, eval_loss, validation_loss, valid_loss, "
        "test_loss, val_acc, loss, metric, ... or a single column of numbers (found: a, b)."
    )
    assert metric_error(b"0.5,0.4\n0.6,0.3\n") == (
        "Which column is the metric: the file has no header row and 2 columns of numbers; add a header row naming "
        "the metric column (e.g. val_loss)."
    )


def test_metric_x_column_that_is_not_numbers_is_ignored():
    m = read_metric(b"epoch,val_loss\n1,0.5\nlast,0.4\n")
    assert m.x is None and m.values.tolist() == [0.5, 0.4]
    assert m.notes == ["Ignored the step column 'epoch': it does not hold a number on every row."]


def test_metric_sparse_columns_without_a_known_name():
    # the first cell with a value decides whether a column holds numbers: two candidates, neither named like a
    # metric, so the file is refused rather than guessed
    with pytest.raises(UploadError, match="^Which column is the metric"):
        read_metric(b"step,train_bleu,dev_bleu\n10,20.0,\n20,21.0,\n20,,19.5\n")
    m = read_metric(b"step,dev_bleu\n10,\n20,\n20,19.5\n30,20.5\n")  # one candidate, found past the empty cells
    assert m.column == "dev_bleu" and m.values.tolist() == [19.5, 20.5] and m.x.tolist() == [20, 30]
    assert m.mode_hint == "max"


# ------------------------------------------------------------------------------------------- never a crash

ALPHABET = "0123456789.,;\t -+e\n\r#\"'lrosnaifxvcpt_()"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=300))
def test_any_text_gives_a_table_or_an_upload_error(text):
    for reader in (read_lr_loss, read_metric):
        for data in (text.encode(), ("lr,loss\n" + text).encode(), ("val_loss\n" + text).encode()):
            try:
                out = reader(data)
            except UploadError as e:
                assert str(e) and "\n" not in str(e) and str(e)[0].isupper() and str(e).endswith((".", "?"))
                continue
            if reader is read_lr_loss:
                assert len(out) >= 10 and np.all(out.lrs > 0) and np.isfinite(out.losses).all()
                assert np.all(np.diff(out.lrs) >= 0)
            else:
                assert len(out) >= 2 and not np.isinf(out.values).any()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_table_or_an_upload_error(data):
    for reader in (read_lr_loss, read_metric):
        try:
            reader(data)
        except UploadError as e:
            assert str(e).endswith((".", "?"))


def test_a_cell_over_the_csv_field_limit_is_an_upload_error():
    huge = b'lr,loss\n1,"' + b"x" * 140_000 + b'"\n'
    for read in (read_lr_loss, read_metric):
        with pytest.raises(UploadError, match="could not be read as CSV"):
            read(huge)
