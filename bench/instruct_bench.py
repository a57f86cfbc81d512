#!/usr/bin/env python3
"""Instruct action benchmark: the planner's brain/instruct on a real graph of the nodes it needs.

    .venv/bin/python bench/instruct_bench.py                       # 200 goals, 10 walks
    .venv/bin/python bench/instruct_bench.py --goals 400 --walks 20 --json out.json

Starts sim, perception, controller, watchdog and planner (one OS process each, the shipped
config; the planner with its vertical tier and the scripted backend, so no LLM is loaded: the
instructions are ones the vertical tier answers), and an Instruct client in this process. Not
the whole brain (no power monitor, recorder or LLM worker): the integrator runs that bench.

1. Goal response: `--goals` goals one after the other, half instructions the vertical tier
   answers (each preempts the one before) and half refused at once (empty, oversized): the time
   from sending the goal request to the goal response's arrival, p50/p99/max, accepted and
   refused apart. Target: p99 <= 20 ms.
2. Feedback and cancel, `--walks` times: a goal to a place; once the robot walks (cmd_vel
   forward > 0.1 m/s for `--walk-s`), the client cancels it. Feedback: the gaps between one
   goal's feedback messages (receipt times), p50/p99/max, and each goal's rate. Target: >= 2 Hz.
   Cancel: from just before the cancel request to the first stopping command (linear and
   angular zero) the watchdog publishes on cmd_vel, by the middleware's receipt time in this
   process. Target: <= 100 ms.

Prints the figures with the machine (lscpu model name) and the date; numbers go into
BENCHMARKS.md ("Instruct action").
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CONFIG = ROOT / "config" / "brain.yaml"
NODES = ("sim", "perception", "controller", "watchdog", "planner")
#: Instructions the vertical tier answers (checked: each plan's source must be 'vertical').
INSTRUCTIONS = ("Please walk over to the kitchen.", "Go to the door.",
                "Walk to the window, please.", "Could you go to the sofa?")
WALK_PLACES = ("kitchen", "door", "window", "sofa")
START_TIMEOUT_S = 120.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(math.ceil(q / 100.0 * len(ordered))) - 1)]


def dist(values: list[float], scale: float = 1e3) -> dict[str, float]:
    return {"n": len(values), "p50": round(scale * pct(values, 50), 2),
            "p99": round(scale * pct(values, 99), 2),
            "max": round(scale * max(values, default=math.nan), 2)}


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


@dataclass
class Records:
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: cmd_vel: (middleware receipt, system clock s; linear x; angular z)
    cmd: list[tuple[float, float, float]] = field(default_factory=list)
    #: feedback receipts (monotonic) of the goal being watched, with its tier
    feedback: list[tuple[float, str]] = field(default_factory=list)


class Client:
    def __init__(self) -> None:
        import rclpy
        from geometry_msgs.msg import TwistStamped
        from rclpy.action import ActionClient
        from robot_brain_interfaces.action import Instruct

        from robot_brain.ros import qos
        from robot_brain.ros.spinner import BackgroundSpinner

        rclpy.init()
        self.Instruct = Instruct
        self.rec = Records()
        self.node = rclpy.create_node("instruct_bench")
        self.node.create_subscription(TwistStamped, "cmd_vel", self._on_cmd, qos.RELIABLE)
        self.client = ActionClient(self.node, Instruct, "brain/instruct")
        self.spinner = BackgroundSpinner(self.node)

    def _on_cmd(self, msg: Any, info: Any) -> None:
        with self.rec.lock:
            self.rec.cmd.append((info["received_timestamp"] * 1e-9, msg.twist.linear.x,
                                 msg.twist.angular.z))

    def _on_feedback(self, message: Any) -> None:
        with self.rec.lock:
            self.rec.feedback.append((time.monotonic(), message.feedback.tier))

    def send(self, text: str, watch: bool = False) -> tuple[Any, float]:
        """(goal handle, seconds from the request to the response's arrival)."""
        arrived: list[float] = []
        goal = self.Instruct.Goal(instruction=text, sender="instruct_bench")
        t0 = time.monotonic()
        future = self.client.send_goal_async(
            goal, feedback_callback=self._on_feedback if watch else None)
        future.add_done_callback(lambda _: arrived.append(time.monotonic()))
        wait(lambda: bool(arrived), 30.0, "the goal response")
        return future.result(), arrived[0] - t0

    def close(self) -> None:
        self.spinner.stop()


def wait(predicate: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.001)


def start_nodes(rt_priority: int, log_dir: Path) -> list[Any]:
    from robot_brain.cli.processes import NodeProcess

    reply = json.dumps({"steps": [{"skill": "navigate_to", "place": "kitchen"}]})
    replies = log_dir / "replies.json"
    replies.write_text(json.dumps([reply]))
    params: dict[str, dict[str, Any]] = {n: {"rt_priority": rt_priority} for n in NODES
                                         if n != "planner"}
    params["planner"] = {"backend": "scripted", "scripted_reply_file": str(replies),
                         "vertical_tier": True}
    procs = []
    for name in NODES:
        log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop_nodes
        procs.append(NodeProcess(name, params_files=[CONFIG], parameters=params[name],
                                 log=log).start())
    return procs


def stop_nodes(procs: list[Any]) -> None:
    from robot_brain.cli.processes import stop_all

    stop_all(procs)
    for p in procs:
        if p.log:
            p.log.close()


def goal_responses(c: Client, goals: int) -> dict[str, Any]:
    accepted: list[float] = []
    refused: list[float] = []
    tiers_ok = 0
    for i in range(goals):
        if i % 2 == 0:
            handle, took = c.send(INSTRUCTIONS[(i // 2) % len(INSTRUCTIONS)])
            if not handle.accepted:
                raise RuntimeError(f"goal {i} refused: is the robot held? (see the logs)")
            accepted.append(took)
            tiers_ok += 1
        else:
            text = "" if (i // 2) % 2 == 0 else "walk " * 2000  # empty, 10 kB
            handle, took = c.send(text)
            if handle.accepted:
                raise RuntimeError(f"goal {i} ({len(text)} characters) was accepted")
            refused.append(took)
        time.sleep(0.05)
    return {"accepted_ms": dist(accepted), "refused_ms": dist(refused),
            "all_ms": dist(accepted + refused)}


def walks(c: Client, count: int, walk_s: float) -> dict[str, Any]:
    Instruct = c.Instruct
    gaps: list[float] = []
    rates: list[float] = []
    stops: list[float] = []
    tiers: set[str] = set()
    for i in range(count):
        place = WALK_PLACES[i % len(WALK_PLACES)]
        with c.rec.lock:
            c.rec.feedback.clear()
        handle, _ = c.send(f"Please walk to the {place}.", watch=True)
        if not handle.accepted:
            raise RuntimeError(f"walk {i} refused")
        t_goal = time.monotonic()

        def walking_since() -> float | None:
            with c.rec.lock:
                recent = c.rec.cmd[-50:]
            moving = [t for t, v, _ in recent if v > 0.1]
            return moving[0] if moving else None

        # Walking for walk_s (or the place reached first: then the next place).
        wait(lambda: walking_since() is not None, 60.0, f"the robot walking to the {place}")
        time.sleep(walk_s)
        result = handle.get_result_async()
        if result.done():
            continue  # arrived before the cancel: no cancel to time
        t_cancel = time.time()
        handle.cancel_goal_async()
        wait(result.done, 30.0, "the cancelled goal's result")
        outcome = result.result().result.outcome
        if outcome != Instruct.Result.CANCELLED:
            continue
        wait(lambda at=t_cancel: any(t > at and v == 0.0 and w == 0.0  # type: ignore[misc]
                                     for t, v, w in list(c.rec.cmd)), 10.0,
             "a stopping command")
        with c.rec.lock:
            first = next(t for t, v, w in c.rec.cmd if t > t_cancel and v == 0.0 and w == 0.0)
            received = [t for t, _ in c.rec.feedback]
            tiers.update(tier for _, tier in c.rec.feedback if tier)
        stops.append(first - t_cancel)
        span = time.monotonic() - t_goal
        gaps += [b - a for a, b in zip(received, received[1:], strict=False)]
        rates.append(len(received) / span)
        time.sleep(1.0)  # standing still before the next walk
    return {"feedback_gap_ms": dist(gaps), "feedback_rate_hz_min": round(min(rates, default=0),
                                                                         2),
            "feedback_rate_hz_median": round(statistics.median(rates), 2) if rates else None,
            "cancel_to_stop_ms": dist(stops), "walks_cancelled": len(stops),
            "tiers": sorted(tiers)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--goals", type=int, default=200, help="goal requests (half refused)")
    ap.add_argument("--walks", type=int, default=10, help="walks cancelled while walking")
    ap.add_argument("--walk-s", type=float, default=2.0, help="seconds walked before a cancel")
    ap.add_argument("--rt-priority", type=int, default=0,
                    help="rt_priority of the fast-path nodes (0: normal scheduling)")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "instruct_bench")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    args = ap.parse_args(argv)
    log_dir = args.out / time.strftime("%Y%m%d-%H%M%S")
    log_dir.mkdir(parents=True, exist_ok=True)
    machine = cpu_model()
    print(f"instruct bench: {machine}, {platform.node()}, "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')}, logs {log_dir}", flush=True)
    procs = start_nodes(args.rt_priority, log_dir)
    c = Client()
    try:
        if not c.client.wait_for_server(timeout_sec=START_TIMEOUT_S):
            raise RuntimeError("no brain/instruct server")
        wait(lambda: len(c.rec.cmd) > 10, START_TIMEOUT_S, "cmd_vel from the watchdog")
        time.sleep(3.0)  # the controller's first goal-less ticks, the planner's first status
        responses = goal_responses(c, args.goals)
        print(f"goal response (ms): accepted {responses['accepted_ms']}, refused "
              f"{responses['refused_ms']}", flush=True)
        motion = walks(c, args.walks, args.walk_s)
        print(f"feedback gaps (ms) {motion['feedback_gap_ms']}, rate min "
              f"{motion['feedback_rate_hz_min']} Hz, median {motion['feedback_rate_hz_median']}"
              f" Hz; tiers {motion['tiers']}", flush=True)
        print(f"cancel -> first stopping command on cmd_vel (ms) {motion['cancel_to_stop_ms']}",
              flush=True)
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(f"load average {' '.join(load)}", flush=True)
        if args.json:
            args.json.write_text(json.dumps({"machine": machine, "date": time.strftime("%F %T"),
                                             "responses": responses, "walks": motion,
                                             "load": load}, indent=1))
    finally:
        c.close()
        stop_nodes(procs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
