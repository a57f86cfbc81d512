"""A world file's shapes drawn into an occupancy grid, as a map of the same rooms would be.

Used to make a map of the apartment (scripts/make_map_from_world.py) and to check that a map
world routes as its shapes do (test_maps_world.py). A cell is occupied when its centre lies
inside a wall, box or cylinder, else free; the image covers the world's bounds, whose
outside a map world treats as unknown.
"""

from __future__ import annotations

import math

import numpy as np

from robot_brain.core.maps.metadata import MapOrigin
from robot_brain.core.maps.occupancy import FREE, OCCUPIED, OccupancyGrid
from robot_brain.core.navigation.obstacle_clearance import clearance, obstacles
from robot_brain.core.world import World

_CHUNK = 500_000


def rasterize(world: World, resolution: float) -> OccupancyGrid:
    """The world's obstacles at `resolution` (m per cell) over its bounds."""
    if not (math.isfinite(resolution) and resolution > 0.0):
        raise ValueError(f"resolution must be > 0, got {resolution}")
    b = world.bounds
    nx = max(1, math.ceil((b.x_max - b.x_min) / resolution - 1e-9))
    ny = max(1, math.ceil((b.y_max - b.y_min) / resolution - 1e-9))
    xs = b.x_min + (np.arange(nx) + 0.5) * resolution
    ys = b.y_min + (np.arange(ny) + 0.5) * resolution
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.reshape(-1), gy.reshape(-1)])
    obs = obstacles(world)
    inside = np.concatenate([clearance(obs, pts[i:i + _CHUNK])[0] < 0.0
                             for i in range(0, len(pts), _CHUNK)])
    data = np.where(inside, OCCUPIED, FREE).astype(np.int8).reshape(ny, nx)
    return OccupancyGrid(data, resolution, MapOrigin(b.x_min, b.y_min, 0.0),
                         f"{world.name} at {resolution:g} m")
