#!/usr/bin/env python3
"""Drive every place-to-place leg of a world in the lockstep core and print a table.

Legs: the world's start pose to every place, and every place to every other place, each
starting at the source place's pose, as one navigate_to step of the planner's executive with
the shared goal tolerance and a step timeout of --time-limit seconds of sim time. Both the
packaged ONNX policy and the analytic expert drive (--policy to pick one). With --route the
executive gets a route planner (robot_brain.core.navigation) and hands the controller its
waypoints, exactly as the planner node does.

  scripts/eval_place_legs.py                 # direct goals (the controller alone)
  scripts/eval_place_legs.py --route         # waypoints from the route planner
  scripts/eval_place_legs.py --route --json legs.json
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robot_brain.core.control.expert import ExpertConfig  # noqa: E402
from robot_brain.core.control.policy import AnalyticPolicy, Policy, load_onnx_policy  # noqa: E402
from robot_brain.core.navigation.route_config import RoutePlannerConfig  # noqa: E402
from robot_brain.core.navigation.route_planner import RoutePlanner  # noqa: E402
from robot_brain.core.resources import resolve_world_path  # noqa: E402
from robot_brain.core.world import Place, load_world  # noqa: E402
from robot_brain_lab.place_legs import LegConfig, LegResult, leg_pairs, run_leg  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", default="", help="world YAML ('' = the packaged apartment)")
    ap.add_argument("--policy", choices=("onnx", "analytic", "both"), default="both")
    ap.add_argument("--route", action="store_true", help="waypoints from the route planner")
    ap.add_argument("--resolution", type=float, default=0.1, help="route grid cell (m)")
    ap.add_argument("--inflation", type=float, default=0.25,
                    help="route clearance beyond the robot radius (m)")
    ap.add_argument("--waypoint-tolerance", type=float, default=0.35, help="m")
    ap.add_argument("--goal-tolerance", type=float, default=0.3, help="m (config/brain.yaml)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="sim seconds per leg")
    ap.add_argument("--dt", type=float, default=0.05, help="lockstep period (s)")
    ap.add_argument("--headings", type=int, default=1,
                    help="start each leg at this many headings, evenly spaced from the source "
                         "place's yaw (a mission arrives at a place facing anywhere)")
    ap.add_argument("--seed", type=int, default=0, help="lidar noise seed")
    ap.add_argument("--json", default="", help="also write every result to this file")
    return ap.parse_args(argv)


def make_policy(which: str) -> Policy:
    return load_onnx_policy("", 16) if which == "onnx" else AnalyticPolicy(ExpertConfig(), 16)


def summary(which: str, results: list[LegResult]) -> str:
    ok = [r for r in results if r.success]
    times = [r.time_s for r in ok]
    med = f"{statistics.median(times):.1f}" if times else "-"
    mx = f"{max(times):.1f}" if times else "-"
    return (f"{which}: {len(ok)}/{len(results)} legs ({len(ok) / len(results):.0%}), time to "
            f"goal median {med} s, max {mx} s, collisions {sum(r.collisions for r in results)}, "
            f"failed: {', '.join(r.name for r in results if not r.success) or 'none'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    world = load_world(resolve_world_path(args.world))
    config = LegConfig(dt=args.dt, time_limit_s=args.time_limit,
                       goal_tolerance=args.goal_tolerance,
                       waypoint_tolerance=args.waypoint_tolerance)
    planner = None
    if args.route:
        t0 = time.perf_counter()
        planner = RoutePlanner(world, RoutePlannerConfig(resolution=args.resolution,
                                                         inflation=args.inflation))
        print(f"route grid {planner.nx} x {planner.ny} cells at {args.resolution} m, built in "
              f"{(time.perf_counter() - t0) * 1e3:.1f} ms")
    which = ("onnx", "analytic") if args.policy == "both" else (args.policy,)
    pairs = [(Place(src.name if k == 0 else f"{src.name}@{360 * k // args.headings}",
                    src.x, src.y, src.yaw + 2.0 * math.pi * k / args.headings), dst)
             for src, dst in leg_pairs(world) for k in range(max(1, args.headings))]
    mode = "route" if args.route else "direct"
    all_results: dict[str, list[LegResult]] = {}
    for name in which:
        policy = make_policy(name)
        print(f"\n== {name} policy, {mode} goals, world '{world.name}', {len(pairs)} legs, "
              f"limit {args.time_limit:.0f} s ==")
        print(f"{'leg':<28} {'ok':<4} {'time s':>7} {'coll':>4} {'path m':>7} {'wp':>3}  "
              f"diagnosis")
        results = []
        for src, dst in pairs:
            r = run_leg(world, src, dst, policy, planner, config, seed=args.seed)
            results.append(r)
            print(f"{r.name:<28} {'yes' if r.success else 'NO':<4} {r.time_s:7.1f} "
                  f"{r.collisions:4d} {r.path_length:7.2f} {r.waypoints:3d}  "
                  f"{r.diagnosis}{' (no route: direct)' if r.route_failed else ''}", flush=True)
        all_results[name] = results
    print()
    for name, results in all_results.items():
        print(summary(f"{name} ({mode})", results))
    if args.json:
        Path(args.json).write_text(json.dumps(
            {name: [asdict(r) for r in rs] for name, rs in all_results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
