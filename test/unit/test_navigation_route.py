"""The global route planner on hand-made worlds and the apartment, and routed legs in the core."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.control.policy import load_onnx_policy
from robot_brain.core.navigation.route_config import RoutePlannerConfig, RoutePlannerConfigError
from robot_brain.core.navigation.route_errors import (
    GoalBlockedError,
    NoRouteError,
    OutsideMapError,
    StartBlockedError,
    UnreachableError,
)
from robot_brain.core.navigation.route_planner import Route, RoutePlanner
from robot_brain.core.resources import resolve_world_path
from robot_brain.core.world import World, load_world, parse_world
from robot_brain_lab.place_legs import LegConfig, run_leg

CONFIG = RoutePlannerConfig()  # 0.1 m cells, robot radius 0.25 m, inflation 0.25 m


def room(**extra: Any) -> World:
    """A closed 10 m x 8 m room (walls on the bounds) with whatever `extra` adds."""
    data: dict[str, Any] = {
        "name": "room", "bounds": {"x_min": -5.0, "x_max": 5.0, "y_min": -4.0, "y_max": 4.0},
        "walls": [{"start": [-5.0, 4.0], "end": [5.0, 4.0]},
                  {"start": [-5.0, -4.0], "end": [5.0, -4.0]},
                  {"start": [-5.0, -4.0], "end": [-5.0, 4.0]},
                  {"start": [5.0, -4.0], "end": [5.0, 4.0]}],
        "start": {"x": -3.0, "y": 0.0}}
    for key, value in extra.items():
        data[key] = data.get(key, []) + value if isinstance(value, list) else value
    return parse_world(data)


@pytest.fixture(scope="module")
def apartment() -> World:
    return load_world(resolve_world_path(""))


@pytest.fixture(scope="module")
def apartment_planner(apartment: World) -> RoutePlanner:
    return RoutePlanner(apartment, CONFIG)


def polyline_clearance(world: World, route: Route, step: float = 0.02) -> float:
    """Least distance from the route (start included) to any obstacle surface.

    Computed from the world's own segments and circles, independently of the planner's grid;
    a route never enters an obstacle here, so surface distance is the clearance.
    """
    points = (route.start,) + route.waypoints
    samples = [np.linspace(a, b, max(2, int(math.dist(a, b) / step) + 1))
               for a, b in itertools.pairwise(points)]
    pts = np.vstack(samples)
    segs, circ = world.segments(), world.circles()
    a, ab = segs[None, :, 0:2], segs[None, :, 2:4] - segs[None, :, 0:2]
    t = np.clip(np.sum((pts[:, None, :] - a) * ab, axis=2) / np.sum(ab * ab, axis=2), 0.0, 1.0)
    d_seg = np.hypot(*np.moveaxis(pts[:, None, :] - a - t[:, :, None] * ab, 2, 0))
    d_circ = np.hypot(pts[:, None, 0] - circ[None, :, 0], pts[:, None, 1] - circ[None, :, 1]) \
        - circ[None, :, 2]
    assert not any(world.inside_obstacle(x, y) for x, y in pts[:: max(1, len(pts) // 50)])
    return float(min(d_seg.min(), d_circ.min() if len(circ) else math.inf))


def test_straight_line_when_free() -> None:
    planner = RoutePlanner(room(boxes=[{"center": [0.0, 2.5], "size": [1.0, 1.0]}]), CONFIG)
    route = planner.plan((-3.0, 0.0), (3.0, 0.0))
    assert route.waypoints == ((3.0, 0.0),)
    assert route.expanded == 0 and route.length == pytest.approx(6.0)


def test_detour_round_a_box() -> None:
    world = room(boxes=[{"center": [0.0, 0.0], "size": [1.0, 3.0], "yaw": 0.3}])
    route = RoutePlanner(world, CONFIG).plan((-3.0, 0.0), (3.0, 0.0))
    assert len(route.waypoints) >= 2 and route.waypoints[-1] == (3.0, 0.0)
    assert route.expanded > 0
    # Round the box, not through it: every waypoint keeps the inflated clearance (less the
    # half-cell lookup error) and the whole polyline keeps clear of the body.
    for x, y in route.waypoints[:-1]:
        assert world.clearance(x, y) >= CONFIG.inflated_radius - CONFIG.lookup_error
    assert polyline_clearance(world, route) >= CONFIG.robot_radius + 0.1
    assert 6.0 < route.length < 9.0


def test_detour_round_a_cylinder_keeps_the_goal_exact() -> None:
    world = room(cylinders=[{"center": [0.0, 0.1], "radius": 0.8}])
    route = RoutePlanner(world, CONFIG).plan((-2.0, 0.0), (2.0, 0.0))
    assert len(route.waypoints) >= 2 and route.waypoints[-1] == (2.0, 0.0)
    assert polyline_clearance(world, route) >= CONFIG.robot_radius + 0.1


def test_detour_round_the_kitchen_partition(apartment: World,
                                            apartment_planner: RoutePlanner) -> None:
    # West of the partition (x = 1, y 1.5..4) to the kitchen east of it: the straight line
    # crosses the partition, so the route must pass below its end (y < 1.45).
    start, kitchen = (0.0, 2.5), apartment.places["kitchen"]
    route = apartment_planner.plan(start, (kitchen.x, kitchen.y))
    assert len(route.waypoints) >= 2
    assert min(y for _, y in route.waypoints) < 1.45 - CONFIG.robot_radius
    assert polyline_clearance(apartment, route) >= CONFIG.robot_radius + 0.1


def test_every_apartment_leg_has_a_route_in_free_space(apartment: World,
                                                       apartment_planner: RoutePlanner) -> None:
    places = [apartment.start] + list(apartment.places.values())
    for a, b in itertools.permutations(places, 2):
        route = apartment_planner.plan((a.x, a.y), (b.x, b.y))
        assert route.waypoints[-1] == (b.x, b.y)
        for x, y in route.waypoints[:-1]:
            assert apartment_planner.free[apartment_planner._cell(x, y)[::-1]], (a, b, (x, y))
            assert apartment.clearance(x, y) >= CONFIG.inflated_radius - CONFIG.lookup_error
        assert polyline_clearance(apartment, route) >= CONFIG.robot_radius + 0.1, (a.name, b.name)


def test_goal_inside_an_obstacle_is_an_error(apartment_planner: RoutePlanner) -> None:
    with pytest.raises(GoalBlockedError, match="inside obstacle 'table'"):
        apartment_planner.plan((0.0, 0.0), (-1.5, 1.5))
    with pytest.raises(GoalBlockedError, match="inside obstacle 'kitchen_partition'"):
        apartment_planner.plan((0.0, 0.0), (1.0, 3.0))


def test_goal_closer_than_the_body_is_an_error(apartment_planner: RoutePlanner) -> None:
    # 0.15 m below the table's south edge (y = 1.1): the body (0.25 m) cannot stand there.
    with pytest.raises(GoalBlockedError, match="less than the robot radius"):
        apartment_planner.plan((0.0, 0.0), (-1.5, 0.95))


def test_unreachable_goal_is_an_error() -> None:
    closet = [{"start": [2.0, 1.0], "end": [4.0, 1.0]}, {"start": [4.0, 1.0], "end": [4.0, 3.0]},
              {"start": [4.0, 3.0], "end": [2.0, 3.0]}, {"start": [2.0, 3.0], "end": [2.0, 1.0]}]
    planner = RoutePlanner(room(walls=closet), CONFIG)
    with pytest.raises(UnreachableError, match="no corridor"):
        planner.plan((-3.0, 0.0), (3.0, 2.0))
    # A gap narrower than the body plus the inflation each side does not count as a way in.
    narrow = room(walls=[{"start": [0.0, -4.0], "end": [0.0, -0.4]},
                         {"start": [0.0, 0.4], "end": [0.0, 4.0]}])
    with pytest.raises(UnreachableError):
        RoutePlanner(narrow, CONFIG).plan((-3.0, 0.0), (3.0, 0.0))


def test_outside_the_map_and_inside_an_obstacle_at_the_start() -> None:
    planner = RoutePlanner(room(boxes=[{"center": [0.0, 0.0], "size": [1.0, 1.0]}]), CONFIG)
    with pytest.raises(OutsideMapError, match="goal"):
        planner.plan((-3.0, 0.0), (7.0, 0.0))
    with pytest.raises(OutsideMapError, match="start"):
        planner.plan((-3.0, 9.0), (3.0, 0.0))
    with pytest.raises(StartBlockedError):
        planner.plan((0.1, 0.1), (3.0, 0.0))
    with pytest.raises(OutsideMapError):
        planner.plan((-3.0, 0.0), (math.nan, 0.0))


def test_start_and_goal_inside_the_inflation_zone_still_route() -> None:
    # Both ends 0.35 m from a surface (more than the body, less than body + inflation): the
    # route leaves and arrives there, and never comes closer than they are.
    world = room(boxes=[{"center": [0.0, 0.0], "size": [1.0, 3.0]}])
    route = RoutePlanner(world, CONFIG).plan((-0.85, 0.0), (0.85, 0.0))
    assert route.waypoints[-1] == (0.85, 0.0) and len(route.waypoints) >= 2
    assert polyline_clearance(world, route) >= 0.35 - CONFIG.lookup_error


def test_deterministic(apartment: World, apartment_planner: RoutePlanner) -> None:
    window, door = apartment.places["window"], apartment.places["door"]
    first = apartment_planner.plan((window.x, window.y), (door.x, door.y))
    assert apartment_planner.plan((window.x, window.y), (door.x, door.y)) == first
    assert RoutePlanner(apartment, CONFIG).plan((window.x, window.y), (door.x, door.y)) == first


def test_errors_are_no_route_errors() -> None:
    for cls in (GoalBlockedError, OutsideMapError, StartBlockedError, UnreachableError):
        assert issubclass(cls, NoRouteError)


@pytest.mark.parametrize("kwargs", [{"resolution": 0.0}, {"robot_radius": -0.1},
                                    {"inflation": 0.05}, {"resolution": 0.5, "inflation": 0.3},
                                    {"inflation": math.nan}])
def test_bad_configuration_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(RoutePlannerConfigError):
        if "robot_radius" in kwargs:  # the robot's shared limits
            RoutePlannerConfig(robot=RobotLimits(**kwargs))
        else:
            RoutePlannerConfig(**kwargs)


# Legs on which the ONNX policy alone got stuck behind the kitchen partition or oscillated in
# front of it (scripts/eval_place_legs.py, direct goals): with waypoints handed out by the
# executive they must succeed without touching anything. Sim time ~10-21 s each (a few tenths
# of a second of CPU); the limit is generous.
ROUTED_LEGS = [("kitchen", "start_area"), ("kitchen", "window"), ("window", "kitchen")]


@pytest.mark.parametrize("source, destination", ROUTED_LEGS)
def test_previously_failing_legs_succeed_with_a_route(
        apartment: World, apartment_planner: RoutePlanner, source: str,
        destination: str) -> None:
    policy = load_onnx_policy("", 16)
    result = run_leg(apartment, apartment.places[source], apartment.places[destination], policy,
                     apartment_planner, LegConfig(time_limit_s=120.0))
    assert result.success, result
    assert result.collisions == 0 and result.waypoints >= 2 and not result.route_failed
