"""The one exception type the engine raises for bad input."""


class ScheduleError(ValueError):
    """Bad schedule input: names the parameter (``param``) and what would be valid.

    ``param`` is a dotted path such as ``"gamma"`` or ``"schedulers[1].params.gamma"`` so that a UI can put
    the message next to the right widget; it is ``None`` for problems that belong to no single parameter.
    """

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param
