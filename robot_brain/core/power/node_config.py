"""The power monitor node's settings: its beliefs about the robot's draw, the estimator, the
mode thresholds, and how often it reports."""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotConfig
from robot_brain.core.power.battery_state import BatteryConventions
from robot_brain.core.power.draw_model import PowerModel
from robot_brain.core.power.estimator import EstimatorConfig
from robot_brain.core.power.modes import ModeThresholds


@dataclass(frozen=True)
class PowerMonitorConfig:
    robot: RobotConfig = group(RobotConfig)
    model: PowerModel = group(PowerModel)
    estimator: EstimatorConfig = group(EstimatorConfig)
    thresholds: ModeThresholds = group(ModeThresholds)
    #: How the robot fills BatteryState (the planner's too; checked equal at start).
    battery: BatteryConventions = group(BatteryConventions)
    publish_rate_hz: float = param(1.0, "Rate of power/endurance and /diagnostics.", unit="Hz",
                                   min=0.1, max=50.0)
    battery_timeout_s: float = param(5.0, "No battery_state for this long -> endurance "
                                     "unknown.", unit="s", min=0.1, max=600.0)
