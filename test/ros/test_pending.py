"""take_pending: a callback takes what the middleware already received, and the executor
then finds nothing left to deliver twice."""

from __future__ import annotations

import time

import pytest
import rclpy
from rclpy.executors import SingleThreadedExecutor
from std_msgs.msg import Int32

from robot_brain.ros import qos
from robot_brain.ros.pending import take_pending

pytestmark = pytest.mark.ros

ARRIVAL_TIMEOUT_S = 10.0  # local delivery takes ~1 ms; 10 s is only a hang guard


def test_take_pending_takes_received_messages_in_order_and_once() -> None:
    if not rclpy.ok():
        rclpy.init()
    node = rclpy.create_node("take_pending_test")
    delivered: list[int] = []
    try:
        sub = node.create_subscription(Int32, "pending_test", lambda m: delivered.append(m.data),
                                       qos.COMMANDS_IN)
        pub = node.create_publisher(Int32, "pending_test", qos.RELIABLE)
        deadline = time.monotonic() + ARRIVAL_TIMEOUT_S
        while pub.get_subscription_count() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        for i in range(3):
            pub.publish(Int32(data=i))

        taken: list[int] = []
        while len(taken) < 3 and time.monotonic() < deadline:
            taken += [msg.data for msg, _ in take_pending(sub, limit=10)]
            time.sleep(0.005)
        assert taken == [0, 1, 2]

        pub.publish(Int32(data=3))
        pub.publish(Int32(data=4))
        while time.monotonic() < deadline:
            first = list(take_pending(sub, limit=1))
            if first:
                break
            time.sleep(0.005)
        assert [m.data for m, _ in first] == [3]  # the limit bounds the work
        info = first[0][1]
        assert info["received_timestamp"] > 0 and info["source_timestamp"] > 0

        executor = SingleThreadedExecutor()
        executor.add_node(node)
        end = time.monotonic() + 1.0
        while time.monotonic() < end and not delivered:
            executor.spin_once(timeout_sec=0.05)
        # Only what was not taken reaches the callback.
        assert delivered == [4]
        assert list(take_pending(sub, limit=10)) == []
        executor.shutdown()
    finally:
        node.destroy_node()
