"""The self-filter: points on the robot's own body are not obstacles.

A head lidar sees the robot's shoulders and arms; a knee-height laser may see its legs. The
body is described by a few shapes in base_link (they move with the base, so the test runs on
points in base_link, before levelling):

* a box: centre (x, y, z), size (x, y, z), yaw about z;
* a capsule: a segment a-b and a radius (an arm, a leg).

Points inside any shape are removed and counted. Most points are far from the body, so a
point is tested only if it lies inside the shapes' common bounding box; the per-point cost
for the rest is a handful of comparisons. Inside the box a voxel table (body_grid) decides
the points of cells wholly inside or wholly outside the shapes, and only points in cells a
surface crosses are tested against the shapes themselves: the same answer, fewer steps.

Parameters hold the shapes as flat float arrays, 7 numbers per shape (ROS parameters have no
nested lists); a zero-size box or a zero-radius capsule is ignored, since a ROS parameter
array cannot be empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from robot_brain.core.perception.cloud.body_grid import BOUNDARY, INSIDE, BodyGrid

NUMBERS_PER_SHAPE = 7


@dataclass(frozen=True)
class Box:
    centre: tuple[float, float, float]
    size: tuple[float, float, float]
    yaw: float = 0.0

    def corners(self) -> np.ndarray:
        hx, hy, hz = (s / 2.0 for s in self.size)
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        out = []
        for sx in (-hx, hx):
            for sy in (-hy, hy):
                for sz in (-hz, hz):
                    out.append((self.centre[0] + c * sx - s * sy,
                                self.centre[1] + s * sx + c * sy, self.centre[2] + sz))
        return np.array(out)

    def contains(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        (qx, qy, qz), (hx, hy, hz) = self._local(x, y, z), self._half()
        return (qx <= hx) & (qy <= hy) & (qz <= hz)

    def distance(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Distance from each point to the box (0 inside)."""
        (qx, qy, qz), (hx, hy, hz) = self._local(x, y, z), self._half()
        ox = np.maximum(qx - hx, 0.0)
        oy = np.maximum(qy - hy, 0.0)
        oz = np.maximum(qz - hz, 0.0)
        return np.sqrt(ox * ox + oy * oy + oz * oz)

    def _half(self) -> tuple[float, float, float]:
        return self.size[0] / 2.0, self.size[1] / 2.0, self.size[2] / 2.0

    def _local(self, x: np.ndarray, y: np.ndarray, z: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """|coordinates| of each point in the box's own frame (centre, yaw)."""
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        dx, dy = x - self.centre[0], y - self.centre[1]
        return (np.abs(c * dx + s * dy), np.abs(c * dy - s * dx),
                np.abs(z - self.centre[2]))


@dataclass(frozen=True)
class Capsule:
    a: tuple[float, float, float]
    b: tuple[float, float, float]
    radius: float

    def bounds(self) -> np.ndarray:
        pts = np.array([self.a, self.b])
        return np.array([pts.min(axis=0) - self.radius, pts.max(axis=0) + self.radius])

    def contains(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        return self._axis_d2(x, y, z) <= self.radius * self.radius

    def distance(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Distance from each point to the capsule (0 inside)."""
        return np.maximum(np.sqrt(self._axis_d2(x, y, z)) - self.radius, 0.0)

    def _axis_d2(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Squared distance from each point to the segment a-b."""
        ax, ay, az = self.a
        ux, uy, uz = (self.b[i] - self.a[i] for i in range(3))
        uu = ux * ux + uy * uy + uz * uz
        px, py, pz = x - ax, y - ay, z - az
        t = (np.clip((px * ux + py * uy + pz * uz) / uu, 0.0, 1.0) if uu > 0.0
             else np.zeros_like(px))
        dx, dy, dz = px - t * ux, py - t * uy, pz - t * uz
        return dx * dx + dy * dy + dz * dz


class BodyShapeError(ValueError):
    """Self-filter numbers that do not describe shapes (wrong count, negative sizes)."""


def boxes_from_numbers(values: tuple[float, ...]) -> tuple[Box, ...]:
    """Boxes from [cx, cy, cz, sx, sy, sz, yaw] * k; zero-size boxes are dropped."""
    _check_numbers("boxes", values)
    out = []
    for i in range(0, len(values), NUMBERS_PER_SHAPE):
        cx, cy, cz, sx, sy, sz, yaw = values[i:i + NUMBERS_PER_SHAPE]
        if min(sx, sy, sz) < 0.0:
            raise BodyShapeError(f"box {i // NUMBERS_PER_SHAPE} has a negative size "
                                 f"{(sx, sy, sz)}")
        if sx > 0.0 and sy > 0.0 and sz > 0.0:
            out.append(Box((cx, cy, cz), (sx, sy, sz), yaw))
    return tuple(out)


def capsules_from_numbers(values: tuple[float, ...]) -> tuple[Capsule, ...]:
    """Capsules from [ax, ay, az, bx, by, bz, radius] * k; zero-radius ones are dropped."""
    _check_numbers("capsules", values)
    out = []
    for i in range(0, len(values), NUMBERS_PER_SHAPE):
        ax, ay, az, bx, by, bz, r = values[i:i + NUMBERS_PER_SHAPE]
        if r < 0.0:
            raise BodyShapeError(f"capsule {i // NUMBERS_PER_SHAPE} has a negative radius {r}")
        if r > 0.0:
            out.append(Capsule((ax, ay, az), (bx, by, bz), r))
    return tuple(out)


def _check_numbers(shapes: str, values: tuple[float, ...]) -> None:
    if len(values) % NUMBERS_PER_SHAPE:
        raise BodyShapeError(f"{len(values)} numbers do not make whole {shapes} of "
                             f"{NUMBERS_PER_SHAPE} numbers each")
    if not all(math.isfinite(v) for v in values):
        raise BodyShapeError(f"{shapes}: every number must be finite")


class SelfFilter:
    """Removes points inside the robot's body shapes (base_link coordinates)."""

    def __init__(self, boxes: tuple[Box, ...] = (), capsules: tuple[Capsule, ...] = ()) -> None:
        self.boxes = boxes
        self.capsules = capsules
        if boxes or capsules:
            pts = [b.corners() for b in boxes] + [c.bounds() for c in capsules]
            allp = np.concatenate(pts)
            self.lower = allp.min(axis=0)
            self.upper = allp.max(axis=0)
            self.grid: BodyGrid | None = BodyGrid((*boxes, *capsules), self.lower, self.upper)
        else:
            self.lower = np.full(3, np.inf)
            self.upper = np.full(3, -np.inf)
            self.grid = None

    def __bool__(self) -> bool:
        return bool(self.boxes or self.capsules)

    def reach_from(self, origin: np.ndarray) -> float:
        """Largest distance from `origin` to any point of any shape (0 for no shapes)."""
        o = np.asarray(origin, dtype=np.float64)
        far = [float(np.max(np.linalg.norm(b.corners() - o, axis=1))) for b in self.boxes]
        far += [max(float(np.linalg.norm(np.array(c.a) - o)),
                    float(np.linalg.norm(np.array(c.b) - o))) + c.radius for c in self.capsules]
        return max(far, default=0.0)

    def z_range(self) -> tuple[float, float]:
        """Lowest and highest z any shape reaches (an empty filter: +inf, -inf)."""
        return float(self.lower[2]), float(self.upper[2])

    def inside(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Indices of the points inside any shape (int64, ascending)."""
        if not self:
            return np.zeros(0, dtype=np.int64)
        lo, hi = self.lower, self.upper
        # Height first: for a head sensor most points are the floor and far walls.
        cand = np.flatnonzero((z >= lo[2]) & (z <= hi[2]))
        if cand.size:
            cx, cy = x[cand], y[cand]
            cand = cand[(cx >= lo[0]) & (cx <= hi[0]) & (cy >= lo[1]) & (cy <= hi[1])]
        if cand.size == 0:
            return cand
        px, py, pz = x[cand], y[cand], z[cand]
        assert self.grid is not None
        state = self.grid.lookup(px, py, pz)
        hit = state == INSIDE
        unsure = np.flatnonzero(state == BOUNDARY)
        if unsure.size:
            hit[unsure] = self.exact(px[unsure], py[unsure], pz[unsure])
        return cand[hit]

    def exact(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Whether each point is inside any shape, tested against every shape (bool)."""
        hit = np.zeros(x.shape, dtype=bool)
        shapes: tuple[Box | Capsule, ...] = (*self.boxes, *self.capsules)
        for shape in shapes:
            hit |= shape.contains(x, y, z)
        return hit

