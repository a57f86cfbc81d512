"""The world description: one YAML file for the simulators, the scene, the planner and Gazebo.

The file holds map bounds, walls (thick segments), boxes (rotated rectangles),
cylinders, named places and the robot's start pose. Every obstacle is a vertical prism: its
footprint is reduced to line segments and circles (the two primitives the planar lidar and the
collision check understand), and it spans heights `z_min`..`z_max` above the floor, so a table
is a top on four legs and a shelf can overhang (docs/world.md).

An obstacle marked `mapped: false` exists in the simulated world but not on the brain's map
(furniture moved since the map was made): the loaders leave it out unless asked for the
physical world (`include_unmapped=True`, what the simulators and the Gazebo generator load),
so the route planner and the plan validator plan around mapped shapes only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import yaml

from robot_brain.core.errors import WorldError
from robot_brain.core.maps.map_io import load_map_data
from robot_brain.core.maps.metadata import is_map_yaml
from robot_brain.core.maps.occupancy import OccupancyGrid
from robot_brain.core.maps.places_file import (
    check_positions,
    check_unique,
    load_places_file,
    sibling_places_file,
)
from robot_brain.core.places import Place
from robot_brain.core.resources import resolve_world_path

#: The robot_radius parameter's default: places are checked to leave the body room.
DEFAULT_ROBOT_RADIUS = 0.25


#: Heights (m above the floor) of an obstacle whose file gives no `z_max`: walls are room
#: height; boxes and cylinders keep the heights the Gazebo world always extruded them to, so a
#: world written before heights existed means what it meant.
DEFAULT_WALL_HEIGHT = 2.5
DEFAULT_BOX_HEIGHT = 0.8
DEFAULT_CYLINDER_HEIGHT = 1.0
#: `extends` chains deeper than this are refused (a cycle would never end).
MAX_EXTENDS_DEPTH = 8


@dataclass(frozen=True)
class Bounds:
    x_min: float
    x_max: float
    y_min: float
    y_max: float

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        return (self.x_min + margin <= x <= self.x_max - margin
                and self.y_min + margin <= y <= self.y_max - margin)


@dataclass(frozen=True)
class Wall:
    name: str
    start: tuple[float, float]
    end: tuple[float, float]
    thickness: float
    z_min: float = 0.0
    z_max: float = DEFAULT_WALL_HEIGHT
    mapped: bool = True


@dataclass(frozen=True)
class Box:
    name: str
    center: tuple[float, float]
    size: tuple[float, float]
    yaw: float = 0.0
    z_min: float = 0.0
    z_max: float = DEFAULT_BOX_HEIGHT
    mapped: bool = True

    def corners(self) -> np.ndarray:
        """Four corners, counter-clockwise, shape (4, 2)."""
        hx, hy = self.size[0] / 2.0, self.size[1] / 2.0
        local = np.array([[hx, hy], [-hx, hy], [-hx, -hy], [hx, -hy]])
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        rot = np.array([[c, -s], [s, c]])
        return local @ rot.T + np.asarray(self.center)


@dataclass(frozen=True)
class Cylinder:
    name: str
    center: tuple[float, float]
    radius: float
    z_min: float = 0.0
    z_max: float = DEFAULT_CYLINDER_HEIGHT
    mapped: bool = True


Obstacle = Wall | Box | Cylinder


def spans(shape: Obstacle, z_low: float, z_high: float) -> bool:
    """True when the shape occupies some height in [z_low, z_high] (bounds included, so a
    plane at z = z_low = z_high meets a shape whose top or bottom is exactly there)."""
    return shape.z_min <= z_high and shape.z_max >= z_low


@dataclass(frozen=True)
class World:
    name: str
    bounds: Bounds
    walls: tuple[Wall, ...]
    boxes: tuple[Box, ...]
    cylinders: tuple[Cylinder, ...]
    places: Mapping[str, Place]
    start: Place
    source: str = "<memory>"
    #: A world made from the robot's map (robot_brain.core.maps): obstacles are its occupied
    #: and unknown cells instead of walls, boxes and cylinders.
    grid: OccupancyGrid | None = None

    def segments(self) -> np.ndarray:
        """All straight obstacle edges as an (M, 4) array of x0, y0, x1, y1.

        A wall becomes the outline of its thick rectangle, so a ray hits its face and
        a body stops at its surface, exactly as for a box.
        """
        edges: list[np.ndarray] = []
        for box in self.boxes + tuple(wall_as_box(w) for w in self.walls):
            corners = box.corners()
            edges.append(np.hstack([corners, np.roll(corners, -1, axis=0)]))
        if not edges:
            return np.zeros((0, 4))
        return np.vstack(edges)

    def circles(self) -> np.ndarray:
        """All round obstacles as an (K, 3) array of cx, cy, r."""
        if not self.cylinders:
            return np.zeros((0, 3))
        return np.array([[c.center[0], c.center[1], c.radius] for c in self.cylinders])

    def clearance(self, x: float, y: float) -> float:
        """Distance from a point to the nearest obstacle surface (negative inside a circle; on a
        map, a lower bound, negative in an obstacle cell)."""
        if self.grid is not None:
            return float(self.grid.clearance_at(x, y))
        best = math.inf
        segs = self.segments()
        if len(segs):
            best = float(np.min(point_segment_distance(np.array([x, y]), segs)))
        circ = self.circles()
        if len(circ):
            d = np.hypot(circ[:, 0] - x, circ[:, 1] - y) - circ[:, 2]
            best = min(best, float(np.min(d)))
        return best

    def inside_obstacle(self, x: float, y: float) -> bool:
        if self.grid is not None:
            return bool(self.grid.blocked_at(x, y))
        for box in self.boxes + tuple(wall_as_box(w) for w in self.walls):
            if _point_in_box(box, x, y):
                return True
        return any(math.hypot(x - c.center[0], y - c.center[1]) < c.radius for c in self.cylinders)

    # --- 3-D views --------------------------------------------------------------------------

    def obstacles(self) -> tuple[Obstacle, ...]:
        return self.walls + self.boxes + self.cylinders

    def between_heights(self, z_low: float, z_high: float) -> World:
        """The same world with only the obstacles that occupy some height in [z_low, z_high]:
        a planar lidar at height z sees `between_heights(z, z)`, a body from the floor to its
        top collides with `between_heights(0, top)`."""
        return replace(self, walls=tuple(w for w in self.walls if spans(w, z_low, z_high)),
                       boxes=tuple(b for b in self.boxes if spans(b, z_low, z_high)),
                       cylinders=tuple(c for c in self.cylinders if spans(c, z_low, z_high)))

    def mapped_only(self) -> World:
        """The brain's map: the world without its `mapped: false` obstacles."""
        return replace(self, walls=tuple(w for w in self.walls if w.mapped),
                       boxes=tuple(b for b in self.boxes if b.mapped),
                       cylinders=tuple(c for c in self.cylinders if c.mapped))

    @property
    def unmapped(self) -> tuple[Obstacle, ...]:
        """Obstacles the simulators know and the brain's map does not."""
        return tuple(o for o in self.obstacles() if not o.mapped)


def point_segment_distance(p: np.ndarray, segs: np.ndarray) -> np.ndarray:
    """Distance from point p (2,) to each segment of segs (M, 4)."""
    a = segs[:, 0:2]
    b = segs[:, 2:4]
    ab = b - a
    denom = np.einsum("ij,ij->i", ab, ab)
    along = np.einsum("ij,ij->i", p - a, ab)
    t = np.where(denom > 0.0, along / np.where(denom > 0.0, denom, 1.0), 0.0)
    t = np.clip(t, 0.0, 1.0)
    closest = a + ab * t[:, None]
    return np.hypot(closest[:, 0] - p[0], closest[:, 1] - p[1])


def wall_as_box(wall: Wall) -> Box:
    """The wall as the rotated box it occupies (its thickness beyond both ends included)."""
    (x0, y0), (x1, y1) = wall.start, wall.end
    length = math.hypot(x1 - x0, y1 - y0)
    return Box(
        name=wall.name,
        center=((x0 + x1) / 2.0, (y0 + y1) / 2.0),
        size=(length + wall.thickness, wall.thickness),
        yaw=math.atan2(y1 - y0, x1 - x0),
    )


def _point_in_box(box: Box, x: float, y: float) -> bool:
    c, s = math.cos(box.yaw), math.sin(box.yaw)
    dx, dy = x - box.center[0], y - box.center[1]
    lx, ly = c * dx + s * dy, -s * dx + c * dy
    return abs(lx) <= box.size[0] / 2.0 and abs(ly) <= box.size[1] / 2.0


# --- parsing -----------------------------------------------------------------------------

def load_world_file(world_file: str, places_file: str = "",
                    robot_radius: float = DEFAULT_ROBOT_RADIUS, *,
                    include_unmapped: bool = False) -> World:
    """The `world_file` parameter's world: '' = the packaged default, a bare name is looked up
    among the packaged worlds, else a path; a world file or a map YAML (docs/maps.md), with the
    places of `places_file` when given. Raises WorldError naming what is wrong.

    The brain's map by default; `include_unmapped=True` gives the physical world (what a
    simulator builds), `mapped: false` obstacles included."""
    return load_world(resolve_world_path(world_file), places_file, robot_radius,
                      include_unmapped=include_unmapped)


def load_world(path: str | Path, places_file: str | Path = "",
               robot_radius: float = DEFAULT_ROBOT_RADIUS, *,
               include_unmapped: bool = False) -> World:
    """Read and validate a world YAML file (and the file it `extends`, if any) or a map YAML;
    raise WorldError naming what is wrong. `include_unmapped` as for load_world_file.

    A map's places come from `places_file`, or when that is '' from `<map>.places.yaml` beside
    it if there is one; a world file's places are replaced by `places_file` when given."""
    path = Path(path)
    data = _read_with_base(path, depth=0)
    if is_map_yaml(data):
        return map_world(load_map_data(data, path), places_file or sibling_places_file(path),
                         robot_radius)
    world = parse_world(data, source=str(path), include_unmapped=include_unmapped)
    return with_places_file(world, places_file, robot_radius) if places_file else world


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorldError(f"world file {path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WorldError(f"world file {path}: not valid YAML ({exc})") from exc


#: Keys whose lists a world that `extends` another adds to the base's.
_LIST_KEYS = ("walls", "boxes", "cylinders")


def _read_with_base(path: Path, depth: int) -> Any:
    """The file's data with its `extends` base merged in: obstacle lists are appended to the
    base's, places are added to (or replace by name) the base's, any other key replaces the
    base's. A base is found as `world_file` is (a packaged name), or beside this file."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or "extends" not in data:
        return data
    where = f"world file {path}"
    base_name = data["extends"]
    if not isinstance(base_name, str) or not base_name.strip():
        raise WorldError(f"{where}: 'extends' must name a world file, got {base_name!r}")
    if depth >= MAX_EXTENDS_DEPTH:
        raise WorldError(f"{where}: 'extends' nests deeper than {MAX_EXTENDS_DEPTH} files "
                         "(a cycle?)")
    beside = path.parent / base_name
    base_path = beside if beside.exists() else resolve_world_path(base_name)
    base = _read_with_base(base_path, depth + 1)
    if not isinstance(base, dict):
        raise WorldError(f"{where}: the base world {base_path} is not a mapping")
    merged = {k: v for k, v in base.items() if k != "extends"}
    for key, value in data.items():
        if key == "extends":
            continue
        if key in _LIST_KEYS and isinstance(value, list):
            merged[key] = list(base.get(key) or []) + value
        elif key == "places" and isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged


def _aliases(p: Mapping[str, Any], ctx: str) -> tuple[str, ...]:
    raw = p.get("aliases", [])
    if not isinstance(raw, list) or not all(isinstance(a, str) and a.strip() for a in raw):
        raise WorldError(f"{ctx}: 'aliases' must be a list of non-empty strings")
    return tuple(raw)


def parse_world(data: Any, source: str = "<memory>", *, include_unmapped: bool = False
                ) -> World:
    """Build a World from already-parsed YAML data (`extends` is resolved by load_world).
    Every obstacle is checked; `mapped: false` ones are kept only with `include_unmapped`."""
    where = f"world file {source}"
    if not isinstance(data, dict):
        raise WorldError(f"{where}: top level must be a mapping, got {type(data).__name__}")
    unknown = set(data) - {"name", "bounds", "walls", "boxes", "cylinders", "places", "start"}
    if unknown:
        raise WorldError(f"{where}: unknown key(s) {sorted(unknown)}")
    b = _mapping(data.get("bounds"), f"{where}: bounds")
    bounds = Bounds(
        x_min=_number(b, "x_min", f"{where}: bounds"),
        x_max=_number(b, "x_max", f"{where}: bounds"),
        y_min=_number(b, "y_min", f"{where}: bounds"),
        y_max=_number(b, "y_max", f"{where}: bounds"),
    )
    if not (bounds.x_min < bounds.x_max and bounds.y_min < bounds.y_max):
        raise WorldError(f"{where}: bounds must have x_min < x_max and y_min < y_max")

    walls = tuple(
        Wall(
            name=str(w.get("name", f"wall_{i}")),
            start=_point(w, "start", f"{where}: walls[{i}]"),
            end=_point(w, "end", f"{where}: walls[{i}]"),
            thickness=_positive(w, "thickness", f"{where}: walls[{i}]", default=0.1),
            **_vertical(w, f"{where}: walls[{i}]", "walls", DEFAULT_WALL_HEIGHT),
        )
        for i, w in enumerate(_mappings(data.get("walls", []), f"{where}: walls"))
    )
    boxes = tuple(
        Box(
            name=str(o.get("name", f"box_{i}")),
            center=_point(o, "center", f"{where}: boxes[{i}]"),
            size=_size(o, f"{where}: boxes[{i}]"),
            yaw=_number(o, "yaw", f"{where}: boxes[{i}]", default=0.0),
            **_vertical(o, f"{where}: boxes[{i}]", "boxes", DEFAULT_BOX_HEIGHT),
        )
        for i, o in enumerate(_mappings(data.get("boxes", []), f"{where}: boxes"))
    )
    cylinders = tuple(
        Cylinder(
            name=str(o.get("name", f"cylinder_{i}")),
            center=_point(o, "center", f"{where}: cylinders[{i}]"),
            radius=_positive(o, "radius", f"{where}: cylinders[{i}]"),
            **_vertical(o, f"{where}: cylinders[{i}]", "cylinders",
                        DEFAULT_CYLINDER_HEIGHT),
        )
        for i, o in enumerate(_mappings(data.get("cylinders", []), f"{where}: cylinders"))
    )
    raw_places = _mapping(data.get("places", {}), f"{where}: places")
    places: dict[str, Place] = {}
    for name, p in raw_places.items():
        ctx = f"{where}: places.{name}"
        p = _mapping(p, ctx)
        places[str(name)] = Place(str(name), _number(p, "x", ctx), _number(p, "y", ctx),
                                  _number(p, "yaw", ctx, default=0.0), _aliases(p, ctx))
    s = _mapping(data.get("start", {"x": 0.0, "y": 0.0}), f"{where}: start")
    start = Place("start", _number(s, "x", f"{where}: start"), _number(s, "y", f"{where}: start"),
                  _number(s, "yaw", f"{where}: start", default=0.0))

    world = World(
        name=str(data.get("name", Path(source).stem)),
        bounds=bounds, walls=walls, boxes=boxes, cylinders=cylinders,
        places=places, start=start, source=source,
    )
    for place in list(places.values()) + [start]:
        label = "start" if place is start else f"place '{place.name}'"
        if not bounds.contains(place.x, place.y):
            raise WorldError(
                f"{where}: {label} at ({place.x}, {place.y}) is outside the map bounds "
                f"x [{bounds.x_min}, {bounds.x_max}], y [{bounds.y_min}, {bounds.y_max}]")
        if world.inside_obstacle(place.x, place.y):
            raise WorldError(f"{where}: {label} at ({place.x}, {place.y}) is inside an obstacle")
    # Checked on the physical world above (a place inside moved furniture is refused too).
    return world if include_unmapped else world.mapped_only()


def _mapping(value: Any, ctx: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WorldError(f"{ctx}: expected a mapping, got {type(value).__name__}")
    return value


def _mappings(value: Any, ctx: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise WorldError(f"{ctx}: expected a list, got {type(value).__name__}")
    return [_mapping(v, f"{ctx}[{i}]") for i, v in enumerate(value)]


def _number(m: dict[str, Any], key: str, ctx: str, default: float | None = None) -> float:
    if key not in m:
        if default is None:
            raise WorldError(f"{ctx}: missing '{key}'")
        return default
    v = m[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise WorldError(f"{ctx}: '{key}' must be a finite number, got {v!r}")
    return float(v)


def _positive(m: dict[str, Any], key: str, ctx: str, default: float | None = None) -> float:
    v = _number(m, key, ctx, default)
    if v <= 0.0:
        raise WorldError(f"{ctx}: '{key}' must be > 0, got {v}")
    return v


def _point(m: dict[str, Any], key: str, ctx: str) -> tuple[float, float]:
    v = m.get(key)
    if not (isinstance(v, list) and len(v) == 2):
        raise WorldError(f"{ctx}: '{key}' must be [x, y], got {v!r}")
    tmp = {"x": v[0], "y": v[1]}
    return (_number(tmp, "x", f"{ctx}.{key}"), _number(tmp, "y", f"{ctx}.{key}"))


_OBSTACLE_KEYS = {
    "walls": {"name", "start", "end", "thickness"},
    "boxes": {"name", "center", "size", "yaw"},
    "cylinders": {"name", "center", "radius"},
}
_VERTICAL_KEYS = {"z_min", "z_max", "mapped"}


def _vertical(m: dict[str, Any], ctx: str, kind: str, default_top: float) -> dict[str, Any]:
    """z_min, z_max (m above the floor) and mapped of one obstacle of `kind`, checked; an
    unknown key (a typo such as `zmax`) is refused rather than silently ignored."""
    unknown = set(m) - _OBSTACLE_KEYS[kind] - _VERTICAL_KEYS
    if unknown:
        raise WorldError(f"{ctx}: unknown key(s) {sorted(unknown)}")
    z_min = _number(m, "z_min", ctx, default=0.0)
    z_max = _number(m, "z_max", ctx, default=default_top)
    if z_min < 0.0:
        raise WorldError(f"{ctx}: 'z_min' must be >= 0 (the floor), got {z_min}")
    if z_max <= z_min:
        given = "" if "z_max" in m else f" (the default for {kind}; give 'z_max')"
        raise WorldError(f"{ctx}: 'z_max' {z_max}{given} must be above 'z_min' {z_min}")
    mapped = m.get("mapped", True)
    if not isinstance(mapped, bool):
        raise WorldError(f"{ctx}: 'mapped' must be true or false, got {mapped!r}")
    return {"z_min": z_min, "z_max": z_max, "mapped": mapped}


def _size(m: dict[str, Any], ctx: str) -> tuple[float, float]:
    sx, sy = _point(m, "size", ctx)
    if sx <= 0 or sy <= 0:
        raise WorldError(f"{ctx}: 'size' must be positive, got [{sx}, {sy}]")
    return (sx, sy)


# --- maps and places files (docs/maps.md) ---------------------------------------------------

def map_world(grid: OccupancyGrid, places_file: str | Path = "",
              robot_radius: float = DEFAULT_ROBOT_RADIUS) -> World:
    """A world whose obstacles are the map's occupied and unknown cells, its places those of
    `places_file` ('' = none). Without a start the simulator starts at the map frame's origin,
    or the free cell nearest to it."""
    x_min, x_max, y_min, y_max = grid.bounds()
    sx, sy = grid.nearest_free(0.0, 0.0)
    world = World(name=Path(grid.source).stem, bounds=Bounds(x_min, x_max, y_min, y_max),
                  walls=(), boxes=(), cylinders=(), places={}, start=Place("start", sx, sy),
                  source=grid.source, grid=grid)
    return with_places_file(world, places_file, robot_radius) if places_file else world


def with_places_file(world: World, places_file: str | Path,
                     robot_radius: float = DEFAULT_ROBOT_RADIUS) -> World:
    """`world` with the places (and the start, when it has one) of a places file, each checked:
    inside the map, in free space, at least `robot_radius` from every obstacle."""
    places = load_places_file(places_file)
    check_positions(places, _bounds_tuple(world.bounds), _signed_clearance(world), robot_radius)
    start = places.start if places.start is not None else world.start
    return replace(world, places=dict(places.places), start=start)


def with_places(world: World, places: Mapping[str, Place]) -> World:
    """`world` with other places (places saved or removed at run time, already checked)."""
    check_unique(places.values(), f"world {world.name}")
    return replace(world, places=dict(places))


def _bounds_tuple(b: Bounds) -> tuple[float, float, float, float]:
    return (b.x_min, b.x_max, b.y_min, b.y_max)


def _signed_clearance(world: World) -> Callable[[float, float], float]:
    """Clearance, negative inside an obstacle (a world file's boxes report a positive one)."""
    def clearance(x: float, y: float) -> float:
        return -1.0 if world.inside_obstacle(x, y) else world.clearance(x, y)
    return clearance
