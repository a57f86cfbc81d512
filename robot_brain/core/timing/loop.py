"""Loop timing accounting for fixed-rate loops (controller tick, watchdog check).

Times are injected (monotonic seconds), so the accounting is tested without a clock. A tick
that starts late records its long period and reports how many nominal ticks it swallowed; the
caller never runs those missed ticks back to back (a late command is worse than a skipped one).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from robot_brain.core.timing.stats import RollingWindow

#: A period longer than this many nominal periods means at least one tick was missed.
_SKIP_FACTOR = 1.5


class LoopTimingError(RuntimeError):
    """The timer was driven out of order (tick_end without tick_start, time going back)."""


@dataclass(frozen=True)
class TickStats:
    """Loop timing over the rolling window (ms) plus lifetime counters."""

    rate_hz: float
    period_p50_ms: float
    period_p99_ms: float
    period_max_ms: float
    jitter_p99_ms: float  # p99 of |period - scheduled period|
    compute_p99_ms: float
    compute_max_ms: float
    overruns: int
    skipped_ticks: int
    ticks: int
    #: Lifetime count of periods off their schedule by more than the jitter budget: over a
    #: run, (its increase / ticks) <= 1 % means jitter p99 <= budget for the whole run.
    jitter_over_budget: int

    def as_values(self, prefix: str = "") -> dict[str, object]:
        """Flat {key: value} for a HealthReport's values."""
        return {f"{prefix}{k}": v for k, v in asdict(self).items()}


class LoopTimer:
    """Measures period, jitter and compute time of a loop with nominal period `period_s`."""

    def __init__(self, period_s: float, window: int = 2000,
                 jitter_budget_s: float = 0.001) -> None:
        if not math.isfinite(period_s) or period_s <= 0.0:
            raise ValueError(f"loop period must be a positive finite number, got {period_s}")
        if not math.isfinite(jitter_budget_s) or jitter_budget_s <= 0.0:
            raise ValueError(f"jitter budget must be a positive finite number, "
                             f"got {jitter_budget_s}")
        self.period_s = period_s
        self.jitter_budget_s = jitter_budget_s
        self.jitter_over_budget = 0
        self._periods = RollingWindow(window)
        self._jitter = RollingWindow(window)
        self._compute = RollingWindow(window)
        self._last_start: float | None = None
        self._in_tick = False
        self.overruns = 0
        self.skipped_ticks = 0
        self.ticks = 0
        self._window_counts = (0, 0)

    def tick_start(self, now: float, scheduled_period_s: float | None = None) -> int:
        """Record a tick starting at `now`; return how many ticks were missed since the last.

        `scheduled_period_s` is the interval the timer was programmed for when it differs
        from the nominal period on purpose (a phase-lock step): jitter is measured against it.
        """
        missed = 0
        if self._last_start is not None:
            period = now - self._last_start
            if period < 0.0:
                raise LoopTimingError(
                    f"tick_start at {now} is before the previous start {self._last_start}; "
                    "pass a monotonic clock")
            scheduled = self.period_s if scheduled_period_s is None else scheduled_period_s
            jitter = abs(period - scheduled)
            self._periods.add(period)
            self._jitter.add(jitter)
            if jitter > self.jitter_budget_s:
                self.jitter_over_budget += 1
            if period > _SKIP_FACTOR * self.period_s:
                # The epsilon keeps an on-time tick at exactly k periods from rounding down.
                missed = max(0, math.floor(period / self.period_s + 1e-6) - 1)
                self.skipped_ticks += missed
        self._last_start = now
        self._in_tick = True
        self.ticks += 1
        return missed

    def tick_end(self, now: float) -> None:
        """Record the compute time of the current tick; longer than the period is an overrun."""
        if not self._in_tick or self._last_start is None:
            raise LoopTimingError("tick_end called without a matching tick_start")
        compute = now - self._last_start
        if compute < 0.0:
            raise LoopTimingError(
                f"tick_end at {now} is before its tick_start {self._last_start}")
        self._in_tick = False
        self._compute.add(compute)
        if compute > self.period_s:
            self.overruns += 1

    def stats(self) -> TickStats:
        periods = self._periods.values()
        mean_period = float(np.mean(periods)) if len(periods) else math.nan
        rate = 1.0 / mean_period if mean_period > 0.0 else math.nan
        return TickStats(
            rate_hz=rate,
            period_p50_ms=1e3 * self._periods.percentile(50),
            period_p99_ms=1e3 * self._periods.percentile(99),
            period_max_ms=1e3 * self._periods.max(),
            jitter_p99_ms=1e3 * self._jitter.percentile(99),
            compute_p99_ms=1e3 * self._compute.percentile(99),
            compute_max_ms=1e3 * self._compute.max(),
            overruns=self.overruns,
            skipped_ticks=self.skipped_ticks,
            ticks=self.ticks,
            jitter_over_budget=self.jitter_over_budget,
        )

    def window(self) -> tuple[TickStats, bool]:
        """This window's stats, and whether ticks ran late in it (overruns or skipped ticks
        since the previous window); then a new window starts."""
        stats = self.stats()
        self.reset_window()
        counts = (stats.overruns, stats.skipped_ticks)
        late, self._window_counts = counts != self._window_counts, counts
        return stats, late

    def restart(self) -> None:
        """The loop was paused on purpose (an armed check that had nothing to do): the next
        tick starts a new run, and the pause counts as neither a period nor skipped ticks."""
        self._last_start = None

    def reset_window(self) -> None:
        """Clear the rolling windows (e.g. per diagnostics period); counters keep counting."""
        self._periods.clear()
        self._jitter.clear()
        self._compute.clear()


class TickSchedule:
    """When a periodic tick is next due, scheduled as an rcl timer schedules its calls.

    Times are integer nanoseconds on one monotonic clock. Each call is one period after the
    previous call's due time, not after the call itself, so the phase is kept; calls missed
    while the caller was busy are skipped, never run back to back. A period change applies
    from the next due time on (the current one was scheduled with the old period), as with
    rcl_timer_exchange_period.
    """

    def __init__(self, period_ns: int, start_ns: int) -> None:
        self._period_ns = _positive_period(period_ns)
        self.next_ns = start_ns + self._period_ns
        self.calls = 0
        self.skipped = 0

    @property
    def period_ns(self) -> int:
        return self._period_ns

    @period_ns.setter
    def period_ns(self, value: int) -> None:
        self._period_ns = _positive_period(value)

    def until_ns(self, now_ns: int) -> int:
        """Nanoseconds until the next call is due (<= 0: due now)."""
        return self.next_ns - now_ns

    def call(self, now_ns: int) -> bool:
        """Take the call due at or before `now_ns`, scheduling the next; False if none is due."""
        if now_ns < self.next_ns:
            return False
        self.next_ns += self._period_ns
        if self.next_ns <= now_ns:
            behind = (now_ns - self.next_ns) // self._period_ns + 1
            self.skipped += behind
            self.next_ns += behind * self._period_ns
        self.calls += 1
        return True


def _positive_period(period_ns: int) -> int:
    if isinstance(period_ns, bool) or not isinstance(period_ns, int) or period_ns <= 0:
        raise ValueError(f"tick period must be a positive number of nanoseconds, "
                         f"got {period_ns!r}")
    return period_ns
