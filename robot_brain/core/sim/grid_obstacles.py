"""A map's obstacle cells for the simulated robot: lidar rays and the body's circle.

Rays are marched on the map's clearance field (sphere tracing): from a point the field says is
at least c clear, the ray can advance c without touching anything; near a surface it advances
a quarter cell at a time, and once a sample lands in an obstacle cell the hit is placed where
the ray enters that cell's square. A ray grazing a cell corner by less than a quarter cell may
pass it; walls in maps are cells thick, so that only shaves corners.

The body is a circle: its clearance is the field's lower bound at the centre less the radius
(so the simulated body is up to ~0.7 of a cell fatter than the real one, never thinner), and
a move is checked every quarter cell along the way, stopping at the last point before contact.
A body already touching may move away or along, never deeper.
"""

from __future__ import annotations

import math

import numpy as np

from robot_brain.core.maps.occupancy import OccupancyGrid

#: Marching stops after this many steps (every beam has hit or left the map long before).
_MAX_MARCH_STEPS = 400
#: The body stops this far before contact, keeping it strictly outside.
_STANDOFF = 1e-4


class GridObstacles:
    def __init__(self, grid: OccupancyGrid, radius: float, max_range: float = 30.0) -> None:
        if not (math.isfinite(radius) and radius > 0.0):
            raise ValueError(f"body radius must be > 0, got {radius}")
        self.grid = grid
        self.radius = radius
        # The clearance is a lower bound that wavers by up to a cell as the body moves.
        self.contact_release_m = grid.resolution
        self.max_range = max_range
        res = grid.resolution
        # Per cell, a lower bound of the clearance of every point in it: the centre's value
        # less half a diagonal (the march may step that far from anywhere in the cell).
        sdf = grid.signed_distance()
        self._floor = np.where(grid.blocked, -1.0, np.maximum(sdf - res * math.sqrt(0.5),
                                                              0.0)).astype(np.float64)
        self._blocked = grid.blocked
        self._min_step = res / 4.0
        c, s = math.cos(grid.origin.yaw), math.sin(grid.origin.yaw)
        self._rot = np.array([[c, s], [-s, c]]) / res   # map -> grid cells (after the offset)

    # -- lidar ---------------------------------------------------------------------------------

    def ray_ranges(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        g = self.grid
        o = g.origin
        start = self._rot @ (np.asarray(origin, dtype=np.float64) - (o.x, o.y))   # cells
        d = np.asarray(dirs, dtype=np.float64) @ self._rot.T                      # cells per m
        n = len(d)
        t = np.zeros(n)
        hit = np.full(n, np.inf)
        active = np.arange(n)
        w, h = g.width, g.height
        for _ in range(_MAX_MARCH_STEPS):
            if not len(active):
                break
            u = start[0] + d[active, 0] * t[active]
            v = start[1] + d[active, 1] * t[active]
            i = np.floor(u).astype(np.int64)
            j = np.floor(v).astype(np.int64)
            far = t[active] > self.max_range
            outside = ((i < 0) | (i >= w) | (j < 0) | (j >= h)) & ~far
            if np.any(outside):
                # Beyond the image is unknown, so solid: the ray stops at the image's edge.
                k = active[outside]
                hit[k] = self._exit(start, d[k], t[k], w, h)
            outside |= far
            ic = np.clip(i, 0, w - 1)
            jc = np.clip(j, 0, h - 1)
            floor = self._floor[jc, ic]
            inside = ~outside & (floor < 0.0)
            if np.any(inside):
                k = active[inside]
                hit[k] = self._entry(start, d[k], t[k], i[inside], j[inside])
            keep = ~outside & ~inside
            active = active[keep]
            t[active] += np.maximum(floor[keep], self._min_step)
        return hit

    @staticmethod
    def _exit(start: np.ndarray, d: np.ndarray, t: np.ndarray, w: int, h: int) -> np.ndarray:
        """Where each ray leaves the image's rectangle [0, w] x [0, h] (cells), at most t."""
        with np.errstate(divide="ignore", invalid="ignore"):
            tx = np.where(d[:, 0] > 0, (w - start[0]) / d[:, 0],
                          np.where(d[:, 0] < 0, -start[0] / d[:, 0], np.inf))
            ty = np.where(d[:, 1] > 0, (h - start[1]) / d[:, 1],
                          np.where(d[:, 1] < 0, -start[1] / d[:, 1], np.inf))
        return np.clip(np.minimum(tx, ty), 0.0, t)

    def _entry(self, start: np.ndarray, d: np.ndarray, t: np.ndarray, i: np.ndarray,
               j: np.ndarray) -> np.ndarray:
        """Where each ray enters the square of cell (i, j) it has reached at t (slab method),
        never before the previous sample (t - one step)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            tx0 = (i - start[0]) / d[:, 0]
            tx1 = (i + 1 - start[0]) / d[:, 0]
            ty0 = (j - start[1]) / d[:, 1]
            ty1 = (j + 1 - start[1]) / d[:, 1]
        t_in = np.maximum(np.nan_to_num(np.minimum(tx0, tx1), nan=-np.inf),
                          np.nan_to_num(np.minimum(ty0, ty1), nan=-np.inf))
        return np.clip(t_in, 0.0, t)

    # -- the body --------------------------------------------------------------------------------

    def clearance(self, x: float, y: float) -> float:
        return float(self.grid.clearance_at(x, y)) - self.radius

    def sweep(self, x0: float, y0: float, x1: float, y1: float) -> float:
        length = math.hypot(x1 - x0, y1 - y0)
        if length == 0.0:
            return 1.0
        n = max(1, math.ceil(length / self._min_step))
        f = np.linspace(0.0, 1.0, n + 1)
        gaps = self.grid.clearance_at(x0 + f * (x1 - x0), y0 + f * (y1 - y0)) - self.radius
        start_gap = float(gaps[0])
        if start_gap <= 0.0:
            # Touching already: moving away or along is fine, deeper is not.
            return 1.0 if float(gaps[-1]) >= start_gap - 1e-9 else 0.0
        bad = np.flatnonzero(gaps <= 0.0)
        if not len(bad):
            return 1.0
        last_ok = float(f[bad[0] - 1])
        return max(0.0, last_ok - _STANDOFF / length)
