"""Bounded rolling statistics for timing figures (p50/p99/max) without unbounded memory."""

from __future__ import annotations

import math

import numpy as np

# numpy imports numpy.ma lazily on the first percentile (16 ms here): paid now, at start-up,
# not in the first 1 Hz report, where it delayed a 100 Hz tick past the watchdog's deadline.
np.percentile(np.zeros(2), 50.0)


class RollingWindow:
    """The last `size` samples in a preallocated ring; O(1) add, O(n) percentiles on demand."""

    def __init__(self, size: int = 1000) -> None:
        if size < 1:
            raise ValueError(f"window size must be >= 1, got {size}")
        self._buf = np.full(size, np.nan)
        self._i = 0
        self._n = 0
        self.total = 0

    def add(self, value: float) -> None:
        self._buf[self._i] = value
        self._i = (self._i + 1) % len(self._buf)
        self._n = min(self._n + 1, len(self._buf))
        self.total += 1

    def __len__(self) -> int:
        return self._n

    def values(self) -> np.ndarray:
        return self._buf[: self._n] if self._n < len(self._buf) else self._buf.copy()

    def percentile(self, q: float) -> float:
        if self._n == 0:
            return math.nan
        return float(np.percentile(self.values(), q))

    def max(self) -> float:
        return float(np.max(self.values())) if self._n else math.nan

    def clear(self) -> None:
        self._n = 0
        self._i = 0
