"""The executive with a route planner: waypoints in order, advance on reach, fallback."""

from __future__ import annotations

import math

import pytest

from robot_brain.core.geometry import Pose2D
from robot_brain.core.navigation.route_errors import NoRouteError, UnreachableError
from robot_brain.core.navigation.route_planner import Route, RoutePlanner
from robot_brain.core.planner.executive import ExecOutput, Executive, ExecutiveConfigError
from robot_brain.core.planner.skills import Plan, Skill, Step
from robot_brain.core.resources import resolve_world_path
from robot_brain.core.world import load_world

KITCHEN = Step(Skill.NAVIGATE_TO, place="kitchen", x=3.0, y=2.4, yaw=1.57)
DOCK = Step(Skill.DOCK, place="dock", x=-4.2, y=-1.0, yaw=3.14)
HERE = Pose2D(0.0, 0.0, 0.0)
WAYPOINTS = ((0.5, 0.8), (1.4, 1.0), (3.0, 2.4))


class FakeRoutes:
    """Hands out fixed waypoints (or raises) and records every query."""

    def __init__(self, waypoints: tuple[tuple[float, float], ...] = WAYPOINTS,
                 error: NoRouteError | None = None) -> None:
        self.waypoints = waypoints
        self.error = error
        self.queries: list[tuple[tuple[float, float], tuple[float, float]]] = []

    def plan(self, start: tuple[float, float], goal: tuple[float, float]) -> Route:
        self.queries.append((start, goal))
        if self.error is not None:
            raise self.error
        return Route(start, self.waypoints, 5.0, 10)


def goal_xy(out: ExecOutput) -> tuple[float, float]:
    assert out.goal is not None
    return (out.goal.x, out.goal.y)


def near(p: tuple[float, float], d: float = 0.2) -> Pose2D:
    return Pose2D(p[0] - d, p[1], 0.0)


def test_waypoints_are_handed_out_in_order_with_the_heading_on_the_last_only() -> None:
    routes = FakeRoutes()
    ex = Executive(0.3, 60.0, routes, waypoint_tolerance=0.35)
    ex.start(Plan((KITCHEN,)), 0.0)
    out = ex.tick(0.0, HERE)
    assert routes.queries == [((0.0, 0.0), (3.0, 2.4))]
    assert goal_xy(out) == WAYPOINTS[0] and out.goal is not None and out.goal.yaw is None
    assert [e.kind for e in out.events] == ["step_started", "route_planned"]
    assert "3 waypoint(s)" in out.events[1].message
    out = ex.tick(1.0, near(WAYPOINTS[0]))
    assert goal_xy(out) == WAYPOINTS[1] and out.goal is not None and out.goal.yaw is None
    assert [e.kind for e in out.events] == ["waypoint_reached"]
    out = ex.tick(2.0, near(WAYPOINTS[1]))
    assert goal_xy(out) == WAYPOINTS[2] and out.goal is not None and out.goal.yaw == 1.57
    assert not out.hold and out.step_index == 0 and ex.route == WAYPOINTS


def test_a_waypoint_advances_only_when_reached() -> None:
    ex = Executive(0.3, 60.0, FakeRoutes(), waypoint_tolerance=0.35)
    ex.start(Plan((KITCHEN,)), 0.0)
    ex.tick(0.0, HERE)
    for t, d in ((1.0, 1.0), (2.0, 0.5), (3.0, 0.36)):
        out = ex.tick(t, near(WAYPOINTS[0], d))
        assert goal_xy(out) == WAYPOINTS[0] and not out.events
    assert goal_xy(ex.tick(4.0, near(WAYPOINTS[0], 0.34))) == WAYPOINTS[1]


def test_several_waypoints_reached_at_once_advance_together() -> None:
    close = ((0.1, 0.0), (0.2, 0.0), (3.0, 2.4))
    ex = Executive(0.3, 60.0, FakeRoutes(close), waypoint_tolerance=0.35)
    ex.start(Plan((KITCHEN,)), 0.0)
    out = ex.tick(0.0, HERE)
    assert goal_xy(out) == (3.0, 2.4) and out.goal is not None and out.goal.yaw == 1.57
    assert [e.kind for e in out.events].count("waypoint_reached") == 2


def test_the_step_is_done_at_its_target_only() -> None:
    ex = Executive(0.3, 60.0, FakeRoutes(), waypoint_tolerance=0.35)
    ex.start(Plan((KITCHEN, Step(Skill.WAIT, seconds=5.0))), 0.0)
    ex.tick(0.0, HERE)
    out = ex.tick(1.0, Pose2D(*WAYPOINTS[0], 0.0))  # on a waypoint: not done
    assert out.step_index == 0 and not out.hold
    out = ex.tick(2.0, Pose2D(3.0, 2.2, 0.0))  # at the target (0.2 m), waypoints or not
    assert out.step_index == 1 and out.hold and out.goal is None
    assert "step_done" in [e.kind for e in out.events] and ex.route == ()


def test_fallback_to_the_direct_goal_when_there_is_no_route() -> None:
    routes = FakeRoutes(error=UnreachableError("no corridor 1.00 m wide joins them"))
    ex = Executive(0.3, 60.0, routes)
    ex.start(Plan((KITCHEN,)), 0.0)
    out = ex.tick(0.0, HERE)
    assert goal_xy(out) == (3.0, 2.4) and out.goal is not None and out.goal.yaw == 1.57
    failed = [e for e in out.events if e.kind == "route_failed"]
    assert len(failed) == 1 and "no corridor" in failed[0].message
    assert "driving straight to the target" in failed[0].message
    # Tried once per step, not every tick; the step still runs and can still time out.
    assert goal_xy(ex.tick(1.0, HERE)) == (3.0, 2.4) and len(routes.queries) == 1
    out = ex.tick(60.0, HERE)
    assert out.outcome.startswith("failed: step 1 (navigate_to kitchen) timed out")


def test_each_motion_step_gets_its_own_route_from_the_pose_then() -> None:
    routes = FakeRoutes()
    ex = Executive(0.3, 60.0, routes)
    ex.start(Plan((KITCHEN, DOCK)), 0.0)
    ex.tick(0.0, HERE)
    ex.tick(5.0, Pose2D(3.0, 2.3, 0.0))  # kitchen reached, dock starts
    assert routes.queries == [((0.0, 0.0), (3.0, 2.4)), ((3.0, 2.3), (-4.2, -1.0))]


def test_no_odometry_plans_when_a_pose_arrives() -> None:
    routes = FakeRoutes()
    ex = Executive(0.3, 60.0, routes)
    ex.start(Plan((KITCHEN,)), 0.0)
    out = ex.tick(0.0, None)
    assert goal_xy(out) == (3.0, 2.4) and routes.queries == []
    out = ex.tick(0.5, HERE)
    assert goal_xy(out) == WAYPOINTS[0] and len(routes.queries) == 1


def test_cancel_and_replace_drop_the_route() -> None:
    ex = Executive(0.3, 60.0, FakeRoutes())
    ex.start(Plan((KITCHEN,)), 0.0)
    ex.tick(0.0, HERE)
    ex.cancel("stop")
    assert ex.route == () and ex.tick(0.1, HERE).goal is None
    ex.start(Plan((KITCHEN,)), 1.0)
    assert goal_xy(ex.tick(1.0, HERE)) == WAYPOINTS[0]


def test_without_a_route_planner_the_goal_is_the_target() -> None:
    ex = Executive(0.3, 60.0)
    ex.start(Plan((KITCHEN,)), 0.0)
    out = ex.tick(0.0, HERE)
    assert goal_xy(out) == (3.0, 2.4) and [e.kind for e in out.events] == ["step_started"]


def test_real_route_planner_round_the_partition() -> None:
    world = load_world(resolve_world_path(""))
    ex = Executive(0.3, 60.0, RoutePlanner(world))
    ex.start(Plan((KITCHEN,)), 0.0)
    out = ex.tick(0.0, Pose2D(0.0, 2.5, 0.0))  # west of the kitchen partition
    route = ex.route
    assert len(route) >= 2 and route[-1] == (3.0, 2.4)
    assert goal_xy(out) == route[0] and out.goal is not None and out.goal.yaw is None
    # Walk the route: each waypoint reached hands out the next, the last with the heading.
    for k, wp in enumerate(route[:-1]):
        out = ex.tick(1.0 + k, Pose2D(wp[0], wp[1], 0.0))
        assert goal_xy(out) == route[k + 1]
    assert out.goal is not None and out.goal.yaw == 1.57
    assert math.dist(route[0], (0.0, 2.5)) > 0.35


@pytest.mark.parametrize("goal_tol, wp_tol", [(0.3, 0.2), (0.3, 0.0), (0.3, math.inf)])
def test_bad_waypoint_tolerance_refused(goal_tol: float, wp_tol: float) -> None:
    with pytest.raises(ExecutiveConfigError):
        Executive(goal_tol, 60.0, FakeRoutes(), waypoint_tolerance=wp_tol)
