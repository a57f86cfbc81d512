"""LatestSample: the newest sample of a topic, taken at the node's own rate."""

from __future__ import annotations

import time

import pytest
import rclpy
from rclpy.qos import QoSProfile, ReliabilityPolicy
from std_msgs.msg import Int32

from robot_brain.ros.latest import Poller

pytestmark = pytest.mark.ros

WAIT_BOUND_S = 20.0  # discovery plus delivery, far above the expected ~0.1 s


def test_take_returns_only_the_newest_then_nothing() -> None:
    if not rclpy.ok():
        rclpy.init()
    host = rclpy.create_node("latest_host", namespace="/ns")
    poller = Poller(host)
    try:
        reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
        latest = poller.latest(Int32, "counter", reliable)
        # A relative name resolves in the host's namespace.
        pub = host.create_publisher(Int32, "/ns/counter", reliable)
        t0 = time.monotonic()
        while pub.get_subscription_count() == 0 and time.monotonic() - t0 < WAIT_BOUND_S:
            time.sleep(0.01)
        assert pub.get_subscription_count() == 1
        assert latest.take() is None
        before = time.monotonic()
        for i in range(50):
            pub.publish(Int32(data=i))
        sample = None
        while sample is None and time.monotonic() - before < WAIT_BOUND_S:
            time.sleep(0.05)
            sample = latest.take()
        assert sample is not None
        # Keep-last 1: the 49 older samples were never converted nor delivered to Python.
        deadline = time.monotonic() + 1.0
        while sample.msg.data != 49 and time.monotonic() < deadline:
            time.sleep(0.05)
            sample = latest.take() or sample
        assert sample.msg.data == 49
        assert before <= sample.received <= time.monotonic()
        assert latest.take() is None
    finally:
        poller.destroy()
        host.destroy_node()


def test_a_polling_node_destroys_its_poller_and_survives_a_failed_init() -> None:
    from robot_brain.ros.latest import PollingNode, poller_name

    if not rclpy.ok():
        rclpy.init()

    class Host(PollingNode):
        def __init__(self, fail: bool) -> None:
            super().__init__("polling_host")
            if fail:
                raise ValueError("bad parameter")
            self.latest = self.poller.latest(Int32, "counter", QoSProfile(depth=1))

    host = Host(fail=False)
    assert poller_name("polling_host") in host.get_node_names()
    helper = host.poller
    assert host.poller is helper  # one helper per host
    host.destroy_node()
    assert host._own_poller is None
    with pytest.raises(ValueError, match="bad parameter"):
        Host(fail=True)  # its half-built node is destroyed at clean-up without an error
    never_used = Host.__new__(Host)
    assert never_used._own_poller is None
