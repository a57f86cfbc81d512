"""cmd_vel as TwistStamped or Twist, chosen by the shared `cmd_vel_stamped` parameter.

Commands travel as CDR bytes (robot_brain.ros.twist_cdr): published with publish(bytes),
subscribed with raw=True and read with decode_command. The graph sees the same types.
"""

from __future__ import annotations

from typing import Any

from geometry_msgs.msg import Twist, TwistStamped
from rclpy.node import Node
from rclpy.publisher import Publisher
from rclpy.qos import QoSProfile
from rclpy.subscription import Subscription

from robot_brain.core.geometry import Velocity
from robot_brain.ros.subscriptions import InfoCallback, create_subscription_with_info
from robot_brain.ros.twist_cdr import (
    CdrError,
    Stamp,
    StampLike,
    TwistEncoder,
    TwistFields,
    decode_twist,
)

__all__ = ["CdrError", "CmdVelPublisher", "TwistFields", "create_cmd_vel_subscription_with_info",
           "decode_command", "twist_type"]


def twist_type(stamped: bool) -> type:
    return TwistStamped if stamped else Twist


def decode_command(raw: bytes, stamped: bool) -> tuple[Velocity, TwistFields]:
    """The command in serialized bytes, or CdrError."""
    fields = decode_twist(raw, stamped)
    return Velocity(fields.linear_x, fields.angular_z), fields


class CmdVelPublisher:
    def __init__(self, node: Node, topic: str, stamped: bool, qos: QoSProfile,
                 frame_id: str = "base_link") -> None:
        self._clock = node.get_clock()
        self._stamped = stamped
        self._pub: Publisher = node.create_publisher(twist_type(stamped), topic, qos)
        self._encoder = TwistEncoder(stamped, frame_id)

    def publish(self, v: Velocity, stamp: StampLike | None = None) -> None:
        """`stamp`: a builtin_interfaces/Time or Stamp; None = the node's clock now."""
        if self._stamped and stamp is None:
            stamp = Stamp.from_nanoseconds(self._clock.now().nanoseconds)
        self._pub.publish(self._encoder.encode(float(v.linear), float(v.angular), stamp))


def create_cmd_vel_subscription_with_info(node: Node, topic: str, stamped: bool,
                                          qos: QoSProfile, callback: InfoCallback
                                          ) -> Subscription[Any]:
    """callback(raw bytes, info): read them with decode_command."""
    return create_subscription_with_info(node, twist_type(stamped), topic, callback, qos,
                                         raw=True)
