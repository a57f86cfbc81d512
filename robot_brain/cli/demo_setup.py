"""What a demo run starts, decided and checked before anything starts: the nodes installed,
the simulator, the motion layer, the parameter files (preflight), the run directory and the
ROS environment."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from robot_brain.cli.demo_options import DemoOptions
from robot_brain.cli.demo_params import node_overrides
from robot_brain.cli.preflight import preflight
from robot_brain.cli.processes import ExecutableNotFound, executable_path, ros_environment
from robot_brain.core.config.sim_choice import SimChoice, sim_choice
from robot_brain.core.errors import StartupError
from robot_brain.ros.dds_environment import DDS_VARIABLES

#: Start order: the robot first, then the fast path, then the slow path.
BRAIN_NODES = ("sim", "perception", "controller", "watchdog", "power_monitor", "planner")


class DemoError(RuntimeError):
    """The demo cannot run or a node failed; the message says which and why in one line,
    `detail` (e.g. the node's last log lines) is printed before it."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


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


@dataclass(frozen=True)
class DemoSetup:
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


def prepare(opts: DemoOptions) -> DemoSetup:
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
        preflight(params_file, nodes, {n: node_overrides(n, opts, nodes, Path("."))
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
    return DemoSetup(params_file, params_files, sim, nodes, to_start, record, run_dir, log_dir,
                  env)


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


def _motion_nodes(opts: DemoOptions, nodes: list[str]) -> list[str]:
    """The nodes a motion layer keeps (nav2: no brain controller; Nav2 is not started here)."""
    from robot_brain.core.planner.nav2_motion import motion_layout
    left_out = motion_layout(opts.motion)[0]
    if left_out:
        print(f"robot-brain demo: motion {opts.motion}: {', '.join(sorted(left_out))} not "
              "started; run Nav2 beside the demo with its cmd_vel remapped to "
              "controller/cmd_vel (docs/nav2.md)", flush=True)
    return [n for n in nodes if n not in left_out]


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
