"""Batch size and lr: the rules on hand-computed cases, and the step counts checked live against torch's
DistributedSampler / DataLoader and transformers' own Trainer arithmetic."""

from __future__ import annotations

import math
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

import schedules
from playground.scaling import (
    GOYAL_WARMUP_EPOCHS,
    ScalingInput,
    ScalingResult,
    default_batches,
    scale,
    scaled_lr,
    table,
)

IMAGENET = 1_281_167  # ILSVRC-2012 training images


def test_imagenet_reference_8_gpus_x_32():
    r = scale(ScalingInput(dataset_size=IMAGENET, epochs=90, per_device_batch=32, replicas=8))
    assert isinstance(r, ScalingResult)
    assert (r.global_batch, r.k, r.lr) == (256, 1.0, 0.1)
    assert r.samples_per_replica == 160_146 and r.padding == 1  # 8 × 160,146 = 1,281,168
    assert r.batches_per_epoch == 5_005 and r.last_batch_size == 18  # 160,146 = 5,004 × 32 + 18
    assert r.steps_per_epoch == 5_005 and r.last_step_batches == 1 and r.total_steps == 450_450
    assert (r.warmup_epochs, r.warmup_suggested, r.warmup_steps, r.warmup_start_factor) == (0.0, True, 0, 1.0)
    assert r.dropped == 0
    assert r.notes == (
        "Global batch = 32 per device × 8 replicas = 256 samples per optimizer step.",
        "The global batch equals ref_batch (256): k = 1 and the lr stays 0.1.",
        "DistributedSampler pads 1 sample (repeated from the start of the shuffled order) so each of the 8 replicas "
        "gets ceil(1,281,167 / 8) = 160,146.",
        "Each process's DataLoader makes ceil(160,146 / 32) = 5,005 batches per epoch: the last has 18 samples.",
        "In all: ceil(1,281,167 / 256) = 5,005 optimizer steps per epoch: the last one sees 143 samples plus the "
        "1 padded repeat, not 256.",
        "Total: 90 epochs × 5,005 = 450,450 optimizer steps: the num_training_steps for transformers' schedules "
        "(the Trainer's max_steps).",
        "No warmup suggested: the lr is not scaled above ref_lr.",
    )


def test_goyal_8k_256_gpus_x_32():
    # Goyal et al. 2017: k = 256 workers × n = 32 = 8k, lr = 0.1 × 8192 / 256 = 3.2, gradual warmup over 5 epochs
    inp = ScalingInput(dataset_size=IMAGENET, epochs=90, per_device_batch=32, replicas=256, ref_batch=256, ref_lr=0.1)
    r = scale(inp)
    assert (r.global_batch, r.k, r.lr) == (8192, 32.0, 3.2)
    assert r.samples_per_replica == 5_005 and r.padding == 113  # 256 × 5,005 = 1,281,280
    assert r.batches_per_epoch == 157 and r.last_batch_size == 13  # 5,005 = 156 × 32 + 13
    assert r.steps_per_epoch == 157 and r.total_steps == 14_130
    assert r.warmup_suggested and r.warmup_epochs == GOYAL_WARMUP_EPOCHS == 5
    assert r.warmup_steps == 785 and r.warmup_start_factor == 1 / 32
    assert r.notes[-1] == (
        "Warmup: 5 epochs × 157 = 785 steps (suggested: Goyal et al. 2017 warm up over 5 epochs when the batch "
        "grows); torch LinearLR(start_factor=0.03125, total_iters=785) on lr 3.2 rises from 0.1 to 3.2 "
        "(transformers' warmups start from 0 instead)."
    )
    assert (
        "ceil(1,281,167 / 8,192) = 157 optimizer steps per epoch: the last one sees 3,215 samples plus the 113 "
        "padded repeats, not 8,192." in r.notes[4]
    )
    # the warmup, drawn by the engine: from ref_lr to k·ref_lr by a constant amount per iteration (Goyal's 2.2)
    lr = schedules.compute(
        "torch.LinearLR",
        {"start_factor": r.warmup_start_factor, "total_iters": r.warmup_steps},
        steps=r.warmup_steps + 10,
        base_lr=r.lr,
    )
    assert lr[0] == pytest.approx(0.1, rel=1e-12) and lr[785] == pytest.approx(3.2, rel=1e-12)
    assert np.allclose(np.diff(lr[:786]), (3.2 - 0.1) / 785, rtol=1e-9) and np.all(lr[785:] == lr[785])
    # one process with the whole 8k batch: the same steps, no padding
    one = scale(replace(inp, per_device_batch=8192, replicas=1))
    assert (one.lr, one.steps_per_epoch, one.total_steps, one.warmup_steps) == (3.2, 157, 14_130, 785)
    assert one.padding == 0 and one.last_batch_size == 1_281_167 - 156 * 8192 == 3_215
    assert (
        "The DataLoader makes ceil(1,281,167 / 8,192) = 157 batches per epoch: the last has 3,215 samples." in one.notes
    )


def test_sqrt_rule():
    r = scale(ScalingInput(dataset_size=IMAGENET, epochs=90, per_device_batch=128, replicas=8, rule="sqrt"))
    assert r.k == 4.0 and r.lr == 0.2  # 0.1 × √4
    assert r.warmup_start_factor == 0.5 and r.warmup_steps == 5 * r.steps_per_epoch
    assert "square-root rule (Krizhevsky 2014; Hoffer et al. 2017): lr = 0.1 × √4 = 0.2." in r.notes[1]
    # Adam fine-tuning: reference 3e-4 at 128, run at 4 × 16 × 12 = 768 (k = 6)
    r = scale(
        ScalingInput(
            dataset_size=50_000,
            epochs=3,
            per_device_batch=16,
            replicas=4,
            grad_accum=12,
            ref_batch=128,
            ref_lr=3e-4,
            rule="sqrt",
        )
    )
    assert r.k == 6.0 and r.lr == pytest.approx(3e-4 * math.sqrt(6), rel=1e-15)
    assert r.warmup_start_factor == pytest.approx(1 / math.sqrt(6), rel=1e-15)


def test_none_rule_and_smaller_batches():
    r = scale(ScalingInput(dataset_size=10_000, epochs=10, per_device_batch=1024, ref_batch=256, rule="none"))
    assert r.k == 4.0 and r.lr == 0.1 and r.warmup_epochs == 0 and r.warmup_steps == 0
    assert "k = 1,024 / 256 = 4; rule 'none': the lr stays 0.1." in r.notes
    r = scale(ScalingInput(dataset_size=10_000, epochs=10, per_device_batch=64, ref_batch=256))
    assert r.k == 0.25 and r.lr == 0.025 and r.warmup_steps == 0 and r.warmup_start_factor == 1.0
    given = scale(ScalingInput(dataset_size=10_000, epochs=10, per_device_batch=1024, rule="none", warmup_epochs=1))
    assert given.warmup_steps == 10 and given.warmup_start_factor == 1.0  # flat: nothing to warm up to
    assert given.notes[-1] == (
        "Warmup: 1 epochs × 10 = 10 steps; the lr is not scaled above ref_lr, so a LinearLR warmup from ref_lr is "
        "flat (start_factor = 1)."
    )


@pytest.mark.parametrize(
    ("ref_lr", "ref_batch", "batch", "rule", "expected"),
    [
        (0.1, 256, 8192, "linear", 3.2),
        (0.1, 256, 256, "linear", 0.1),
        (0.1, 256, 64, "linear", 0.025),
        (0.1, 256, 1024, "sqrt", 0.2),
        (1e-3, 32, 512, "sqrt", 4e-3),
        (0.1, 256, 8192, "none", 0.1),
    ],
)
def test_scaled_lr(ref_lr, ref_batch, batch, rule, expected):
    assert scaled_lr(ref_lr, ref_batch, batch, rule) == pytest.approx(expected, rel=1e-15)


def test_warmup_rounding_is_half_up_on_the_decimal_value():
    base = ScalingInput(dataset_size=IMAGENET, epochs=90, per_device_batch=8192)  # 157 steps per epoch
    assert scale(replace(base, warmup_epochs=0.5)).warmup_steps == 79  # 78.5: half up (Python's round gives 78)
    assert round(78.5) == 78
    assert scale(replace(base, warmup_epochs=2.5)).warmup_steps == 393  # 392.5
    assert scale(replace(base, warmup_epochs=0.1)).warmup_steps == 16  # 15.7
    assert scale(replace(base, warmup_epochs=90)).warmup_steps == 14_130
    five = ScalingInput(dataset_size=50, epochs=10, per_device_batch=10, ref_batch=5)  # 5 steps per epoch
    assert scale(replace(five, warmup_epochs=0.3)).warmup_steps == 2  # 0.3 × 5 = 1.5 exactly as typed: up to 2
    tiny = scale(replace(five, warmup_epochs=0.05))
    assert tiny.warmup_steps == 0 and "rounds to 0 steps: no warmup" in tiny.notes[-1]


def test_suggested_warmup_is_goyal_5_epochs_at_most_a_tenth_of_the_run():
    long = scale(ScalingInput(dataset_size=50_000, epochs=200, per_device_batch=512))  # 98 steps per epoch
    assert long.warmup_epochs == 5 and long.warmup_steps == 490
    short = scale(ScalingInput(dataset_size=50_000, epochs=3, per_device_batch=512))
    assert short.warmup_epochs == 0.3 and short.warmup_steps == 29  # 29.4: a tenth of the run, not all of it
    assert "; here a tenth of the 3 epochs, as BERT's warmup_proportion = 0.1)" in short.notes[-1]
    assert scale(ScalingInput(dataset_size=50_000, epochs=50, per_device_batch=512)).warmup_epochs == 5
    assert scale(ScalingInput(dataset_size=50_000, epochs=49, per_device_batch=512)).warmup_epochs == 4.9


def test_grad_accum_remainder_as_transformers_counts_it():
    r = scale(ScalingInput(dataset_size=50_000, epochs=3, per_device_batch=64, replicas=3, grad_accum=4, ref_batch=768))
    assert r.samples_per_replica == 16_667 and r.padding == 1
    assert r.batches_per_epoch == 261 and r.last_batch_size == 27
    assert r.steps_per_epoch == 66 and r.last_step_batches == 1 and r.total_steps == 198
    assert (
        "ceil(261 / 4) = 66 optimizer steps per epoch, as transformers' Trainer counts them: the last step "
        "accumulates 1 batch instead of 4 (a hand-written loop that steps when (i + 1) % 4 == 0 makes 65 and never "
        "applies the last 1 batch)."
    ) in r.notes
    few = scale(ScalingInput(dataset_size=100, epochs=2, per_device_batch=32, grad_accum=8))  # 4 batches < 8
    assert few.batches_per_epoch == 4 and few.steps_per_epoch == 1 and few.last_step_batches == 4


def test_drop_last():
    r = scale(
        ScalingInput(dataset_size=50_000, epochs=3, per_device_batch=64, replicas=3, grad_accum=4, drop_last=True)
    )
    assert r.samples_per_replica == 16_666 and r.padding == 0
    assert r.batches_per_epoch == 260 and r.last_batch_size == 64 and r.steps_per_epoch == 65
    assert r.dropped == 50_000 - 3 * 260 * 64 == 80
    assert (
        "DistributedSampler(drop_last=True) drops the last 2 samples of the shuffled order so each of the 3 "
        "replicas gets floor(50,000 / 3) = 16,666." in r.notes
    )
    assert "In all, drop_last=True leaves 80 of the 50,000 samples out of each epoch." in r.notes


# ----------------------------------------------------------------------------------- live: torch's own counts

GRID_N = [1, 2, 5, 7, 8, 9, 31, 32, 33, 100, 257, 1000, 1001, 50_000, IMAGENET]
GRID_R = [1, 2, 3, 4, 7, 8, 256]
GRID_B = [1, 3, 8, 32]


def test_distributed_sampler_and_dataloader_lengths_live():
    torch_data = pytest.importorskip("torch.utils.data")
    checked = refused = 0
    for n in GRID_N:
        data = range(n)
        for r in GRID_R:
            for b in GRID_B:
                for drop_last in (False, True):
                    sampler = torch_data.DistributedSampler(
                        data, num_replicas=r, rank=0, shuffle=False, drop_last=drop_last
                    )
                    loader = torch_data.DataLoader(data, batch_size=b, sampler=sampler, drop_last=drop_last)
                    inp = dict(dataset_size=n, epochs=1, per_device_batch=b, replicas=r, drop_last=drop_last)
                    if len(loader) == 0:  # drop_last leaves no batch at all: refused, naming dataset_size
                        with pytest.raises(ValueError, match="dataset_size must be at least replicas × per_device"):
                            ScalingInput(**inp)
                        refused += 1
                        continue
                    res = scale(ScalingInput(**inp))
                    assert res.samples_per_replica == len(sampler), (n, r, b, drop_last)
                    assert res.padding == (0 if drop_last else sampler.total_size - n)
                    assert res.batches_per_epoch == len(loader), (n, r, b, drop_last)
                    checked += 1
    assert checked > 300 and refused > 50


def test_padding_last_batches_and_dropped_samples_by_iterating():
    torch_data = pytest.importorskip("torch.utils.data")
    for n in [1, 5, 7, 9, 31, 33, 100, 257]:
        for r in [1, 2, 3, 8]:
            for b in [1, 3, 8]:
                for drop_last in (False, True):
                    inp = dict(dataset_size=n, epochs=1, per_device_batch=b, replicas=r, drop_last=drop_last)
                    try:
                        res = scale(ScalingInput(**inp))
                    except ValueError:
                        continue
                    seen = []
                    for rank in range(r):
                        sampler = torch_data.DistributedSampler(
                            range(n), num_replicas=r, rank=rank, seed=1, drop_last=drop_last
                        )
                        batches = list(
                            torch_data.DataLoader(
                                range(n), batch_size=b, sampler=sampler, drop_last=drop_last, collate_fn=list
                            )
                        )
                        assert len(batches) == res.batches_per_epoch
                        assert len(batches[-1]) == res.last_batch_size, (n, r, b, drop_last, rank)
                        seen += [i for batch in batches for i in batch]
                    assert len(seen) - len(set(seen)) == res.padding  # padded repeats
                    assert n - len(set(seen)) == res.dropped, (n, r, b, drop_last)


# ------------------------------------------------------------------------ live: transformers' Trainer arithmetic


class _TrainerStub:
    """Just what ``Trainer.set_initial_training_values`` calls on ``self`` besides its arguments (no model, and no
    accelerate, which TrainingArguments would need)."""

    def get_total_train_batch_size(self, args):
        return args.per_device_train_batch_size * args.gradient_accumulation_steps * args.world_size

    def get_sp_size(self):
        return 1

    def num_examples(self, dataloader):
        return len(dataloader.dataset)


def test_steps_per_epoch_and_total_match_transformers_trainer():
    torch_data = pytest.importorskip("torch.utils.data")
    trainer_mod = pytest.importorskip("transformers.trainer")
    set_initial = trainer_mod.Trainer.set_initial_training_values  # transformers/trainer.py, 5.23.0
    checked = 0
    for n in [1, 7, 100, 1001, 50_000, IMAGENET]:
        for r in [1, 3, 8]:
            for b in [1, 8, 32]:
                for ga in [1, 2, 3, 4, 8, 16, 1000]:
                    for epochs in [1, 3, 90]:
                        inp = ScalingInput(dataset_size=n, epochs=epochs, per_device_batch=b, replicas=r, grad_accum=ga)
                        res = scale(inp)
                        sampler = torch_data.DistributedSampler(range(n), num_replicas=r, rank=0)
                        loader = torch_data.DataLoader(range(n), batch_size=b, sampler=sampler)
                        args = SimpleNamespace(
                            max_steps=-1,
                            num_train_epochs=epochs,
                            gradient_accumulation_steps=ga,
                            per_device_train_batch_size=b,
                            world_size=r,
                        )
                        (
                            num_train_epochs,
                            num_update_steps_per_epoch,
                            _examples,
                            _samples,
                            total_batch,
                            steps_in_epoch,
                            max_steps,
                        ) = set_initial(_TrainerStub(), args, loader)
                        assert steps_in_epoch == res.batches_per_epoch
                        assert num_update_steps_per_epoch == res.steps_per_epoch, (n, r, b, ga)
                        assert max_steps == res.total_steps and num_train_epochs == epochs
                        assert total_batch == res.global_batch
                        checked += 1
    assert checked == 6 * 3 * 3 * 7 * 3


def test_last_step_batches_transcribes_the_trainer_epoch_loop():
    # transformers 5.23.0, trainer.py, the loop over one epoch (lines 1862-1872):
    #     remainder = steps_in_epoch % self.args.gradient_accumulation_steps
    #     if remainder == 0:
    #         remainder = self.args.gradient_accumulation_steps
    #     for update_step in range(num_update_steps_trained, num_update_steps_per_epoch):
    #         num_batches = (
    #             self.args.gradient_accumulation_steps
    #             if update_step != (num_update_steps_per_epoch - 1) else remainder  # (one line in the source)
    #         )
    for n in [1, 7, 100, 1001, 50_000]:
        for b in [1, 8, 32]:
            for ga in [1, 2, 3, 4, 8, 16, 1000]:
                res = scale(ScalingInput(dataset_size=n, epochs=1, per_device_batch=b, grad_accum=ga))
                steps_in_epoch = res.batches_per_epoch
                remainder = steps_in_epoch % ga or ga
                per_step = [ga if u != res.steps_per_epoch - 1 else remainder for u in range(res.steps_per_epoch)]
                assert res.last_step_batches == per_step[-1]
                assert sum(per_step) == steps_in_epoch  # every batch is used, none twice


def test_transformers_source_still_says_what_we_transcribed():
    trainer_mod = pytest.importorskip("transformers.trainer")
    import inspect

    src = inspect.getsource(trainer_mod.Trainer)
    assert "len_dataloader // args.gradient_accumulation_steps" in src
    assert "+ int(len_dataloader % args.gradient_accumulation_steps > 0)" in src
    assert "max_steps = math.ceil(args.num_train_epochs * num_update_steps_per_epoch)" in src
    assert "remainder = steps_in_epoch % self.args.gradient_accumulation_steps" in src


# ----------------------------------------------------------------------------------------------------- table


def test_table_both_rules():
    inp = ScalingInput(dataset_size=IMAGENET, epochs=90, per_device_batch=32, replicas=8)
    rows = table(inp, [256, 1024, 8192], rules=("linear", "sqrt"))
    assert [(x.input.rule, x.global_batch, x.input.per_device_batch, x.input.replicas) for x in rows] == [
        ("linear", 256, 32, 8), ("linear", 1024, 128, 8), ("linear", 8192, 1024, 8),
        ("sqrt", 256, 32, 8), ("sqrt", 1024, 128, 8), ("sqrt", 8192, 1024, 8),
    ]  # fmt: skip
    assert [x.lr for x in rows] == pytest.approx([0.1, 0.4, 3.2, 0.1, 0.2, 0.1 * math.sqrt(32)], rel=1e-15)
    assert [x.steps_per_epoch for x in rows[:3]] == [5005, 1252, 157]
    assert [x.input.rule for x in table(inp, [256])] == ["linear"]


def test_default_batches():
    inp = ScalingInput(dataset_size=1000, epochs=1, per_device_batch=48, replicas=2, ref_batch=100)
    assert default_batches(inp) == [2, 4, 8, 16, 32, 64, 96, 100, 128, 256, 512, 1024]  # + its own and ref_batch
    inp = replace(inp, ref_batch=101)
    assert 101 not in default_batches(inp)  # not a multiple of the 2 replicas
    inp = ScalingInput(dataset_size=1000, epochs=1, per_device_batch=16, replicas=2, drop_last=True)
    assert default_batches(inp) == [2, 4, 8, 16, 32, 64, 128, 256, 512]  # 1024 would leave no full batch
    assert len(table(inp)) == 9


def test_table_refuses_batches_that_do_not_split():
    inp = ScalingInput(dataset_size=1000, epochs=1, per_device_batch=16, replicas=2, grad_accum=2)
    with pytest.raises(ValueError, match=r"^batches\[1\] must be a multiple of replicas × grad_accum = 4 \(the per-"):
        table(inp, [64, 66])
    with pytest.raises(ValueError, match=r"^batches\[0\] must be a whole number >= 1, got 0$"):
        table(inp, [0])
    with pytest.raises(ValueError, match=r"^rule must be one of 'linear', 'sqrt', 'none', got 'cube'$"):
        table(inp, [64], rules=["linear", "cube"])


# ------------------------------------------------------------------------------------------------ validation

OK = dict(dataset_size=1000, epochs=10, per_device_batch=32)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dataset_size": 0}, "dataset_size must be a whole number >= 1, got 0"),
        ({"epochs": 2.5}, "epochs must be a whole number >= 1, got 2.5"),
        ({"per_device_batch": True}, "per_device_batch must be a whole number >= 1, got True"),
        ({"replicas": -1}, "replicas must be a whole number >= 1, got -1"),
        ({"grad_accum": 0}, "grad_accum must be a whole number >= 1, got 0"),
        ({"ref_batch": "256"}, "ref_batch must be a whole number >= 1, got '256'"),
        ({"ref_lr": 0}, "ref_lr must be a finite number > 0, got 0"),
        ({"ref_lr": -0.1}, "ref_lr must be a finite number > 0, got -0.1"),
        ({"ref_lr": math.inf}, "ref_lr must be a finite number > 0, got inf"),
        ({"ref_lr": math.nan}, "ref_lr must be a finite number > 0, got nan"),
        ({"rule": "cubic"}, "rule must be one of 'linear', 'sqrt', 'none', got 'cubic'"),
        ({"drop_last": "yes"}, "drop_last must be True or False, got 'yes'"),
        (
            {"warmup_epochs": 11},
            "warmup_epochs must be a number in [0, epochs] = [0, 10] (or None to suggest one), got 11",
        ),
        ({"warmup_epochs": -0.5}, "warmup_epochs must be a number in [0, epochs] = [0, 10]"),
        ({"warmup_epochs": math.nan}, "warmup_epochs must be a number in [0, epochs] = [0, 10]"),
        (
            {"dataset_size": 100, "replicas": 8, "drop_last": True},
            "dataset_size must be at least replicas × per_device_batch = 8 × 32 = 256 with drop_last=True (each "
            "replica needs one full batch), got 100",
        ),
        ({"ref_lr": 1e308, "ref_batch": 1}, "ref_lr = 1e+308 scaled by k = 32 overflows: ref_lr must be smaller"),
    ],
)
def test_validation_names_the_parameter_and_range(change, message):
    with pytest.raises(ValueError) as e:
        ScalingInput(**{**OK, **change})
    assert str(e.value).startswith(message)


def test_validation_accepts_numpy_and_normalises():
    inp = ScalingInput(
        dataset_size=np.int64(1000),
        epochs=np.int32(3),
        per_device_batch=32,
        ref_lr=np.float32(0.5),
        drop_last=np.bool_(False),
        warmup_epochs=1,
    )
    assert type(inp.dataset_size) is int and type(inp.epochs) is int and type(inp.ref_lr) is float
    assert inp.drop_last is False and inp.warmup_epochs == 1.0
    assert ScalingInput(**OK, warmup_epochs=10).warmup_epochs == 10.0  # the whole run is allowed
    with pytest.raises(ValueError, match=r"^batch must be a whole number >= 1, got 0$"):
        scaled_lr(0.1, 256, 0, "linear")
    with pytest.raises(TypeError):
        scale(OK)
    with pytest.raises(TypeError):
        ScalingInput(1000, 10, 32)  # keyword-only: no silent mix-up of counts


def test_per_process_batch_from_a_global_batch():
    from playground.scaling import per_process_batch

    assert per_process_batch(8192, 256) == (32,)  # Goyal et al.: 256 GPUs × 32
    assert per_process_batch(4096, 8, 4) == (128,)
    assert per_process_batch(4096, 24) == (170, 171)  # 4,080 or 4,104
    assert per_process_batch(5, 8) == (1,)  # fewer samples than processes: at least one each
    with pytest.raises(ValueError, match="replicas"):
        per_process_batch(256, 0)
