"""Run the brain on a Gazebo-simulated humanoid: `ros2 launch robot_brain gazebo.launch.py`.

Needs ROS 2 (Jazzy or newer) with ros_gz (ros_gz_sim, ros_gz_bridge) and Gazebo Harmonic or newer
(docs/gazebo.md). Starts gz sim with the shipped world, spawns the shipped humanoid at the world's
`robot_start` frame, bridges the robot's topics (cmd_vel in; scan, odom, battery_state, /clock
out) with config/gz_bridge.yaml, and includes brain.launch.py with sim:=false and
use_sim_time:=true.

Arguments: world (SDF), robot_model (SDF), bridge_config (YAML), gz_extra_args (e.g. `-s` for a
server without GUI), x / y / yaw (spawn pose; '' = the world's robot_start frame), and
brain.launch.py's namespace, params_file, planner_backend, record, rt_priority.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from ament_index_python.packages import get_package_share_directory
from launch import LaunchContext, LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, OpaqueFunction
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node, SetParameter

#: The model's name in Gazebo. The battery state topic is derived from it
#: (/model/<name>/battery/<battery>/state), so it must equal the name in humanoid.sdf.
ROBOT_NAME = "humanoid"
#: World frame written by scripts/make_gazebo_world.py at the world file's `start`.
ROBOT_START_FRAME = "robot_start"
#: Dropped from just above the floor so the wheels settle instead of starting in contact.
SPAWN_Z = "0.02"


class SpawnPoseError(RuntimeError):
    """The spawn pose can be taken neither from the launch arguments nor from the world."""


def _world_start(world_sdf: str) -> tuple[str, str, str]:
    """x, y, yaw of the world's robot_start frame."""
    try:
        root = ET.parse(world_sdf).getroot()
    except (OSError, ET.ParseError) as exc:
        raise SpawnPoseError(f"world {world_sdf}: cannot be read ({exc})") from exc
    for frame in root.iter("frame"):
        if frame.get("name") == ROBOT_START_FRAME:
            values = (frame.findtext("pose") or "").split()
            if len(values) == 6:
                return values[0], values[1], values[5]
    raise SpawnPoseError(
        f"world {world_sdf}: no <frame name='{ROBOT_START_FRAME}'> with a 6-value pose; "
        "pass x:=, y:= and yaw:=")


def _spawn_robot(context: LaunchContext) -> list[Node]:
    # Literal argument names, so test/unit/test_gazebo_launch.py can check they are declared.
    x = LaunchConfiguration("x").perform(context)
    y = LaunchConfiguration("y").perform(context)
    yaw = LaunchConfiguration("yaw").perform(context)
    if not (x and y and yaw):
        world_x, world_y, world_yaw = _world_start(LaunchConfiguration("world").perform(context))
        x, y, yaw = x or world_x, y or world_y, yaw or world_yaw
    model = LaunchConfiguration("robot_model").perform(context)
    return [Node(
        package="ros_gz_sim", executable="create", output="screen",
        arguments=["-name", ROBOT_NAME, "-file", model,
                   "-x", x, "-y", y, "-z", SPAWN_Z, "-Y", yaw])]


def generate_launch_description() -> LaunchDescription:
    share = get_package_share_directory("robot_brain")
    gz_share = get_package_share_directory("ros_gz_sim")
    namespace = LaunchConfiguration("namespace")

    gz_sim = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(os.path.join(gz_share, "launch", "gz_sim.launch.py")),
        launch_arguments={
            # -r: run at once, so /clock ticks before the brain's stale-input timers judge it.
            "gz_args": [LaunchConfiguration("gz_extra_args"), " -r ",
                        LaunchConfiguration("world")],
            "on_exit_shutdown": "true",
        }.items())

    bridge = Node(
        package="ros_gz_bridge", executable="parameter_bridge", name="gz_bridge",
        namespace=namespace, output="screen",
        parameters=[{"config_file": LaunchConfiguration("bridge_config"),
                     "use_sim_time": True}])

    # Sensor frames of humanoid.sdf (gz_frame_id; the robot description's mounts), for RViz
    # and TF users, and for perception's sources where it reads mounts from /tf_static.
    # odom -> base_link comes from the bridged /tf.
    laser_tf = Node(
        package="tf2_ros", executable="static_transform_publisher", name="laser_tf",
        namespace=namespace, output="screen",
        arguments=["--x", "0", "--y", "0", "--z", "0.35",
                   "--frame-id", "base_link", "--child-frame-id", "laser"])
    # The head lidar is mounted upside down (roll pi), as a G1 carries its MID-360.
    livox_tf = Node(
        package="tf2_ros", executable="static_transform_publisher", name="livox_tf",
        namespace=namespace, output="screen",
        arguments=["--x", "0", "--y", "0", "--z", "1.2", "--roll", "3.141593",
                   "--frame-id", "base_link", "--child-frame-id", "livox_frame"])
    imu_tf = Node(
        package="tf2_ros", executable="static_transform_publisher", name="imu_tf",
        namespace=namespace, output="screen",
        arguments=["--x", "0", "--y", "0", "--z", "0.66",
                   "--frame-id", "base_link", "--child-frame-id", "imu_link"])

    brain = IncludeLaunchDescription(
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
        }.items())

    return LaunchDescription([
        DeclareLaunchArgument("world",
                              default_value=os.path.join(share, "worlds", "apartment.sdf"),
                              description="Gazebo world SDF (scripts/make_gazebo_world.py)."),
        DeclareLaunchArgument("robot_model",
                              default_value=os.path.join(share, "models", "humanoid.sdf"),
                              description="Robot model SDF spawned as 'humanoid'."),
        DeclareLaunchArgument("bridge_config",
                              default_value=os.path.join(share, "config", "gz_bridge.yaml"),
                              description="ros_gz_bridge YAML; its cmd_vel type must match "
                                          "cmd_vel_stamped."),
        DeclareLaunchArgument("gz_extra_args", default_value="",
                              description="Extra gz sim arguments, e.g. '-s' (no GUI)."),
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
        DeclareLaunchArgument("record", default_value="false", choices=["true", "false"],
                              description="Record the brain's topics (MCAP)."),
        DeclareLaunchArgument("bag_dir", default_value="runs",
                              description="Where record:=true creates brain_<timestamp>/."),
        DeclareLaunchArgument("live", default_value="false", choices=["true", "false"],
                              description="Serve the Foxglove live view (docs/live_view.md)."),
        DeclareLaunchArgument("live_port", default_value="8765",
                              description="TCP port of the live view."),
        DeclareLaunchArgument("rt_priority", default_value="50",
                              description="SCHED_FIFO priority of the watchdog (controller 3 "
                                          "and perception 6 below it)."),
        DeclareLaunchArgument("compose", default_value="true", choices=["true", "false"],
                              description="fast_path and slow_path composites "
                                          "(docs/composition.md); false = a process per node."),
        # Every node started from here on, Gazebo's own included, stamps with /clock.
        SetParameter(name="use_sim_time", value=True),
        gz_sim,
        OpaqueFunction(function=_spawn_robot),
        bridge,
        laser_tf,
        livox_tf,
        imu_tf,
        brain,
    ])
