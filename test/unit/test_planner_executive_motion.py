"""The executive with an external motion layer (Nav2): steps end on the layer's word only."""

from __future__ import annotations

from robot_brain.core.geometry import Pose2D
from robot_brain.core.planner.executive import CAUSE_MOTION, CAUSE_TIMEOUT, Executive
from robot_brain.core.planner.skills import Plan, Skill, Step

KITCHEN = Step(Skill.NAVIGATE_TO, place="kitchen", x=3.0, y=2.4, yaw=1.57)
DOOR = Step(Skill.NAVIGATE_TO, place="door", x=4.4, y=-2.6, yaw=0.0)
AT_KITCHEN = Pose2D(3.0, 2.4, 0.0)


def test_arriving_is_not_done_until_the_motion_layer_says_so() -> None:
    ex = Executive(0.3, 60.0, external_motion=True)
    ex.start(Plan((KITCHEN, DOOR)), 0.0)
    out = ex.tick(0.0, AT_KITCHEN)
    assert out.goal is not None and (out.goal.x, out.goal.y) == (3.0, 2.4)
    out = ex.tick(1.0, AT_KITCHEN)  # at the target by odom: still the motion layer's step
    assert out.step_index == 0 and not out.hold
    ex.motion_done()
    out = ex.tick(2.0, AT_KITCHEN)
    assert out.step_index == 1 and (out.goal.x, out.goal.y) == (4.4, -2.6)
    assert [e.kind for e in out.events] == ["step_done", "step_started"]


def test_the_motion_layers_failure_fails_the_step_with_its_reason() -> None:
    ex = Executive(0.3, 60.0, external_motion=True)
    ex.start(Plan((KITCHEN,)), 0.0)
    ex.tick(0.0, None)
    ex.motion_failed("Nav2 failed: error_code 9002: no transform map -> odom")
    out = ex.tick(0.5, None)
    failed = [e for e in out.events if e.kind == "step_failed"]
    assert failed and failed[0].cause == CAUSE_MOTION
    assert "no transform map -> odom" in failed[0].message and out.hold and out.goal is None
    assert out.outcome.startswith("failed: step 1 (navigate_to kitchen) failed: Nav2")


def test_a_verdict_about_an_earlier_step_is_not_carried_to_the_next() -> None:
    ex = Executive(0.3, 60.0, external_motion=True)
    ex.start(Plan((Step(Skill.WAIT, seconds=1.0), KITCHEN)), 0.0)
    ex.tick(0.0, None)
    ex.motion_done()  # late word about a goal of a plan that is gone: no motion step runs
    out = ex.tick(1.0, None)  # the wait ends, the motion step starts
    assert out.step_index == 1
    out = ex.tick(2.0, None)
    assert out.step_index == 1 and out.goal is not None  # not finished by the stale verdict


def test_the_step_timeout_still_applies() -> None:
    ex = Executive(0.3, 5.0, external_motion=True)
    ex.start(Plan((KITCHEN,)), 0.0)
    ex.tick(0.0, AT_KITCHEN)
    out = ex.tick(5.0, AT_KITCHEN)
    failed = [e for e in out.events if e.kind == "step_failed"]
    assert failed and failed[0].cause == CAUSE_TIMEOUT


def test_a_cancelled_plan_drops_a_pending_verdict() -> None:
    ex = Executive(0.3, 60.0, external_motion=True)
    ex.start(Plan((KITCHEN,)), 0.0)
    ex.tick(0.0, None)
    ex.motion_done()
    ex.cancel("goal cancelled by its client")
    ex.start(Plan((KITCHEN,)), 1.0)
    ex.tick(1.0, None)
    out = ex.tick(1.5, None)
    assert out.step_index == 0 and out.goal is not None
