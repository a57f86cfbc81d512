"""The built-in simulator in a map world: its lidar casts through the map's cells, its body
stops at them, and the brain's core drives legs of the office map with no collision."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.control.policy import load_onnx_policy
from robot_brain.core.geometry import Pose2D, Velocity
from robot_brain.core.maps.metadata import MapOrigin
from robot_brain.core.maps.occupancy import OccupancyGrid
from robot_brain.core.navigation.rasterize import rasterize
from robot_brain.core.navigation.route_planner import RoutePlanner
from robot_brain.core.resources import default_world_path
from robot_brain.core.sim.lidar import LidarConfig
from robot_brain.core.sim.simulator import SimConfig, Simulator
from robot_brain.core.world import World, load_world, load_world_file, map_world
from robot_brain_lab.place_legs import run_leg

EXACT = SimConfig(lidar=LidarConfig(noise_std=0.0))


@pytest.fixture(scope="module")
def apartment() -> World:
    return load_world(default_world_path())


def test_the_lidar_sees_the_map_as_the_shapes(apartment: World) -> None:
    drawn = map_world(rasterize(apartment, 0.05))
    rng = np.random.default_rng(0)
    diffs: list[np.ndarray] = []
    poses = 0
    while poses < 40:
        x, y = rng.uniform(-4.5, 4.5), rng.uniform(-3.5, 3.5)
        if apartment.inside_obstacle(x, y) or apartment.clearance(x, y) < 0.3:
            continue
        pose = Pose2D(x, y, rng.uniform(-math.pi, math.pi))
        a = Simulator(apartment, EXACT, start=pose).scan()
        b = Simulator(drawn, EXACT, start=pose).scan()
        both = np.isfinite(a) & np.isfinite(b)
        # Out through the door the shapes show nothing; the map is solid past its edge.
        assert np.sum(np.isfinite(a) & ~np.isfinite(b)) <= 4     # grazing beams only
        diffs.append(np.abs(a[both] - b[both]))
        poses += 1
    d = np.concatenate(diffs)
    assert np.percentile(d, 99) <= 0.06                # within a cell or so
    assert np.mean(d > 0.1) < 0.01                     # beams that graze a cell's corner


def test_the_body_stops_at_a_maps_wall(apartment: World) -> None:
    drawn = map_world(rasterize(apartment, 0.05))
    sim = Simulator(drawn, EXACT, start=Pose2D(3.5, -2.0, 0.0))
    for _ in range(400):                               # 4 s at 0.6 m/s into the east wall
        sim.step(Velocity(0.6, 0.0), 0.01)
    # The wall's face is at x = 4.95: the centre stops a radius (and at most a cell) before.
    assert 4.95 - 0.25 - 0.06 <= sim.pose.x <= 4.95 - 0.25
    assert sim.collisions == 1 and sim.in_contact
    sim.step(Velocity(-0.2, 0.0), 1.0)                 # backing away is free
    assert sim.pose.x < 4.5 and not sim.in_contact and sim.collisions == 1


def test_unknown_cells_are_solid_and_the_origin_yaw_is_honoured() -> None:
    data = np.zeros((40, 80), dtype=np.int8)           # 4 m x 2 m at 0.05 m
    data[:, 60:] = -1                                  # unexplored beyond x = 3 m (grid)
    grid = OccupancyGrid(data, 0.05, MapOrigin(0.0, 0.0, math.pi / 2))
    world = map_world(grid)
    # Turned 90 degrees: the grid's x axis is the map's y axis, the unknown band at y >= 3.
    sim = Simulator(world, SimConfig(lidar=LidarConfig(noise_std=0.0, beams=4)),
                    start=Pose2D(-1.0, 1.0, math.pi / 2))
    ranges = sim.scan()                                # beams at -pi, -pi/2, 0, pi/2 (body)
    assert ranges[2] == pytest.approx(2.0, abs=0.03)   # straight on (+y) to the unknown band
    assert ranges[3] == pytest.approx(1.0, abs=0.03)   # left (-x) to the image's edge at x = -2
    for _ in range(500):
        sim.step(Velocity(0.6, 0.0), 0.01)
    assert sim.pose.y <= 3.0 - 0.25 and sim.collisions == 1


@pytest.mark.slow
def test_the_core_drives_legs_of_the_office_map() -> None:
    office = load_world_file("office")
    planner = RoutePlanner(office)
    policy = load_onnx_policy("", 16)
    legs = [("start", "printer"), ("printer", "meeting_room"), ("meeting_room", "kitchen"),
            ("kitchen", "reception")]
    places = {**office.places, "start": office.start}
    for a, b in legs:
        result = run_leg(office, places[a], places[b], policy, planner)
        assert result.success, (a, b, result.diagnosis)
        assert result.collisions == 0 and result.waypoints >= 1
