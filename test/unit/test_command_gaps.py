"""Attributing a late command to its publisher, the middleware or the receiver."""

from __future__ import annotations

import math

import pytest

from robot_brain.core.watchdog.command_gaps import CommandTiming, GapCause, attribute_gap

T0 = 1_800_000_000.0  # system-clock seconds, as DDS stamps are
PREV = CommandTiming(published=T0, received=T0 + 0.0003, handled=T0 + 0.0005)


def test_a_late_tick_is_the_publisher() -> None:
    cur = CommandTiming(T0 + 0.025, T0 + 0.0253, T0 + 0.0255)
    r = attribute_gap(PREV, cur, 0.010)
    assert r.cause is GapCause.PUBLISHER
    assert r.gap_s == pytest.approx(0.025, abs=1e-6)
    parts = r.publish_gap_s + r.delivery_change_s + r.handling_change_s
    assert parts == pytest.approx(r.gap_s, abs=1e-6)
    assert "publisher late" in r.describe()


def test_a_late_delivery_is_the_middleware() -> None:
    cur = CommandTiming(T0 + 0.010, T0 + 0.024, T0 + 0.0242)
    r = attribute_gap(PREV, cur, 0.010)
    assert r.cause is GapCause.DELIVERY
    assert r.delivery_change_s == pytest.approx(0.0137, abs=1e-6)


def test_a_command_waiting_unseen_is_the_receiver() -> None:
    # Published and received on time; the callback ran 11 ms later.
    cur = CommandTiming(T0 + 0.012, T0 + 0.0123, T0 + 0.0233)
    r = attribute_gap(PREV, cur, 0.010)
    assert r.cause is GapCause.RECEIVER
    assert r.gap_s == pytest.approx(0.0228, abs=1e-6)
    # Compared raw, the 12 ms publish gap would have been blamed.
    assert attribute_gap(PREV, cur, 0.0).cause is GapCause.PUBLISHER


@pytest.mark.parametrize("missing", [0.0, math.nan])
def test_without_middleware_timestamps_the_cause_is_unknown(missing: float) -> None:
    cur = CommandTiming(missing, missing, T0 + 0.03)
    r = attribute_gap(PREV, cur, 0.010)
    assert r.cause is GapCause.UNKNOWN
    assert r.gap_s == pytest.approx(0.0295, abs=1e-6)
    assert "no middleware timestamps" in r.describe()


def test_gap_accounting_learns_the_period_and_counts_late_causes() -> None:
    from robot_brain.core.watchdog.command_gaps import GapAccounting
    acc = GapAccounting(deadline_s=0.02)
    t = 100.0
    assert acc.observe(CommandTiming(t, t + 0.001, t + 0.002), None) is None
    for _ in range(200):  # a 10 ms publisher, 1 ms delivery
        t += 0.01
        assert acc.observe(CommandTiming(t, t + 0.001, t + 0.002), 0.01) is None
    assert abs(acc.usual_publish_gap_s - 0.01) < 1e-4
    t += 0.01
    # Published on time, delivered 40 ms late: the middleware's fault.
    report = acc.observe(CommandTiming(t, t + 0.041, t + 0.042), 0.05)
    assert report is not None and report.cause is GapCause.DELIVERY
    assert acc.causes[GapCause.DELIVERY] == 1 and acc.causes[GapCause.PUBLISHER] == 0
    # A late gap does not move the learned period.
    assert abs(acc.usual_publish_gap_s - 0.01) < 1e-4


def test_a_heartbeat_gap_within_its_own_deadline_is_not_late_and_not_learned() -> None:
    from robot_brain.core.watchdog.command_gaps import GapAccounting
    acc = GapAccounting(deadline_s=0.02)
    t = 100.0
    acc.observe(CommandTiming(t, t + 0.001, t + 0.002), None)
    for _ in range(50):
        t += 0.01
        acc.observe(CommandTiming(t, t + 0.001, t + 0.002), 0.01)
    learned = acc.usual_publish_gap_s
    for _ in range(20):  # held zeros every 100 ms, judged by the hold deadline
        t += 0.1
        assert acc.observe(CommandTiming(t, t + 0.001, t + 0.002), 0.1, 0.25) is None
    assert sum(acc.causes.values()) == 0 and acc.usual_publish_gap_s == learned
    t += 0.3  # past the hold deadline: explained
    assert acc.observe(CommandTiming(t, t + 0.001, t + 0.002), 0.3, 0.25) is not None
    assert sum(acc.causes.values()) == 1
