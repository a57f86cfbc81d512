"""The scene summary the planner shows its LLM: short, stable, plain numbers.

JSON shape (validated by robot_brain/schemas/scene.schema.json), all angles in radians,
counter-clockwise positive, 0 = straight ahead of the robot, wrapped to [-pi, pi); all
distances in metres; numbers rounded to `SceneConfig.decimals`:

.. code-block:: json

    {"version": 1, "stamp": 12.5,
     "robot": {"x": -1.0, "y": 0.0, "yaw": 0.0},
     "obstacles": [{"bearing": 0.2, "distance": 1.71}],
     "free_directions": [{"bearing": 1.57, "width": 0.79}],
     "unknown_fraction": 0.0,
     "places": [{"name": "dock", "distance": 3.36, "bearing": 2.87}]}

* `robot`: pose in the odom frame, null until odometry arrives.
* `obstacles`: nearest first, at most `max_obstacles`; one entry per local minimum of the
  sector ranges, so a wall spanning several sectors is reported once, at its closest point.
  Bearing is the sector centre (the laser frame is taken as the robot's frame).
* `free_directions`: runs of adjacent sectors clear beyond `free_distance` (or free to
  range_max), as the run's centre bearing and angular width; unknown sectors are never free.
* `unknown_fraction`: share of sectors with no valid reading (1.0 = no fresh scan).
* `places`: every named place of the world, sorted by name (a stable order for the prompt),
  with distance and bearing from the robot; both null while the robot pose is unknown.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

import jsonschema
import numpy as np

from robot_brain.core.config.params import param
from robot_brain.core.geometry import Pose2D, wrap_angle
from robot_brain.core.perception.sectors import sector_centres, sector_width
from robot_brain.core.resources import package_file

SCENE_VERSION = 1
SCHEMA_FILE = "scene.schema.json"


class SceneError(ValueError):
    """A scene dict that does not validate against the shipped schema."""


@dataclass(frozen=True)
class SceneConfig:
    rate_hz: float = param(2.0, "Rate of perception/scene.", unit="Hz", min=0.05, max=50.0)
    max_obstacles: int = param(3, "Nearest obstacles listed in the scene.", min=1, max=16)
    free_distance: float = param(2.0, "A direction is free in the scene when clear beyond this "
                                 "distance.", unit="m", min=0.1, max=100.0)
    decimals: int = 2


@dataclass(frozen=True)
class Obstacle:
    bearing: float
    distance: float


@dataclass(frozen=True)
class FreeDirection:
    bearing: float
    width: float


@dataclass(frozen=True)
class PlaceView:
    name: str
    distance: float | None
    bearing: float | None


@dataclass(frozen=True)
class NamedPoint:
    """A named place as the scene needs it (World.places values satisfy this shape)."""

    name: str
    x: float
    y: float


@dataclass(frozen=True)
class Scene:
    stamp: float
    robot: Pose2D | None
    obstacles: tuple[Obstacle, ...]
    free_directions: tuple[FreeDirection, ...]
    unknown_fraction: float
    places: tuple[PlaceView, ...]


def nearest_obstacles(sectors: np.ndarray, max_obstacles: int) -> tuple[Obstacle, ...]:
    """Local minima of the finite sector ranges (circular), nearest first."""
    n = sectors.size
    vals = np.where(np.isfinite(sectors), sectors, np.inf).astype(np.float64)
    centres = sector_centres(n)
    minima = [i for i in range(n) if math.isfinite(vals[i])
              and vals[i] <= vals[(i - 1) % n] and vals[i] <= vals[(i + 1) % n]]
    picked: list[int] = []
    # A plateau of equal minima is one obstacle: keep its first sector only.
    for i in sorted(minima, key=lambda k: (vals[k], k)):
        if n > 2 and any(abs(i - j) in (1, n - 1) for j in picked):
            continue
        picked.append(i)
        if len(picked) >= max_obstacles:
            break
    return tuple(Obstacle(float(centres[i]), float(vals[i])) for i in picked)


def free_directions(sectors: np.ndarray, free_distance: float) -> tuple[FreeDirection, ...]:
    """Runs of adjacent free sectors (circular), as centre bearing and width."""
    n = sectors.size
    with np.errstate(invalid="ignore"):
        free = (sectors >= free_distance) & ~np.isnan(sectors)
    if not free.any():
        return ()
    w = sector_width(n)
    if free.all():
        return (FreeDirection(0.0, 2.0 * math.pi),)
    # Start scanning just after a blocked sector so no run is split across the wrap.
    start = (int(np.flatnonzero(~free)[0]) + 1) % n
    runs: list[tuple[int, int]] = []
    i = 0
    while i < n:
        k = (start + i) % n
        if free[k]:
            length = 1
            while i + length < n and free[(start + i + length) % n]:
                length += 1
            runs.append((k, length))
            i += length
        else:
            i += 1
    return tuple(FreeDirection(wrap_angle(-math.pi + (k + length / 2.0) * w), length * w)
                 for k, length in runs)


def build_scene(stamp: float, pose: Pose2D | None, sectors: np.ndarray | None,
                places: Iterable[NamedPoint], n_sectors: int,
                config: SceneConfig = SceneConfig()) -> Scene:
    """The scene from the latest pose and sector minima (None = no fresh scan)."""
    if pose is not None and not all(math.isfinite(v) for v in (pose.x, pose.y, pose.yaw)):
        pose = None
    if sectors is None:
        sectors = np.full(n_sectors, np.nan, dtype=np.float32)
    views = []
    for p in sorted(places, key=lambda q: q.name):
        if pose is None:
            views.append(PlaceView(p.name, None, None))
        else:
            lx, ly = pose.to_local(p.x, p.y)
            views.append(PlaceView(p.name, math.hypot(lx, ly), wrap_angle(math.atan2(ly, lx))))
    return Scene(
        stamp=stamp,
        robot=pose,
        obstacles=nearest_obstacles(sectors, config.max_obstacles),
        free_directions=free_directions(sectors, config.free_distance),
        unknown_fraction=float(np.count_nonzero(np.isnan(sectors))) / max(sectors.size, 1),
        places=tuple(views),
    )


def scene_to_dict(scene: Scene, decimals: int = 2) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(float(v), decimals)

    robot = None if scene.robot is None else {
        "x": r(scene.robot.x), "y": r(scene.robot.y), "yaw": r(scene.robot.yaw)}
    return {
        "version": SCENE_VERSION,
        "stamp": round(scene.stamp, 3),
        "robot": robot,
        "obstacles": [{"bearing": r(o.bearing), "distance": r(o.distance)}
                      for o in scene.obstacles],
        "free_directions": [{"bearing": r(f.bearing), "width": r(f.width)}
                            for f in scene.free_directions],
        "unknown_fraction": r(scene.unknown_fraction),
        "places": [{"name": p.name, "distance": r(p.distance), "bearing": r(p.bearing)}
                   for p in scene.places],
    }


def scene_json(scene: Scene, decimals: int = 2) -> str:
    """Compact JSON; the key order is fixed, so equal scenes give equal strings."""
    return json.dumps(scene_to_dict(scene, decimals), separators=(",", ":"), allow_nan=False)


@lru_cache(maxsize=1)
def scene_schema() -> Mapping[str, Any]:
    schema: Mapping[str, Any] = json.loads(
        package_file("schemas", SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    # Built once: jsonschema.validate would re-check the schema itself on every call.
    cls = jsonschema.validators.validator_for(scene_schema())
    cls.check_schema(scene_schema())
    validator: jsonschema.protocols.Validator = cls(scene_schema())
    return validator


def validate_scene(data: Any) -> None:
    """Raise SceneError when `data` does not validate against scene.schema.json."""
    try:
        _validator().validate(data)
    except jsonschema.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path) or "<root>"
        raise SceneError(f"scene does not match {SCHEMA_FILE} at {path}: {exc.message}") from exc


def parse_scene(text: str) -> dict[str, Any]:
    """A `perception/scene` message's JSON as a dict that validates against scene.schema.json;
    SceneError otherwise. The receiver checks (the planner, slow path): validating costs ~2.6 ms
    a scene, too much for perception's thread, which is the controller's too when composed."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise SceneError(f"scene is not JSON: {exc}") from exc
    validate_scene(data)
    if not isinstance(data, dict):  # the schema's root is an object; mypy cannot know that
        raise SceneError("scene is not a JSON object")
    return data



class LatestScene:
    """The newest `perception/scene` text, parsed and validated when it is used.

    Perception publishes a scene twice a second and the planner reads one per request it
    sends to a backend, so validating each on arrival (~3 ms of the planner's thread per
    scene, cold) was mostly spent on scenes nobody read. A scene that fails when used is
    counted and the last valid one stays, as when scenes were checked on arrival.
    """

    def __init__(self) -> None:
        self._text: str | None = None
        self._valid: dict[str, Any] | None = None
        self.received = 0
        self.rejected = 0
        self.last_error: str | None = None

    def put(self, text: str) -> None:
        """Keep `text` as the newest scene; nothing is parsed here."""
        self._text = text
        self.received += 1

    def get(self) -> dict[str, Any] | None:
        """The newest valid scene (parsing what arrived since the last call), or None."""
        text, self._text = self._text, None
        if text is not None:
            try:
                self._valid = parse_scene(text)
            except SceneError as exc:
                self.rejected += 1
                self.last_error = str(exc)
        return self._valid
