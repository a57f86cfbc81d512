"""Did a run do what it was asked? The demo's verdict, from what it observed, without ROS.

`robot-brain demo` ends with one line that says so: `OK: navigate_to kitchen done in 14.2 s,
4.5 m, 0 collisions`, or `FAILED: <reason>` (non-zero exit). A run that only reports a normal
summary while the robot stood still (the plan rejected, a node dead) misleads the user and any
script that checks the exit code; these rules make the outcome explicit.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class Verdict(enum.Enum):
    OK = "ok"
    NO_MISSION = "no_mission"       # nothing was asked (e.g. --nodes sim): nothing to judge
    NODE_DIED = "node_died"
    NO_PLAN = "no_plan"             # the instruction got no accepted plan
    PLAN_FAILED = "plan_failed"     # a step failed or the plan was cancelled
    NOT_FINISHED = "not_finished"   # still running when the run ended
    GOAL_NOT_REACHED = "goal_not_reached"
    COLLISION = "collision"

    @property
    def success(self) -> bool:
        return self in (Verdict.OK, Verdict.NO_MISSION)


@dataclass(frozen=True)
class MissionFacts:
    """What the demo saw. `plans` are planner/plan records (JSON), newest last."""

    planner: bool                       # an instruction was sent to a planner
    goal: tuple[float, float] | None    # driven to a parameter goal instead (no planner)
    plans: Sequence[Mapping[str, Any]]
    outcome: str                        # planner/status 'outcome' at the end
    done_after_s: float | None          # instruction -> plan done
    elapsed_s: float
    distance_m: float | None
    collisions: int | None
    final_pose: tuple[float, float] | None
    goal_tolerance_m: float = 0.5
    node_failure: str | None = None
    interrupted: bool = False


@dataclass(frozen=True)
class MissionOutcome:
    verdict: Verdict
    line: str  # the demo's last line

    @property
    def success(self) -> bool:
        return self.verdict.success


def _steps_text(plan: Mapping[str, Any]) -> str:
    parts = []
    for step in plan.get("steps") or []:
        if not isinstance(step, Mapping):
            continue
        skill = str(step.get("skill", "?"))
        arg = step.get("place") or step.get("text") or step.get("seconds")
        if arg is None and "x" in step and "y" in step:
            arg = f"({step['x']}, {step['y']})"
        parts.append(f"{skill} {arg}" if arg is not None else skill)
    return ", then ".join(parts) or "an empty plan"


def _figures(facts: MissionFacts) -> str:
    dist = f"{facts.distance_m:.1f} m" if facts.distance_m is not None else "? m"
    col = f"{facts.collisions} collisions" if facts.collisions is not None else "? collisions"
    return f"{dist}, {col}"


def judge(facts: MissionFacts) -> MissionOutcome:
    """The verdict, most serious first: a dead node, a collision, then the mission itself."""
    if facts.node_failure:
        return MissionOutcome(Verdict.NODE_DIED, f"FAILED: {facts.node_failure}")
    if facts.collisions:
        return MissionOutcome(Verdict.COLLISION,
                              f"FAILED: the robot collided ({_figures(facts)})")
    if facts.planner:
        return _judge_plan(facts)
    if facts.goal is not None:
        return _judge_goal(facts, facts.goal)
    return MissionOutcome(Verdict.NO_MISSION,
                          f"OK: ran {facts.elapsed_s:.1f} s, no mission given ({_figures(facts)})")


def _judge_plan(facts: MissionFacts) -> MissionOutcome:
    accepted = [p for p in facts.plans if p.get("accepted")]
    if not accepted:
        if facts.plans:
            reason = str(facts.plans[-1].get("reason") or "rejected")
            return MissionOutcome(Verdict.NO_PLAN,
                                  f"FAILED: the instruction got no accepted plan: {reason}")
        if facts.interrupted:
            return MissionOutcome(Verdict.NO_PLAN, "FAILED: the instruction got no plan before "
                                  f"the run was interrupted ({facts.elapsed_s:.1f} s)")
        return MissionOutcome(Verdict.NO_PLAN, "FAILED: the instruction got no plan within "
                              f"{facts.elapsed_s:.1f} s")
    plan = accepted[-1]
    what = _steps_text(plan)
    outcome = facts.outcome or ""
    if outcome == "done":
        took = f" in {facts.done_after_s:.1f} s" if facts.done_after_s is not None else ""
        return MissionOutcome(Verdict.OK, f"OK: {what} done{took}, {_figures(facts)}")
    if outcome.startswith(("failed", "cancelled")):
        return MissionOutcome(Verdict.PLAN_FAILED, f"FAILED: {what}: {outcome}")
    ended = "interrupted" if facts.interrupted else f"the run ended after {facts.elapsed_s:.1f} s"
    return MissionOutcome(Verdict.NOT_FINISHED,
                          f"FAILED: {what} not finished ({ended}; {_figures(facts)})")


def _judge_goal(facts: MissionFacts, goal: tuple[float, float]) -> MissionOutcome:
    pose = facts.final_pose
    if pose is None:
        return MissionOutcome(Verdict.GOAL_NOT_REACHED, "FAILED: no odometry was received")
    dist = ((pose[0] - goal[0]) ** 2 + (pose[1] - goal[1]) ** 2) ** 0.5
    where = f"goal ({goal[0]:.2f}, {goal[1]:.2f})"
    if dist <= facts.goal_tolerance_m:
        return MissionOutcome(Verdict.OK, f"OK: reached {where} ({_figures(facts)})")
    return MissionOutcome(Verdict.GOAL_NOT_REACHED,
                          f"FAILED: {where} not reached: {dist:.2f} m away ({_figures(facts)})")
