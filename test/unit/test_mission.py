"""The demo's verdict: what counts as done, and each way a run fails, in one line."""

from __future__ import annotations

from typing import Any

from robot_brain.core.report.verdict import MissionFacts, Verdict, judge

KITCHEN_PLAN = {"accepted": True, "steps": [{"skill": "navigate_to", "place": "kitchen"}]}


def facts(**kw: Any) -> MissionFacts:
    base: dict[str, Any] = dict(planner=True, goal=None, plans=[KITCHEN_PLAN], outcome="done",
                                done_after_s=14.24, elapsed_s=20.0, distance_m=4.53,
                                collisions=0, final_pose=(3.0, 2.4))
    base.update(kw)
    return MissionFacts(**base)


def test_done_plan_is_ok_with_what_was_done() -> None:
    out = judge(facts())
    assert out.success and out.verdict is Verdict.OK
    assert out.line == "OK: navigate_to kitchen done in 14.2 s, 4.5 m, 0 collisions"


def test_multi_step_plan_is_named_step_by_step() -> None:
    plan = {"accepted": True, "steps": [{"skill": "wait", "seconds": 5},
                                        {"skill": "navigate_to", "x": 1.0, "y": 2.0},
                                        {"skill": "dock"}]}
    assert "wait 5, then navigate_to (1.0, 2.0), then dock done" in judge(
        facts(plans=[plan])).line


def test_rejected_plan_fails_with_the_reason() -> None:
    rejected = {"accepted": False, "reason": "no backend: llama_cpp unavailable", "steps": []}
    out = judge(facts(plans=[rejected], outcome=""))
    assert not out.success and out.verdict is Verdict.NO_PLAN
    assert out.line == ("FAILED: the instruction got no accepted plan: no backend: llama_cpp "
                        "unavailable")


def test_no_plan_at_all_fails() -> None:
    out = judge(facts(plans=[], outcome=""))
    assert out.verdict is Verdict.NO_PLAN and "no plan within 20.0 s" in out.line
    # Ctrl-C before any plan came says so (not as if the planner had had its time).
    out = judge(facts(plans=[], outcome="", interrupted=True, elapsed_s=3.3))
    assert out.verdict is Verdict.NO_PLAN
    assert out.line == "FAILED: the instruction got no plan before the run was interrupted (3.3 s)"


def test_plan_still_running_at_the_end_is_not_finished() -> None:
    out = judge(facts(outcome="running", done_after_s=None))
    assert out.verdict is Verdict.NOT_FINISHED and not out.success
    assert "the run ended after 20.0 s" in out.line
    assert "interrupted" in judge(facts(outcome="running", interrupted=True)).line


def test_failed_step_fails() -> None:
    out = judge(facts(outcome="failed: step 1 navigate_to kitchen not reached in 120 s"))
    assert out.verdict is Verdict.PLAN_FAILED and "not reached" in out.line


def test_collision_and_dead_node_win_over_a_done_plan() -> None:
    assert judge(facts(collisions=2)).verdict is Verdict.COLLISION
    dead = judge(facts(collisions=2, node_failure="node 'controller' exited with code -11"))
    assert dead.verdict is Verdict.NODE_DIED
    assert dead.line == "FAILED: node 'controller' exited with code -11"


def test_goal_mode_judges_the_final_distance() -> None:
    near = judge(facts(planner=False, goal=(3.0, 2.5), final_pose=(3.1, 2.4)))
    assert near.success and "reached goal (3.00, 2.50)" in near.line
    far = judge(facts(planner=False, goal=(3.0, 2.5), final_pose=(0.0, 0.0)))
    assert far.verdict is Verdict.GOAL_NOT_REACHED and "3.91 m away" in far.line
    assert judge(facts(planner=False, goal=(1.0, 1.0), final_pose=None)).verdict \
        is Verdict.GOAL_NOT_REACHED


def test_nothing_asked_is_not_a_failure() -> None:
    out = judge(facts(planner=False, goal=None, distance_m=None, collisions=None))
    assert out.verdict is Verdict.NO_MISSION and out.success
