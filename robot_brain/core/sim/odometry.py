"""Odometry that drifts, and the localiser's view the built-in sim can publish beside it.

A real robot's odometry (legged or wheeled) accumulates error: distances a little off, a
heading that creeps with every metre walked. The built-in sim's odometry is exact unless
asked otherwise (odom_drift_scale, odom_drift_yaw_per_m); with drift, its true pose is what a
localiser would report on the map (localization_pose_topic), so the brain's map frame and
its relocalisation are exercised without a real localiser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.geometry import Pose2D, wrap_angle


class OdometryDriftConfigError(ConfigurationError):
    """Drift or localisation settings the sim cannot use."""


@dataclass(frozen=True)
class OdometryDriftConfig:
    odom_drift_scale: float = param(
        0.0, "Odometry's distance and turn error as a fraction (0.02: 2 % long); 0 = exact.",
        min=-0.5, max=0.5)
    odom_drift_yaw_per_m: float = param(
        0.0, "Odometry's heading error accumulated per metre walked; 0 = none.",
        unit="rad/m", min=-1.0, max=1.0)
    localization_pose_topic: str = param(
        "", "Publish the true pose on the map as a localiser would (PoseWithCovarianceStamped, "
        "frame map_frame) on this topic, e.g. 'amcl_pose'; '' = none.")
    localization_rate_hz: float = param(2.0, "Rate of the localisation pose.", unit="Hz",
                                        min=0.1, max=50.0)
    map_frame: str = param("map", "Frame of the localisation pose.")

    def __post_init__(self) -> None:
        if self.localization_pose_topic and not self.map_frame.strip():
            raise OdometryDriftConfigError("map_frame must not be empty")

    @property
    def drifts(self) -> bool:
        return self.odom_drift_scale != 0.0 or self.odom_drift_yaw_per_m != 0.0


class DriftingOdometry:
    """Integrates the true motion step by step with a scale error and a heading creep.

    Each step's true displacement, taken in the body frame of the previous pose, is scaled
    and its turn gains `yaw_per_m` per metre; the result is composed onto the odometry pose.
    Exact whatever the steps (no velocity integration of its own)."""

    def __init__(self, start: Pose2D, scale: float = 0.0, yaw_per_m: float = 0.0) -> None:
        self.scale = scale
        self.yaw_per_m = yaw_per_m
        self.pose = start
        self._true = start

    def update(self, true_pose: Pose2D) -> Pose2D:
        prev = self._true
        dx, dy = prev.to_local(true_pose.x, true_pose.y)
        turn = wrap_angle(true_pose.yaw - prev.yaw)
        k = 1.0 + self.scale
        step = math.hypot(dx, dy)
        dx, dy = dx * k, dy * k
        turn = turn * k + self.yaw_per_m * step
        o = self.pose
        c, s = math.cos(o.yaw), math.sin(o.yaw)
        self.pose = Pose2D(o.x + c * dx - s * dy, o.y + s * dx + c * dy, wrap_angle(o.yaw + turn))
        self._true = true_pose
        return self.pose
