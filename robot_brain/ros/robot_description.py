"""The robot description on ROS: its URDF on `robot_description` and its fixed joints on
/tf_static, for RViz, Foxglove and any tf user (perception's `mount_from: tf_static`).

Shared by the simulators (sim, mujoco_sim) and the `description` node (the brain's own
robot_state_publisher stand-in, docs/gazebo.md). Both are latched (transient local depth 1):
a late joiner gets them at once, as from robot_state_publisher.
"""

from __future__ import annotations

from typing import Any, Iterable

from builtin_interfaces.msg import Time
from geometry_msgs.msg import TransformStamped
from rclpy.node import Node
from rclpy.publisher import Publisher
from std_msgs.msg import String

from robot_brain.core.robot_model import RobotDescription
from robot_brain.core.robot_model.description import Pose3D
from robot_brain.core.robot_model.frames import quaternion_from_rpy
from robot_brain.core.robot_model.urdf import FixedJoint, urdf
from robot_brain.ros import qos


def transform_stamped(parent: str, child: str, pose: Pose3D, stamp: Time) -> TransformStamped:
    """`child`'s pose in `parent` as a tf transform."""
    t = TransformStamped()
    t.header.stamp = stamp
    t.header.frame_id = parent
    t.child_frame_id = child
    t.transform.translation.x, t.transform.translation.y = pose.x, pose.y
    t.transform.translation.z = pose.z
    w, x, y, z = quaternion_from_rpy(pose.roll, pose.pitch, pose.yaw)
    r = t.transform.rotation
    r.x, r.y, r.z, r.w = x, y, z, w
    return t


def publish_urdf(node: Node, desc: RobotDescription) -> Publisher:
    """The URDF on `robot_description`, latched; keep the publisher alive."""
    pub = node.create_publisher(String, "robot_description", qos.STATE)
    pub.publish(String(data=urdf(desc)))
    return pub


def tf_message_type() -> Any | None:
    """tf2_msgs' TFMessage, or None where tf2_msgs is not installed."""
    try:
        from tf2_msgs.msg import TFMessage  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return TFMessage


def publish_static(node: Node, joints: Iterable[FixedJoint]) -> Publisher | None:
    """`joints` on /tf_static, latched, in one message (as a static broadcaster sends its
    set); None where tf2_msgs is missing. Keep the publisher alive."""
    tf_message = tf_message_type()
    if tf_message is None:
        return None
    stamp = node.get_clock().now().to_msg()
    pub = node.create_publisher(tf_message, "/tf_static", qos.STATE)
    pub.publish(tf_message(transforms=[transform_stamped(j.parent, j.child, j.pose, stamp)
                                       for j in joints]))
    return pub
