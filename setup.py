"""ament_python package robot_brain: installable with colcon (ROS 2) or pip (PyPI ROS wheels)."""

from glob import glob

from setuptools import find_packages, setup

package_name = "robot_brain"

setup(
    name=package_name,
    version="0.1.0",
    packages=find_packages(exclude=["test", "test.*", "bench"]),
    package_data={
        package_name: ["worlds/*.yaml", "schemas/*.json", "models/*.onnx", "models/*.json",
                       "config/*.yaml", "prompts/*", "data/*"],
    },
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/" + package_name]),
        ("share/" + package_name, ["package.xml"]),
        ("share/" + package_name + "/launch", glob("launch/*.launch.py")),
        ("share/" + package_name + "/config", glob("config/*.yaml")),
        ("share/" + package_name + "/worlds", glob("robot_brain/worlds/*.yaml")
         + glob("gazebo/worlds/*.sdf")),
        ("share/" + package_name + "/schemas", glob("robot_brain/schemas/*.json")),
        ("share/" + package_name + "/models", glob("robot_brain/models/*.onnx")
         + glob("gazebo/models/*.sdf")),
        ("share/" + package_name + "/layouts", glob("layouts/*.json")),
    ],
    install_requires=["setuptools", "numpy", "PyYAML", "jsonschema"],
    zip_safe=True,
    maintainer="robot_brain developers",
    maintainer_email="robot-brain@example.org",
    description="A split brain for a humanoid: fast ONNX path, slow asynchronous LLM planner.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "sim = robot_brain.nodes.sim_node:main",
            "perception = robot_brain.nodes.perception_node:main",
            "controller = robot_brain.nodes.controller_node:main",
            "watchdog = robot_brain.nodes.watchdog_node:main",
            "planner = robot_brain.nodes.planner_node:main",
            "power_monitor = robot_brain.nodes.power_monitor_node:main",
            "recorder = robot_brain.nodes.recorder_node:main",
            "live_view = robot_brain.nodes.live_view_node:main",
            "robot-brain = robot_brain.cli.main:main",
        ],
    },
)
