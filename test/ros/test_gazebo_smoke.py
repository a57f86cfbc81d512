"""Gazebo smoke test (launch_testing): the whole Gazebo door, run, wherever ros_gz exists.

gz sim headless (`-s`, plus gazebo.launch.py's own `-r`) with the shipped world, the humanoid
spawned into it, the bridge, and the brain (scripted planner, so it needs no model): scan,
odom and battery_state arrive with the brain's frames and units, /clock steps at the world's
4 ms, the power monitor reads the battery as Gazebo means it, and an instruction becomes a
plan that the robot walks to its end on the brain's cmd_vel.

Skips with the reason where ros_gz, Gazebo or launch_testing are missing (the PyPI-wheel
machines this project's CI runs on); run it on a ROS 2 + ros_gz machine with
`colcon test --packages-select robot_brain` or `python -m pytest test/ros/test_gazebo_smoke.py`.
"""

from __future__ import annotations

import importlib.metadata
import shutil

import pytest


def _why_not() -> str | None:
    try:
        # Names, not modules: `launch` alone would find this repository's launch/ folder.
        from launch import LaunchService  # noqa: F401
        from launch_ros.actions import Node  # noqa: F401
        from launch_testing.actions import ReadyToTest  # noqa: F401
    except ImportError as exc:
        return f"ROS 2 launch / launch_ros / launch_testing are not installed ({exc})"
    names = {ep.name for ep in importlib.metadata.entry_points(group="pytest11")}
    if "launch_testing" not in names:
        return "launch_testing's pytest plugin is not registered (install launch_testing)"
    from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
    for package in ("ros_gz_sim", "ros_gz_bridge"):
        try:
            get_package_share_directory(package)
        except PackageNotFoundError:
            return f"{package} is not installed (ros_gz: docs/gazebo.md)"
    if shutil.which("gz") is None:
        return "the `gz` command (Gazebo) is not on PATH"
    return None


_REASON = _why_not()

if _REASON is None:
    # The launch test: launch_testing's plugin finds generate_test_description here.
    from test.ros.gazebo_smoke_launch import (  # noqa: F401
        TestGazeboDoor,
        TestShutdown,
        generate_test_description,
    )
else:
    pytestmark = pytest.mark.ros

    def test_gazebo_smoke() -> None:
        pytest.skip(_REASON)
