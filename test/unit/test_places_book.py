"""Places taught at run time: saved where the robot stands, in the next plan at once, kept in
the places file; bad requests refused with one line and counted, changing nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from robot_brain.core.geometry import Pose2D
from robot_brain.core.planner.places_book import PlaceBook
from robot_brain.core.planner.vertical.planner import VerticalPlanner
from robot_brain.core.resources import package_file
from robot_brain.core.world import World, load_world


@pytest.fixture()
def office(tmp_path: Path) -> World:
    for name in ("office.yaml", "office.pgm", "office.places.yaml"):
        shutil.copy(package_file("worlds", name), tmp_path / name)
    return load_world(tmp_path / "office.yaml")


def test_a_saved_place_is_planned_at_once_and_kept(office: World, tmp_path: Path) -> None:
    book = PlaceBook(office, tmp_path / "office.places.yaml", 0.25)
    vertical = VerticalPlanner(office)
    assert vertical.plan("Geh zur Kaffeeecke.").outcome.value == "refusal"
    change = book.save("coffee_corner", ["Kaffeeecke", "rincón del café"], Pose2D(14.0, 7.0, 1.0))
    assert change.ok and change.place is not None and "coffee_corner" in change.message
    vertical.set_world(book.world)
    plan = vertical.plan("Geh zur Kaffeeecke.").plan
    assert plan == {"steps": [{"skill": "navigate_to", "place": "coffee_corner"}]}
    again = load_world(tmp_path / "office.yaml")           # after a restart, from the file
    assert again.places["coffee_corner"].aliases == ("Kaffeeecke", "rincón del café")
    assert (again.start.x, again.start.y) == (2.0, 7.0)    # the file's start is kept
    assert book.remove("coffee_corner").ok
    assert "coffee_corner" not in load_world(tmp_path / "office.yaml").places
    assert book.counters() == {"places": 10, "places_saved": 1, "places_removed": 1,
                               "places_refused": 0}


@pytest.mark.parametrize("name, aliases, pose, reason", [
    ("", [], Pose2D(14.0, 7.0, 0.0), "non-empty"),
    ("x" * 10240, [], Pose2D(14.0, 7.0, 0.0), "place name of 10240 characters"),
    ("coffee corner", [], Pose2D(14.0, 7.0, 0.0), "one word"),
    ("printer", [], Pose2D(14.0, 7.0, 0.0), "exists already"),
    ("Printer", [], Pose2D(14.0, 7.0, 0.0), "exists already"),
    ("nook", ["Drucker"], Pose2D(14.0, 7.0, 0.0), "alias 'Drucker' is given to both"),
    ("nook", ["reception"], Pose2D(14.0, 7.0, 0.0), "is the name of place 'reception'"),
    ("nook", [""], Pose2D(14.0, 7.0, 0.0), "alias must be a non-empty"),
    ("nook", [], Pose2D(14.0, 6.0, 0.0), "inside an obstacle"),           # the corridor wall
    ("nook", [], Pose2D(14.0, 6.2, 0.0), "less than the robot's radius"),
    ("nook", [], Pose2D(40.0, 7.0, 0.0), "outside the map"),
    ("nook", [], None, "not known yet"),
])
def test_bad_requests_are_refused_with_one_line(office: World, tmp_path: Path, name: str,
                                                aliases: list[str], pose: Pose2D | None,
                                                reason: str) -> None:
    path = tmp_path / "office.places.yaml"
    before = path.read_bytes()
    book = PlaceBook(office, path, 0.25)
    change = book.save(name, aliases, pose)
    assert not change.ok and reason in change.message and "\n" not in change.message
    assert len(change.message) < 300
    assert book.world is office and path.read_bytes() == before
    assert book.counters()["places_refused"] == 1


def test_no_places_file_and_a_failed_write_change_nothing(office: World, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    nowhere = PlaceBook(office, "", 0.25)
    assert "no places file" in nowhere.save("nook", [], Pose2D(14.0, 7.0, 0.0)).message
    assert "no place 'attic'" in PlaceBook(office, tmp_path / "office.places.yaml", 0.25) \
        .remove("attic").message
    book = PlaceBook(office, tmp_path / "office.places.yaml", 0.25)

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    change = book.save("nook", [], Pose2D(14.0, 7.0, 0.0))
    assert not change.ok and "No space left on device" in change.message
    assert "nook" not in book.world.places
