"""Where a sensor sits on the robot: its frame's pose in base_link.

A `Mount` is the transform base_link <- sensor frame, as URDF and tf write it: a translation
(x, y, z, metres) and fixed-axis roll, pitch, yaw (radians), R = Rz(yaw) Ry(pitch) Rx(roll),
so a point p in the sensor frame is R p + t in base_link. It is filled from parameters
(`from_parameters`) or, where a robot publishes it on /tf_static, from that transform's
translation and quaternion (`from_transform`); both give the same type, so nothing
downstream cares which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from robot_brain.core.robot_model.frames import rotation_from_rpy

#: Angles and offsets below this are zero (a "centred, horizontal" mount).
EPS = 1e-9


def rotation_quaternion(x: float, y: float, z: float, w: float) -> np.ndarray:
    """3x3 float64 rotation of a unit quaternion (normalised here)."""
    n = math.sqrt(x * x + y * y + z * z + w * w)
    x, y, z, w = x / n, y / n, z / n, w / n
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def rpy_from_rotation(r: np.ndarray) -> tuple[float, float, float]:
    """(roll, pitch, yaw) of R = Rz(yaw) Ry(pitch) Rx(roll) (robot_model.frames)."""
    pitch = math.asin(max(-1.0, min(1.0, -float(r[2, 0]))))
    if abs(math.cos(pitch)) < 1e-9:  # gimbal lock: put everything into yaw
        return 0.0, pitch, math.atan2(-float(r[0, 1]), float(r[1, 1]))
    return (math.atan2(float(r[2, 1]), float(r[2, 2])), pitch,
            math.atan2(float(r[1, 0]), float(r[0, 0])))


@dataclass(frozen=True)
class Mount:
    """base_link <- sensor: translation (m) and roll, pitch, yaw (rad)."""

    xyz: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rpy: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if len(self.xyz) != 3 or len(self.rpy) != 3:
            raise ValueError(f"a mount needs 3 offsets and 3 angles, got {self.xyz} {self.rpy}")
        if not all(math.isfinite(v) for v in (*self.xyz, *self.rpy)):
            raise ValueError(f"a mount must be finite, got {self.xyz} {self.rpy}")

    @staticmethod
    def from_transform(translation: tuple[float, float, float],
                       quaternion: tuple[float, float, float, float]) -> Mount:
        """From a geometry_msgs/Transform's translation and rotation (x, y, z, w)."""
        if not all(math.isfinite(v) for v in quaternion) or math.fsum(
                v * v for v in quaternion) < 1e-12:
            raise ValueError(f"not a rotation quaternion: {quaternion}")
        x, y, z = (float(v) for v in translation)
        return Mount((x, y, z), rpy_from_rotation(rotation_quaternion(*quaternion)))

    def rotation(self) -> np.ndarray:
        return rotation_from_rpy(*self.rpy)

    def translation(self) -> np.ndarray:
        return np.array(self.xyz, dtype=np.float64)

    @property
    def centred(self) -> bool:
        """At base_link's vertical axis (x = y = 0)."""
        return abs(self.xyz[0]) < EPS and abs(self.xyz[1]) < EPS

    @property
    def horizontal(self) -> bool:
        """No roll or pitch: the sensor's x-y plane is base_link's."""
        return abs(self.rpy[0]) < EPS and abs(self.rpy[1]) < EPS
