"""ament_python package robot_brain: installable with colcon (ROS 2) or pip (PyPI ROS wheels)."""

import sys
from pathlib import Path

from setuptools import find_packages, setup

# The data-file list is shared with the venv's ament layout (robot_brain/install_data.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from robot_brain.install_data import data_files  # noqa: E402

package_name = "robot_brain"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test", "test.*", "bench"]),
    package_data={
        "robot_brain_lab": ["data/*.yaml"],
        package_name: ["worlds/*.yaml", "worlds/*.pgm", "schemas/*.json", "models/*.onnx",
                       "models/*.json", "config/*.yaml", "prompts/*", "data/*"],
    },
    data_files=data_files(),
    install_requires=["setuptools", "numpy", "PyYAML", "jsonschema"],
    zip_safe=True,
    maintainer="robot_brain developers",
    maintainer_email="robot-brain@example.org",
    description="A split brain for a humanoid: fast ONNX path, slow asynchronous LLM planner.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "sim = robot_brain.nodes.sim_node:main",
            "mujoco_sim = robot_brain.nodes.mujoco_sim_node:main",
            "perception = robot_brain.nodes.perception_node:main",
            "controller = robot_brain.nodes.controller_node:main",
            "fast_path = robot_brain.nodes.container:fast_path_main",
            "slow_path = robot_brain.nodes.container:slow_path_main",
            "watchdog = robot_brain.nodes.watchdog_node:main",
            "planner = robot_brain.nodes.planner_node:main",
            "power_monitor = robot_brain.nodes.power_monitor_node:main",
            "recorder = robot_brain.nodes.recorder_node:main",
            "live_view = robot_brain.nodes.live_view_node:main",
            "robot-brain = robot_brain.cli.main:main",
        ],
    },
)
