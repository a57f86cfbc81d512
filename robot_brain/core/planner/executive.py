"""The executive: a validated plan, one step at a time, on a clock the caller supplies.

It never talks to ROS or the LLM. The node calls `tick(now, pose)` on its timer and publishes
what comes back: the goal of the active motion step (republished by the node), whether the
robot must hold, what to say, and what happened since the last tick. Holding is the default:
only an active navigate_to/dock step releases it, so `stop`, `wait`, an empty plan, a finished
or failed plan all stop the robot at once instead of after the controller's goal timeout.

With `external_motion` another motion layer drives the robot (Nav2: core/planner/nav2_motion.py):
a motion step is then neither routed nor judged by the pose; it ends when that layer reports
it reached the target (`motion_done`) or could not (`motion_failed`), or by its timeout.

With a route planner (optional), a motion step gets a route when it starts, from the robot's
pose to the step's target: the goal handed out is then the current waypoint (heading None,
the step's heading only on the last), and it moves on to the next waypoint when the robot is
within `waypoint_tolerance` of it. The reactive controller cannot leave a local minimum behind
a wall by itself; waypoints that each lie in the open from the previous one let it. Without a
route the step's target is the goal, as it always was. The step is done at its target only.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from robot_brain.core.errors import ConfigurationError
from robot_brain.core.geometry import Pose2D
from robot_brain.core.navigation.route_errors import NoRouteError
from robot_brain.core.navigation.route_jobs import InlineRoutes, RouteJobs
from robot_brain.core.navigation.route_planner import RouteSource
from robot_brain.core.planner.skills import Plan, Skill, Step

#: A route not back after this long (s) is given up: the step drives straight to its target.
ROUTE_WAIT_S = 3.0


class ExecState(str, enum.Enum):
    IDLE = "idle"
    EXECUTING = "executing"


@dataclass(frozen=True)
class Goal:
    x: float
    y: float
    yaw: float | None  # None for a coordinate goal: no heading was asked for


class ExecutiveConfigError(ConfigurationError):
    """Executive settings that cannot work (tolerances, timeout)."""


def check_config(goal_tolerance: float, step_timeout_s: float, waypoint_tolerance: float,
                 routed: bool) -> None:
    """Raise ExecutiveConfigError for settings that cannot work; `routed`: with a route
    planner (waypoints)."""
    if not goal_tolerance > 0.0:
        raise ExecutiveConfigError(f"goal_tolerance must be > 0, got {goal_tolerance}")
    if not step_timeout_s > 0.0:
        raise ExecutiveConfigError(f"step_timeout_s must be > 0, got {step_timeout_s}")
    if not (math.isfinite(waypoint_tolerance) and waypoint_tolerance > 0.0):
        raise ExecutiveConfigError(
            f"waypoint_tolerance must be > 0, got {waypoint_tolerance}")
    if routed and waypoint_tolerance < goal_tolerance:
        # The controller stops within goal_tolerance of whatever goal it has: a waypoint
        # needing a closer approach would never be passed.
        raise ExecutiveConfigError(
            f"waypoint_tolerance ({waypoint_tolerance}) must be at least goal_tolerance "
            f"({goal_tolerance})")


#: ExecEvent.cause of a step_failed: the step's time ran out, or the motion layer failed it.
CAUSE_TIMEOUT = "timeout"
CAUSE_MOTION = "motion"


@dataclass(frozen=True)
class ExecEvent:
    # step_started | step_done | step_failed | plan_done | plan_cancelled | route_planned |
    # route_failed (driving straight to the target instead) | waypoint_reached
    kind: str
    step_index: int
    message: str
    cause: str = ""  # step_failed: CAUSE_TIMEOUT or CAUSE_MOTION


@dataclass(frozen=True)
class ExecOutput:
    state: ExecState
    goal: Goal | None
    hold: bool
    step_index: int | None  # 0-based index of the active step
    step_count: int
    say: tuple[str, ...]
    events: tuple[ExecEvent, ...]
    outcome: str  # the last plan's outcome: '', 'running', 'done', 'failed: ...', 'cancelled: ...'


class Executive:
    def __init__(self, goal_tolerance: float, step_timeout_s: float,
                 route_planner: RouteSource | RouteJobs | None = None,
                 waypoint_tolerance: float = 0.35, external_motion: bool = False) -> None:
        """`route_planner` None: the step's target is the goal, with no waypoints. A RouteJobs
        (robot_brain.core.navigation.route_jobs) answers on a later tick, the robot holding
        meanwhile; a plain RouteSource is asked inline. `external_motion`: another layer
        drives motion steps and reports their end."""
        check_config(goal_tolerance, step_timeout_s, waypoint_tolerance,
                     routed=route_planner is not None)
        self.goal_tolerance = goal_tolerance
        self.step_timeout_s = step_timeout_s
        self.route_planner: RouteJobs | None = (
            None if route_planner is None else route_planner
            if isinstance(route_planner, RouteJobs) else InlineRoutes(route_planner))
        self.waypoint_tolerance = waypoint_tolerance
        # The route query in flight for the active step: its job id and when it was asked.
        self._route_job: int | None = None
        self._route_asked = 0.0
        self.external_motion = external_motion
        # The external motion layer's verdict on the active motion step, taken at the tick:
        # None = still going, '' = reached, else why it failed.
        self._motion_verdict: str | None = None
        # The active motion step's route: waypoints after the start (the last is the target),
        # the index of the one handed out, and whether planning was tried for this step.
        self._waypoints: tuple[tuple[float, float], ...] = ()
        self._waypoint_index = 0
        self._route_tried = False
        self._plan: Plan | None = None
        self._index = 0
        self._step_started: float | None = None
        self._events: list[ExecEvent] = []
        self._say: list[str] = []
        self.outcome = ""

    @property
    def active(self) -> bool:
        return self._plan is not None

    @property
    def current_step(self) -> Step | None:
        if self._plan is None:
            return None
        return self._plan.steps[self._index]

    @property
    def route(self) -> tuple[tuple[float, float], ...]:
        """The active motion step's waypoints (the last is its target); () = none."""
        return self._waypoints

    @property
    def remaining_waypoints(self) -> tuple[tuple[float, float], ...]:
        """The active motion step's waypoints not passed yet (the last is its target)."""
        return self._waypoints[self._waypoint_index:]

    @property
    def plan(self) -> Plan | None:
        """The plan running now (None when idle)."""
        return self._plan

    @property
    def step_index(self) -> int | None:
        """0-based index of the active step (None when idle)."""
        return self._index if self._plan is not None else None

    def motion_done(self) -> None:
        """The external motion layer reached the active motion step's target (taken at the
        next tick; ignored when no motion step is active then)."""
        self._motion_verdict = ""

    def motion_failed(self, reason: str) -> None:
        """The external motion layer could not reach the active motion step's target."""
        self._motion_verdict = reason or "the motion layer failed"

    def start(self, plan: Plan, now: float) -> None:
        """Replace whatever runs with `plan`; its first step starts on the next tick."""
        if self._plan is not None:
            self.cancel("replaced by a new plan")
        if not plan.steps:
            self.outcome = "done"
            return
        self._plan = plan
        self._index = 0
        self._step_started = None
        self._reset_route()
        self._motion_verdict = None
        self.outcome = "running"

    def cancel(self, reason: str) -> None:
        """Drop the plan at once; the next tick holds."""
        if self._plan is None:
            return
        self._events.append(ExecEvent("plan_cancelled", self._index, reason))
        self._plan = None
        self._reset_route()
        self._motion_verdict = None
        self.outcome = f"cancelled: {reason}"

    def tick(self, now: float, pose: Pose2D | None) -> ExecOutput:
        # Instantaneous steps (say, stop, a goal already reached) finish in the same tick; the
        # loop is bounded by the plan length.
        for _ in range(len(self._plan.steps) + 1 if self._plan else 0):
            if not self._advance(now, pose):
                break
        step = self.current_step
        goal = None
        if step is not None and step.is_motion and step.x is not None and step.y is not None \
                and self._route_job is None:
            # (While its route is being computed the robot holds: a few ticks at most.)
            if self._waypoint_index < len(self._waypoints) - 1:
                wx, wy = self._waypoints[self._waypoint_index]
                goal = Goal(wx, wy, None)  # the heading is asked for at the target only
            else:
                goal = Goal(step.x, step.y, step.yaw)
        out = ExecOutput(
            state=ExecState.EXECUTING if self._plan is not None else ExecState.IDLE,
            goal=goal,
            hold=goal is None,
            step_index=self._index if self._plan is not None else None,
            step_count=len(self._plan.steps) if self._plan is not None else 0,
            say=tuple(self._say),
            events=tuple(self._events),
            outcome=self.outcome,
        )
        self._say.clear()
        self._events.clear()
        return out

    def _advance(self, now: float, pose: Pose2D | None) -> bool:
        """Run the active step once; True when it finished and the next one should run now."""
        step = self.current_step
        if step is None:
            return False
        if self._step_started is None:
            self._step_started = now
            self._motion_verdict = None  # a verdict can only be about a step already going
            self._events.append(ExecEvent("step_started", self._index, step.describe()))
            if step.skill is Skill.SAY and step.text is not None:
                self._say.append(step.text)
        elapsed = now - self._step_started
        if step.skill in (Skill.SAY, Skill.STOP):
            return self._finish(step)
        if step.skill is Skill.WAIT:
            return self._finish(step) if elapsed >= (step.seconds or 0.0) else False
        # navigate_to / dock
        if self.external_motion:
            verdict, self._motion_verdict = self._motion_verdict, None
            if verdict == "":
                return self._finish(step)
            if verdict is not None:
                self._fail(f"step {self._index + 1} ({step.describe()}) failed: {verdict}",
                           CAUSE_MOTION)
                return False
        elif pose is not None and step.x is not None and step.y is not None:
            if math.hypot(pose.x - step.x, pose.y - step.y) <= self.goal_tolerance:
                return self._finish(step)
            if self.route_planner is not None:
                if not self._route_tried:
                    # Asked on the first tick with a pose (normally the step's first tick).
                    self._route_tried = True
                    self._route_job = self.route_planner.submit((pose.x, pose.y),
                                                                (step.x, step.y))
                    self._route_asked = now
                if self._route_job is not None:
                    self._collect_route(self.route_planner, step, now)
                self._advance_waypoints(pose)
        if elapsed >= self.step_timeout_s:
            self._fail(f"step {self._index + 1} ({step.describe()}) timed out after "
                       f"{elapsed:.1f} s", CAUSE_TIMEOUT)
        return False

    def _fail(self, msg: str, cause: str) -> None:
        self._events.append(ExecEvent("step_failed", self._index, msg, cause))
        self._plan = None
        self._reset_route()
        self.outcome = f"failed: {msg}"

    def _collect_route(self, jobs: RouteJobs, step: Step, now: float) -> None:
        assert self._route_job is not None
        result = jobs.result(self._route_job)
        if result is None:
            if now - self._route_asked < ROUTE_WAIT_S:
                return
            result = NoRouteError(f"no answer within {ROUTE_WAIT_S:g} s")
        self._route_job = None
        if isinstance(result, NoRouteError):
            # The reactive layer may still get there (the map can be wrong, a goal near an
            # obstacle may be fine for it); failing the step here would be worse than trying.
            self._events.append(ExecEvent(
                "route_failed", self._index,
                f"step {self._index + 1} ({step.describe()}): no route ({result}); driving "
                f"straight to the target"))
            return
        route = result
        self._waypoints = route.waypoints
        self._waypoint_index = 0
        points = " ".join(f"({wx:.2f}, {wy:.2f})" for wx, wy in route.waypoints)
        self._events.append(ExecEvent(
            "route_planned", self._index,
            f"step {self._index + 1} ({step.describe()}): {len(route.waypoints)} waypoint(s), "
            f"{route.length:.1f} m: {points}"))

    def replan(self) -> bool:
        """Route the active motion step again from the next pose (after the robot's map pose
        jumped, say): True when there was one to re-route."""
        step = self.current_step
        if step is None or not step.is_motion or self.route_planner is None:
            return False
        self._reset_route()
        return True

    def _advance_waypoints(self, pose: Pose2D) -> None:
        # Only intermediate waypoints advance here; the last one is the target, which the step
        # check above finishes with goal_tolerance.
        while self._waypoint_index < len(self._waypoints) - 1:
            wx, wy = self._waypoints[self._waypoint_index]
            if math.hypot(pose.x - wx, pose.y - wy) > self.waypoint_tolerance:
                break
            self._waypoint_index += 1
            self._events.append(ExecEvent(
                "waypoint_reached", self._index,
                f"waypoint {self._waypoint_index}/{len(self._waypoints)} ({wx:.2f}, {wy:.2f}) "
                f"reached"))

    def _reset_route(self) -> None:
        self._waypoints = ()
        self._waypoint_index = 0
        self._route_tried = False
        self._route_job = None

    def _finish(self, step: Step) -> bool:
        assert self._plan is not None
        self._events.append(ExecEvent("step_done", self._index, step.describe()))
        self._index += 1
        self._step_started = None
        self._reset_route()
        self._motion_verdict = None
        if self._index >= len(self._plan.steps):
            self._events.append(ExecEvent("plan_done", self._index - 1, self._plan.describe()))
            self._plan = None
            self.outcome = "done"
            return False
        return True
