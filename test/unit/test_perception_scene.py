"""The scene summary: content, stability and the shipped JSON schema."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from robot_brain.core.geometry import Pose2D
from robot_brain.core.perception.scene import (
    LatestScene,
    NamedPoint,
    SceneConfig,
    SceneError,
    build_scene,
    free_directions,
    nearest_obstacles,
    parse_scene,
    scene_json,
    scene_to_dict,
    validate_scene,
)
from robot_brain.core.perception.sectors import sector_centres
from robot_brain.core.resources import default_world_path
from robot_brain.core.world import load_world

INF = math.inf
NAN = math.nan
PLACES = (NamedPoint("kitchen", 3.0, 0.0), NamedPoint("dock", 0.0, -2.0))


def test_nearest_obstacles_one_per_local_minimum() -> None:
    s = np.full(16, INF, dtype=np.float32)
    s[3:6] = [2.0, 1.5, 2.0]      # one object spanning three sectors
    s[10] = 0.8
    s[12] = NAN
    obs = nearest_obstacles(s, 3)
    c = sector_centres(16)
    assert [(o.bearing, o.distance) for o in obs] == [(pytest.approx(c[10]), pytest.approx(0.8)),
                                                     (pytest.approx(c[4]), pytest.approx(1.5))]


def test_plateau_is_one_obstacle_and_count_is_capped() -> None:
    s = np.full(16, 3.0, dtype=np.float32)
    assert len(nearest_obstacles(s, 3)) == 3
    s = np.full(16, INF, dtype=np.float32)
    s[4:6] = 1.0
    assert len(nearest_obstacles(s, 3)) == 1


def test_free_directions_merge_runs_across_the_wrap() -> None:
    s = np.full(16, 1.0, dtype=np.float32)
    s[[0, 1, 15]] = INF           # a free run across +-pi: centred behind the robot
    s[7:9] = 5.0                  # free ahead, beyond free_distance
    s[11] = NAN                   # unknown is never free
    runs = free_directions(s, 2.0)
    w = 2 * math.pi / 16
    got = sorted((round(r.bearing, 6), round(r.width, 6)) for r in runs)
    assert got == sorted([(round(-math.pi + 0.5 * w, 6), round(3 * w, 6)),
                          (0.0, round(2 * w, 6))])


def test_all_free_and_nothing_free() -> None:
    (run,) = free_directions(np.full(8, INF, dtype=np.float32), 2.0)
    assert run.width == pytest.approx(2 * math.pi)
    assert free_directions(np.full(8, NAN, dtype=np.float32), 2.0) == ()


def test_places_relative_to_robot_sorted_by_name() -> None:
    scene = build_scene(1.0, Pose2D(0.0, 0.0, math.pi / 2), None, PLACES, 16)
    assert [p.name for p in scene.places] == ["dock", "kitchen"]
    dock, kitchen = scene.places
    assert dock.distance == pytest.approx(2.0) and kitchen.distance == pytest.approx(3.0)
    assert kitchen.bearing == pytest.approx(-math.pi / 2)    # east while facing north: right
    assert dock.bearing == pytest.approx(-math.pi)           # south: behind


def test_unknown_pose_and_scan() -> None:
    scene = build_scene(1.0, None, None, PLACES, 16)
    d = scene_to_dict(scene)
    assert d["robot"] is None and d["obstacles"] == [] and d["free_directions"] == []
    assert d["unknown_fraction"] == 1.0
    assert all(p["distance"] is None and p["bearing"] is None for p in d["places"])
    validate_scene(d)


def test_non_finite_pose_is_unknown() -> None:
    assert build_scene(0.0, Pose2D(NAN, 0.0, 0.0), None, PLACES, 16).robot is None


def test_apartment_scene_validates_and_is_short_and_stable() -> None:
    world = load_world(default_world_path())
    places = [NamedPoint(p.name, p.x, p.y) for p in world.places.values()]
    rng = np.random.default_rng(3)
    s = rng.uniform(0.3, 6.0, 16).astype(np.float32)
    s[2], s[9] = INF, NAN
    scene = build_scene(12.5, Pose2D(-1.0, 0.0, 0.0), s, places, 16)
    text = scene_json(scene)
    validate_scene(json.loads(text))
    assert text == scene_json(build_scene(12.5, Pose2D(-1.0, 0.0, 0.0), s.copy(), places, 16))
    assert len(text) < 1000
    assert len(json.loads(text)["obstacles"]) <= SceneConfig().max_obstacles


@pytest.mark.parametrize(("mutate", "fragment"), [
    (lambda d: d.pop("places"), "places"),
    (lambda d: d.update(extra=1), "extra"),
    (lambda d: d["obstacles"].append({"bearing": 9.0, "distance": 1.0}), "obstacles"),
    (lambda d: d["obstacles"].append({"bearing": 0.0, "distance": -1.0}), "obstacles"),
    (lambda d: d.update(unknown_fraction=2.0), "unknown_fraction"),
    (lambda d: d.update(robot={"x": 0.0, "y": 0.0}), "robot"),
])
def test_schema_rejects_malformed_scenes(mutate: object, fragment: str) -> None:
    d = scene_to_dict(build_scene(0.0, Pose2D(0, 0, 0), np.full(16, 2.0, np.float32),
                                  PLACES, 16))
    validate_scene(d)
    mutate(d)  # type: ignore[operator]
    with pytest.raises(SceneError, match=fragment):
        validate_scene(d)


@pytest.mark.parametrize(("text", "fragment"), [
    ("not json {", "not JSON"),
    ("[1, 2]", "scene does not match"),
    ('{"robot": null}', "scene does not match"),
    ("[" * 100000 + "]" * 100000, "not JSON"),
])
def test_parse_scene_refuses_what_the_planner_must_not_use(text: str, fragment: str) -> None:
    with pytest.raises(SceneError, match=fragment):
        parse_scene(text)


def test_parse_scene_returns_a_built_scene() -> None:
    scene = build_scene(3.0, Pose2D(1.0, 2.0, 0.5), np.full(16, 2.0), PLACES, 16)
    assert parse_scene(scene_json(scene)) == scene_to_dict(scene)


def test_latest_scene_validates_when_used_and_keeps_the_last_valid_one() -> None:
    scenes = LatestScene()
    assert scenes.get() is None
    good = build_scene(1.0, Pose2D(0.0, 0.0, 0.0), None, PLACES, 16)
    scenes.put(scene_json(good))
    scenes.put("{not json")  # superseded before use: never parsed, never counted
    scenes.put(scene_json(good))
    assert scenes.rejected == 0 and scenes.received == 3
    assert scenes.get() == scene_to_dict(good)
    scenes.put('{"stamp": "yesterday"}')
    assert scenes.get() == scene_to_dict(good)  # the bad one is refused, the last valid stays
    assert scenes.rejected == 1 and scenes.last_error is not None
    assert "scene" in scenes.last_error
    scenes.put("{not json")
    assert scenes.get() == scene_to_dict(good) and scenes.rejected == 2
