"""Places taught while the robot runs: save where it stands under a name, list, remove.

The planner serves these (places/save, places/list, places/remove; robot-brain places ...).
A saved or removed place is in the next plan at once: the book hands back the world with its
new places, and the planner rebuilds what depends on them (the validator's place names, the
vertical tier's matcher). The places file is rewritten atomically on every change, so the
robot knows them after a restart too.

Each request is checked as a places file is on load, and refused with one line: a name that
is empty, too long (a 10 kB paste) or not one word; an alias that is empty, too long, or
already another place's name or alias; a name already taken (remove it first); a pose
outside the map, in an obstacle or nearer to one than the robot's radius; no pose yet; no
places file to write to. A refused request changes nothing, in memory or on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from robot_brain.core.geometry import Pose2D
from robot_brain.core.maps.errors import PlacesFileError
from robot_brain.core.maps.places_file import (
    PlacesFile,
    check_aliases,
    check_name,
    check_position,
    check_unique,
    fold_name,
    load_places_file,
    save_places_file,
)
from robot_brain.core.places import Place
from robot_brain.core.world import World, with_places


@dataclass(frozen=True)
class PlaceChange:
    ok: bool
    message: str
    place: Place | None = None


class PlaceBook:
    """The planner's places and the file that keeps them. Not thread-safe: the planner's
    executor thread owns it."""

    def __init__(self, world: World, places_file: str | Path, robot_radius: float) -> None:
        self.world = world
        self.path = Path(places_file) if str(places_file) else None
        self.robot_radius = robot_radius
        # A start pose in the file is kept when the file is rewritten.
        self._start: Place | None = None
        if self.path is not None and self.path.is_file():
            try:
                self._start = load_places_file(self.path).start
            except PlacesFileError:
                self._start = None
        self.saved = 0
        self.removed = 0
        self.refused = 0

    def places(self) -> list[Place]:
        return sorted(self.world.places.values(), key=lambda p: p.name)

    def save(self, name: str, aliases: Sequence[str], pose: Pose2D | None) -> PlaceChange:
        """Save `pose` (the robot's map pose) as `name` with `aliases`."""
        try:
            if self.path is None:
                raise PlacesFileError("no places file to save to: start the planner with "
                                      "places_file set (an empty file holds 'places: {}')")
            where = f"place {name[:40]!r}" if isinstance(name, str) else "place"
            check_name(name, where)
            words = check_aliases(list(aliases), where)
            taken = {fold_name(n): n for n in self.world.places}
            if fold_name(name) in taken:
                raise PlacesFileError(f"place '{taken[fold_name(name)]}' exists already: remove "
                                      f"it first to move it")
            if pose is None:
                raise PlacesFileError("the robot's pose is not known yet (no odometry)")
            place = Place(name, round(pose.x, 6), round(pose.y, 6), round(pose.yaw, 6), words)
            b = self.world.bounds
            check_position(place, (b.x_min, b.x_max, b.y_min, b.y_max), self._clearance,
                           self.robot_radius, "cannot save here")
            places = {**self.world.places, name: place}
            check_unique(places.values(), "cannot save")
            self._commit(places)
        except (PlacesFileError, OSError) as exc:
            return self._refuse(exc)
        self.saved += 1
        return PlaceChange(True, f"saved '{name}' at ({place.x:.2f}, {place.y:.2f}, yaw "
                                 f"{place.yaw:.2f})" + (f", aliases {list(words)}" if words
                                                         else ""), place)

    def remove(self, name: str) -> PlaceChange:
        try:
            if self.path is None:
                raise PlacesFileError("no places file to change: start the planner with "
                                      "places_file set")
            if not isinstance(name, str) or name not in self.world.places:
                known = ", ".join(sorted(self.world.places)) or "none"
                shown = name[:40] if isinstance(name, str) else name
                raise PlacesFileError(f"no place {shown!r} (known: {known})")
            place = self.world.places[name]
            self._commit({n: p for n, p in self.world.places.items() if n != name})
        except (PlacesFileError, OSError) as exc:
            return self._refuse(exc)
        self.removed += 1
        return PlaceChange(True, f"removed '{name}'", place)

    def counters(self) -> dict[str, int]:
        return {"places": len(self.world.places), "places_saved": self.saved,
                "places_removed": self.removed, "places_refused": self.refused}

    # -- internals ---------------------------------------------------------------------------

    def _commit(self, places: dict[str, Place]) -> None:
        """The file first (atomically), then memory: a write that fails changes neither."""
        assert self.path is not None
        world = with_places(self.world, places)
        save_places_file(self.path, PlacesFile(places, self._start, str(self.path)))
        self.world = world

    def _clearance(self, x: float, y: float) -> float:
        return -1.0 if self.world.inside_obstacle(x, y) else self.world.clearance(x, y)

    def _refuse(self, exc: BaseException) -> PlaceChange:
        self.refused += 1
        text = str(exc) if isinstance(exc, PlacesFileError) else \
            f"cannot write the places file {self.path}: {getattr(exc, 'strerror', None) or exc}"
        return PlaceChange(False, " ".join(text.split()))
