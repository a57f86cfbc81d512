"""Start the whole robot_brain: `ros2 launch robot_brain brain.launch.py [arg:=value ...]`.

Arguments: namespace, params_file, use_sim_time, sim (start the built-in simulated humanoid),
record (ros2 bag record -s mcap of the brain's topics), planner_backend, rt_priority,
live (the Foxglove WebSocket live view, docs/live_view.md) and live_port.
"""

from __future__ import annotations

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue

# The topics a run is analysed from (robot-brain report reads the same list).
RECORDED_TOPICS = [
    "scan", "odom", "battery_state", "cmd_vel", "controller/cmd_vel", "controller/latency",
    "perception/obstacles", "perception/scene", "planner/plan", "planner/goal", "planner/hold",
    "planner/status", "brain/instruction", "brain/say", "power/mode", "power/endurance",
    "watchdog/estop", "estop", "/diagnostics",
]


def generate_launch_description() -> LaunchDescription:
    share = get_package_share_directory("robot_brain")
    namespace = LaunchConfiguration("namespace")
    params_file = LaunchConfiguration("params_file")
    use_sim_time = LaunchConfiguration("use_sim_time")
    rt_priority = LaunchConfiguration("rt_priority")

    def brain_node(executable: str, extra: dict | None = None, **kwargs) -> Node:
        params = [params_file, {"use_sim_time": use_sim_time}]
        if extra:
            params.append(extra)
        return Node(package="robot_brain", executable=executable, name=executable,
                    namespace=namespace, parameters=params, output="screen",
                    emulate_tty=True, **kwargs)

    return LaunchDescription([
        DeclareLaunchArgument("namespace", default_value="",
                              description="Namespace of every brain node and topic."),
        DeclareLaunchArgument("params_file",
                              default_value=os.path.join(share, "config", "brain.yaml"),
                              description="Parameter file (a /** block plus one per node)."),
        DeclareLaunchArgument("use_sim_time", default_value="false",
                              description="Use /clock (Gazebo) for message stamps."),
        DeclareLaunchArgument("sim", default_value="true",
                              description="Start the built-in simulated humanoid."),
        DeclareLaunchArgument("record", default_value="false",
                              description="Record the brain's topics with ros2 bag (MCAP)."),
        DeclareLaunchArgument("planner_backend", default_value="llama_cpp",
                              description="LLM backend: llama_cpp, openai or scripted."),
        DeclareLaunchArgument("live", default_value="false",
                              description="Serve a Foxglove WebSocket live view "
                                          "(docs/live_view.md); loopback only by default."),
        DeclareLaunchArgument("live_port", default_value="8765",
                              description="TCP port of the live view."),
        DeclareLaunchArgument("rt_priority", default_value="50",
                              description="SCHED_FIFO priority of controller and watchdog "
                                          "(0 = normal scheduling)."),
        brain_node("sim", condition=IfCondition(LaunchConfiguration("sim"))),
        brain_node("perception"),
        brain_node("controller", {"rt_priority": rt_priority}),
        brain_node("watchdog", {"rt_priority": rt_priority}),
        brain_node("planner", {"backend": LaunchConfiguration("planner_backend")}),
        brain_node("power_monitor"),
        brain_node("live_view", {"port": ParameterValue(LaunchConfiguration("live_port"),
                                                        value_type=int)},
                   condition=IfCondition(LaunchConfiguration("live"))),
        ExecuteProcess(
            cmd=["ros2", "bag", "record", "-s", "mcap", "-o",
                 PathJoinSubstitution(["runs", "brain_bag"])] + RECORDED_TOPICS,
            condition=IfCondition(LaunchConfiguration("record")), output="screen"),
    ])
