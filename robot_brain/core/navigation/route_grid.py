"""The route planner's grid: each cell's clearance (m to the nearest obstacle surface, negative
inside), which cells are free for the inflated body, and clearance along a segment.

Computed once per world: from the world's shapes (obstacle_clearance) or, on a map world, read
from the map's distance field. Clearance along a segment is read from the nearest cell centre,
which may overstate it by up to half a cell diagonal (RoutePlannerConfig.lookup_error).
"""

from __future__ import annotations

import math

import numpy as np

from robot_brain.core.navigation.obstacle_clearance import clearance, obstacles
from robot_brain.core.navigation.route_config import RoutePlannerConfig
from robot_brain.core.world import World

#: How fast (m of clearance per m travelled) the relaxed requirement near an end in the
#: inflation zone rises back to the full one: leaving a wall at 30 degrees or steeper passes.
RELAX_SLOPE = 0.5
#: Cells per chunk when the clearance grid is computed (bounds the temporary arrays to a few
#: tens of MB whatever the world's size).
_CHUNK_ELEMENTS = 2_000_000
#: Name given to the obstacle nearest a point of a map world (its cells have no names).
MAP_OBSTACLE = "map obstacle"


class RouteGrid:
    """The clearance of every cell of the world's bounds, and the queries on it."""

    def __init__(self, world: World, config: RoutePlannerConfig) -> None:
        self.world = world
        self.config = config
        b = world.bounds
        res = config.resolution
        self.nx = max(1, math.ceil((b.x_max - b.x_min) / res - 1e-9))
        self.ny = max(1, math.ceil((b.y_max - b.y_min) / res - 1e-9))
        self._obs = obstacles(world)
        xs = b.x_min + (np.arange(self.nx) + 0.5) * res
        ys = b.y_min + (np.arange(self.ny) + 0.5) * res
        gx, gy = np.meshgrid(xs, ys)
        pts = np.column_stack([gx.reshape(-1), gy.reshape(-1)])
        if world.grid is not None:
            # A map world: each cell centre's clearance read from the map's distance field (a
            # lower bound), whatever the map's own resolution and yaw.
            grid = world.grid
            parts = [grid.clearance_at(pts[i:i + _CHUNK_ELEMENTS, 0],
                                       pts[i:i + _CHUNK_ELEMENTS, 1])
                     for i in range(0, len(pts), _CHUNK_ELEMENTS)]
        else:
            per_chunk = max(1, _CHUNK_ELEMENTS // max(1, len(self._obs.segments)
                                                      + len(self._obs.circles)
                                                      + len(self._obs.box_centres)))
            parts = [clearance(self._obs, pts[i:i + per_chunk])[0]
                     for i in range(0, len(pts), per_chunk)]
        #: (ny, nx) clearance of each cell centre (m); row j is y, column i is x.
        self.clearance = np.concatenate(parts).reshape(self.ny, self.nx)
        self.free = self.clearance >= config.inflated_radius
        # A one-cell blocked border lets the search step to any neighbour without bounds checks:
        # cells are numbered row-major over the padded grid, `stride` cells to a row.
        self.stride = self.nx + 2
        self.padded_clearance = np.full((self.ny + 2, self.nx + 2), -math.inf)
        self.padded_clearance[1:-1, 1:-1] = self.clearance

    # -- cells ---------------------------------------------------------------------------------

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """(column, row) of the cell holding a point, clamped to the grid."""
        b = self.world.bounds
        res = self.config.resolution
        i = min(self.nx - 1, max(0, int(math.floor((x - b.x_min) / res))))
        j = min(self.ny - 1, max(0, int(math.floor((y - b.y_min) / res))))
        return i, j

    def flat(self, i: int, j: int) -> int:
        """The padded grid's number of cell (column i, row j)."""
        return (j + 1) * self.stride + (i + 1)

    def centre(self, p: int) -> tuple[float, float]:
        b = self.world.bounds
        res = self.config.resolution
        j, i = divmod(p, self.stride)
        # Rounded to a micrometre: the same route reads the same in logs and comparisons.
        return (round(b.x_min + (i - 0.5) * res, 6), round(b.y_min + (j - 0.5) * res, 6))

    # -- clearance -----------------------------------------------------------------------------

    def point_clearance(self, x: float, y: float) -> tuple[float, str]:
        """Exact clearance of a point (m, negative inside) and the nearest obstacle's name (on a
        map: a lower bound, and MAP_OBSTACLE)."""
        if self.world.grid is not None:
            return float(self.world.grid.clearance_at(x, y)), MAP_OBSTACLE
        d, k = clearance(self._obs, np.array([[x, y]], dtype=np.float64))
        name = self._obs.names[int(k[0])] if int(k[0]) >= 0 else ""
        return float(d[0]), name

    def segment_clear(self, a: tuple[float, float], b: tuple[float, float],
                      relax_a: float | None = None, relax_b: float | None = None) -> bool:
        """True when every point of the segment a-b keeps the inflated clearance.

        Clearance is read from the nearest cell centre every quarter cell. `relax_a`/`relax_b`
        lower the requirement near an end that itself lies in the inflation zone: there it may
        be as low as that value, rising with the distance from the end (RELAX_SLOPE m per m),
        so a route can leave a robot standing near a wall, but not slide along it.
        """
        ends = np.array([b], dtype=np.float64)
        return bool(self.clear_from(a, ends, relax_a, relax_b, last_only=False)[0])

    def clear_from(self, a: tuple[float, float], ends: np.ndarray, relax_a: float | None,
                   relax_b: float | None, last_only: bool = True) -> np.ndarray:
        """segment_clear from one point to each of ends (J, 2) at once (one numpy batch).

        `relax_b` applies to the last end only when `last_only`, else to every end.
        """
        res = self.config.resolution
        vx = ends[:, 0] - a[0]
        vy = ends[:, 1] - a[1]
        length = np.hypot(vx, vy)
        n = max(2, int(math.ceil(float(np.max(length)) / (0.25 * res))) + 1)
        t = np.linspace(0.0, 1.0, n)[None, :]
        bo = self.world.bounds
        i = np.floor((a[0] + t * vx[:, None] - bo.x_min) / res).astype(np.int64) + 1
        j = np.floor((a[1] + t * vy[:, None] - bo.y_min) / res).astype(np.int64) + 1
        np.clip(i, 0, self.nx + 1, out=i)
        np.clip(j, 0, self.ny + 1, out=j)
        clear = self.padded_clearance[j, i]
        need = np.full(clear.shape, self.config.inflated_radius)
        if relax_a is not None:
            need = np.minimum(need, relax_a + RELAX_SLOPE * t * length[:, None])
        if relax_b is not None:
            rows = slice(-1, None) if last_only else slice(None)
            need[rows] = np.minimum(need[rows], relax_b + RELAX_SLOPE * (1.0 - t)
                                    * length[rows, None])
        ok: np.ndarray = np.all(clear >= need, axis=1)
        return ok
