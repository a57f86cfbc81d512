"""Loop timing accounting on injected times: period, jitter, overruns, skipped ticks."""

from __future__ import annotations

import math

import pytest

from robot_brain.core.timing.loop import LoopTimer, LoopTimingError, TickSchedule, TickStats

P = 0.01  # 100 Hz


def run(timer: LoopTimer, starts: list[float], compute: float = 0.001) -> list[int]:
    missed = []
    for t in starts:
        missed.append(timer.tick_start(t))
        timer.tick_end(t + compute)
    return missed


def test_steady_loop_has_nominal_period_no_jitter_no_skips() -> None:
    timer = LoopTimer(P)
    missed = run(timer, [i * P for i in range(101)])
    s = timer.stats()
    assert missed == [0] * 101
    assert s.ticks == 101
    assert s.rate_hz == pytest.approx(100.0)
    assert s.period_p50_ms == pytest.approx(10.0)
    assert s.period_max_ms == pytest.approx(10.0)
    assert s.jitter_p99_ms == pytest.approx(0.0, abs=1e-9)
    assert s.compute_max_ms == pytest.approx(1.0)
    assert s.overruns == 0 and s.skipped_ticks == 0


def test_jitter_is_absolute_deviation_from_nominal() -> None:
    timer = LoopTimer(P)
    # Alternating 9 ms / 11 ms periods: |period - nominal| = 1 ms every time.
    t, starts = 0.0, [0.0]
    for i in range(50):
        t += 0.009 if i % 2 == 0 else 0.011
        starts.append(t)
    run(timer, starts)
    s = timer.stats()
    assert s.jitter_p99_ms == pytest.approx(1.0, abs=1e-6)
    assert s.period_max_ms == pytest.approx(11.0, abs=1e-6)
    assert s.rate_hz == pytest.approx(100.0, rel=1e-6)


def test_overrun_counted_when_compute_exceeds_period() -> None:
    timer = LoopTimer(P)
    timer.tick_start(0.0)
    timer.tick_end(0.005)
    timer.tick_start(0.010)
    timer.tick_end(0.025)  # 15 ms of work in a 10 ms loop
    s = timer.stats()
    assert s.overruns == 1
    assert s.compute_max_ms == pytest.approx(15.0)


@pytest.mark.parametrize("period_factor, expected_missed", [
    (1.0, 0), (1.4, 0), (1.6, 0), (2.0, 1), (2.9, 1), (3.0, 2), (5.2, 4)])
def test_skipped_ticks_follow_floor_rule(period_factor: float, expected_missed: int) -> None:
    timer = LoopTimer(P)
    timer.tick_start(0.0)
    timer.tick_end(0.001)
    missed = timer.tick_start(period_factor * P + 1e-12)
    assert missed == expected_missed
    assert timer.stats().skipped_ticks == expected_missed


def test_skips_accumulate_and_first_tick_reports_none() -> None:
    timer = LoopTimer(P)
    assert timer.tick_start(100.0) == 0  # no previous tick: nothing to miss
    timer.tick_end(100.001)
    assert timer.tick_start(100.03) == 2
    timer.tick_end(100.031)
    assert timer.tick_start(100.06) == 2
    assert timer.stats().skipped_ticks == 4


def test_reset_window_keeps_counters_clears_windows() -> None:
    timer = LoopTimer(P)
    run(timer, [0.0, 0.01, 0.04], compute=0.02)
    before = timer.stats()
    timer.reset_window()
    after = timer.stats()
    assert (after.overruns, after.skipped_ticks, after.ticks) == \
        (before.overruns, before.skipped_ticks, before.ticks)
    assert before.overruns == 3 and before.skipped_ticks == 2
    assert math.isnan(after.period_p99_ms) and math.isnan(after.rate_hz)
    assert math.isnan(after.compute_max_ms)
    # Periods continue from the last start, not from scratch.
    timer.tick_start(0.05)
    assert timer.stats().period_max_ms == pytest.approx(10.0)


def test_window_is_bounded() -> None:
    timer = LoopTimer(P, window=10)
    run(timer, [0.0, 0.05] + [0.05 + i * P for i in range(1, 20)])
    # The 50 ms period fell out of the 10-sample window; the counter remembers the skip.
    assert timer.stats().period_max_ms == pytest.approx(10.0)
    assert timer.stats().skipped_ticks == 4


def test_empty_stats_are_nan_not_errors() -> None:
    s = LoopTimer(P).stats()
    assert isinstance(s, TickStats)
    assert math.isnan(s.rate_hz) and math.isnan(s.jitter_p99_ms) and s.ticks == 0
    assert s.as_values("check_")["check_ticks"] == 0


@pytest.mark.parametrize("period", [0.0, -0.01, math.nan, math.inf])
def test_bad_period_rejected(period: float) -> None:
    with pytest.raises(ValueError, match="period"):
        LoopTimer(period)


def test_out_of_order_calls_rejected() -> None:
    timer = LoopTimer(P)
    with pytest.raises(LoopTimingError, match="without a matching tick_start"):
        timer.tick_end(0.0)
    timer.tick_start(1.0)
    with pytest.raises(LoopTimingError, match="before its tick_start"):
        timer.tick_end(0.5)
    timer.tick_end(1.001)
    with pytest.raises(LoopTimingError, match="monotonic"):
        timer.tick_start(0.9)
    with pytest.raises(LoopTimingError, match="without a matching"):
        timer.tick_end(1.002)  # the failed start did not open a tick


def test_a_scheduled_phase_step_is_not_jitter_but_an_unscheduled_one_is() -> None:
    timer = LoopTimer(P)
    timer.tick_start(0.0)
    timer.tick_end(0.001)
    # The timer was programmed for 9.5 ms (a phase-lock step) and kept it: no jitter.
    timer.tick_start(0.0095, scheduled_period_s=0.0095)
    timer.tick_end(0.0105)
    assert timer.stats().jitter_p99_ms == pytest.approx(0.0, abs=1e-9)
    # The same 9.5 ms on a nominal schedule is 0.5 ms of jitter.
    timer.tick_start(0.019)
    timer.tick_end(0.020)
    assert timer.stats().period_max_ms == pytest.approx(9.5, abs=1e-6)
    assert timer.stats().jitter_p99_ms == pytest.approx(0.5, abs=0.01)  # p99 of {0, 0.5}


def test_jitter_over_budget_counts_every_period_off_by_more_than_the_budget() -> None:
    timer = LoopTimer(P, jitter_budget_s=0.001)
    starts = [0.0, 0.010, 0.0205, 0.0320, 0.0400, 0.0512]  # off by 0, .5, 1.5, 2, 1.2 ms
    run(timer, starts, compute=0.0001)
    s = timer.stats()
    assert s.jitter_over_budget == 3
    timer.reset_window()
    assert timer.stats().jitter_over_budget == 3  # lifetime, not per window


def test_a_bad_jitter_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="jitter budget"):
        LoopTimer(P, jitter_budget_s=0.0)


def test_window_says_whether_ticks_ran_late_since_the_last_window() -> None:
    from robot_brain.core.timing.loop import LoopTimer
    loop = LoopTimer(0.01)
    t = 0.0
    for _ in range(10):
        loop.tick_start(t)
        loop.tick_end(t + 0.001)
        t += 0.01
    stats, late = loop.window()
    assert not late and stats.ticks == 10
    loop.tick_start(t + 0.05)  # four ticks skipped
    loop.tick_end(t + 0.051)
    assert loop.window()[1] is True
    assert loop.window()[1] is False  # nothing new since


def test_keyed_throttle_per_kind() -> None:
    from robot_brain.core.timing.throttle import KeyedThrottle
    throttle = KeyedThrottle(5.0)
    assert throttle.allow("nan", 0.0) and throttle.allow("size", 0.1)
    assert not throttle.allow("nan", 4.9) and throttle.allow("nan", 5.0)


MS = 1_000_000


def test_tick_schedule_keeps_the_phase_and_skips_missed_calls() -> None:
    s = TickSchedule(10 * MS, start_ns=0)
    assert s.until_ns(0) == 10 * MS
    assert not s.call(9 * MS)  # not due yet
    assert s.call(10 * MS + 300_000)  # 0.3 ms late
    assert s.next_ns == 20 * MS  # one period after the due time, not after the call
    assert s.call(47 * MS)  # busy: the calls due at 30 and 40 ms are skipped, not queued
    assert (s.next_ns, s.skipped, s.calls) == (50 * MS, 2, 2)
    assert not s.call(49 * MS)
    assert s.until_ns(49 * MS) == MS


def test_tick_schedule_period_change_applies_from_the_next_due_time() -> None:
    s = TickSchedule(10 * MS, start_ns=0)
    assert s.call(10 * MS)
    s.period_ns = 9 * MS  # set inside the call, as a phase-lock step does
    assert s.next_ns == 20 * MS  # already scheduled with the old period
    assert s.call(20 * MS)
    assert s.next_ns == 29 * MS


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, None])
def test_tick_schedule_refuses_a_bad_period(bad: object) -> None:
    with pytest.raises(ValueError, match="tick period"):
        TickSchedule(bad, start_ns=0)  # type: ignore[arg-type]
    s = TickSchedule(MS, start_ns=0)
    with pytest.raises(ValueError, match="tick period"):
        s.period_ns = bad  # type: ignore[assignment]
