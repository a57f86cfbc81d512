"""The humanoid, once: body shapes, mass and sensor mounts, in `base_link`.

Every simulator and every robot file is generated from `HUMANOID`: the MuJoCo body
(robot_model.mjcf), the URDF published as `robot_description` (robot_model.urdf) and the
Gazebo model (scripts/make_gazebo_world.py). The sensor mounts here are also the defaults of
perception's sources, so the sims and the brain agree on where each sensor sits.

Frames (REP-103/105): `base_link` lies on the floor under the body's centre, x forward, y left,
z up, so a point's z in a levelled base_link is its height above the floor. A mount's pose is
the sensor frame's pose in base_link: x y z (m), then roll pitch yaw (rad, applied as fixed
axes x, y, z, as URDF's rpy). The head lidar is mounted upside down (roll pi), as a Unitree G1
carries its Livox MID-360: its -7..52 degree vertical field of view then looks from 7 degrees
above the horizon to 52 degrees below it.

The shapes are deliberately simple (boxes, vertical capsules and cylinders, spheres): a
~1.3 m, ~35 kg humanoid whose every part stays inside the brain's footprint circle
(`robot_radius`, 0.25 m).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum


class ShapeKind(str, Enum):
    BOX = "box"          # size = (x, y, z) full lengths
    CAPSULE = "capsule"  # size = (radius, length of the cylindrical part), axis along z
    CYLINDER = "cylinder"  # size = (radius, length), axis along z
    SPHERE = "sphere"    # size = (radius,)


@dataclass(frozen=True)
class Pose3D:
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    roll: float = 0.0
    pitch: float = 0.0
    yaw: float = 0.0

    def as_tuple(self) -> tuple[float, float, float, float, float, float]:
        return (self.x, self.y, self.z, self.roll, self.pitch, self.yaw)


@dataclass(frozen=True)
class BodyPart:
    """One rigid shape of the body, axis-aligned in base_link (its centre at `center`)."""

    name: str
    kind: ShapeKind
    size: tuple[float, ...]
    center: tuple[float, float, float]
    mass: float
    rgba: tuple[float, float, float, float] = (0.75, 0.75, 0.78, 1.0)

    @property
    def half_extents(self) -> tuple[float, float, float]:
        """Half the axis-aligned bounding box (x, y, z)."""
        if self.kind is ShapeKind.BOX:
            return (self.size[0] / 2.0, self.size[1] / 2.0, self.size[2] / 2.0)
        if self.kind is ShapeKind.SPHERE:
            r = self.size[0]
            return (r, r, r)
        r, length = self.size[0], self.size[1]
        half_z = length / 2.0 + (r if self.kind is ShapeKind.CAPSULE else 0.0)
        return (r, r, half_z)

    @property
    def z_range(self) -> tuple[float, float]:
        hz = self.half_extents[2]
        return (self.center[2] - hz, self.center[2] + hz)

    @property
    def reach(self) -> float:
        """Farthest horizontal distance of the shape from base_link's z axis."""
        hx, hy, _ = self.half_extents
        cx, cy = abs(self.center[0]), abs(self.center[1])
        if self.kind is ShapeKind.BOX:
            return math.hypot(cx + hx, cy + hy)
        return math.hypot(cx, cy) + hx


@dataclass(frozen=True)
class SensorMount:
    """Where a sensor's frame sits on the body (its pose in base_link) and what it publishes."""

    name: str
    frame: str
    pose: Pose3D
    topic: str


@dataclass(frozen=True)
class Mid360Spec:
    """The head lidar's published behaviour (Livox MID-360, as livox_ros_driver2 delivers it):
    360 degrees x (-7..52 degrees) in the sensor frame, ~200 000 points/s in 10 Hz frames, four
    laser lines. Ranges: 0.1 m blind zone, 40 m at 10 % reflectivity."""

    vertical_min_deg: float = -7.0
    vertical_max_deg: float = 52.0
    points_per_frame: int = 20_000
    frame_rate_hz: float = 10.0
    lines: int = 4
    range_min: float = 0.1
    range_max: float = 40.0
    range_noise_std: float = 0.02  # m, the datasheet's range precision (1 sigma) at 10 m


@dataclass(frozen=True)
class RobotDescription:
    name: str
    parts: tuple[BodyPart, ...]
    head_lidar: SensorMount
    knee_laser: SensorMount
    imu: SensorMount
    head_lidar_spec: Mid360Spec
    #: The body part the head lidar sits in: its own housing is not in its view.
    head_part: str
    #: The parts perception's self-filter strips by default (robot_model.perception): those
    #: the robot's own sensors can see. The head lidar sees the torso and the upper arms (its
    #: view ends 52 degrees below the horizon; pelvis, forearms and legs lie further down),
    #: the head is its own housing; the forearms are kept for a real robot's arm swing. The
    #: knee laser's mount keeps the legs out of its view, so the legs are left out: a shape
    #: crossing the knee laser's plane would cost the centred 2D scan its sector model
    #: (docs/perception.md). test/unit/test_robot_model.py checks the geometry.
    self_filter_parts: tuple[str, ...] = ()
    base_frame: str = "base_link"

    @property
    def mass(self) -> float:
        return sum(p.mass for p in self.parts)

    @property
    def height(self) -> float:
        return max(p.z_range[1] for p in self.parts)

    @property
    def footprint_radius(self) -> float:
        return max(p.reach for p in self.parts)

    def part(self, name: str) -> BodyPart:
        for p in self.parts:
            if p.name == name:
                return p
        raise KeyError(name)

    def bounding_boxes(self, margin: float = 0.0
                       ) -> tuple[tuple[str, tuple[float, float, float],
                                  tuple[float, float, float]], ...]:
        """(name, centre, half extents + margin) of every part, axis-aligned in base_link:
        the boxes a self-filter can strip from a cloud taken on this body."""
        return tuple((p.name, p.center, _grown(p.half_extents, margin)) for p in self.parts)

    @property
    def mounts(self) -> tuple[SensorMount, ...]:
        return (self.head_lidar, self.knee_laser, self.imu)


def _grown(half: tuple[float, float, float], margin: float) -> tuple[float, float, float]:
    return (half[0] + margin, half[1] + margin, half[2] + margin)


_DARK = (0.25, 0.25, 0.3, 1.0)
_LIGHT = (0.8, 0.8, 0.82, 1.0)

#: The project's humanoid (~1.3 m, ~35 kg). Legs from the feet up, then pelvis, torso, arms
#: hanging at the sides, neck and head. The knee laser sits on the body's axis between the
#: shins (the legs are 0.045 m from that axis at its height: a real mount puts the legs out
#: of its field of view, the sims leave them out of its rays).
HUMANOID = RobotDescription(
    name="humanoid",
    parts=(
        BodyPart("foot_left", ShapeKind.BOX, (0.22, 0.09, 0.05), (0.03, 0.09, 0.025), 1.0, _DARK),
        BodyPart("foot_right", ShapeKind.BOX, (0.22, 0.09, 0.05), (0.03, -0.09, 0.025), 1.0,
                 _DARK),
        BodyPart("shin_left", ShapeKind.CAPSULE, (0.045, 0.26), (0.0, 0.09, 0.235), 2.0, _DARK),
        BodyPart("shin_right", ShapeKind.CAPSULE, (0.045, 0.26), (0.0, -0.09, 0.235), 2.0,
                 _DARK),
        BodyPart("thigh_left", ShapeKind.CAPSULE, (0.06, 0.20), (0.0, 0.09, 0.50), 3.5, _DARK),
        BodyPart("thigh_right", ShapeKind.CAPSULE, (0.06, 0.20), (0.0, -0.09, 0.50), 3.5, _DARK),
        BodyPart("pelvis", ShapeKind.BOX, (0.16, 0.26, 0.12), (0.0, 0.0, 0.66), 4.0, _DARK),
        BodyPart("torso", ShapeKind.BOX, (0.18, 0.30, 0.33), (0.0, 0.0, 0.885), 10.0, _LIGHT),
        BodyPart("upper_arm_left", ShapeKind.CAPSULE, (0.04, 0.20), (0.0, 0.195, 0.90), 1.5,
                 _DARK),
        BodyPart("upper_arm_right", ShapeKind.CAPSULE, (0.04, 0.20), (0.0, -0.195, 0.90), 1.5,
                 _DARK),
        BodyPart("forearm_left", ShapeKind.CAPSULE, (0.035, 0.20), (0.0, 0.195, 0.675), 1.0,
                 _DARK),
        BodyPart("forearm_right", ShapeKind.CAPSULE, (0.035, 0.20), (0.0, -0.195, 0.675), 1.0,
                 _DARK),
        BodyPart("neck", ShapeKind.CYLINDER, (0.04, 0.05), (0.0, 0.0, 1.075), 0.5, _DARK),
        BodyPart("head", ShapeKind.SPHERE, (0.10,), (0.0, 0.0, 1.20), 2.5, _LIGHT),
    ),
    head_lidar=SensorMount("head_lidar", "livox_frame",
                           Pose3D(0.0, 0.0, 1.20, math.pi, 0.0, 0.0), "livox/lidar"),
    knee_laser=SensorMount("knee_laser", "laser", Pose3D(0.0, 0.0, 0.35), "scan"),
    imu=SensorMount("imu", "imu_link", Pose3D(0.0, 0.0, 0.66), "imu"),
    head_lidar_spec=Mid360Spec(),
    head_part="head",
    self_filter_parts=("torso", "upper_arm_left", "upper_arm_right", "forearm_left",
                       "forearm_right", "neck", "head"),
)
