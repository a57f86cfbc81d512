"""The world file's third dimension: heights, `mapped: false` and `extends`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from robot_brain.core.resources import default_world_path
from robot_brain.core.world import (
    DEFAULT_BOX_HEIGHT,
    DEFAULT_CYLINDER_HEIGHT,
    DEFAULT_WALL_HEIGHT,
    WorldError,
    load_world,
    load_world_file,
    parse_world,
)

BOUNDS = {"x_min": -3.0, "x_max": 3.0, "y_min": -3.0, "y_max": 3.0}


def _world(include_unmapped: bool = True, **extra: Any) -> Any:
    data: dict[str, Any] = {"name": "t", "bounds": BOUNDS, "start": {"x": 0.0, "y": 0.0}}
    data.update(extra)
    return parse_world(data, include_unmapped=include_unmapped)


def test_a_world_without_heights_keeps_its_meaning() -> None:
    w = _world(walls=[{"start": [-2, 2], "end": [2, 2]}],
               boxes=[{"center": [1, 1], "size": [0.5, 0.5]}],
               cylinders=[{"center": [-1, -1], "radius": 0.2}])
    assert (w.walls[0].z_min, w.walls[0].z_max) == (0.0, DEFAULT_WALL_HEIGHT) == (0.0, 2.5)
    assert (w.boxes[0].z_min, w.boxes[0].z_max) == (0.0, DEFAULT_BOX_HEIGHT)
    assert (w.cylinders[0].z_min, w.cylinders[0].z_max) == (0.0, DEFAULT_CYLINDER_HEIGHT)
    assert all(o.mapped for o in w.obstacles())


def test_a_table_is_a_top_on_legs_and_a_plane_sees_only_what_crosses_it() -> None:
    w = _world(boxes=[
        {"name": "top", "center": [1, 0], "size": [1, 1], "z_min": 0.72, "z_max": 0.76},
        {"name": "leg", "center": [0.55, 0.45], "size": [0.05, 0.05], "z_max": 0.72},
        {"name": "shelf", "center": [-1, 0], "size": [1, 0.3], "z_min": 1.0, "z_max": 1.4}])
    knee = w.between_heights(0.35, 0.35)
    assert [b.name for b in knee.boxes] == ["leg"]
    assert len(knee.segments()) == 4  # the leg's outline only
    body = w.between_heights(0.0, 1.3)
    assert {b.name for b in body.boxes} == {"top", "leg", "shelf"}
    # A plane exactly at a bottom or a top meets the shape.
    assert [b.name for b in w.between_heights(0.72, 0.72).boxes] == ["top", "leg"]
    assert [b.name for b in w.between_heights(1.5, 2.0).boxes] == []


@pytest.mark.parametrize("shape, match", [
    ({"center": [1, 1], "size": [0.5, 0.5], "z_min": -0.1}, "'z_min' must be >= 0"),
    ({"center": [1, 1], "size": [0.5, 0.5], "z_min": 0.5, "z_max": 0.5}, "must be above"),
    ({"center": [1, 1], "size": [0.5, 0.5], "z_min": 1.0}, "give 'z_max'"),
    ({"center": [1, 1], "size": [0.5, 0.5], "z_max": "high"}, "finite number"),
    ({"center": [1, 1], "size": [0.5, 0.5], "zmax": 1.0}, r"unknown key\(s\) \['zmax'\]"),
    ({"center": [1, 1], "size": [0.5, 0.5], "mapped": "no"}, "'mapped' must be true or false"),
])
def test_bad_heights_are_refused_naming_the_shape(shape: dict[str, Any], match: str) -> None:
    with pytest.raises(WorldError, match=r"boxes\[0\].*" + match):
        _world(boxes=[shape])


def test_unmapped_obstacles_are_left_off_the_brains_map_only() -> None:
    data = {"bounds": BOUNDS, "start": {"x": 0.0, "y": 0.0},
            "boxes": [{"name": "old", "center": [1, 1], "size": [0.4, 0.4]},
                      {"name": "moved", "center": [-1, 1], "size": [0.4, 0.4],
                       "mapped": False}],
            "cylinders": [{"name": "new", "center": [1, -1], "radius": 0.2, "mapped": False}]}
    brain = parse_world(data)
    physical = parse_world(data, include_unmapped=True)
    assert [b.name for b in brain.boxes] == ["old"] and brain.cylinders == ()
    assert {o.name for o in physical.obstacles()} == {"old", "moved", "new"}
    assert {o.name for o in physical.unmapped} == {"moved", "new"}
    assert brain.unmapped == ()
    assert physical.mapped_only() == brain
    assert brain.inside_obstacle(1.0, 1.0) and not brain.inside_obstacle(-1.0, 1.0)


def test_a_place_inside_an_unmapped_obstacle_is_refused_anyway() -> None:
    with pytest.raises(WorldError, match="place 'sofa' .* inside an obstacle"):
        parse_world({"bounds": BOUNDS, "start": {"x": 0.0, "y": 0.0},
                     "boxes": [{"center": [1, 1], "size": [0.4, 0.4], "mapped": False}],
                     "places": {"sofa": {"x": 1.0, "y": 1.0}}})


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_adds_obstacles_and_places_to_its_base(tmp_path: Path) -> None:
    _write(tmp_path / "base.yaml", "name: base\n"
           "bounds: {x_min: -3, x_max: 3, y_min: -3, y_max: 3}\n"
           "boxes: [{name: a, center: [1, 1], size: [0.4, 0.4]}]\n"
           "places: {door: {x: 2, y: 0}, sofa: {x: -2, y: 0}}\n")
    child = _write(tmp_path / "child.yaml", "extends: base.yaml\nname: child\n"
                   "boxes: [{name: b, center: [-1, 1], size: [0.4, 0.4], mapped: false}]\n"
                   "places: {sofa: {x: -2, y: -1}, lamp: {x: 0, y: 2}}\n")
    w = load_world(child, include_unmapped=True)
    assert w.name == "child" and w.bounds.x_max == 3.0
    assert [b.name for b in w.boxes] == ["a", "b"]
    assert set(w.places) == {"door", "sofa", "lamp"} and w.places["sofa"].y == -1.0
    assert [b.name for b in load_world(child).boxes] == ["a"]


def test_extends_cycle_and_missing_base_fail_with_one_line(tmp_path: Path) -> None:
    loop = _write(tmp_path / "loop.yaml", "extends: loop.yaml\n")
    with pytest.raises(WorldError, match="nests deeper"):
        load_world(loop)
    orphan = _write(tmp_path / "orphan.yaml", "extends: nowhere.yaml\n")
    with pytest.raises(WorldError, match="nowhere.yaml: cannot be read"):
        load_world(orphan)
    bad = _write(tmp_path / "bad.yaml", "extends: 3\n")
    with pytest.raises(WorldError, match="'extends' must name a world file"):
        load_world(bad)


def test_the_shipped_worlds() -> None:
    apartment = load_world(default_world_path())
    assert apartment.unmapped == ()
    # Every obstacle of the default world reaches the knee laser's plane (the built-in sim
    # and the 2-D brain see all of it) and stands on the floor.
    assert len(apartment.between_heights(0.35, 0.35).obstacles()) == \
        len(apartment.obstacles())
    assert all(o.z_min == 0.0 for o in apartment.obstacles())
    rearranged = load_world_file("apartment_rearranged.yaml", include_unmapped=True)
    new = {o.name for o in rearranged.unmapped}
    assert {"side_table_top", "breakfast_bar_top"} <= new
    # The brain's map of the rearranged flat is the apartment's.
    brain = load_world_file("apartment_rearranged.yaml")
    assert brain.obstacles() == apartment.obstacles() and brain.places == apartment.places
    # Tops the knee laser does not see.
    knee = {o.name for o in rearranged.between_heights(0.35, 0.35).obstacles()}
    assert "side_table_top" not in knee and "breakfast_bar_top" not in knee
    assert "side_table_leg_1" in knee and "breakfast_bar_base" in knee
