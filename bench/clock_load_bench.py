#!/usr/bin/env python3
"""What /clock costs an rclpy node on simulated time: CPU of one node per clock rate.

    .venv/bin/python bench/clock_load_bench.py --seconds 15 --rates 1000,250

A publisher process sends rosgraph_msgs/Clock at each rate (as the ros_gz bridge republishes
gz sim's clock: one message per physics step, unthrottled); the listener is one of the
brain's own nodes, the power monitor (its work: 1 Hz), run by the brain's runtime (the
EventsExecutor, spun in slices), with use_sim_time true (rclpy's TimeSource subscribes /clock
and runs a Python callback per message) or false (the baseline: no /clock subscription).
Reported: the listener's CPU (user + system) as % of one core over the window.
docs/gazebo.md quotes the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

PUBLISHER = """
import sys, time
import rclpy
from rosgraph_msgs.msg import Clock
rate = float(sys.argv[1])
rclpy.init()
node = rclpy.create_node("clock_bench_publisher")
pub = node.create_publisher(Clock, "/clock", 10)
period, t_sim, next_t = 1.0 / rate, 0.0, time.monotonic()
while rclpy.ok():
    t_sim += period
    msg = Clock()
    msg.clock.sec = int(t_sim)
    msg.clock.nanosec = int((t_sim - int(t_sim)) * 1e9)
    pub.publish(msg)
    next_t += period
    delay = next_t - time.monotonic()
    if delay > 0:
        time.sleep(delay)
"""



def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(rate: float, sim_time: bool, seconds: float) -> float:
    pub = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(rate)])
    sub = subprocess.Popen([sys.executable, "-m", "robot_brain.nodes.power_monitor_node",
                            "--ros-args", "-p", f"use_sim_time:={str(sim_time).lower()}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(5.0)  # start-up, discovery, warm-up
        c0, t0 = _cpu_s(sub.pid), time.monotonic()
        time.sleep(seconds)
        c1, t1 = _cpu_s(sub.pid), time.monotonic()
        return 100.0 * (c1 - c0) / (t1 - t0)
    finally:
        for p in (sub, pub):
            p.kill()  # rclpy may hold SIGTERM while spinning; nothing here needs a clean stop
            p.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rates", default="1000,250")
    args = parser.parse_args(argv)
    for rate in (float(r) for r in args.rates.split(",")):
        on = measure(rate, True, args.seconds)
        off = measure(rate, False, args.seconds)
        print(f"/clock at {rate:g} Hz: listener on sim time {on:.1f} % of a core, "
              f"off sim time {off:.1f} % (the /clock callbacks: {on - off:.1f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
