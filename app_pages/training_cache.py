"""Playground runs, memoised across reruns and sessions: training is deterministic, so a run with the same setup
and schedule is trained once. (Not st.cache_data: the run reports its progress to a bar drawn by the caller.)"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict

from playground.mlp import TrainResult
from playground.schedule_run import train_with_schedule

from .train_state import Run, Setup, is_metric_driven

CACHE_SIZE = 64
_RESULTS: OrderedDict[str, tuple[TrainResult, float]] = OrderedDict()
_LOCK = threading.Lock()  # sessions run in threads of one process


def run_key(setup: Setup, run: Run) -> str:
    stepping = "epoch" if is_metric_driven(run) else run.stepping
    return json.dumps([asdict(setup), run.schedule.name, run.schedule.params, run.base_lr, stepping], sort_keys=True)


def trained(setup: Setup, run: Run, progress: Callable[[float], None] | None = None) -> tuple[TrainResult, float]:
    """The run's result and the seconds its training took. Raises what ``train_with_schedule`` raises."""
    key = run_key(setup, run)
    with _LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key]
    start = time.perf_counter()
    result = train_with_schedule(setup.config(), run.schedule.name, run.schedule.params, run.base_lr, run.stepping,
                                 on_progress=progress)
    with _LOCK:
        _RESULTS[key] = (result, time.perf_counter() - start)
        while len(_RESULTS) > CACHE_SIZE:
            _RESULTS.popitem(last=False)
        return _RESULTS[key]
