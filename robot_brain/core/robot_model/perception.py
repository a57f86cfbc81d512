"""What perception needs to know of the robot description, in perception's parameter shapes:
each sensor source's mount (mount_xyz, mount_rpy, frame, topic) and the body's self-filter
shapes (7 numbers each: a box as centre x y z, size x y z, yaw; a capsule as end a x y z, end
b x y z, radius).

The sims mount their sensors from the description; config/mujoco.yaml gives perception the
same numbers, and test/unit/test_robot_model.py checks that the file says what these
functions say, so the simulated mounts and the brain's cannot drift apart.
"""

from __future__ import annotations

from robot_brain.core.robot_model.description import RobotDescription, SensorMount, ShapeKind


def source_mount(mount: SensorMount) -> dict[str, object]:
    """A perception source's topic, frame and mount for `mount`."""
    p = mount.pose
    return {"topic": mount.topic, "frame": mount.frame,
            "mount_xyz": [p.x, p.y, p.z], "mount_rpy": [p.roll, p.pitch, p.yaw]}


def self_filter_boxes(desc: RobotDescription, margin: float) -> tuple[float, ...]:
    """Box and sphere parts as boxes (a sphere by its cube), grown by `margin` each side."""
    out: list[float] = []
    for part in desc.parts:
        if part.kind in (ShapeKind.BOX, ShapeKind.SPHERE):
            hx, hy, hz = part.half_extents
            out += [*part.center, 2 * (hx + margin), 2 * (hy + margin), 2 * (hz + margin), 0.0]
    return tuple(out)


def self_filter_capsules(desc: RobotDescription, margin: float) -> tuple[float, ...]:
    """Capsule and cylinder parts (vertical) as capsules, radius grown by `margin`."""
    out: list[float] = []
    for part in desc.parts:
        if part.kind in (ShapeKind.CAPSULE, ShapeKind.CYLINDER):
            x, y, z = part.center
            half = part.size[1] / 2.0
            out += [x, y, z - half, x, y, z + half, part.size[0] + margin]
    return tuple(out)
