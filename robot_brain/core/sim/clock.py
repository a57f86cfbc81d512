"""The built-in sim's time: how fast simulated time runs against the steady clock.

At a real-time factor r, each physics step advances simulated time by r x the steady time
since the previous step, and the sensors keep their rates in *simulated* time (a 10 Hz scan
is 10 Hz of simulated time, 10 r Hz of wall time), as a simulator that cannot keep up with
real time (Gazebo on a slow host) delivers them. With `publish_clock` the sim is the /clock
source and stamps its messages with its simulated time, as Gazebo does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError


class SimClockError(ConfigurationError):
    """A real-time factor the sim cannot run at."""


@dataclass(frozen=True)
class SimClockConfig:
    real_time_factor: float = param(
        1.0, "Simulated seconds per steady second (< 1: a simulator slower than real time; "
        "sensor rates stay in simulated time).", min=0.01, max=10.0)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.real_time_factor) and self.real_time_factor > 0.0):
            raise SimClockError(f"real_time_factor must be > 0, got {self.real_time_factor}")

    def wall_rate_hz(self, sim_rate_hz: float) -> float:
        """The steady-clock rate of something that runs at `sim_rate_hz` of simulated time."""
        return sim_rate_hz * self.real_time_factor

    def sim_dt(self, wall_dt: float) -> float:
        return wall_dt * self.real_time_factor


#: A physics tick never integrates more than this (s): after a stall (debugger, SIGSTOP,
#: overloaded machine) the robot loses time instead of jumping.
MAX_PHYSICS_DT_S = 0.1


class PhysicsTicks:
    """Intervals between a sim node's physics ticks on the steady clock, each clamped to
    `max_dt_s`; the first tick only starts it (built-in sim and MuJoCo)."""

    def __init__(self, max_dt_s: float = MAX_PHYSICS_DT_S) -> None:
        self.max_dt_s = max_dt_s
        self._last: float | None = None
        self.ticks = 0
        self.clamped = 0

    def dt(self, now: float) -> float | None:
        """Seconds since the last tick, at most max_dt_s (None on the first)."""
        last, self._last = self._last, now
        if last is None:
            return None
        dt = now - last
        if dt > self.max_dt_s:
            self.clamped += 1
            dt = self.max_dt_s
        self.ticks += 1
        return dt
