#!/usr/bin/env python3
"""Live view benchmark: the fast path's figures without the live view, and with the live view
serving a client that subscribed to every channel and then stopped reading.

    PYTHONPATH=. .venv/bin/python bench/live_view_bench.py --duration 60

A mode of bench/fast_path_bench.py (same nodes, goals, probe and printout: controller tick
jitter and period, scan->cmd_vel latency, watchdog deadline misses), with two conditions:

* `no_live`: sim + perception + controller + watchdog;
* `live_idle`: the same plus `live_view`, no client connected;
* `stalled_client`: the same plus `live_view`, and a Foxglove client process that subscribes to
  every channel and then SIGSTOPs itself (4 kB receive buffer), so the server meets a peer that
  takes nothing for the whole window.

Added per condition: watchdog estop latches (estop_episodes; stall tests off so none is
provoked) in the measured window and since start-up; with the live view its CPU time and
memory (VmRSS) over the condition, and how many messages the stalled client drained when
resumed (what was queued for it: kernel socket buffers plus the server's per-client backlog).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import fast_path_bench as fpb  # noqa: E402

from test.ros.foxglove_client import resume_stalled_client, start_stalled_client  # noqa: E402

_state: dict[str, Any] = {"load": "", "bench": None, "client": None, "rss": []}
_start_nodes, _stop_nodes = fpb.start_nodes, fpb.stop_nodes


def _rss_kb(pid: int) -> int:
    m = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(m.group(1)) if m else -1


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_nodes(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    from robot_brain.cli.processes import NodeProcess

    _state["loadavg"] = os.getloadavg()[0]
    procs = _start_nodes(args, log_dir)
    _state["rss"] = []
    if _state["load"] in ("live_idle", "stalled_client"):
        log_path = log_dir / "live_view.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed by stop_nodes
        lv = NodeProcess("live_view", params_files=[fpb.CONFIG], parameters={"port": 0},
                         log=log).start()
        procs["live_view"] = lv
        url, end = "", time.monotonic() + 60.0
        while not url and time.monotonic() < end:
            m = re.search(r"live view on (ws://[\d.]+:\d+)", log_path.read_text(errors="replace"))
            url = m.group(1) if m else ""
            time.sleep(0.1)
        if not url:
            raise RuntimeError(f"live_view did not come up; log {log_path}")
        _state["client"] = start_stalled_client(url) if _state["load"] == "stalled_client" \
            else None
        _state["rss"].append(_rss_kb(lv.pid))
        _state["cpu"] = _cpu_s(lv.pid)
    return procs


def stop_nodes(procs: dict[str, Any]) -> None:
    bench = _state["bench"]
    # The measured window: run_condition sleeps `duration`, then 1.5 s, then (stalls off)
    # stops the nodes.
    now, duration = time.monotonic(), _state["duration"]
    with bench.rec.lock:
        wd = list(bench.rec.wd_diag)
    latches = fpb.counter_delta(wd, now - 1.5 - duration, now - 0.5, "estop_episodes")
    total = fpb.counter_delta(wd, 0.0, now, "estop_episodes")
    print(f"\n[{_state['load']}] watchdog estop latches: {latches} in the measured window "
          f"({total} since the watchdog's first report, start-up included); machine load "
          f"average {_state['loadavg']:.2f} at the start, {os.getloadavg()[0]:.2f} now")
    if "live_view" in procs:
        pid = procs["live_view"].pid
        _state["rss"].append(_rss_kb(pid))
        cpu = _cpu_s(pid) - _state["cpu"]
        print(f"[{_state['load']}] live_view: {cpu:.1f} CPU s over the condition, VmRSS "
              f"{_state['rss'][0]} kB at start, {_state['rss'][1]} kB at the end")
        if _state["client"] is not None:
            drained = resume_stalled_client(_state["client"])
            print(f"[{_state['load']}] the stalled client drained {drained} messages when "
                  f"resumed")
    _stop_nodes(procs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=60.0, help="measured seconds per condition")
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--conditions", default="no_live,live_idle,stalled_client")
    ap.add_argument("--log-dir", type=Path, default=Path("/tmp/live_view_bench"))
    ap.add_argument("--rt-priority", type=int, default=0,
                    help="SCHED_FIFO of controller and watchdog (0 = none, the default)")
    ap.add_argument("--domain", type=int, default=int(os.environ.get("ROS_DOMAIN_ID", "27")))
    args = ap.parse_args(argv)
    # Before rclpy is imported anywhere (here and in the node processes, which inherit it).
    os.environ.update(ROS_DOMAIN_ID=str(args.domain), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST")
    os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
    os.environ.setdefault("AMENT_PREFIX_PATH", sys.prefix)
    print(f"live view bench: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load "
          f"average {os.getloadavg()[0]:.2f} at start, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    # The fast-path bench's settings for the rest: shipped rate and policy, no provoked
    # stalls (they would latch the watchdog on purpose).
    args.rate_hz, args.policy, args.phase_lock = 100.0, "onnx", "on"
    args.stalls, args.deadline_ms, args.sentinel, args.llama_nice = 0, 20.0, False, 10
    args.log_dir.mkdir(parents=True, exist_ok=True)
    fpb.start_nodes, fpb.stop_nodes = start_nodes, stop_nodes
    bench = fpb.Bench(args)
    _state["bench"], _state["duration"] = bench, args.duration
    try:
        for load in args.conditions.split(","):
            _state["load"] = load
            fpb.run_condition(bench, args, load, args.log_dir)
    finally:
        bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
