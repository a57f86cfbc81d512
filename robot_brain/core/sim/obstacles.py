"""What the simulated robot senses and bumps into, behind one small Protocol.

The lidar casts rays and the body sweeps its circle against `SimObstacles`; a world file's
walls, boxes and cylinders are `ShapeObstacles` (exact segment and circle geometry), a map
world's occupied and unknown cells are `GridObstacles` (robot_brain.core.sim.grid_obstacles).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from robot_brain.core.sim.collision import CollisionModel
from robot_brain.core.sim.raycast import ray_circles, ray_segments
from robot_brain.core.world import World


class SimObstacles(Protocol):
    #: A contact ends once the body is this far from every surface again (m): more than how
    #: much the clearance may waver as the body moves, so one bump counts once.
    contact_release_m: float

    def ray_ranges(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        """Distance along each unit ray dirs (B, 2) from origin (2,) to the first obstacle
        surface, +inf for none (a sensor inside an obstacle sees its far side or 0)."""
        ...

    def clearance(self, x: float, y: float) -> float:
        """Gap between the body's surface and the nearest obstacle (negative = overlap)."""
        ...

    def sweep(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Fraction in [0, 1] of the straight move of the body's centre done before contact."""
        ...


class ShapeObstacles:
    """A world file's obstacles: rays against the segments and circles the lidar's plane
    crosses, the grown body against those over its height (`solid_*`; default the same)."""

    contact_release_m = 0.01

    def __init__(self, segments: np.ndarray, circles: np.ndarray, radius: float,
                 solid_segments: np.ndarray | None = None,
                 solid_circles: np.ndarray | None = None) -> None:
        self._segments = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
        self._circles = np.asarray(circles, dtype=np.float64).reshape(-1, 3)
        self._body = CollisionModel(
            self._segments if solid_segments is None else solid_segments,
            self._circles if solid_circles is None else solid_circles, radius)

    def ray_ranges(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.minimum(ray_segments(origin, dirs, self._segments),
                                     ray_circles(origin, dirs, self._circles, from_inside="exit"))
        return out

    def clearance(self, x: float, y: float) -> float:
        return self._body.clearance(x, y)

    def sweep(self, x0: float, y0: float, x1: float, y1: float) -> float:
        return self._body.sweep(x0, y0, x1, y1)


def obstacles_for(world: World, radius: float, laser_height: float,
                  body_height: float) -> SimObstacles:
    """The world's obstacles for a body of `radius` and `body_height` with a lidar at
    `laser_height`: its grid when it is a map (a map has no heights: every cell is as tall as
    the robot), else its shapes at those heights."""
    if world.grid is not None:
        from robot_brain.core.sim.grid_obstacles import GridObstacles

        return GridObstacles(world.grid, radius)
    seen = world.between_heights(laser_height, laser_height)
    solid = world.between_heights(0.0, body_height)
    return ShapeObstacles(seen.segments(), seen.circles(), radius, solid.segments(),
                          solid.circles())
