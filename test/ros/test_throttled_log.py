"""ThrottledLog: one message per period per kind, decided before rclpy's logger is called."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rclpy
from rclpy.node import Node

from robot_brain.ros.throttled_log import ThrottledLog


@pytest.fixture()
def node() -> Iterator[Node]:
    if not rclpy.ok():
        rclpy.init()
    n = Node("throttled_log_test")
    yield n
    n.destroy_node()


def test_each_kind_has_its_own_period(node: Node) -> None:
    log = ThrottledLog(node, 3600.0)
    assert log.warning("a", "first a") is True
    assert log.warning("a", "second a") is False
    # Another kind from the same call site is not hidden behind the first.
    assert log.warning("b", "first b") is True
    # Warnings and errors of one key share the period; both severities work from one object.
    assert log.error("a", "an error a") is False
    assert log.error("c", "an error c") is True


def test_zero_period_logs_every_time(node: Node) -> None:
    log = ThrottledLog(node, 0.0)
    assert all(log.warning("k", f"#{i}") for i in range(3))
    assert all(log.error("k", f"#{i}") for i in range(3))
