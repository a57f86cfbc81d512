"""The robot description as a MuJoCo body (MJCF text; mujoco itself is not imported).

One rigid body with a free joint, `base_link` on the floor; the part holding the head lidar
is a child body of its own, so the lidar's rays can leave their own housing out
(mj_multiRay's `bodyexclude`). The base's inertia about the horizontal axes is made huge
(`TIPPING_INERTIA`): a humanoid's balance controller keeps it upright when its torso bumps
into a table, and the simulator sets its attitude from the scripted gait anyway; without it a
contact high on the body would spin the body about its floor origin for a step. Every
robot geom is in geom group 1, so a ray cast can also leave the whole robot out. Each
sensor mount is a site named after its frame.
"""

from __future__ import annotations

from robot_brain.core.robot_model.description import BodyPart, RobotDescription, ShapeKind
from robot_brain.core.robot_model.frames import quaternion_from_rpy
from robot_brain.core.robot_model.inertia import part_inertia
from robot_brain.core.robot_model.urdf import fmt

#: Geom group of the robot's own shapes (the world's are in group 0).
ROBOT_GEOM_GROUP = 1
#: kg m^2 about the base's x and y axes (its z axis keeps the body's own inertia).
TIPPING_INERTIA = 1.0e4


def _v(values: tuple[float, ...] | list[float]) -> str:
    return " ".join(fmt(v) for v in values)


def _geom(part: BodyPart, pos: tuple[float, float, float]) -> str:
    if part.kind is ShapeKind.BOX:
        kind, size = "box", [s / 2.0 for s in part.size]
    elif part.kind is ShapeKind.SPHERE:
        kind, size = "sphere", [part.size[0]]
    else:  # capsule and cylinder: radius and half the length, along the body's z
        kind = "capsule" if part.kind is ShapeKind.CAPSULE else "cylinder"
        size = [part.size[0], part.size[1] / 2.0]
    return (f'<geom name="{part.name}" type="{kind}" size="{_v(size)}" pos="{_v(pos)}" '
            f'mass="{fmt(part.mass)}" rgba="{_v(part.rgba)}" group="{ROBOT_GEOM_GROUP}"/>')


def robot_body(desc: RobotDescription, x: float = 0.0, y: float = 0.0, yaw: float = 0.0
               ) -> str:
    """The robot's <body> element at (x, y) on the floor, heading `yaw`."""
    w, qx, qy, qz = quaternion_from_rpy(0.0, 0.0, yaw)
    lines = [f'<body name="{desc.base_frame}" pos="{_v((x, y, 0.0))}" '
             f'quat="{_v((w, qx, qy, qz))}">',
             '  <freejoint name="base"/>']
    head = desc.part(desc.head_part)
    body = tuple(p for p in desc.parts if p.name != head.name)
    mass = sum(p.mass for p in body)
    com = [sum(p.mass * p.center[i] for p in body) / mass for i in range(3)]
    izz = sum(part_inertia(p)[2] + p.mass * ((p.center[0] - com[0]) ** 2
                                             + (p.center[1] - com[1]) ** 2) for p in body)
    lines.append(f'  <inertial pos="{_v(com)}" mass="{fmt(mass)}" '
                 f'diaginertia="{_v((TIPPING_INERTIA, TIPPING_INERTIA, izz))}"/>')
    for part in body:
        lines.append("  " + _geom(part, part.center))
    for mount in desc.mounts:
        p = mount.pose
        q = quaternion_from_rpy(p.roll, p.pitch, p.yaw)
        lines.append(f'  <site name="{mount.frame}" pos="{_v((p.x, p.y, p.z))}" '
                     f'quat="{_v(q)}" size="0.02"/>')
    lines.append(f'  <body name="{head.name}" pos="{_v(head.center)}">')
    lines.append("    " + _geom(head, (0.0, 0.0, 0.0)))
    lines.append("  </body>")
    lines.append("</body>")
    return "\n".join(lines)
