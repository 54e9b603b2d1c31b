"""The LR range test: the sweep, smoothing, stopping and suggestions of fastai 2.8.4 and torch-lr-finder 0.2.2.

fastai cannot be installed here, so its definitions are re-implemented below as scalar oracles, line by line from
fastai 2.8.4's ``fastai/callback/schedule.py`` (``SchedExp``, ``SchedLin``, ``LRFinder``, ``valley``, ``steep``,
``minimum``, ``slide``, ``lr_find``) and ``fastai/learner.py`` (``AvgSmoothLoss``, ``Recorder``). torch-lr-finder
0.2.2 is run live when installed (requirements-dev.txt pins it).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import schedules
from playground import range_test as rt
from playground.mlp import TrainConfig, total_steps, train
from playground.range_test import RangeTestConfig

FASTAI = RangeTestConfig()
TLF = RangeTestConfig(convention="torch-lr-finder")


# --- scalar oracles, from fastai 2.8.4 ---------------------------------------------------------------------------


def fastai_lrs(start, end, num_it, mode="exp"):
    """LRFinder.before_batch: ``_update_val(train_iter / num_it)`` with SchedExp (``start * (end/start) ** pos``) or,
    for a linear sweep, SchedLin (``start + pos*(end-start)``)."""
    out = []
    for train_iter in range(num_it):
        pos = train_iter / num_it
        out.append(start * (end / start) ** pos if mode == "exp" else start + pos * (end - start))
    return out


def fastai_smooth(raw, beta=0.98):
    """AvgSmoothLoss (fastai/learner.py): reset: count, val = 0, 0.; accumulate: count += 1,
    val = torch.lerp(loss, val, beta) = beta * val + (1 - beta) * loss; value = val / (1 - beta ** count)."""
    count, val, out = 0, 0.0, []
    for loss in raw:
        count += 1
        val = beta * val + (1 - beta) * loss
        out.append(val / (1 - beta ** count))
    return out


def fastai_stop_index(smoothed):
    """LRFinder.after_batch: best_loss starts at inf; ``if smooth_loss < best_loss: best_loss = smooth_loss``;
    ``if smooth_loss > 4*best_loss and stop_div: raise CancelFitException()`` (after Recorder recorded the point)."""
    best = float("inf")
    for i, s in enumerate(smoothed):
        if s < best:
            best = s
        if s > 4 * best:
            return i
    return None


def fastai_valley(lrs, losses, num_it):
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx]), (float(lrs[idx]), losses[idx])


def fastai_slide(lrs, losses, num_it, lr_diff=15, thresh=.005, adjust_value=1.):
    losses = losses.numpy()
    loss_grad = np.gradient(losses)
    r_idx = -1
    l_idx = r_idx - lr_diff
    local_min_lr = lrs[l_idx]
    while (l_idx >= -len(losses)) and (abs(loss_grad[r_idx] - loss_grad[l_idx]) > thresh):
        local_min_lr = lrs[l_idx]
        r_idx -= 1
        l_idx -= 1
    suggestion = float(local_min_lr) * adjust_value
    idx = np.interp(np.log10(suggestion), np.log10(lrs.numpy()), losses)
    return suggestion, (suggestion, idx)


def fastai_minimum(lrs, losses, num_it):
    lr_min = lrs[losses.argmin()].item()
    loss_idx = losses[min(range(len(lrs)), key=lambda i: abs(lrs[i] - lr_min))]
    return lr_min / 10, (lr_min, loss_idx)


def fastai_steep(lrs, losses, num_it):
    grads = (losses[1:] - losses[:-1]) / (lrs[1:].log() - lrs[:-1].log())
    lr_steep = lrs[grads.argmin()].item()
    loss_idx = losses[min(range(len(lrs)), key=lambda i: abs(lrs[i] - lr_steep))]
    return lr_steep, (lr_steep, loss_idx)


def fastai_lr_find_suggestions(recorded_lrs, recorded_losses, num_it, funcs):
    """lr_find after the fit: the recorder's [num_it//10:-5], cut at the first nan, then each suggestion function
    (on float64 tensors here; fastai's are float32)."""
    lrs = torch.tensor(recorded_lrs[num_it // 10:-5], dtype=torch.float64)
    losses = torch.tensor(recorded_losses[num_it // 10:-5], dtype=torch.float64)
    nan_idxs = torch.nonzero(torch.isnan(losses.view(-1)))
    if len(nan_idxs) > 0:
        drop_idx = min(nan_idxs)
        lrs = lrs[:drop_idx]
        losses = losses[:drop_idx]
    return {f.__name__.removeprefix("fastai_"): f(lrs, losses, num_it) for f in funcs}


# --- test curves ---------------------------------------------------------------------------------------------------


def bowl(n, *, noise=0.02, seed=0, blow_up=True):
    """A range-test-like raw loss: a flat noisy plateau, a fall, a bottom, then (optionally) an explosion."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, n)
    loss = 2.3 - 1.8 / (1 + np.exp(-(x - 0.6) * 20)) + noise * rng.standard_normal(n)
    if blow_up:
        loss += np.where(x > 0.85, np.expm1((x - 0.85) * 60), 0.0)
    return loss


def prescribed(raw):
    """A ``step`` for ``run`` that ignores the lr and returns the next prescribed loss."""
    values = iter(np.asarray(raw, dtype=np.float64).tolist())
    return lambda lr: next(values)


# --- the sweep -----------------------------------------------------------------------------------------------------


def test_fastai_exp_sweep_is_schedexp_at_i_over_num_it():
    lrs = rt.sweep_lrs(FASTAI)
    assert lrs.shape == (100,) and lrs.dtype == np.float64
    assert lrs.tolist() == fastai_lrs(1e-7, 10.0, 100)
    assert lrs[0] == 1e-7
    assert lrs[50] == 1e-7 * (1e8) ** 0.5 == pytest.approx(1e-3, rel=1e-12)
    assert lrs[-1] == 1e-7 * (1e8) ** 0.99 == pytest.approx(10 ** 0.92, rel=1e-12)  # 8.32: end_lr is never used
    assert np.all(np.diff(np.log(lrs)) == pytest.approx(math.log(1e8) / 100, rel=1e-9))


def test_fastai_linear_sweep():
    config = RangeTestConfig(start_lr=0.0, end_lr=1.0, num_it=50, mode="linear")
    lrs = rt.sweep_lrs(config)
    assert lrs.tolist() == fastai_lrs(0.0, 1.0, 50, mode="linear")
    assert lrs[0] == 0.0 and lrs[1] == 0.02 and lrs[-1] == 0.98


def test_torch_lr_finder_sweeps_reach_end_lr():
    exp = rt.sweep_lrs(RangeTestConfig(start_lr=1e-5, end_lr=1.0, num_it=11, convention="torch-lr-finder"))
    # ExponentialLR.get_lr: base_lr * (end_lr / base_lr) ** (last_epoch / (num_iter - 1))
    assert exp.tolist() == [1e-5 * (1.0 / 1e-5) ** (i / 10) for i in range(11)]
    assert exp[0] == 1e-5 and exp[-1] == pytest.approx(1.0, rel=1e-15) and exp[5] == pytest.approx(1e-5 * 10 ** 2.5)
    lin = rt.sweep_lrs(RangeTestConfig(start_lr=0.1, end_lr=1.1, num_it=11, mode="linear",
                                       convention="torch-lr-finder"))
    # LinearLR.get_lr: base_lr + r * (end_lr - base_lr), r = last_epoch / (num_iter - 1)
    assert lin.tolist() == [0.1 + (i / 10) * (1.1 - 0.1) for i in range(11)]
    assert lin[0] == 0.1 and lin[-1] == 1.1


# --- smoothing and stopping ----------------------------------------------------------------------------------------


def test_fastai_smoothing_is_bias_corrected_ema():
    raw = bowl(100, noise=0.3)
    ours = rt.smooth(raw, FASTAI)
    assert ours.tolist() == fastai_smooth(raw.tolist())
    assert ours[0] == raw[0]  # bias correction: the first value is the first loss, not 0.02 × it
    assert ours[1] == pytest.approx((0.98 * 0.02 * raw[0] + 0.02 * raw[1]) / (1 - 0.98 ** 2), rel=1e-15)
    # fastai itself calls torch.lerp(loss, val, 0.98): the same numbers up to rounding
    val = torch.tensor(0.0, dtype=torch.float64)
    for count, loss in enumerate(raw.tolist(), start=1):
        val = torch.lerp(torch.tensor(loss, dtype=torch.float64), val, 0.98)
        assert float(val) / (1 - 0.98 ** count) == pytest.approx(ours[count - 1], rel=1e-14)


def test_torch_lr_finder_smoothing_has_no_bias_correction():
    raw = [3.0, 1.0, 2.0, 10.0]
    expected = [3.0]
    for loss in raw[1:]:
        expected.append(0.05 * loss + (1 - 0.05) * expected[-1])  # range_test: smooth_f * loss + (1 - smooth_f) * prev
    assert rt.smooth(raw, TLF).tolist() == expected
    assert expected[1] == 0.05 * 1.0 + 0.95 * 3.0


def test_divergence_index():
    assert rt.divergence_index([2.0, 1.0, 3.9, 4.0, 4.1], 4) == 4  # strictly more than 4 × the best (1.0)
    assert rt.divergence_index([2.0, 1.0, 3.9, 4.0, 4.1], 5) is None
    assert rt.divergence_index([1.0, np.nan, np.nan], 4) is None  # comparisons with nan are false
    assert rt.divergence_index([1.0, np.inf], 4) == 1
    assert rt.divergence_index([], 4) is None


@pytest.mark.parametrize("config", [FASTAI, TLF], ids=["fastai", "torch-lr-finder"])
def test_run_stops_on_divergence_and_records_the_diverging_point(config):
    raw = bowl(config.num_it)
    smoothed_all = rt.smooth(raw, config)
    stop = rt.divergence_index(smoothed_all, config.stop_factor)
    assert stop is not None and 80 < stop < 99
    if config.convention == "fastai":
        assert stop == fastai_stop_index(fastai_smooth(raw.tolist()))
    progress = []
    result = rt.run(prescribed(raw), config, on_progress=progress.append)
    assert result.stopped_at == stop
    assert result.lrs.size == result.raw_losses.size == result.smoothed.size == stop + 1
    assert np.array_equal(result.raw_losses, raw[:stop + 1])
    assert np.array_equal(result.smoothed, smoothed_all[:stop + 1])
    assert np.array_equal(result.lrs, rt.sweep_lrs(config)[:stop + 1])
    assert result.smoothed[-1] > config.stop_factor * result.smoothed[:-1].min()
    assert "Stopped at iteration" in result.stop_reason and f"{config.stop_factor:g} ×" in result.stop_reason
    assert progress == [(i + 1) / 100 for i in range(stop)] + [1.0]

    free = rt.run(prescribed(raw), RangeTestConfig(convention=config.convention, stop_div=False))
    assert free.stopped_at is None and free.lrs.size == 100 and "stop_div is off" in free.stop_reason


def test_run_does_not_stop_on_nan():
    raw = bowl(100, blow_up=False)
    raw[70:] = np.nan
    result = rt.run(prescribed(raw), FASTAI)
    assert result.stopped_at is None and result.lrs.size == 100
    assert np.isnan(result.smoothed[70:]).all() and np.isfinite(result.smoothed[:70]).all()
    assert any("nan from iteration 71" in note for note in result.notes)
    # fastai's suggestions use the window before the first nan: [10:70]
    assert all(10 <= s.index < 70 for s in result.suggestions if s.source == rt.FASTAI_SOURCE)


# --- suggestions ---------------------------------------------------------------------------------------------------


def _assert_fastai_suggestions_match(lrs, smoothed, num_it):
    ours, _ = rt.suggest(lrs, smoothed, num_it)
    by_key = {s.key: s for s in ours}
    m = len(np.asarray(lrs)[num_it // 10:-5])
    if m == 0:  # fastai would fail here (an index into an empty tensor)
        assert not set(by_key) - {"steepest_gradient"}
        return
    funcs = [fastai_valley, fastai_minimum] + ([fastai_steep] if m >= 2 else []) + ([fastai_slide] if m >= 16 else [])
    oracle = fastai_lr_find_suggestions(list(lrs), list(smoothed), num_it, funcs)
    for key, (lr, (marker_lr, marker_loss)) in oracle.items():
        s = by_key[key]
        assert s.lr == lr, key
        assert s.marker_lr == marker_lr, key
        assert s.marker_loss == pytest.approx(float(marker_loss), rel=1e-12, abs=1e-300), key
        assert lrs[s.index] == pytest.approx(marker_lr, rel=1e-12) or key == "slide", key
    assert set(by_key) - {"steepest_gradient"} == set(oracle)


@pytest.mark.parametrize("seed", range(12))
def test_fastai_suggestions_match_the_oracle_on_random_curves(seed):
    rng = np.random.default_rng(seed)
    num_it = int(rng.integers(6, 160))
    config = RangeTestConfig(num_it=num_it, mode=("exp", "linear")[seed % 2], start_lr=1e-6)
    raw = bowl(num_it, noise=float(rng.choice([0.0, 0.01, 0.2])), seed=seed, blow_up=bool(seed % 3))
    result = rt.run(prescribed(raw), config)
    _assert_fastai_suggestions_match(result.lrs, result.smoothed, num_it)
    # and on the raw curve (much noisier: long decreasing runs through noise, ties of the integer version)
    _assert_fastai_suggestions_match(rt.sweep_lrs(config), raw, num_it)
    _assert_fastai_suggestions_match(rt.sweep_lrs(config), np.round(raw * 3), num_it)


def test_valley_quirks_follow_fastai():
    lrs = np.geomspace(1e-4, 1, 20)
    # a strictly decreasing window of 2 points: max_start = -1, idx = -1, i.e. the LAST point
    losses = np.full(20, 5.0)
    losses[2:4] = [3.0, 2.0]
    suggestions, _ = rt.suggest(lrs[:9], losses[:9], num_it=20, keys=["valley"])  # window [2:4]
    assert fastai_valley(torch.tensor(lrs[2:4]), torch.tensor(losses[2:4]), 20)[0] == lrs[3]
    assert suggestions[0].lr == lrs[3] and suggestions[0].index == 3 and suggestions[0].span == (2, 3)
    # a monotone falling curve: the valley is the whole window and the suggestion sits half-way
    falling = np.linspace(3, 1, 100)
    valley = rt.suggest(np.geomspace(1e-6, 1, 100), falling, 100, keys=["valley"])[0][0]
    # window [10:95], 85 points, max_start = -1, max_end = 84: idx = -1 + 28 + 14 = 41
    assert valley.index == 10 + 41 and valley.span == (10, 94)


def test_steep_minimum_and_markers_on_a_known_curve():
    lrs = np.geomspace(1e-5, 1, 30)
    losses = np.full(30, 2.0)
    losses[15:] = [1.95, 1.5, 1.4, 1.35, 1.3, 1.28, 1.27, 1.5, 3, 5, 8, 13, 20, 40, 80]
    found = {s.key: s for s in rt.suggest(lrs, losses, 30)[0]}
    # window [3:25]: the fastest fall is 1.95 -> 1.5 (points 15 -> 16), reported at the lower lr of the pair
    assert found["steep"].lr == lrs[15] and found["steep"].index == 15 and found["steep"].marker_loss == 1.95
    # the lowest loss, 1.27 at point 21: the suggestion is a tenth of its lr, the marker is at the lr itself
    assert found["minimum"].lr == lrs[21] / 10 and found["minimum"].marker_lr == lrs[21]
    assert found["minimum"].index == 21 and found["minimum"].marker_loss == 1.27
    # torch-lr-finder: np.gradient over [10:25] is most negative at point 16 ((1.4 - 1.95) / 2)
    assert found["steepest_gradient"].lr == lrs[16] and found["steepest_gradient"].index == 16
    assert found["steepest_gradient"].source == rt.TORCH_LR_FINDER_SOURCE
    assert all(s.rule and s.label for s in found.values())


def test_short_and_nan_data_give_reasons_not_errors():
    lrs = np.geomspace(1e-6, 1, 40)
    for n in range(0, 40):
        suggestions, reasons = rt.suggest(lrs[:n], bowl(40)[:n], num_it=100)
        made = {s.key for s in suggestions}
        in_window = max(0, n - 15)  # [100 // 10:-5]
        if in_window == 0:
            assert not made - {"steepest_gradient"} and "leaves none" in reasons[0]
        else:
            assert {"valley", "minimum"} <= made
            assert ("steep" in made) == (in_window >= 2)
            assert ("slide" in made) == (in_window >= 16) or any(r.startswith("slide needs 16") for r in reasons)
        assert ("steepest_gradient" in made) == (n >= 17)
        if n < 17:
            assert any("at least 17 recorded points" in r for r in reasons)
    all_nan = rt.suggest(lrs, np.full(40, np.nan), num_it=40)
    assert [s.key for s in all_nan[0]] == ["steepest_gradient"] and "before the first nan" in all_nan[1][0]
    one = rt.suggest(lrs[:12], bowl(40)[:12], num_it=60)  # window [6:7]: a single point
    assert {s.key for s in one[0]} == {"valley", "minimum"}
    assert any(r.startswith("steep needs 2 points") for r in one[1])


# --- torch-lr-finder 0.2.2, live -----------------------------------------------------------------------------------


def _torch_lr_finder_run(raw, config):
    """torch_lr_finder.LRFinder.range_test on a float64 model whose criterion returns the prescribed raw losses."""
    torch_lr_finder = pytest.importorskip("torch_lr_finder")
    model = torch.nn.Linear(1, 1).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=config.start_lr)
    losses = iter(np.asarray(raw, dtype=np.float64).tolist())

    def criterion(outputs, labels):
        return outputs.sum() * 0 + next(losses)  # zero gradient, the prescribed value exactly

    n = config.num_it
    data = torch.utils.data.TensorDataset(torch.zeros(n, 1, dtype=torch.float64), torch.zeros(n))
    finder = torch_lr_finder.LRFinder(model, optimizer, criterion)
    finder.range_test(torch.utils.data.DataLoader(data, batch_size=1), start_lr=config.start_lr,
                      end_lr=config.end_lr, num_iter=n, step_mode=config.mode)
    return finder


@pytest.mark.parametrize("mode,start_lr,end_lr,blow_up", [
    ("exp", 1e-7, 10.0, True), ("exp", 1e-4, 1.0, False), ("linear", 1e-3, 2.0, True), ("linear", 0.01, 0.5, False),
])
def test_torch_lr_finder_live_parity(mode, start_lr, end_lr, blow_up):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    config = RangeTestConfig(start_lr=start_lr, end_lr=end_lr, mode=mode, convention="torch-lr-finder")
    raw = bowl(100, noise=0.05, blow_up=blow_up)
    finder = _torch_lr_finder_run(raw, config)
    ours = rt.run(prescribed(raw), config)
    assert finder.history["lr"] == ours.lrs.tolist()
    assert finder.history["loss"] == ours.smoothed.tolist()
    assert (ours.stopped_at is not None) == blow_up
    if not blow_up:
        assert ours.lrs[-1] == pytest.approx(end_lr, rel=1e-12)

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        _, suggested = finder.plot(ax=ax, suggest_lr=True)  # skip_start=10, skip_end=5
    finally:
        plt.close(fig)
    assert ours.suggestion("steepest_gradient").lr == suggested


def test_torch_lr_finder_too_short_for_a_suggestion():
    config = RangeTestConfig(num_it=16, convention="torch-lr-finder")
    finder = _torch_lr_finder_run(np.linspace(2, 1, 16), config)
    with pytest.raises(RuntimeError, match="Need at least 17 iterations"):
        finder.plot(suggest_lr=True)
    result = rt.run(prescribed(np.linspace(2, 1, 16)), config)
    assert result.suggestion("steepest_gradient") is None
    assert any("at least 17 recorded points" in note for note in result.notes)


# --- a problem whose good learning rate is known --------------------------------------------------------------------


def least_squares(L, seed, *, d=20, m=4096, batch=256, condition=10.0, noise=0.1):
    """Noisy least squares 0.5 · mean((X w - y)²) trained by plain mini-batch SGD from w = 0. X is built so that
    the Hessian X^T X / m has eigenvalues spread geometrically over [L / condition, L]: full-batch gradient descent
    converges for lr < 2 / L and contracts the stiffest direction fastest at lr = 1 / L."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, d))
    X -= X.mean(axis=0)
    X = X @ np.linalg.inv(np.linalg.cholesky(X.T @ X / m)).T  # whitened: X^T X / m = I
    rotation, _ = np.linalg.qr(rng.standard_normal((d, d)))
    X = (X * np.sqrt(np.geomspace(L / condition, L, d))) @ rotation.T
    y = X @ rng.standard_normal(d) + noise * rng.standard_normal(m)
    hessian_top = np.linalg.eigvalsh(X.T @ X / m).max()
    w = np.zeros(d)

    def epochs():
        while True:
            yield from np.split(rng.permutation(m), m // batch)

    batches = epochs()

    def step(lr):
        idx = next(batches)
        residual = X[idx] @ w - y[idx]
        loss = 0.5 * float(np.mean(residual * residual))
        w[:] -= lr * (X[idx].T @ residual) / batch
        return loss

    def full_loss():
        return 0.5 * float(np.mean((X @ w - y) ** 2))

    return step, full_loss, hessian_top


@pytest.mark.parametrize("L", [1.0, 10.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("convention", rt.CONVENTIONS)
def test_suggestions_fall_in_the_known_good_range(L, seed, convention):
    """On least squares with largest curvature L, SGD diverges above 2 / L and the best single rate is about 1 / L.
    The range test (start 1e-5, end 10, 100 iterations) must diverge, and its suggestions must land below 2 / L and
    not far below 1 / L: steep, steepest gradient and minimum / 10 within [1 / (10 L), 2 / L]; valley, fastai's
    deliberately cautious pick (half-way along the longest falling stretch), within [1 / (100 L), 2 / L]."""
    step, _, top = least_squares(L, seed)
    assert top == pytest.approx(L, rel=1e-9)
    result = rt.run(step, RangeTestConfig(start_lr=1e-5, convention=convention))
    assert result.stopped_at is not None and result.lrs[result.stopped_at] > 2 / L
    found = {s.key: s.lr for s in result.suggestions}
    for key in ("steep", "steepest_gradient", "minimum"):
        assert 1 / (10 * L) <= found[key] <= 2 / L, (key, found[key] * L)
    assert 1 / (100 * L) <= found["valley"] <= 2 / L, found["valley"] * L


def test_the_known_range_is_right():
    """The check above is about the problem, not the range test: SGD at lr 1 / L converges, at 2.2 / L it blows up."""
    for lr_times_L, converges in ((1.0, True), (2.2, False)):
        step, full_loss, L = least_squares(1.0, 0)
        start = full_loss()
        for _ in range(300):
            step(lr_times_L / L)
        assert (full_loss() < 0.01 * start) == converges


# --- the playground ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def playground_result():
    return rt.run_playground()


def test_playground_stepper_trains_exactly_like_train():
    config = TrainConfig(epochs=2, seed=3)
    lrs = np.geomspace(1e-3, 0.3, total_steps(config))
    reference = train(config, lrs)
    step = rt.playground_stepper(config)
    assert np.array_equal([step(lr) for lr in lrs.tolist()], reference.train_loss)  # across an epoch boundary


def test_playground_range_test_is_deterministic_and_stops_on_divergence(playground_result):
    r = playground_result
    again = rt.run_playground()
    for name in ("lrs", "raw_losses", "smoothed"):
        assert np.array_equal(getattr(r, name), getattr(again, name)), name
    assert [s.lr for s in r.suggestions] == [s.lr for s in again.suggestions]
    assert r.stopped_at is not None and r.stopped_at < 99  # default end_lr 10: it diverges before the end
    assert r.smoothed[-1] > 4 * r.smoothed.min()
    assert r.raw_losses[0] == pytest.approx(math.log(10), rel=0.15)  # He init: about chance
    assert {s.key for s in r.suggestions} == set(rt.SUGGESTION_KEYS)
    other = rt.run_playground(TrainConfig(seed=1))
    assert not np.array_equal(other.raw_losses[:20], r.raw_losses[:20])


def test_training_at_the_valley_suggestion_learns(playground_result):
    valley = rt.one_cycle_max_lr(playground_result, "valley")
    assert 1e-3 < valley < 1.0
    result = train(TrainConfig(), np.full(total_steps(TrainConfig()), valley))
    assert result.val_accuracy[-1] > 0.9  # chance is 0.1


# --- analysing an uploaded table -----------------------------------------------------------------------------------


@pytest.mark.parametrize("config", [FASTAI, TLF], ids=["fastai", "torch-lr-finder"])
def test_analyze_reproduces_a_run(config):
    raw = bowl(100)
    run = rt.run(prescribed(raw), config)
    from_raw = rt.analyze(run.lrs, run.raw_losses, config=config)
    from_smoothed = rt.analyze(run.lrs, run.smoothed, already_smoothed=True, config=config)
    for got in (from_raw, from_smoothed):
        assert np.array_equal(got.smoothed, run.smoothed) and got.stopped_at == run.stopped_at
    # the run stopped early, so the table has fewer rows than num_it: the fastai window is cut with the row count
    assert from_raw.num_it == run.lrs.size < 100
    assert from_smoothed.raw_losses is None
    assert [s.lr for s in from_smoothed.suggestions] == [s.lr for s in rt.suggest(run.lrs, run.smoothed,
                                                                                  run.lrs.size)[0]]


def test_analyze_drops_rows_after_divergence():
    raw = bowl(100, blow_up=True)
    lrs = np.geomspace(1e-7, 10, 100)
    result = rt.analyze(lrs, raw)
    stop = rt.divergence_index(rt.smooth(raw, FASTAI), 4)
    assert result.stopped_at == stop and result.lrs.size == stop + 1 and result.num_it == 100
    assert f"Rows {stop + 2} to 100 are ignored" in result.notes[0]
    kept = rt.analyze(lrs, raw, config=RangeTestConfig(stop_div=False))
    assert kept.lrs.size == 100 and kept.stopped_at is None


@pytest.mark.parametrize("lrs,losses,match", [
    ([], [], "lrs must be a non-empty"),
    ([1e-3, 1e-2], [1.0], "losses must hold one value per lr"),
    ([1e-3, np.inf], [1.0, 1.0], "lrs must be finite"),
    ([-1e-3, 1e-2], [1.0, 1.0], "lrs must be finite and >= 0"),
    ([1e-3, 1e-2, 1e-3], [1.0, 1.0, 1.0], r"lrs must never go down, but row 3 \(0.001\)"),
    ([1e-3, 1e-3], [1.0, 1.0], "lrs must sweep upward"),
])
def test_analyze_rejects_bad_tables(lrs, losses, match):
    with pytest.raises(ValueError, match=match):
        rt.analyze(lrs, losses)


def test_analyze_accepts_equal_neighbours():
    lrs = np.repeat(np.geomspace(1e-6, 1, 50), 2)
    result = rt.analyze(lrs, bowl(100))
    assert result.suggestion("valley") is not None


# --- carrying suggestions into schedules ---------------------------------------------------------------------------


def test_cyclic_bounds_and_one_cycle_on_a_known_curve():
    lrs = np.geomspace(1e-5, 1, 40)
    smoothed = np.array([2.0] * 12 + [2.1, 2.05, 1.95, 1.8, 1.5, 1.2, 1.0, 0.9, 0.85, 0.84] + [1.0, 2.0, 4.0, 9.0]
                        + [9.5] * 14)
    result = rt.analyze(lrs, smoothed, already_smoothed=True)
    assert result.stopped_at == 24 and result.num_it == 40  # 4.0 > 4 × 0.84: 25 rows kept
    # fastai's window is [40 // 10:-5] of the 25 rows: points 4..19. The longest valley (2.1, 2.05, ..., 0.9) ends
    # at point 19; the highest point before it is 2.1 (point 12); a tenth of the fall 2.1 -> 0.9 is 1.98, first
    # reached at point 14 (1.95)
    assert result.suggestion("valley").span[1] == 19
    base, top, why = rt.cyclic_bounds(result, "valley_span")
    assert (base, top) == (lrs[14], lrs[19] / 2)  # max_lr: half where the (lagging) smoothed loss stops falling
    assert "starts to fall" in why and "stops falling" in why and "half" in why
    base, top, why = rt.cyclic_bounds(result, "max_over_4")
    assert top == lrs[19] / 2 and lrs[19] == result.suggestion("minimum").marker_lr
    assert base == top / 4 and "quarter" in why
    base, top, why = rt.cyclic_bounds(result, "max_over_3")
    assert base == top / 3 and "third" in why
    assert rt.one_cycle_max_lr(result) == result.suggestion("valley").lr
    assert rt.one_cycle_max_lr(result, "minimum") == lrs[19] / 10


def test_cyclic_bounds_errors():
    lrs = np.geomspace(1e-5, 1, 40)
    rising = rt.analyze(lrs, np.linspace(1, 3, 40), already_smoothed=True)
    with pytest.raises(ValueError, match="never falls"):
        rt.cyclic_bounds(rising, "valley_span")
    with pytest.raises(ValueError, match="rule must be one of valley_span, max_over_4, max_over_3"):
        rt.cyclic_bounds(rising, "max_over_2")
    short = rt.analyze(lrs[:12], np.linspace(3, 1, 12), already_smoothed=True)  # num_it 12: window [1:7]
    assert rt.cyclic_bounds(short, "valley_span")[:2] == (lrs[2], lrs[6] / 2)
    empty = rt.analyze(lrs[:5], np.linspace(3, 1, 5), already_smoothed=True)
    for rule in rt.CYCLIC_RULES:
        with pytest.raises(ValueError, match="no (valley|minimum) in this range test: fastai's window"):
            rt.cyclic_bounds(empty, rule)
    with pytest.raises(ValueError, match="no 'steep' suggestion"):
        rt.one_cycle_max_lr(empty, "steep")


# --- configuration ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,match", [
    ({"start_lr": 0.0}, r"start_lr must be > 0 for an exponential sweep, got 0.0"),
    ({"start_lr": -1.0, "mode": "linear"}, "start_lr must be >= 0 for a linear sweep"),
    ({"start_lr": float("nan")}, "start_lr must be finite"),
    ({"end_lr": float("inf")}, "end_lr must be finite"),
    ({"end_lr": "10"}, "end_lr must be a number"),
    ({"end_lr": 1e-8}, r"end_lr must be greater than start_lr \(1e-07\), got 1e-08"),
    ({"end_lr": 1e-7}, "end_lr must be greater than start_lr"),
    ({"num_it": 5}, r"num_it must be from 6 to 10,000 \(fastai raises fewer than 6 to 6\), got 5"),
    ({"num_it": 10_001}, "num_it must be from 6 to 10,000"),
    ({"num_it": 50.0}, "num_it must be a whole number"),
    ({"num_it": True}, "num_it must be a whole number"),
    ({"mode": "cos"}, "mode must be 'exp' or 'linear', got 'cos'"),
    ({"convention": "keras"}, "convention must be one of 'fastai', 'torch-lr-finder'"),
    ({"stop_div": "yes"}, "stop_div must be True or False"),
])
def test_bad_configs_raise_naming_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RangeTestConfig(**kwargs)


def test_config_values():
    assert FASTAI.stop_factor == 4 and TLF.stop_factor == 5
    assert "0.98" in FASTAI.smoothing_rule and "bias-corrected" in FASTAI.smoothing_rule
    assert "0.05" in TLF.smoothing_rule and "no bias correction" in TLF.smoothing_rule
    assert RangeTestConfig(num_it=np.int64(50), start_lr=1, end_lr=np.float32(2)).num_it == 50
    with pytest.raises(ValueError, match="keys must be among"):
        rt.suggest([1.0], [1.0], 10, keys=["cliff"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RangeTestConfig(start_lr=0.0, mode="linear")  # a linear sweep may start at 0


@pytest.mark.parametrize("rule", rt.CYCLIC_RULES)
def test_cyclic_bounds_from_the_playground_test_train_well(rule):
    """The bounds carried into CyclicLR must train: the playground with CyclicLR between them (4 epochs per half
    cycle, Smith's 2 to 10) ends above 90 % validation accuracy (chance: 10 %)."""
    config = TrainConfig()
    base, top, _ = rt.cyclic_bounds(rt.run_playground(config, rt.RangeTestConfig()), rule)
    assert 0 < base < top
    n = total_steps(config)
    lr = schedules.compute("torch.CyclicLR", {"base_lr": base, "max_lr": top, "step_size_up": 4 * 23}, steps=n)
    assert train(config, lr).val_accuracy[-1] > 0.9


def test_cyclic_bounds_never_invert():
    """A linear sweep samples low rates coarsely: the loss starts to fall above half the lr where it stops, and
    base_lr falls back to a quarter of max_lr."""
    result = rt.run_playground(TrainConfig(), RangeTestConfig(mode="linear"))
    base, top, why = rt.cyclic_bounds(result, "valley_span")
    assert base == top / 4 and "a quarter of max_lr" in why
    for optimizer in ("sgd", "adam"):
        for mode in ("exp", "linear"):
            result = rt.run_playground(TrainConfig(optimizer=optimizer), RangeTestConfig(mode=mode))
            for rule in rt.CYCLIC_RULES:
                base, top, _ = rt.cyclic_bounds(result, rule)
                assert 0 < base < top, (optimizer, mode, rule)
