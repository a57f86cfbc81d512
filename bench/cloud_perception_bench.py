"""Point-cloud perception cost per cloud on one core, from CDR bytes to sectors.

    python bench/cloud_perception_bench.py [--runs 300] [--cpu N]

Each case is a serialized sensor_msgs/PointCloud2 as a real driver lays it out, of a head
lidar (mounted upside down at 1.2 m, levelled in 16 time slices with a buffered attitude,
self-filter on) in a furnished room: robot_brain.ros.cloud_cdr.decode_pointcloud2, then
CloudSource.process (read x/y/z, range filter, mount, self-filter, levelling, band, sectors),
then the merge. The process is pinned to one CPU (os.sched_setaffinity). Wall time per cloud
(the target's measure) and on-CPU time (time.thread_time: what the code costs, without the
time other processes held the core; on a shared machine the two differ) are both printed,
with the load average before and after.
Targets (issue 24): 20 000 points p99 <= 2 ms; 131 000 points p99 <= 10 ms.

Part 2 times rclpy's own deserialization of the same bytes into a PointCloud2 message against
decode_pointcloud2 (which reads the header and views the point bytes in place).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robot_brain.core.perception.cloud.attitude import AttitudeBuffer  # noqa: E402
from robot_brain.core.perception.cloud.config import SourceConfig, SourcesConfig  # noqa: E402
from robot_brain.core.perception.cloud.merge import SectorMerger  # noqa: E402
from robot_brain.core.perception.cloud.pointcloud import RawCloud  # noqa: E402
from robot_brain.core.perception.cloud.sources import CloudSource, SourceOutcome  # noqa: E402
from robot_brain.ros.cloud_cdr import decode_pointcloud2  # noqa: E402
from test.unit import cloud_fixtures as fx  # noqa: E402
from test.unit.lidar_scene import MID360, Scene  # noqa: E402

N_SECTORS = 16
MOUNT_XYZ = (0.0, 0.0, 1.2)
MOUNT_RPY = (math.pi, 0.0, 0.0)
ROOM = Scene(boxes=(((1.0, -0.4, 0.72), (1.8, 0.4, 0.75)),          # table top
                    ((-0.4, 1.2, 1.0), (0.4, 2.0, 1.4)),            # overhang
                    ((-0.1, -0.17, 0.6), (0.1, 0.17, 1.08)),        # own torso
                    ((4.0, -5, 0), (4.2, 5, 2.5)), ((-4.2, -5, 0), (-4.0, 5, 2.5)),
                    ((-5, 3.0, 0), (5, 3.2, 2.5)), ((-5, -3.2, 0), (5, -3.0, 2.5))),
             spheres=(((0.03, 0.23, 0.85), 0.06), ((0.03, -0.23, 0.85), 0.06)))


def machine() -> str:
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
            f"numpy {np.__version__}; {platform.system()} {platform.release()}")


def room_points(n: int, seed: int) -> np.ndarray:
    """The head lidar's `n` rays in the room, as points in its frame (a miss is inf/NaN)."""
    lidar = MID360(points=n, seed=seed)
    r = np.array([[1, 0, 0], [0, -1, 0], [0, 0, -1]], dtype=float)  # roll pi
    dirs = lidar.directions()
    dist = ROOM.cast(np.array(MOUNT_XYZ), dirs @ r.T)
    pts = dirs * dist[:, None]
    return pts.astype(np.float32)


def livox_cloud(n: int, seed: int) -> RawCloud:
    pts = room_points(n, seed)
    return fx.livox(pts[np.isfinite(pts).all(axis=1)][:n])


def ouster_cloud(rows: int, cols: int, seed: int) -> RawCloud:
    pts = room_points(rows * cols, seed).reshape(rows, cols, 3)  # misses stay NaN
    return fx.ouster(pts)


def serialize(cloud: RawCloud, frame: str, stamp: float) -> bytes:
    """The cloud as rclpy serializes a sensor_msgs/PointCloud2 carrying it."""
    import array

    from rclpy.serialization import serialize_message
    from sensor_msgs.msg import PointCloud2, PointField

    msg = PointCloud2()
    msg.header.stamp.sec = int(stamp)
    msg.header.stamp.nanosec = int((stamp - int(stamp)) * 1e9)
    msg.header.frame_id = frame
    msg.height, msg.width = cloud.height, cloud.width
    msg.fields = [PointField(name=f.name, offset=f.offset, datatype=f.datatype, count=f.count)
                  for f in cloud.fields]
    msg.is_bigendian = cloud.is_bigendian
    msg.point_step, msg.row_step = cloud.point_step, cloud.row_step
    msg.data = array.array("B", bytes(cloud.data))
    msg.is_dense = cloud.is_dense
    return bytes(serialize_message(msg))


def pct(samples: list[float]) -> str:
    a = np.asarray(samples) * 1e3
    return (f"median {np.percentile(a, 50):.3f} ms  p99 {np.percentile(a, 99):.3f} ms  "
            f"max {a.max():.3f} ms  (n={a.size})")


def bench_case(label: str, clouds: list[bytes], points: int, time_axis: str, runs: int,
               target_ms: float) -> bool:
    shared = SourcesConfig()
    cfg = SourceConfig(type="cloud", name="head", frame="lidar", mount_xyz=MOUNT_XYZ,
                       mount_rpy=MOUNT_RPY, range_max=10.0, frame_time_s=0.1,
                       time_axis=time_axis)
    source = CloudSource(cfg, shared, N_SECTORS, shared.body())
    merger = SectorMerger(N_SECTORS, [cfg.timeout_s])
    attitude = AttitudeBuffer(shared.attitude_window_s, shared.attitude_tolerance_s)
    for k in range(201):  # 4 s of 50 Hz odometry to the end of the sweep, swaying
        t = 96.1 + 0.02 * k
        p = math.radians(5.0) * math.sin(2 * math.pi * 1.8 * t)
        attitude.push(t, 0.0, math.sin(p / 2), 0.0, math.cos(p / 2))
    times, cpu = [], []
    for i in range(runs + 20):
        raw = clouds[i % len(clouds)]
        c0 = time.thread_time()
        t0 = time.perf_counter()
        sample = decode_pointcloud2(raw)
        r = source.process(sample.cloud, sample.frame_id, sample.stamp, 100.05, attitude)
        merger.update(0, r.sectors, 1.0)
        merger.merged(1.0)
        dt = time.perf_counter() - t0
        dc = time.thread_time() - c0
        if r.outcome is not SourceOutcome.OK:
            raise SystemExit(f"{label}: cloud refused: {r.reason}")
        if i >= 20:  # warm-up
            times.append(dt)
            cpu.append(dc)
    p99 = float(np.percentile(np.asarray(times) * 1e3, 99))
    ok = p99 <= target_ms
    print(f"  {label} ({points} pts), target p99 <= {target_ms} ms: "
          f"{'met' if ok else 'MISSED'}\n    wall: {pct(times)}\n    CPU:  {pct(cpu)}")
    return ok


def bench_deserialize(label: str, raw: bytes, runs: int) -> None:
    from rclpy.serialization import deserialize_message
    from sensor_msgs.msg import PointCloud2

    ours, theirs = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        decode_pointcloud2(raw)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        deserialize_message(raw, PointCloud2)
        theirs.append(time.perf_counter() - t0)
    print(f"  {label:<28} rclpy deserialize_message: {pct(theirs)}")
    print(f"  {'':<28} decode_pointcloud2:         {pct(ours)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the last "
                    "allowed one)")
    args = ap.parse_args()
    allowed = sorted(os.sched_getaffinity(0))
    cpu = args.cpu if args.cpu is not None else allowed[-1]
    os.sched_setaffinity(0, {cpu})
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"pinned to CPU {cpu}; {args.runs} clouds per case after 20 warm-up; "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    print("CDR bytes -> sectors (decode, read, mount, self-filter, 16-slice levelling, band, "
          "merge):", flush=True)
    livox = [serialize(livox_cloud(20_000, s), "lidar", 100.0) for s in range(8)]
    ouster = [serialize(ouster_cloud(128, 1024, s), "lidar", 100.0) for s in range(4)]
    ok = bench_case("Livox MID-360 layout (18 B/pt, unorganised)", livox, 20_000, "points",
                    args.runs, 2.0)
    ok &= bench_case("ouster-ros 128 x 1024 (48 B/pt, organised)", ouster, 131_072,
                     "columns", args.runs, 10.0)
    print("deserialization of the same bytes:")
    bench_deserialize("20 000 pts (360 KB)", livox[0], max(args.runs // 3, 20))
    bench_deserialize("131 072 pts (6.3 MB)", ouster[0], max(args.runs // 10, 10))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
