"""The places file: the user's names for points of the map, checked on load (each failure one
line naming the place) and rewritten atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from robot_brain.core.errors import ConfigurationError
from robot_brain.core.maps.errors import PlacesFileError
from robot_brain.core.maps.places_file import (
    PlacesFile,
    load_places_file,
    parse_places,
    places_yaml,
    save_places_file,
)
from robot_brain.core.places import Place
from robot_brain.core.resources import default_world_path
from robot_brain.core.world import load_world

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "maps"
# The fixture room: x -1 .. 2, y -0.5 .. 1.5, one-cell walls, a box at x 0.5 .. 1.0,
# y 0 .. 0.3, unknown cells beyond the south-east corner.
PLACES = """# the room's places
frame: map
start: {x: -0.5, y: 0.9, yaw: 0.0}
places:
  printer: {x: 1.5, y: 1.0, yaw: 1.5708, aliases: [copier, Drucker, Kopierer]}
  reception: {x: -0.4, y: 0.2, aliases: [front desk, Empfang, recepción]}
"""


def _room(tmp_path: Path, places: str, name: str = "room.places.yaml") -> Path:
    for ext in ("yaml", "pgm"):
        (tmp_path / f"room.{ext}").write_bytes((FIXTURES / f"room_ros1.{ext}").read_bytes())
    (tmp_path / "room.yaml").write_text((tmp_path / "room.yaml").read_text().replace(
        "room_ros1.pgm", "room.pgm"))
    (tmp_path / name).write_text(places, encoding="utf-8")
    return tmp_path / "room.yaml"


def test_a_map_with_its_places(tmp_path: Path) -> None:
    world = load_world(_room(tmp_path, PLACES))   # room.places.yaml found beside the map
    assert world.grid is not None and set(world.places) == {"printer", "reception"}
    assert world.places["reception"].aliases == ("front desk", "Empfang", "recepción")
    assert (world.start.x, world.start.y) == (-0.5, 0.9)
    other = tmp_path / "other.yaml"
    other.write_text("places:\n  desk: {x: 0.0, y: 1.0}\n")
    named = load_world(tmp_path / "room.yaml", other)
    assert set(named.places) == {"desk"}
    assert (named.start.x, named.start.y) == (0.0, 0.0)   # no start: the map frame's origin


def test_a_world_file_takes_a_places_file(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("places:\n  sofa_corner: {x: -3.0, y: -1.6, aliases: [Sofaecke]}\n")
    world = load_world(default_world_path(), f)
    assert set(world.places) == {"sofa_corner"} and world.walls


@pytest.mark.parametrize("places, match", [
    ("places:\n  a: {x: 0, y: 1}\n  a: {x: 0.5, y: 1}\n", "key 'a' is given twice"),
    ("places:\n  Küche: {x: 0, y: 1}\n  kuche: {x: 0.5, y: 1}\n",
     "place 'kuche' is given twice"),
    ("places:\n  a: {x: 0, y: 1, aliases: [desk]}\n  b: {x: 0.5, y: 1, aliases: [Desk]}\n",
     "alias 'Desk' is given to both 'a' and 'b'"),
    ("places:\n  a: {x: 0, y: 1, aliases: [b]}\n  b: {x: 0.5, y: 1}\n",
     "alias 'b' of place 'a' is the name of place 'b'"),
    ("places:\n  far: {x: 5.0, y: 1.0}\n", "place 'far' at \\(5.00, 1.00\\) is outside the map"),
    ("places:\n  wall: {x: -0.98, y: 0.5}\n", "place 'wall' .* inside an obstacle"),
    ("places:\n  box: {x: 0.7, y: 0.1}\n", "place 'box' .* inside an obstacle"),
    ("places:\n  tight: {x: 0.4, y: 0.15}\n",
     "place 'tight' at \\(0.40, 0.15\\) is 0.\\d\\d m from an obstacle, less than the robot's"),
    ("places:\n  dark: {x: 1.9, y: -0.4}\n", "place 'dark' .* inside an obstacle \\(or unknown"),
    ("start: {x: 0.7, y: 0.1}\nplaces: {}\n", "start at .* inside an obstacle"),
    ("frame: odom\nplaces: {}\n", "places are in the 'map' frame"),
    ("places:\n  a: {x: 0, y: 1, z: 3}\n", "place 'a': unknown key"),
    ("places:\n  front desk: {x: 0, y: 1}\n", "must be one word .*say 'front_desk'"),
    ("places:\n  a: {x: .nan, y: 1}\n", "'x' must be a finite number"),
    ("places:\n  a: {x: 0, y: 1, aliases: ['']}\n", "an alias must be a non-empty string"),
    ("places: [a, b]\n", "'places' must be a mapping"),
    ("places:\n  a: {x: 0, y: 1\n", "not valid YAML"),
])
def test_bad_places_are_refused_naming_the_place(tmp_path: Path, places: str, match: str) -> None:
    with pytest.raises(PlacesFileError, match=match) as info:
        load_world(_room(tmp_path, places))
    assert isinstance(info.value, ConfigurationError) and "\n" not in str(info.value)
    assert "room.places.yaml" in str(info.value)


def test_a_huge_name_is_refused_in_one_short_line() -> None:
    with pytest.raises(PlacesFileError, match="place name of 10240 characters") as info:
        parse_places({"places": {"x" * 10240: {"x": 0, "y": 0}}})
    assert len(str(info.value)) < 300


def test_the_file_round_trips_whatever_the_words() -> None:
    tricky = ("yes", "1.5", "a: b", "recepción", "打印机", "l'entrée", "#1", "- x")
    places = PlacesFile({"printer": Place("printer", 1.25, -0.5, 0.3, tricky),
                         "Küche": Place("Küche", 0.0, 2.0)}, Place("start", 0.1, 0.2, 3.1416))
    back = parse_places(__import__("yaml").safe_load(places_yaml(places)))
    assert dict(back.places) == dict(places.places) and back.start == places.start


def test_saving_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PLACES, encoding="utf-8")
    places = load_places_file(path)
    grown = PlacesFile({**places.places, "desk": Place("desk", 0.0, 1.0, 0.0, ("Schreibtisch",))},
                       places.start)
    save_places_file(path, grown)
    assert set(load_places_file(path).places) == {"printer", "reception", "desk"}

    def crash(src: str, dst: str) -> None:
        raise OSError("disk gone")

    before = path.read_bytes()
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        save_places_file(path, places)
    assert path.read_bytes() == before                       # the old file, whole
    assert [p.name for p in tmp_path.iterdir()] == ["p.yaml"]  # no temporary left behind
