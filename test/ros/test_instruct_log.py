"""The Instruct server's one line per ended goal: goals that end differently, one after the
other, in one process (a whole-brain run crashed the planner on its first FAILED goal after a
DONE one: rclpy refuses a call site whose severity changes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rclpy.impl.rcutils_logger import RcutilsLogger
from rclpy.logging import get_logger

from robot_brain.core.planner.instruct_goals import GoalResult, Outcome
from robot_brain.ros.instruct_server import log_goal_end


def _result(outcome: Outcome) -> GoalResult:
    return GoalResult(outcome, "why", None, 7, "go to the kitchen", 1.0, 0.0)


def _one_site(logger: RcutilsLogger, result: GoalResult) -> None:
    level: Callable[[str], bool] = logger.info if result.outcome is Outcome.DONE \
        else logger.warning
    level("one call site")


def test_rclpy_refuses_one_call_site_at_two_severities() -> None:
    """Why log_goal_end has two call sites: the pattern it replaced."""
    logger = get_logger("instruct_log_premise")
    _one_site(logger, _result(Outcome.DONE))
    with pytest.raises(ValueError, match="severity cannot be changed"):
        _one_site(logger, _result(Outcome.FAILED))


def test_goals_ending_every_way_in_turn_are_each_logged() -> None:
    logger = get_logger("instruct_log")
    for outcome in (Outcome.DONE, Outcome.FAILED, Outcome.DONE, Outcome.REJECTED,
                    Outcome.CANCELLED, Outcome.DONE):
        log_goal_end(logger, _result(outcome))
