"""Whether a simulator keeps real time, judged over the last report period.

The brain's freshness rules run on the steady clock: a sim that falls behind real time makes
its sensors arrive late and its robot walk slowly, and the brain cannot tell why. So the sim
says so: the real-time factor (simulated seconds per wall second) over each report period,
and `slow` when it is below `min_factor`.
"""

from __future__ import annotations

import math


class RealTimeMonitor:
    def __init__(self, wall0: float, min_factor: float = 0.95, min_period_s: float = 0.5
                 ) -> None:
        self.min_factor = min_factor
        self.min_period_s = min_period_s
        self._wall0 = wall0
        self._window = (wall0, 0.0)
        self.recent = math.nan

    def update(self, wall: float, sim_time: float) -> float:
        """The factor over the time since the last update at least `min_period_s` ago."""
        w0, s0 = self._window
        if wall - w0 >= self.min_period_s:
            self.recent = (sim_time - s0) / (wall - w0)
            self._window = (wall, sim_time)
        return self.recent

    def overall(self, wall: float, sim_time: float) -> float:
        elapsed = wall - self._wall0
        return sim_time / elapsed if elapsed > 0.0 else math.nan

    @property
    def slow(self) -> bool:
        return self.recent < self.min_factor  # NaN (no period yet) is not slow
