"""The MuJoCo model (MJCF text) of a world file extruded to 3-D with the robot in it.

Walls and boxes become box geoms and cylinders cylinder geoms between each obstacle's z_min
and z_max, all static (children of the world body, which never collide with each other). The
floor is a plane the lidars see and nothing collides with: the base is carried by its
velocity-controlled free joint, not by its feet (docs/mujoco.md). Contacts are made stiff
(a time constant of two time steps, impedance 0.99) so a body pressing into furniture stops
within ~1-2 cm of its surface instead of sinking into it.
"""

from __future__ import annotations

import math

from robot_brain.core.geometry import Pose2D
from robot_brain.core.robot_model.description import RobotDescription
from robot_brain.core.robot_model.frames import quaternion_from_rpy
from robot_brain.core.robot_model.mjcf import robot_body
from robot_brain.core.robot_model.urdf import fmt
from robot_brain.core.world import World

#: Prefix of the world's geom names in the model (a world name cannot clash with a body part).
OBSTACLE_PREFIX = "world/"
FLOOR = "world/floor"
#: Geom group of the floor (the world's obstacles are in group 0, the robot in group 1).
FLOOR_GROUP = 2
#: Margin of floor beyond the map bounds (m): rays leaving through a doorway still land.
_FLOOR_MARGIN = 20.0


def _v(values: tuple[float, ...] | list[float]) -> str:
    return " ".join(fmt(v) for v in values)


def _yaw_quat(yaw: float) -> str:
    return _v(quaternion_from_rpy(0.0, 0.0, yaw))


def scene_mjcf(world: World, desc: RobotDescription, timestep: float, start: Pose2D) -> str:
    """The whole model: options, the extruded world and the robot at `start`."""
    b = world.bounds
    time_constant = max(0.004, 2.0 * timestep)
    geoms: list[str] = []
    cx, cy = (b.x_min + b.x_max) / 2.0, (b.y_min + b.y_max) / 2.0
    half = ((b.x_max - b.x_min) / 2.0 + _FLOOR_MARGIN, (b.y_max - b.y_min) / 2.0 + _FLOOR_MARGIN)
    geoms.append(f'<geom name="{FLOOR}" type="plane" pos="{_v((cx, cy, 0.0))}" '
                 f'size="{_v((half[0], half[1], 0.1))}" contype="0" conaffinity="0" '
                 f'group="{FLOOR_GROUP}" rgba="0.7 0.7 0.7 1"/>')
    for wall in world.walls:
        (x0, y0), (x1, y1) = wall.start, wall.end
        length = math.hypot(x1 - x0, y1 - y0)
        # The same thick rectangle as World.segments(): capped by half a thickness each end.
        size = ((length + wall.thickness) / 2.0, wall.thickness / 2.0,
                (wall.z_max - wall.z_min) / 2.0)
        pos = ((x0 + x1) / 2.0, (y0 + y1) / 2.0, (wall.z_min + wall.z_max) / 2.0)
        geoms.append(f'<geom name="{OBSTACLE_PREFIX}{wall.name}" type="box" size="{_v(size)}" '
                     f'pos="{_v(pos)}" quat="{_yaw_quat(math.atan2(y1 - y0, x1 - x0))}" '
                     'rgba="0.85 0.83 0.78 1"/>')
    for box in world.boxes:
        size = (box.size[0] / 2.0, box.size[1] / 2.0, (box.z_max - box.z_min) / 2.0)
        pos = (box.center[0], box.center[1], (box.z_min + box.z_max) / 2.0)
        geoms.append(f'<geom name="{OBSTACLE_PREFIX}{box.name}" type="box" size="{_v(size)}" '
                     f'pos="{_v(pos)}" quat="{_yaw_quat(box.yaw)}" rgba="0.55 0.4 0.25 1"/>')
    for cyl in world.cylinders:
        radius_half_length = (cyl.radius, (cyl.z_max - cyl.z_min) / 2.0)
        pos = (cyl.center[0], cyl.center[1], (cyl.z_min + cyl.z_max) / 2.0)
        geoms.append(f'<geom name="{OBSTACLE_PREFIX}{cyl.name}" type="cylinder" '
                     f'size="{_v(radius_half_length)}" pos="{_v(pos)}" rgba="0.2 0.55 0.25 1"/>')
    body = robot_body(desc, start.x, start.y, start.yaw)
    return "\n".join([
        f'<mujoco model="{world.name}_{desc.name}">',
        # No gravity: the base's height and attitude are set every step (scripted gait), so
        # nothing would hold the body up against it; contacts still act in every direction.
        f'  <option timestep="{fmt(timestep)}" gravity="0 0 0"/>',
        "  <default>",
        f'    <geom solref="{fmt(time_constant)} 1" solimp="0.99 0.999 0.0005"/>',
        "  </default>",
        "  <worldbody>",
        *("    " + g for g in geoms),
        *("    " + line for line in body.splitlines()),
        "  </worldbody>",
        "</mujoco>",
        "",
    ])
