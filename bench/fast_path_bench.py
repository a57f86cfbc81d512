#!/usr/bin/env python3
"""Fast-path benchmark: sim + perception + controller + watchdog on a real ROS graph, idle and
with a llama.cpp generation running continuously on the same machine.

    .venv/bin/python bench/fast_path_bench.py --duration 300            # 5 min per condition
    .venv/bin/python bench/fast_path_bench.py --duration 60 --loads idle,llama1,llama2

Per load condition (idle; llama.cpp with the embedded Gemma 3 270M generating without pause
on 1 or 2 threads at the planner's nice level) it starts the four nodes (one OS process each,
as `robot-brain demo` does), keeps the robot walking between places by publishing
`planner/goal` itself, and measures for `--duration` seconds:

* controller tick period p50/p99/max and jitter p99 (|period - nominal|), from the
  controller's 1 s `/diagnostics` windows (median and worst window), overruns and skipped
  ticks (lifetime counters, difference over the window);
* watchdog deadline misses (its counter over the window);
* scan->cmd_vel latency: for every scan stamp, the first `cmd_vel` carrying it (the controller
  stamps commands with the perception stamp, the watchdog forwards it) minus the stamp,
  received by this script's probe node (so DDS delivery to the probe is included), when that
  command follows a moving one (after a zero it is a heartbeat or a goal's first move);
* stall->stop reaction: after the window, `--stalls` times, SIGSTOP the controller and time
  the first zero command the watchdog publishes on `cmd_vel`, then SIGCONT.
* with `--sentinel`: a platform sentinel per CPU (bench/platform_sentinel.py, SCHED_FIFO 99)
  records every moment a CPU itself went missing; each watchdog latch and each late controller
  tick of the window is listed beside the sentinel records around it.

Prints one block per condition; numbers go into BENCHMARKS.md ("Fast path").
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
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
#: Goals the robot walks between (apartment world), round the plant and the pillar.
ROUTE = [(2.5, 0.8), (-1.0, 0.0), (-3.0, -1.5), (-1.0, 0.0)]
GOAL_REACHED_M = 0.4
GOAL_GIVE_UP_S = 40.0

LLAMA_LOAD = r'''
import os, sys, time
threads, nice = int(sys.argv[1]), int(sys.argv[2])
if nice:
    os.nice(nice)
from llama_cpp import Llama
from robot_brain.core.llm.model_files import packaged_model_path
llm = Llama(model_path=str(packaged_model_path()), n_threads=threads, n_threads_batch=threads,
            n_ctx=512, verbose=False)
print("ready", flush=True)
tokens, t0 = 0, time.monotonic()
while True:
    for _ in llm("Describe, room by room, a slow walk through a large apartment:",
                 max_tokens=256, temperature=0.8, stream=True):
        tokens += 1
        if tokens % 32 == 0:
            print(f"tok/s {tokens / (time.monotonic() - t0):.1f}", flush=True)
'''


@dataclass
class Records:
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: (callback system time, callback monotonic, stamp ns, linear, angular, DDS reception)
    cmd: list[tuple[float, float, int, float, float, float]] = field(default_factory=list)
    #: (callback system time, stamp ns, DDS reception)
    scans: list[tuple[float, int, float]] = field(default_factory=list)
    ctl_diag: list[tuple[float, dict[str, str]]] = field(default_factory=list)
    wd_diag: list[tuple[float, dict[str, str]]] = field(default_factory=list)
    pose: tuple[float, float] = (0.0, 0.0)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q / 100.0 * (len(s) - 1)))))
    return s[k]


def stamp_ns(stamp: Any) -> int:
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        import rclpy
        from diagnostic_msgs.msg import DiagnosticArray
        from geometry_msgs.msg import PoseStamped, TwistStamped
        from nav_msgs.msg import Odometry
        from sensor_msgs.msg import LaserScan

        from robot_brain.ros import qos
        from robot_brain.ros.spinner import BackgroundSpinner

        self.args = args
        self.rec = Records()
        rclpy.init()
        self.node = rclpy.create_node("fast_path_bench")
        self.PoseStamped = PoseStamped
        n = self.node
        n.create_subscription(TwistStamped, "cmd_vel", self._on_cmd, qos.RELIABLE)
        n.create_subscription(LaserScan, "perception/obstacles", self._on_scan, qos.RELIABLE)
        n.create_subscription(Odometry, "odom", self._on_odom, qos.SENSOR)
        n.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, qos.DIAGNOSTICS)
        self.goal_pub = n.create_publisher(PoseStamped, "planner/goal", qos.STATE)
        self.spinner = BackgroundSpinner(n)

    # -- probe callbacks (receipt time on the system clock: stamps are system time) --------
    # Two receipt times: the Python callback's (late whenever this process's GIL is held by
    # its non-real-time main thread, a delay of the instrument, not of the brain) and the
    # middleware's reception time (MessageInfo, taken by the probe's real-time DDS thread:
    # what a C++ locomotion controller subscribing to cmd_vel would see).

    def _on_cmd(self, msg: Any, info: Any) -> None:
        with self.rec.lock:
            self.rec.cmd.append((time.time(), time.monotonic(), stamp_ns(msg.header.stamp),
                                 msg.twist.linear.x, msg.twist.angular.z,
                                 info["received_timestamp"] * 1e-9))

    def _on_scan(self, msg: Any, info: Any) -> None:
        with self.rec.lock:
            self.rec.scans.append((time.time(), stamp_ns(msg.header.stamp),
                                   info["received_timestamp"] * 1e-9))

    def _on_odom(self, msg: Any) -> None:
        self.rec.pose = (msg.pose.pose.position.x, msg.pose.pose.position.y)

    def _on_diag(self, msg: Any) -> None:
        now = time.monotonic()
        for s in msg.status:
            values = {kv.key: kv.value for kv in s.values}
            with self.rec.lock:
                if s.name.startswith("controller"):
                    self.rec.ctl_diag.append((now, values))
                elif s.name.startswith("watchdog: deadline"):
                    self.rec.wd_diag.append((now, values))

    def publish_goal(self, x: float, y: float) -> None:
        msg = self.PoseStamped()
        msg.header.frame_id = "odom"
        msg.header.stamp = self.node.get_clock().now().to_msg()
        msg.pose.position.x = x
        msg.pose.position.y = y
        msg.pose.orientation.w = 1.0
        self.goal_pub.publish(msg)

    def close(self) -> None:
        self.spinner.stop()


class GoalCycler:
    """Republishes the current goal at 2 Hz and moves on when reached (or given up on)."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.i = 0
        self.since = time.monotonic()
        self.reached = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            gx, gy = ROUTE[self.i % len(ROUTE)]
            x, y = self.bench.rec.pose
            if (x - gx) ** 2 + (y - gy) ** 2 <= GOAL_REACHED_M ** 2:
                self.reached += 1
                self.i += 1
                self.since = time.monotonic()
            elif time.monotonic() - self.since > GOAL_GIVE_UP_S:
                self.i += 1
                self.since = time.monotonic()
            gx, gy = ROUTE[self.i % len(ROUTE)]
            self.bench.publish_goal(gx, gy)
            self._stop.wait(0.5)

    def stop(self) -> None:
        self._stop.set()


def start_nodes(args: argparse.Namespace, log_dir: Path) -> dict[str, Any]:
    from robot_brain.cli.processes import NodeProcess

    rt = {"rt_priority": args.rt_priority}
    # Sim and perception keep the config's (lower) real-time priorities unless RT is off.
    upstream = {"rt_priority": 0} if args.rt_priority == 0 else {}
    specs: dict[str, dict[str, Any]] = {
        "sim": dict(upstream),
        "perception": dict(upstream),
        "watchdog": dict(rt),
        "controller": dict(rt, policy=args.policy, rate_hz=float(args.rate_hz),
                           phase_lock=args.phase_lock == "on"),
    }
    procs = {}
    for name, params in specs.items():
        log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop_nodes
        procs[name] = NodeProcess(name, params_files=[CONFIG], parameters=params,
                                  log=log).start()
    return procs


def stop_nodes(procs: dict[str, Any]) -> None:
    from robot_brain.cli.processes import stop_all

    stop_all(list(procs.values()))
    for p in procs.values():
        if p.log:
            p.log.close()


def start_llama(threads: int, nice: int, log_dir: Path) -> subprocess.Popen[bytes]:
    log = open(log_dir / f"llama{threads}.log", "wb")  # noqa: SIM115 - lives with the process
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", LLAMA_LOAD, str(threads), str(nice)],
                            stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 180.0
    path = log_dir / f"llama{threads}.log"
    while time.monotonic() < deadline:
        if "ready" in path.read_text(errors="replace"):
            return proc
        if proc.poll() is not None:
            raise RuntimeError(f"llama.cpp load exited: {path.read_text(errors='replace')}")
        time.sleep(0.5)
    raise RuntimeError("llama.cpp load did not start within 180 s")


def llama_rate(log_dir: Path, threads: int) -> str:
    lines = [ln for ln in (log_dir / f"llama{threads}.log").read_text(errors="replace")
             .splitlines() if ln.startswith("tok/s")]
    return lines[-1].split()[1] if lines else "n/a"


def steal_s() -> float:
    """Seconds the hypervisor ran something else while this VM's CPUs wanted to run (all
    CPUs; /proc/stat's 8th field, in USER_HZ ticks)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def start_sentinels(out_dir: Path) -> list[tuple[subprocess.Popen[bytes], Path]]:
    sentinels = []
    for cpu in sorted(os.sched_getaffinity(0)):
        out = out_dir / f"sentinel_cpu{cpu}.jsonl"
        log = open(out_dir / f"sentinel_cpu{cpu}.log", "wb")  # noqa: SIM115 - with the process
        proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "platform_sentinel.py"),
                                 "--cpu", str(cpu), "--out", str(out)],
                                stdout=log, stderr=subprocess.STDOUT)
        sentinels.append((proc, out))
    return sentinels


def stop_sentinels(sentinels: list[tuple[subprocess.Popen[bytes], Path]]) -> None:
    for proc, _ in sentinels:
        proc.terminate()
    for proc, _ in sentinels:
        proc.wait(timeout=10.0)


def sentinel_records(sentinels: list[tuple[subprocess.Popen[bytes], Path]]
                     ) -> list[dict[str, float]]:
    records = []
    for _, path in sentinels:
        for line in path.read_text().splitlines()[1:]:
            records.append(json.loads(line))
    return sorted(records, key=lambda r: r["woke_wall"])


LOG_LINE = re.compile(r"^\[(\w+)\] \[(\d+\.\d+)\] \[(\w+)\]: (.*)$")


def log_events(node_logs: Path, t0: float, t1: float) -> list[tuple[float, str, str]]:
    """Watchdog latches and late/slow controller ticks logged in [t0, t1] (wall clock)."""
    events = []
    for name, marker in (("watchdog", "LATCHED"), ("controller", "tick late"),
                         ("controller", "tick took")):
        path = node_logs / f"{name}.log"
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            m = LOG_LINE.match(line)
            if m and marker in m.group(4) and t0 <= float(m.group(2)) <= t1:
                events.append((float(m.group(2)), name, m.group(4)))
    return sorted(events)


def print_sentinel_report(sentinels: list[tuple[subprocess.Popen[bytes], Path]],
                          node_logs: Path, t0: float, t1: float) -> None:
    records = [r for r in sentinel_records(sentinels) if t0 <= r["woke_wall"] <= t1]
    by_cpu: dict[int, list[float]] = {}
    for r in records:
        by_cpu.setdefault(int(r["cpu"]), []).append(r["late_ms"])
    summary = ", ".join(f"cpu{c} {len(v)} (max {max(v):.1f} ms)" for c, v in
                        sorted(by_cpu.items())) or "none"
    print(f"platform stalls     CPU wake-ups > 3 ms late at SCHED_FIFO 99: {summary}")
    for t, name, text in log_events(node_logs, t0, t1):
        near = [r for r in records if t - 0.06 <= r["woke_wall"] <= t + 0.005]
        seen = "; ".join(f"cpu{int(r['cpu'])} {r['late_ms']:.1f} ms late (run queue "
                         f"{r['run_queue_ms']:.1f} ms), woke {1e3 * (r['woke_wall'] - t):+.0f} ms"
                         for r in near) or "no CPU stall within 60 ms before"
        print(f"  {name} {text[:110]}")
        print(f"    sentinel: {seen}")


def window_values(diag: list[tuple[float, dict[str, str]]], t0: float, t1: float,
                  key: str) -> list[float]:
    out = []
    for t, v in diag:
        if t0 <= t <= t1 and key in v:
            try:
                out.append(float(v[key]))
            except ValueError:
                pass
    return out


def counter_delta(diag: list[tuple[float, dict[str, str]]], t0: float, t1: float,
                  key: str) -> int | None:
    inside = [int(float(v[key])) for t, v in diag if t0 <= t <= t1 and key in v]
    before = [int(float(v[key])) for t, v in diag if t < t0 and key in v]
    if not inside:
        return None
    return inside[-1] - (before[-1] if before else inside[0])


def measure_stalls(bench: Bench, ctl: Any, count: int) -> list[tuple[float, float]]:
    """Per stall: (first stopping command, zero) after SIGSTOP of the controller, in s. The
    watchdog's graded response slows down first, then reaches zero at its deceleration (NaN
    when zero was not reached). A stopping command is one the watchdog made itself: its stamp
    is not a scan's (forwarded commands carry their scan's stamp)."""
    reactions: list[tuple[float, float]] = []
    attempts = 0
    while len(reactions) < count and attempts < 4 * count:
        attempts += 1
        time.sleep(2.0)
        with bench.rec.lock:
            last = bench.rec.cmd[-1] if bench.rec.cmd else None
        if last is None or (last[3] == 0.0 and last[4] == 0.0):
            continue  # not moving (or held): a stop could not be told from a command
        t_stop = time.monotonic()
        ctl.signal_group(signal.SIGSTOP)
        try:
            time.sleep(1.0)  # long enough to decelerate from full speed (0.6 m/s at 1.5 m/s^2)
        finally:
            ctl.signal_group(signal.SIGCONT)
        with bench.rec.lock:
            after = [c for c in bench.rec.cmd if c[1] > t_stop]
            scans = {s[1] for s in bench.rec.scans}
        slowing = [c for c in after if c[2] not in scans]
        zero = [c for c in after if c[3] == 0.0 and c[4] == 0.0]
        if slowing:
            reactions.append((slowing[0][1] - t_stop,
                              zero[0][1] - t_stop if zero else math.nan))
        time.sleep(1.5)
    return reactions


def run_condition(bench: Bench, args: argparse.Namespace, load: str, log_dir: Path) -> None:
    llama = None
    threads = int(load[len("llama"):]) if load.startswith("llama") else 0
    if threads:
        llama = start_llama(threads, args.llama_nice, log_dir)
    node_logs = log_dir / load
    node_logs.mkdir(parents=True, exist_ok=True)
    sentinels = start_sentinels(node_logs) if args.sentinel else []
    procs = start_nodes(args, node_logs)
    cycler = None
    try:
        t_wait = time.monotonic()
        while not bench.rec.cmd:
            if time.monotonic() - t_wait > 90.0:
                raise RuntimeError(f"no cmd_vel within 90 s; logs in {log_dir}")
            time.sleep(0.2)
        cycler = GoalCycler(bench)
        time.sleep(args.warmup)
        t0w, t0m, steal0 = time.time(), time.monotonic(), steal_s()
        time.sleep(args.duration)
        t1w, t1m, steal1 = time.time(), time.monotonic(), steal_s()
        time.sleep(1.5)  # the last diagnostics window
        reactions = measure_stalls(bench, procs["controller"], args.stalls)
        reached = cycler.reached
    finally:
        if cycler is not None:
            cycler.stop()
        stop_nodes(procs)
        stop_sentinels(sentinels)
        tokens = llama_rate(log_dir, threads) if threads else ""
        if llama is not None:
            os.killpg(llama.pid, signal.SIGKILL)
            llama.wait()

    with bench.rec.lock:
        cmds = [c for c in bench.rec.cmd if t0w <= c[0] <= t1w]
        scans = [s for s in bench.rec.scans if t0w - 1.0 <= s[0] <= t1w]
        ctl, wd = list(bench.rec.ctl_diag), list(bench.rec.wd_diag)
        bench.rec.cmd.clear()
        bench.rec.scans.clear()
        bench.rec.ctl_diag.clear()
        bench.rec.wd_diag.clear()
    scan_stamps = {s[1] for s in scans}
    first: dict[int, float] = {}
    first_dds: dict[int, float] = {}
    taken: set[int] = set()
    after_zero = False
    for t, _, stamp, linear, angular, t_dds in cmds:
        # As the bag report (robot_brain/core/report/collector.py): a command after a zero
        # (the controller's heartbeat while it holds, or its first move after a hold, which a
        # goal starts) takes its stamp but is not that scan's reaction.
        reaction, after_zero = not after_zero, linear == 0.0 and angular == 0.0
        if stamp in scan_stamps and stamp not in taken:
            taken.add(stamp)
            if reaction:
                first[stamp] = t
                first_dds[stamp] = t_dds
    latency = [1e3 * (t - s * 1e-9) for s, t in first.items()]
    latency_dds = [1e3 * (t - s * 1e-9) for s, t in first_dds.items() if t > 0.0]
    # The split (DDS reception times): stamp -> perception/obstacles at the probe (sim
    # publishing + perception), and that -> the first cmd_vel (the wait for the tick, the
    # tick, the watchdog hop).
    seen = {s: t_dds for _, s, t_dds in scans if t_dds > 0.0}
    upstream = [1e3 * (seen[s] - s * 1e-9) for s in first_dds if s in seen]
    downstream = [1e3 * (t - seen[s]) for s, t in first_dds.items() if s in seen]
    c0, c1 = t0m + 0.5, t1m + 1.2
    p50 = window_values(ctl, c0, c1, "period_p50_ms")
    p99 = window_values(ctl, c0, c1, "period_p99_ms")
    pmax = window_values(ctl, c0, c1, "period_max_ms")
    jit = window_values(ctl, c0, c1, "jitter_p99_ms")
    cmax = window_values(ctl, c0, c1, "compute_max_ms")
    cp99 = window_values(ctl, c0, c1, "compute_p99_ms")
    rate = window_values(ctl, c0, c1, "rate_hz")
    med = statistics.median
    label = load if not threads else f"{load} (llama.cpp {threads} thread(s), nice " \
                                      f"{args.llama_nice}, {tokens} tok/s)"
    print(f"\n== {label}: {args.duration:.0f} s at {args.rate_hz:g} Hz, policy {args.policy}, "
          f"rt_priority {args.rt_priority}, phase lock {args.phase_lock} ==")
    if p50:
        print(f"tick rate           {med(rate):.2f} Hz (median of {len(rate)} 1-s windows)")
        print(f"tick period p50     {med(p50):.3f} ms")
        print(f"tick period p99     {med(p99):.3f} ms median window, {max(p99):.3f} ms worst")
        print(f"tick period max     {max(pmax):.3f} ms")
        print(f"jitter p99          {med(jit):.3f} ms median window, {max(jit):.3f} ms worst")
        print(f"compute p99 / max   {med(cp99):.3f} ms / {max(cmax):.3f} ms")
    else:
        print("no controller diagnostics received")
    ticks = counter_delta(ctl, c0, c1, "ticks")
    over = counter_delta(ctl, c0, c1, "jitter_over_budget")
    if ticks and over is not None:
        print(f"jitter > 1 ms       {over} of {ticks} ticks ({100.0 * over / ticks:.3f} %; "
              f"<= 1 % means whole-run jitter p99 <= 1 ms)")
    corr = counter_delta(ctl, c0, c1, "phase_corrections")
    if corr is not None:
        err = window_values(ctl, c0, c1, "phase_error_ms")
        print(f"phase lock          {corr} corrections, phase error median "
              f"{med(err) if err else float('nan'):.2f} ms")
    print(f"overruns            {counter_delta(ctl, c0, c1, 'overruns')}")
    print(f"skipped ticks       {counter_delta(ctl, c0, c1, 'skipped_ticks')}")
    print(f"deadline misses     {counter_delta(wd, c0, c1, 'deadline_misses')} "
          f"(watchdog deadline {args.deadline_ms:g} ms)")
    causes = {c: counter_delta(wd, c0, c1, f"late_commands.{c}")
              for c in ("publisher", "delivery", "receiver", "unknown")}
    print(f"  watchdog          late commands by cause "
          f"{', '.join(f'{c} {n}' for c, n in causes.items())}; commands taken before a "
          f"check {counter_delta(wd, c0, c1, 'commands_taken_before_check')}")
    print(f"scan->cmd_vel       p50 {pct(latency_dds, 50):.2f} ms, p99 "
          f"{pct(latency_dds, 99):.2f} ms, max {max(latency_dds, default=float('nan')):.2f} ms "
          f"({len(latency_dds)} scans; DDS reception at the probe)")
    print(f"  at the callback   p50 {pct(latency, 50):.2f} ms, p99 {pct(latency, 99):.2f} ms, "
          f"max {max(latency, default=float('nan')):.2f} ms (the probe's Python callback)")
    print(f"  of which          stamp->obstacles p50 {pct(upstream, 50):.2f} / p99 "
          f"{pct(upstream, 99):.2f} ms; obstacles->cmd_vel p50 {pct(downstream, 50):.2f} / "
          f"p99 {pct(downstream, 99):.2f} ms (DDS reception at the probe)")
    if reactions:
        ms = [1e3 * r for r, _ in reactions]
        zeros = [1e3 * z for _, z in reactions if z == z]
        print(f"stall->stop         first stopping command median {med(ms):.1f} ms, max "
              f"{max(ms):.1f} ms; zero median {med(zeros) if zeros else math.nan:.0f} ms, max "
              f"{max(zeros, default=math.nan):.0f} ms ({len(ms)} stalls)")
    else:
        print("stall->stop         no measurement (robot not moving at stall time)")
    print(f"goals reached       {reached} (route {ROUTE})")
    print(f"hypervisor steal    {1e3 * (steal1 - steal0):.0f} ms over the window (all CPUs); "
          f"node logs in {node_logs}")
    if sentinels:
        print_sentinel_report(sentinels, node_logs, t0w, t1w)
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=300.0, help="measured seconds per load")
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--loads", default="idle,llama1,llama2")
    ap.add_argument("--rate-hz", type=float, default=100.0)
    ap.add_argument("--policy", default="onnx", choices=("onnx", "analytic"))
    ap.add_argument("--rt-priority", type=int, default=0,
                    help="controller and watchdog (sim and perception: the config's); 0 = "
                         "no real-time scheduling anywhere")
    ap.add_argument("--phase-lock", choices=("on", "off"), default="on")
    ap.add_argument("--llama-nice", type=int, default=10, help="the planner's default nice")
    ap.add_argument("--stalls", type=int, default=5)
    ap.add_argument("--deadline-ms", type=float, default=20.0,
                    help="for the printout; the watchdog's deadline comes from the config")
    ap.add_argument("--sentinel", action="store_true",
                    help="a SCHED_FIFO 99 platform sentinel per CPU (bench/platform_sentinel.py)")
    ap.add_argument("--domain", type=int, default=int(os.environ.get("ROS_DOMAIN_ID", "26")))
    ap.add_argument("--log-dir", type=Path, default=Path("/tmp/fast_path_bench"))
    args = ap.parse_args(argv)
    # Before rclpy is imported anywhere (here and in the node processes, which inherit it).
    os.environ["ROS_DOMAIN_ID"] = str(args.domain)
    os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
    os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
    prefixes = [p for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    if sys.prefix not in prefixes:
        os.environ["AMENT_PREFIX_PATH"] = os.pathsep.join([sys.prefix] + prefixes)
    args.log_dir.mkdir(parents=True, exist_ok=True)
    print(f"fast path bench: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.2f} at start, logs in {args.log_dir}")
    if args.rt_priority > 0:
        # The probe too, before rclpy starts its threads (they inherit the policy): otherwise
        # its own scheduling delay on a loaded machine is counted as scan->cmd_vel latency.
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(args.rt_priority))
        except OSError as exc:
            print(f"probe: SCHED_FIFO refused ({exc})")
    bench = Bench(args)
    if args.rt_priority > 0:
        # Back to normal for this (main) thread only: the node and llama.cpp processes it
        # starts must not inherit SCHED_FIFO; the probe's threads keep it.
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    try:
        for load in args.loads.split(","):
            run_condition(bench, args, load.strip(), args.log_dir)
    finally:
        bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
