"""The deadline watchdog, independent of the controller it guards (as nav2 keeps its
collision monitor apart from the planners): the graded deadline response (`deadline`), who
made a late command late (`command_gaps`) and which nodes still report (`liveness`)."""

from robot_brain.core.watchdog.deadline import (
    Action,
    Decision,
    ResetResult,
    StopMode,
    WatchdogConfig,
    WatchdogConfigError,
    WatchdogCore,
    WatchdogCounters,
    WatchdogState,
)
from robot_brain.core.watchdog.liveness import NodeLiveness

__all__ = [
    "Action", "Decision", "NodeLiveness", "ResetResult", "StopMode", "WatchdogConfig",
    "WatchdogConfigError", "WatchdogCore", "WatchdogCounters", "WatchdogState",
]
