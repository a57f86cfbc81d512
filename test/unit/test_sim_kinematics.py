from __future__ import annotations

import math

import pytest

from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.geometry import Pose2D, Velocity
from robot_brain.core.sim import SimConfig, SimConfigError, Simulator
from robot_brain.core.sim.kinematics import integrate
from test.unit.sim_worlds import empty

CFG = SimConfig()  # 0.6 m/s forward, 0.2 back, 1 rad/s, 0.8 m/s^2, 3 rad/s^2


def test_linear_acceleration_is_limited() -> None:
    sim = Simulator(empty(), CFG)
    sim.step(Velocity(0.6, 0.0), 0.25)
    assert sim.velocity.linear == pytest.approx(0.8 * 0.25)
    # Constant acceleration from rest: x = a t^2 / 2 (to the sub-step resolution).
    assert sim.pose.x == pytest.approx(0.5 * 0.8 * 0.25**2, rel=0.1)
    sim.step(Velocity(0.6, 0.0), 1.0)
    assert sim.velocity.linear == pytest.approx(0.6)


def test_deceleration_is_limited_too() -> None:
    sim = Simulator(empty(), CFG)
    sim.step(Velocity(0.6, 0.0), 2.0)
    sim.step(Velocity(0.0, 0.0), 0.5)
    assert sim.velocity.linear == pytest.approx(0.6 - 0.8 * 0.5)
    sim.step(Velocity(0.0, 0.0), 1.0)
    assert sim.velocity.linear == 0.0


def test_speed_limits_forward_reverse_and_yaw() -> None:
    sim = Simulator(empty(), CFG)
    sim.step(Velocity(5.0, 10.0), 5.0)
    assert sim.velocity == Velocity(0.6, 1.0)
    sim = Simulator(empty(), CFG)
    sim.step(Velocity(-5.0, -10.0), 5.0)
    assert sim.velocity == Velocity(-0.2, -1.0)


def test_yaw_acceleration_is_limited() -> None:
    sim = Simulator(empty(), CFG)
    sim.step(Velocity(0.0, 1.0), 0.1)
    assert sim.velocity.angular == pytest.approx(0.3)


def test_straight_walk_covers_the_expected_distance() -> None:
    sim = Simulator(empty(), CFG)
    sim.step(Velocity(0.6, 0.0), 10.0)
    ramp = 0.6 / 0.8  # seconds to full speed
    expected = 0.5 * 0.6 * ramp + 0.6 * (10.0 - ramp)
    assert sim.pose.x == pytest.approx(expected, rel=0.01)
    assert sim.pose.y == pytest.approx(0.0, abs=1e-12)
    assert sim.distance_walked == pytest.approx(sim.pose.x, rel=1e-9)
    assert sim.time == pytest.approx(10.0)


def test_unicycle_arc_is_exact() -> None:
    # Half a turn at radius 1 ends 2 m to the left, facing backwards.
    end = integrate(Pose2D(0.0, 0.0, 0.0), Velocity(1.0, 1.0), math.pi)
    assert (end.x, end.y) == pytest.approx((0.0, 2.0), abs=1e-9)
    assert abs(abs(end.yaw) - math.pi) < 1e-9


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_command_counts_as_stop(bad: float) -> None:
    sim = Simulator(empty(), CFG)
    sim.step(Velocity(0.6, 0.0), 2.0)
    sim.step(Velocity(bad, 0.0), 0.25)
    assert sim.velocity.linear == pytest.approx(0.6 - 0.8 * 0.25)
    still = Simulator(empty(), CFG)
    still.step(Velocity(0.3, bad), 1.0)
    still.step(Velocity(bad, bad), 1.0)
    assert still.pose == Pose2D(0.0, 0.0, 0.0)
    assert math.isfinite(still.battery.energy_wh)


@pytest.mark.parametrize("dt", [-0.1, math.nan, math.inf])
def test_bad_dt_is_rejected(dt: float) -> None:
    with pytest.raises(ValueError, match="dt"):
        Simulator(empty(), CFG).step(Velocity(0.1, 0.0), dt)


@pytest.mark.parametrize("load", [-1.0, math.nan])
def test_bad_extra_load_is_rejected(load: float) -> None:
    with pytest.raises(ValueError, match="extra_load_w"):
        Simulator(empty(), CFG).step(Velocity(0.1, 0.0), 0.1, extra_load_w=load)


@pytest.mark.parametrize("kwargs", [{"robot_radius": 0.0}, {"max_linear_accel": -1.0},
                                    {"max_linear_speed": math.nan}, {"cmd_timeout_s": 0.0}])
def test_bad_sim_config_is_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(SimConfigError):
        if "cmd_timeout_s" in kwargs:
            SimConfig(**kwargs)  # type: ignore[arg-type]
        else:
            SimConfig(limits=RobotLimits(**kwargs))


def test_zero_dt_changes_nothing() -> None:
    sim = Simulator(empty(), CFG)
    sim.step(Velocity(0.6, 0.0), 0.0)
    assert sim.velocity == Velocity(0.0, 0.0) and sim.time == 0.0


def test_the_robot_brakes_by_itself_after_its_command_timeout() -> None:
    from robot_brain.core.geometry import Velocity
    from robot_brain.core.resources import default_world_path
    from robot_brain.core.sim.simulator import SimConfig, Simulator
    from robot_brain.core.world import load_world
    sim = Simulator(load_world(default_world_path()), SimConfig(cmd_timeout_s=0.5))
    assert sim.set_command(Velocity(0.4, 0.0), now=0.0)
    assert not sim.set_command(Velocity(float("nan"), 0.0), now=0.1)  # refused, kept
    t = 0.0
    while t < 0.5:
        sim.drive(t, 0.01)
        t += 0.01
    assert sim.velocity.linear == pytest.approx(0.4, abs=1e-6)  # accelerated, still fresh
    while t < 2.0:  # no command since t=0: past the timeout it brakes to a stop
        sim.drive(t, 0.01)
        t += 0.01
    assert not sim.command_fresh(t) and sim.velocity.linear == 0.0
