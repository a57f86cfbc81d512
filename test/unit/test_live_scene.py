"""Live view conversions (robot_brain.core.live.foxglove_scene): plain values -> Foxglove
messages that decode, through their own protobuf schema, to what the world and the poses say."""

from __future__ import annotations

import math

import pytest
from foxglove.messages import FrameTransforms, SceneUpdate

from robot_brain.core.geometry import Pose2D
from robot_brain.core.live.foxglove_scene import (
    Frames,
    frame_transforms,
    robot_scene,
    route_scene,
    timestamp,
    world_scene,
)
from robot_brain.core.resources import default_world_path
from robot_brain.core.world import load_world
from test.live_decode import decoder

STAMP = 1_700_000_000_123_456_789


def _decode(msg: SceneUpdate | FrameTransforms):  # type: ignore[no-untyped-def]
    schema = type(msg).get_schema()
    return decoder(schema.name, schema.encoding, schema.data, "protobuf")(msg.encode())


def test_timestamp_splits_nanoseconds() -> None:
    ts = timestamp(STAMP)
    assert (ts.sec, ts.nsec) == (1_700_000_000, 123_456_789)


def test_world_scene_holds_every_wall_obstacle_and_place() -> None:
    world = load_world(default_world_path())
    out = _decode(world_scene(world, "odom", STAMP))
    entities = {e.id: e for e in out.entities}
    assert set(entities) == {"world/walls", "world/furniture", "world/bounds", "world/places"}
    assert all(e.frame_id == "odom" for e in out.entities)
    assert len(entities["world/walls"].cubes) == len(world.walls)
    assert len(entities["world/furniture"].cubes) == len(world.boxes)
    assert len(entities["world/furniture"].cylinders) == len(world.cylinders)
    assert sorted(t.text for t in entities["world/places"].texts) == sorted(world.places)
    wall, cube = world.walls[0], entities["world/walls"].cubes[0]
    assert cube.pose.position.x == pytest.approx((wall.start[0] + wall.end[0]) / 2)
    assert cube.pose.position.y == pytest.approx((wall.start[1] + wall.end[1]) / 2)
    assert cube.size.y == pytest.approx(wall.thickness)
    b = world.bounds
    xs = [p.x for p in entities["world/bounds"].lines[0].points]
    assert min(xs) == pytest.approx(b.x_min) and max(xs) == pytest.approx(b.x_max)
    assert out.entities[0].timestamp.seconds == STAMP // 1_000_000_000


def test_robot_scene_is_locked_to_the_body_frame() -> None:
    out = _decode(robot_scene(0.25, "base_link", STAMP))
    (e,) = out.entities
    assert e.frame_id == "base_link" and e.frame_locked
    assert e.cylinders[0].size.x == pytest.approx(0.5)
    assert len(e.arrows) == 1


def test_route_scene_runs_from_robot_through_waypoints_to_goal() -> None:
    goal = Pose2D(3.0, 1.0, math.pi / 2)
    out = _decode(route_scene(goal, [(1.0, 0.0), (2.0, 1.0), (3.0, 1.0)], Pose2D(0, 0, 0),
                              "odom", STAMP))
    (e,) = out.entities
    pts = [(p.x, p.y) for p in e.lines[0].points]
    assert pts == [(0.0, 0.0), (1.0, 0.0), (2.0, 1.0), (3.0, 1.0)]
    assert len(e.arrows) == 1 and len(e.spheres) == 1
    q = e.arrows[0].pose.orientation
    assert 2 * math.atan2(q.z, q.w) == pytest.approx(math.pi / 2)


def test_route_scene_without_heading_or_goal() -> None:
    (e,) = _decode(route_scene(Pose2D(1.0, 1.0, math.nan), [], None, "odom", STAMP)).entities
    assert len(e.arrows) == 0 and len(e.spheres) == 1 and len(e.lines) == 0
    (e,) = _decode(route_scene(None, [(1.0, 1.0)], Pose2D(0, 0, 0), "odom", STAMP)).entities
    assert e.id == "route/goal" and not (e.spheres or e.arrows or e.lines)


def test_frame_transforms_chain_odom_base_laser() -> None:
    frames = Frames("odom", "base_link", "laser")
    out = _decode(frame_transforms(Pose2D(1.5, -2.0, -1.0), frames, STAMP))
    chain = [(t.parent_frame_id, t.child_frame_id) for t in out.transforms]
    assert chain == [("odom", "base_link"), ("base_link", "laser")]
    t = out.transforms[0]
    assert (t.translation.x, t.translation.y) == (1.5, -2.0)
    assert 2 * math.atan2(t.rotation.z, t.rotation.w) == pytest.approx(-1.0)
    before_odom = _decode(frame_transforms(None, frames, STAMP))
    assert [(t.parent_frame_id, t.child_frame_id) for t in before_odom.transforms] == \
        [("base_link", "laser")]
