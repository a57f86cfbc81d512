"""The newest view of every source -> the sectors perception publishes.

Per sector, over the sources whose newest usable message is younger than their `timeout_s`:
the smallest obstacle range any of them sees; else +inf if any of them sees the sector free;
else NaN (no fresh source sees it). That is numpy's fmin, which ignores NaN.

A source that went silent (or whose last message was refused) stops contributing, so what
only it saw becomes unknown, which the controller treats as blocked. When no source produces
anything, nothing is published at all, and the controller's own `perception_timeout_s` stops
the robot: the merge never invents a view.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


class SectorMerger:
    def __init__(self, n_sectors: int, timeouts_s: Sequence[float]) -> None:
        if n_sectors < 1 or not timeouts_s:
            raise ValueError("a merger needs sectors and at least one source")
        self.n = n_sectors
        self.timeouts = tuple(float(t) for t in timeouts_s)
        self._views = np.full((len(self.timeouts), n_sectors), np.nan, dtype=np.float32)
        self._t = [-math.inf] * len(self.timeouts)

    def update(self, source: int, sectors: np.ndarray | None, now: float) -> None:
        """Source `source`'s newest view (None = nothing usable: forget the previous one)."""
        if sectors is None:
            self._t[source] = -math.inf
            self._views[source] = np.nan
            return
        if sectors.shape != (self.n,):
            raise ValueError(f"source {source}: {sectors.shape} sectors, expected ({self.n},)")
        self._views[source] = sectors
        self._t[source] = now

    def fresh(self, now: float) -> list[bool]:
        return [now - t <= timeout for t, timeout in zip(self._t, self.timeouts, strict=True)]

    def merged(self, now: float) -> np.ndarray:
        """float32 (N,) over the fresh sources; all NaN when none is fresh."""
        rows = self._views[np.array(self.fresh(now), dtype=bool)]
        if rows.shape[0] == 0:
            return np.full(self.n, np.nan, dtype=np.float32)
        return np.fmin.reduce(rows, axis=0).astype(np.float32, copy=False)
