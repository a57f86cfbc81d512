"""The Nav2 motion layer's state machine, without ROS: goals, cancels, verdicts, feedback."""

from __future__ import annotations

import pytest

from robot_brain.core.config.params import ParamError, load
from robot_brain.core.planner.executive import Goal
from robot_brain.core.planner.nav2_motion import (
    CancelGoal,
    MotionConfig,
    Nav2Motion,
    Phase,
    SendGoal,
)

KITCHEN = Goal(3.0, 2.4, 1.57)
DOOR = Goal(4.4, -2.6, None)


def motion(**config: object) -> Nav2Motion:
    return Nav2Motion(load(MotionConfig, {"motion": "nav2", **config}))


def accepted(m: Nav2Motion, goal: Goal = KITCHEN, now: float = 0.0) -> int:
    sent = m.tick(now, goal, server_ready=True)
    assert len(sent) == 1 and isinstance(sent[0], SendGoal) and sent[0].goal == goal
    assert m.on_response(sent[0].token, True, now) == []
    assert m.phase is Phase.ACTIVE
    return sent[0].token


def test_the_config_is_checked_and_off_by_default() -> None:
    assert not MotionConfig().nav2 and MotionConfig().nav2_frame == "map"
    with pytest.raises(ParamError, match="motion"):
        load(MotionConfig, {"motion": "teleport"})


def test_a_target_becomes_one_goal_and_success_is_the_verdict() -> None:
    m = motion()
    token = accepted(m)
    assert m.tick(0.5, KITCHEN, server_ready=True) == []  # the same target: nothing new
    m.on_feedback(token, 1.25, 4.0, 1, 0.6)
    assert (m.remaining_m, m.eta_s, m.recoveries) == (1.25, 4.0, 1)
    m.on_result(token, "succeeded", 0, "")
    assert m.take_verdict() == "" and m.take_verdict() is None
    assert m.remaining_m is None and m.counters.succeeded == 1
    # The next step to the same place gets a goal of its own.
    assert isinstance(m.tick(1.0, KITCHEN, server_ready=True)[0], SendGoal)


def test_a_failure_names_the_error_code_and_message() -> None:
    m = motion()
    token = accepted(m)
    m.on_result(token, "aborted", 9002, "no transform map -> odom")
    assert m.take_verdict() == \
        "Nav2 failed: error_code 9002 (TF_ERROR): no transform map -> odom"
    assert m.health().message.startswith("Nav2 failed")
    token = accepted(m, DOOR)
    m.on_result(token, "aborted", 123, "")
    assert m.take_verdict() == "Nav2 failed: error_code 123 (123)"


def test_rejected_and_cancelled_by_nav2_fail_the_step() -> None:
    m = motion()
    sent = m.tick(0.0, KITCHEN, server_ready=True)
    m.on_response(sent[0].token, False, 0.1)  # type: ignore[union-attr]
    assert m.take_verdict() == "Nav2 rejected the NavigateToPose goal"
    token = accepted(m, DOOR)
    m.on_result(token, "canceled", 0, "")
    assert m.take_verdict() == "Nav2 cancelled the NavigateToPose goal"


def test_a_new_target_or_none_cancels_the_goal() -> None:
    m = motion()
    token = accepted(m)
    out = m.tick(1.0, DOOR, server_ready=True)
    assert out[0] == CancelGoal(token) and isinstance(out[1], SendGoal)
    # Requested, not accepted yet: nothing to cancel now; cancelled when it is accepted.
    assert m.tick(2.0, None, server_ready=True) == [] and m.phase is Phase.IDLE
    assert m.on_response(out[1].token, True, 2.1) == [CancelGoal(out[1].token)]
    assert m.counters.cancelled == 2


def test_a_goal_given_up_before_its_acceptance_is_cancelled_then() -> None:
    m = motion()
    sent = m.tick(0.0, KITCHEN, server_ready=True)
    token = sent[0].token  # type: ignore[union-attr]
    assert m.stop() == []  # nothing to cancel yet
    assert m.on_response(token, True, 0.2) == [CancelGoal(token)]
    m.on_result(token, "canceled", 0, "")
    assert m.take_verdict() is None and m.counters.stale_answers == 1


def test_no_server_fails_after_the_wait_and_asks_nothing_meanwhile() -> None:
    m = motion(nav2_server_wait_s=2.0, nav2_action="navigate_to_pose")
    assert m.tick(0.0, KITCHEN, server_ready=False) == []
    assert m.tick(1.9, KITCHEN, server_ready=False) == []
    assert m.take_verdict() is None
    m.tick(2.0, KITCHEN, server_ready=False)
    verdict = m.take_verdict()
    assert verdict is not None and "no NavigateToPose server on navigate_to_pose" in verdict
    assert m.counters.no_server == 1


def test_no_goal_response_fails_and_gives_the_goal_up() -> None:
    m = motion(nav2_response_timeout_s=1.0)
    sent = m.tick(0.0, KITCHEN, server_ready=True)
    token = sent[0].token  # type: ignore[union-attr]
    assert "has not answered" in m.note(0.5)
    assert m.tick(1.0, KITCHEN, server_ready=True) == [CancelGoal(token)]
    assert "did not answer the goal within" in (m.take_verdict() or "")
    assert m.on_response(token, True, 2.0) == [CancelGoal(token)]  # late: cancelled


def test_the_note_says_how_long_nav2_has_been_silent() -> None:
    m = motion()
    token = accepted(m, now=10.0)
    assert m.note(40.0) == "Nav2 accepted the goal 30 s ago and sent nothing"
    m.on_feedback(token, 2.0, float("nan"), 0, 45.0)
    assert m.eta_s is None and m.note(50.0) == "Nav2's last feedback 5 s ago"


def test_answers_about_other_goals_change_nothing() -> None:
    m = motion()
    token = accepted(m)
    m.on_feedback(token + 7, 9.0, 9.0, 0, 1.0)
    m.on_result(token + 7, "succeeded", 0, "")
    assert m.remaining_m is None and m.take_verdict() is None
    assert m.counters.stale_answers == 1 and m.phase is Phase.ACTIVE
