"""The watchdog state machine on an injected clock."""

from __future__ import annotations

import math

import pytest

from robot_brain.core.geometry import ZERO_VELOCITY, Velocity
from robot_brain.core.health import Level
from robot_brain.core.watchdog import (
    Action,
    Decision,
    NodeLiveness,
    StopMode,
    WatchdogConfig,
    WatchdogConfigError,
    WatchdogCore,
    WatchdogState,
)

DEADLINE = 0.02
HOLDOFF = 0.5
CHECK = 0.005
GO = Velocity(0.4, 0.3)


def core(**kwargs: object) -> WatchdogCore:
    cfg = dict(deadline_s=DEADLINE, holdoff_s=HOLDOFF, latch_s=DEADLINE)  # one grade
    cfg.update(kwargs)  # type: ignore[arg-type]
    return WatchdogCore(WatchdogConfig(**cfg))  # type: ignore[arg-type]


def feed(wd: WatchdogCore, t0: float, t1: float, period: float = 0.01,
         v: Velocity = GO) -> float:
    """Commands every `period` and checks every CHECK from t0 up to t1; returns the end time."""
    events = sorted([(t0 + i * period, "cmd") for i in range(int((t1 - t0) / period) + 1)]
                    + [(t0 + i * CHECK, "chk") for i in range(int((t1 - t0) / CHECK) + 1)])
    for t, kind in events:
        if kind == "cmd":
            wd.command_received(t, v)
        else:
            wd.check(t)
    return t1


def checks_until(wd: WatchdogCore, t0: float, t1: float) -> list[tuple[float, Decision]]:
    out = []
    t = t0
    while t <= t1 + 1e-12:
        out.append((t, wd.check(t)))
        t += CHECK
    return out


def test_waiting_publishes_zero_at_check_rate_without_latching() -> None:
    wd = core()
    d = wd.check(0.0)
    assert d.state is WatchdogState.WAITING
    assert d.action is Action.STOP and d.velocity == ZERO_VELOCITY
    assert d.estop is False and d.level is Level.WARN
    assert wd.check(10.0).estop is False  # no command yet is not a deadline miss
    assert wd.counters().deadline_misses == 0


def test_fresh_commands_forwarded_and_check_stays_silent() -> None:
    wd = core()
    d = wd.command_received(1.0, GO)
    assert d.action is Action.FORWARD and d.velocity == GO
    assert d.state is WatchdogState.OK and d.level is Level.OK and not d.estop
    d = wd.check(1.0 + 0.99 * DEADLINE)  # just inside the deadline is still fresh
    assert d.action is Action.NONE and d.state is WatchdogState.OK


def test_fresh_stale_stop_holdoff_release() -> None:
    wd = core()
    feed(wd, 0.0, 1.0)
    assert wd.state is WatchdogState.OK
    # The controller stalls after its command at t=1.0.
    results = checks_until(wd, 1.0 + CHECK, 1.2)
    first_stop = next((t, d) for t, d in results if d.action is Action.STOP)
    t_stop, d_stop = first_stop
    assert 1.0 + DEADLINE < t_stop <= 1.0 + DEADLINE + CHECK + 1e-9
    assert d_stop.velocity == ZERO_VELOCITY and d_stop.estop
    assert d_stop.state is WatchdogState.STALE_STOPPED
    assert d_stop.level is Level.ERROR
    # Every later check keeps publishing the stop.
    assert all(d.action is Action.STOP for t, d in results if t >= t_stop)
    c = wd.counters()
    assert c.deadline_misses == 1 and c.estop_episodes == 1
    assert c.last_reaction_s == pytest.approx(t_stop - 1.0)

    # Commands resume: held at zero (on receipt too) until holdoff_s of fresh commands.
    d = wd.command_received(2.0, GO)
    assert d.action is Action.STOP and d.velocity == ZERO_VELOCITY and d.estop
    assert d.state is WatchdogState.HOLDOFF and d.level is Level.WARN
    assert c.max_gap_s == pytest.approx(0.01) and wd.counters().max_gap_s == pytest.approx(1.0)
    feed(wd, 2.01, 2.0 + HOLDOFF - 0.01)
    assert wd.state is WatchdogState.HOLDOFF and wd.estop
    d = wd.command_received(2.0 + HOLDOFF, GO)
    assert d.action is Action.FORWARD and d.velocity == GO and not d.estop
    assert d.state is WatchdogState.OK
    assert wd.counters().estop_episodes == 1


def test_gap_during_holdoff_restarts_it() -> None:
    wd = core()
    feed(wd, 0.0, 0.1)
    wd.check(0.2)  # stale
    feed(wd, 1.0, 1.3)
    wd.check(1.35)  # 50 ms gap in the holdoff: another miss, holdoff starts over
    assert wd.state is WatchdogState.STALE_STOPPED
    assert wd.counters().deadline_misses == 2 and wd.counters().estop_episodes == 1
    t = 1.4
    while t < 1.4 + HOLDOFF - 0.005:
        wd.command_received(t, GO)
        wd.check(t + CHECK)
        t += 0.01
    assert wd.estop and wd.state is WatchdogState.HOLDOFF  # holdoff counted from 1.4 only
    assert wd.command_received(1.4 + HOLDOFF + 0.001, GO).action is Action.FORWARD
    assert not wd.estop and wd.state is WatchdogState.OK


def test_late_command_without_a_check_still_counts_as_a_miss() -> None:
    wd = core()
    wd.command_received(0.0, GO)
    d = wd.command_received(0.5, GO)  # no check ran in between (starved timer)
    assert d.action is Action.STOP and d.estop
    assert wd.counters().deadline_misses == 1


def test_deadline_passed_says_whether_a_check_would_latch() -> None:
    wd = core()
    assert not wd.deadline_passed(5.0)  # waiting: no command yet, nothing to latch
    wd.command_received(1.0, GO)
    assert not wd.deadline_passed(1.0 + 0.99 * DEADLINE)
    assert wd.deadline_passed(1.0 + DEADLINE + 0.001)
    assert wd.deadline_passed(1.0 + DEADLINE + 0.001)  # asking twice changes nothing
    assert wd.counters().deadline_misses == 0
    wd.check(1.0 + DEADLINE + 0.001)
    assert not wd.deadline_passed(2.0)  # already latched: no new latch to wait for


def test_a_command_received_in_time_but_handled_late_is_fresh() -> None:
    # The caller hands the middleware's receipt time: a command that arrived before the
    # deadline keeps the stream fresh even when this node gets to it after the deadline.
    wd = core()
    wd.command_received(1.0, GO)
    late_handling = 1.0 + DEADLINE + 0.005
    assert wd.deadline_passed(late_handling)
    wd.command_received(1.0 + 0.01, GO)  # received 10 ms after the last one
    d = wd.check(late_handling)
    assert d.action is Action.NONE and not d.estop
    assert wd.counters().deadline_misses == 0


def test_receipt_times_never_run_backwards() -> None:
    wd = core()
    wd.command_received(1.0, GO)
    wd.command_received(0.9, GO)  # an out-of-order receipt counts as received at 1.0
    assert wd.counters().max_gap_s == 0.0
    assert wd.check(1.0 + DEADLINE + 0.001).estop


def test_zero_holdoff_releases_on_first_fresh_command() -> None:
    wd = core(holdoff_s=0.0)
    wd.command_received(0.0, GO)
    assert wd.check(0.1).estop
    d = wd.command_received(0.2, GO)
    assert d.action is Action.FORWARD and not d.estop


def test_reset_releases_at_once_when_fresh_and_fails_when_stale() -> None:
    wd = core(holdoff_s=60.0)
    feed(wd, 0.0, 0.1)
    wd.check(0.2)
    assert wd.state is WatchdogState.STALE_STOPPED
    r = wd.reset(0.3)
    assert not r.success and "not fresh" in r.message and wd.estop
    wd.command_received(1.0, GO)
    assert wd.state is WatchdogState.HOLDOFF
    r = wd.reset(1.005)
    assert r.success and "released" in r.message
    assert not wd.estop and wd.state is WatchdogState.OK
    assert wd.command_received(1.01, GO).action is Action.FORWARD


def test_reset_with_nothing_latched_succeeds() -> None:
    wd = core()
    assert wd.reset(0.0).success
    wd.command_received(1.0, GO)
    r = wd.reset(1.001)
    assert r.success and "nothing" in r.message


def test_reset_never_overrides_operator() -> None:
    wd = core()
    wd.command_received(0.0, GO)
    wd.operator_estop(0.001, True)
    r = wd.reset(0.002)
    assert not r.success and "operator" in r.message and wd.estop


def test_operator_estop_wins_over_fresh_commands() -> None:
    wd = core()
    wd.command_received(0.0, GO)
    d = wd.operator_estop(0.001, True)
    assert d.action is Action.STOP and d.velocity == ZERO_VELOCITY and d.estop
    assert d.state is WatchdogState.OPERATOR_ESTOP and d.level is Level.WARN
    for i in range(1, 100):
        d = wd.command_received(0.001 + i * 0.01, GO)
        assert d.action is Action.STOP and d.velocity == ZERO_VELOCITY and d.estop
        assert wd.check(0.002 + i * 0.01).action is Action.NONE  # fresh: stops go on receipt
    assert wd.counters().deadline_misses == 0
    d = wd.operator_estop(1.0, False)
    assert not d.estop and d.action is Action.NONE
    assert wd.command_received(1.001, GO).action is Action.FORWARD
    assert wd.counters().estop_episodes == 1


def test_operator_release_keeps_a_stale_latch() -> None:
    wd = core()
    wd.command_received(0.0, GO)
    wd.operator_estop(0.001, True)
    assert wd.check(0.1).action is Action.STOP  # controller also silent: watchdog stops
    d = wd.operator_estop(0.2, False)
    assert d.estop and wd.state is WatchdogState.STALE_STOPPED


def test_operator_estop_before_any_command() -> None:
    wd = core()
    d = wd.operator_estop(0.0, True)
    assert d.estop and d.action is Action.STOP
    assert wd.command_received(0.01, GO).velocity == ZERO_VELOCITY


def test_decelerate_mode_ramps_down_within_limits() -> None:
    decel_lin, decel_ang = 1.0, 2.0
    wd = core(stop_mode=StopMode.DECELERATE, decel_linear=decel_lin, decel_angular=decel_ang)
    start = Velocity(0.6, -0.8)
    wd.command_received(0.0, start)
    published = [(0.0, start)]
    t = 0.0
    for _ in range(200):
        t += CHECK
        d = wd.check(t)
        if d.action is not Action.NONE:
            published.append((t, d.velocity))
    assert len(published) > 10  # it ramped through many steps, not one jump
    for (t0, v0), (t1, v1) in zip(published, published[1:], strict=False):
        dt = t1 - t0
        assert abs(v1.linear) <= abs(v0.linear) + 1e-12
        assert abs(v1.angular) <= abs(v0.angular) + 1e-12
        assert abs(v1.linear - v0.linear) <= decel_lin * dt + 1e-9
        assert abs(v1.angular - v0.angular) <= decel_ang * dt + 1e-9
        assert v1.linear >= 0.0 and v1.angular <= 0.0  # never overshoots through zero
    assert published[-1][1] == ZERO_VELOCITY
    # The ramp counts from the last forwarded command (t=0): 0.6 m/s at 1 m/s^2 -> 0.6 s.
    t_zero = next(t for t, v in published if v.linear == 0.0)
    assert t_zero == pytest.approx(0.6, abs=2 * CHECK)


def test_decelerate_mode_operator_estop_ramps_from_last_forwarded() -> None:
    wd = core(stop_mode=StopMode.DECELERATE, decel_linear=1.0, decel_angular=2.0)
    wd.command_received(0.0, Velocity(0.5, 0.0))
    d = wd.operator_estop(0.01, True)
    assert d.velocity.linear == pytest.approx(0.49)
    d = wd.command_received(0.02, Velocity(0.5, 0.0))
    assert d.action is Action.STOP and d.velocity.linear == pytest.approx(0.48)


@pytest.mark.parametrize("bad", [Velocity(math.nan, 0.1), Velocity(0.2, math.inf),
                                 Velocity(-math.inf, math.nan)])
def test_non_finite_command_forwarded_as_zero_with_warning(bad: Velocity) -> None:
    wd = core()
    d = wd.command_received(0.0, bad)
    assert d.action is Action.FORWARD and d.velocity == ZERO_VELOCITY
    assert d.warning is not None and "non-finite" in d.warning
    assert wd.counters().nan_commands == 1
    assert wd.state is WatchdogState.OK  # the controller is alive, only its output is bad


def test_nan_after_motion_in_decelerate_mode_is_zero_not_ramp() -> None:
    wd = core(stop_mode=StopMode.DECELERATE)
    wd.command_received(0.0, GO)
    d = wd.command_received(0.01, Velocity(math.nan, math.nan))
    assert d.velocity == ZERO_VELOCITY and all(math.isfinite(x) for x in
                                               (d.velocity.linear, d.velocity.angular))


def test_health_report_levels_and_values() -> None:
    wd = core()
    assert wd.health(0.0).level is Level.WARN
    wd.command_received(0.0, GO)
    assert wd.health(0.001).level is Level.OK
    wd.check(0.1)
    h = wd.health(0.1)
    assert h.level is Level.ERROR and "latched" in h.message
    assert h.values["deadline_misses"] == 1 and h.values["state"] == "stale_stopped"
    assert h.values["last_stall_to_stop_ms"] == pytest.approx(100.0)


@pytest.mark.parametrize("kwargs, name", [
    ({"deadline_s": 0.0}, "deadline_s"), ({"deadline_s": math.nan}, "deadline_s"),
    ({"holdoff_s": -1.0}, "holdoff_s"), ({"decel_linear": 0.0}, "decel_linear"),
    ({"decel_angular": math.inf}, "decel_angular")])
def test_bad_config_rejected(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(WatchdogConfigError, match=name):
        WatchdogConfig(**kwargs)  # type: ignore[arg-type]


def test_node_liveness_reports_silent_nodes_as_warning() -> None:
    live = NodeLiveness(timeout_s=3.0)
    live.report(0.0, "/planner")
    live.report(0.0, "/controller")
    live.report(0.0, "")  # no identity: ignored
    assert live.health(1.0).level is Level.OK
    live.report(2.5, "/controller")
    assert live.stale(4.0) == ["/planner"]
    h = live.health(4.0)
    assert h.level is Level.WARN and "/planner" in h.message
    live.report(4.5, "/planner")
    assert live.stale(5.0) == []


def test_node_liveness_is_bounded() -> None:
    live = NodeLiveness(timeout_s=1.0, max_nodes=3)
    for i in range(10):
        live.report(float(i), f"/n{i}")
    assert live.health(9.0).values["tracked_nodes"] == 3
    assert live.stale(20.0) == ["/n7", "/n8", "/n9"]
    with pytest.raises(WatchdogConfigError):
        NodeLiveness(timeout_s=0.0)


# -- the graded response (latch_s > deadline_s) ----------------------------------------------

LATCH = 0.15


def graded(**kwargs: object) -> WatchdogCore:
    return core(latch_s=LATCH, decel_linear=1.5, decel_angular=6.0, **kwargs)


def test_graded_a_late_command_slows_down_and_a_fresh_one_resumes_without_holdoff() -> None:
    wd = graded()
    fast = Velocity(0.6, 0.0)
    feed(wd, 0.0, 1.0, v=fast)
    results = checks_until(wd, 1.0 + CHECK, 1.08)  # the controller is 80 ms late
    stops = [(t, d) for t, d in results if d.action is Action.STOP]
    t_first, d_first = stops[0]
    assert 1.0 + DEADLINE < t_first <= 1.0 + DEADLINE + CHECK + 1e-9
    # Not a hard zero: a bounded deceleration from the last forwarded command, no latch.
    assert 0.0 < d_first.velocity.linear < 0.6 and not d_first.estop
    assert d_first.state is WatchdogState.DECELERATING and d_first.level is Level.WARN
    for (t0, d0), (t1, d1) in zip(stops, stops[1:], strict=False):
        assert d0.velocity.linear - d1.velocity.linear <= 1.5 * (t1 - t0) + 1e-9
    slowest = stops[-1][1].velocity.linear
    assert slowest == pytest.approx(0.6 - 1.5 * 0.08, abs=0.01)
    # The controller is back: forwarded at once (no holdoff), ramped up at the accel limit.
    d = wd.command_received(1.085, fast)
    assert d.action is Action.FORWARD and not d.estop and d.state is WatchdogState.OK
    assert slowest < d.velocity.linear < 0.6
    assert d.velocity.linear - slowest <= 0.8 * 0.005 + 1e-9
    feed(wd, 1.095, 1.4, v=fast)
    assert wd.command_received(1.41, fast).velocity == fast  # reached: plain forwarding
    c = wd.counters()
    assert c.slowdowns == 1 and c.resumed == 1 and c.deadline_misses == 0
    assert c.estop_episodes == 0


def test_graded_sustained_silence_latches_at_latch_s_and_keeps_decelerating_to_zero() -> None:
    wd = graded()
    feed(wd, 0.0, 1.0, v=Velocity(0.6, 0.0))
    results = checks_until(wd, 1.0 + CHECK, 1.6)
    latched = next(t for t, d in results if d.estop)
    assert 1.0 + LATCH < latched <= 1.0 + LATCH + CHECK + 1e-9
    assert wd.state is WatchdogState.STALE_STOPPED and wd.level is Level.ERROR
    # The stop is the same bounded ramp, on to zero: 0.6 m/s at 1.5 m/s^2 = 0.4 s,
    stops = [(t, d) for t, d in results if d.action is Action.STOP]
    t_zero = next(t for t, d in stops if d.velocity.linear == 0.0)
    assert t_zero == pytest.approx(1.0 + 0.4, abs=2 * CHECK)  # from the last forwarded one
    c = wd.counters()
    assert c.deadline_misses == 1 and c.estop_episodes == 1 and c.slowdowns == 1
    assert c.last_reaction_s == pytest.approx(DEADLINE, abs=CHECK)  # first stopping command
    # A latch still needs the holdoff of fresh commands to release.
    d = wd.command_received(2.0, GO)
    assert d.estop and d.state is WatchdogState.HOLDOFF


def test_graded_operator_estop_still_wins_at_once() -> None:
    wd = graded()
    wd.command_received(0.0, GO)
    wd.check(0.03)  # slowing down
    d = wd.operator_estop(0.031, True)
    assert d.estop and d.velocity == ZERO_VELOCITY and d.state is WatchdogState.OPERATOR_ESTOP


def test_graded_next_check_is_armed_at_the_deadline_of_the_last_command() -> None:
    wd = graded()
    assert wd.next_check_at() is None  # nothing yet: keep checking (zeros while waiting)
    wd.command_received(1.0, GO)
    assert wd.next_check_at() == pytest.approx(1.0 + DEADLINE)
    wd.check(1.0 + DEADLINE + 0.001)
    assert wd.next_check_at() is None  # slowing down: every check steps the ramp


def test_latch_before_deadline_is_refused() -> None:
    with pytest.raises(WatchdogConfigError, match="latch_s"):
        WatchdogConfig(deadline_s=0.02, latch_s=0.01)


def test_graded_resume_takes_a_slower_command_at_once() -> None:
    wd = graded()
    feed(wd, 0.0, 1.0, v=Velocity(0.6, 0.5))
    checks_until(wd, 1.0 + CHECK, 1.05)  # slowing down
    d = wd.command_received(1.055, Velocity(0.1, 0.0))  # slower than where the ramp got to
    assert d.velocity == Velocity(0.1, 0.0)
    d = wd.command_received(1.06, Velocity(math.nan, 0.0))  # garbage: zero, not a ramp
    assert d.velocity == ZERO_VELOCITY


HOLD_DEADLINE = 0.25


def test_a_held_zero_has_the_hold_deadline_and_latches_past_it() -> None:
    wd = core(latch_s=0.15, hold_deadline_s=HOLD_DEADLINE)
    feed(wd, 0.0, 1.0)
    assert wd.next_check_at() == pytest.approx(1.0 + DEADLINE)
    d = wd.command_received(1.01, ZERO_VELOCITY)
    assert d.action is Action.FORWARD and d.velocity == ZERO_VELOCITY
    assert wd.next_check_at() == pytest.approx(1.01 + HOLD_DEADLINE)
    # Heartbeats every 0.1 s: no check between them stops anything.
    for i in range(1, 20):
        t = 1.01 + 0.1 * i
        assert all(d.action is Action.NONE for _, d in checks_until(wd, t - 0.1 + CHECK, t))
        assert wd.command_received(t, ZERO_VELOCITY).action is Action.FORWARD
    assert wd.counters().deadline_misses == 0 and wd.counters().slowdowns == 0
    assert wd.health(2.0).values["holding"] is True
    # The controller stalls after its last zero: latched once hold_deadline_s has passed.
    last = 1.01 + 0.1 * 19
    results = checks_until(wd, last + CHECK, last + 0.4)
    t_stop, d_stop = next((t, d) for t, d in results if d.action is Action.STOP)
    assert last + HOLD_DEADLINE < t_stop <= last + HOLD_DEADLINE + CHECK + 1e-9
    assert d_stop.estop and d_stop.velocity == ZERO_VELOCITY
    assert wd.counters().deadline_misses == 1 and wd.counters().slowdowns == 0


def test_a_moving_command_after_a_hold_has_the_short_deadline_again() -> None:
    wd = core(latch_s=0.15, hold_deadline_s=HOLD_DEADLINE)
    wd.command_received(1.0, ZERO_VELOCITY)
    wd.command_received(1.2, GO)  # the first move after a hold goes out at once
    assert wd.next_check_at() == pytest.approx(1.2 + DEADLINE)
    d = wd.check(1.2 + DEADLINE + CHECK)
    assert d.action is Action.STOP and d.state is WatchdogState.DECELERATING
    assert d.velocity.linear < GO.linear and not d.estop


def test_heartbeats_release_a_stale_latch_after_the_holdoff() -> None:
    wd = core(latch_s=0.15, hold_deadline_s=HOLD_DEADLINE)
    feed(wd, 0.0, 0.5)
    checks_until(wd, 0.5 + CHECK, 0.8)
    assert wd.state is WatchdogState.STALE_STOPPED
    # The controller is back and holds zero (it saw watchdog/estop), as heartbeats.
    t = 1.0
    while t < 1.0 + HOLDOFF - 1e-9:
        assert wd.command_received(t, ZERO_VELOCITY).estop
        t += 0.1
    assert not wd.command_received(t, ZERO_VELOCITY).estop
    assert wd.state is WatchdogState.OK


def test_a_hold_deadline_below_the_deadline_is_the_deadline() -> None:
    wd = core(deadline_s=0.5, latch_s=0.5, hold_deadline_s=HOLD_DEADLINE)
    wd.command_received(1.0, ZERO_VELOCITY)
    assert wd.deadline() == 0.5
    assert wd.check(1.4).action is Action.NONE
    with pytest.raises(WatchdogConfigError, match="hold_deadline_s"):
        WatchdogConfig(hold_deadline_s=math.nan)
