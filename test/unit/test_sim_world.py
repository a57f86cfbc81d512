"""Bad world files give a WorldError at start naming what is wrong (the sim loads them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot_brain.core.resources import default_world_path, resolve_world_path
from robot_brain.core.world import WorldError, load_world, parse_world

BOUNDS = {"x_min": 0.0, "x_max": 4.0, "y_min": 0.0, "y_max": 3.0}


def test_packaged_world_loads() -> None:
    w = load_world(resolve_world_path(""))
    assert "dock" in w.places and w.segments().shape[1] == 4 and w.circles().shape[1] == 3


def test_malformed_yaml(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("bounds: {x_min: 0, x_max: [\n")
    with pytest.raises(WorldError, match="not valid YAML"):
        load_world(f)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorldError, match="cannot be read"):
        load_world(tmp_path / "nope.yaml")


def test_place_outside_bounds() -> None:
    with pytest.raises(WorldError, match="place 'dock'.*outside the map bounds"):
        parse_world({"bounds": BOUNDS, "places": {"dock": {"x": 9.0, "y": 1.0}}})


def test_place_inside_an_obstacle() -> None:
    with pytest.raises(WorldError, match="inside an obstacle"):
        parse_world({"bounds": BOUNDS, "cylinders": [{"center": [2.0, 1.0], "radius": 0.5}],
                     "places": {"dock": {"x": 2.0, "y": 1.0}}, "start": {"x": 0.5, "y": 0.5}})


@pytest.mark.parametrize("data, match", [
    ([1, 2], "top level must be a mapping"),
    ({"bounds": BOUNDS, "wals": []}, "unknown key"),
    ({"bounds": {"x_min": 0.0, "x_max": 0.0, "y_min": 0.0, "y_max": 1.0}}, "x_min < x_max"),
    ({"bounds": BOUNDS, "walls": [{"start": [0, 0], "end": [1]}]}, "'end' must be"),
    ({"bounds": BOUNDS, "cylinders": [{"center": [1, 1], "radius": -1}]}, "must be > 0"),
    ({"bounds": BOUNDS, "places": {"a": {"x": "one", "y": 1}}}, "finite number"),
])
def test_bad_world_data(data: object, match: str) -> None:
    with pytest.raises(WorldError, match=match):
        parse_world(data)


def test_default_path_is_packaged() -> None:
    assert resolve_world_path("apartment.yaml") == default_world_path()
