"""The fast path's freshness under simulated time (robot_brain.core.control.freshness) and the
controller's rejection of odometry velocities the robot cannot have (core.odometry).

The streams are the real ones: a simulator at a real-time factor of 0.3 stamps odometry at
50 Hz and scans at 10 Hz of *simulated* time, so they arrive 3.3x further apart on the steady
clock; gz-sim's OdometryPublisher reports about -1000 m/s in its first message after a spawn
(it differences the spawn pose against a zero pose over one 1 ms step).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.control.controller import ControllerConfig, ControllerCore, Mode
from robot_brain.core.control.expert import ExpertConfig
from robot_brain.core.control.freshness import (
    FreshnessConfig,
    FreshnessConfigError,
    FreshnessScale,
    RealTimeFactor,
)
from robot_brain.core.control.goals import Goal
from robot_brain.core.control.plausible_velocity import PlausibleVelocity, VelocityBound
from robot_brain.core.control.policy import AnalyticPolicy
from robot_brain.core.control.safety_filter import Intervention, SafetyConfig, SafetyFilter
from robot_brain.core.geometry import Pose2D, Velocity
from robot_brain.core.world import Bounds

N = 16
FREE = np.full(N, np.inf)
TICK = 0.01
SIM = FreshnessConfig(freshness_clock="sim")


def make(freshness: FreshnessConfig = FreshnessConfig()) -> ControllerCore:
    config = ControllerConfig(n_sectors=N, bounds=Bounds(-5.0, 5.0, -4.0, 4.0),
                              freshness=freshness)
    return ControllerCore(AnalyticPolicy(ExpertConfig(), N), SafetyFilter(SafetyConfig(), N),
                          config)


def run_sim(core: ControllerCore, rtf: float, seconds: float, start: float = 0.0,
            sim_start: float = 100.0) -> list:
    """Feed a simulator at `rtf` (odom 50 Hz, scans 10 Hz of sim time) and tick at 100 Hz of
    steady time; return the tick results."""
    results = []
    steps = int(round(seconds / TICK))
    next_odom = next_scan = sim_start
    for k in range(steps):
        now = start + k * TICK
        sim_now = sim_start + (now - start) * rtf
        while next_odom <= sim_now:
            core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.3, 0.0), now, next_odom)
            next_odom += 0.02
        while next_scan <= sim_now:
            core.on_obstacles(FREE, next_scan, now)
            next_scan += 0.1
        core.on_goal(Goal(4.0, 0.0), now)  # the planner: steady-clock refresh
        results.append(core.tick(now, TICK))
    return results


# --- the real-time factor ----------------------------------------------------------------

def test_factor_is_measured_from_stamps_over_receipts() -> None:
    rtf = RealTimeFactor(window_s=1.0)
    assert math.isnan(rtf.value)
    for k in range(200):
        rtf.on_sample(10.0 + k * 0.02, k * 0.02 / 0.3)
    assert rtf.value == pytest.approx(0.3, rel=1e-6)


def test_a_clock_that_jumps_back_resets_to_the_floor() -> None:
    scale = FreshnessScale(SIM)
    for k in range(200):
        scale.on_stamp(50.0 + k * 0.02, k * 0.02 / 0.3)
    assert scale.scale() == pytest.approx(1 / 0.3)
    scale.on_stamp(0.02, 200 * 0.02 / 0.3)   # gz sim reset: sim time back to ~0
    assert scale.factor.resets == 1
    assert scale.scale() == 1.0              # nothing measured holds: plain steady limits


@pytest.mark.parametrize("stamps", ["zero", "frozen", "nan"])
def test_a_clock_that_does_not_run_never_stretches(stamps: str) -> None:
    scale = FreshnessScale(SIM)
    for k in range(300):
        stamp = {"zero": 0.0, "frozen": 42.0, "nan": math.nan}[stamps]
        scale.on_stamp(stamp, k * 0.02)
    assert scale.scale() == 1.0


def test_faster_than_real_time_and_bursts_never_shorten_the_limits() -> None:
    scale = FreshnessScale(SIM)
    for k in range(300):
        scale.on_stamp(k * 0.02, k * 0.002)  # 10x real time
    assert scale.scale() == 1.0
    burst = FreshnessScale(SIM)
    for k in range(100):
        burst.on_stamp(1.0 + k * 0.02, 5.0)  # delivered all at once after a stall
    assert burst.scale() == 1.0


def test_the_ceiling_bounds_the_stretch() -> None:
    scale = FreshnessScale(FreshnessConfig(freshness_clock="sim", max_freshness_scale=4.0))
    for k in range(100):
        scale.on_stamp(1.0 + k * 0.02, k * 0.1)  # factor 0.2
    assert scale.scale() == 4.0


def test_a_speed_up_is_taken_within_a_quarter_window_a_slow_down_only_after_one() -> None:
    scale = FreshnessScale(SIM)
    t, stamp = 0.0, 1.0
    for _ in range(200):                       # factor 0.3 for a while
        t += 0.02 / 0.3
        stamp += 0.02
        scale.on_stamp(stamp, t)
    assert scale.scale() == pytest.approx(1 / 0.3, rel=1e-3)
    for _ in range(20):                        # now real time: 0.4 s of it
        t += 0.02
        stamp += 0.02
        scale.on_stamp(stamp, t)
    assert scale.scale() < 0.7 / 0.3           # already lower, before a window completes
    for _ in range(60):                        # 1.2 s more
        t += 0.02
        stamp += 0.02
        scale.on_stamp(stamp, t)
    assert scale.scale() == pytest.approx(1.0, abs=0.02)
    slow = FreshnessScale(SIM)
    t, stamp = 0.0, 1.0
    for _ in range(100):                       # real time
        t += 0.02
        stamp += 0.02
        slow.on_stamp(stamp, t)
    for _ in range(5):                         # slowed to 0.3 for a third of a second
        t += 0.02 / 0.3
        stamp += 0.02
        slow.on_stamp(stamp, t)
    assert slow.scale() < 1.1                  # not yet believed (3.3 once it is)


def test_steady_mode_ignores_stamps() -> None:
    scale = FreshnessScale()
    for k in range(200):
        scale.on_stamp(1.0 + k * 0.02, k * 0.2)
    assert scale.scale() == 1.0


def test_bad_freshness_config_is_refused() -> None:
    with pytest.raises(FreshnessConfigError):
        FreshnessConfig(freshness_clock="wall")
    with pytest.raises(FreshnessConfigError):
        FreshnessConfig(max_freshness_scale=0.5)


# --- the controller at a real-time factor of 0.3 -------------------------------------------

def test_at_rtf_0_3_steady_limits_hold_the_robot_and_sim_limits_let_it_walk() -> None:
    steady = run_sim(make(), 0.3, 6.0)
    sim = run_sim(make(SIM), 0.3, 6.0)
    late = slice(200, None)  # after the first window is measured
    aging_steady = sum(r.perception_aging for r in steady[late])
    # Scans 0.33 s apart in wall time: past the 0.25-s hold for a quarter of every period.
    assert aging_steady > 0.15 * len(steady[late])
    assert not any(r.perception_aging for r in sim[late])
    assert not any(Intervention.AGING_PERCEPTION in r.reasons for r in sim[late])
    assert all(r.perception_fresh for r in sim[late])
    assert all(r.mode is Mode.DRIVING for r in sim[late])
    assert max(r.velocity.linear for r in sim[late]) > 0.3


def test_at_rtf_0_15_steady_limits_stop_the_robot() -> None:
    steady = run_sim(make(), 0.15, 6.0)
    sim = run_sim(make(SIM), 0.15, 6.0)
    assert any(not r.perception_fresh for r in steady[200:])  # 0.67 s between scans
    assert all(r.perception_fresh for r in sim[200:])


def test_under_sim_time_dead_perception_still_stops_the_robot() -> None:
    core = make(SIM)
    run_sim(core, 0.3, 4.0)
    # Perception dies, the simulator runs on: odometry keeps coming, scans do not.
    now, sim_t = 4.0, 100.0 + 4.0 * 0.3
    stale_at = None
    for k in range(400):
        now += TICK
        sim_t += TICK * 0.3
        if k % 7 == 0:
            core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.3, 0.0), now, sim_t)
        core.on_goal(Goal(4.0, 0.0), now)
        r = core.tick(now, TICK)
        if not r.perception_fresh and stale_at is None:
            stale_at = now - 4.0
    # 0.5 s of simulated time = 1.67 s of wall time at 0.3 (never more than 10x 0.5 s).
    assert stale_at is not None and 1.2 < stale_at < 2.2, stale_at


def test_the_watchdog_side_inputs_keep_their_steady_limits() -> None:
    core = make(SIM)
    run_sim(core, 0.3, 3.0)
    # The planner stops refreshing its goal: goal_timeout_s (3 s) holds on the steady clock,
    # however slow the simulator.
    now = 3.0
    sim_t = 100.0 + 0.9
    modes = []
    for _ in range(350):
        now += TICK
        sim_t += TICK * 0.3
        core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.3, 0.0), now, sim_t)
        core.on_obstacles(FREE, sim_t, now)
        modes.append(core.tick(now, TICK).mode)
    assert Mode.GOAL_STALE in modes
    assert modes.index(Mode.GOAL_STALE) == pytest.approx(300, abs=2)


def test_diagnostics_report_the_factor_and_the_scale() -> None:
    from robot_brain.core.timing.loop import LoopTimer

    core = make(SIM)
    run_sim(core, 0.3, 3.0)
    values = core.health(3.0, LoopTimer(TICK).window()[0], False).values
    assert values["real_time_factor"] == pytest.approx(0.3, rel=0.01)
    assert values["freshness_scale"] == pytest.approx(1 / 0.3, rel=0.01)
    assert values["clock_resets"] == 0
    assert "real_time_factor" not in make().health(0.0, LoopTimer(TICK).window()[0],
                                                  False).values


# --- odometry velocities the robot cannot have ---------------------------------------------

def test_bound_follows_the_limits() -> None:
    bound = VelocityBound.from_limits(0.6, 0.2, 1.0)
    assert (bound.linear_mps, bound.angular_radps) == pytest.approx((1.8, 3.0))
    assert VelocityBound.from_limits(0.05, 0.0, 0.1).linear_mps == 0.5


@pytest.mark.parametrize("v", [Velocity(-1000.0, 0.0), Velocity(0.3, 1570.8),
                               Velocity(math.nan, 0.0), Velocity(0.0, math.inf)])
def test_implausible_velocity_keeps_the_last_plausible_one(v: Velocity) -> None:
    p = PlausibleVelocity(VelocityBound.from_limits(0.6, 0.2, 1.0))
    assert p.update(Velocity(0.4, 0.1))
    assert not p.update(v)
    assert p.velocity == Velocity(0.4, 0.1) and p.rejected == 1


def test_gazebos_first_odometry_never_reaches_the_policy_or_a_command() -> None:
    """-1000 m/s as the first message: the policy sees the robot standing, the command stays
    within the limits, the rejection is counted, and the next, sane messages are used."""
    seen: list[Velocity] = []

    class Recording(AnalyticPolicy):
        def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                    velocity: Velocity) -> Velocity:
            seen.append(velocity)
            return super().command(sectors, goal_dx, goal_dy, velocity)

    core = ControllerCore(Recording(ExpertConfig(), N), SafetyFilter(SafetyConfig(), N),
                          ControllerConfig(n_sectors=N, bounds=Bounds(-5.0, 5.0, -4.0, 4.0)))
    core.on_obstacles(FREE, 1, 0.0)
    core.on_goal(Goal(3.0, 0.0), 0.0)
    assert not core.on_odom(Pose2D(-1.0, 0.0, 0.0), Velocity(-1000.0, -3141.6), 0.0, 0.02)
    first = core.tick(0.0, TICK)
    assert seen == [Velocity(0.0, 0.0)]
    assert first.mode is Mode.DRIVING  # the pose was good: the robot may still drive
    assert abs(first.velocity.linear) <= 0.6 and abs(first.velocity.angular) <= 1.0
    assert core.on_odom(Pose2D(-1.0, 0.0, 0.0), Velocity(0.01, 0.0), 0.02, 0.04)
    core.tick(0.02, TICK)
    assert seen[-1] == Velocity(0.01, 0.0)
    assert core.implausible_odometry == 1
    assert core.health(0.02, __import__("robot_brain.core.timing.loop", fromlist=["LoopTimer"])
                       .LoopTimer(TICK).window()[0], False).values["implausible_odometry"] == 1
