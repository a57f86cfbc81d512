"""A watchdog whose own executor runs late must not stop the robot over commands it has
already received: the check takes them before judging (robot_brain/ros/pending.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import rclpy
from geometry_msgs.msg import TwistStamped
from rclpy.executors import SingleThreadedExecutor
from rclpy.parameter import Parameter
from rclpy.serialization import serialize_message

from robot_brain.nodes.watchdog_node import WatchdogNode
from robot_brain.ros import qos
from robot_brain.ros.pending import take_pending

pytestmark = pytest.mark.ros

# The executor pause is longer than the deadline, so judging by the last *handled* command
# would latch; it is shorter than the subscription queue (10 commands), so nothing received is
# overwritten. The deadline is 5 command periods: a loaded CI machine delaying the publishing
# thread cannot open a real gap.
COMMAND_PERIOD_S = 0.1
DEADLINE_S = 0.5
PAUSE_S = 0.8  # the watchdog's executor does not run; its middleware keeps receiving
NAMESPACE = "pending_test"


def command(speed: float) -> bytes:
    """What the watchdog's raw subscription hands it."""
    msg = TwistStamped()
    msg.twist.linear.x = speed
    return serialize_message(msg)


@pytest.fixture()
def watchdog() -> Iterator[WatchdogNode]:
    if not rclpy.ok():
        rclpy.init()
    node = WatchdogNode(namespace=NAMESPACE, parameter_overrides=[
        Parameter("deadline_s", value=DEADLINE_S), Parameter("latch_s", value=DEADLINE_S),
        Parameter("check_rate_hz", value=200.0)])
    yield node
    node.destroy_node()


def bring_to_ok(node: WatchdogNode, pub: Any) -> SingleThreadedExecutor:
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    end = time.monotonic() + 10.0  # discovery in one process takes milliseconds
    while time.monotonic() < end and node.core.counters().commands < 5:
        pub.publish(command(0.3))
        executor.spin_once(timeout_sec=COMMAND_PERIOD_S)
    assert node.core.counters().commands >= 5, "watchdog never received the commands"
    assert not node.core.estop
    return executor


def test_commands_received_while_the_executor_was_late_keep_the_robot_going(
        watchdog: WatchdogNode) -> None:
    pub = watchdog.create_publisher(TwistStamped, f"/{NAMESPACE}/controller/cmd_vel",
                                    qos.RELIABLE)
    executor = bring_to_ok(watchdog, pub)
    handled = watchdog.core.counters().commands
    end = time.monotonic() + PAUSE_S
    while time.monotonic() < end:  # the controller keeps publishing, nobody spins
        pub.publish(command(0.3))
        time.sleep(COMMAND_PERIOD_S)
    pub.publish(command(0.3))
    assert watchdog.core.deadline_passed(time.monotonic())  # by the last *handled* command

    watchdog._on_check()  # what the executor would run first when it wakes

    assert not watchdog.core.estop
    assert watchdog.core.counters().deadline_misses == 0
    assert watchdog._taken_before_check >= 1
    assert watchdog.core.counters().commands > handled
    executor.shutdown()


def test_a_silent_controller_is_still_stopped_at_once(watchdog: WatchdogNode) -> None:
    pub = watchdog.create_publisher(TwistStamped, f"/{NAMESPACE}/controller/cmd_vel",
                                    qos.RELIABLE)
    executor = bring_to_ok(watchdog, pub)
    list(take_pending(watchdog.cmd_sub, limit=100))  # nothing left over from the start
    time.sleep(PAUSE_S)  # nothing published: a real stall

    watchdog._on_check()

    assert watchdog.core.estop
    assert watchdog.core.counters().deadline_misses == 1
    executor.shutdown()


@pytest.mark.parametrize("received_ns", [0, None], ids=["no timestamp", "over a second old"])
def test_a_missing_or_implausible_receipt_time_counts_as_handled_now(
        watchdog: WatchdogNode, received_ns: int | None) -> None:
    # A zero timestamp (middleware gave none) or one older than MAX_RECEIPT_AGE_S (the wall
    # clock stepped) must not make a command look stale: it counts as received when handled.
    if received_ns is None:
        received_ns = time.time_ns() - int(5e9)
    info = {"source_timestamp": received_ns, "received_timestamp": received_ns}
    before = time.monotonic()
    watchdog._on_command(command(0.3), info)  # type: ignore[arg-type]
    receipt = watchdog.core.last_receipt
    assert receipt is not None and receipt >= before
    assert not watchdog.core.estop
    assert watchdog.core.counters().deadline_misses == 0


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x00\x00", b"\x09\x09" + bytes(60)],
                         ids=["empty", "header only", "not CDR"])
def test_malformed_command_bytes_refresh_nothing(watchdog: WatchdogNode, raw: bytes) -> None:
    # A raw subscription hands over whatever a writer of the type name sent: bytes that are
    # not a command are counted and ignored, so the deadline keeps running.
    now_ns = time.time_ns()
    info = {"source_timestamp": now_ns, "received_timestamp": now_ns}
    before = watchdog.core.last_receipt
    watchdog._on_command(raw, info)  # type: ignore[arg-type]
    assert watchdog.core.last_receipt == before
    assert watchdog._malformed == 1
    watchdog._on_command(command(0.3), info)  # type: ignore[arg-type]
    assert watchdog.core.last_receipt is not None and watchdog.core.last_receipt != before
