"""The Instruct goals over one PlannerSession: whose request is which, how each ends, feedback.

Every instruction, from an Instruct goal or from the brain/instruction topic, goes through the
same PlannerSession (the node hands them over at its tick, in arrival order); this module only
watches what the session does with them and keeps the goals' books. It never plans and never
decides motion. The node tells it:

* `accept(key, ...)` when the action server accepted a goal (instruct_admission decided);
* `bound(key, request_id, ...)` when the session took an instruction (`key` None for the
  topic): a newer instruction preempts every goal still active (PREEMPTED);
* `cancel(key)` when a client cancels (CANCELLED; the node stops the session when the goal
  had reached it);
* `update(tick_output, progress, now)` after each session tick: the plan records and the
  executive's events say how a goal ends (DONE, REJECTED, FAILED, TIMED_OUT);
* `feedback(now)` and `take_results()` give what the node sends.

Outcome rules (docs/interfaces.md): a plan record rejected for the goal's request is REJECTED
(no valid plan: validation, nothing to do) or FAILED (the backend failed, no backend can
answer) or TIMED_OUT (the backend did not answer within request_timeout_s); an accepted plan
that the plan gate held (the robot holds and says why) is REJECTED with the gate's reason; a
plan made by the power mode instead (battery critical: dock) is FAILED; the executive's
plan_done is DONE, a step_failed is TIMED_OUT when the step's time ran out, else FAILED.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from robot_brain.core.config.params import param
from robot_brain.core.geometry import Pose2D
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.planner.executive import CAUSE_TIMEOUT, ExecEvent
from robot_brain.core.planner.instruct_admission import Refusal
from robot_brain.core.planner.messages import PlanRecord, StatusRecord, TickOutput
from robot_brain.core.planner.skills import Skill, Step

#: Plan record reasons the session writes when no plan could come (session.py): a failed
#: backend ("backend X failed: <error>", error "timeout" when it did not answer in time), no
#: backend to route to, and the power mode's dock without a dock. Anything else a rejected
#: record says is the validator's verdict on the plan (tested against the real session).
BACKEND_FAILED_PREFIX = "backend "
BACKEND_TIMEOUT_SUFFIX = "failed: timeout"
NO_BACKEND_PREFIX = "no backend"
NO_DOCK_PREFIX = "power mode wants dock"
#: PlanRecord.source of a plan the power mode made (dock), not the instruction.
POWER_SOURCE = "power"
#: Longest instruction text quoted in a message.
QUOTE_CHARS = 60


class Outcome(enum.IntEnum):
    """How a goal ended: the codes of Instruct.Result."""

    UNKNOWN = 0
    DONE = 1
    REJECTED = 2
    CANCELLED = 3
    PREEMPTED = 4
    FAILED = 5
    TIMED_OUT = 6


class GoalState(enum.IntEnum):
    """Where an active goal is: the codes of Instruct.Feedback."""

    QUEUED = 0
    PLANNING = 1
    EXECUTING = 2
    HOLDING = 3


class CancelVerdict(enum.Enum):
    UNKNOWN = "unknown"   # no active goal with that key
    QUEUED = "queued"     # the session never took it: nothing to stop
    RUNNING = "running"   # the session works on it: the node must stop the session now


@dataclass(frozen=True)
class InstructConfig:
    """The planner's Instruct action server (robot_brain.ros.instruct_server)."""

    max_instruction_bytes: int = param(
        2048, "Longest instruction an Instruct goal may carry, in UTF-8 bytes; a longer one is "
        "refused at once (the prompt keeps 300 characters anyway).", unit="B", min=16,
        max=1_000_000)
    feedback_hz: float = param(
        4.0, "Instruct feedback rate while a goal is active (the action promises >= 2 Hz).",
        unit="Hz", min=2.0, max=50.0)
    eta_speed_mps: float = param(
        0.4, "Walking speed the Instruct feedback's time_remaining_s assumes for the distance "
        "still to walk (the motion layer's own estimate wins for the step it drives).",
        unit="m/s", min=0.01, max=10.0)


@dataclass(frozen=True)
class Progress:
    """What the node knows of the robot's progress at a tick, beyond the session's records."""

    pose: Pose2D | None = None
    #: The active motion step's waypoints not passed yet (the last is its target); () = the
    #: step is driven straight to its target (or by the motion layer).
    route: tuple[tuple[float, float], ...] = ()
    #: The motion layer's own distance and time to the active step's target (Nav2), if any.
    motion_remaining_m: float | None = None
    motion_eta_s: float | None = None
    #: Why the robot is held still outside the plan ('' = it is not): an estop.
    held: str = ""
    #: The motion layer's word on its goal, added to a failed step's message ('' = none).
    motion_note: str = ""


@dataclass(frozen=True)
class GoalFeedback:
    state: GoalState
    tier: str
    backend: str
    steps: tuple[dict[str, Any], ...]  # the plan's steps in their JSON form
    step_index: int  # -1 = none runs
    distance_remaining_m: float  # NaN = unknown
    time_remaining_s: float  # NaN = unknown
    elapsed_s: float
    message: str


@dataclass(frozen=True)
class GoalResult:
    outcome: Outcome
    message: str
    record: PlanRecord | None  # the plan decision for the goal's request, if one came
    request_id: int  # 0: the session never took the goal
    instruction: str
    elapsed_s: float
    distance_m: float


@dataclass
class _Goal:
    key: Hashable
    instruction: str
    sender: str
    accepted_at: float
    request_id: int | None = None
    record: PlanRecord | None = None
    step_index: int | None = None
    step_started_at: float | None = None
    distance_m: float = 0.0
    last_xy: tuple[float, float] | None = None


@dataclass
class InstructCounters:
    received: int = 0
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    cancel_requests: int = 0
    #: Cancel requests naming no goal the server knows (the middleware answers them).
    cancels_unknown: int = 0
    #: Ended goals whose result nobody asked for before it expired (a vanished client).
    results_unclaimed: int = 0
    feedback_sent: int = 0


def _quote(text: str) -> str:
    return repr(text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "...")


def rejected_outcome(record: PlanRecord) -> tuple[Outcome, str]:
    """The outcome of a goal whose request got a rejected plan record, and its message."""
    reason = record.reason
    if reason.startswith(BACKEND_FAILED_PREFIX):
        if reason.endswith(BACKEND_TIMEOUT_SUFFIX):
            return Outcome.TIMED_OUT, f"planning took too long: {reason}"
        return Outcome.FAILED, reason
    if reason.startswith((NO_BACKEND_PREFIX, NO_DOCK_PREFIX)):
        return Outcome.FAILED, reason
    return Outcome.REJECTED, f"no valid plan: {reason}"


def gate_hold(record: PlanRecord) -> str | None:
    """The plan gate's reason when it held the record's plan (the robot holds and says why or
    asks instead, docs/plan_gate.md), else None."""
    if record.gate is not None and record.gate.holds:
        return record.gate.reason or "held by the plan gate"
    return None


class InstructGoals:
    def __init__(self, config: InstructConfig | None = None) -> None:
        self.config = config or InstructConfig()
        self.counters = InstructCounters()
        self._goals: dict[Hashable, _Goal] = {}  # active goals, in acceptance order
        self._ended: list[tuple[Hashable, GoalResult]] = []
        self._instruction_ids: set[int] = set()  # request ids the session gave instructions
        self._executing: Hashable | None = None  # the goal whose plan the executive runs
        self._status: StatusRecord | None = None
        self._next_feedback = -math.inf

    # -- the action server's decisions -----------------------------------------------------

    def refused(self, refusal: Refusal) -> None:
        self.counters.received += 1
        self.counters.refused[refusal.value] += 1

    def accept(self, key: Hashable, instruction: str, sender: str, now: float) -> None:
        """An accepted goal; it reaches the session at the node's next tick."""
        self.counters.received += 1
        self.counters.accepted += 1
        self._goals[key] = _Goal(key, instruction, sender, now)

    def active(self, key: Hashable) -> bool:
        return key in self._goals

    @property
    def active_count(self) -> int:
        return len(self._goals)

    def wants_session(self, key: Hashable) -> bool:
        """The goal is active and the session has not taken its instruction yet."""
        goal = self._goals.get(key)
        return goal is not None and goal.request_id is None

    def bound(self, key: Hashable | None, request_id: int, instruction: str, now: float) -> None:
        """The session took an instruction as `request_id` (`key` None: from the topic). Every
        other goal the session had taken is preempted; goals it has not taken yet arrived
        after this instruction (the node hands instructions over in arrival order)."""
        self._instruction_ids.add(request_id)
        goal = self._goals.get(key) if key is not None else None
        if goal is not None:
            goal.request_id = request_id
        source = ("an instruction on brain/instruction" if goal is None
                  else f"goal {request_id}" + (f" from {goal.sender}" if goal.sender else ""))
        for other in list(self._goals.values()):
            if other is not goal and other.request_id is not None:
                self._end(other, Outcome.PREEMPTED,
                          f"replaced by {source}: {_quote(instruction)}", now)

    def cancel(self, key: Hashable, now: float) -> CancelVerdict:
        """The goal's client cancels it: CANCELLED at once."""
        self.counters.cancel_requests += 1
        goal = self._goals.get(key)
        if goal is None:
            return CancelVerdict.UNKNOWN
        running = goal.request_id is not None
        self._end(goal, Outcome.CANCELLED, "cancelled by its client" + (
            "; the robot was told to stop" if running else " before it was planned"), now)
        return CancelVerdict.RUNNING if running else CancelVerdict.QUEUED

    def unknown_cancel(self) -> None:
        self.counters.cancels_unknown += 1

    def unclaimed_result(self) -> None:
        self.counters.results_unclaimed += 1

    # -- what the session did ----------------------------------------------------------------

    def update(self, out: TickOutput, progress: Progress, now: float) -> None:
        """Take one session tick: its plan records, then its executive's events."""
        self._status = out.status
        self._walk(progress.pose)
        for record in out.plans:
            self._on_record(record, now)
        for event in out.events:
            self._on_event(event, progress, now)

    def _walk(self, pose: Pose2D | None) -> None:
        if pose is None:
            return
        for goal in self._goals.values():
            if goal.last_xy is not None:
                goal.distance_m += math.hypot(pose.x - goal.last_xy[0], pose.y - goal.last_xy[1])
            goal.last_xy = (pose.x, pose.y)

    def _by_request(self, request_id: int) -> _Goal | None:
        for goal in self._goals.values():
            if goal.request_id == request_id:
                return goal
        return None

    def _on_record(self, record: PlanRecord, now: float) -> None:
        goal = self._by_request(record.request_id)
        if record.accepted:
            # The executive now runs this record's plan, whoever asked for it.
            self._executing = goal.key if goal is not None else None
        if goal is None:
            if record.request_id not in self._instruction_ids:
                # A plan no instruction asked for: the power mode's dock supersedes them all.
                for other in list(self._goals.values()):
                    if other.request_id is not None and other.request_id < record.request_id:
                        self._end(other, Outcome.FAILED, self._power_message(record), now)
            return
        goal.record = record
        if not record.accepted:
            outcome, message = rejected_outcome(record)
            self._end(goal, outcome, message, now)
        elif record.source == POWER_SOURCE:
            self._end(goal, Outcome.FAILED, self._power_message(record), now)
        elif (held := gate_hold(record)) is not None:
            self._end(goal, Outcome.REJECTED, f"held by the plan gate: {held}", now)
        elif record.plan is None or not record.plan.steps:
            self._end(goal, Outcome.DONE, "plan done: nothing to do", now)

    @staticmethod
    def _power_message(record: PlanRecord) -> str:
        why = record.route_reason or record.reason
        return f"battery critical: the planner docks instead ({why})"

    def _on_event(self, event: ExecEvent, progress: Progress, now: float) -> None:
        goal = self._goals.get(self._executing) if self._executing is not None else None
        if goal is None:
            return
        if event.kind == "step_started":
            goal.step_index, goal.step_started_at = event.step_index, now
        elif event.kind == "plan_done":
            self._end(goal, Outcome.DONE, f"plan done: {event.message}", now)
        elif event.kind == "step_failed":
            timed_out = event.cause == CAUSE_TIMEOUT
            note = f" ({progress.motion_note})" if timed_out and progress.motion_note else ""
            self._end(goal, Outcome.TIMED_OUT if timed_out else Outcome.FAILED,
                      event.message + note, now)

    def _end(self, goal: _Goal, outcome: Outcome, message: str, now: float) -> None:
        self._goals.pop(goal.key, None)
        if self._executing == goal.key:
            self._executing = None
        self.counters.outcomes[outcome.name.lower()] += 1
        self._ended.append((goal.key, GoalResult(
            outcome, message, goal.record, goal.request_id or 0, goal.instruction,
            max(0.0, now - goal.accepted_at), goal.distance_m)))

    def end_all(self, reason: str, now: float) -> None:
        """Every active goal ends FAILED with `reason` (the planner is going away)."""
        for goal in list(self._goals.values()):
            self._end(goal, Outcome.FAILED, reason, now)

    def take_results(self) -> list[tuple[Hashable, GoalResult]]:
        """The goals that ended since the last call, in the order they ended."""
        out, self._ended = self._ended, []
        return out

    # -- feedback --------------------------------------------------------------------------

    def feedback(self, progress: Progress, now: float) -> list[tuple[Hashable, GoalFeedback]]:
        """Feedback for every active goal when it is due (at feedback_hz), else []."""
        if not self._goals or now < self._next_feedback:
            return []
        # On a schedule, not `now + period`: a tick a little late does not slow the rate.
        period = 1.0 / self.config.feedback_hz
        due = self._next_feedback if self._next_feedback > now - period else now
        self._next_feedback = due + period
        out = [(g.key, self._feedback(g, progress, now))
               for g in self._goals.values()]
        self.counters.feedback_sent += len(out)
        return out

    def _feedback(self, goal: _Goal, progress: Progress, now: float) -> GoalFeedback:
        status = self._status
        mine = status is not None and goal.request_id is not None \
            and status.request_id == goal.request_id
        record = goal.record
        nan = math.nan
        if goal.request_id is None:
            state, message = GoalState.QUEUED, "waiting for the planner's tick"
        elif record is None:
            pending = mine and status is not None and status.pending
            state = GoalState.QUEUED if pending else GoalState.PLANNING
            message = status.message if (mine and status is not None) else "planning"
        else:
            state = GoalState.HOLDING if progress.held else GoalState.EXECUTING
            message = (f"held: {progress.held}" if progress.held
                       else status.message if (mine and status is not None) else "executing")
        backend = record.backend if record is not None else (
            status.backend if (mine and status is not None and status.state == "thinking")
            else "")
        distance, eta = (nan, nan)
        index = goal.step_index if goal.step_index is not None else -1
        if record is not None and record.plan is not None and self._executing == goal.key:
            distance, eta = self._remaining(record.plan.steps, goal, progress, now)
        return GoalFeedback(
            state=state, tier=record.source if record is not None else "", backend=backend,
            steps=tuple(record.to_json()["steps"]) if record is not None else (),
            step_index=index, distance_remaining_m=distance, time_remaining_s=eta,
            elapsed_s=max(0.0, now - goal.accepted_at), message=message)

    def _remaining(self, steps: tuple[Step, ...], goal: _Goal, progress: Progress,
                   now: float) -> tuple[float, float]:
        """Distance still to walk (the active step's route, then straight lines between the
        later motion targets) and the time that takes at eta_speed_mps plus the waits."""
        index = goal.step_index if goal.step_index is not None else 0
        pose = progress.pose
        at = (pose.x, pose.y) if pose is not None else None
        distance, waits = 0.0, 0.0
        motion_eta: float | None = None
        for i, step in enumerate(steps[index:], start=index):
            if step.skill is Skill.WAIT:
                left = step.seconds or 0.0
                if i == index and goal.step_started_at is not None:
                    left -= now - goal.step_started_at
                waits += max(0.0, left)
                continue
            if not step.is_motion or step.x is None or step.y is None:
                continue
            if i == index and progress.motion_remaining_m is not None:
                distance += progress.motion_remaining_m
                motion_eta = progress.motion_eta_s
                at = (step.x, step.y)
                continue
            points = list(progress.route) if i == index and progress.route else [(step.x,
                                                                                    step.y)]
            for x, y in points:
                if at is None:
                    return math.nan, math.nan
                distance += math.hypot(x - at[0], y - at[1])
                at = (x, y)
        walk = distance / self.config.eta_speed_mps
        if motion_eta is not None and progress.motion_remaining_m is not None:
            # The motion layer's estimate for its own part, ours for the rest.
            walk += motion_eta - progress.motion_remaining_m / self.config.eta_speed_mps
        return distance, max(0.0, walk) + waits

    # -- health ----------------------------------------------------------------------------

    def health(self) -> HealthReport:
        c = self.counters
        values: dict[str, object] = {
            "goals_received": c.received, "goals_accepted": c.accepted,
            "goals_active": len(self._goals), "cancel_requests": c.cancel_requests,
            "cancels_unknown_goal": c.cancels_unknown,
            "results_unclaimed": c.results_unclaimed, "feedback_sent": c.feedback_sent,
            **{f"goals_refused.{k}": n for k, n in sorted(c.refused.items())},
            **{f"goals_ended.{k}": n for k, n in sorted(c.outcomes.items())},
        }
        active = ", ".join(f"{g.request_id or 'queued'}: {_quote(g.instruction)}"
                           for g in self._goals.values())
        return HealthReport("instruct", Level.OK,
                            f"active goal(s) {active}" if active else "no active goal", values)
