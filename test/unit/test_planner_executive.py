"""The executive on an injected clock: one step at a time, holds unless a motion step runs."""

from __future__ import annotations

import pytest

from robot_brain.core.geometry import Pose2D
from robot_brain.core.planner.executive import ExecState, Executive
from robot_brain.core.planner.skills import Plan, Skill, Step

KITCHEN = Step(Skill.NAVIGATE_TO, place="kitchen", x=3.0, y=2.4, yaw=1.57)
DOCK = Step(Skill.DOCK, place="dock", x=-4.2, y=-1.0, yaw=3.14)
HERE = Pose2D(0.0, 0.0, 0.0)


def at(step: Step) -> Pose2D:
    return Pose2D(step.x + 0.1, step.y, 0.0)


def test_idle_holds_and_has_no_goal() -> None:
    out = Executive(0.3, 60.0).tick(0.0, HERE)
    assert out.state is ExecState.IDLE and out.hold and out.goal is None


def test_navigate_then_wait_then_say() -> None:
    ex = Executive(0.3, 60.0)
    ex.start(Plan((KITCHEN, Step(Skill.WAIT, seconds=2.0), Step(Skill.SAY, text="done"))), 0.0)
    out = ex.tick(0.0, HERE)
    assert out.state is ExecState.EXECUTING and not out.hold
    assert (out.goal.x, out.goal.y) == (3.0, 2.4) and out.step_index == 0
    out = ex.tick(5.0, Pose2D(2.0, 2.0, 0.0))  # still 1.08 m away
    assert out.goal is not None and out.step_index == 0
    out = ex.tick(6.0, at(KITCHEN))  # reached: the wait starts and holds
    assert out.goal is None and out.hold and out.step_index == 1
    assert [e.kind for e in out.events] == ["step_done", "step_started"]
    out = ex.tick(7.9, at(KITCHEN))
    assert out.step_index == 1 and out.say == ()
    out = ex.tick(8.0, at(KITCHEN))  # 2 s after the wait began: say, then plan done
    assert out.say == ("done",) and out.state is ExecState.IDLE and out.outcome == "done"
    assert out.events[-1].kind == "plan_done"


def test_navigation_step_times_out_and_plan_fails() -> None:
    ex = Executive(0.3, 10.0)
    ex.start(Plan((KITCHEN, DOCK)), 0.0)
    assert ex.tick(0.0, HERE).goal is not None
    assert ex.tick(9.9, HERE).goal is not None
    out = ex.tick(10.0, HERE)
    assert out.state is ExecState.IDLE and out.hold and out.goal is None
    assert out.outcome.startswith("failed: step 1 (navigate_to kitchen) timed out")
    assert any(e.kind == "step_failed" for e in out.events)


def test_no_odometry_never_completes_a_step() -> None:
    ex = Executive(0.3, 100.0)
    ex.start(Plan((KITCHEN,)), 0.0)
    for t in range(50):
        assert ex.tick(float(t), None).goal is not None


def test_stop_step_holds_at_once_and_later_steps_follow() -> None:
    ex = Executive(0.3, 60.0)
    ex.start(Plan((Step(Skill.STOP), KITCHEN)), 0.0)
    out = ex.tick(0.0, HERE)  # stop is instantaneous; the next step starts in the same tick
    assert out.step_index == 1 and out.goal is not None
    ex.start(Plan((Step(Skill.STOP),)), 1.0)
    out = ex.tick(1.0, HERE)
    assert out.hold and out.goal is None and out.outcome == "done"


def test_cancel_holds_immediately() -> None:
    ex = Executive(0.3, 60.0)
    ex.start(Plan((KITCHEN,)), 0.0)
    assert not ex.tick(0.0, HERE).hold
    ex.cancel("stop instruction")
    out = ex.tick(0.05, HERE)
    assert out.hold and out.goal is None
    assert out.outcome == "cancelled: stop instruction"
    assert out.events[0].kind == "plan_cancelled"


def test_new_plan_replaces_the_running_one() -> None:
    ex = Executive(0.3, 60.0)
    ex.start(Plan((KITCHEN,)), 0.0)
    ex.tick(0.0, HERE)
    ex.start(Plan((DOCK,)), 1.0)
    out = ex.tick(1.0, HERE)
    assert (out.goal.x, out.goal.y) == (-4.2, -1.0)
    assert [e.kind for e in out.events][:1] == ["plan_cancelled"]


def test_step_already_reached_finishes_in_one_tick() -> None:
    ex = Executive(0.3, 60.0)
    ex.start(Plan((KITCHEN, DOCK)), 0.0)
    out = ex.tick(0.0, at(KITCHEN))
    assert out.step_index == 1 and (out.goal.x, out.goal.y) == (-4.2, -1.0)


def test_coordinate_goal_has_no_heading() -> None:
    ex = Executive(0.3, 60.0)
    ex.start(Plan((Step(Skill.NAVIGATE_TO, x=0.5, y=0.5),)), 0.0)
    assert ex.tick(0.0, HERE).goal.yaw is None


@pytest.mark.parametrize("tol, timeout", [(0.0, 1.0), (0.3, 0.0), (-1.0, 5.0)])
def test_bad_configuration_refused(tol: float, timeout: float) -> None:
    with pytest.raises(ValueError):
        Executive(tol, timeout)
