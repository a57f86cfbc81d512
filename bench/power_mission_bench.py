"""A mission on a small battery in real time under three LLM routings; endurance and energy.

Usage: python bench/power_mission_bench.py [--routings local,remote,aware,aware_remote]
       [--capacity-wh 12] [--time-cap-s 300] [--remote server|scripted]
       [--remote-latency-s 1.5] [--base-loads 20,100,300] [--domain 30] [--json out.json]

Each routing runs the whole brain as OS processes (sim, perception, controller, watchdog,
power_monitor, planner; node-qualified -p overrides on the shipped config) and this process
drives a mission: "go to the <place>" for the apartment's places in turn, the next instruction
as soon as the previous plan finished or failed. A run ends when the sim's battery is empty (or
at the time cap). Routings:

  local   every request to llama_cpp (Gemma 3 270M, 1 thread) in every power mode;
  remote  every request to the openai backend with `openai_locality: remote`: a llama.cpp
          server on loopback stands in for a cloud model (`--remote scripted`: the scripted
          backend posing as remote, with a fixed latency, when the machine cannot run both);
  aware   the planner's power-mode routing: normal -> `auto` (least expected energy among
          llama_cpp and openai, the robot's base load charged for the waiting), eco -> openai
          with a minimum interval, critical -> dock; accelerator power gating on (the local
          model powered only while auto would pick it, so off while the remote is cheaper,
          and off in eco and critical);
  aware_remote  normal and eco -> openai (remote), critical -> dock, power gating on: the
          local model is configured but its accelerator stays powered off all mission.

Energy is accounted from the sim's TRUE loads: locomotion = W/(m/s) x distance walked (sim
diagnostics), LLM = the planner's activity on planner/status integrated over time with the
sim's true accelerator/modem powers (what the sim drains: the idle accelerator only while
planner/status says `accelerator_on`, absent = on), base = the rest of the battery's
energy (checked against base load x time). The power monitor's own attribution (its
/diagnostics: compute + radio over draw, time-averaged) is printed beside it.

Then the base-load sweep: from each routing's measured per-task times and energies, the
endurance (runtime, and tasks per charge) with base loads of 20/100/300 W, relative to the
same robot without any LLM (no accelerator, no modem, no thinking time).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# DDS isolation must be in the environment before rclpy is imported (here and in the nodes).
os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
os.environ.setdefault("AMENT_PREFIX_PATH", sys.prefix)

import rclpy  # noqa: E402
from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.signals import SignalHandlerOptions  # noqa: E402
from sensor_msgs.msg import BatteryState  # noqa: E402
from std_msgs.msg import String  # noqa: E402

from robot_brain.cli.processes import NodeProcess, stop_all  # noqa: E402
from robot_brain.ros import qos  # noqa: E402

CONFIG = ROOT / "config" / "brain.yaml"
PLACES = ("kitchen", "living_room", "door", "window", "table", "start_area")

# The sim's TRUE loads (its defaults; passed explicitly so the accounting uses the same).
TRUE_BASE_W = 150.0
TRUE_LOCO_W_PER_MPS = 250.0
TRUE_GEN_W = 24.0
TRUE_IDLE_W = 6.0
TRUE_MODEM_W = 8.5

START_TIMEOUT_S = 180.0
TASK_TIMEOUT_S = 90.0


class BenchError(RuntimeError):
    """The benchmark cannot run: a node or the server did not start."""


# -- the routings ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Routing:
    name: str
    planner: dict[str, Any]
    backends: tuple[str, ...]  # whose "worker started" the run waits for


def routings(remote: str, server_url: str, remote_latency_s: float, reply_file: Path,
             eco_interval_s: float) -> dict[str, Routing]:
    if remote == "server":
        remote_name = "openai"
        remote_params: dict[str, Any] = {
            "base_url": server_url, "model": "gemma-3-270m", "openai_locality": "remote",
            # llama.cpp's own form; `auto` would first try OpenAI's and be refused each start
            "structured_output": "json_object", "http_timeout_s": 60.0}
    else:
        remote_name = "scripted"
        remote_params = {"scripted_reply_file": str(reply_file),
                         "scripted_latency_s": remote_latency_s, "scripted_locality": "remote"}
    # The LLM routings are measured without the vertical tier (every instruction to a model);
    # `cascade` turns it on in front of the same embedded model.
    common: dict[str, Any] = {"n_threads": 1, "step_timeout_s": 60.0, "request_timeout_s": 60.0,
                              "vertical_tier": False}
    return {
        # Today's planner before the cascade: every instruction to the embedded LLM.
        "local": Routing("local", {
            **common, "backend": "llama_cpp", "backend_normal": "llama_cpp",
            "backend_eco": "llama_cpp", "backend_critical": "llama_cpp"}, ("llama_cpp",)),
        # The cascade: stop words, the vertical model, then the same embedded LLM.
        "cascade": Routing("cascade", {
            **common, "backend": "llama_cpp", "backend_normal": "llama_cpp",
            "backend_eco": "llama_cpp", "backend_critical": "llama_cpp",
            "vertical_tier": True}, ("llama_cpp",)),
        "remote": Routing("remote", {
            **common, **remote_params, "backend": remote_name, "backend_normal": remote_name,
            "backend_eco": remote_name, "backend_critical": remote_name}, (remote_name,)),
        "aware": Routing("aware", {
            **common, **remote_params, "backend": "llama_cpp", "backend_normal": "auto",
            "backend_eco": remote_name, "backend_critical": "dock",
            "auto_candidates": ["llama_cpp", remote_name], "auto_base_load_w": TRUE_BASE_W,
            "power_gate_accelerator": True,
            # llama_cpp is gated off at once while auto prefers the remote backend
            "eco_min_interval_s": eco_interval_s}, (remote_name,)),
        # llama_cpp is configured (preferred) but no route uses it: it starts powered off.
        "aware_remote": Routing("aware_remote", {
            **common, **remote_params, "backend": "llama_cpp", "backend_normal": remote_name,
            "backend_eco": remote_name, "backend_critical": "dock",
            "power_gate_accelerator": True,
            "eco_min_interval_s": eco_interval_s}, (remote_name,)),
    }


# -- an OpenAI-compatible server on loopback, standing in for the cloud ------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LlamaServer:
    """`python -m llama_cpp.server` with the packaged GGUF, 1 thread, nice 10."""

    def __init__(self, log_dir: Path) -> None:
        from robot_brain.core.llm.model_files import resolve_model_path

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._log = open(log_dir / "llama_server.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(resolve_model_path("")),
             "--host", "127.0.0.1", "--port", str(self.port), "--n_threads", "1",
             "--n_ctx", "2048", "--verbose", "False"],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=lambda: os.nice(10))
        end = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise BenchError(f"llama_cpp.server exited with {self.proc.returncode}; see "
                                 f"{log_dir / 'llama_server.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise BenchError(f"llama_cpp.server did not listen within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(10)
        self._log.close()


# -- what the bench records --------------------------------------------------------------------

@dataclass
class Recorder:
    """Cached messages with their receipt times (monotonic); callbacks only append."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    status: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    plans: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    battery: list[tuple[float, float]] = field(default_factory=list)
    modes: list[tuple[float, str]] = field(default_factory=list)
    power_diag: list[tuple[float, dict[str, str]]] = field(default_factory=list)
    sim_diag: list[tuple[float, dict[str, str]]] = field(default_factory=list)

    def on_status(self, msg: String) -> None:
        with self.lock:
            self.status.append((time.monotonic(), json.loads(msg.data)))

    def on_plan(self, msg: String) -> None:
        with self.lock:
            self.plans.append((time.monotonic(), json.loads(msg.data)))

    def on_battery(self, msg: BatteryState) -> None:
        with self.lock:
            self.battery.append((time.monotonic(), float(msg.percentage)))

    def on_mode(self, msg: String) -> None:
        with self.lock:
            self.modes.append((time.monotonic(), msg.data))

    def on_diag(self, msg: DiagnosticArray) -> None:
        now = time.monotonic()
        for st in msg.status:
            values = {kv.key: kv.value for kv in st.values}
            with self.lock:
                if "llm_share" in values:
                    self.power_diag.append((now, values))
                elif "distance_walked_m" in values:
                    self.sim_diag.append((now, values))

    def last_battery(self) -> float:
        with self.lock:
            return self.battery[-1][1] if self.battery else math.nan

    def plans_since(self, t: float) -> list[dict[str, Any]]:
        with self.lock:
            return [p for tp, p in self.plans if tp >= t]

    def status_for(self, rid: int) -> dict[str, Any] | None:
        with self.lock:
            for _, s in reversed(self.status):
                if s["request_id"] == rid:
                    return s
        return None


class Probe:
    def __init__(self, rec: Recorder) -> None:
        self.node = rclpy.create_node("power_mission_bench")
        self.node.create_subscription(String, "planner/status", rec.on_status, qos.RELIABLE)
        self.node.create_subscription(String, "planner/plan", rec.on_plan, qos.RELIABLE)
        self.node.create_subscription(BatteryState, "battery_state", rec.on_battery,
                                      qos.RELIABLE)
        self.node.create_subscription(String, "power/mode", rec.on_mode, qos.STATE)
        self.node.create_subscription(DiagnosticArray, "/diagnostics", rec.on_diag,
                                      qos.DIAGNOSTICS)
        self.instr = self.node.create_publisher(String, "brain/instruction", qos.RELIABLE)
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.executor.shutdown(timeout_sec=2.0)
        self.node.destroy_node()


# -- one run -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    place: str
    outcome: str  # done | wrong_place | failed | rejected | dock | timeout | cut
    started: float
    ended: float
    source: str
    backend: str
    latency_s: float | None


@dataclass(frozen=True)
class RunResult:
    routing: str
    endurance_s: float       # battery start -> empty (wall clock), or projected at the cap
    depleted: bool
    tasks_done: int          # plans accepted, executed to the requested place
    tasks_done_above_critical: int
    tasks: int
    outcomes: dict[str, int]
    energy_wh: float
    base_wh: float
    loco_wh: float
    llm_wh: float            # accelerator (idle while on + generating) + modem, true loads
    llm_active_wh: float     # above the idle accelerator: what routing can change
    base_check_wh: float     # true base load x time, to compare with base_wh
    time_local_s: float      # thinking with a local backend
    time_remote_s: float     # thinking with a remote backend
    time_accel_on_s: float   # planner/status accelerator_on (absent = on)
    distance_m: float
    monitor_llm_share: float
    latency_p50_s: float
    backends_used: dict[str, int]
    mode_times: dict[str, float]
    real_time_factor: float

    @property
    def llm_share(self) -> float:
        return self.llm_wh / self.energy_wh if self.energy_wh > 0 else math.nan

    @property
    def llm_active_share(self) -> float:
        return self.llm_active_wh / self.energy_wh if self.energy_wh > 0 else math.nan


def wait_log(path: Path, text: str, timeout: float, procs: list[NodeProcess]) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        dead = [p.label for p in procs if not p.running()]
        if dead:
            raise BenchError(f"node(s) exited during start-up: {dead}; logs in {path.parent}")
        time.sleep(0.2)
    raise BenchError(f"'{text}' not in {path} within {timeout} s")


def start_node(executable: str, log_dir: Path, params: dict[str, Any]) -> NodeProcess:
    log = open(log_dir / f"{executable}.log", "wb")  # noqa: SIM115
    return NodeProcess(executable, name=executable, params_files=[CONFIG], parameters=params,
                       log=log).start()


def run_mission(routing: Routing, args: argparse.Namespace, log_dir: Path) -> RunResult:
    log_dir.mkdir(parents=True, exist_ok=True)
    rec = Recorder()
    probe = Probe(rec)
    procs: list[NodeProcess] = []
    try:
        procs.append(start_node("perception", log_dir, {}))
        procs.append(start_node("controller", log_dir, {}))
        procs.append(start_node("watchdog", log_dir, {
            "deadline_s": args.watchdog_deadline_s,
            "latch_s": max(args.watchdog_deadline_s, 0.15)}))
        procs.append(start_node("power_monitor", log_dir, {
            "capacity_wh": args.capacity_wh, "publish_rate_hz": 2.0}))
        procs.append(start_node("planner", log_dir, routing.planner))
        for name in routing.backends:
            wait_log(log_dir / "planner.log", f"{name} worker started", START_TIMEOUT_S, procs)
        # The robot (and its battery) starts last, so start-up costs no battery.
        procs.insert(0, start_node("sim", log_dir, {
            "battery_capacity_wh": args.capacity_wh, "battery_initial_percentage": 1.0,
            "battery_rate_hz": 5.0, "battery_base_load_w": TRUE_BASE_W,
            "battery_locomotion_w_per_mps": TRUE_LOCO_W_PER_MPS,
            "compute_generating_w": TRUE_GEN_W, "compute_idle_w": TRUE_IDLE_W,
            "modem_active_w": TRUE_MODEM_W}))
        end = time.monotonic() + START_TIMEOUT_S
        while not rec.battery and time.monotonic() < end:
            time.sleep(0.05)
        if not rec.battery:
            raise BenchError("no battery_state from the sim")
        while probe.instr.get_subscription_count() < 1 and time.monotonic() < end:
            time.sleep(0.05)
        t0 = rec.battery[0][0]
        tasks = drive(rec, probe, t0, args.time_cap_s, log_dir)
        time.sleep(1.5)  # the last diagnostics
    finally:
        stop_all(procs)
        for p in procs:
            if p.log:
                p.log.close()
        probe.close()
    return account(routing.name, rec, tasks, t0, args)


def drive(rec: Recorder, probe: Probe, t0: float, time_cap_s: float, log_dir: Path,
          ) -> list[Task]:
    """Instructions one after another until the battery is empty or the cap."""
    tasks: list[Task] = []
    i = 0
    docked = False
    with open(log_dir / "mission.log", "w") as log:
        while rec.last_battery() > 0.0 and time.monotonic() - t0 < time_cap_s:
            if docked:
                time.sleep(0.2)  # at the charger: the mission waits for the battery's end
                continue
            place = PLACES[i % len(PLACES)]
            i += 1
            text = f"go to the {place.replace('_', ' ')}"
            started = time.monotonic()
            probe.instr.publish(String(data=text))
            task = follow(rec, text, place, started, t0, time_cap_s)
            tasks.append(task)
            docked = task.outcome == "dock"
            log.write(f"{task.started - t0:7.1f} {task.ended - t0:7.1f} {place:<12} "
                      f"{task.outcome:<12} {task.source:<6} {task.backend:<10} "
                      f"{task.latency_s}\n")
            log.flush()
    return tasks


def follow(rec: Recorder, text: str, place: str, started: float, t0: float,
           time_cap_s: float) -> Task:
    """Until this instruction's plan is done, failed or rejected, or power mode docks."""
    plan: dict[str, Any] | None = None
    while True:
        now = time.monotonic()
        if rec.last_battery() <= 0.0 or now - t0 >= time_cap_s:
            outcome = "cut"
            break
        if now - started > TASK_TIMEOUT_S:
            outcome = "timeout"
            break
        new = rec.plans_since(started)
        power = [p for p in new if p["source"] == "power"]
        if power:
            # critical: the plan became dock (for this instruction or on the mode change).
            plan, outcome = power[-1], "dock"
            break
        if plan is None:
            mine = [p for p in new if p["instruction"] == text]
            if mine:
                plan = mine[-1]
                if not plan["accepted"]:
                    outcome = "rejected"
                    break
        else:
            st = rec.status_for(plan["request_id"])
            result = st.get("outcome", "") if st else ""
            if result == "done":
                outcome = _judge(plan, place)
                break
            if result.startswith(("failed", "cancelled")):
                outcome = "failed"
                break
        time.sleep(0.02)
    return Task(place, outcome, started, time.monotonic(),
                plan["source"] if plan else "", plan["backend"] if plan else "",
                plan["latency_s"] if plan else None)


def _judge(plan: dict[str, Any], place: str) -> str:
    if plan["source"] == "power":
        return "dock"
    places = [s.get("place") for s in plan["steps"] if s.get("skill") == "navigate_to"]
    return "done" if places and places[-1] == place else "wrong_place"


# -- accounting --------------------------------------------------------------------------------

def thinking_times(rec: Recorder, t_start: float,
                   t_end: float) -> tuple[float, float, float]:
    """Seconds thinking with a local / remote backend, and with the accelerator powered,
    from planner/status (before the first status the sim assumes it powered, and so do we)."""
    local = remote = 0.0
    with rec.lock:
        series = list(rec.status)
    first = series[0][0] if series else t_end
    accel_on = max(0.0, min(first, t_end) - t_start)
    for (t, s), (t_next, _) in zip(series, series[1:] + [(t_end, {})], strict=True):
        a, b = max(t, t_start), min(t_next, t_end)
        if b <= a:
            continue
        if s.get("accelerator_on", True) or (s.get("state") == "thinking"
                                              and s.get("locality") == "local"):
            accel_on += b - a
        if s.get("state") != "thinking":
            continue
        if s.get("locality") == "local":
            local += b - a
        elif s.get("locality") == "remote":
            remote += b - a
    return local, remote, accel_on


def account(name: str, rec: Recorder, tasks: list[Task], t0: float,
            args: argparse.Namespace) -> RunResult:
    with rec.lock:
        battery = list(rec.battery)
        sim_diag = list(rec.sim_diag)
        power_diag = list(rec.power_diag)
        modes = list(rec.modes)
    empty = next((t for t, pct in battery if pct <= 0.0), None)
    depleted = empty is not None
    t_end = empty if empty is not None else battery[-1][0]
    pct_end = 0.0 if depleted else battery[-1][1]
    used_fraction = 1.0 - pct_end
    elapsed = t_end - t0
    endurance = elapsed if depleted else elapsed / max(used_fraction, 1e-9)
    energy_wh = args.capacity_wh * used_fraction
    last = sim_diag[-1][1] if sim_diag else {}
    distance = float(last.get("distance_walked_m", "nan"))
    rtf = float(last.get("sim_time_s", "nan")) / elapsed if elapsed > 0 else math.nan
    loco_wh = TRUE_LOCO_W_PER_MPS * distance / 3600.0
    t_local, t_remote, t_on = thinking_times(rec, t0, t_end)
    llm_active_wh = ((TRUE_GEN_W - TRUE_IDLE_W) * t_local + TRUE_MODEM_W * t_remote) / 3600.0
    llm_wh = TRUE_IDLE_W * t_on / 3600.0 + llm_active_wh
    base_wh = energy_wh - loco_wh - llm_wh
    in_run = [v for t, v in power_diag if t0 <= t <= t_end]
    draw = [float(v["draw_w"]) for v in in_run]
    llm = [float(v["compute_w"]) + float(v["radio_w"]) for v in in_run]
    monitor_share = sum(llm) / sum(draw) if draw and sum(draw) > 0 else math.nan
    outcomes: dict[str, int] = {}
    for task in tasks:
        outcomes[task.outcome] = outcomes.get(task.outcome, 0) + 1
    critical_at = next((t for t, m in modes if m == "critical"), math.inf)
    done = [task for task in tasks if task.outcome == "done"]
    lat = sorted(task.latency_s for task in tasks if task.latency_s is not None)
    used: dict[str, int] = {}
    for task in tasks:
        if task.source == "llm":
            used[task.backend] = used.get(task.backend, 0) + 1
    mode_times: dict[str, float] = {}
    for (t, m), (t_next, _) in zip(modes, modes[1:] + [(t_end, "")], strict=True):
        a, b = max(t, t0), min(t_next, t_end)
        if b > a:
            mode_times[m] = mode_times.get(m, 0.0) + b - a
    return RunResult(
        routing=name, endurance_s=endurance, depleted=depleted, tasks_done=len(done),
        tasks_done_above_critical=sum(task.ended < critical_at for task in done),
        tasks=len(tasks), outcomes=outcomes, energy_wh=energy_wh, base_wh=base_wh,
        loco_wh=loco_wh, llm_wh=llm_wh, llm_active_wh=llm_active_wh,
        base_check_wh=TRUE_BASE_W * elapsed / 3600.0, time_local_s=t_local,
        time_remote_s=t_remote, time_accel_on_s=t_on, distance_m=distance,
        monitor_llm_share=monitor_share,
        latency_p50_s=lat[len(lat) // 2] if lat else math.nan, backends_used=used,
        mode_times=mode_times, real_time_factor=rtf)


# -- the base-load sweep -----------------------------------------------------------------------

@dataclass(frozen=True)
class SweepRow:
    routing: str
    base_w: float
    runtime_change: float      # endurance (time) with this routing / without any LLM - 1
    tasks_change: float        # tasks per charge with this routing / without any LLM - 1


def sweep(r: RunResult, base_w: float) -> SweepRow:
    """Per task, from the measured run: time T, walking energy, thinking times.

    With routing r:   E = B*T + E_loco + E_llm,  over time T.
    Without any LLM:  E0 = B*(T - t_think) + E_loco over T - t_think (no accelerator, no modem,
                      and no time spent waiting for a plan).
    """
    n = max(r.tasks_done, 1)
    elapsed = (r.base_check_wh * 3600.0) / TRUE_BASE_W
    think = r.time_local_s + r.time_remote_s
    t_task = elapsed / n
    t0_task = (elapsed - think) / n
    loco_j = r.loco_wh * 3600.0 / n
    llm_j = r.llm_wh * 3600.0 / n
    e = base_w * t_task + loco_j + llm_j
    e0 = base_w * t0_task + loco_j
    p, p0 = e / t_task, e0 / t0_task
    return SweepRow(r.routing, base_w, p0 / p - 1.0, e0 / e - 1.0)


def continuous_change(base_w: float, llm_w: float, other_w: float = 0.0) -> float:
    """Runtime change when an LLM device draws llm_w all the time beside base (+ walking)."""
    return (base_w + other_w) / (base_w + other_w + llm_w) - 1.0


# -- output ------------------------------------------------------------------------------------

def print_results(results: list[RunResult], base_loads: list[float]) -> None:
    print("\nrouting  endur. s  tasks done (above crit.)/sent  Wh/task  LLM share (true; "
          "active)  monitor LLM share  local s  remote s  p50 lat s  RTF")
    for r in results:
        per_task = r.energy_wh / r.tasks_done if r.tasks_done else math.nan
        print(f"{r.routing:<7} {r.endurance_s:8.1f}{'' if r.depleted else '*'}  "
              f"{r.tasks_done:4d} ({r.tasks_done_above_critical:3d}) / {r.tasks:3d}"
              f"              {per_task:7.3f}  {r.llm_share:6.2%}; {r.llm_active_share:6.2%}"
              f"           {r.monitor_llm_share:6.2%}       {r.time_local_s:6.1f}  "
              f"{r.time_remote_s:7.1f}  {r.latency_p50_s:8.2f}  {r.real_time_factor:.2f}")
    print("(* = projected from the fraction used at the time cap)")
    for r in results:
        print(f"  {r.routing}: outcomes {r.outcomes}; backends {r.backends_used}; modes "
              f"{ {k: round(v, 1) for k, v in r.mode_times.items()} }; energy "
              f"{r.energy_wh:.3f} Wh = base {r.base_wh:.3f} (check {r.base_check_wh:.3f}) + "
              f"walk {r.loco_wh:.3f} ({r.distance_m:.1f} m) + LLM {r.llm_wh:.3f}; "
              f"accelerator on {r.time_accel_on_s:.1f} s")
    by = {r.routing: r for r in results}
    for name in ("aware", "aware_remote"):
        if "local" in by and name in by:
            compare(by["local"], by[name])
    print("\nbase-load sweep (measured per-task times and energies; vs the same robot "
          "with no LLM): runtime change / tasks-per-charge change")
    print("routing  " + "  ".join(f"{b:>6.0f} W base       " for b in base_loads))
    for r in results:
        rows = [sweep(r, b) for b in base_loads]
        print(f"{r.routing:<7}  " + "  ".join(
            f"{row.runtime_change:+7.1%} / {row.tasks_change:+7.1%}" for row in rows))
    print("\ncontinuous generation, standing robot (runtime change): device power vs base load")
    print("device          " + "  ".join(f"{b:>6.0f} W" for b in base_loads))
    for label, w in (("accelerator 24 W", TRUE_GEN_W), ("modem 8.5 W", TRUE_MODEM_W),
                     ("GPU 250 W", 250.0), ("GPU 400 W", 400.0)):
        print(f"{label:<16}" + "  ".join(f"{continuous_change(b, w):+7.1%}"
                                         for b in base_loads))
    print("(-75 % needs the LLM device to draw >= 3x everything else: 24 W -> rest <= 8 W; "
          "250 W -> <= 83 W; 400 W -> <= 133 W)")


def compare(loc: RunResult, aw: RunResult) -> None:
    """The issue's target: LLM share cut >= 50 % vs always-local with >= 95 % of its tasks."""
    cut = 1.0 - aw.llm_share / loc.llm_share if loc.llm_share > 0 else math.nan
    cut_active = (1.0 - aw.llm_active_share / loc.llm_active_share
                  if loc.llm_active_share > 0 else math.nan)
    ratio = aw.tasks_done / loc.tasks_done if loc.tasks_done else math.nan
    ratio_above = (aw.tasks_done_above_critical / loc.tasks_done_above_critical
                   if loc.tasks_done_above_critical else math.nan)
    print(f"\n{aw.routing} vs local: LLM share cut {cut:.1%} (active part {cut_active:.1%}); "
          f"tasks {ratio:.1%} (above critical {ratio_above:.1%}); target: cut >= 50 % "
          f"with tasks >= 95 % -> {'MET' if cut >= 0.5 and ratio >= 0.95 else 'NOT MET'}")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routings", default="local,remote,aware")
    parser.add_argument("--capacity-wh", type=float, default=12.0)
    parser.add_argument("--time-cap-s", type=float, default=300.0)
    parser.add_argument("--remote", choices=("server", "scripted"), default="server")
    parser.add_argument("--remote-latency-s", type=float, default=1.5)
    parser.add_argument("--eco-interval-s", type=float, default=10.0)
    parser.add_argument("--watchdog-deadline-s", type=float, default=0.1,
                        help="the shipped 0.02 s latches hundreds of times on a loaded 2-core "
                        "machine, which makes the mission a fast-path stress test")
    parser.add_argument("--base-loads", default="20,100,300")
    parser.add_argument("--domain", type=int, default=None, help="ROS_DOMAIN_ID")
    parser.add_argument("--log-dir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.domain is not None:
        os.environ["ROS_DOMAIN_ID"] = str(args.domain)
    log_root = args.log_dir or Path(tempfile.mkdtemp(prefix="power_bench_"))
    log_root.mkdir(parents=True, exist_ok=True)
    print(f"logs in {log_root}; capacity {args.capacity_wh} Wh; cap {args.time_cap_s} s; "
          f"remote = {args.remote}", flush=True)
    names = [n.strip() for n in args.routings.split(",") if n.strip()]
    reply_file = log_root / "replies.json"
    reply_file.write_text(json.dumps([
        {"steps": [{"skill": "navigate_to", "place": p}]} for p in PLACES]))
    server: LlamaServer | None = None
    # Ctrl-C / SIGTERM must reach the `finally` that stops the nodes and the server.
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    results: list[RunResult] = []
    try:
        needs_remote = any(n in ("remote", "aware", "aware_remote") for n in names)
        if args.remote == "server" and needs_remote:
            server = LlamaServer(log_root)
            print(f"llama_cpp.server on {server.url}", flush=True)
        table = routings(args.remote, server.url if server else "", args.remote_latency_s,
                         reply_file, args.eco_interval_s)
        for name in names:
            if name not in table:
                raise BenchError(f"unknown routing {name!r}; expected {list(table)}")
            print(f"--- {name} ...", flush=True)
            result = run_mission(table[name], args, log_root / name)
            results.append(result)
            print(f"    {name}: endurance {result.endurance_s:.1f} s, "
                  f"{result.tasks_done}/{result.tasks} tasks, LLM share "
                  f"{result.llm_share:.2%}", flush=True)
    finally:
        if server is not None:
            server.stop()
        rclpy.try_shutdown()
    base_loads = [float(b) for b in args.base_loads.split(",")]
    print_results(results, base_loads)
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "llm_share": r.llm_share,
                                          "llm_active_share": r.llm_active_share}
                                         for r in results], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
