#!/usr/bin/env python3
"""The MuJoCo simulator's own cost, and the "why 3-D" scenario (docs/mujoco.md).

    .venv/bin/python bench/mujoco_bench.py                    # everything (~1-2 min)
    .venv/bin/python bench/mujoco_bench.py --parts cost,encode
    .venv/bin/python bench/mujoco_bench.py --parts scenario

* cost: the simulator alone, walking a figure through the apartment under a scripted command
  (no brain), in lockstep as fast as it runs; per simulated second: physics (500 steps),
  + the knee laser at 10 Hz, + the head lidar at 10 Hz (20 000 rays a frame). Process CPU
  time (this process, one thread) and wall time; head-lidar rays per CPU second.
* encode: one head-lidar frame to PointCloud2 bytes: the node's way (packed numpy points +
  robot_brain.ros.pointcloud_cdr, published as a serialized message) against filling a
  sensor_msgs/PointCloud2 and serializing it with rclpy (what a publish of the Python message
  would do). p50 / p99 over the frames.
* scenario: each leg of robot_brain/worlds/apartment_rearranged.yaml driven by the brain's
  core with the knee scan only, with exact 3-D obstacles (the reference), and with the head
  cloud through perception's cloud sources where they exist: reached?, contacts.

The numbers of the sim are the simulator's own cost, apart from the brain's: a robot has no
simulator. Results go into BENCHMARKS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from robot_brain.core.geometry import Velocity  # noqa: E402
from robot_brain.core.sim.mujoco.config import HeadLidarConfig, MujocoSimConfig  # noqa: E402
from robot_brain.core.sim.simulator import SimConfig  # noqa: E402
from robot_brain.core.world import load_world_file  # noqa: E402

PARTS = ("cost", "encode", "scenario")


def _sim(config: MujocoSimConfig):  # noqa: ANN202 - MujocoSimulator (imports mujoco)
    from robot_brain.core.sim.mujoco.simulator import MujocoSimulator
    world = load_world_file("", include_unmapped=True)
    return MujocoSimulator(world, config, SimConfig().velocity_limits)


def _command(t: float) -> Velocity:
    """A walk that turns and weaves: straight, arc left, straight, arc right."""
    phase = t % 8.0
    return Velocity(0.4, 0.0 if phase < 2.0 or 4.0 <= phase < 6.0 else
                    (0.5 if phase < 4.0 else -0.5))


def bench_cost(seconds: float) -> None:
    print(f"== simulator cost per simulated second ({seconds:g} s simulated each) ==")
    rows = []
    for label, knee, head in (("physics only (500 steps)", False, False),
                              ("+ knee laser 10 Hz (360 rays)", True, False),
                              ("+ head lidar 10 Hz (20 000 rays)", True, True)):
        sim = _sim(MujocoSimConfig())
        dt = 0.01
        cpu0, wall0 = time.process_time(), time.perf_counter()
        head_cpu = 0.0
        n = int(round(seconds / dt))
        for i in range(n):
            sim.step(_command(sim.time), dt)
            if i % 10 == 0:
                if knee:
                    sim.scan()
                if head:
                    t0 = time.process_time()
                    sim.head_cloud()
                    head_cpu += time.process_time() - t0
        cpu = time.process_time() - cpu0
        wall = time.perf_counter() - wall0
        c = sim.costs
        rays = c.head_rays / head_cpu if head_cpu else math.nan
        rows.append((label, 1e3 * cpu / sim.time, 1e3 * wall / sim.time, rays,
                     sim.collisions))
    print(f"  {'':36s} {'CPU ms/s':>9s} {'wall ms/s':>10s} {'rays/CPU s':>11s}")
    for label, cpu_ms, wall_ms, rays, _coll in rows:
        rays_text = f"{rays:,.0f}" if math.isfinite(rays) else "-"
        print(f"  {label:36s} {cpu_ms:9.1f} {wall_ms:10.1f} {rays_text:>11s}")
    print(f"  (CPU ms per simulated second = % of one core x 10 in real time; "
          f"{rows[-1][1] / 10:.1f} % with both lidars)")


def bench_encode(frames: int) -> None:
    from rclpy.serialization import serialize_message
    from sensor_msgs.msg import PointCloud2, PointField

    from robot_brain.core.sim.mujoco.livox_layout import FIELDS, POINT_STEP, pack_points
    from robot_brain.ros.pointcloud_cdr import PointCloud2Encoder

    print(f"== head cloud -> PointCloud2 bytes ({frames} frames) ==")
    sim = _sim(MujocoSimConfig(head_lidar=HeadLidarConfig()))
    clouds = []
    for _ in range(frames):
        sim.step(_command(sim.time), 0.1)
        clouds.append(sim.head_cloud())
    encoder = PointCloud2Encoder("livox_frame", FIELDS, POINT_STEP)
    raw_ms, msg_ms, sizes = [], [], []
    for i, cloud in enumerate(clouds):
        t0 = time.perf_counter()
        packed = pack_points(cloud.points, cloud.intensity, cloud.line, 10**18 + i)
        raw = encoder.encode(1, 2, len(packed), packed.view(np.uint8).data)
        raw_ms.append(1e3 * (time.perf_counter() - t0))
        sizes.append(len(raw))
        t0 = time.perf_counter()
        msg = PointCloud2()
        msg.header.frame_id = "livox_frame"
        msg.height, msg.width = 1, len(packed)
        msg.fields = [PointField(name=f.name, offset=f.offset, datatype=f.datatype,
                                 count=f.count) for f in FIELDS]
        msg.point_step, msg.row_step = POINT_STEP, POINT_STEP * len(packed)
        msg.data = pack_points(cloud.points, cloud.intensity, cloud.line, 10**18 + i).tobytes()
        msg.is_dense = True
        serialize_message(msg)
        msg_ms.append(1e3 * (time.perf_counter() - t0))

    def q(v: list[float], p: float) -> float:
        return float(np.percentile(v, p))
    points = statistics.mean(len(c.points) for c in clouds)
    print(f"  points per frame {points:,.0f}, {statistics.mean(sizes) / 1e3:.0f} kB")
    print(f"  raw CDR (node)          p50 {q(raw_ms, 50):.3f} ms  p99 {q(raw_ms, 99):.3f} ms")
    print(f"  PointCloud2 + serialize p50 {q(msg_ms, 50):.3f} ms  p99 {q(msg_ms, 99):.3f} ms")


def bench_scenario() -> None:
    from robot_brain.core.control.policy import load_onnx_policy
    from robot_brain_lab.scenario3d import (
        SCENARIO_PLACES,
        CloudPerceptionUnavailable,
        body_slice_sectors,
        head_cloud_sectors,
        knee_scan_sectors,
        run_scenario,
    )

    print("== scenario: apartment_rearranged.yaml, ONNX policy, start -> place ==")
    policy = load_onnx_policy("", 16)
    brains = [("knee 2-D scan", knee_scan_sectors(16)),
              ("exact 3-D obstacles (reference)", body_slice_sectors(16))]
    try:
        brains.append(("head cloud + knee scan", head_cloud_sectors(16, with_knee_scan=True)))
    except CloudPerceptionUnavailable as exc:
        print(f"  head cloud: not run: {exc}")
    for label, sectors in brains:
        for place in SCENARIO_PLACES:
            t0 = time.perf_counter()
            r = run_scenario(place, sectors, policy)
            print(f"  {label:32s} {r.line} [{time.perf_counter() - t0:.1f} s wall]")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma list of {PARTS}")
    ap.add_argument("--seconds", type=float, default=30.0, help="simulated seconds for cost")
    ap.add_argument("--frames", type=int, default=100, help="cloud frames for encode")
    args = ap.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"mujoco_bench: unknown part(s) {sorted(unknown)}", file=sys.stderr)
        return 2
    import mujoco
    print(f"mujoco {mujoco.__version__}, python {sys.version.split()[0]}")
    if "cost" in parts:
        bench_cost(args.seconds)
    if "encode" in parts:
        bench_encode(args.frames)
    if "scenario" in parts:
        bench_scenario()
    return 0


if __name__ == "__main__":
    sys.exit(main())
