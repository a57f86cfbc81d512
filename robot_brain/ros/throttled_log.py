"""A node's warnings and errors at most once per period per kind (a key).

Decided before rclpy's logger is called: rclpy's own `throttle_duration_sec` is checked only
after the logger has inspected the caller's frame, which measured ~0.5 ms a call on the 2-core
test machines, so a throttled warning at 100 Hz still cost 5 % of a core. rclpy also throttles
per call site, which would hide a second kind of bad input logged from the same place.
"""

from __future__ import annotations

import time

from rclpy.node import Node

from robot_brain.core.timing.throttle import KeyedThrottle


class ThrottledLog:
    def __init__(self, node: Node, period_s: float) -> None:
        self._logger = node.get_logger()
        self._throttle = KeyedThrottle(period_s)

    def warning(self, key: str, text: str) -> bool:
        """Logs `text` unless `key` was logged less than a period ago; True if it did."""
        if not self._throttle.allow(key, time.monotonic()):
            return False
        self._logger.warning(text)
        return True

    def error(self, key: str, text: str) -> bool:
        if not self._throttle.allow(key, time.monotonic()):
            return False
        # A call site of its own: rclpy refuses one call site logging at two severities.
        self._logger.error(text)
        return True
