"""A small global route planner: occupancy grid from the World, A*, line-of-sight pruning.

Why it exists: the controller's policy is purely reactive (sector minima and the goal bearing),
so a goal straight behind a wall or a partition is a local minimum it cannot leave. The route
planner turns one such leg into a few waypoints that are each in the open from the previous
one; the reactive layer still does all the driving and the obstacle avoidance.

The grid is computed once per world: each cell holds the exact distance from its centre to
the nearest obstacle surface (walls, boxes with yaw, cylinders; negative inside). A cell is
*free* when that clearance is at least `robot_radius + inflation`, *lethal* when it is below
`robot_radius` (the body cannot stand there). A query then:

1. checks the goal (inside the map, outside every obstacle, at least `robot_radius` clear) and
   the start (inside the map, outside every obstacle);
2. returns the goal alone when the straight line is clear (no search at all);
3. walks out of the inflation zone if the start or the goal lies in it (a robot standing 0.3 m
   from a wall is fine, it must just leave by the shortest way), runs 8-connected A* over free
   cells (no corner cutting) and
4. prunes the cell path to the few points that see each other on the inflated grid.

Clearance along a segment is read from the nearest cell centre, which may overstate it by up to
half a cell diagonal (0.07 m at 0.1 m); `inflation` has to cover that, so it must be at least
that large (checked).

Code: the settings (route_config), the exact clearance of the world's shapes
(obstacle_clearance), the grid (route_grid), the coarse graph (coarse_graph), the search
(grid_search), the pruning (route_pruning) and why there is no route (route_errors); this
module answers the queries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from robot_brain.core.navigation.grid_search import GridSearch
from robot_brain.core.navigation.route_config import RoutePlannerConfig
from robot_brain.core.navigation.route_errors import (
    GoalBlockedError,
    OutsideMapError,
    StartBlockedError,
    UnreachableError,
)
from robot_brain.core.navigation.route_grid import RouteGrid
from robot_brain.core.navigation.route_pruning import prune
from robot_brain.core.world import World


@dataclass(frozen=True)
class Route:
    start: tuple[float, float]
    #: Points to drive through after the start; the last one is the goal exactly.
    waypoints: tuple[tuple[float, float], ...]
    length: float      # m along the waypoints
    expanded: int      # A* cells expanded (0 when the straight line was clear)


class RouteSource(Protocol):
    """What a route's user (the planner's executive) needs of a route planner."""

    def plan(self, start: tuple[float, float], goal: tuple[float, float]) -> Route: ...


class RoutePlanner:
    """Grid computed once per world; `plan` answers queries (a few ms on a 10 m x 8 m world)."""

    def __init__(self, world: World, config: RoutePlannerConfig = RoutePlannerConfig()) -> None:
        self.world = world
        self.config = config
        self.grid = RouteGrid(world, config)
        self.search = GridSearch(self.grid)
        self.nx = self.grid.nx
        self.ny = self.grid.ny
        #: (ny, nx) clearance of each cell centre (m) and the cells free for the inflated body.
        self.clearance = self.grid.clearance
        self.free = self.grid.free

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        """(column, row) of the cell holding a point, clamped to the grid."""
        return self.grid.cell(x, y)

    def point_clearance(self, x: float, y: float) -> tuple[float, str]:
        """RouteGrid.point_clearance: exact clearance of a point and the nearest obstacle."""
        return self.grid.point_clearance(x, y)

    def segment_clear(self, a: tuple[float, float], b: tuple[float, float],
                      relax_a: float | None = None, relax_b: float | None = None) -> bool:
        """RouteGrid.segment_clear: every point of a-b keeps the inflated clearance."""
        return self.grid.segment_clear(a, b, relax_a, relax_b)

    def plan(self, start: tuple[float, float], goal: tuple[float, float]) -> Route:
        """Waypoints from start to goal; NoRouteError (a subclass naming why) when none."""
        cfg = self.config
        sx, sy = float(start[0]), float(start[1])
        gx, gy = float(goal[0]), float(goal[1])
        b = self.world.bounds
        for label, (x, y) in (("goal", (gx, gy)), ("start", (sx, sy))):
            if not (math.isfinite(x) and math.isfinite(y)):
                raise OutsideMapError(f"{label} ({x}, {y}) is not a finite point")
            if not b.contains(x, y):
                raise OutsideMapError(
                    f"{label} ({x:.2f}, {y:.2f}) is outside the map bounds x [{b.x_min}, "
                    f"{b.x_max}], y [{b.y_min}, {b.y_max}]")
        g_clear, g_name = self.point_clearance(gx, gy)
        if g_clear <= 0.0:
            raise GoalBlockedError(f"goal ({gx:.2f}, {gy:.2f}) is inside obstacle '{g_name}'")
        if g_clear < cfg.robot_radius:
            raise GoalBlockedError(
                f"goal ({gx:.2f}, {gy:.2f}) is {g_clear:.2f} m from obstacle '{g_name}', less "
                f"than the robot radius {cfg.robot_radius} m: the body cannot stand there")
        s_clear, s_name = self.point_clearance(sx, sy)
        if s_clear <= 0.0:
            raise StartBlockedError(
                f"start ({sx:.2f}, {sy:.2f}) is inside obstacle '{s_name}' (odometry and the "
                f"world disagree)")
        # An end inside the inflation zone has to be left from / arrived at: near it the route
        # may be as close to obstacles as the end is (less the cell-lookup error).
        relax_s = s_clear - cfg.lookup_error
        relax_g = g_clear - cfg.lookup_error
        if self.segment_clear((sx, sy), (gx, gy), relax_s, relax_g):
            length = math.hypot(gx - sx, gy - sy)
            return Route((sx, sy), ((gx, gy),), length, 0)

        # The robot stands where it stands: it may leave through any cell outside obstacles.
        s_path = self.search.escape((sx, sy), "start", min_clearance=0.0)
        g_path = self.search.escape((gx, gy), "goal", min_clearance=cfg.robot_radius)
        cells, expanded = self.search.astar(s_path[-1], g_path[-1])
        if cells is None:
            raise UnreachableError(
                f"no route from ({sx:.2f}, {sy:.2f}) to ({gx:.2f}, {gy:.2f}): no corridor "
                f"{2.0 * cfg.inflated_radius:.2f} m wide (robot radius {cfg.robot_radius} m + "
                f"inflation {cfg.inflation} m each side) joins them")
        flat = s_path[:-1] + cells + list(reversed(g_path[:-1]))
        # The exact start and goal stand in for the centres of their own cells (one cell from
        # the next path cell either way), so no waypoint lands a few cm short of the goal.
        points = [(sx, sy)] + [self.grid.centre(p) for p in flat[1:-1]] + [(gx, gy)]
        waypoints = prune(self.grid, points, relax_s, relax_g)
        ends = [(sx, sy)] + waypoints
        length = sum(math.dist(ends[k], ends[k + 1]) for k in range(len(waypoints)))
        return Route((sx, sy), tuple(waypoints), length, expanded)
