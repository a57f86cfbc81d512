"""Subscriptions whose callback wants the message info, under either executor.

rclpy Kilted's EventsExecutor hands a (message, info) callback the pair as ONE argument, and
a two-parameter callback then fails inside the executor with "SystemError: null argument to
internal routine" (test/ros/test_executors.py reproduces it). The single-threaded executor
passes them as two arguments. The adapter here takes both forms, so a node works under
either `executor` setting.
"""

from __future__ import annotations

from typing import Any, Callable

from rclpy.node import Node
from rclpy.qos import QoSProfile
from rclpy.subscription import MessageInfo, Subscription

InfoCallback = Callable[[Any, MessageInfo], None]


class _InfoAdapter:
    """callback(msg, info) from `(msg, info)` or `((msg, info),)`."""

    def __init__(self, callback: InfoCallback) -> None:
        self._callback = callback

    def __call__(self, *args: Any) -> None:
        msg, info = args[0] if len(args) == 1 else args
        self._callback(msg, info)


def create_subscription_with_info(node: Node, msg_type: Any, topic: str,
                                  callback: InfoCallback, qos: QoSProfile,
                                  *, raw: bool = False) -> Subscription[Any]:
    sub = node.create_subscription(msg_type, topic, _InfoAdapter(callback), qos, raw=raw)
    # rclpy infers the callback type from the signature; a (*args) adapter reads as
    # message-only, so say explicitly that it wants the info.
    sub._callback_type = Subscription.CallbackType.WithMessageInfo
    return sub
