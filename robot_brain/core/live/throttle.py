"""Per-channel rate limit of the live view: forward at most one message per interval.

A dropped message costs one comparison; nothing is queued, so a stream faster than the limit
never builds a backlog in the bridge (the newest sample after the interval goes out).
"""

from __future__ import annotations

import math


class RateLimiter:
    def __init__(self, max_rate_hz: float) -> None:
        """max_rate_hz <= 0 or inf: no limit."""
        self.min_interval = 1.0 / max_rate_hz if 0.0 < max_rate_hz < math.inf else 0.0
        self._last = -math.inf
        self.passed = 0
        self.dropped = 0

    def allow(self, now: float) -> bool:
        """True when a message arriving at `now` (monotonic s) may be forwarded."""
        if now - self._last >= self.min_interval:
            self._last = now
            self.passed += 1
            return True
        self.dropped += 1
        return False
