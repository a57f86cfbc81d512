#!/usr/bin/env python3
"""Whole-brain benchmark: the README's main command, measured as users run it.

    .venv/bin/python bench/brain_bench.py --minutes 10                    # every condition
    .venv/bin/python bench/brain_bench.py --minutes 3 --conditions quiet,hog
    .venv/bin/python bench/brain_bench.py --minutes 10 --conditions quiet --demo-arg=--sim=mujoco

Per condition it runs `robot-brain demo` exactly as `scripts/demo.sh` does (every node in its
own process, the recorder on, the llama_cpp planner, the shipped config), and beside it a
"user" node that sends an instruction every `--every` seconds as an Instruct goal
(brain/instruct, as `robot-brain instruct` does), cycling through the world's places, or later
when the previous goal is still running (at most `--max-wait` seconds: a goal the next one
preempts is counted as cut, not done). After the `--minutes` window
no new instruction is sent and the one running may finish (the drain, within `--max-wait` of
its sending), so every plan sent is judged; CPU and RSS are the window's. Conditions:

* quiet: nothing else;
* llm:   a llama.cpp generation running without pause (1 thread, nice 10, as the planner's
         worker), on top of the planner's own generations;
* hog:   one busy process per core at nice 0;
* graph: the user node also lists topics, nodes and one node's parameters every second, as a
         person running `ros2 topic list` / `ros2 param list` beside the robot would;
* churn: a short-lived ROS process (a new DDS participant that lists the topics and exits
         after ~1 s, as one `ros2 topic list` does) every 3 s;
* live / live_stalled: the live view on (`--live`), with no client, or with a Foxglove client
         that subscribes to every channel and then stops reading (SIGSTOP, 4 kB buffer).

Reported from the bag (robot_brain.core.report) and the nodes' diagnostics: watchdog latches
per minute, time stopped by the watchdog (%), graded slow-downs, deadline misses (cmd_vel
periods over 20 ms), scan->cmd_vel p50/p99/max, controller period p99, plans done / sent, and
per node CPU (% of one core, over the run) and RSS. Numbers go into BENCHMARKS.md.

The platform's share is reported beside them: each CPU's steal time over the window (the
hypervisor's own account of time it did not run the virtual CPU, /proc/stat), and with
`--sentinel` bench/platform_sentinel.py on each CPU (SCHED_FIFO 99, a wake-up every 5 ms:
~2-4 % of each CPU) counting the wake-ups the platform itself made late. On a host that
freezes its guests' CPUs for 5-15 ms, no scheduling inside the guest keeps a 10 ms loop on
time, and these say when that happened.
"""

from __future__ import annotations

import argparse
import json
import os
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
sys.path.insert(0, str(ROOT / "bench"))

from fast_path_bench import start_llama  # noqa: E402

from robot_brain.cli.processes import children_of  # noqa: E402

#: Processes by executable; fast_path and slow_path host several nodes (composition).
NODE_NAMES = ("sim", "mujoco_sim", "perception", "controller", "fast_path", "watchdog", "planner",
              "power_monitor", "slow_path", "recorder", "live_view")
CLK_TCK = os.sysconf("SC_CLK_TCK")
LIVE_PORT = 8766
PAGE = os.sysconf("SC_PAGE_SIZE")


#: Instruct outcomes as the bench counts them: done, cut (preempted by the next instruction,
#: or cancelled) or failed (failed, timed out, no valid plan, refused).
COUNTED = {"DONE": "done", "PREEMPTED": "cut", "CANCELLED": "cut", "FAILED": "failed",
           "TIMED_OUT": "failed", "REJECTED": "failed", "REFUSED": "failed"}


@dataclass
class UserLog:
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: list[tuple[float, str]] = field(default_factory=list)
    #: each user goal's outcome ('done', 'cut', 'failed'), in the order they ended
    outcomes: list[str] = field(default_factory=list)
    #: the latest user goal's outcome so far ('' while it runs)
    current_outcome: str = ""
    #: planner/status says a plan runs or a request is out (the demo's own first goal)
    planner_busy: bool = False
    graph_queries: int = 0
    window_end: float = 0.0  # monotonic end of the measured window

    def last_plan_over(self, now: float, max_wait_s: float) -> bool:
        """The newest goal ended (or had max_wait_s to)."""
        with self.lock:
            if not self.sent:
                return True
            return bool(self.current_outcome) or now - self.sent[-1][0] >= max_wait_s


def demo_goal_outcome(out_lines: list[str]) -> str | None:
    """The demo's own first goal's outcome from its `instruction result:` line, if printed."""
    for line in out_lines:
        if "instruction result:" in line:
            word = line.split("instruction result:", 1)[1].strip().split(":")[0]
            return COUNTED.get(word, "failed")
    return None


def user_node(log: UserLog, places: list[str], every_s: float, max_wait_s: float,
              graph: bool, stop: threading.Event, draining: threading.Event) -> None:
    """Send Instruct goals every `every_s` until `draining`; with `graph`, query the graph every
    second until `stop`."""
    import rclpy
    from rcl_interfaces.srv import ListParameters
    from rclpy.action import ActionClient
    from robot_brain_interfaces.action import Instruct
    from std_msgs.msg import String

    from robot_brain.ros import qos

    rclpy.init(args=[])
    node = rclpy.create_node("bench_user")
    client = ActionClient(node, Instruct, "brain/instruct")

    def on_status(msg: String) -> None:
        try:
            status = json.loads(msg.data)
        except json.JSONDecodeError:
            return
        busy = status.get("state") == "thinking" or status.get("outcome") == "running"
        with log.lock:
            log.planner_busy = busy

    def on_result(future: Any) -> None:
        name = OUTCOME_NAMES.get(int(future.result().result.outcome), "FAILED")
        with log.lock:
            log.outcomes.append(COUNTED.get(name, "failed"))
            log.current_outcome = name

    def on_response(future: Any) -> None:
        handle = future.result()
        if handle is None or not handle.accepted:
            with log.lock:
                log.outcomes.append("failed")
                log.current_outcome = "REFUSED"
            return
        handle.get_result_async().add_done_callback(on_result)

    node.create_subscription(String, "planner/status", on_status, qos.RELIABLE)
    params = node.create_client(ListParameters, "/controller/list_parameters")
    from rclpy.executors import SingleThreadedExecutor
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    spin = threading.Thread(target=executor.spin, daemon=True)
    spin.start()
    while not stop.is_set() and not client.server_is_ready():
        time.sleep(0.2)
    i = 0
    started = time.monotonic()
    next_instruction = started + 2.0
    while not stop.is_set():
        now = time.monotonic()
        with log.lock:
            # Before its first goal the demo's own (sent before this node existed) may run.
            running = (not log.current_outcome) if log.sent else log.planner_busy
            waited = now - (log.sent[-1][0] if log.sent else started)
        if (not draining.is_set() and now >= next_instruction
                and (not running or waited >= max_wait_s)):
            place = places[i % len(places)]
            i += 1
            text = f"Please walk to the {place.replace('_', ' ')}."
            with log.lock:
                log.sent.append((now, text))
                log.current_outcome = ""
            client.send_goal_async(Instruct.Goal(instruction=text, sender="brain_bench")) \
                .add_done_callback(on_response)
            next_instruction = now + every_s
        if graph:
            node.get_topic_names_and_types()
            node.get_node_names_and_namespaces()
            if params.service_is_ready():
                params.call_async(ListParameters.Request(depth=0))
            with log.lock:
                log.graph_queries += 1
        stop.wait(1.0)
    executor.shutdown(timeout_sec=2.0)
    node.destroy_node()
    rclpy.try_shutdown()


#: Instruct.Result outcome codes by name (robot_brain_interfaces/action/Instruct.action).
OUTCOME_NAMES = {0: "UNKNOWN", 1: "DONE", 2: "REJECTED", 3: "CANCELLED", 4: "PREEMPTED",
                 5: "FAILED", 6: "TIMED_OUT"}


def node_pids(demo_pid: int) -> dict[str, int]:
    """Node name -> pid among the demo's children; the planner's LLM worker as 'llm_worker'."""
    found: dict[str, int] = {}
    for pid in children_of(demo_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for part in cmd:
            name = part.decode(errors="replace").rsplit("/", 1)[-1]
            if name in NODE_NAMES and b"lib/robot_brain" in part:
                found[name] = pid
    host = found.get("planner") or found.get("slow_path")
    if host is not None:
        for pid in children_of(host):
            # spawn's children: the resource tracker and the worker (spawn_main + a pipe fd).
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmd:
                found["llm_worker"] = pid
    return found


def steal_jiffies() -> dict[str, tuple[int, int]]:
    """Per CPU (steal, all) jiffies since boot, from /proc/stat (steal is the 8th field)."""
    out: dict[str, tuple[int, int]] = {}
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        parts = line.split()
        if parts and parts[0].startswith("cpu") and parts[0] != "cpu" and len(parts) > 8:
            values = [int(v) for v in parts[1:]]
            # guest and guest_nice (fields 9-10) are already counted in user and nice.
            out[parts[0]] = (values[7], sum(values[:8]))
    return out


def steal_pct(before: dict[str, tuple[int, int]],
              after: dict[str, tuple[int, int]]) -> dict[str, float]:
    """Each CPU's steal over the window, in % of the window."""
    pct: dict[str, float] = {}
    for cpu, (steal1, all1) in after.items():
        steal0, all0 = before.get(cpu, (steal1, all1))
        pct[cpu] = round(100.0 * (steal1 - steal0) / max(1, all1 - all0), 2)
    return pct


def start_sentinels(out_dir: Path, seconds: float) -> list[tuple[subprocess.Popen[bytes], Path]]:
    """bench/platform_sentinel.py on every CPU for `seconds`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = []
    for cpu in sorted(os.sched_getaffinity(0)):
        path = out_dir / f"sentinel_cpu{cpu}.jsonl"
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "platform_sentinel.py"), "--cpu", str(cpu),
             "--out", str(path), "--duration", f"{seconds:.0f}", "--period-ms", "5"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append((proc, path))
    return started


def sentinel_summary(paths: list[Path], minutes: float) -> dict[str, object]:
    """Late wake-ups the platform caused: count > 5 ms and > 10 ms per minute, worst."""
    late = []
    for path in paths:
        try:
            records = [json.loads(line) for line in path.read_text().splitlines()]
        except (OSError, ValueError):
            continue
        late += [r["late_ms"] for r in records if "late_ms" in r]
    per_min = max(minutes, 1e-9)
    return {"over_5ms_per_min": round(sum(x > 5.0 for x in late) / per_min, 1),
            "over_10ms_per_min": round(sum(x > 10.0 for x in late) / per_min, 1),
            "worst_ms": round(max(late, default=0.0), 1), "cpus": len(paths)}


def cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def rss_mb(pid: int) -> float | None:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20
    except OSError:
        return None


#: One new participant every 3 s, each living ~1 s (a `ros2 topic list` each).
#: The probes are plain LOCALHOST participants (shared memory + UDP), as a user's shell would
#: start them, whatever the brain was given (robot_brain/ros/dds_environment.py).
CHURN_SCRIPT = """
import os, subprocess, sys, time
ONE = ("import time, rclpy; rclpy.init(); n = rclpy.create_node('churn_probe'); "
       "time.sleep(1.0); n.get_topic_names_and_types(); n.destroy_node(); rclpy.shutdown()")
env = {k: v for k, v in os.environ.items()
       if k not in ("FASTDDS_BUILTIN_TRANSPORTS", "FASTDDS_DEFAULT_PROFILES_FILE")}
while True:
    subprocess.Popen([sys.executable, "-c", ONE], env=env)
    time.sleep(3.0)
"""


def start_hogs() -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(os.cpu_count() or 2)]


def world_places(demo_args: list[str]) -> list[str]:
    """The places of the world the demo runs in (its --world / --places arguments, else the
    packaged default), dock last."""
    from robot_brain.core.resources import resolve_world_path
    from robot_brain.core.world import load_world
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--world", default="")
    parser.add_argument("--places", default="")
    known, _ = parser.parse_known_args(demo_args)
    world = load_world(resolve_world_path(known.world), known.places)
    places = [p for p in world.places if p != "dock"]
    return places + (["dock"] if "dock" in world.places else [])


def run_condition(name: str, args: argparse.Namespace, out_dir: Path) -> dict[str, object]:
    run_dir = out_dir / name
    env = dict(os.environ, ROS_DOMAIN_ID=str(args.domain),
               ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST")
    os.environ.update({k: env[k] for k in ("ROS_DOMAIN_ID", "ROS_AUTOMATIC_DISCOVERY_RANGE")})
    loads: list[subprocess.Popen[Any]] = []
    sentinels: list[tuple[subprocess.Popen[bytes], Path]] = []
    steal: dict[str, float] = {}
    if name == "hog":
        loads = start_hogs()
    elif name == "llm":
        loads = [start_llama(1, 10, out_dir)]
    elif name == "churn":
        loads = [subprocess.Popen([sys.executable, "-c", CHURN_SCRIPT], env=env)]
    duration = args.minutes * 60.0
    # After the window: up to max_wait for the last plan to end (the drain), then a margin.
    demo_cmd = [sys.executable, "-m", "robot_brain.cli.main", "demo", "--duration",
                str(duration + args.max_wait + 30.0), "--quiet", "--run-dir", str(run_dir)]
    if args.live or name.startswith("live"):
        demo_cmd += ["--live", "--live-port", str(LIVE_PORT)]
    demo_cmd += args.demo_arg
    demo = subprocess.Popen(demo_cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    out_lines: list[str] = []
    reader = threading.Thread(target=lambda: out_lines.extend(demo.stdout or []), daemon=True)
    reader.start()
    log = UserLog()
    stop = threading.Event()
    draining = threading.Event()
    user = threading.Thread(target=user_node, args=(log, world_places(args.demo_arg), args.every,
                                                    args.max_wait, name == "graph", stop,
                                                    draining),
                            daemon=True)
    try:
        deadline = time.monotonic() + 120.0
        while not any("all" in line and "nodes up" in line for line in out_lines):
            if demo.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the demo did not start:\n" + "".join(out_lines[-20:]))
            time.sleep(0.2)
        time.sleep(5.0)  # the planner's model loads; its first instruction is the demo's
        if name == "live_stalled":
            from test.ros.foxglove_client import start_stalled_client
            loads.append(start_stalled_client(f"ws://127.0.0.1:{LIVE_PORT}"))
        user.start()
        pids = node_pids(demo.pid)
        cpu0 = {n: cpu_s(p) for n, p in pids.items()}
        steal0 = steal_jiffies()
        if args.sentinel:
            sentinels = start_sentinels(run_dir, duration)
        t0 = time.monotonic()
        rss: dict[str, list[float]] = {n: [] for n in pids}
        while time.monotonic() - t0 < duration and demo.poll() is None:
            for n, p in pids.items():
                value = rss_mb(p)
                if value is not None:
                    rss[n].append(value)
            time.sleep(1.0)
        elapsed = time.monotonic() - t0
        log.window_end = time.monotonic()
        cpu1 = {n: cpu_s(p) for n, p in pids.items()}
        steal = steal_pct(steal0, steal_jiffies())
        # The drain: no new instruction, and the one running may finish (within max_wait of
        # its sending), so every plan sent is judged done, cut or failed, none left walking.
        # CPU and RSS are the window's; the bag's figures include the drain.
        draining.set()
        while demo.poll() is None and not log.last_plan_over(time.monotonic(), args.max_wait):
            time.sleep(0.5)
    finally:
        stop.set()
        for proc, _ in sentinels:
            proc.terminate()
            proc.wait()
        for p in loads:
            p.kill()  # SIGKILL also ends a stopped process
            p.wait()
    demo.send_signal(signal.SIGINT)
    try:
        demo.wait(timeout=180)
    except subprocess.TimeoutExpired:
        demo.kill()
    reader.join(timeout=5)
    user.join(timeout=10)
    cpu = {n: 100.0 * (cpu1[n] - cpu0[n]) / elapsed for n in pids
           if cpu0.get(n) is not None and cpu1.get(n) is not None}
    result = summarise(name, run_dir, elapsed, log, cpu, rss, out_lines)
    result["platform_steal_pct"] = steal
    if sentinels:
        result["platform_sentinel"] = sentinel_summary([p for _, p in sentinels],
                                                       elapsed / 60.0)
    return result


def summarise(name: str, run_dir: Path, elapsed: float, log: UserLog,
              cpu: dict[str, float], rss: dict[str, list[float]],
              out_lines: list[str]) -> dict[str, object]:
    from robot_brain.core.report.build import collect_figures
    fig = collect_figures(run_dir / "bag")
    spans = fig.safety.watchdog_estops
    stopped = sum(s.duration_s for s in spans)
    minutes = fig.duration_s / 60.0
    wd = {k: v for status, values in fig.node_diagnostics.items() if "watchdog" in status
          for k, v in values.items()}
    with log.lock:
        # Every goal sent had its drain to finish in; the demo's own first one counts too
        # (its result is the demo's `instruction result:` line).
        sent = len(log.sent) + sum(1 for line in out_lines if "instruction sent" in line)
        outcomes = list(log.outcomes)
    first = demo_goal_outcome(out_lines)
    if first is not None:
        outcomes.append(first)
    done = outcomes.count("done")
    cut = outcomes.count("cut")
    failed = outcomes.count("failed")
    # Composed, slow_path holds the recorder too: its share then counts in the brain's figure
    # (an over-estimate of the brain). --demo-arg=--apart=recorder keeps the recorder in its
    # own process and the rest composed, as users run it; --demo-arg=--no-compose splits all.
    brain = ("perception", "controller", "fast_path", "watchdog", "planner", "power_monitor",
             "slow_path")
    result: dict[str, object] = {
        "condition": name,
        "duration_s": round(fig.duration_s, 1),
        "latches": len(spans),
        "latches_per_min": round(len(spans) / minutes, 2) if minutes else None,
        "stopped_pct": round(100.0 * stopped / fig.duration_s, 2) if fig.duration_s else None,
        "slowdowns": wd.get("slowdowns"),
        "slowdowns_resumed": wd.get("slowdowns_resumed"),
        "deadline_misses_bag": fig.command.deadline_misses,
        "scan_cmd_vel_ms": {k: round(1e3 * getattr(fig.latency_cmd_vel, k), 2)
                            for k in ("p50", "p99", "max")},
        # The bag's first seconds: the recorder still matching its subscriptions receives late.
        "scan_cmd_vel_settled_ms": {k: round(1e3 * getattr(fig.latency_cmd_vel_settled, k), 2)
                                    for k in ("p99", "max")},
        "controller_period_p99_ms": round(1e3 * fig.control.period.p99, 2),
        "plans_done": done, "plans_cut": cut, "plans_failed": failed,
        # The simulator's collision count (built-in sim or MuJoCo contacts), from /diagnostics.
        "collisions": fig.motion.collisions,
        "instructions_sent": sent,
        # Sent, but its plan still running max_wait after its sending (at most one: the user
        # node waits for a plan before the next instruction): neither done nor failed.
        "plans_running_at_end": max(0, sent - done - cut - failed),
        "cpu_pct": {n: round(v, 1) for n, v in sorted(cpu.items())},
        "cpu_brain_pct": round(sum(cpu.get(n, 0.0) for n in brain), 1),
        "cpu_brain_sim_recorder_pct": round(sum(cpu.get(n, 0.0) for n in
                                                (*brain, "sim", "mujoco_sim", "recorder")),
                                            1),
        "rss_mb": {n: round(statistics.median(v), 1) for n, v in sorted(rss.items()) if v},
        "rss_nodes_mb": round(sum(statistics.median(v) for n, v in rss.items()
                                  if v and n != "llm_worker"), 1),
        "demo_last_line": next((line.strip() for line in reversed(out_lines)
                                if "robot-brain demo:" in line), ""),
    }
    return result


def print_result(r: dict[str, object]) -> None:
    lat = r["scan_cmd_vel_ms"]
    assert isinstance(lat, dict)
    print(f"== {r['condition']} ({r['duration_s']} s) ==")
    print(f"  watchdog latches            {r['latches']} ({r['latches_per_min']}/min), "
          f"stopped {r['stopped_pct']} %")
    print(f"  graded slow-downs           {r['slowdowns']} (resumed {r['slowdowns_resumed']})")
    print(f"  deadline misses (bag)       {r['deadline_misses_bag']}")
    settled = r["scan_cmd_vel_settled_ms"]
    assert isinstance(settled, dict)
    print(f"  scan->cmd_vel               p50 {lat['p50']} ms, p99 {lat['p99']} ms, "
          f"max {lat['max']} ms; after the bag's first 2 s p99 {settled['p99']} ms, "
          f"max {settled['max']} ms")
    print(f"  controller period p99       {r['controller_period_p99_ms']} ms")
    print(f"  collisions (sim)            {r['collisions']}")
    print(f"  plans done / sent           {r['plans_done']} / {r['instructions_sent']} "
          f"(cut by the next instruction {r['plans_cut']}, failed {r['plans_failed']}, "
          f"still running at the end {r['plans_running_at_end']})")
    print(f"  CPU (% of one core)         brain {r['cpu_brain_pct']}, with sim+recorder "
          f"{r['cpu_brain_sim_recorder_pct']}: {r['cpu_pct']}")
    print(f"  RSS (MB)                    nodes {r['rss_nodes_mb']}: {r['rss_mb']}")
    print(f"  platform                    steal {r.get('platform_steal_pct')} % of each CPU"
          + (f"; sentinel {r['platform_sentinel']}" if "platform_sentinel" in r else ""))
    print(f"  demo                        {r['demo_last_line']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="per condition")
    ap.add_argument("--conditions", default="quiet,llm,hog,graph,live,live_stalled")
    ap.add_argument("--every", type=float, default=15.0, help="seconds between instructions")
    ap.add_argument("--max-wait", type=float, default=60.0,
                    help="longest wait for a running plan before the next instruction (s)")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "brain_bench")
    ap.add_argument("--domain", type=int, default=57)
    ap.add_argument("--live", action="store_true", help="also start the live view")
    ap.add_argument("--demo-arg", action="append", default=[],
                    help="extra argument for robot-brain demo, for A/B runs (repeatable; e.g. "
                         "--demo-arg=--no-compose --demo-arg=--params-file=old.yaml)")
    ap.add_argument("--sentinel", action="store_true",
                    help="also run bench/platform_sentinel.py on each CPU (costs ~2-4 %% of "
                         "each) to count the wake-ups the platform made late")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    args = ap.parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_dir = args.out / stamp
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"brain bench: {args.minutes:g} min per condition, instruction every {args.every:g} s,"
          f" {os.cpu_count()} CPUs, out {out_dir}", flush=True)
    results = []
    for name in [c.strip() for c in args.conditions.split(",") if c.strip()]:
        result = run_condition(name, args, out_dir)
        print_result(result)
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
