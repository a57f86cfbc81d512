"""Start the whole robot_brain: `ros2 launch robot_brain brain.launch.py [arg:=value ...]`.

Arguments (`ros2 launch robot_brain brain.launch.py --show-args` lists them): namespace,
params_file, use_sim_time, sim (true: the built-in simulated humanoid; mujoco: the MuJoCo one,
docs/mujoco.md; false: a real robot), record (record the
brain's topics: `ros2 bag record -s mcap` where ros2bag is installed, else the project's
recorder node; a fresh timestamped folder under bag_dir), bag_dir, planner_backend,
rt_priority (the watchdog's SCHED_FIFO priority; controller and perception below it), compose
(fast_path and slow_path composites, docs/composition.md), apart (nodes kept out of them),
live (the Foxglove WebSocket live view, docs/live_view.md), live_port and motion (brain, or
nav2: Nav2 drives navigate_to steps, the brain's controller is not started and Nav2's cmd_vel
must be remapped to controller/cmd_vel, docs/nav2.md).

The brain is one unit: before any node starts, the parameter file must exist and read, and
settings that must agree across nodes must agree (robot_brain.cli.preflight); once running,
any node that exits ends the whole launch with a non-zero code naming that node.

use_sim_time:=true (a simulated robot publishing /clock) is given only to the nodes whose own
stamps must share the simulator's time, or that check stamps against their clock
(robot_brain.core.config.sim_time); the controller and the watchdog stay off /clock, the controller
judging sensor freshness in simulated seconds from the stamps it receives. Per-node
overrides go in node-keyed parameter files in one private directory, removed when the launch
ends (no launch_params_* file is left in /tmp).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import tempfile
from datetime import datetime
from typing import Any

import yaml
from ament_index_python.packages import get_package_share_directory
from launch import LaunchContext, LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    ExecuteProcess,
    LogInfo,
    OpaqueFunction,
    RegisterEventHandler,
    SetEnvironmentVariable,
    Shutdown,
)
from launch.event_handlers import OnShutdown
from launch.events.process import ProcessExited
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

BOOLEAN = ["true", "false"]
#: robot_brain.core.config.sim_choice.LAUNCH_VALUES (literal: --show-args must work without it).
SIM_VALUES = ["true", "false", "mujoco"]
#: The fast path first, as `robot-brain demo` starts them.
BRAIN_NODES = ("perception", "controller", "watchdog", "planner", "power_monitor")


class BrainLaunchError(RuntimeError):
    """Refused before start, or a node of the brain ended: launch reports it and exits 1."""


def _backend_kinds() -> list[str]:
    try:
        from robot_brain.core.planner.backend_choice import KNOWN_BACKENDS
        return list(KNOWN_BACKENDS)
    except ImportError:  # a launch file must still load where the package is half installed
        return ["llama_cpp", "openai", "scripted"]


def _true(context: LaunchContext, name: str) -> bool:
    return LaunchConfiguration(name).perform(context).lower() == "true"


def _node_exited(name: str):  # noqa: ANN202 - launch's on_exit callable
    def on_exit(event: ProcessExited, context: LaunchContext) -> list | None:
        if context.is_shutdown:
            return None  # stopping because the launch is shutting down: expected
        if event.returncode == 0:
            # A clean exit: Ctrl-C in a terminal reaches every node directly, sometimes before
            # launch itself. Stop the rest cleanly too.
            return [Shutdown(reason=f"node '{name}' stopped")]
        # Half a brain is worse than none (a planner without a watchdog, a controller
        # without perception): end everything, exit non-zero and say which node went.
        raise BrainLaunchError(f"node '{name}' exited with code {event.returncode}; "
                               "stopping the whole brain")
    return on_exit


class OverrideFiles:
    """This launch's per-node parameter overrides, written as node-keyed YAML files into one
    private directory that is removed when the launch shuts down or its process exits.

    Files, not dicts or `-p`: launch_ros writes a dict to a `launch_params_*` file in /tmp
    and never removes it; and rcl applies --params-file and -p in command-line order with
    launch_ros putting ros_arguments first, so `-p node:key:=value` would lose to
    params_file's node block. `/**/node` keys also match under a namespace (a bare `node:`
    key does not)."""

    def __init__(self) -> None:
        self._dir: str | None = None

    def write(self, name: str, per_node: dict[str, dict[str, Any]]) -> str:
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="robot_brain_launch_")
            atexit.register(self.remove)
        path = os.path.join(self._dir, f"{name}.yaml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump({f"/**/{node}": {"ros__parameters": params}
                            for node, params in per_node.items()}, f)
        return path

    def remove(self, *_: object) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


def _node(name: str, namespace: LaunchConfiguration, params: list, part_of_brain: bool = True
          ) -> Node:
    """One of the package's executables; a node of the brain ends the launch when it exits."""
    return Node(package="robot_brain", executable=name, name=name, namespace=namespace,
                parameters=params, output="screen", emulate_tty=True,
                on_exit=_node_exited(name) if part_of_brain else None)


def _composite(executable: str, hosted: tuple[str, ...], namespace: LaunchConfiguration,
               params_files: list[str], overrides: dict[str, dict[str, Any]],
               files: OverrideFiles) -> Node:
    """Several nodes in one process (robot_brain.core.config.composition). No `name`: a __node remap
    would rename every hosted node. The per-node overrides go in a node-keyed file AFTER
    the parameter files (OverrideFiles)."""
    path = files.write(executable, {node: overrides[node] for node in hosted})
    return Node(package="robot_brain", executable=executable, namespace=namespace,
                parameters=[*params_files, path], arguments=["--nodes", ",".join(hosted)],
                output="screen",
                emulate_tty=True, on_exit=_node_exited(f"{executable} ({', '.join(hosted)})"))


def _bag_record(context: LaunchContext, sim_time: bool,
                topics: list[str]) -> tuple[str, ExecuteProcess | None]:
    """Where the bag goes (absolute: a relative bag_dir is the shell's directory, said in
    full), and `ros2 bag record` where rosbag2 is installed (on /clock's time with
    use_sim_time); None = the project's recorder node (the PyPI-wheel install), started with
    the brain's nodes."""
    root = LaunchConfiguration("bag_dir").perform(context) or "runs"
    out = os.path.join(os.path.abspath(os.path.expanduser(root)),
                       "brain_" + datetime.now().strftime("%Y%m%d-%H%M%S"))
    if shutil.which("ros2") and importlib.util.find_spec("ros2bag") is not None:
        clock = ["--use-sim-time"] if sim_time else []
        return out, ExecuteProcess(cmd=["ros2", "bag", "record", "-s", "mcap", *clock, "-o",
                                        out] + topics, output="screen",
                                   on_exit=_node_exited("ros2 bag record"))
    return out, None


def _brain(context: LaunchContext) -> list:
    namespace = LaunchConfiguration("namespace")
    sim_time = _true(context, "use_sim_time")
    params_file = LaunchConfiguration("params_file").perform(context)
    rt_priority = LaunchConfiguration("rt_priority").perform(context)
    backend = LaunchConfiguration("planner_backend").perform(context)
    motion = LaunchConfiguration("motion").perform(context)
    try:
        from robot_brain.core.config.sim_choice import SimChoiceError, launch_sim
        sim = launch_sim(LaunchConfiguration("sim").perform(context))
    except ImportError as exc:
        raise BrainLaunchError(f"robot_brain is not importable ({exc}); build or install it "
                               "first") from exc
    except SimChoiceError as exc:
        raise BrainLaunchError(str(exc)) from exc
    nodes = ((sim.node,) if sim is not None else ()) + BRAIN_NODES
    # The simulator's own parameter file (perception's sources for its sensors) goes after
    # the main one, so it wins where both set a value.
    params_files = [params_file] + ([os.path.join(get_package_share_directory("robot_brain"),
                                                  "config", sim.params_overlay)]
                                    if sim is not None and sim.params_overlay else [])
    if not (rt_priority.isdigit() and (int(rt_priority) == 0 or 7 <= int(rt_priority) <= 99)):
        raise BrainLaunchError(f"rt_priority:={rt_priority} must be 0 (off) or an integer "
                               "from 7 to 99")
    # The layout of docs/realtime.md: each stage's input threads above its producer.
    top = int(rt_priority)
    extra = {"watchdog": {"rt_priority": top},
             "controller": {"rt_priority": max(0, top - 3) if top else 0},
             "perception": {"rt_priority": max(0, top - 6) if top else 0},
             "planner": {"backend": backend}}
    try:
        from robot_brain.cli.preflight import preflight
        from robot_brain.core.config.composition import node_names, plan_processes
        from robot_brain.core.config.sim_time import freshness_clock, node_uses_sim_time
        from robot_brain.core.errors import StartupError
        from robot_brain.core.planner.nav2_motion import motion_layout

        # The topics a run is analysed from: the one list (the recorder node's default, what
        # robot-brain report reads).
        from robot_brain.core.report.recorded_topics import RECORDED_TOPICS
        from robot_brain.ros.dds_environment import brain_dds_settings
    except ImportError as exc:
        raise BrainLaunchError(f"robot_brain is not importable ({exc}); build or install it "
                               "first") from exc
    # motion:=nav2: Nav2 drives navigate_to steps; no brain controller (docs/nav2.md).
    left_out, motion_params = motion_layout(motion)
    nodes = tuple(n for n in nodes if n not in left_out)
    for node, values in motion_params.items():
        extra.setdefault(node, {}).update(values)
    # Sensor freshness in simulated seconds when the robot is simulated (the controller
    # stays off /clock: robot_brain.core.config.sim_time).
    extra["controller"]["freshness_clock"] = freshness_clock(sim_time)
    try:
        preflight(params_file, nodes, extra,
                  namespace=namespace.perform(context))
    except StartupError as exc:
        raise BrainLaunchError(str(exc)) from exc

    # Fast DDS over UDP only, unless the user chose (robot_brain/ros/dds_environment.py).
    files = OverrideFiles()
    actions: list = [SetEnvironmentVariable(k, v)
                     for k, v in brain_dds_settings(context.environment).items()]
    actions.append(RegisterEventHandler(OnShutdown(on_shutdown=files.remove)))
    if _true(context, "record"):
        out, bag_record = _bag_record(context, sim_time, list(RECORDED_TOPICS))
        actions.append(LogInfo(msg=f"recording the brain's topics to {out}"))
        if bag_record is not None:
            actions.append(bag_record)
        else:  # the recorder node writes the same MCAP (composed into slow_path by default)
            nodes += ("recorder",)
            extra["recorder"] = {"output_dir": out}
    if _true(context, "live"):
        port = LaunchConfiguration("live_port").perform(context)
        if not (port.isdigit() and 1 <= int(port) <= 65535):
            raise BrainLaunchError(f"live_port:={port} must be a TCP port (1-65535)")
        extra["live_view"] = {"port": int(port)}
    overrides = {node: {"use_sim_time": node_uses_sim_time(node, sim_time),
                        **extra.get(node, {})}
                 for node in (*nodes, "live_view")}
    apart = node_names(LaunchConfiguration("apart").perform(context))
    try:
        processes = plan_processes(nodes, compose=_true(context, "compose"), apart=apart)
    except StartupError as exc:
        raise BrainLaunchError(f"apart:={','.join(apart)}: {exc}") from exc
    for spec in processes:
        if spec.composed:
            actions.append(_composite(spec.executable, spec.nodes, namespace, params_files,
                                      overrides, files))
            continue
        path = files.write(spec.executable, {spec.executable: overrides[spec.executable]})
        actions.append(_node(spec.executable, namespace, [*params_files, path]))
    if _true(context, "live"):
        # Off the fast path, and not part of the brain: its exit does not stop the robot.
        path = files.write("live_view", {"live_view": overrides["live_view"]})
        actions.append(_node("live_view", namespace, [params_file, path],
                             part_of_brain=False))
    return actions


def generate_launch_description() -> LaunchDescription:
    share = get_package_share_directory("robot_brain")
    return LaunchDescription([
        DeclareLaunchArgument("namespace", default_value="",
                              description="Namespace of every brain node and topic."),
        DeclareLaunchArgument("params_file",
                              default_value=os.path.join(share, "config", "brain.yaml"),
                              description="Parameter file (a /** block plus one per node); "
                                          "must exist."),
        DeclareLaunchArgument("use_sim_time", default_value="false", choices=BOOLEAN,
                              description="The robot is simulated and publishes /clock "
                                          "(Gazebo): perception, planner and recorder "
                                          "follow it; the controller judges sensor "
                                          "freshness in simulated seconds "
                                          "(docs/gazebo.md)."),
        DeclareLaunchArgument("sim", default_value="true", choices=SIM_VALUES,
                              description="The simulated humanoid: true = the built-in one, "
                                          "mujoco = MuJoCo (docs/mujoco.md), false = none "
                                          "(a real robot)."),
        DeclareLaunchArgument("record", default_value="false", choices=BOOLEAN,
                              description="Record the brain's topics (MCAP): ros2 bag where "
                                          "installed, else robot_brain's recorder node."),
        DeclareLaunchArgument("bag_dir", default_value="runs",
                              description="Where record:=true creates brain_<timestamp>/."),
        DeclareLaunchArgument("planner_backend", default_value="llama_cpp",
                              choices=_backend_kinds(),
                              description="LLM backend of the planner."),
        DeclareLaunchArgument("compose", default_value="true", choices=BOOLEAN,
                              description="Run perception + controller (fast_path) and "
                                          "planner + power monitor + recorder (slow_path) "
                                          "as one process each; false = one process per "
                                          "node (docs/composition.md)."),
        DeclareLaunchArgument("apart", default_value="",
                              description="Comma-separated nodes that keep a process of their "
                                          "own while the rest is composed (e.g. recorder)."),
        DeclareLaunchArgument("live", default_value="false", choices=BOOLEAN,
                              description="Serve a Foxglove WebSocket live view "
                                          "(docs/live_view.md); loopback only by default."),
        DeclareLaunchArgument("live_port", default_value="8765",
                              description="TCP port of the live view."),
        DeclareLaunchArgument("motion", default_value="brain", choices=["brain", "nav2"],
                              description="Who drives navigate_to steps: the brain's controller, "
                                          "or Nav2 (NavigateToPose; start Nav2 yourself with "
                                          "its cmd_vel remapped to controller/cmd_vel, "
                                          "docs/nav2.md)."),
        DeclareLaunchArgument("rt_priority", default_value="50",
                              description="SCHED_FIFO priority of the watchdog; the "
                                          "controller runs 3 and perception 6 below it "
                                          "(docs/realtime.md; 0 = normal scheduling)."),
        OpaqueFunction(function=_brain),
    ])
