"""The search over the route grid's cells: 8-connected moves between free cells (no corner
cutting), weighted A* guided by the coarse graph, and the way out of the inflation zone for
a start or a goal that lies in it."""

from __future__ import annotations

import heapq
import math
from array import array

import numpy as np

from robot_brain.core.navigation.coarse_graph import COARSE_BLOCK_M, CoarseGraph
from robot_brain.core.navigation.route_config import SQRT2
from robot_brain.core.navigation.route_errors import UnreachableError
from robot_brain.core.navigation.route_grid import RouteGrid

#: The search's heuristic weight (weighted A*): a route at most this much longer than the
#: shortest on the grid, for far fewer cells expanded; pruning straightens what is left.
HEURISTIC_WEIGHT = 1.2


def _move_table(width: int) -> tuple[tuple[tuple[int, float], ...], ...]:
    """For each 8-bit neighbour mask, the (flat offset, cost in cells) of the allowed moves."""
    offsets = _neighbour_offsets(width)
    table = []
    for mask in range(256):
        table.append(tuple((off, cost) for k, (off, cost) in enumerate(offsets)
                           if mask & (1 << k)))
    return tuple(table)


def _neighbour_offsets(width: int) -> tuple[tuple[int, float], ...]:
    # E, W, N, S, NE, NW, SE, SW on a row-major grid of `width` columns (row = y).
    return ((1, 1.0), (-1, 1.0), (width, 1.0), (-width, 1.0),
            (width + 1, SQRT2), (width - 1, SQRT2), (-width + 1, SQRT2), (-width - 1, SQRT2))


class GridSearch:
    """The moves allowed from each cell and the coarse graph, built once per grid; `astar` and
    `escape` answer queries on the grid's padded cell numbers (RouteGrid.flat)."""

    def __init__(self, grid: RouteGrid) -> None:
        self.grid = grid
        w = grid.stride
        padded = np.zeros((grid.ny + 2, grid.nx + 2), dtype=bool)
        padded[1:-1, 1:-1] = grid.free
        mask = np.zeros(padded.shape, dtype=np.int64)
        offsets = _neighbour_offsets(w)
        flat = padded.reshape(-1)
        n = flat.size
        idx = np.arange(n)
        for k, (off, _) in enumerate(offsets):
            ok = np.zeros(n, dtype=bool)
            lo, hi = max(0, -off), min(n, n - off)
            ok[lo:hi] = flat[lo:hi] & flat[lo + off:hi + off]
            if k >= 4:
                # Diagonals only between two free orthogonal cells: no cutting a corner.
                dx = 1 if off in (w + 1, -w + 1) else -1
                dy = w if off > 0 else -w
                ok_x = np.zeros(n, dtype=bool)
                ok_y = np.zeros(n, dtype=bool)
                ok_x[max(0, -dx):min(n, n - dx)] = flat[max(0, dx):min(n, n + dx)]
                ok_y[max(0, -dy):min(n, n - dy)] = flat[max(0, dy):min(n, n + dy)]
                ok &= ok_x & ok_y
            mask.reshape(-1)[idx[ok]] |= 1 << k
        self._mask: list[int] = mask.reshape(-1).tolist()
        self._moves = _move_table(w)
        self._cells = n
        res = grid.config.resolution
        self.coarse = CoarseGraph(grid.free, max(2, round(COARSE_BLOCK_M / res)))
        # Each padded cell's piece (0 on the border and blocked cells), as 4-byte integers.
        pieces = np.zeros((grid.ny + 2, grid.nx + 2), dtype=np.int32)
        pieces[1:-1, 1:-1] = self.coarse.labels
        self._pieces = array("i", pieces.reshape(-1).tobytes())

    def escape(self, point: tuple[float, float], label: str, min_clearance: float) -> list[int]:
        """Cells from the point's cell to the nearest free cell (just the cell when it is free).

        Dijkstra over cells at least `min_clearance` clear, limited to a disc a little wider
        than the inflation: farther than that the point is not near an obstacle but hemmed in.
        """
        grid = self.grid
        cfg = grid.config
        i, j = grid.cell(*point)
        first = grid.flat(i, j)
        if grid.free[j, i]:
            return [first]
        limit = (cfg.inflated_radius + 2.0 * cfg.resolution) / cfg.resolution
        clear = grid.padded_clearance.reshape(-1)
        free = grid.free
        dist = {first: 0.0}
        parent: dict[int, int] = {}
        heap = [(0.0, first)]
        offsets = _neighbour_offsets(grid.stride)
        while heap:
            d, p = heapq.heappop(heap)
            if d > dist.get(p, math.inf):
                continue
            pj, pi = divmod(p, grid.stride)
            if 1 <= pi <= grid.nx and 1 <= pj <= grid.ny and free[pj - 1, pi - 1]:
                path = [p]
                while path[-1] != first:
                    path.append(parent[path[-1]])
                return list(reversed(path))
            for off, cost in offsets:
                q = p + off
                nd = d + cost
                if nd > limit or clear[q] < min_clearance or nd >= dist.get(q, math.inf):
                    continue
                dist[q] = nd
                parent[q] = p
                heapq.heappush(heap, (nd, q))
        raise UnreachableError(
            f"{label} ({point[0]:.2f}, {point[1]:.2f}) is hemmed in: no cell "
            f"{cfg.inflated_radius:.2f} m clear of obstacles within {limit * cfg.resolution:.2f} m")

    def astar(self, start: int, goal: int) -> tuple[list[int] | None, int]:
        """8-connected A* over free cells; the cell path and cells expanded.

        The heuristic is the larger of the octile distance and the coarse blocks' distance to
        the goal (less two blocks): on a floor of rooms the straight-line estimate floods every
        room that faces the goal, the coarse one leads round the walls to the doors. A goal
        whose block the start's cannot reach is refused without searching the fine grid."""
        if start == goal:
            return [start], 0
        w = self.grid.stride
        goal_j, goal_i = divmod(goal, w)
        pieces = self._pieces
        htab = self.coarse.heuristic(pieces[goal])
        if htab[pieces[start]] == math.inf:
            return None, 0
        mask = self._mask
        moves = self._moves
        # Costs in a dict: a query touches a few thousand cells, and a list of every cell
        # (a million on a large map) would cost more to make than the search.
        cost: dict[int, float] = {start: 0.0}
        parent: dict[int, int] = {}
        closed = bytearray(self._cells)
        # (f, h, cell): among equal f the cell nearer the goal first, which keeps the search
        # narrow on open floor; the cell index makes the order total, so queries are
        # deterministic.
        heap: list[tuple[float, float, int]] = [(0.0, 0.0, start)]
        expanded = 0
        diag = SQRT2 - 2.0
        inf = math.inf
        while heap:
            _, _, p = heapq.heappop(heap)
            if closed[p]:
                continue
            if p == goal:
                path = [p]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return list(reversed(path)), expanded
            closed[p] = 1
            expanded += 1
            base = cost[p]
            for off, step in moves[mask[p]]:
                q = p + off
                if closed[q]:
                    continue
                c = base + step
                if c < cost.get(q, inf):
                    hb = htab[pieces[q]]
                    if hb == inf:
                        continue
                    cost[q] = c
                    parent[q] = p
                    qj, qi = divmod(q, w)
                    dx = abs(qi - goal_i)
                    dy = abs(qj - goal_j)
                    h = dx + dy + diag * (dx if dx < dy else dy)
                    if hb > h:
                        h = hb
                    heapq.heappush(heap, (c + HEURISTIC_WEIGHT * h, h, q))
        return None, expanded
