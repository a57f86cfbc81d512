from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.geometry import Pose2D, Velocity
from robot_brain.core.sim import SimConfig, Simulator
from test.unit.sim_worlds import wall_ahead, world

CFG = SimConfig(limits=RobotLimits(robot_radius=0.25))


@pytest.mark.parametrize("dt", [0.01, 0.5, 30.0])
def test_body_stops_at_the_wall_surface_and_counts_once(dt: float) -> None:
    sim = Simulator(wall_ahead(3.0), CFG)
    for _ in range(int(round(30.0 / dt))):
        sim.step(Velocity(0.6, 0.0), dt)
    assert sim.pose.x == pytest.approx(3.0 - 0.25, abs=1e-5)
    assert sim.pose.x < 3.0 - 0.25
    assert sim.clearance() == pytest.approx(0.0, abs=1e-5)
    assert sim.velocity.linear == 0.0
    assert sim.collisions == 1
    assert sim.distance_walked == pytest.approx(2.75, abs=1e-5)


def test_one_huge_step_cannot_tunnel_through_a_thin_wall() -> None:
    fast = SimConfig(limits=RobotLimits(max_linear_speed=3.0, max_linear_accel=10.0))
    sim = Simulator(wall_ahead(3.0, thickness=0.01), fast)
    sim.step(Velocity(3.0, 0.0), 100.0)
    assert sim.pose.x == pytest.approx(2.75, abs=1e-5)
    assert sim.collisions == 1


def test_body_stops_at_a_circle_approached_at_an_angle() -> None:
    angle = math.radians(30)
    w = world(cylinders=[{"center": [3.0 * math.cos(angle), 3.0 * math.sin(angle)],
                          "radius": 0.4}])
    sim = Simulator(w, CFG, start=Pose2D(0.0, 0.0, angle))
    sim.step(Velocity(0.6, 0.0), 20.0)
    assert math.hypot(sim.pose.x, sim.pose.y) == pytest.approx(3.0 - 0.4 - 0.25, abs=1e-5)
    assert sim.collisions == 1


def test_pushing_on_counts_one_episode_backing_off_and_returning_counts_another() -> None:
    sim = Simulator(wall_ahead(3.0), CFG)
    sim.step(Velocity(0.6, 0.0), 10.0)
    sim.step(Velocity(0.6, 0.0), 10.0)      # still pushing: same contact episode
    assert sim.collisions == 1
    sim.step(Velocity(-0.2, 0.0), 3.0)       # back off ~0.5 m
    assert sim.clearance() > 0.1
    sim.step(Velocity(0.6, 0.0), 10.0)
    assert sim.collisions == 2
    assert sim.pose.x == pytest.approx(2.75, abs=1e-5)


def test_turning_in_place_against_a_wall_is_allowed() -> None:
    sim = Simulator(wall_ahead(3.0), CFG)
    sim.step(Velocity(0.6, 0.0), 10.0)
    sim.step(Velocity(0.0, 1.0), 1.0)
    assert sim.pose.yaw > 0.5
    assert sim.pose.x == pytest.approx(2.75, abs=1e-5)


def test_sliding_into_a_corner_never_penetrates() -> None:
    w = world(walls=[{"start": [3.1, -5.0], "end": [3.1, 5.0], "thickness": 0.2},
                     {"start": [-5.0, 2.1], "end": [5.0, 2.1], "thickness": 0.2}])
    sim = Simulator(w, CFG)
    for _ in range(2000):
        sim.step(Velocity(0.6, 0.3), 0.01)
        assert sim.clearance() > -1e-6
    assert sim.collisions >= 1


@pytest.mark.parametrize("dt", [0.01, 0.3, 2.0])
def test_random_walks_in_the_apartment_never_penetrate(dt: float) -> None:
    from robot_brain.core.resources import default_world_path
    from robot_brain.core.world import load_world

    rng = np.random.default_rng(5)
    sim = Simulator(load_world(default_world_path()), CFG)
    for _ in range(int(60.0 / dt)):
        sim.step(Velocity(float(rng.uniform(-0.3, 0.8)), float(rng.uniform(-1.2, 1.2))), dt)
        assert sim.clearance() > -1e-6
    assert sim.distance_walked > 1.0
