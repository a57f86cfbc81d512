"""cmd_vel as TwistStamped or Twist, chosen by the shared `cmd_vel_stamped` parameter."""

from __future__ import annotations

from typing import Any, Callable

from geometry_msgs.msg import Twist, TwistStamped
from rclpy.node import Node
from rclpy.publisher import Publisher
from rclpy.qos import QoSProfile
from rclpy.subscription import Subscription

from robot_brain.core.geometry import Velocity
from robot_brain.ros.subscriptions import InfoCallback, create_subscription_with_info


def twist_type(stamped: bool) -> type:
    return TwistStamped if stamped else Twist


def to_velocity(msg: Any) -> Velocity:
    twist = msg.twist if isinstance(msg, TwistStamped) else msg
    return Velocity(float(twist.linear.x), float(twist.angular.z))


class CmdVelPublisher:
    def __init__(self, node: Node, topic: str, stamped: bool, qos: QoSProfile,
                 frame_id: str = "base_link") -> None:
        self._node = node
        self._stamped = stamped
        self._pub: Publisher = node.create_publisher(twist_type(stamped), topic, qos)
        # One message, refilled on every publish: rclpy converts it to the middleware's form
        # inside publish(), so nothing keeps it, and building a TwistStamped (header, twist,
        # four vectors) cost more than the publish itself at 100 Hz.
        self._msg: Any = TwistStamped() if stamped else Twist()
        if stamped:
            self._msg.header.frame_id = frame_id
        self._twist = self._msg.twist if stamped else self._msg

    def publish(self, v: Velocity, stamp: Any = None) -> None:
        if self._stamped:
            self._msg.header.stamp = (stamp if stamp is not None
                                      else self._node.get_clock().now().to_msg())
        self._twist.linear.x = float(v.linear)
        self._twist.angular.z = float(v.angular)
        self._pub.publish(self._msg)


def create_cmd_vel_subscription(node: Node, topic: str, stamped: bool, qos: QoSProfile,
                                callback: Callable[[Any], None]) -> Subscription:
    return node.create_subscription(twist_type(stamped), topic, callback, qos)


def create_cmd_vel_subscription_with_info(node: Node, topic: str, stamped: bool,
                                          qos: QoSProfile, callback: InfoCallback
                                          ) -> Subscription:
    return create_subscription_with_info(node, twist_type(stamped), topic, callback, qos)
