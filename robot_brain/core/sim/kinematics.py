"""A walking humanoid's base as a velocity-commanded unicycle with speed and accel limits."""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.geometry import ZERO_VELOCITY, Pose2D, Velocity, wrap_angle

#: Below this yaw rate (rad/s) the arc formula is replaced by a straight line (no 0/0).
_STRAIGHT_EPS = 1e-9


@dataclass(frozen=True)
class VelocityLimits:
    max_linear_speed: float
    max_reverse_speed: float
    max_angular_speed: float
    max_linear_accel: float
    max_angular_accel: float


def sanitize(command: Velocity) -> Velocity:
    """A non-finite command (NaN, inf) means nothing safe: treat it as stop."""
    return command if command.is_finite() else ZERO_VELOCITY


def clamp_command(command: Velocity, limits: VelocityLimits) -> Velocity:
    c = sanitize(command)
    return Velocity(
        min(max(c.linear, -limits.max_reverse_speed), limits.max_linear_speed),
        min(max(c.angular, -limits.max_angular_speed), limits.max_angular_speed),
    )


def _approach(current: float, target: float, max_delta: float) -> float:
    return current + min(max(target - current, -max_delta), max_delta)


def accelerate(current: Velocity, command: Velocity, limits: VelocityLimits,
               dt: float) -> Velocity:
    """Velocity after dt when moving from current towards the (clamped) command."""
    target = clamp_command(command, limits)
    return Velocity(
        _approach(current.linear, target.linear, limits.max_linear_accel * dt),
        _approach(current.angular, target.angular, limits.max_angular_accel * dt),
    )


def integrate(pose: Pose2D, v: Velocity, dt: float) -> Pose2D:
    """Exact unicycle motion for constant v over dt (an arc, or a line when not turning)."""
    dyaw = v.angular * dt
    if abs(v.angular) < _STRAIGHT_EPS:
        return Pose2D(pose.x + v.linear * dt * math.cos(pose.yaw),
                      pose.y + v.linear * dt * math.sin(pose.yaw), wrap_angle(pose.yaw + dyaw))
    r = v.linear / v.angular
    yaw1 = pose.yaw + dyaw
    return Pose2D(pose.x + r * (math.sin(yaw1) - math.sin(pose.yaw)),
                  pose.y - r * (math.cos(yaw1) - math.cos(pose.yaw)), wrap_angle(yaw1))
