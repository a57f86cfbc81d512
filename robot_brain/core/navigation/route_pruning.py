"""Line-of-sight pruning: the searched cell path cut down to the few points that see each other
on the inflated grid, within a budget of clearance lookups on long paths."""

from __future__ import annotations

import math

import numpy as np

from robot_brain.core.navigation.route_grid import RouteGrid

#: Pruning checks every path point ahead at once while that costs at most this many clearance
#: lookups (points x samples along the longest segment); beyond, it gallops (see prune).
PRUNE_BUDGET = 100_000


def prune(grid: RouteGrid, points: list[tuple[float, float]], relax_start: float,
          relax_goal: float) -> list[tuple[float, float]]:
    """Greedy line-of-sight pruning: from each kept point, the farthest one in sight next.

    While it costs at most PRUNE_BUDGET clearance lookups, every point ahead is checked at
    once. On a longer path (a large map, a fine grid) the points 1, 2, 4, 8, ... ahead and
    the goal are checked, and the gap after the farthest one in sight is narrowed down: a
    few segment checks per waypoint instead of one per path cell, each as long as the map
    is wide (and each numpy call small, so the interpreter lock is held briefly)."""
    last = len(points) - 1
    arr = np.array(points, dtype=np.float64)
    kept: list[tuple[float, float]] = []
    anchor = 0
    while anchor < last:
        relax_a = relax_start if anchor == 0 else None
        ahead = last - anchor
        if ahead * _samples(grid, arr, anchor, last) <= PRUNE_BUDGET:
            idx = np.arange(anchor + 1, last + 1)
            galloped = False
        else:
            offsets = 1 << np.arange(ahead.bit_length())
            idx = np.unique(np.append(anchor + offsets[offsets <= ahead], last))
            galloped = True
        ok = _visible(grid, anchor, idx, arr, relax_a, relax_goal, last)
        # Neighbours on the path see each other by construction (adjacent cells).
        ok[0] = True
        best = int(np.flatnonzero(ok)[-1])
        nxt = int(idx[best])
        if galloped and best < len(idx) - 1:
            lo, hi = nxt, int(idx[best + 1])
            while hi - lo > 1:
                if (hi - lo) * _samples(grid, arr, anchor, hi) <= PRUNE_BUDGET:
                    cand = np.arange(lo + 1, hi)
                    seen = np.flatnonzero(_visible(grid, anchor, cand, arr, relax_a,
                                                   relax_goal, last))
                    lo = int(cand[seen[-1]]) if len(seen) else lo
                    break
                mid = (lo + hi) // 2
                if _visible(grid, anchor, np.array([mid]), arr, relax_a, relax_goal,
                            last)[0]:
                    lo = mid
                else:
                    hi = mid
            nxt = lo
        kept.append(points[nxt])
        anchor = nxt
    return kept


def _samples(grid: RouteGrid, arr: np.ndarray, anchor: int, upto: int) -> int:
    """Samples RouteGrid.clear_from takes along the longest segment from `anchor` to a point up to
    `upto` (bounded by the straight distance to the farthest of them)."""
    d = np.hypot(arr[anchor + 1:upto + 1, 0] - arr[anchor, 0],
                 arr[anchor + 1:upto + 1, 1] - arr[anchor, 1])
    return int(math.ceil(float(d.max(initial=0.0)) / (0.25 * grid.config.resolution))) + 1


def _visible(grid: RouteGrid, anchor: int, idx: np.ndarray, arr: np.ndarray,
             relax_a: float | None, relax_goal: float, last: int) -> np.ndarray:
    """Whether the path point `anchor` sees each point idx (ascending) of the path `arr`."""
    relax_b = relax_goal if int(idx[-1]) == last else None
    return grid.clear_from((float(arr[anchor, 0]), float(arr[anchor, 1])), arr[idx],
                           relax_a, relax_b)
