#!/usr/bin/env python3
"""What one wake-up costs here: the same small jobs run back to back (warm) and each after a
sleep of one control period (cold), in CPU time of the calling thread.

Why it matters: the brain's nodes wake at 10-100 Hz and each wake-up runs a few hundred
microseconds of Python and middleware code. On the project's 2-core KVM guests that code
runs many times slower after a 10 ms sleep than back to back (caches and TLBs refilled after
the hypervisor or other threads ran), so the brain's CPU follows the number of wake-ups far
more than the amount of work in each (docs/composition.md, "Lighter wake-ups").

    python bench/wake_cost_bench.py [--sleep-ms 10] [--repeats 300]

Publishes on a private topic of a unique domain with no subscriber, so the figure is rclpy,
rcl, rmw and Fast DDS on the writer's side without any socket send. Output: median CPU µs
per call, warm and cold, and their ratio. No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from typing import Callable


def _thread_cpu_us(job: Callable[[], object], repeats: int, sleep_s: float) -> float:
    samples = []
    for _ in range(repeats):
        if sleep_s:
            time.sleep(sleep_s)
        t0 = time.thread_time_ns()
        job()
        samples.append((time.thread_time_ns() - t0) / 1e3)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sleep-ms", type=float, default=10.0,
                    help="sleep before each cold call (default 10: the 100 Hz control period)")
    ap.add_argument("--repeats", type=int, default=300, help="calls per figure (default 300)")
    args = ap.parse_args(argv)
    if args.repeats < 10 or not 0.0 < args.sleep_ms <= 1000.0:
        print("wake_cost_bench: --repeats must be >= 10 and --sleep-ms in (0, 1000]",
              file=sys.stderr)
        return 2

    os.environ.setdefault("ROS_DOMAIN_ID", str(100 + os.getpid() % 100))
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    import rclpy
    from geometry_msgs.msg import TwistStamped
    from rclpy.serialization import serialize_message

    rclpy.init()
    node = rclpy.create_node(f"wake_cost_{os.getpid()}")
    pub = node.create_publisher(TwistStamped, f"wake_cost_{os.getpid()}", 10)
    raw = serialize_message(TwistStamped())
    msg = TwistStamped()
    numbers = list(range(1000))
    jobs: list[tuple[str, Callable[[], object]]] = [
        ("empty call", lambda: None),
        ("sum of 1000 ints", lambda: sum(numbers)),
        ("publish TwistStamped bytes", lambda: pub.publish(raw)),
        ("publish TwistStamped message", lambda: pub.publish(msg)),
    ]
    print(f"wake_cost_bench: {platform.node()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, cold = after a {args.sleep_ms:g} ms sleep, "
          f"median of {args.repeats}")
    print(f"{'job':32s} {'warm µs':>9s} {'cold µs':>9s} {'cold/warm':>10s}")
    try:
        for name, job in jobs:
            warm = _thread_cpu_us(job, args.repeats, 0.0)
            cold = _thread_cpu_us(job, args.repeats, args.sleep_ms / 1e3)
            ratio = cold / warm if warm > 0 else float("nan")
            print(f"{name:32s} {warm:9.1f} {cold:9.1f} {ratio:10.1f}")
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
