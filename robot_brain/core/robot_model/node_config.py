"""The `description` node's settings: the brain's own robot_state_publisher stand-in for the
robot description (docs/gazebo.md), for doors where robot_state_publisher is missing."""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.config.params import param


@dataclass(frozen=True)
class DescriptionConfig:
    publish_tf_static: bool = param(
        True, "Publish the description's fixed joints (every body part and sensor frame in "
        "base_link) on /tf_static, as robot_state_publisher does for a URDF; needs tf2_msgs.")
