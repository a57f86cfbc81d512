"""What "fresh" means for the fast path's sensor inputs when the robot is simulated.

The controller judges its inputs by their age on receipt, on the steady clock: obstacles older
than `perception_hold_s` may no longer speed the robot up, older than `perception_timeout_s`
bring it to a stop, odometry older than `odom_timeout_s` holds it. Those limits are a few
sensor periods. A simulator running slower than real time delivers its sensors slower in wall
time too (scans at 10 Hz of *simulated* time are 3 Hz of wall time at a real-time factor of
0.3), so wall-clock limits would hold the robot below a factor of ~0.4 and stop it below ~0.2
although nothing is wrong: the robot in the simulator moves in simulated time as well.

The rule (`freshness_clock: sim`, set by brain.launch.py with use_sim_time:=true): the limits
are in **simulated seconds**. The real-time factor is measured from the odometry stream, as
the advance of its stamps (simulated time) over the advance of its receipt times (steady
clock), and the steady-clock limits are stretched by 1 / factor, with two bounds:

* a **steady-clock floor**: the limits are never shorter than their wall-clock values (a
  factor above 1, a clock that jumps forward, samples delivered in a burst after a stall of
  this process: all read as a factor >= 1, i.e. the plain steady-clock limits);
* a **ceiling**, `max_freshness_scale` (10: down to a factor of 0.1): below it the limits stay
  at 10x and the controller holds and stops as it would with stale inputs.

Everything uncertain falls to the floor: before the first window is measured, after the clock
jumps back (a simulator reset), with stamps that do not advance (a stopped /clock), with
samples further apart than a window. A speed-up is taken as soon as a quarter window shows
it, a slow-down only once a whole window has, so an estimate is never more permissive than
the evidence. The work is a few float operations per odometry message and one division per
tick; nothing waits on /clock (the fast path does not subscribe to it).

Inputs the brain itself produces on the steady clock (planner/goal's refresh, planner/hold,
watchdog/estop) keep their wall-clock limits, and the watchdog's deadline stays on the
steady clock: it guards the brain's own command stream, whose producer runs in real time
whatever the simulator does, and the robot's base times out in real time too.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError

#: Measured factors below this are a clock that barely moves, not a slow simulator.
MIN_FACTOR = 1e-3
#: A partial window this fraction of a window long may raise the estimate (never lower it).
PARTIAL_WINDOW = 0.25


class FreshnessClock(str, enum.Enum):
    STEADY = "steady"
    SIM = "sim"


class FreshnessConfigError(ConfigurationError):
    """Freshness settings that cannot work."""


@dataclass(frozen=True)
class FreshnessConfig:
    freshness_clock: str = param(
        "steady", "Clock of the sensor-input freshness limits (perception_hold_s, "
        "perception_timeout_s, odom_timeout_s): 'steady' = wall seconds; 'sim' = simulated "
        "seconds, the steady limits stretched by 1/real-time factor measured from odom stamps "
        "(never shorter, at most max_freshness_scale longer). brain.launch.py sets 'sim' with "
        "use_sim_time:=true.", choices=tuple(c.value for c in FreshnessClock))
    max_freshness_scale: float = param(
        10.0, "Largest stretch of the freshness limits under freshness_clock 'sim' (10 = "
        "real-time factors down to 0.1; slower simulators hold the robot).", min=1.0, max=100.0)
    real_time_factor_window_s: float = param(
        1.0, "Wall time over which the real-time factor is measured.", unit="s",
        min=0.1, max=10.0)

    def __post_init__(self) -> None:
        try:
            FreshnessClock(self.freshness_clock)
        except ValueError as exc:
            raise FreshnessConfigError(f"freshness_clock '{self.freshness_clock}' is not one "
                                       f"of {[c.value for c in FreshnessClock]}") from exc
        if not (math.isfinite(self.max_freshness_scale) and self.max_freshness_scale >= 1.0):
            raise FreshnessConfigError(
                f"max_freshness_scale must be >= 1, got {self.max_freshness_scale}")
        if not (math.isfinite(self.real_time_factor_window_s)
                and self.real_time_factor_window_s > 0.0):
            raise FreshnessConfigError("real_time_factor_window_s must be > 0")

    @property
    def clock(self) -> FreshnessClock:
        return FreshnessClock(self.freshness_clock)


class RealTimeFactor:
    """Simulated seconds per steady second, from (stamp, receipt) pairs of one stream."""

    def __init__(self, window_s: float = 1.0) -> None:
        self.window_s = window_s
        self._anchor: tuple[float, float] | None = None  # (stamp, receipt) opening the window
        self._last: tuple[float, float] | None = None
        self._window_factor = math.nan  # of the last completed window
        self.resets = 0
        self.ignored = 0

    def on_sample(self, stamp_s: float, received_s: float) -> None:
        if not (math.isfinite(stamp_s) and stamp_s > 0.0 and math.isfinite(received_s)):
            self.ignored += 1  # a zero stamp: no clock behind it
            return
        last = self._last
        if last is not None and stamp_s < last[0]:
            # The clock went back (a simulator reset, a bag looping): nothing measured holds.
            self.resets += 1
            self._anchor = self._last = (stamp_s, received_s)
            self._window_factor = math.nan
            return
        if last is not None and received_s - last[1] > self.window_s:
            # A gap (the simulator paused, the stream stopped): restart the window, keep the
            # factor measured before it.
            self._anchor = self._last = (stamp_s, received_s)
            return
        self._last = (stamp_s, received_s)
        if self._anchor is None:
            self._anchor = self._last
            return
        span = received_s - self._anchor[1]
        if span >= self.window_s:
            self._window_factor = (stamp_s - self._anchor[0]) / span
            self._anchor = self._last

    @property
    def value(self) -> float:
        """The factor to judge by (NaN: not known). A partial window may raise it."""
        factor = self._window_factor
        if self._anchor is not None and self._last is not None:
            span = self._last[1] - self._anchor[1]
            if span >= PARTIAL_WINDOW * self.window_s:
                partial = (self._last[0] - self._anchor[0]) / span
                factor = partial if not math.isfinite(factor) else max(factor, partial)
        return factor if math.isfinite(factor) and factor >= MIN_FACTOR else math.nan


class FreshnessScale:
    """How much longer than their steady values the sensor-freshness limits are now."""

    def __init__(self, config: FreshnessConfig = FreshnessConfig()) -> None:
        self.config = config
        self.sim = config.clock is FreshnessClock.SIM
        self.factor = RealTimeFactor(config.real_time_factor_window_s)

    def on_stamp(self, stamp_s: float, received_s: float) -> None:
        if self.sim:
            self.factor.on_sample(stamp_s, received_s)

    def scale(self) -> float:
        if not self.sim:
            return 1.0
        factor = self.factor.value
        if not math.isfinite(factor):
            return 1.0
        return min(self.config.max_freshness_scale, max(1.0, 1.0 / factor))
