"""What perception needs to know of the robot description, in perception's parameter shapes:
each sensor source's mount (mount_xyz, mount_rpy, frame, topic) and the body's self-filter
shapes (7 numbers each: a box as centre x y z, size x y z, yaw; a capsule as end a x y z, end
b x y z, radius).

The self-filter shapes are the defaults of perception's `self_boxes` and `self_capsules`
(robot_brain.core.perception.cloud.config): the description's `self_filter_parts`, grown by
SELF_FILTER_MARGIN. The sims mount their sensors from the description; config/mujoco.yaml
gives perception the same mounts, and test/unit/test_robot_model.py checks that the file
says what these functions say, so the simulated mounts and the brain's cannot drift apart.
"""

from __future__ import annotations

from robot_brain.core.robot_model.description import (
    BodyPart,
    RobotDescription,
    SensorMount,
    ShapeKind,
)

#: Each self-filter shape is its part grown by this much (m): a return on the body's surface
#: (range noise, a sleeve, the sway between the shapes and the real body) still falls inside.
SELF_FILTER_MARGIN = 0.05


def source_mount(mount: SensorMount) -> dict[str, object]:
    """A perception source's topic, frame and mount for `mount`."""
    p = mount.pose
    return {"topic": mount.topic, "frame": mount.frame,
            "mount_xyz": [p.x, p.y, p.z], "mount_rpy": [p.roll, p.pitch, p.yaw]}


def _filtered(desc: RobotDescription, kinds: tuple[ShapeKind, ...]) -> list[BodyPart]:
    return [desc.part(name) for name in desc.self_filter_parts
            if desc.part(name).kind in kinds]


def _numbers(values: list[float]) -> tuple[float, ...]:
    """Rounded to 1 um: stable parameter defaults (0.28, not 0.28000000000000003)."""
    return tuple(round(float(v), 6) for v in values)


def self_filter_boxes(desc: RobotDescription, margin: float = SELF_FILTER_MARGIN
                      ) -> tuple[float, ...]:
    """The self-filter's box and sphere parts as boxes (a sphere by its cube), grown by
    `margin` each side."""
    out: list[float] = []
    for part in _filtered(desc, (ShapeKind.BOX, ShapeKind.SPHERE)):
        hx, hy, hz = part.half_extents
        out += [*part.center, 2 * (hx + margin), 2 * (hy + margin), 2 * (hz + margin), 0.0]
    return _numbers(out)


def self_filter_capsules(desc: RobotDescription, margin: float = SELF_FILTER_MARGIN
                         ) -> tuple[float, ...]:
    """The self-filter's capsule and cylinder parts (vertical) as capsules, radius grown by
    `margin`."""
    out: list[float] = []
    for part in _filtered(desc, (ShapeKind.CAPSULE, ShapeKind.CYLINDER)):
        x, y, z = part.center
        half = part.size[1] / 2.0
        out += [x, y, z - half, x, y, z + half, part.size[0] + margin]
    return _numbers(out)
