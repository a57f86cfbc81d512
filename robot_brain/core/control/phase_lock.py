"""Phase lock: keep a fixed-rate tick a little after its sensor input arrives.

A fixed-rate controller uses a new sector set at its next tick, so a scan waits anywhere
between zero and one period before it becomes a command (up to 10 ms at 100 Hz: the largest
part of scan->cmd_vel latency). Sensors are periodic too, so the tick can be placed just after
the input's arrival instead of at a random phase. The tick stays fixed-rate: the mean period is
the nominal one, and the phase moves only by bounded steps (at most `max_step_s` per period)
when the measured arrival phase leaves a dead band. Without input nothing changes, so a silent
sensor never changes the tick rate.

The caller reports, for each input, how long before the next scheduled tick it arrived
(`on_input`), and asks once per tick for the period to program next (`on_tick`). Timers such
as rcl's apply a new period after the already scheduled next call, so a step decided at tick k
moves ticks k+2 onwards; the lock accounts for that (`pending`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError


class PhaseLockConfigError(ConfigurationError):
    """A phase-lock setting that cannot work with the loop's period."""


@dataclass(frozen=True)
class PhaseLockConfig:
    #: The loop's nominal period; NaN while it is not known yet (a node's config, loaded before
    #: its rate is): `at_period` sets it, and only then are the period's bounds checked.
    period_s: float = math.nan
    #: Wanted time from an input's arrival to the next tick: the margin for arrival jitter.
    lead_s: float = param(0.002, "Phase lock: wanted time from an obstacles arrival to the next "
                          "tick, the margin for arrival jitter (< one period).", unit="s",
                          min=0.0, max=0.5)
    #: Phase errors within +- this are left alone (no chasing of arrival noise).
    deadband_s: float = 0.0005
    #: Largest change of a single period, so the tick never jumps.
    max_step_s: float = param(0.0005, "Phase lock: largest change of one tick period (<= a "
                              "quarter period).", unit="s", min=1e-6, max=0.25)
    #: Arrivals whose median is the phase estimate (one late arrival does not move the tick).
    samples: int = 5

    def at_period(self, period_s: float) -> PhaseLockConfig:
        """These settings for a loop of `period_s`, checked against it."""
        return replace(self, period_s=period_s)

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise PhaseLockConfigError(f"samples must be >= 1, got {self.samples}")
        p = self.period_s
        if math.isnan(p):
            return
        if not (math.isfinite(p) and p > 0.0):
            raise PhaseLockConfigError(f"period must be positive and finite, got {p}")
        if not (math.isfinite(self.lead_s) and 0.0 <= self.lead_s < p):
            raise PhaseLockConfigError(
                f"lead {self.lead_s * 1e3:.2f} ms must be in [0, period {p * 1e3:.2f} ms)")
        if not (math.isfinite(self.deadband_s) and 0.0 <= self.deadband_s < p / 2.0):
            raise PhaseLockConfigError(
                f"dead band {self.deadband_s * 1e3:.2f} ms must be in [0, half the period)")
        if not (math.isfinite(self.max_step_s) and 0.0 < self.max_step_s <= p / 4.0):
            raise PhaseLockConfigError(
                f"max step {self.max_step_s * 1e3:.3f} ms must be in (0, a quarter of the "
                f"period {p * 1e3:.2f} ms]")


class TickPhaseLock:
    """Decides, tick by tick, the period that moves the tick towards `lead_s` after arrivals."""

    def __init__(self, config: PhaseLockConfig) -> None:
        if math.isnan(config.period_s):
            raise PhaseLockConfigError("phase lock needs the loop's period (at_period)")
        self.config = config
        self._errors: deque[float] = deque(maxlen=config.samples)
        self._pending = 0.0
        self.corrections = 0
        self.rejected_inputs = 0

    def _wrap(self, error: float) -> float:
        """Into (-period/2, period/2]: the nearest way round the cycle."""
        p = self.config.period_s
        e = math.fmod(error, p)
        if e > p / 2.0:
            e -= p
        elif e <= -p / 2.0:
            e += p
        return e

    def on_input(self, time_to_next_tick_s: float) -> None:
        """An input arrived `time_to_next_tick_s` before the next scheduled tick."""
        t = time_to_next_tick_s
        if not math.isfinite(t) or t < 0.0 or t > 2.0 * self.config.period_s:
            self.rejected_inputs += 1
            return
        # A step decided at the last tick is not in the next tick's time yet, only in later ones.
        self._errors.append(self._wrap(t - self._pending - self.config.lead_s))

    def phase_error_s(self) -> float:
        """Median arrival phase error (positive: the tick comes too long after the input)."""
        if not self._errors:
            return math.nan
        ordered = sorted(self._errors)
        n = len(ordered)
        mid = n // 2
        return ordered[mid] if n % 2 else 0.5 * (ordered[mid - 1] + ordered[mid])

    def locked(self) -> bool:
        e = self.phase_error_s()
        return math.isfinite(e) and abs(e) <= self.config.deadband_s

    def on_tick(self) -> float:
        """Once per tick: the period to program now (it applies to the interval after next)."""
        cfg = self.config
        step = 0.0
        e = self.phase_error_s()
        if math.isfinite(e) and abs(e) > cfg.deadband_s:
            step = max(-cfg.max_step_s, min(cfg.max_step_s, e))
            # The ticks move by -step: every recorded arrival is that much nearer its tick.
            shifted = [self._wrap(x - step) for x in self._errors]
            self._errors.clear()
            self._errors.extend(shifted)
            self.corrections += 1
        self._pending = step
        return cfg.period_s - step
