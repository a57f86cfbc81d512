"""Routes off the tick: the executive submits, holds while the route is computed, then drives
its waypoints; a route that never comes back is given up for the direct target."""

from __future__ import annotations

import threading
import time

from robot_brain.core.geometry import Pose2D
from robot_brain.core.navigation.route_errors import NoRouteError, UnreachableError
from robot_brain.core.navigation.route_jobs import InlineRoutes, ThreadedRoutes
from robot_brain.core.navigation.route_planner import Route
from robot_brain.core.planner.executive import ROUTE_WAIT_S, Executive
from robot_brain.core.planner.skills import Plan, Skill, Step

KITCHEN = Step(Skill.NAVIGATE_TO, place="kitchen", x=3.0, y=2.4, yaw=1.57)
HERE = Pose2D(0.0, 0.0, 0.0)


class SlowRoutes:
    """A route source that takes its time (or blocks until released)."""

    def __init__(self, delay_s: float = 0.0, gate: threading.Event | None = None,
                 error: NoRouteError | None = None) -> None:
        self.delay_s = delay_s
        self.gate = gate
        self.error = error
        self.calls: list[tuple[tuple[float, float], tuple[float, float]]] = []

    def plan(self, start: tuple[float, float], goal: tuple[float, float]) -> Route:
        self.calls.append((start, goal))
        if self.gate is not None:
            self.gate.wait(5.0)
        time.sleep(self.delay_s)
        if self.error is not None:
            raise self.error
        return Route(start, ((1.0, 1.0), goal), 4.0, 7)


def _wait_for(jobs: ThreadedRoutes, job: int) -> object:
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        r = jobs.result(job)
        if r is not None:
            return r
        time.sleep(0.005)
    raise AssertionError("no result")


def test_threaded_routes_answer_off_the_callers_thread() -> None:
    gate = threading.Event()
    jobs = ThreadedRoutes(SlowRoutes(gate=gate))
    try:
        t0 = time.perf_counter()
        job = jobs.submit((0.0, 0.0), (3.0, 2.4))
        assert jobs.result(job) is None                    # pending, and submit did not wait
        assert time.perf_counter() - t0 < 0.5
        gate.set()
        route = _wait_for(jobs, job)
        assert isinstance(route, Route) and route.waypoints[-1] == (3.0, 2.4)
        assert jobs.timing.queries == 1
    finally:
        jobs.close()


def test_a_newer_query_supersedes_and_errors_come_back_as_results() -> None:
    jobs = ThreadedRoutes(SlowRoutes(error=UnreachableError("walled in")))
    try:
        first = jobs.submit((0.0, 0.0), (1.0, 1.0))
        second = jobs.submit((0.0, 0.0), (2.0, 2.0))
        result = _wait_for(jobs, second)
        assert isinstance(result, UnreachableError) and jobs.result(first) is None
    finally:
        jobs.close()


def test_the_executive_holds_while_the_route_is_computed() -> None:
    gate = threading.Event()
    jobs = ThreadedRoutes(SlowRoutes(gate=gate))
    try:
        ex = Executive(0.3, 60.0, jobs)
        ex.start(Plan((KITCHEN,)), 0.0)
        out = ex.tick(0.0, HERE)
        assert out.hold and out.goal is None and [e.kind for e in out.events] == ["step_started"]
        assert ex.tick(0.05, HERE).hold
        gate.set()
        deadline = time.monotonic() + 5.0
        now = 0.1
        while True:
            out = ex.tick(now, HERE)
            if not out.hold or time.monotonic() > deadline:
                break
            now += 0.05
            time.sleep(0.005)
        assert not out.hold and out.goal is not None and (out.goal.x, out.goal.y) == (1.0, 1.0)
        assert [e.kind for e in out.events] == ["route_planned"]
    finally:
        gate.set()
        jobs.close()


def test_a_route_that_never_comes_is_given_up_for_the_target() -> None:
    gate = threading.Event()
    jobs = ThreadedRoutes(SlowRoutes(gate=gate))
    try:
        ex = Executive(0.3, 60.0, jobs)
        ex.start(Plan((KITCHEN,)), 0.0)
        ex.tick(0.0, HERE)
        out = ex.tick(ROUTE_WAIT_S + 0.01, HERE)
        assert not out.hold and out.goal is not None and (out.goal.x, out.goal.y) == (3.0, 2.4)
        assert [e.kind for e in out.events] == ["route_failed"]
        assert "no answer within" in out.events[0].message
    finally:
        gate.set()
        jobs.close()


def test_inline_routes_answer_in_the_same_tick_and_replan_asks_again() -> None:
    source = SlowRoutes()
    ex = Executive(0.3, 60.0, InlineRoutes(source))
    ex.start(Plan((KITCHEN,)), 0.0)
    out = ex.tick(0.0, HERE)
    assert not out.hold and [e.kind for e in out.events] == ["step_started", "route_planned"]
    assert ex.replan()
    out = ex.tick(0.1, Pose2D(0.5, 0.2, 0.0))
    assert source.calls[-1] == ((0.5, 0.2), (3.0, 2.4))
    assert [e.kind for e in out.events] == ["route_planned"]


def _poll(jobs: object, job: int, timeout_s: float = 30.0) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = jobs.result(job)  # type: ignore[attr-defined]
        if r is not None:
            return r
        time.sleep(0.01)
    raise AssertionError("no result")


def test_process_routes_answer_from_a_process_of_their_own() -> None:
    from robot_brain.core.navigation.route_config import RoutePlannerConfig
    from robot_brain.core.navigation.route_jobs import ProcessRoutes, RouteWorkerError

    jobs = ProcessRoutes("", "", 0.25, RoutePlannerConfig())        # the apartment
    try:
        t0 = time.perf_counter()
        first = jobs.submit((-1.0, 0.0), (3.0, 2.4))
        second = jobs.submit((-1.0, 0.0), (-4.2, 3.2))               # supersedes the first
        assert time.perf_counter() - t0 < 0.5                         # never waits
        route = _poll(jobs, second)
        assert isinstance(route, Route) and route.waypoints[-1] == (-4.2, 3.2)
        assert jobs.result(first) is None and "route grid 100x80" in jobs.ready
        blocked = _poll(jobs, jobs.submit((-1.0, 0.0), (-1.5, 1.5)))  # inside the table
        assert isinstance(blocked, NoRouteError) and "inside obstacle 'table'" in str(blocked)
    finally:
        jobs.close()
    broken = ProcessRoutes("/nonexistent/world.yaml", "", 0.25, RoutePlannerConfig())
    try:
        result = _poll(broken, broken.submit((0.0, 0.0), (1.0, 1.0)))
        assert isinstance(result, RouteWorkerError) and "could not start" in str(result)
    finally:
        broken.close()
