"""Plain values -> Foxglove schema messages for the 3D panel (world, robot, route, frames).

All built from the world file and from values the node took out of ROS messages; nothing
here knows rclpy. Heights are for the picture only (the brain is planar): walls 1 m, furniture
0.6 m, the humanoid's body a 1.5 m column of its footprint radius.
"""

from __future__ import annotations

import math
from typing import Sequence

from foxglove.messages import (
    ArrowPrimitive,
    Color,
    CubePrimitive,
    CylinderPrimitive,
    Duration,
    FrameTransform,
    FrameTransforms,
    LinePrimitive,
    LinePrimitiveLineType,
    Point3,
    Pose,
    Quaternion,
    SceneEntity,
    SceneUpdate,
    SpherePrimitive,
    TextPrimitive,
    Timestamp,
    Vector3,
)

from robot_brain.core.config.robot import Frames
from robot_brain.core.geometry import Pose2D, quaternion_from_yaw
from robot_brain.core.maps.outline import obstacle_boxes
from robot_brain.core.world import World, wall_as_box

WALL_HEIGHT = 1.0
FURNITURE_HEIGHT = 0.6
BODY_HEIGHT = 1.5
WALL_COLOR = Color(r=0.55, g=0.57, b=0.62, a=1.0)
FURNITURE_COLOR = Color(r=0.80, g=0.55, b=0.30, a=0.9)
PLACE_COLOR = Color(r=0.20, g=0.60, b=1.00, a=0.9)
BOUNDS_COLOR = Color(r=0.9, g=0.9, b=0.9, a=0.6)
BODY_COLOR = Color(r=0.10, g=0.75, b=0.35, a=0.6)
HEADING_COLOR = Color(r=1.0, g=1.0, b=1.0, a=1.0)
GOAL_COLOR = Color(r=1.0, g=0.25, b=0.6, a=1.0)
ROUTE_COLOR = Color(r=1.0, g=0.25, b=0.6, a=0.7)


def timestamp(ns: int) -> Timestamp:
    return Timestamp(sec=ns // 1_000_000_000, nsec=ns % 1_000_000_000)


def _pose(x: float, y: float, z: float = 0.0, yaw: float = 0.0) -> Pose:
    qx, qy, qz, qw = quaternion_from_yaw(yaw)
    return Pose(position=Vector3(x=x, y=y, z=z), orientation=Quaternion(x=qx, y=qy, z=qz, w=qw))


def world_scene(world: World, frame: str, stamp_ns: int) -> SceneUpdate:
    """The world file as one SceneUpdate: walls, furniture (boxes, cylinders), bounds, places.

    Entity ids are stable ('world/walls', ...), so republishing replaces, never piles up.
    """
    ts = timestamp(stamp_ns)
    walls = [CubePrimitive(pose=_pose(b.center[0], b.center[1], WALL_HEIGHT / 2.0, b.yaw),
                           size=Vector3(x=b.size[0], y=b.size[1], z=WALL_HEIGHT),
                           color=WALL_COLOR)
             for b in (wall_as_box(w) for w in world.walls)]
    boxes = [CubePrimitive(pose=_pose(b.center[0], b.center[1], FURNITURE_HEIGHT / 2.0, b.yaw),
                           size=Vector3(x=b.size[0], y=b.size[1], z=FURNITURE_HEIGHT),
                           color=FURNITURE_COLOR) for b in world.boxes]
    cylinders = [CylinderPrimitive(
        pose=_pose(c.center[0], c.center[1], FURNITURE_HEIGHT / 2.0),
        size=Vector3(x=2 * c.radius, y=2 * c.radius, z=FURNITURE_HEIGHT),
        bottom_scale=1.0, top_scale=1.0, color=FURNITURE_COLOR) for c in world.cylinders]
    if world.grid is not None:
        # A map world: its obstacle cells, row runs drawn as walls (coarsened on a big map).
        walls = [CubePrimitive(pose=_pose(m.cx, m.cy, WALL_HEIGHT / 2.0, m.yaw),
                               size=Vector3(x=m.sx, y=m.sy, z=WALL_HEIGHT), color=WALL_COLOR)
                 for m in obstacle_boxes(world.grid)]
    b = world.bounds
    corners = [(b.x_min, b.y_min), (b.x_max, b.y_min), (b.x_max, b.y_max), (b.x_min, b.y_max),
               (b.x_min, b.y_min)]
    bounds = LinePrimitive(type=LinePrimitiveLineType.LineStrip, pose=_pose(0.0, 0.0),
                           thickness=2.0, scale_invariant=True,
                           points=[Point3(x=x, y=y, z=0.0) for x, y in corners],
                           color=BOUNDS_COLOR)
    places = sorted(world.places.values(), key=lambda p: p.name)
    markers = [SpherePrimitive(pose=_pose(p.x, p.y, 0.05), size=Vector3(x=0.15, y=0.15, z=0.15),
                               color=PLACE_COLOR) for p in places]
    labels = [TextPrimitive(pose=_pose(p.x, p.y, 0.3), billboard=True, font_size=14.0,
                            scale_invariant=True, color=PLACE_COLOR, text=p.name)
              for p in places]

    def entity(eid: str, **prims: object) -> SceneEntity:
        return SceneEntity(timestamp=ts, frame_id=frame, id=eid, lifetime=Duration(sec=0, nsec=0),
                           frame_locked=True, **prims)  # type: ignore[arg-type]

    return SceneUpdate(entities=[
        entity("world/walls", cubes=walls),
        entity("world/furniture", cubes=boxes, cylinders=cylinders),
        entity("world/bounds", lines=[bounds]),
        entity("world/places", spheres=markers, texts=labels),
    ])


def robot_scene(robot_radius: float, frame: str, stamp_ns: int) -> SceneUpdate:
    """The robot's footprint column and a heading arrow, locked to its body frame."""
    body = CylinderPrimitive(pose=_pose(0.0, 0.0, BODY_HEIGHT / 2.0),
                             size=Vector3(x=2 * robot_radius, y=2 * robot_radius, z=BODY_HEIGHT),
                             bottom_scale=1.0, top_scale=1.0, color=BODY_COLOR)
    heading = ArrowPrimitive(pose=_pose(0.0, 0.0, BODY_HEIGHT + 0.05), shaft_length=robot_radius,
                             shaft_diameter=0.05, head_length=0.15, head_diameter=0.12,
                             color=HEADING_COLOR)
    return SceneUpdate(entities=[SceneEntity(
        timestamp=timestamp(stamp_ns), frame_id=frame, id="robot/footprint",
        lifetime=Duration(sec=0, nsec=0), frame_locked=True, cylinders=[body],
        arrows=[heading])])


def route_scene(goal: Pose2D | None, waypoints: Sequence[tuple[float, float]],
                robot: Pose2D | None, frame: str, stamp_ns: int) -> SceneUpdate:
    """The current goal (arrow, or a sphere when it has no heading) and the route so far.

    `waypoints`: the goals handed out since the plan started (the planner publishes the route
    one waypoint at a time on planner/goal); the line runs through them from the robot's pose to
    the current goal. No goal: the entity is deleted (empty lists replace the old one).
    """
    spheres, arrows, lines = [], [], []
    if goal is not None:
        if math.isfinite(goal.yaw):
            arrows.append(ArrowPrimitive(pose=_pose(goal.x, goal.y, 0.05, goal.yaw),
                                         shaft_length=0.35, shaft_diameter=0.06,
                                         head_length=0.2, head_diameter=0.18, color=GOAL_COLOR))
        spheres.append(SpherePrimitive(pose=_pose(goal.x, goal.y, 0.05),
                                       size=Vector3(x=0.2, y=0.2, z=0.2), color=GOAL_COLOR))
        pts = ([(robot.x, robot.y)] if robot is not None else []) + [
            w for w in waypoints if (w[0], w[1]) != (goal.x, goal.y)][-50:] + [(goal.x, goal.y)]
        if len(pts) >= 2:
            lines.append(LinePrimitive(type=LinePrimitiveLineType.LineStrip, pose=_pose(0.0, 0.0),
                                       thickness=3.0, scale_invariant=True,
                                       points=[Point3(x=x, y=y, z=0.02) for x, y in pts],
                                       color=ROUTE_COLOR))
    return SceneUpdate(entities=[SceneEntity(
        timestamp=timestamp(stamp_ns), frame_id=frame, id="route/goal",
        lifetime=Duration(sec=0, nsec=0), frame_locked=False, spheres=spheres, arrows=arrows,
        lines=lines)])


def frame_transforms(pose: Pose2D | None, frames: Frames, stamp_ns: int,
                     laser_offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
                     ) -> FrameTransforms:
    """odom->base_link from the odometry pose (when known) and base_link->laser (fixed)."""
    ts = timestamp(stamp_ns)
    out = []
    if pose is not None:
        qx, qy, qz, qw = quaternion_from_yaw(pose.yaw)
        out.append(FrameTransform(timestamp=ts, parent_frame_id=frames.odom_frame,
                                  child_frame_id=frames.base_frame,
                                  translation=Vector3(x=pose.x, y=pose.y, z=0.0),
                                  rotation=Quaternion(x=qx, y=qy, z=qz, w=qw)))
    lx, ly, lyaw = laser_offset
    qx, qy, qz, qw = quaternion_from_yaw(lyaw)
    out.append(FrameTransform(timestamp=ts, parent_frame_id=frames.base_frame,
                              child_frame_id=frames.laser_frame,
                              translation=Vector3(x=lx, y=ly, z=0.0),
                              rotation=Quaternion(x=qx, y=qy, z=qz, w=qw)))
    return FrameTransforms(transforms=out)
