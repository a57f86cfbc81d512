"""Instruct goals over a real PlannerSession (fake LLM workers): admission, which request is
whose goal, every outcome, preemption, cancellation, feedback content and rate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pytest

from robot_brain.core.geometry import Pose2D
from robot_brain.core.planner.instruct_admission import Refusal, admit, check_text
from robot_brain.core.planner.instruct_goals import (
    CancelVerdict,
    GoalState,
    InstructConfig,
    InstructGoals,
    Outcome,
    Progress,
    rejected_outcome,
)
from robot_brain.core.planner.messages import PlanRecord, TickOutput
from robot_brain.core.planner.session import PlannerSession
from test.unit.test_planner_session import KITCHEN, FakeWorker, crash_at_start, make

DOOR = '{"steps": [{"skill": "navigate_to", "place": "door"}]}'
KITCHEN_XY = (3.0, 2.4)
MAX = InstructConfig().max_instruction_bytes


# --- admission ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused(text: str) -> None:
    verdict = check_text(text, MAX)
    assert verdict.refusal is Refusal.EMPTY and verdict.reason == "empty instruction"


def test_100_kb_is_refused_as_oversized_naming_the_size() -> None:
    verdict = check_text("go to the kitchen " * 6000, MAX)
    assert verdict.refusal is Refusal.OVERSIZED
    assert "108000 bytes" in verdict.reason and "max_instruction_bytes (2048)" in verdict.reason


@pytest.mark.parametrize("text,code", [("go\x00 to the door", "U+0000"),
                                       ("\x7fELF\x02\x01\x01", "U+007F"),
                                       ("walk \ufffd\ufffd", "U+FFFD"),
                                       ("half \ud800 surrogate", "U+D800"),
                                       ("\x1b[31mred", "U+001B")])
def test_binary_text_is_refused_naming_the_character(text: str, code: str) -> None:
    verdict = check_text(text, MAX)
    assert verdict.refusal is Refusal.BINARY and code in verdict.reason


@pytest.mark.parametrize("text", ["Geh bitte in die Küche.", "去厨房", "Va à la porte 🚪",
                                  "walk to the door,\nthen wait\tthere"])
def test_text_in_any_language_with_line_breaks_is_taken(text: str) -> None:
    assert check_text(text, MAX).accepted


def test_estop_and_critical_battery_refuse_after_the_text() -> None:
    assert admit("go to the door", MAX, True, "normal").refusal is Refusal.ESTOP
    assert admit("go to the door", MAX, False, "critical").refusal is Refusal.BATTERY_CRITICAL
    assert admit("", MAX, True, "critical").refusal is Refusal.EMPTY
    assert admit("go to the door", MAX, False, "eco").accepted
    assert admit("go to the door", MAX, False, None).accepted


# --- a driver: the node's tick, without ROS ---------------------------------------------------

@dataclass
class Driver:
    session: PlannerSession
    workers: dict[str, FakeWorker]
    goals: InstructGoals
    queue: list[tuple[str, Any]]
    now: float = 0.0
    last: TickOutput | None = None

    def goal(self, key: str, text: str, sender: str = "test") -> None:
        self.goals.accept(key, text, sender, self.now)
        self.queue.append((text, key))

    def topic(self, text: str) -> None:
        self.queue.append((text, None))

    def tick(self, dt: float = 0.05, progress: Progress | None = None) -> TickOutput:
        """As the planner node's tick: instructions in arrival order, the session, the goals."""
        self.now += dt
        queue, self.queue = self.queue, []
        for text, key in queue:
            if key is not None and not self.goals.wants_session(key):
                continue
            rid = self.session.on_instruction(text, self.now)
            self.goals.bound(key, rid, text, self.now)
        out = self.session.tick(self.now)
        self.goals.update(out, progress or Progress(pose=self.session.pose), self.now)
        self.last = out
        return out

    def results(self) -> dict[Any, Any]:
        return dict(self.goals.take_results())


def driver(**config: Any) -> Driver:
    session, workers = make()
    return Driver(session, workers, InstructGoals(InstructConfig(**config)), [])


# --- outcomes ---------------------------------------------------------------------------------

def test_a_goal_is_planned_executed_and_done_with_distance_and_time() -> None:
    d = driver()
    d.session.pose = Pose2D(0.0, 0.0, 0.0)
    d.goal("g1", "please go to the kitchen", sender="alice")
    d.tick()
    fb = dict(d.goals.feedback(Progress(pose=d.session.pose), d.now))["g1"]
    assert fb.state is GoalState.PLANNING and fb.backend == "scripted" and fb.tier == ""
    assert fb.steps == () and fb.step_index == -1 and math.isnan(fb.distance_remaining_m)
    d.workers["scripted"].reply(1, KITCHEN)
    d.tick(0.5)
    fb = dict(d.goals.feedback(Progress(pose=d.session.pose), d.now))["g1"]
    assert fb.state is GoalState.EXECUTING and fb.tier == "llm" and fb.backend == "scripted"
    assert fb.steps[0]["skill"] == "navigate_to" and fb.step_index == 0
    assert fb.distance_remaining_m == pytest.approx(math.hypot(*KITCHEN_XY))
    assert fb.time_remaining_s == pytest.approx(math.hypot(*KITCHEN_XY) / 0.4)
    assert fb.message.startswith("step 1")
    # Walk there in two moves; the executive finishes the step at the target.
    d.session.pose = Pose2D(1.5, 1.2, 0.0)
    d.tick(1.0)
    assert d.results() == {}
    d.session.pose = Pose2D(*KITCHEN_XY, 0.0)
    d.tick(1.0)
    result = d.results()["g1"]
    assert result.outcome is Outcome.DONE and result.message.startswith("plan done")
    assert result.request_id == 1 and result.record is not None and result.record.accepted
    assert result.distance_m == pytest.approx(math.hypot(*KITCHEN_XY))
    assert result.elapsed_s == pytest.approx(2.55)
    assert d.goals.active_count == 0 and d.goals.counters.outcomes["done"] == 1


@pytest.mark.parametrize("reply,error,outcome,words", [
    ("Sure! Running into the wall at 10 m/s now.", None, Outcome.REJECTED, "no valid plan"),
    ('{"steps": [{"skill": "navigate_to", "place": "garage"}]}', None, Outcome.REJECTED,
     "'garage' is not in world"),
    ("", "worker crashed", Outcome.FAILED, "backend scripted failed: worker crashed"),
    ("", "timeout", Outcome.TIMED_OUT, "planning took too long"),
])
def test_no_plan_ends_the_goal_with_the_reason(reply: str, error: str | None,
                                               outcome: Outcome, words: str) -> None:
    d = driver()
    d.goal("g", "go to the garage")
    d.tick()
    d.workers["scripted"].reply(1, reply, error=error)
    out = d.tick()
    result = d.results()["g"]
    assert result.outcome is outcome and words in result.message
    assert result.record is not None and not result.record.accepted
    assert out.hold and out.goal is None  # nothing moved


def test_no_backend_at_all_fails_the_goal_with_the_sessions_reason() -> None:
    session, workers = make(names=("llama_cpp",))
    d = Driver(session, workers, InstructGoals(), [])
    d.goal("g", "go to the kitchen")
    d.tick()
    crash_at_start(workers["llama_cpp"], 1)
    d.tick()
    result = d.results()["g"]
    assert result.outcome is Outcome.FAILED and result.message.startswith("no backend")
    assert "illegal instruction" in result.message


def test_rejected_outcome_tells_the_reasons_apart() -> None:
    def outcome(reason: str) -> Outcome:
        return rejected_outcome(PlanRecord.make(3, "x", False, reason, ""))[0]

    assert outcome("backend openai failed: timeout") is Outcome.TIMED_OUT
    assert outcome("backend openai failed: HTTP 500") is Outcome.FAILED
    assert outcome("power mode wants dock but the world has no 'dock' place") is Outcome.FAILED
    assert outcome("empty instruction") is Outcome.REJECTED
    assert outcome("step 1: 'garage' is not in world 'apartment'") is Outcome.REJECTED


def test_a_step_that_runs_out_of_time_is_timed_out() -> None:
    d = driver()
    d.session.executive.step_timeout_s = 2.0
    d.session.pose = Pose2D(0.0, 0.0, 0.0)
    d.goal("g", "go to the kitchen")
    d.tick()
    d.workers["scripted"].reply(1, KITCHEN)
    d.tick()
    d.tick(1.0)
    assert d.results() == {}
    d.tick(1.5)
    result = d.results()["g"]
    assert result.outcome is Outcome.TIMED_OUT and "timed out after" in result.message


def test_a_newer_goal_preempts_and_the_topic_preempts_too() -> None:
    d = driver()
    d.goal("a", "go to the kitchen", sender="alice")
    d.tick()
    d.workers["scripted"].reply(1, KITCHEN)
    d.tick()
    d.goal("b", "go to the door instead", sender="bob")
    d.tick()
    result = d.results()["a"]
    assert result.outcome is Outcome.PREEMPTED
    assert result.message == "replaced by goal 2 from bob: 'go to the door instead'"
    assert d.workers["scripted"].submitted[-1].request_id == 2  # b reached the session
    d.topic("stop")
    d.tick()
    result = d.results()["b"]
    assert result.outcome is Outcome.PREEMPTED and "brain/instruction" in result.message
    assert d.goals.active_count == 0


def test_two_goals_in_one_tick_the_later_wins() -> None:
    d = driver()
    d.goal("a", "go to the kitchen", sender="alice")
    d.goal("b", "go to the door", sender="bob")
    d.tick()
    results = d.results()
    assert list(results) == ["a"] and results["a"].outcome is Outcome.PREEMPTED
    assert results["a"].request_id == 1 and d.goals.active("b")
    d.workers["scripted"].reply(2, DOOR)
    d.tick()
    assert d.goals.active("b") and d.last is not None and d.last.goal is not None


def test_cancel_of_a_running_goal_and_the_session_stops() -> None:
    d = driver()
    d.goal("g", "go to the kitchen")
    d.tick()
    d.workers["scripted"].reply(1, KITCHEN)
    assert d.tick().goal is not None
    assert d.goals.cancel("g", d.now) is CancelVerdict.RUNNING
    d.session.cancel("goal cancelled by its client")
    out = d.tick()
    assert out.hold and out.goal is None
    assert out.status.outcome == "cancelled: goal cancelled by its client"
    result = d.results()["g"]
    assert result.outcome is Outcome.CANCELLED and "told to stop" in result.message


def test_cancel_while_thinking_cancels_the_request() -> None:
    d = driver()
    d.goal("g", "go to the kitchen")
    d.tick()
    assert d.goals.cancel("g", d.now) is CancelVerdict.RUNNING
    d.session.cancel("goal cancelled by its client")
    d.workers["scripted"].reply(1, KITCHEN)  # the late reply is dropped
    out = d.tick()
    assert d.workers["scripted"].cancelled == [1] and out.goal is None and out.plans == ()
    assert out.status.replies_superseded == 1


def test_cancel_before_the_tick_never_reaches_the_session_and_unknown_is_told() -> None:
    d = driver()
    d.goal("g", "go to the kitchen")
    assert d.goals.cancel("g", d.now) is CancelVerdict.QUEUED
    d.tick()
    assert d.workers["scripted"].submitted == []
    assert d.results()["g"].outcome is Outcome.CANCELLED
    assert d.goals.cancel("g", d.now) is CancelVerdict.UNKNOWN
    assert d.goals.cancel("never-seen", d.now) is CancelVerdict.UNKNOWN
    assert d.goals.counters.cancel_requests == 3


def test_battery_critical_while_a_goal_runs_fails_it() -> None:
    d = driver()
    d.goal("g", "go to the kitchen")
    d.tick()
    d.workers["scripted"].reply(1, KITCHEN)
    d.tick()
    d.session.set_mode("critical", d.now)
    out = d.tick()
    result = d.results()["g"]
    assert result.outcome is Outcome.FAILED and result.message.startswith("battery critical")
    assert out.plans[-1].source == "power"  # the session docks; the goal is not that plan


def test_a_plan_the_gate_holds_is_rejected_with_the_gates_reason() -> None:
    """The model walks although told not to: the session's plan gate holds it (the robot holds
    and says why); the goal ends REJECTED with the gate's reason, never DONE."""
    d = driver()
    d.goal("g", "Don't go to the kitchen.")
    d.tick()
    d.workers["scripted"].reply(1, KITCHEN)
    out = d.tick()
    assert out.plans[0].gate is not None and out.plans[0].gate.holds
    assert out.goal is None and out.hold  # nothing moves
    result = d.results()["g"]
    assert result.outcome is Outcome.REJECTED
    assert result.message == f"held by the plan gate: {out.plans[0].gate.reason}"


def test_estop_makes_the_feedback_holding() -> None:
    d = driver()
    d.session.pose = Pose2D(0.0, 0.0, 0.0)
    d.goal("g", "go to the kitchen")
    d.tick()
    d.workers["scripted"].reply(1, KITCHEN)
    d.tick()
    held = Progress(pose=d.session.pose, held="estop latched (watchdog/estop)")
    fb = dict(d.goals.feedback(held, d.now))["g"]
    assert fb.state is GoalState.HOLDING and fb.message == "held: estop latched (watchdog/estop)"


def test_feedback_is_rate_limited_and_counted() -> None:
    d = driver(feedback_hz=4.0)
    d.goal("g", "go to the kitchen")
    d.tick()
    assert len(d.goals.feedback(Progress(), 10.0)) == 1
    assert d.goals.feedback(Progress(), 10.2) == []
    assert len(d.goals.feedback(Progress(), 10.25)) == 1
    health = d.goals.health()
    assert health.values["feedback_sent"] == 2 and health.values["goals_active"] == 1


def test_refusals_are_counted_by_reason() -> None:
    goals = InstructGoals()
    goals.refused(Refusal.EMPTY)
    goals.refused(Refusal.ESTOP)
    goals.refused(Refusal.ESTOP)
    goals.unknown_cancel()
    values = goals.health().values
    assert values["goals_refused.estop"] == 2 and values["goals_refused.empty"] == 1
    assert values["goals_received"] == 3 and values["cancels_unknown_goal"] == 1


def test_remaining_distance_follows_the_route_and_the_motion_layer() -> None:
    d = driver()
    d.session.pose = Pose2D(0.0, 0.0, 0.0)
    d.goal("g", "Go to the kitchen, wait five seconds there, then go to the door.")
    d.tick()
    d.workers["scripted"].reply(
        1, '{"steps": [{"skill": "navigate_to", "place": "kitchen"}, '
           '{"skill": "wait", "seconds": 5}, {"skill": "navigate_to", "place": "door"}]}')
    d.tick()
    door = d.session.world.places["door"]
    leg2 = math.hypot(door.x - KITCHEN_XY[0], door.y - KITCHEN_XY[1])
    # A route with a detour: (0, 2) then the kitchen.
    routed = Progress(pose=d.session.pose, route=((0.0, 2.0), KITCHEN_XY))
    fb = dict(d.goals.feedback(routed, d.now))["g"]
    leg1 = 2.0 + math.hypot(KITCHEN_XY[0], KITCHEN_XY[1] - 2.0)
    assert fb.distance_remaining_m == pytest.approx(leg1 + leg2)
    assert fb.time_remaining_s == pytest.approx((leg1 + leg2) / 0.4 + 5.0)
    # The motion layer's own figures for its step (Nav2: 7 m, 20 s).
    nav2 = Progress(pose=d.session.pose, motion_remaining_m=7.0, motion_eta_s=20.0)
    fb = dict(d.goals.feedback(nav2, d.now + 1.0))["g"]
    assert fb.distance_remaining_m == pytest.approx(7.0 + leg2)
    assert fb.time_remaining_s == pytest.approx(20.0 + leg2 / 0.4 + 5.0)
