"""`robot-brain instruct`'s lines and exit codes, without a graph."""

from __future__ import annotations

import math
from types import SimpleNamespace

from robot_brain.cli.instruct import (
    EXIT_DONE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_PREEMPTED,
    EXIT_REFUSED,
    OUTCOME_EXIT,
    feedback_line,
    refusal_reason,
    result_line,
)
from robot_brain.core.planner.instruct_goals import Outcome


def step(skill: str, place: str = "", text: str = "", seconds: float = math.nan) -> object:
    return SimpleNamespace(skill=skill, place=place, text=text, seconds=seconds)


def test_a_feedback_line_says_state_step_distance_time_and_who() -> None:
    fb = SimpleNamespace(state=2, step_index=0, steps=[step("navigate_to", "kitchen"),
                                                       step("say", text="hi")],
                         distance_remaining_m=3.24, time_remaining_s=8.1, tier="vertical",
                         backend="vertical", message="step 1: navigate_to kitchen")
    assert feedback_line(fb) == ("executing step 1/2 navigate_to kitchen, 3.2 m / 8 s to go "
                                 "[vertical/vertical]: step 1: navigate_to kitchen")
    fb = SimpleNamespace(state=1, step_index=-1, steps=[], distance_remaining_m=math.nan,
                         time_remaining_s=math.nan, tier="", backend="llama_cpp", message="")
    assert feedback_line(fb) == "planning [llama_cpp]"


def test_result_lines_and_exit_codes() -> None:
    r = SimpleNamespace(outcome=1, message="plan done: navigate_to kitchen", distance_m=4.62,
                        elapsed_s=17.31)
    assert result_line(r) == "DONE: plan done: navigate_to kitchen (4.6 m walked in 17.3 s)"
    assert OUTCOME_EXIT[Outcome.DONE] == EXIT_DONE == 0
    assert {OUTCOME_EXIT[o] for o in (Outcome.FAILED, Outcome.TIMED_OUT)} == {EXIT_FAILED}
    assert OUTCOME_EXIT[Outcome.REJECTED] == EXIT_REFUSED
    assert OUTCOME_EXIT[Outcome.PREEMPTED] == EXIT_PREEMPTED
    assert OUTCOME_EXIT[Outcome.CANCELLED] == EXIT_INTERRUPTED
    assert all(code != 0 for o, code in OUTCOME_EXIT.items() if o is not Outcome.DONE)


def test_a_refusal_is_explained_by_the_planners_own_rules() -> None:
    assert refusal_reason("go", True, "normal").startswith("estop latched")
    assert refusal_reason("go", False, "critical").startswith("battery critical")
    assert refusal_reason("x" * 5000, None, None).startswith("instruction of 5000 bytes")
    assert "the planner refused it" in refusal_reason("go", None, None)
