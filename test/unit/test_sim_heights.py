"""The built-in sim in 3-D worlds: its planar laser sees what crosses its plane, its body
collides with whatever overlaps it from the floor to its top (docs/world.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.geometry import Velocity
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.sim import LidarConfig, SimConfig, Simulator
from test.unit.sim_worlds import world

CFG = SimConfig(limits=RobotLimits(robot_radius=0.25), lidar=LidarConfig(noise_std=0.0))


def _ahead(sim: Simulator) -> float:
    ranges = sim.scan()
    angles = sim.lidar.angles()
    return float(ranges[int(np.argmin(np.abs(angles)))])


def _drive(sim: Simulator, seconds: float) -> None:
    for _ in range(int(seconds / 0.05)):
        sim.step(Velocity(0.5, 0.0), 0.05)


def test_defaults_come_from_the_robot_description() -> None:
    assert SimConfig().laser_height == HUMANOID.knee_laser.pose.z == 0.35
    assert SimConfig().body_height == pytest.approx(HUMANOID.height)


def test_a_table_top_is_invisible_to_the_knee_laser_and_stops_the_body() -> None:
    table = world(boxes=[{"name": "top", "center": [3.0, 0.0], "size": [1.0, 2.0],
                          "z_min": 0.72, "z_max": 0.76}])
    sim = Simulator(table, CFG)
    assert math.isinf(_ahead(sim))  # nothing in the laser's plane
    _drive(sim, 10.0)
    assert sim.collisions == 1
    assert sim.pose.x == pytest.approx(2.5 - 0.25, abs=1e-4)


def test_a_shelf_above_the_head_is_walked_under_and_a_low_one_is_seen() -> None:
    high = world(boxes=[{"name": "shelf", "center": [3.0, 0.0], "size": [1.0, 2.0],
                         "z_min": 1.6, "z_max": 1.7}])
    sim = Simulator(high, CFG)
    _drive(sim, 10.0)
    assert sim.collisions == 0 and sim.pose.x > 4.0
    low = world(boxes=[{"name": "step", "center": [3.0, 0.0], "size": [1.0, 2.0],
                        "z_max": 0.4}])
    assert _ahead(Simulator(low, CFG)) == pytest.approx(2.5, abs=1e-6)


def test_the_laser_height_decides_what_is_seen() -> None:
    low = world(boxes=[{"name": "step", "center": [3.0, 0.0], "size": [1.0, 2.0],
                        "z_max": 0.2}])
    assert math.isinf(_ahead(Simulator(low, CFG)))
    ankle = SimConfig(lidar=CFG.lidar, laser_height=0.1)
    assert _ahead(Simulator(low, ankle)) == pytest.approx(2.5, abs=1e-6)
