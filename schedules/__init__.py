"""The schedule engine: every supported LR scheduler as an exact, vectorized numpy curve.

>>> import schedules
>>> lr = schedules.compute("torch.StepLR", {"step_size": 30}, steps=100, base_lr=0.1)

Pure numpy and the standard library: no streamlit or plotly here.
"""

from . import oneflow_schedules, torch_schedules, transformers_schedules  # noqa: F401  (they register specs)
from .engine import MAX_STEPS, Child, Context, compute, example, get, names, phases, validate
from .errors import ScheduleError
from .spec import REQUIRED, Param, Slider, Spec
from .trace import Event, Trace, trace, traceable

__all__ = ["MAX_STEPS", "REQUIRED", "Child", "Context", "Event", "Param", "ScheduleError", "Slider", "Spec", "Trace",
           "compute", "example", "get", "names", "phases", "trace", "traceable", "validate"]
