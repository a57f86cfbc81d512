"""`robot-brain demo`: the whole brain against a simulated humanoid (the built-in sim, or
MuJoCo with `--sim mujoco`).

Each node runs as its own OS process from its installed executable (what `ros2 run` starts),
with the shipped parameter file, so the demo exercises the same graph `ros2 launch` would.
The demo process itself only supervises: it echoes the nodes' output, watches the graph with an
observer node, sends the instruction, and stops everything cleanly at the end, also when a
child is stopped (SIGSTOP) or hung.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import signal
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from robot_brain.cli.preflight import preflight
from robot_brain.cli.processes import (
    ExecutableNotFound,
    NodeProcess,
    executable_path,
    ros_environment,
    stop_all,
)
from robot_brain.core.config.composition import plan_processes
from robot_brain.core.errors import StartupError
from robot_brain.core.report.verdict import MissionFacts, judge
from robot_brain.core.sim_choice import SimChoice, sim_choice
from robot_brain.ros.dds_environment import DDS_VARIABLES

if TYPE_CHECKING:
    from robot_brain.cli.demo_observer import DemoMonitor, DemoObservations

#: Start order: the robot first, then the fast path, then the slow path.
BRAIN_NODES = ("sim", "perception", "controller", "watchdog", "power_monitor", "planner")
STARTUP_TIMEOUT_S = 60.0
PLANNER_READY_TIMEOUT_S = 120.0


class DemoError(RuntimeError):
    """The demo cannot run or a node failed; the message says which and why in one line,
    `detail` (e.g. the node's last log lines) is printed before it."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class DemoOptions:
    duration: float
    instruction: str
    backend: str | None
    params_file: Path | None
    world: str | None
    goal: tuple[float, float] | None
    run_dir: Path | None
    record: bool
    nodes: tuple[str, ...] | None
    quiet: bool
    until_done: bool = False
    live: bool = False
    live_port: int = 8765
    compose: bool = True
    places: str | None = None
    motion: str = "brain"  # or nav2 (core/planner/nav2_motion.motion_layout)
    #: builtin | mujoco (robot_brain.core.sim_choice)
    sim: str = "builtin"

    @staticmethod
    def from_args(args: argparse.Namespace) -> DemoOptions:
        return DemoOptions(
            duration=args.duration, instruction=args.instruction, backend=args.backend,
            params_file=args.params_file, world=args.world,
            goal=tuple(args.goal) if args.goal else None, run_dir=args.run_dir,
            record=not args.no_record,
            nodes=tuple(n.strip() for n in args.nodes.split(",")) if args.nodes else None,
            quiet=args.quiet, until_done=args.until_done, live=args.live,
            live_port=args.live_port, compose=not args.no_compose,
            motion=getattr(args, "motion", "brain"),
            sim=getattr(args, "sim", "builtin"),
            places=getattr(args, "places", None))


def shipped_config() -> Path:
    try:
        from ament_index_python.packages import get_package_share_directory
        path = Path(get_package_share_directory("robot_brain")) / "config" / "brain.yaml"
        if path.exists():
            return path
    except (ImportError, LookupError, ValueError):
        pass
    return Path(__file__).resolve().parents[2] / "config" / "brain.yaml"


def available_nodes() -> list[str]:
    """The brain's nodes that exist in this install (later issues add theirs)."""
    found = []
    for name in BRAIN_NODES:
        if importlib.util.find_spec(f"robot_brain.nodes.{name}_node") is None:
            continue
        try:
            executable_path(name)
        except ExecutableNotFound:
            continue
        found.append(name)
    return found


class LogTail:
    """Echo new lines of a node's log file with a `[node]` prefix, as ros2 launch does."""

    def __init__(self, label: str, path: Path, out: IO[str] | None) -> None:
        self.label = label
        self.path = path
        self.out = out
        self._pos = 0
        self._partial = b""

    def pump(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self._pos)
                data = f.read()
                self._pos = f.tell()
        except OSError:
            return
        if not data or self.out is None:
            return
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            self.out.write(f"[{self.label}] {line.decode(errors='replace')}\n")
        self.out.flush()

    def last_lines(self, n: int = 15) -> str:
        try:
            text = self.path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-n:])


def _node_overrides(name: str, opts: DemoOptions, nodes: list[str],
                    run_dir: Path) -> dict[str, object]:
    params: dict[str, object] = {}
    if opts.world:
        # A file is passed by its absolute path, a packaged world's bare name as it is.
        params["world_file"] = (str(Path(opts.world).resolve()) if Path(opts.world).exists()
                                else opts.world)
    if opts.places:
        params["places_file"] = str(Path(opts.places).resolve())
    if name == "planner" and opts.backend:
        params["backend"] = opts.backend
        if opts.backend == "scripted":
            # The scripted backend is a canned reply, not a model: it names the place the
            # instruction mentions, so the demo shows the whole chain without an LLM.
            params["scripted_replies"] = [_scripted_reply(opts)]
    if name == "controller" and (opts.goal or "planner" not in nodes):
        gx, gy = opts.goal if opts.goal else _default_goal(opts)
        params.update({"use_param_goal": True, "goal_x": gx, "goal_y": gy})
    if name == "recorder":
        params["output_dir"] = str(run_dir / "bag")
    if name == "live_view":
        params["port"] = opts.live_port
    params.update(_motion_overrides(opts).get(name, {}))
    return params


def _motion_overrides(opts: DemoOptions) -> dict[str, dict[str, object]]:
    from robot_brain.core.planner.nav2_motion import motion_layout
    return motion_layout(opts.motion)[1]


def _scripted_reply(opts: DemoOptions) -> str:
    from robot_brain.core.world import load_world_file
    world = load_world_file(opts.world or "", opts.places or "")
    text = opts.instruction.lower().replace(" ", "_")
    for place in sorted(world.places, key=len, reverse=True):
        if place in text or place.replace("_", "") in text:
            return json.dumps({"steps": [{"skill": "navigate_to", "place": place}]})
    return json.dumps({"steps": [{"skill": "say", "text": "I did not understand."}]})


def _default_goal(opts: DemoOptions) -> tuple[float, float]:
    from robot_brain.core.world import load_world_file
    world = load_world_file(opts.world or "", opts.places or "")
    place = world.places.get("kitchen") or next(iter(world.places.values()))
    return (place.x, place.y)


def _motion_nodes(opts: DemoOptions, nodes: list[str]) -> list[str]:
    """The nodes a motion layer keeps (nav2: no brain controller; Nav2 is not started here)."""
    from robot_brain.core.planner.nav2_motion import motion_layout
    left_out = motion_layout(opts.motion)[0]
    if left_out:
        print(f"robot-brain demo: motion {opts.motion}: {', '.join(sorted(left_out))} not "
              "started; run Nav2 beside the demo with its cmd_vel remapped to "
              "controller/cmd_vel (docs/nav2.md)", flush=True)
    return [n for n in nodes if n not in left_out]


def run_demo(opts: DemoOptions) -> int:
    try:
        return _run(opts)
    except DemoError as exc:
        if exc.detail:
            print(exc.detail, file=sys.stderr, flush=True)
        print(f"robot-brain demo: FAILED: {exc}", file=sys.stderr, flush=True)
        return 1


@dataclass(frozen=True)
class _Setup:
    """What a run starts, decided and checked before anything starts."""

    params_file: Path
    params_files: list[Path]  # every node's: the main file, then the simulator's overlay
    sim: SimChoice
    nodes: list[str]        # the brain's nodes
    to_start: list[str]     # they, the recorder and the live view when wanted
    record: bool
    run_dir: Path
    log_dir: Path
    env: dict[str, str]


def _prepare(opts: DemoOptions) -> _Setup:
    """The nodes, the checked parameters, the run directory and the ROS environment."""
    params_file = (opts.params_file or shipped_config()).resolve()
    if not params_file.exists():
        raise DemoError(f"parameter file {params_file} does not exist")
    nodes = available_nodes()
    if opts.nodes is not None:
        unknown = [n for n in opts.nodes if n not in nodes]
        if unknown:
            raise DemoError(f"unknown or uninstalled node(s) {unknown}; available: {nodes}")
        nodes = [n for n in nodes if n in opts.nodes]
    if "sim" not in nodes:
        raise DemoError("the 'sim' node is not installed; run scripts/setup.sh")
    sim = sim_choice(opts.sim)
    nodes, params_files = _with_sim(sim, nodes, params_file)
    nodes = _motion_nodes(opts, nodes)
    try:
        preflight(params_file, nodes, {n: _node_overrides(n, opts, nodes, Path("."))
                                       for n in nodes})
    except StartupError as exc:
        raise DemoError(str(exc)) from exc
    run_dir = (opts.run_dir or Path("runs") / datetime.now().strftime("%Y%m%d-%H%M%S")).resolve()
    log_dir = run_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)

    # This machine only, unless the user chose otherwise; over UDP (ros/dds_environment.py).
    env = ros_environment({"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", **os.environ})
    # The demo's own monitor joins the graph like the nodes.
    os.environ.update({k: env[k] for k in ("AMENT_PREFIX_PATH", "RMW_IMPLEMENTATION",
                                           "ROS_AUTOMATIC_DISCOVERY_RANGE", *DDS_VARIABLES)
                       if k in env})
    record = opts.record and _recorder_available()
    to_start = nodes + (["recorder"] if record else []) + (_live_view(opts.live_port)
                                                           if opts.live else [])
    return _Setup(params_file, params_files, sim, nodes, to_start, record, run_dir, log_dir,
                  env)


class _Brain:
    """The brain's processes as the demo supervises them: started, echoed, checked alive."""

    def __init__(self, setup: _Setup, opts: DemoOptions, monitor: DemoMonitor) -> None:
        self.setup = setup
        self.opts = opts
        self.monitor = monitor
        self.processes: list[NodeProcess] = []
        self.tails: dict[str, LogTail] = {}
        self.what: dict[str, str] = {}  # process label -> how a failure names it

    def start(self) -> None:
        s = self.setup
        for spec in plan_processes(s.to_start, self.opts.compose):
            label = spec.executable
            log_path = s.log_dir / f"{label}.log"
            log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
            # Overrides per hosted node; a composite gets no __node remap (it would rename
            # every node it hosts).
            proc = NodeProcess(label, name=None if spec.composed else label,
                               params_files=s.params_files, env=s.env, log=log,
                               arguments=spec.arguments,
                               node_parameters={n: _node_overrides(n, self.opts, s.nodes,
                                                                   s.run_dir)
                                                for n in spec.nodes})
            self.processes.append(proc.start())
            self.tails[label] = LogTail(label, log_path, None if self.opts.quiet else sys.stdout)
            self.what[label] = (f"'{label}' ({' + '.join(spec.nodes)})" if spec.composed
                                else f"node '{label}'")

    def pump(self) -> None:
        """Echo the nodes' new output and the observer's events."""
        for tail in self.tails.values():
            tail.pump()
        for event in self.monitor.drain_events():
            print(f"robot-brain demo: {event}", flush=True)

    def check_alive(self) -> None:
        """Raise DemoError naming the first process that exited."""
        for p in self.processes:
            code = p.returncode()
            if code is not None:
                self.pump()
                raise DemoError(
                    f"{self.what[p.label]} exited with code {code} "
                    f"(log {self.setup.log_dir / (p.label + '.log')})",
                    self.tails[p.label].last_lines())

    def wait_all_up(self) -> None:
        """Start-up: every node must appear in the graph."""
        expected = set(self.setup.to_start)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            self.pump()
            self.check_alive()
            missing = expected - set(self.monitor.get_node_names())
            if not missing:
                return
            if time.monotonic() > deadline:
                raise DemoError(f"node(s) {sorted(missing)} did not start within "
                                f"{STARTUP_TIMEOUT_S:.0f} s")
            time.sleep(0.1)

    def send_instruction(self) -> None:
        """Once the planner and the recorder listen, the instruction."""
        from robot_brain.cli.demo_observer import wait_until
        from robot_brain.ros.latest import poller_name

        # The recorder's subscriptions sit on its Poller node (recorder_node.py).
        listeners = frozenset({"planner", poller_name("recorder")} if self.setup.record
                              else {"planner"})
        if not wait_until(lambda: (self.pump(), self.check_alive(),
                                   self.monitor.planner_ready(listeners))[-1],
                          PLANNER_READY_TIMEOUT_S):
            raise DemoError("the planner did not become ready")
        how = self.monitor.send_instruction(self.opts.instruction)
        print(f"robot-brain demo: instruction sent ({how}): {self.opts.instruction!r}",
              flush=True)

    def run_until(self, end: float) -> None:
        """Supervise until `end` (monotonic), or the plan's end with --until-done."""
        while time.monotonic() < end:
            self.pump()
            self.check_alive()
            if self.opts.until_done and self.monitor.mission_over():
                print("robot-brain demo: the plan is over (--until-done)", flush=True)
                return
            time.sleep(0.1)

    def stop(self) -> None:
        stop_all(self.processes)
        for tail in self.tails.values():
            tail.pump()
        for p in self.processes:
            if p.log:
                p.log.close()


@dataclass(frozen=True)
class _Outcome:
    """How the supervised part of a run ended."""

    snapshot: DemoObservations
    elapsed: float
    all_up: bool
    interrupted: bool
    failure: DemoError | None


def _run(opts: DemoOptions) -> int:
    setup = _prepare(opts)
    print(f"robot-brain demo: starting "
          f"{', '.join(s.title for s in plan_processes(setup.to_start, opts.compose))} "
          f"(config {setup.params_file}, domain {setup.env.get('ROS_DOMAIN_ID', '0')}, run dir "
          f"{setup.run_dir})", flush=True)
    return _conclude(_supervise(setup, opts), setup, opts)


def _supervise(setup: _Setup, opts: DemoOptions) -> _Outcome:
    """Start the brain, send the instruction and watch it until the run ends; stop it all."""
    import rclpy
    from rclpy.signals import SignalHandlerOptions

    from robot_brain.cli.demo_observer import DemoMonitor
    from robot_brain.ros.spinner import BackgroundSpinner

    # Ctrl-C and SIGTERM end the demo through KeyboardInterrupt (below). rclpy's own handler
    # would shut the context down under the monitor's spin thread (a traceback there).
    rclpy.init(args=[], signal_handler_options=SignalHandlerOptions.NO)
    monitor = DemoMonitor()
    spinner = BackgroundSpinner(monitor)
    brain = _Brain(setup, opts, monitor)
    failure: DemoError | None = None
    interrupted = False
    all_up = False
    t_start = time.monotonic()

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    # Installed explicitly: a demo started in the background by a shell inherits SIGINT
    # ignored, and `kill -INT` would then be lost (seen: the run went on to its duration).
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        brain.start()
        brain.wait_all_up()
        all_up = True
        print(f"robot-brain demo: all {len(setup.to_start)} nodes up after "
              f"{time.monotonic() - t_start:.1f} s", flush=True)
        if "planner" in setup.nodes and opts.goal is None:
            brain.send_instruction()
        brain.run_until(t_start + opts.duration if opts.duration > 0 else math.inf)
    except KeyboardInterrupt:
        interrupted = True
        print("\nrobot-brain demo: interrupted, shutting down", flush=True)
    except DemoError as exc:
        failure = exc
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        elapsed = time.monotonic() - t_start
        snapshot = monitor.snapshot()
        # The observer goes first, while the nodes are still up (see BackgroundSpinner).
        spinner.stop()
        brain.stop()
    return _Outcome(snapshot, elapsed, all_up, interrupted, failure)


def _conclude(outcome: _Outcome, setup: _Setup, opts: DemoOptions) -> int:
    """The summary, the report and the one-line verdict; the exit code."""
    failure = outcome.failure
    if failure is not None and not outcome.all_up:
        raise failure  # start-up failed: there is nothing to summarise
    if failure is not None and failure.detail:
        print(failure.detail, file=sys.stderr, flush=True)
    print(format_summary(outcome.snapshot, outcome.elapsed, setup.run_dir, setup.sim.node),
          flush=True)
    if setup.record:
        _report(setup.run_dir, opts.world)
    verdict = judge(_facts(outcome.snapshot, opts, setup.nodes, outcome.elapsed,
                           outcome.interrupted, str(failure) if failure is not None else None))
    # The last line says whether the run did what it was asked (a script reads the exit code).
    print(f"robot-brain demo: {verdict.line}", file=sys.stdout if verdict.success
          else sys.stderr, flush=True)
    return 0 if verdict.success else 1


def _with_sim(sim: SimChoice, nodes: list[str], params_file: Path
              ) -> tuple[list[str], list[Path]]:
    """The nodes with the chosen simulator in the built-in sim's place, and the parameter
    files every node gets (the main one, then the simulator's overlay)."""
    if sim.node == "sim":
        return nodes, [params_file]
    if sim.kind.value == "mujoco" and importlib.util.find_spec("mujoco") is None:
        raise DemoError("--sim mujoco needs the `mujoco` package: pip install -r "
                        "requirements/python.txt (mujoco==3.17.0)")
    try:
        executable_path(sim.node)
    except ExecutableNotFound as exc:
        raise DemoError(f"--sim {sim.kind.value}: the '{sim.node}' node is not installed "
                        f"({exc})") from exc
    overlay = shipped_config().parent / sim.params_overlay
    return [sim.node if n == "sim" else n for n in nodes], [params_file, overlay]


def _facts(obs: DemoObservations, opts: DemoOptions, nodes: list[str], elapsed: float,
           interrupted: bool, node_failure: str | None) -> MissionFacts:
    planner = "planner" in nodes and opts.goal is None
    goal = None
    if "controller" in nodes and not planner:
        goal = opts.goal if opts.goal else _default_goal(opts)
    sim = _find(obs.diagnostics, sim_choice(opts.sim).node)
    values = sim["values"] if sim else {}
    done_after = (obs.finished_at - obs.instruction_at
                  if obs.finished_at is not None and obs.instruction_at is not None else None)
    return MissionFacts(
        planner=planner,
        goal=goal, plans=obs.plans, outcome=str(obs.last_status.get("outcome") or ""),
        done_after_s=done_after, elapsed_s=elapsed,
        distance_m=_float(values.get("distance_walked_m")),
        collisions=_int(values.get("collisions")), final_pose=obs.pose,
        node_failure=node_failure, interrupted=interrupted)


def _float(v: object) -> float | None:
    try:
        return float(str(v))
    except ValueError:
        return None


def _int(v: object) -> int | None:
    f = _float(v)
    return int(f) if f is not None and math.isfinite(f) else None


def _recorder_available() -> bool:
    if importlib.util.find_spec("robot_brain.nodes.recorder_node") is None:
        return False
    try:
        executable_path("recorder")
    except ExecutableNotFound:
        return False
    return True


def _live_view(port: int) -> list[str]:
    """The live view to start, after saying where to point Foxglove (docs/live_view.md)."""
    try:
        executable_path("live_view")
    except ExecutableNotFound as exc:
        raise DemoError(f"--live: the live_view node is not installed ({exc})") from exc
    layout = shipped_config().parents[1] / "layouts" / "robot_brain_layout.json"
    print(f"robot-brain demo: live view on ws://127.0.0.1:{port}: in Foxglove, Open "
          f"connection -> Foxglove WebSocket -> ws://127.0.0.1:{port}, then import the layout "
          f"{layout}", flush=True)
    return ["live_view"]


def _report(run_dir: Path, world: str | None = None) -> None:
    bag = run_dir / "bag"
    if not bag.exists():
        print(f"robot-brain demo: no bag was written in {bag}", flush=True)
        return
    print(f"robot-brain demo: bag recorded in {bag}", flush=True)
    try:
        from robot_brain.cli.report import run_report
    except ImportError:
        return
    out = run_dir / "report"
    code = run_report(bag, out, world=world)
    if code == 0:
        print(f"robot-brain demo: report in {out / 'report.md'}", flush=True)


def format_summary(obs: object, elapsed: float, run_dir: Path, sim_node: str = "sim") -> str:
    from robot_brain.cli.demo_observer import DemoObservations, _plan_line
    assert isinstance(obs, DemoObservations)
    lines = [f"== robot_brain demo summary ({elapsed:.1f} s) =="]
    sim = _find(obs.diagnostics, sim_node)
    if sim:
        v = sim["values"]
        lines.append(
            f"robot: walked {v.get('distance_walked_m', '?')} m, "
            f"{v.get('collisions', '?')} collision(s), battery "
            f"{_pct(v.get('battery_percentage'))}, energy used {v.get('energy_used_wh', '?')} Wh")
    elif obs.first_pose and obs.pose:
        lines.append(f"robot: displaced {math.dist(obs.first_pose, obs.pose):.2f} m")
    if obs.pose:
        lines.append(f"final pose: x={obs.pose[0]:.2f} y={obs.pose[1]:.2f}")
    for plan in obs.plans:
        lines.append("plan: " + _plan_line(plan))
    if obs.instruct_result:
        lines.append(f"instruction result: {obs.instruct_result}")
    if obs.last_status:
        s = obs.last_status
        lines.append(f"planner: state {s.get('state')}, backend {s.get('backend')} "
                     f"({s.get('locality')}), mode {s.get('mode')}, "
                     f"message {s.get('message')!r}")
    if obs.power_mode is not None:
        lines.append(f"power: mode {obs.power_mode}, endurance "
                     f"{obs.endurance_s / 3600.0:.2f} h" if math.isfinite(obs.endurance_s)
                     else f"power: mode {obs.power_mode}, endurance unknown")
    lines.append(f"watchdog estop episodes seen: {obs.estop_episodes}")
    for name, st in sorted(obs.diagnostics.items()):
        values = ", ".join(f"{k}={val}" for k, val in list(st["values"].items())[:10])
        lines.append(f"[{name}] {st['message']}" + (f" | {values}" if values else ""))
    lines.append(f"logs: {run_dir / 'logs'}")
    return "\n".join(lines)


def _find(diags: dict[str, dict[str, object]], node: str) -> dict[str, dict[str, str]] | None:
    for name, st in diags.items():
        if name.split(":")[0].strip() == node and "distance_walked_m" in st.get("values", {}):
            return st  # type: ignore[return-value]
    return None


def _pct(v: object) -> str:
    fraction = _float(v)
    return f"{fraction * 100:.1f} %" if fraction is not None else "?"
