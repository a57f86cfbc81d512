"""The body circle against the world: swept contact so the body stops at a surface.

The body is a circle of radius r. Its centre must stay out of the obstacles grown by r (the
Minkowski sum): each segment becomes two parallel lines offset by +-r plus two end discs of
radius r, each circle grows by r. The centre's path is then a single ray cast against those,
which is exact for a straight move of any length, so a large step cannot tunnel through.
"""

from __future__ import annotations

import math

import numpy as np

from robot_brain.core.sim.raycast import ray_circles, ray_segments
from robot_brain.core.world import point_segment_distance

#: Contacts this far behind the start still count when the body moves towards the surface,
#: so a body resting on it (numerically a hair inside) cannot slip through on its next push.
_BEHIND_TOL = 1e-6
#: The body stops this far before the contact point, keeping it strictly outside.
_STANDOFF = 1e-7


class CollisionModel:
    def __init__(self, segments: np.ndarray, circles: np.ndarray, radius: float) -> None:
        if not (math.isfinite(radius) and radius > 0.0):
            raise ValueError(f"body radius must be > 0, got {radius}")
        self.radius = radius
        self._segments = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
        self._circles = np.asarray(circles, dtype=np.float64).reshape(-1, 3)
        a, b = self._segments[:, 0:2], self._segments[:, 2:4]
        e = b - a
        length = np.hypot(e[:, 0], e[:, 1])
        keep = length > 0.0
        n = np.zeros_like(e)
        n[keep] = np.stack([-e[keep, 1], e[keep, 0]], axis=1) / length[keep, None]
        off = n[keep] * radius
        self._grown_segments = np.vstack([
            np.hstack([a[keep] + off, b[keep] + off]),
            np.hstack([a[keep] - off, b[keep] - off]),
        ])
        # Each grown line's normal pointing away from the edge it was grown from: only lines
        # the body approaches (direction . normal < 0) can stop it.
        self._grown_normals = np.vstack([n[keep], -n[keep]])
        ends = np.vstack([a, b])
        self._grown_circles = np.vstack([
            np.hstack([ends, np.full((len(ends), 1), radius)]),
            np.hstack([self._circles[:, 0:2], self._circles[:, 2:3] + radius]),
        ])

    def clearance(self, x: float, y: float) -> float:
        """Distance from the body's surface to the nearest obstacle (negative = overlap)."""
        p = np.array([x, y])
        best = math.inf
        if len(self._segments):
            best = float(np.min(point_segment_distance(p, self._segments)))
        if len(self._circles):
            d = np.hypot(self._circles[:, 0] - x, self._circles[:, 1] - y) - self._circles[:, 2]
            best = min(best, float(np.min(d)))
        return best - self.radius

    def sweep(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Fraction in [0, 1] of the straight move (x0, y0) -> (x1, y1) done before contact."""
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        if length == 0.0:
            return 1.0
        origin = np.array([x0, y0])
        d = np.array([[dx / length, dy / length]])
        approaching = self._grown_normals @ d[0] < 0.0
        t_seg = float(ray_segments(origin, d, self._grown_segments[approaching],
                                   t_min=-_BEHIND_TOL)[0])
        t_circ = float(ray_circles(origin, d, self._grown_circles, from_inside="contact")[0])
        t = min(t_seg, t_circ)
        if t >= length:
            return 1.0
        return max(0.0, t - _STANDOFF) / length
