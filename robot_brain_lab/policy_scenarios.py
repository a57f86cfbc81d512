"""Seeded random worlds (rooms with boxes and cylinders) for policy training and evaluation.

Two families keep evaluation honest: `train` and `eval` differ in room sizes, obstacle counts
and shapes, and callers draw them from disjoint seed streams (`scenario_rng`), so the
episodes that test the policy never use a layout it was trained on.

Every layout is solvable by a reactive walker: one obstacle sits on the straight line from
start to goal (so avoiding it is needed), obstacles keep a walkable gap between each other
and from the walls (no pockets), and start and goal have room around them.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from robot_brain.core.geometry import Pose2D
from robot_brain.core.world import Bounds, Box, Cylinder, Place, Wall, World

WALL_THICKNESS = 0.1
#: Seed streams: training and evaluation never share a generator state.
_STREAM = {"train": 1_000_003, "eval": 2_000_003}


class Family(enum.Enum):
    TRAIN = "train"
    EVAL = "eval"


@dataclass(frozen=True)
class FamilySpec:
    width: tuple[float, float]
    height: tuple[float, float]
    obstacles: tuple[int, int]
    box_size: tuple[float, float]
    cylinder_radius: tuple[float, float]
    box_share: float
    gap: float


SPECS = {
    Family.TRAIN: FamilySpec((7.0, 10.0), (5.0, 8.0), (2, 6), (0.3, 1.4), (0.15, 0.4), 0.6,
                             1.3),
    Family.EVAL: FamilySpec((6.5, 11.0), (5.5, 8.5), (3, 7), (0.35, 1.6), (0.12, 0.45), 0.5,
                            1.3),
}


@dataclass(frozen=True)
class Scenario:
    world: World
    start: Pose2D
    goal: tuple[float, float]
    seed: int


def scenario_rng(family: Family, seed: int) -> np.random.Generator:
    return np.random.default_rng([_STREAM[family.value], seed])


def _obstacle(rng: np.random.Generator, spec: FamilySpec, name: str,
              x: float, y: float) -> tuple[Box | Cylinder, float]:
    """An obstacle centred at (x, y) and its bounding radius."""
    if rng.random() < spec.box_share:
        sx, sy = rng.uniform(*spec.box_size), rng.uniform(spec.box_size[0],
                                                          min(spec.box_size[1], 1.0))
        return Box(name, (x, y), (sx, sy), float(rng.uniform(-math.pi, math.pi))), \
            math.hypot(sx, sy) / 2.0
    r = float(rng.uniform(*spec.cylinder_radius))
    return Cylinder(name, (x, y), r), r


def random_scenario(family: Family, seed: int, robot_radius: float = 0.25,
                    max_tries: int = 2000) -> Scenario:
    rng = scenario_rng(family, seed)
    spec = SPECS[family]
    w, h = rng.uniform(*spec.width), rng.uniform(*spec.height)
    bounds = Bounds(-w / 2, w / 2, -h / 2, h / 2)
    corners = [(bounds.x_min, bounds.y_min), (bounds.x_max, bounds.y_min),
               (bounds.x_max, bounds.y_max), (bounds.x_min, bounds.y_max)]
    walls = tuple(Wall(f"wall_{i}", corners[i], corners[(i + 1) % 4], WALL_THICKNESS)
                  for i in range(4))
    margin = 0.9
    sy = float(rng.uniform(bounds.y_min + margin, bounds.y_max - margin))
    gy = float(rng.uniform(bounds.y_min + margin, bounds.y_max - margin))
    sx, gx = bounds.x_min + margin, bounds.x_max - margin
    if rng.random() < 0.5:
        sx, gx = gx, sx
    start = Pose2D(sx, sy, float(rng.uniform(-math.pi, math.pi)))
    keep_clear = robot_radius + 0.6
    placed: list[tuple[float, float, float]] = []
    obstacles: list[Box | Cylinder] = []
    wanted = int(rng.integers(spec.obstacles[0], spec.obstacles[1] + 1))
    for _ in range(max_tries):
        if len(obstacles) >= wanted:
            break
        if not obstacles:
            t = rng.uniform(0.35, 0.65)
            x = sx + t * (gx - sx)
            y = sy + t * (gy - sy) + rng.uniform(-0.2, 0.2)
        else:
            x = rng.uniform(bounds.x_min, bounds.x_max)
            y = rng.uniform(bounds.y_min, bounds.y_max)
        obs, rad = _obstacle(rng, spec, f"obstacle_{len(obstacles)}", float(x), float(y))
        wall_gap = min(x - bounds.x_min, bounds.x_max - x, y - bounds.y_min,
                       bounds.y_max - y) - rad
        if wall_gap < spec.gap:
            continue
        if math.hypot(x - sx, y - sy) - rad < keep_clear + 0.3:
            continue
        if math.hypot(x - gx, y - gy) - rad < keep_clear:
            continue
        if any(math.hypot(x - px, y - py) - rad - pr < spec.gap for px, py, pr in placed):
            continue
        placed.append((float(x), float(y), rad))
        obstacles.append(obs)
    world = World(
        name=f"{family.value}_{seed}", bounds=bounds, walls=walls,
        boxes=tuple(o for o in obstacles if isinstance(o, Box)),
        cylinders=tuple(o for o in obstacles if isinstance(o, Cylinder)),
        places={"goal": Place("goal", gx, gy)}, start=Place("start", sx, sy, start.yaw),
        source=f"<random {family.value} {seed}>")
    return Scenario(world, start, (gx, gy), seed)
