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
"""

from __future__ import annotations

import heapq
import math
from array import array
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.world import Box, Wall, World

SQRT2 = math.sqrt(2.0)
#: How fast (m of clearance per m travelled) the relaxed requirement near an end in the
#: inflation zone rises back to the full one: leaving a wall at 30 degrees or steeper passes.
RELAX_SLOPE = 0.5
#: Cells per chunk when the clearance grid is computed (bounds the temporary arrays to a few
#: tens of MB whatever the world's size).
_CHUNK_ELEMENTS = 2_000_000
#: Pruning checks every path point ahead at once while that costs at most this many clearance
#: lookups (points x samples along the longest segment); beyond, it gallops (see _prune).
PRUNE_BUDGET = 100_000
#: The search's heuristic weight (weighted A*): a route at most this much longer than the
#: shortest on the grid, for far fewer cells expanded; pruning straightens what is left.
HEURISTIC_WEIGHT = 1.2
#: Side (m) of the coarse blocks whose distances to the goal guide the search (see _Coarse).
COARSE_BLOCK_M = 0.4
#: Name given to the obstacle nearest a point of a map world (its cells have no names).
MAP_OBSTACLE = "map obstacle"


class RoutePlannerConfigError(ConfigurationError):
    """Route planner settings that cannot describe a grid."""


class NoRouteError(ValueError):
    """No route from the start to the goal; the message says why."""


class OutsideMapError(NoRouteError):
    """The start or the goal lies outside the map bounds."""


class GoalBlockedError(NoRouteError):
    """The goal is inside an obstacle or closer to one than the robot's radius."""


class StartBlockedError(NoRouteError):
    """The start is inside an obstacle (odometry disagrees with the world)."""


class UnreachableError(NoRouteError):
    """Start and goal are both usable, but no corridor wide enough for the body joins them."""


@dataclass(frozen=True)
class RoutePlannerConfig:
    resolution: float = param(0.1, "Cell size of the route planner's occupancy grid; query "
                              "time grows with the cell count (10 m x 8 m: ~1 ms median at "
                              "0.1 m, ~20 ms worst at 0.05 m).", unit="m", min=0.05, max=0.5)
    # Kept free beyond the body along the route. 0.25 measured best on the apartment
    # (scripts/eval_place_legs.py): at 0.2 the route hugs the partition's end so closely that
    # the safety filter's conservative sectors stop the ONNX policy there; at 0.35 the 1.15 m
    # gap between the partition and the plant closes and kitchen routes detour 5 m.
    inflation: float = param(0.25, "Clearance a route keeps beyond robot_radius; at least half "
                             "a cell diagonal (0.071 m at 0.1 m cells).", unit="m", min=0.0,
                             max=2.0)
    #: The body circle (robot_radius) a route must fit.
    robot: RobotLimits = group(RobotLimits, shared=True)

    @property
    def robot_radius(self) -> float:
        return self.robot.robot_radius

    def __post_init__(self) -> None:
        for name in ("resolution", "robot_radius"):  # robot_radius: the property above
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0.0):
                raise RoutePlannerConfigError(f"route planner {name} must be > 0, got {v}")
        if not (math.isfinite(self.inflation) and self.inflation >= self.lookup_error):
            raise RoutePlannerConfigError(
                f"route planner inflation ({self.inflation} m) must be at least half a cell "
                f"diagonal ({self.lookup_error:.3f} m at resolution {self.resolution} m): "
                f"clearance is read at cell centres and may be overstated by that much")

    @property
    def inflated_radius(self) -> float:
        return self.robot_radius + self.inflation

    @property
    def lookup_error(self) -> float:
        """Most a nearest-cell lookup can overstate the clearance of a point."""
        return self.resolution * SQRT2 / 2.0


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


@dataclass(frozen=True)
class _Obstacles:
    """Arrays of the world's primitives for vectorised clearance."""

    segments: np.ndarray       # (M, 4) x0 y0 x1 y1
    circles: np.ndarray        # (K, 3) cx cy r
    box_centres: np.ndarray    # (B, 2)
    box_cos_sin: np.ndarray    # (B, 2)
    box_half: np.ndarray       # (B, 2) half sizes
    names: tuple[str, ...]     # boxes (walls included) then cylinders


def _wall_box(wall: Wall) -> Box:
    # The same thick rectangle the world's segments() and inside_obstacle() use for a wall
    # (robot_brain.core.world keeps its helper private).
    (x0, y0), (x1, y1) = wall.start, wall.end
    return Box(wall.name, ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
               (math.hypot(x1 - x0, y1 - y0) + wall.thickness, wall.thickness),
               math.atan2(y1 - y0, x1 - x0))


def _obstacles(world: World) -> _Obstacles:
    boxes = world.boxes + tuple(_wall_box(w) for w in world.walls)
    # Four edges per rectangle, in the order of `names`, so an edge index // 4 names its box.
    edges = [np.hstack([c, np.roll(c, -1, axis=0)]) for c in (b.corners() for b in boxes)]
    return _Obstacles(
        segments=np.vstack(edges) if edges else np.zeros((0, 4)),
        circles=world.circles().reshape(-1, 3),
        box_centres=np.array([b.center for b in boxes], dtype=np.float64).reshape(-1, 2),
        box_cos_sin=np.array([[math.cos(b.yaw), math.sin(b.yaw)] for b in boxes],
                             dtype=np.float64).reshape(-1, 2),
        box_half=np.array([[b.size[0] / 2.0, b.size[1] / 2.0] for b in boxes],
                          dtype=np.float64).reshape(-1, 2),
        names=tuple(b.name for b in boxes) + tuple(c.name for c in world.cylinders),
    )


def _clearance(obs: _Obstacles, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact clearance of points (P, 2) and the index (into obs.names) of the nearest obstacle.

    Inside a box the clearance is minus the distance to its nearest edge, inside a circle minus
    the depth, so 'negative' always means 'inside'.
    """
    n = len(pts)
    best = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    n_boxes = len(obs.box_centres)
    if len(obs.segments):
        a = obs.segments[:, 0:2]
        ab = obs.segments[:, 2:4] - a
        denom = np.einsum("ij,ij->i", ab, ab)
        safe = np.where(denom > 0.0, denom, 1.0)
        ap_x = pts[:, 0:1] - a[None, :, 0]
        ap_y = pts[:, 1:2] - a[None, :, 1]
        t = np.clip((ap_x * ab[None, :, 0] + ap_y * ab[None, :, 1]) / safe[None, :], 0.0, 1.0)
        t = np.where(denom[None, :] > 0.0, t, 0.0)
        d = np.hypot(ap_x - t * ab[None, :, 0], ap_y - t * ab[None, :, 1])
        seg = np.argmin(d, axis=1)
        best = d[np.arange(n), seg]
        which = seg // 4
    if n_boxes:
        dx = pts[:, 0:1] - obs.box_centres[None, :, 0]
        dy = pts[:, 1:2] - obs.box_centres[None, :, 1]
        c, s = obs.box_cos_sin[None, :, 0], obs.box_cos_sin[None, :, 1]
        inside = ((np.abs(c * dx + s * dy) <= obs.box_half[None, :, 0])
                  & (np.abs(-s * dx + c * dy) <= obs.box_half[None, :, 1]))
        in_any = inside.any(axis=1)
        best = np.where(in_any, -best, best)
        which = np.where(in_any, np.argmax(inside, axis=1), which)
    if len(obs.circles):
        dc = (np.hypot(pts[:, 0:1] - obs.circles[None, :, 0], pts[:, 1:2] - obs.circles[None, :, 1])
              - obs.circles[None, :, 2])
        k = np.argmin(dc, axis=1)
        dk = dc[np.arange(n), k]
        # A point inside a box keeps its negative box clearance unless deeper in a circle.
        closer = dk < best
        best = np.where(closer, dk, best)
        which = np.where(closer, n_boxes + k, which)
    return best, which


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


class _Coarse:
    """The free cells cut into k x k blocks, and each block's free cells into their connected
    pieces: one node per piece, an edge between two pieces whose cells touch (8-connected).
    Every fine path is a path of this graph, so its distances guide the search round walls to
    the doors (they stay within a few blocks of the truth) and a goal it cannot reach is out of
    reach. Built once; per query one Dijkstra from the goal's piece (scipy, compiled: ~10 ms
    on a 100 m x 100 m floor at 0.4 m blocks)."""

    def __init__(self, free: np.ndarray, k: int) -> None:
        from scipy.ndimage import label
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        self._dijkstra = dijkstra   # imported here: the first query must not pay for it

        ny, nx = free.shape
        self.k = k
        nbx, nby = -(-nx // k), -(-ny // k)
        # Blocks laid out with an empty row and column between them, so a piece never spans
        # two blocks; labelled 8-connected (diagonal contacts count: optimistic is safe here).
        spread = np.zeros((nby, k + 1, nbx, k + 1), dtype=bool)
        padded = np.zeros((nby * k, nbx * k), dtype=bool)
        padded[:ny, :nx] = free
        spread[:, :k, :, :k] = padded.reshape(nby, k, nbx, k)
        labels, n = label(spread.reshape(nby * (k + 1), nbx * (k + 1)),
                          structure=np.ones((3, 3), dtype=bool))
        lab = labels.reshape(nby, k + 1, nbx, k + 1)[:, :k, :, :k] \
            .reshape(nby * k, nbx * k)[:ny, :nx]
        #: (ny, nx) piece of each cell, 0 for a blocked cell; n pieces numbered 1..n.
        self.labels = lab
        self.count = int(n)
        jj, ii = np.nonzero(lab)
        which = lab[jj, ii]
        size = np.bincount(which, minlength=n + 1).astype(np.float64)
        size[0] = 1.0
        cx = np.bincount(which, weights=ii, minlength=n + 1) / size
        cy = np.bincount(which, weights=jj, minlength=n + 1) / size
        pairs: list[np.ndarray] = []
        for a, b in ((lab[:, :-1], lab[:, 1:]), (lab[:-1, :], lab[1:, :]),
                     (lab[:-1, :-1], lab[1:, 1:]), (lab[:-1, 1:], lab[1:, :-1])):
            touch = (a > 0) & (b > 0) & (a != b)
            pairs.append(np.stack([a[touch], b[touch]], axis=1))
        edges = np.unique(np.vstack(pairs), axis=0) if pairs else np.zeros((0, 2), np.int64)
        src = np.concatenate([edges[:, 0], edges[:, 1]])
        dst = np.concatenate([edges[:, 1], edges[:, 0]])
        # Costs in cells, centroid to centroid (at least a little, so no edge is free).
        w = np.maximum(np.hypot(cx[src] - cx[dst], cy[src] - cy[dst]), 0.5)
        self.graph = csr_matrix((w, (src, dst)), shape=(n + 1, n + 1))
        # Centroid paths can be longer than a cell's own: a fine path may start and end up to a
        # block diagonal from its pieces' centroids.
        self.slack = 2.0 * SQRT2 * k

    def heuristic(self, piece: int) -> list[float]:
        """Per piece, its graph distance to `piece` less the slack, in cells (inf where it
        cannot reach it; index 0, blocked cells, inf)."""
        d = self._dijkstra(self.graph, directed=True, indices=piece)
        out: list[float] = np.maximum(d - self.slack, 0.0).tolist()
        out[0] = math.inf
        return out


class RoutePlanner:
    """Grid computed once per world; `plan` answers queries (a few ms on a 10 m x 8 m world)."""

    def __init__(self, world: World, config: RoutePlannerConfig = RoutePlannerConfig()) -> None:
        self.world = world
        self.config = config
        b = world.bounds
        res = config.resolution
        self.nx = max(1, math.ceil((b.x_max - b.x_min) / res - 1e-9))
        self.ny = max(1, math.ceil((b.y_max - b.y_min) / res - 1e-9))
        self._obs = _obstacles(world)
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
            parts = [_clearance(self._obs, pts[i:i + per_chunk])[0]
                     for i in range(0, len(pts), per_chunk)]
        #: (ny, nx) clearance of each cell centre (m); row j is y, column i is x.
        self.clearance = np.concatenate(parts).reshape(self.ny, self.nx)
        self.free = self.clearance >= config.inflated_radius
        # A one-cell blocked border lets the search step to any neighbour without bounds checks.
        self._w = self.nx + 2
        padded = np.zeros((self.ny + 2, self.nx + 2), dtype=bool)
        padded[1:-1, 1:-1] = self.free
        self._padded_clearance = np.full((self.ny + 2, self.nx + 2), -math.inf)
        self._padded_clearance[1:-1, 1:-1] = self.clearance
        mask = np.zeros(padded.shape, dtype=np.int64)
        offsets = _neighbour_offsets(self._w)
        flat = padded.reshape(-1)
        n = flat.size
        idx = np.arange(n)
        for k, (off, _) in enumerate(offsets):
            ok = np.zeros(n, dtype=bool)
            lo, hi = max(0, -off), min(n, n - off)
            ok[lo:hi] = flat[lo:hi] & flat[lo + off:hi + off]
            if k >= 4:
                # Diagonals only between two free orthogonal cells: no cutting a corner.
                dx = 1 if off in (self._w + 1, -self._w + 1) else -1
                dy = self._w if off > 0 else -self._w
                ok_x = np.zeros(n, dtype=bool)
                ok_y = np.zeros(n, dtype=bool)
                ok_x[max(0, -dx):min(n, n - dx)] = flat[max(0, dx):min(n, n + dx)]
                ok_y[max(0, -dy):min(n, n - dy)] = flat[max(0, dy):min(n, n + dy)]
                ok &= ok_x & ok_y
            mask.reshape(-1)[idx[ok]] |= 1 << k
        self._mask: list[int] = mask.reshape(-1).tolist()
        self._moves = _move_table(self._w)
        self._cells = n
        self._coarse = _Coarse(self.free, max(2, round(COARSE_BLOCK_M / res)))
        # Each padded cell's piece (0 on the border and blocked cells), as 4-byte integers.
        pieces = np.zeros((self.ny + 2, self.nx + 2), dtype=np.int32)
        pieces[1:-1, 1:-1] = self._coarse.labels
        self._pieces = array("i", pieces.reshape(-1).tobytes())

    # -- geometry helpers ------------------------------------------------------------------

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        """(column, row) of the cell holding a point, clamped to the grid."""
        b = self.world.bounds
        res = self.config.resolution
        i = min(self.nx - 1, max(0, int(math.floor((x - b.x_min) / res))))
        j = min(self.ny - 1, max(0, int(math.floor((y - b.y_min) / res))))
        return i, j

    def _flat(self, i: int, j: int) -> int:
        return (j + 1) * self._w + (i + 1)

    def _centre(self, p: int) -> tuple[float, float]:
        b = self.world.bounds
        res = self.config.resolution
        j, i = divmod(p, self._w)
        # Rounded to a micrometre: the same route reads the same in logs and comparisons.
        return (round(b.x_min + (i - 0.5) * res, 6), round(b.y_min + (j - 0.5) * res, 6))

    def point_clearance(self, x: float, y: float) -> tuple[float, str]:
        """Exact clearance of a point (m, negative inside) and the nearest obstacle's name (on a
        map: a lower bound, and MAP_OBSTACLE)."""
        if self.world.grid is not None:
            return float(self.world.grid.clearance_at(x, y)), MAP_OBSTACLE
        d, k = _clearance(self._obs, np.array([[x, y]], dtype=np.float64))
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
        return bool(self._clear_from(a, ends, relax_a, relax_b, last_only=False)[0])

    def _clear_from(self, a: tuple[float, float], ends: np.ndarray, relax_a: float | None,
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
        clear = self._padded_clearance[j, i]
        need = np.full(clear.shape, self.config.inflated_radius)
        if relax_a is not None:
            need = np.minimum(need, relax_a + RELAX_SLOPE * t * length[:, None])
        if relax_b is not None:
            rows = slice(-1, None) if last_only else slice(None)
            need[rows] = np.minimum(need[rows], relax_b + RELAX_SLOPE * (1.0 - t)
                                    * length[rows, None])
        ok: np.ndarray = np.all(clear >= need, axis=1)
        return ok

    # -- the query -------------------------------------------------------------------------

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
        s_path = self._escape((sx, sy), "start", min_clearance=0.0)
        g_path = self._escape((gx, gy), "goal", min_clearance=cfg.robot_radius)
        cells, expanded = self._astar(s_path[-1], g_path[-1])
        if cells is None:
            raise UnreachableError(
                f"no route from ({sx:.2f}, {sy:.2f}) to ({gx:.2f}, {gy:.2f}): no corridor "
                f"{2.0 * cfg.inflated_radius:.2f} m wide (robot radius {cfg.robot_radius} m + "
                f"inflation {cfg.inflation} m each side) joins them")
        flat = s_path[:-1] + cells + list(reversed(g_path[:-1]))
        # The exact start and goal stand in for the centres of their own cells (one cell from
        # the next path cell either way), so no waypoint lands a few cm short of the goal.
        points = [(sx, sy)] + [self._centre(p) for p in flat[1:-1]] + [(gx, gy)]
        waypoints = self._prune(points, relax_s, relax_g)
        ends = [(sx, sy)] + waypoints
        length = sum(math.dist(ends[k], ends[k + 1]) for k in range(len(waypoints)))
        return Route((sx, sy), tuple(waypoints), length, expanded)

    def _escape(self, point: tuple[float, float], label: str, min_clearance: float) -> list[int]:
        """Cells from the point's cell to the nearest free cell (just the cell when it is free).

        Dijkstra over cells at least `min_clearance` clear, limited to a disc a little wider
        than the inflation: farther than that the point is not near an obstacle but hemmed in.
        """
        cfg = self.config
        i, j = self._cell(*point)
        first = self._flat(i, j)
        if self.free[j, i]:
            return [first]
        limit = (cfg.inflated_radius + 2.0 * cfg.resolution) / cfg.resolution
        clear = self._padded_clearance.reshape(-1)
        free = self.free
        dist = {first: 0.0}
        parent: dict[int, int] = {}
        heap = [(0.0, first)]
        offsets = _neighbour_offsets(self._w)
        while heap:
            d, p = heapq.heappop(heap)
            if d > dist.get(p, math.inf):
                continue
            pj, pi = divmod(p, self._w)
            if 1 <= pi <= self.nx and 1 <= pj <= self.ny and free[pj - 1, pi - 1]:
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

    def _astar(self, start: int, goal: int) -> tuple[list[int] | None, int]:
        """8-connected A* over free cells; the cell path and cells expanded.

        The heuristic is the larger of the octile distance and the coarse blocks' distance to
        the goal (less two blocks): on a floor of rooms the straight-line estimate floods every
        room that faces the goal, the coarse one leads round the walls to the doors. A goal
        whose block the start's cannot reach is refused without searching the fine grid."""
        if start == goal:
            return [start], 0
        w = self._w
        goal_j, goal_i = divmod(goal, w)
        pieces = self._pieces
        htab = self._coarse.heuristic(pieces[goal])
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

    def _prune(self, points: list[tuple[float, float]], relax_start: float,
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
            if ahead * self._samples(arr, anchor, last) <= PRUNE_BUDGET:
                idx = np.arange(anchor + 1, last + 1)
                galloped = False
            else:
                offsets = 1 << np.arange(ahead.bit_length())
                idx = np.unique(np.append(anchor + offsets[offsets <= ahead], last))
                galloped = True
            ok = self._visible(anchor, idx, arr, relax_a, relax_goal, last)
            # Neighbours on the path see each other by construction (adjacent cells).
            ok[0] = True
            best = int(np.flatnonzero(ok)[-1])
            nxt = int(idx[best])
            if galloped and best < len(idx) - 1:
                lo, hi = nxt, int(idx[best + 1])
                while hi - lo > 1:
                    if (hi - lo) * self._samples(arr, anchor, hi) <= PRUNE_BUDGET:
                        cand = np.arange(lo + 1, hi)
                        seen = np.flatnonzero(self._visible(anchor, cand, arr, relax_a,
                                                            relax_goal, last))
                        lo = int(cand[seen[-1]]) if len(seen) else lo
                        break
                    mid = (lo + hi) // 2
                    if self._visible(anchor, np.array([mid]), arr, relax_a, relax_goal,
                                     last)[0]:
                        lo = mid
                    else:
                        hi = mid
                nxt = lo
            kept.append(points[nxt])
            anchor = nxt
        return kept

    def _samples(self, arr: np.ndarray, anchor: int, upto: int) -> int:
        """Samples _clear_from takes along the longest segment from `anchor` to a point up to
        `upto` (bounded by the straight distance to the farthest of them)."""
        d = np.hypot(arr[anchor + 1:upto + 1, 0] - arr[anchor, 0],
                     arr[anchor + 1:upto + 1, 1] - arr[anchor, 1])
        return int(math.ceil(float(d.max(initial=0.0)) / (0.25 * self.config.resolution))) + 1

    def _visible(self, anchor: int, idx: np.ndarray, arr: np.ndarray, relax_a: float | None,
                 relax_goal: float, last: int) -> np.ndarray:
        """Whether the path point `anchor` sees each point idx (ascending) of the path `arr`."""
        relax_b = relax_goal if int(idx[-1]) == last else None
        return self._clear_from((float(arr[anchor, 0]), float(arr[anchor, 1])), arr[idx],
                                relax_a, relax_b)
