"""A voxel table of the self-filter's shapes: most body points decided by one lookup.

A head lidar's message holds hundreds of points on the robot's own shoulders and arms. Testing
each against every shape is ~10 array operations per shape; on the 2-core machines this
project runs on, the self-filter was about half of the cost of a 4 000-point message, and
that cost is paid after every wake-up, with cold caches (bench/wake_cost_bench.py).

The table cuts the shapes' bounding box into cubic cells and says, once at start, what each
cell is:

* INSIDE: the whole cell (grown by EPSILON_M) lies inside one shape. Shapes are convex (a
  box, a capsule), so this holds when the grown cell's 8 corners do;
* OUTSIDE: the cell's centre is farther than half the cell's diagonal (plus EPSILON_M) from
  every shape, so no point of the cell is inside any;
* BOUNDARY: anything else (a surface crosses it, or it lies where two shapes meet).

A point in an INSIDE or OUTSIDE cell is decided by the lookup; only points in BOUNDARY cells
are tested against the shapes. The answer is the exact test's, whatever the cell size (the
cell size only moves work between the lookup and the exact test): EPSILON_M keeps every
decided cell far beyond the float32 rounding of a point's coordinates and of its cell index.
"""

from __future__ import annotations

import math
from typing import Protocol, Sequence

import numpy as np

OUTSIDE = np.uint8(0)
INSIDE = np.uint8(1)
BOUNDARY = np.uint8(2)

#: Cell edge (m): a humanoid's shapes in ~50 000 cells, a few body points per BOUNDARY cell.
DEFAULT_CELL_M = 0.02
#: At most this many cells (bytes): larger shapes get larger cells, never a larger table.
MAX_CELLS = 2_000_000
#: Margin (m) of every decided cell against the shapes' surfaces (float32 rounding is ~1e-7 m
#: at the ranges of a robot's body).
EPSILON_M = 1e-4


class Shape(Protocol):
    """What the table needs of a body shape (robot_brain.core.perception.cloud.body)."""

    def contains(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray: ...

    def distance(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray: ...


class BodyGrid:
    """The cells' states over [lower, upper] and the lookup of points (base_link, metres)."""

    def __init__(self, shapes: Sequence[Shape], lower: np.ndarray, upper: np.ndarray,
                 cell_m: float = DEFAULT_CELL_M) -> None:
        lower = np.asarray(lower, dtype=np.float64)
        span = np.maximum(np.asarray(upper, dtype=np.float64) - lower, cell_m)
        cell = max(cell_m, (float(np.prod(span)) / MAX_CELLS) ** (1.0 / 3.0))
        counts = np.ceil(span / cell).astype(np.int64)
        while int(np.prod(counts)) > MAX_CELLS:  # ceil() may add a layer per axis
            cell *= 1.05
            counts = np.ceil(span / cell).astype(np.int64)
        self.cell_m = cell
        self.lower = lower
        self.counts = (int(counts[0]), int(counts[1]), int(counts[2]))
        self.states = _classify(shapes, lower, cell, self.counts)
        self._flat = self.states.reshape(-1)
        self._lo = lower.astype(np.float32)
        self._inv = np.float32(1.0 / cell)
        self._last = tuple(np.intp(c - 1) for c in self.counts)
        self._strides = (np.intp(self.counts[1] * self.counts[2]), np.intp(self.counts[2]))

    def lookup(self, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The state of the cell of each point (uint8). The points must lie within
        [lower, upper] (the caller's bounding-box test); those on the upper faces count in
        the last cell."""
        index = self._cell(x, 0) * self._strides[0]
        index += self._cell(y, 1) * self._strides[1]
        index += self._cell(z, 2)
        return self._flat[index]

    def _cell(self, v: np.ndarray, axis: int) -> np.ndarray:
        """The cell index of coordinates `v` along `axis` (intp)."""
        # Never below 0: the points are >= lower (a rounding of -1e-7 truncates to 0).
        i = ((v - self._lo[axis]) * self._inv).astype(np.intp)
        np.minimum(i, self._last[axis], out=i)
        return i

    def share(self, state: np.uint8) -> float:
        """The fraction of cells in `state` (for the docs and tests)."""
        return float(np.count_nonzero(self.states == state)) / self.states.size


def _classify(shapes: Sequence[Shape], lower: np.ndarray, cell: float,
              counts: tuple[int, int, int]) -> np.ndarray:
    axes = [lower[a] + cell * (np.arange(counts[a]) + 0.5) for a in range(3)]
    cx, cy, cz = (g.reshape(-1) for g in np.meshgrid(*axes, indexing="ij"))
    half = cell / 2.0 + EPSILON_M
    states = np.full(cx.size, BOUNDARY, dtype=np.uint8)
    # OUTSIDE: no shape within half a diagonal (plus the margin) of the centre.
    reach = math.sqrt(3.0) * half
    near_any = np.zeros(cx.size, dtype=bool)
    for shape in shapes:
        near_any |= shape.distance(cx, cy, cz) <= reach
    states[~near_any] = OUTSIDE
    # INSIDE: the grown cell's 8 corners inside one (convex) shape.
    for shape in shapes:
        whole = near_any.copy()
        for sx in (-half, half):
            for sy in (-half, half):
                for sz in (-half, half):
                    whole &= shape.contains(cx + sx, cy + sy, cz + sz)
        states[whole] = INSIDE
    return states.reshape(counts)
