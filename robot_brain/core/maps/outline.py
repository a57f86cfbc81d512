"""A map's obstacles as a bounded number of rectangles, for drawing (the live view's scene).

Runs of obstacle cells along each row become one rectangle each; when there would be more
than `max_boxes`, the grid is first coarsened (a coarse cell is an obstacle when any of its
cells is), so a warehouse map is drawn a little fatter rather than not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from robot_brain.core.maps.occupancy import OccupancyGrid


@dataclass(frozen=True)
class MapBox:
    """A rectangle in the map frame: centre, size (along the grid's axes) and yaw."""

    cx: float
    cy: float
    sx: float
    sy: float
    yaw: float


def obstacle_boxes(grid: OccupancyGrid, max_boxes: int = 20_000) -> list[MapBox]:
    factor = 1
    while True:
        blocked = _coarsen(grid.blocked, factor)
        padded = np.zeros((blocked.shape[0], blocked.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = blocked
        edges = np.diff(padded, axis=1)
        rows_s, starts = np.nonzero(edges == 1)
        _, ends = np.nonzero(edges == -1)
        if len(starts) <= max_boxes or factor >= max(grid.width, grid.height):
            break
        factor *= 2
    f = float(factor)
    u = (starts + ends) / 2.0 * f
    v = (rows_s + 0.5) * f
    xs, ys = grid.to_world(u, v)
    return [MapBox(float(x), float(y), float((e - s) * f * grid.resolution),
                   f * grid.resolution, grid.origin.yaw)
            for x, y, s, e in zip(xs, ys, starts, ends, strict=True)]


def _coarsen(blocked: np.ndarray, factor: int) -> np.ndarray:
    if factor == 1:
        return blocked
    h, w = blocked.shape
    ph, pw = -(-h // factor) * factor, -(-w // factor) * factor
    padded = np.zeros((ph, pw), dtype=bool)
    padded[:h, :w] = blocked
    return np.asarray(padded.reshape(ph // factor, factor, pw // factor, factor)
                      .any(axis=(1, 3)), dtype=bool)
