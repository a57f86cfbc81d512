#!/usr/bin/env python3
"""Route planning on maps: query latency on warehouse- and campus-sized floors, and the
planner tick's timing while routes are searched beside it.

    python bench/route_bench.py                      # 600 x 300 and 2000 x 2000 at 5 cm
    python bench/route_bench.py --sizes 600x300 --queries 500
    python bench/route_bench.py --tick               # + a 20 Hz executive tick while routing
    python bench/route_bench.py --tick --worker thread   # the search on a thread instead

Floors are generated (seeded): rooms of 4 m with 10 cm walls and a 1.2 m door in each wall,
and furniture blocks; every query joins two random free cells (route cells at least
robot_radius + route_inflation clear). A query is RoutePlanner.plan as the planner's route
worker runs it (A* on the route grid guided by the coarse pieces' distances, then
line-of-sight pruning). --tick runs an Executive at 20 Hz on this thread, handing its motion
steps to a ThreadedRoutes worker that keeps searching, and reports how late each tick started
and how long it took, against the same loop with no routing. The worker is a process
(ProcessRoutes, as the planner node runs it; the floor is saved as a map file for it to load)
or a thread (ThreadedRoutes, --worker thread).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robot_brain.core.geometry import Pose2D  # noqa: E402
from robot_brain.core.maps.map_saver import save_map  # noqa: E402
from robot_brain.core.maps.metadata import MapOrigin  # noqa: E402
from robot_brain.core.maps.occupancy import OccupancyGrid  # noqa: E402
from robot_brain.core.navigation.route_config import RoutePlannerConfig  # noqa: E402
from robot_brain.core.navigation.route_errors import NoRouteError  # noqa: E402
from robot_brain.core.navigation.route_jobs import ProcessRoutes, ThreadedRoutes  # noqa: E402
from robot_brain.core.navigation.route_planner import RoutePlanner  # noqa: E402
from robot_brain.core.planner.executive import Executive  # noqa: E402
from robot_brain.core.planner.skills import Plan, Skill, Step  # noqa: E402
from robot_brain.core.world import World, map_world  # noqa: E402


def office_floor(width: int, height: int, resolution: float = 0.05, room_m: float = 4.0,
                 seed: int = 0) -> OccupancyGrid:
    rng = np.random.default_rng(seed)
    data = np.zeros((height, width), np.int8)
    data[:2, :] = data[-2:, :] = data[:, :2] = data[:, -2:] = 100
    step, door = int(room_m / resolution), int(1.2 / resolution)
    for x in range(step, width - 2, step):
        data[:, x:x + 2] = 100
        for y0 in range(0, height, step):
            d = y0 + int(rng.integers(3, max(4, step - door - 3)))
            data[d:d + door, x:x + 2] = 0
    for y in range(step, height - 2, step):
        data[y:y + 2, :] = 100
        for x0 in range(0, width, step):
            d = x0 + int(rng.integers(3, max(4, step - door - 3)))
            data[y:y + 2, d:d + door] = 0
    for _ in range(int(width * height * resolution * resolution / 20)):
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        bw, bh = int(rng.integers(6, 20)), int(rng.integers(6, 20))
        data[cy:cy + bh, cx:cx + bw] = 100
    return OccupancyGrid(data, resolution, MapOrigin(0.0, 0.0, 0.0), f"floor {width}x{height}")


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def _queries(planner: RoutePlanner, world: World, n: int, seed: int
             ) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    rng = np.random.default_rng(seed)
    free = np.argwhere(planner.free)
    res = planner.config.resolution
    b = world.bounds

    def point(k: int) -> tuple[float, float]:
        j, i = free[k]
        return (b.x_min + (i + 0.5) * res, b.y_min + (j + 0.5) * res)

    return [(point(int(rng.integers(len(free)))), point(int(rng.integers(len(free)))))
            for _ in range(n)]


def bench_size(width: int, height: int, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    grid = office_floor(width, height)
    world = map_world(grid)
    grid.signed_distance()
    t_field = time.perf_counter() - t0
    t0 = time.perf_counter()
    planner = RoutePlanner(world, RoutePlannerConfig(resolution=args.resolution))
    t_build = time.perf_counter() - t0
    times: list[float] = []
    expanded: list[int] = []
    failed = 0
    for start, goal in _queries(planner, world, args.queries, args.seed):
        t = time.perf_counter()
        try:
            expanded.append(planner.plan(start, goal).expanded)
        except NoRouteError:
            failed += 1
        times.append((time.perf_counter() - t) * 1e3)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{width}x{height} map at {grid.resolution} m ({width * grid.resolution:.0f} m x "
          f"{height * grid.resolution:.0f} m), route grid {planner.nx}x{planner.ny} at "
          f"{args.resolution} m, {planner.search.coarse.count} coarse pieces: clearance field "
          f"{t_field:.2f} s, route grid {t_build:.2f} s; {len(times)} queries ({failed} no "
          f"route): p50 {_pct(times, 50):.1f} ms, p99 {_pct(times, 99):.1f} ms, max "
          f"{max(times):.1f} ms; cells expanded p50 {_pct(expanded, 50):.0f} max "
          f"{max(expanded, default=0)}; peak RSS {rss:.0f} MB")
    if args.tick:
        bench_tick(planner, world, grid, args)


def _tick_loop(ex: Executive, steps: list[Step], seconds: float, period: float
               ) -> tuple[list[float], list[float], int]:
    late: list[float] = []
    took: list[float] = []
    plans = 0
    next_t = time.perf_counter()
    end = next_t + seconds
    pose = Pose2D(0.0, 0.0, 0.0)
    while next_t < end:
        now = time.perf_counter()
        if now < next_t:
            time.sleep(next_t - now)
        start = time.perf_counter()
        late.append((start - next_t) * 1e3)
        if not ex.active:
            step = steps[plans % len(steps)]
            other = steps[(plans + 1) % len(steps)]
            pose = Pose2D(float(other.x or 0.0), float(other.y or 0.0), 0.0)
            ex.start(Plan((step,)), start)
            plans += 1
        out = ex.tick(start, pose)
        if any(e.kind in ("route_planned", "route_failed") for e in out.events):
            ex.cancel("next")    # routed: the next tick starts another
        took.append((time.perf_counter() - start) * 1e3)
        next_t += period
    return late, took, plans


def bench_tick(planner: RoutePlanner, world: World, grid: OccupancyGrid,
               args: argparse.Namespace) -> None:
    pairs = _queries(planner, world, 64, args.seed + 1)
    steps = [Step(Skill.NAVIGATE_TO, x=g[0], y=g[1]) for _, g in pairs]
    period = 1.0 / 20.0
    base = Executive(0.3, 600.0, None)
    late0, took0, _ = _tick_loop(base, steps, args.tick_seconds, period)
    jobs: ProcessRoutes | ThreadedRoutes
    with tempfile.TemporaryDirectory() as tmp:
        if args.worker == "process":
            yaml_path, _ = save_map(grid, Path(tmp) / "floor.yaml")
            jobs = ProcessRoutes(str(yaml_path), "", planner.config.robot_radius, planner.config)
            t0 = time.monotonic()
            while not jobs.ready and not jobs.error and time.monotonic() - t0 < 120.0:
                jobs.poll()
                time.sleep(0.05)
        else:
            jobs = ThreadedRoutes(planner)
        try:
            ex = Executive(0.3, 600.0, jobs)
            late, took, plans = _tick_loop(ex, steps, args.tick_seconds, period)
        finally:
            jobs.close()
    print(f"  20 Hz tick, {args.tick_seconds:.0f} s, routes on a {args.worker}: no routing: "
          f"start late p99 "
          f"{_pct(late0, 99):.2f} ms max {max(late0):.2f}, took p99 {_pct(took0, 99):.2f} ms; "
          f"routing beside it ({plans} routes, last {jobs.timing.last_s * 1e3:.0f} ms, max "
          f"{jobs.timing.max_s * 1e3:.0f} ms): start late p99 {_pct(late, 99):.2f} ms max "
          f"{max(late):.2f}, took p99 {_pct(took, 99):.2f} ms max {max(took):.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="600x300,2000x2000", help="map sizes in cells (5 cm)")
    ap.add_argument("--resolution", type=float, default=0.1, help="route grid cell (m)")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tick", action="store_true", help="measure a 20 Hz tick while routing")
    ap.add_argument("--tick-seconds", type=float, default=30.0)
    ap.add_argument("--worker", choices=("process", "thread"), default="process",
                    help="--tick: where the routes are searched")
    args = ap.parse_args()
    for size in args.sizes.split(","):
        w, h = (int(v) for v in size.lower().split("x"))
        bench_size(w, h, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
