"""The newest view of every source -> the sectors perception publishes.

Per sector, over the sources whose newest usable message is younger than their `timeout_s`:
the smallest obstacle range any of them sees; else +inf if any of them sees the sector free;
else NaN (no fresh source sees it). That is numpy's fmin, which ignores NaN.

A source that went silent (or whose last message was refused) stops contributing, so what
only it saw becomes unknown, which the controller treats as blocked. When no source produces
anything, nothing is published at all, and the controller's own `perception_timeout_s` stops
the robot: the merge never invents a view.

A source with an accumulation window (`accumulate_s` > 0: a driver that sends each sweep in
slices) has as its view the fmin of its messages of the last window, so a slice that covers a
part of the turn adds to the others instead of replacing them; what the newest message did not
see keeps the nearest obstacle the window saw. At most MAX_ACCUMULATED messages are kept per
source: beyond that the oldest go, and what only they saw becomes unknown (blocked), never
free.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Sequence

import numpy as np

#: Messages kept per accumulating source (100 Hz slices over a 0.5 s window: 50).
MAX_ACCUMULATED = 64


class SectorMerger:
    def __init__(self, n_sectors: int, timeouts_s: Sequence[float],
                 accumulate_s: Sequence[float] | None = None) -> None:
        """`accumulate_s`: each source's accumulation window (s); None = 0 for every one."""
        if n_sectors < 1 or not timeouts_s:
            raise ValueError("a merger needs sectors and at least one source")
        self.n = n_sectors
        self.timeouts = tuple(float(t) for t in timeouts_s)
        windows = [0.0] * len(self.timeouts) if accumulate_s is None else list(accumulate_s)
        if len(windows) != len(self.timeouts) or not all(
                math.isfinite(w) and w >= 0.0 for w in windows):
            raise ValueError(f"accumulation windows {windows}: one finite value >= 0 per "
                             "source")
        self.windows = tuple(float(w) for w in windows)
        self._recent: list[deque[tuple[float, np.ndarray]]] = [
            deque(maxlen=MAX_ACCUMULATED) for _ in self.timeouts]
        self._views = np.full((len(self.timeouts), n_sectors), np.nan, dtype=np.float32)
        self._t = [-math.inf] * len(self.timeouts)

    def update(self, source: int, sectors: np.ndarray | None, now: float) -> None:
        """Source `source`'s newest view (None = nothing usable: forget the previous one)."""
        if sectors is None:
            self._t[source] = -math.inf
            self._views[source] = np.nan
            self._recent[source].clear()
            return
        if sectors.shape != (self.n,):
            raise ValueError(f"source {source}: {sectors.shape} sectors, expected ({self.n},)")
        self._t[source] = now
        window = self.windows[source]
        if window <= 0.0:
            self._views[source] = sectors
            return
        recent = self._recent[source]
        recent.append((now, np.array(sectors, dtype=np.float32)))
        while recent and now - recent[0][0] > window:
            recent.popleft()
        view = self._views[source]
        view[:] = recent[0][1]
        for _, v in list(recent)[1:]:   # a few rows of n: cheaper than stacking them
            np.fmin(view, v, out=view)

    def fresh(self, now: float) -> list[bool]:
        return [now - t <= timeout for t, timeout in zip(self._t, self.timeouts, strict=True)]

    def merged(self, now: float) -> np.ndarray:
        """float32 (N,) over the fresh sources; all NaN when none is fresh."""
        rows = self._views[np.array(self.fresh(now), dtype=bool)]
        if rows.shape[0] == 0:
            return np.full(self.n, np.nan, dtype=np.float32)
        return np.fmin.reduce(rows, axis=0).astype(np.float32, copy=False)
