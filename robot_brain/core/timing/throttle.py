"""Warnings at most once per period per kind, decided on an injected clock.

rclpy throttles per call site, so one kind of bad input at 100 Hz would hide a second kind
logged from the same place; here each kind (a key) has its own period.
"""

from __future__ import annotations

import math


class KeyedThrottle:
    def __init__(self, period_s: float) -> None:
        if not (math.isfinite(period_s) and period_s >= 0.0):
            raise ValueError(f"throttle period must be finite and >= 0, got {period_s}")
        self.period_s = period_s
        self._last: dict[str, float] = {}

    def allow(self, key: str, now: float) -> bool:
        """True (and remembered) when `key` was last allowed at least a period ago."""
        if now - self._last.get(key, -math.inf) >= self.period_s:
            self._last[key] = now
            return True
        return False
