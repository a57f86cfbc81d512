"""Report throughput and memory on a long synthetic bag: streaming keeps memory flat.

Writes a bag of N simulated seconds at the brain's rates (scan 10 Hz x 360 beams, odom 50 Hz,
controller/cmd_vel and cmd_vel 100 Hz, battery 1 Hz, diagnostics 1 Hz), then times
`collect_figures` and measures the Python heap peak with tracemalloc. Prints numbers only.

    python bench/report_streaming.py [seconds ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from robot_brain.core.report.bagwriter import BagWriter  # noqa: E402
from robot_brain.core.report.build import collect_figures  # noqa: E402
from test.unit.test_report_figures import (  # noqa: E402
    MS,
    T0,
    TS,
    TYPES,
    battery,
    diagnostics,
    odometry,
    scan,
    twist_stamped,
)


def write_long_bag(path: Path, seconds: int) -> int:
    raw = {
        "/scan": TS.serialize_cdr(scan(T0, 360), TYPES["/scan"]),
        "/odom": TS.serialize_cdr(odometry(T0, 0.0, 0.0), TYPES["/odom"]),
        "/battery_state": TS.serialize_cdr(battery(T0, 0.5), TYPES["/battery_state"]),
        "/diagnostics": TS.serialize_cdr(diagnostics(T0, [("sim: world", {"collisions": "0"})]),
                                         TYPES["/diagnostics"]),
    }
    writer = BagWriter(path, "mcap")
    for topic in ("/scan", "/odom", "/battery_state", "/diagnostics", "/controller/cmd_vel",
                  "/cmd_vel"):
        writer.add_topic(topic, TYPES[topic])
    n = 0
    for tick in range(seconds * 100):  # 10 ms ticks
        t = T0 + tick * 10 * MS
        cmd = TS.serialize_cdr(twist_stamped(t - 5 * MS), TYPES["/cmd_vel"])
        writer.write("/controller/cmd_vel", t, cmd)
        writer.write("/cmd_vel", t + MS, cmd)
        n += 2
        if tick % 2 == 0:
            writer.write("/odom", t + 2, raw["/odom"])
            n += 1
        if tick % 10 == 0:
            writer.write("/scan", t + 3, raw["/scan"])
            n += 1
        if tick % 100 == 0:
            writer.write("/battery_state", t + 4, raw["/battery_state"])
            writer.write("/diagnostics", t + 5, raw["/diagnostics"])
            n += 2
        if tick % 100 == 99:
            writer.flush()
    writer.close()
    return n


def main(argv: list[str]) -> int:
    durations = [int(a) for a in argv] or [60, 600]
    print("sim_s  messages  bag_MB  read_s  msgs_per_s  heap_peak_MB")
    for seconds in durations:
        with tempfile.TemporaryDirectory() as tmp:
            bag = Path(tmp) / "bag"
            n = write_long_bag(bag, seconds)
            size_mb = sum(f.stat().st_size for f in bag.iterdir()) / 2**20
            tracemalloc.start()
            t0 = time.perf_counter()
            figures = collect_figures(bag)
            elapsed = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert figures.total_messages == n
            print(f"{seconds:5d}  {n:8d}  {size_mb:6.1f}  {elapsed:6.2f}  {n / elapsed:10.0f}  "
                  f"{peak / 2**20:12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
