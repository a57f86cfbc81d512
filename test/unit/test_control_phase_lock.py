"""The tick phase lock on a simulated rcl timer (a new period applies after the next call)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from robot_brain.core.control.phase_lock import (
    PhaseLockConfig,
    PhaseLockConfigError,
    TickPhaseLock,
)

P = 0.010


def simulate(lock: TickPhaseLock, *, input_period: float, input_phase: float,
             duration: float, jitter: float = 0.0, seed: int = 0
             ) -> tuple[list[float], list[float]]:
    """Run a timer with rcl's period semantics and periodic inputs; return the tick times and,
    per input, the time from its arrival to the first tick after it."""
    rng = random.Random(seed)
    ticks: list[float] = []
    waits: list[float] = []
    next_tick = P
    scheduled = [P]  # the interval after the next tick; the next one is already fixed
    next_input = input_phase
    while next_tick < duration:
        if next_input < next_tick:
            arrival = next_input + abs(rng.gauss(0.0, jitter)) if jitter else next_input
            arrival = min(arrival, next_tick - 1e-9) if arrival >= next_tick else arrival
            lock.on_input(next_tick - arrival)
            waits.append(next_tick - arrival)
            next_input += input_period
            continue
        ticks.append(next_tick)
        next_tick += scheduled.pop(0)
        scheduled.append(lock.on_tick())
    return ticks, waits


def test_locks_the_tick_just_after_a_10_hz_input_with_bounded_steps() -> None:
    cfg = PhaseLockConfig(P, lead_s=0.002, deadband_s=0.0005, max_step_s=0.0005)
    lock = TickPhaseLock(cfg)
    # Inputs 7.3 ms before a tick at the start: the wait is 7.3 ms until locked.
    ticks, waits = simulate(lock, input_period=0.1, input_phase=0.0027, duration=20.0)
    periods = list(np.diff(ticks))
    assert max(abs(p - P) for p in periods) <= cfg.max_step_s + 1e-12
    assert waits[0] == pytest.approx(0.0073, abs=1e-9)
    # Locked after a few inputs: every later input waits lead +- dead band.
    late = waits[10:]
    assert all(abs(w - cfg.lead_s) <= cfg.deadband_s + 1e-9 for w in late), late
    assert lock.locked()
    # Fixed rate on average once locked: no more corrections, nominal periods.
    locked_periods = periods[-1000:]
    assert sum(locked_periods) / len(locked_periods) == pytest.approx(P, abs=1e-9)
    assert lock.corrections < 40


def test_input_arriving_just_after_a_tick_delays_the_tick_the_short_way() -> None:
    lock = TickPhaseLock(PhaseLockConfig(P, lead_s=0.002))
    # 0.5 ms after a tick = 9.5 ms before the next; wanted 2 ms: advancing by 7.5 ms is the
    # long way round, so the error wraps to -2.5 ms and the ticks are delayed by ~2.5 ms.
    ticks, waits = simulate(lock, input_period=0.1, input_phase=0.0105, duration=5.0)
    periods = list(np.diff(ticks))
    assert sum(p - P for p in periods[:100]) == pytest.approx(0.0025, abs=0.0006)
    assert abs(waits[-1] - 0.002) <= 0.0005 + 1e-9


def test_jittery_input_keeps_most_waits_short_and_the_period_bounded() -> None:
    cfg = PhaseLockConfig(P, lead_s=0.002, max_step_s=0.0005)
    lock = TickPhaseLock(cfg)
    ticks, waits = simulate(lock, input_period=0.1, input_phase=0.0031, duration=60.0,
                            jitter=0.0004, seed=3)
    periods = list(np.diff(ticks))
    assert max(abs(p - P) for p in periods) <= cfg.max_step_s + 1e-12
    settled = sorted(waits[20:])
    assert settled[int(0.99 * (len(settled) - 1))] < 0.004, settled[-10:]
    # The mean period stays nominal: a 60 s run drifts by no more than a few steps.
    assert ticks[-1] - ticks[0] == pytest.approx(P * (len(ticks) - 1), abs=0.01)


def test_no_input_means_the_nominal_period_forever() -> None:
    lock = TickPhaseLock(PhaseLockConfig(P))
    assert all(lock.on_tick() == P for _ in range(1000))
    assert math.isnan(lock.phase_error_s()) and not lock.locked()
    assert lock.corrections == 0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -0.001, 1.0])
def test_impossible_arrival_times_are_counted_not_used(bad: float) -> None:
    lock = TickPhaseLock(PhaseLockConfig(P))
    lock.on_input(bad)
    assert lock.rejected_inputs == 1
    assert lock.on_tick() == P


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"period_s": 0.0}, "period must be positive"),
    ({"period_s": P, "lead_s": 0.02}, "lead"),
    ({"period_s": P, "deadband_s": 0.006}, "dead band"),
    ({"period_s": P, "max_step_s": 0.003}, "max step"),
    ({"period_s": P, "max_step_s": 0.0}, "max step"),
    ({"period_s": P, "samples": 0}, "samples"),
])
def test_bad_settings_are_refused_with_a_reason(kwargs: dict[str, float], fragment: str
                                                ) -> None:
    with pytest.raises(PhaseLockConfigError, match=fragment):
        PhaseLockConfig(**kwargs)  # type: ignore[arg-type]
