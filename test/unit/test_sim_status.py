"""What both simulated robots share (robot_brain.core.sim.commands, .status): the robot's own
command timeout and the health report graded by battery and contact."""

from __future__ import annotations

import math

import pytest

from robot_brain.core.geometry import ZERO_VELOCITY, Pose2D, Velocity
from robot_brain.core.health import Level
from robot_brain.core.sim.battery import Battery, BatteryConfig
from robot_brain.core.sim.clock import PhysicsTicks
from robot_brain.core.sim.commands import CommandTimeout
from robot_brain.core.sim.simulator import Simulator
from robot_brain.core.sim.status import BATTERY_LOW, simulator_health
from test.unit.sim_worlds import world


def test_a_command_is_followed_while_fresh_and_garbage_is_refused() -> None:
    c = CommandTimeout(0.5)
    assert c.current(0.0) == ZERO_VELOCITY and not c.fresh(0.0)
    assert c.set(Velocity(0.4, 0.1), 1.0)
    assert c.current(1.5) == Velocity(0.4, 0.1)
    assert not c.set(Velocity(math.nan, 0.0), 1.2)      # refused, the previous one kept
    assert c.current(1.4) == Velocity(0.4, 0.1)
    assert c.current(1.51) == ZERO_VELOCITY             # stale: stop


def test_health_grades_empty_before_contact_before_low() -> None:
    pose = Pose2D(1.0, 2.0, 0.5)
    full = Battery(BatteryConfig())
    low = Battery(BatteryConfig(initial_percentage=BATTERY_LOW / 2))
    empty = Battery(BatteryConfig(initial_percentage=0.0))
    assert simulator_health(full, None, 0.0, 0, 0.0, pose).level is Level.OK
    r = simulator_health(full, "the sofa", 1.0, 1, 2.0, pose, {"engine": "x"})
    assert (r.level, r.message) == (Level.WARN, "in contact with the sofa")
    assert r.values["engine"] == "x" and r.values["x"] == 1.0 and r.values["collisions"] == 1
    assert simulator_health(low, None, 0.0, 0, 0.0, pose).message.startswith("battery low")
    assert simulator_health(empty, "the sofa", 0.0, 0, 0.0, pose).level is Level.ERROR


def test_the_built_in_sim_reports_through_it() -> None:
    sim = Simulator(world(boxes=[]))
    report = sim.health()
    assert report.name == "simulator" and report.level is Level.OK
    assert {"distance_walked_m", "collisions", "battery_percentage", "sim_time_s", "x", "y",
            "yaw"} <= set(report.values)


def test_physics_ticks_start_then_clamp_a_stall() -> None:
    ticks = PhysicsTicks(0.1)
    assert ticks.dt(10.0) is None and ticks.ticks == 0
    assert ticks.dt(10.01) == pytest.approx(0.01)
    assert ticks.dt(12.0) == 0.1 and ticks.clamped == 1   # a 2 s stall: time lost, no jump
    assert ticks.ticks == 2
