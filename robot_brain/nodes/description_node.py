"""description: the robot description on ROS where robot_state_publisher is missing.

Publishes the humanoid's URDF (robot_brain.core.robot_model, the same description the
simulators and the Gazebo model are generated from) on `robot_description` and its fixed
joints (every body part and sensor frame in base_link) on /tf_static, both latched, then
idles. gazebo.launch.py starts robot_state_publisher with the same URDF where it is
installed, and this node otherwise (docs/gazebo.md). Without tf2_msgs it says so in one line
and publishes the URDF only.
"""

from __future__ import annotations

from rclpy.node import Node

from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.robot_model.node_config import DescriptionConfig
from robot_brain.core.robot_model.urdf import fixed_joints
from robot_brain.ros.params import declare_config
from robot_brain.ros.robot_description import publish_static, publish_urdf
from robot_brain.ros.runtime import run_node

__all__ = ["DescriptionNode", "main"]


class DescriptionNode(Node):
    def __init__(self) -> None:
        super().__init__("description")
        self.cfg = declare_config(self, DescriptionConfig)
        joints = fixed_joints(HUMANOID)
        # Kept alive: a latched message lives as long as its publisher.
        self._urdf_pub = publish_urdf(self, HUMANOID)
        self._static_pub = publish_static(self, joints) if self.cfg.publish_tf_static else None
        if self.cfg.publish_tf_static and self._static_pub is None:
            self.get_logger().warning("tf2_msgs is not installed: /tf_static not published "
                                      "(robot_description only)")
        tf_note = (f", {len(joints)} fixed joints on /tf_static" if self._static_pub
                   else "")
        self.get_logger().info(f"description: '{HUMANOID.name}' on robot_description"
                               f"{tf_note}")


def main(args: list[str] | None = None) -> int:
    return run_node(DescriptionNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
