"""Planar geometry shared by the sim, perception, controller and planner."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Pose2D:
    x: float
    y: float
    yaw: float

    def to_local(self, gx: float, gy: float) -> tuple[float, float]:
        """A world point (gx, gy) expressed in this pose's frame."""
        dx, dy = gx - self.x, gy - self.y
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        return (c * dx + s * dy, -s * dx + c * dy)


@dataclass(frozen=True)
class Velocity:
    """A planar body velocity: forward speed (m/s) and yaw rate (rad/s)."""

    linear: float = 0.0
    angular: float = 0.0

    def is_finite(self) -> bool:
        return math.isfinite(self.linear) and math.isfinite(self.angular)

    def is_zero(self) -> bool:
        """Exactly zero: a held command (the controller's stops and holds are exact zeros)."""
        return self.linear == 0.0 and self.angular == 0.0


ZERO_VELOCITY = Velocity(0.0, 0.0)


def wrap_angle(a: float) -> float:
    """Angle wrapped to [-pi, pi)."""
    return (a + math.pi) % (2.0 * math.pi) - math.pi


def yaw_from_quaternion(x: float, y: float, z: float, w: float) -> float:
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def quaternion_from_yaw(yaw: float) -> tuple[float, float, float, float]:
    """(x, y, z, w) of a rotation about z."""
    return (0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0))
