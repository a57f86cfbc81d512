"""Perception benchmark: sector inference time per scan and node latency scan -> obstacles.

    python bench/perception_bench.py [--runs 5000] [--scans 600] [--rate 20] [--no-node]

Part 1 times the ONNX backend alone (the figure the node reports as inference time), the full
ScanProcessor.process call and the numpy reference, for 360 and 1080 beams.
Part 2 starts the installed `perception` executable, publishes scans from an in-process probe
and times each one until its perception/obstacles message (matched by header.frame_id) comes
back. The same probe also receives its own `scan` messages, which gives the transport-only
baseline (DDS + rclpy in the probe) contained in that figure.
Targets (issue 3): inference p99 <= 0.5 ms at 360 beams, node latency p99 <= 3 ms.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robot_brain.core.perception.backend import NumpySectorBackend, OnnxSectorBackend  # noqa: E402
from robot_brain.core.perception.model_builder import DEFAULT_MODEL_NAME  # noqa: E402
from robot_brain.core.perception.pipeline import ScanProcessor  # noqa: E402
from robot_brain.core.perception.sectors import DEFAULT_SECTORS, beam_sectors  # noqa: E402
from robot_brain.core.resources import package_file  # noqa: E402


def pct(samples_s: list[float] | np.ndarray) -> str:
    a = np.asarray(samples_s) * 1e3
    return (f"p50 {np.percentile(a, 50):.4f} ms  p99 {np.percentile(a, 99):.4f} ms  "
            f"max {a.max():.4f} ms  (n={a.size})")


def scan(n: int, rng: np.random.Generator) -> np.ndarray:
    r = rng.uniform(0.05, 9.0, n).astype(np.float32)
    r[rng.random(n) < 0.05] = np.inf
    r[rng.random(n) < 0.02] = np.nan
    return r


def bench_inference(runs: int) -> None:
    onnx = OnnxSectorBackend(package_file("models", DEFAULT_MODEL_NAME), DEFAULT_SECTORS)
    ref = NumpySectorBackend(DEFAULT_SECTORS)
    rng = np.random.default_rng(0)
    limits = np.array([0.1, 8.0], dtype=np.float32)
    for n in (360, 1080):
        inc = 2 * math.pi / n
        idx = beam_sectors(n, -math.pi, inc, DEFAULT_SECTORS)
        scans = [scan(n, rng) for _ in range(64)]
        proc = ScanProcessor(onnx, max_beams=8192)
        for name, fn in (
            ("onnx backend      ", lambda r, idx=idx: onnx(r, idx, limits)),
            ("ScanProcessor     ",
             lambda r, p=proc, inc=inc: p.process(r, -math.pi, inc, 0.1, 8.0)),
            ("numpy reference   ", lambda r, idx=idx: ref(r, idx, limits)),
        ):
            for r in scans[:50]:
                fn(r)  # warm-up
            times = []
            for k in range(runs):
                r = scans[k % len(scans)]
                t0 = time.perf_counter()
                fn(r)
                times.append(time.perf_counter() - t0)
            print(f"  {n:5d} beams  {name} {pct(times)}")


def bench_node(n_scans: int, rate_hz: float, beams: int) -> None:
    os.environ.setdefault("ROS_DOMAIN_ID", "22")
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    import rclpy
    from diagnostic_msgs.msg import DiagnosticArray
    from sensor_msgs.msg import LaserScan

    from robot_brain.cli.processes import NodeProcess
    from robot_brain.ros import qos
    from robot_brain.ros.spinner import BackgroundSpinner

    node_proc = NodeProcess("perception", parameters={"scene_rate_hz": 2.0}).start()
    rclpy.init()
    probe = rclpy.create_node("perception_bench_probe")
    sent: dict[str, float] = {}
    got: dict[str, float] = {}
    echo: dict[str, float] = {}
    node_diag: dict[str, str] = {}
    lock = threading.Lock()

    def on_out(msg: Any) -> None:
        t = time.perf_counter()
        with lock:
            got.setdefault(msg.header.frame_id, t)

    def on_echo(msg: Any) -> None:
        t = time.perf_counter()
        with lock:
            echo.setdefault(msg.header.frame_id, t)

    def on_diag(msg: Any) -> None:
        for st in msg.status:
            if st.name.startswith("perception"):
                with lock:
                    node_diag.update({kv.key: kv.value for kv in st.values})

    probe.create_subscription(LaserScan, "perception/obstacles", on_out, qos.SENSOR)
    probe.create_subscription(DiagnosticArray, "/diagnostics", on_diag, qos.DIAGNOSTICS)
    probe.create_subscription(LaserScan, "scan", on_echo, qos.SENSOR)
    pub = probe.create_publisher(LaserScan, "scan", qos.SENSOR_PUB)
    spinner = BackgroundSpinner(probe)
    rng = np.random.default_rng(1)
    try:
        msg = LaserScan()
        msg.angle_min = -math.pi
        msg.angle_increment = 2 * math.pi / beams
        msg.angle_max = msg.angle_min + (beams - 1) * msg.angle_increment
        msg.range_min, msg.range_max = 0.1, 8.0
        # Wait until the node answers (start-up, discovery).
        deadline = time.monotonic() + 60.0
        k = 0
        while time.monotonic() < deadline:
            msg.header.frame_id = f"warm{k}"
            msg.ranges = scan(beams, rng)
            pub.publish(msg)
            time.sleep(0.1)
            with lock:
                if got:
                    break
            k += 1
        else:
            raise SystemExit("perception did not answer within 60 s "
                             f"(running: {node_proc.running()})")
        time.sleep(0.5)
        period = 1.0 / rate_hz
        next_t = time.perf_counter()
        for i in range(n_scans):
            msg.header.frame_id = f"s{i}"
            msg.ranges = scan(beams, rng)
            now = time.perf_counter()
            if next_t > now:
                time.sleep(next_t - now)
            sent[msg.header.frame_id] = time.perf_counter()
            pub.publish(msg)
            next_t += period
        time.sleep(1.5)  # one more diagnostics period
    finally:
        spinner.stop()
        node_proc.stop()
    with lock:
        lat = [got[k] - t for k, t in sent.items() if k in got]
        base = [echo[k] - t for k, t in sent.items() if k in echo]
    print(f"  {beams} beams at {rate_hz:g} Hz: {len(lat)}/{len(sent)} answered")
    print(f"  scan -> obstacles (probe to probe)  {pct(lat)}")
    print(f"  scan -> probe echo (transport only) {pct(base)}")
    print(f"  node's own scan callback (diagnostics, last 1000): p50 n/a  p99 "
          f"{node_diag.get('callback_p99_ms', 'n/a')} ms; inference p99 "
          f"{node_diag.get('inference_p99_ms', 'n/a')} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5000)
    ap.add_argument("--scans", type=int, default=600)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--beams", type=int, default=360)
    ap.add_argument("--no-node", action="store_true")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, {platform.platform()}, "
          f"Python {platform.python_version()}")
    print("inference per scan (16 sectors, intra_op_num_threads=1):")
    bench_inference(args.runs)
    if not args.no_node:
        print("node latency:")
        bench_node(args.scans, args.rate, args.beams)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
