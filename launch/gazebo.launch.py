"""Run the brain on a Gazebo-simulated humanoid: `ros2 launch robot_brain gazebo.launch.py`.

Needs ROS 2 (Jazzy or newer) with ros_gz (ros_gz_sim, ros_gz_bridge) and Gazebo Harmonic or newer
(docs/gazebo.md); they are looked up when the launch runs, so `--show-args` works without them
and a missing one is one line saying what to install. Starts gz sim with the shipped world on a
gz-transport partition of its own (GZ_PARTITION), spawns the shipped humanoid into that world
(`create -world <its name>`) at the world's `robot_start` frame, bridges the robot's topics
(cmd_vel and battery/recharge in; scan, livox/lidar, odom, battery_state, /clock out) with
config/gz_bridge.yaml, publishes the robot description (`robot_description`, the URDF
generated from robot_brain/core/robot_model, and its fixed joints, the sensor frames among
them, on /tf_static) with robot_state_publisher where it is installed and with the brain's
own `description` node otherwise, and once the robot is in the world includes
brain.launch.py with sim:=false and use_sim_time:=true; a spawn that fails or does not
finish ends the launch instead, before any brain node starts.

Arguments: world (SDF), robot_model (SDF), bridge_config (YAML), gz_extra_args (e.g. `-s` for a
server without GUI), gz_partition (default unique to this launch), spawn_timeout, x / y / yaw
(spawn pose; '' = the world's robot_start frame), and brain.launch.py's namespace, params_file,
planner_backend, record, bag_dir, live, live_port, rt_priority, compose, apart.
"""

from __future__ import annotations

import os
import socket

from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
from launch import LaunchContext, LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    IncludeLaunchDescription,
    LogInfo,
    OpaqueFunction,
    SetEnvironmentVariable,
    TimerAction,
)
from launch.events.process import ProcessExited
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import Parameter

#: The model's name in Gazebo. The battery state topic is derived from it
#: (/model/<name>/battery/<battery>/state), so it must equal the name in humanoid.sdf.
ROBOT_NAME = "humanoid"
#: Dropped from just above the floor so the wheels settle instead of starting in contact.
SPAWN_Z = "0.02"
BOOLEAN = ["true", "false"]


class GazeboLaunchError(RuntimeError):
    """Refused before or during start: launch reports the one line and exits 1."""


def _unique_partition() -> str:
    """This launch's own gz-transport partition (robot_brain.core.sim.gazebo.default_partition,
    inlined: the default is needed before robot_brain is imported)."""
    host = "".join(c if c.isalnum() or c in "_.-" else "_" for c in socket.gethostname())
    return f"robot_brain_{host or 'host'}_{os.getpid()}"


def _missing_packages(packages: tuple[str, ...]) -> list[str]:
    missing = []
    for package in packages:
        try:
            get_package_share_directory(package)
        except PackageNotFoundError:
            missing.append(package)
    return missing


def _spawn_watch(world: str, timeout_s: float, then: list) -> tuple:
    """The on_exit callback of `create` and the timer's check: the robot spawned starts
    `then` (the brain); a failed or hung spawn ends the launch in one line instead, so the
    brain never runs without its robot."""
    from robot_brain.core.sim.gazebo import SpawnError, spawn_failure

    state = {"exited": False}

    def on_exit(event: ProcessExited, context: LaunchContext) -> list | None:
        state["exited"] = True
        if context.is_shutdown:
            return None
        if event.returncode != 0:
            raise SpawnError(spawn_failure(ROBOT_NAME, world, event.returncode, timeout_s))
        return [LogInfo(msg=f"'{ROBOT_NAME}' spawned into world '{world}': starting the "
                            "brain"), *then]

    def check(context: LaunchContext) -> None:
        if not state["exited"] and not context.is_shutdown:
            raise SpawnError(spawn_failure(ROBOT_NAME, world, None, timeout_s))

    return on_exit, check


def _description(namespace: LaunchConfiguration, urdf_text: str) -> Node:
    """robot_description and the URDF's fixed joints on /tf_static (the sensor frames
    perception and RViz need among them): robot_state_publisher where it is installed, else
    the brain's own `description` node, which publishes the same URDF and joints."""
    if not _missing_packages(("robot_state_publisher",)):
        # A Parameter rule (`-p`), not a dict: no launch_params_* file left in /tmp.
        return Node(package="robot_state_publisher", executable="robot_state_publisher",
                    name="robot_state_publisher", namespace=namespace, output="screen",
                    parameters=[Parameter("robot_description", urdf_text, value_type=str)])
    return Node(package="robot_brain", executable="description", name="description",
                namespace=namespace, output="screen")


def _gazebo(context: LaunchContext) -> list:
    # Literal argument names, so test/unit/test_gazebo_launch.py can check they are declared.
    try:
        from robot_brain.core.errors import ConfigurationError
        from robot_brain.core.robot_model import HUMANOID
        from robot_brain.core.robot_model.urdf import urdf
        from robot_brain.core.sim.gazebo import (
            INSTALL_HINT,
            ROS_GZ_PACKAGES,
            check_partition,
            read_world,
            spawn_pose,
        )
    except ImportError as exc:
        raise GazeboLaunchError(f"robot_brain is not importable ({exc}); build or install it "
                                "first") from exc
    missing = _missing_packages(ROS_GZ_PACKAGES)
    if missing:
        raise GazeboLaunchError(f"{', '.join(missing)} not found: {INSTALL_HINT}")
    gz_share = get_package_share_directory("ros_gz_sim")
    world_sdf = LaunchConfiguration("world").perform(context)
    try:
        world = read_world(world_sdf)
        x, y, yaw = spawn_pose(world, world_sdf, LaunchConfiguration("x").perform(context),
                               LaunchConfiguration("y").perform(context),
                               LaunchConfiguration("yaw").perform(context))
        partition = check_partition(LaunchConfiguration("gz_partition").perform(context))
    except ConfigurationError as exc:
        raise GazeboLaunchError(str(exc)) from exc
    timeout = LaunchConfiguration("spawn_timeout").perform(context)
    try:
        timeout_s = float(timeout)
    except ValueError:
        timeout_s = -1.0
    if not 1.0 <= timeout_s <= 3600.0:
        raise GazeboLaunchError(f"spawn_timeout:={timeout} must be a number of seconds from 1 "
                                "to 3600")
    namespace = LaunchConfiguration("namespace")
    on_exit, check = _spawn_watch(world.name, timeout_s, [_brain(namespace)])

    gz_sim = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(os.path.join(gz_share, "launch", "gz_sim.launch.py")),
        launch_arguments={
            # -r: run at once (a paused world sends no sensors: the brain would hold the robot).
            "gz_args": [LaunchConfiguration("gz_extra_args"), " -r ",
                        LaunchConfiguration("world")],
            "on_exit_shutdown": "true",
        }.items())
    spawn = Node(
        package="ros_gz_sim", executable="create", output="screen", on_exit=on_exit,
        arguments=["-world", world.name, "-name", ROBOT_NAME,
                   "-file", LaunchConfiguration("robot_model"),
                   "-x", x, "-y", y, "-z", SPAWN_Z, "-Y", yaw])
    # Parameters as `-p` rules, not a dict: launch_ros writes a dict to a launch_params_*
    # file in /tmp and leaves it there.
    bridge = Node(
        package="ros_gz_bridge", executable="parameter_bridge", name="gz_bridge",
        namespace=namespace, output="screen",
        parameters=[Parameter("config_file", LaunchConfiguration("bridge_config")),
                    Parameter("use_sim_time", True)])
    # The robot description: the URDF on robot_description for RViz and Foxglove, its fixed
    # joints on /tf_static (the sensor frames of humanoid.sdf's frame_id / gz_frame_id among
    # them, from the same description), which perception's `mount_from: tf_static` sources
    # read. odom -> base_link comes from the bridged /tf. Static: no /clock needed.
    description = _description(namespace, urdf(HUMANOID))
    return [
        # gz sim, create and the bridge find each other on this partition only.
        SetEnvironmentVariable("GZ_PARTITION", partition),
        LogInfo(msg=f"Gazebo world '{world.name}' on GZ_PARTITION={partition} (export it to "
                    "reach this simulation with `gz topic`, `gz service`)"),
        gz_sim,
        spawn,
        TimerAction(period=timeout_s, actions=[OpaqueFunction(function=check)]),
        bridge,
        description,
    ]


def _brain(namespace: LaunchConfiguration) -> IncludeLaunchDescription:
    """brain.launch.py on the simulated robot, started once the robot is in the world."""
    share = get_package_share_directory("robot_brain")
    # gz sim stamps everything with its simulated time and the bridge republishes its /clock
    # (one message per physics step); brain.launch.py decides which nodes follow it.
    return IncludeLaunchDescription(
        PythonLaunchDescriptionSource(os.path.join(share, "launch", "brain.launch.py")),
        launch_arguments={
            "sim": "false",
            "use_sim_time": "true",
            "namespace": namespace,
            "params_file": LaunchConfiguration("params_file"),
            "planner_backend": LaunchConfiguration("planner_backend"),
            "record": LaunchConfiguration("record"),
            "bag_dir": LaunchConfiguration("bag_dir"),
            "live": LaunchConfiguration("live"),
            "live_port": LaunchConfiguration("live_port"),
            "rt_priority": LaunchConfiguration("rt_priority"),
            "compose": LaunchConfiguration("compose"),
            "apart": LaunchConfiguration("apart"),
            "motion": LaunchConfiguration("motion"),
        }.items())


def generate_launch_description() -> LaunchDescription:
    share = get_package_share_directory("robot_brain")
    return LaunchDescription([
        DeclareLaunchArgument("world",
                              default_value=os.path.join(share, "worlds", "apartment.sdf"),
                              description="Gazebo world SDF (scripts/make_gazebo_world.py); "
                                          "the robot is spawned into the world it names."),
        DeclareLaunchArgument("robot_model",
                              default_value=os.path.join(share, "models", "humanoid.sdf"),
                              description="Robot model SDF spawned as 'humanoid'."),
        DeclareLaunchArgument("bridge_config",
                              default_value=os.path.join(share, "config", "gz_bridge.yaml"),
                              description="ros_gz_bridge YAML; its cmd_vel type must match "
                                          "cmd_vel_stamped."),
        DeclareLaunchArgument("gz_extra_args", default_value="",
                              description="Extra gz sim arguments, e.g. '-s' (no GUI)."),
        DeclareLaunchArgument("gz_partition",
                              default_value=os.environ.get("GZ_PARTITION")
                              or _unique_partition(),
                              description="gz-transport partition of this simulation "
                                          "(default: $GZ_PARTITION, else one unique to this "
                                          "launch), so two launches on a network never "
                                          "share a world."),
        DeclareLaunchArgument("spawn_timeout", default_value="60",
                              description="Seconds for `create` to spawn the robot; longer, "
                                          "or a failed spawn, ends the launch."),
        DeclareLaunchArgument("x", default_value="",
                              description="Spawn x in m ('' = the world's robot_start)."),
        DeclareLaunchArgument("y", default_value="",
                              description="Spawn y in m ('' = the world's robot_start)."),
        DeclareLaunchArgument("yaw", default_value="",
                              description="Spawn yaw in rad ('' = the world's robot_start)."),
        DeclareLaunchArgument("namespace", default_value="",
                              description="Namespace of the brain and the bridged topics."),
        DeclareLaunchArgument("params_file",
                              default_value=os.path.join(share, "config", "brain.yaml"),
                              description="Parameter file (a /** block plus one per node)."),
        DeclareLaunchArgument("planner_backend", default_value="llama_cpp",
                              description="LLM backend: llama_cpp, openai or scripted."),
        DeclareLaunchArgument("record", default_value="false", choices=BOOLEAN,
                              description="Record the brain's topics (MCAP)."),
        DeclareLaunchArgument("bag_dir", default_value="runs",
                              description="Where record:=true creates brain_<timestamp>/ "
                                          "(relative: to the shell's directory)."),
        DeclareLaunchArgument("live", default_value="false", choices=BOOLEAN,
                              description="Serve the Foxglove live view (docs/live_view.md)."),
        DeclareLaunchArgument("live_port", default_value="8765",
                              description="TCP port of the live view."),
        DeclareLaunchArgument("rt_priority", default_value="50",
                              description="SCHED_FIFO priority of the watchdog (controller 3 "
                                          "and perception 6 below it)."),
        DeclareLaunchArgument("compose", default_value="true", choices=BOOLEAN,
                              description="fast_path and slow_path composites "
                                          "(docs/composition.md); false = a process per node."),
        DeclareLaunchArgument("apart", default_value="",
                              description="Nodes that keep a process of their own while the "
                                          "rest is composed (e.g. recorder)."),
        DeclareLaunchArgument("motion", default_value="brain", choices=["brain", "nav2"],
                              description="Who drives navigate_to steps: the brain's "
                                          "controller or Nav2 (docs/nav2.md)."),
        OpaqueFunction(function=_gazebo),
    ])
