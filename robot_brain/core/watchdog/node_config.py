"""The watchdog node's settings: the deadline state machine's, the check timer's, liveness."""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.config.params import group, param
from robot_brain.core.config.process import RealtimeSettings
from robot_brain.core.config.robot import RobotConfig
from robot_brain.core.watchdog.deadline import WatchdogConfig, WatchdogConfigError


@dataclass(frozen=True)
class WatchdogNodeConfig:
    robot: RobotConfig = group(RobotConfig)
    deadline: WatchdogConfig = group(WatchdogConfig)
    check_rate_hz: float = param(200.0, "Rate of the check while waiting, slowing down or "
                                 "stopped (steady clock); otherwise it is armed one deadline "
                                 "after each command.", unit="Hz", min=1.0, max=2000.0)
    realtime: RealtimeSettings = group(RealtimeSettings)
    stale_node_timeout_s: float = param(3.0, "A node whose /diagnostics stopped for this long "
                                        "is reported stale (a warning, never a stop).",
                                        unit="s", min=0.1, max=600.0)

    def __post_init__(self) -> None:
        period, deadline = 1.0 / self.check_rate_hz, self.deadline.deadline_s
        if period > deadline:
            raise WatchdogConfigError(
                f"parameter 'check_rate_hz' = {self.check_rate_hz}: its period "
                f"({period * 1e3:.1f} ms) must not exceed deadline_s ({deadline * 1e3:.1f} ms), "
                "or a stall is caught a whole period late")
