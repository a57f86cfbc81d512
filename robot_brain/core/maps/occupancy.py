"""An occupancy grid in the map frame: nav_msgs/OccupancyGrid's values and layout, without ROS.

`data` is int8 (height, width), row 0 the bottom row of the map (map_server flips the image,
whose first row is its top), values 0 (free) .. 100 (occupied) and -1 (unknown). The origin is
the pose of cell (0, 0)'s lower-left corner in the map frame, yaw included, so a cell centre is
origin + R(yaw) * ((i + 1/2) * resolution, (j + 1/2) * resolution).

For the brain a cell is an obstacle when it is unknown or at least BLOCKED_FROM (50) occupied;
everything outside the image is unknown, so an obstacle too. Clearances (how far a point is
from the nearest obstacle) come from a Euclidean distance transform over the whole grid,
computed once on first use (only the nodes that route or simulate need it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from robot_brain.core.maps.metadata import MapOrigin

FREE = 0
OCCUPIED = 100
UNKNOWN = -1
#: Occupancy (0..100) from which a cell counts as an obstacle. Trinary maps only hold 0, 100
#: and -1; a scale map's grey band between the thresholds is blocked from the middle up.
BLOCKED_FROM = 50
_HALF_DIAGONAL = math.sqrt(0.5)


@dataclass(frozen=True, eq=False)
class OccupancyGrid:
    data: np.ndarray
    resolution: float
    origin: MapOrigin
    source: str = "<memory>"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.data.ndim != 2 or self.data.dtype != np.int8 or self.data.size == 0:
            raise ValueError("occupancy data must be a non-empty int8 (height, width) array")
        if not (math.isfinite(self.resolution) and self.resolution > 0.0):
            raise ValueError(f"resolution must be > 0, got {self.resolution}")
        self.data.setflags(write=False)

    @property
    def width(self) -> int:
        return int(self.data.shape[1])

    @property
    def height(self) -> int:
        return int(self.data.shape[0])

    # -- frames ------------------------------------------------------------------------------

    def to_grid(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Map-frame points -> continuous cell coordinates (u, v): cell (i, j) spans
        [i, i + 1) x [j, j + 1)."""
        o = self.origin
        dx = np.asarray(x, dtype=np.float64) - o.x
        dy = np.asarray(y, dtype=np.float64) - o.y
        c, s = math.cos(o.yaw), math.sin(o.yaw)
        return (c * dx + s * dy) / self.resolution, (-s * dx + c * dy) / self.resolution

    def to_world(self, u: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
        """Continuous cell coordinates -> map-frame points (the inverse of to_grid)."""
        o = self.origin
        gu = np.asarray(u, dtype=np.float64) * self.resolution
        gv = np.asarray(v, dtype=np.float64) * self.resolution
        c, s = math.cos(o.yaw), math.sin(o.yaw)
        return o.x + c * gu - s * gv, o.y + s * gu + c * gv

    def cell_centre(self, i: int, j: int) -> tuple[float, float]:
        x, y = self.to_world(i + 0.5, j + 0.5)
        return float(x), float(y)

    def bounds(self) -> tuple[float, float, float, float]:
        """x_min, x_max, y_min, y_max of the image's rectangle in the map frame."""
        xs, ys = self.to_world(np.array([0.0, self.width, self.width, 0.0]),
                               np.array([0.0, 0.0, self.height, self.height]))
        return float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())

    # -- obstacles -----------------------------------------------------------------------------

    @property
    def blocked(self) -> np.ndarray:
        """(height, width) bool: unknown, or at least BLOCKED_FROM occupied."""
        cached = self._cache.get("blocked")
        if cached is None:
            cached = (self.data < 0) | (self.data >= BLOCKED_FROM)
            cached.setflags(write=False)
            self._cache["blocked"] = cached
        out: np.ndarray = cached
        return out

    def blocked_at(self, x: Any, y: Any) -> np.ndarray:
        """Whether each point lies in an obstacle cell or outside the image."""
        u, v = self.to_grid(x, y)
        i = np.floor(u).astype(np.int64)
        j = np.floor(v).astype(np.int64)
        inside = (i >= 0) & (i < self.width) & (j >= 0) & (j < self.height)
        out = np.ones(np.shape(i), dtype=bool)
        out[inside] = self.blocked[j[inside], i[inside]]
        return out

    def nearest_free(self, x: float, y: float) -> tuple[float, float]:
        """(x, y) itself when it lies in a free cell, else the centre of the free cell nearest
        to it (the point itself when the map has no free cell at all)."""
        if not bool(self.blocked_at(x, y)):
            return x, y
        js, is_ = np.nonzero(~self.blocked)
        if len(js) == 0:
            return x, y
        u, v = self.to_grid(x, y)
        k = int(np.argmin((is_ + 0.5 - u) ** 2 + (js + 0.5 - v) ** 2))
        return self.cell_centre(int(is_[k]), int(js[k]))

    def signed_distance(self) -> np.ndarray:
        """(height, width) float32, metres: for a free cell a lower bound of the distance from
        its centre to the nearest obstacle cell's square (centre distance minus half a cell
        diagonal), for an obstacle cell -resolution/2. Outside the image counts as obstacle.
        Computed once (scipy's exact Euclidean distance transform), then cached."""
        cached = self._cache.get("sdf")
        if cached is None:
            from scipy.ndimage import distance_transform_edt

            padded = np.ones((self.height + 2, self.width + 2), dtype=bool)
            padded[1:-1, 1:-1] = self.blocked
            cells = distance_transform_edt(~padded)[1:-1, 1:-1]
            sdf = ((cells - _HALF_DIAGONAL) * self.resolution).astype(np.float32)
            sdf[self.blocked] = -0.5 * self.resolution
            sdf.setflags(write=False)
            self._cache["sdf"] = cached = sdf
        out: np.ndarray = cached
        return out

    def clearance_at(self, x: Any, y: Any) -> np.ndarray:
        """A lower bound of each point's distance to the nearest obstacle (m); negative in an
        obstacle cell or outside the image. Each of the four nearest cell centres gives one
        (its value less its distance from the point: distance is 1-Lipschitz); the largest
        is kept."""
        u, v = self.to_grid(x, y)
        u = np.atleast_1d(u)
        v = np.atleast_1d(v)
        inside_obstacle = self.blocked_at(*self.to_world(u, v))
        out = np.where(inside_obstacle, -0.5 * self.resolution, -np.inf)
        sdf = self.signed_distance()
        i0 = np.floor(u - 0.5).astype(np.int64)
        j0 = np.floor(v - 0.5).astype(np.int64)
        for di in (0, 1):
            for dj in (0, 1):
                i, j = i0 + di, j0 + dj
                ok = (i >= 0) & (i < self.width) & (j >= 0) & (j < self.height) \
                    & ~inside_obstacle
                if not np.any(ok):
                    continue
                bound = np.full(u.shape, -np.inf)
                off = np.hypot(u[ok] - (i[ok] + 0.5), v[ok] - (j[ok] + 0.5)) * self.resolution
                bound[ok] = sdf[j[ok], i[ok]].astype(np.float64) - off
                out = np.where(ok, np.maximum(out, bound), out)
        # A free point whose every neighbour centre lay outside the image (a corner): at most
        # half a cell from the border.
        out = np.where(np.isneginf(out), 0.0, out)
        return out.reshape(np.shape(np.asarray(x, dtype=np.float64)))

    def occupied_fraction(self) -> float:
        return float(np.mean(self.blocked))
