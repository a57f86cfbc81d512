"""The plan safety gate: a plan that moves against the words of its instruction does not run.

Every plan passes here after whichever tier wrote it (stop word, vertical model, LLM, power
mode) and before the executive starts it. A plan without a motion step always passes (staying
still, waiting and speaking are never what a "don't" forbids). A moving plan is held when the
instruction (gate.reading):
- could not be read (over MAX_GATE_CHARS, not language);
- forbids moving at all ("don't move", "stand still", "if the door is open …", "not yet",
  "go to the kitchen… actually no, forget it");
- forbids, takes back or warns about a place the plan drives to, or near it;
- takes back, forbids, warns or asks anything at all, and the plan drives somewhere the text
  did not plainly ask for ("Is the kitchen clean?" answered by walking to the kitchen).
A held plan is replaced by `stop` + `say`: the robot holds and says why, or asks ("Should I go
to the kitchen?"). Plain instructions ("go to the kitchen", "no problem, go to the kitchen",
"not the kitchen, the living room") pass unchanged.

There is deliberately no switch to turn the gate off: a safety gate that can be disabled will
be, the day it is inconvenient (docs/plan_gate.md).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from robot_brain.core.planner.gate.findings import DOCK_KEY, Found, Reading, point_key
from robot_brain.core.planner.gate.lexicon import Cue
from robot_brain.core.planner.gate.reading import InstructionReader
from robot_brain.core.planner.skills import DOCK_PLACE, Plan, PlanLimits, Skill, Step
from robot_brain.core.world import World

#: A coordinate goal this close to a place is a trip to that place (forbidden with it).
PLACE_RADIUS_M = 0.75
#: A coordinate goal this close to coordinates named in the text is the one asked for.
POINT_TOLERANCE_M = 0.5


class Decision(str, enum.Enum):
    PASS = "pass"
    HOLD = "hold"


#: Why a plan was held, besides a cue category: the text asked for no such destination, or
#: could not be read.
UNCONFIRMED = "unconfirmed"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class GateVerdict:
    decision: Decision
    plan: Plan                 # what may run: the plan itself, or stop + say
    reason: str                # one line, for planner/plan and planner/status
    cues: tuple[str, ...]      # cue categories found in the instruction
    cause: str = ""            # held: the cue category, unconfirmed or unreadable
    held: Plan | None = None   # held: the plan that does not run

    @property
    def holds(self) -> bool:
        return self.decision is Decision.HOLD

    def to_json(self) -> dict[str, Any]:
        return {"decision": self.decision.value, "reason": self.reason,
                "cues": list(self.cues), "cause": self.cause,
                "held_steps": self.held.to_json() if self.held is not None else []}


def _name(key: str, points: Mapping[str, tuple[float, float]]) -> str:
    if key.startswith("xy:"):
        x, y = points.get(key, (math.nan, math.nan))
        return f"({x:g}, {y:g})"
    return "the " + key.replace("_", " ")


class PlanGate:
    """Built once per world; `check()` is pure and bounded (the text is capped)."""

    def __init__(self, world: World, limits: PlanLimits | None = None,
                 aliases: Mapping[str, Iterable[str]] | None = None,
                 reader: InstructionReader | None = None) -> None:
        self.world = world
        self.limits = limits or PlanLimits()
        merged: dict[str, list[str]] = {n: list(p.aliases) for n, p in world.places.items()}
        for name, extra in (aliases or {}).items():
            merged.setdefault(name, []).extend(extra)
        self.reader = reader or InstructionReader.for_places(world.places, merged)

    def read(self, instruction: str) -> Reading:
        return self.reader.read(instruction)

    def check(self, instruction: str, plan: Plan, reading: Reading | None = None) -> GateVerdict:
        """Whether `plan` may run for `instruction`; `reading` if already read."""
        motion = [s for s in plan.steps if s.is_motion]
        if not motion:
            cues = reading.categories() if reading is not None else ()
            return GateVerdict(Decision.PASS, plan, "plan gate: no motion step", cues)
        reading = reading if reading is not None else self.read(instruction)
        cues = reading.categories()
        if reading.problem:
            return self._hold(plan, cues, UNREADABLE, motion[0], reading,
                              f"instruction {reading.problem}, cannot be checked")
        if not reading.careful:
            return GateVerdict(Decision.PASS, plan, "plan gate: nothing to take back", cues)
        if reading.hold is not None:
            return self._hold(plan, cues, reading.hold.cue.value, motion[0], reading,
                              f"{_quote(reading.hold)} forbids moving", reading.hold)
        for step in motion:
            keys = self.step_keys(step, reading)
            hit = next((k for k in keys if k in reading.forbidden), None)
            if hit is not None:
                why = reading.forbidden[hit]
                return self._hold(plan, cues, why.cue.value, step, reading,
                                  f"{_quote(why)} forbids {_name(hit, reading.points)}", why,
                                  hit)
            if not any(k in reading.affirmed for k in keys):
                return self._hold(plan, cues, UNCONFIRMED, step, reading,
                                  f"{step.describe()} not asked for plainly "
                                  f"({', '.join(cues)} in the text)")
        return GateVerdict(Decision.PASS, plan,
                           f"plan gate: every destination asked for plainly ({', '.join(cues)} "
                           "in the text)", cues)

    def step_keys(self, step: Step, reading: Reading) -> tuple[str, ...]:
        """What a motion step drives to: its place, or the named points and places near its
        coordinates."""
        if step.skill is Skill.DOCK or step.place == DOCK_PLACE:
            return (DOCK_KEY,)
        if step.place is not None:
            return (step.place,)
        keys: list[str] = []
        if step.x is None or step.y is None:
            return ()
        for key, (x, y) in reading.points.items():
            if math.hypot(step.x - x, step.y - y) <= POINT_TOLERANCE_M:
                keys.append(key)
        for name, place in self.world.places.items():
            if math.hypot(step.x - place.x, step.y - place.y) <= PLACE_RADIUS_M:
                keys.append(DOCK_KEY if name == DOCK_PLACE else name)
        return tuple(keys) or (point_key(step.x, step.y),)

    def _hold(self, plan: Plan, cues: tuple[str, ...], cause: str, step: Step,
              reading: Reading, why: str, found: Found | None = None,
              key: str | None = None) -> GateVerdict:
        target = _target_name(step, key, reading)
        say = _say(cause, target, found)[: self.limits.max_say_chars]
        held = Plan((Step(Skill.STOP), Step(Skill.SAY, text=say)))
        return GateVerdict(Decision.HOLD, held, f"plan gate held {plan.describe()}: {why}",
                           cues, cause, plan)


def _quote(found: Found) -> str:
    return f"{found.phrase!r} ({found.cue.value})"


def _target_name(step: Step, key: str | None, reading: Reading) -> str:
    if key is not None:
        return _name(key, reading.points)
    if step.skill is Skill.DOCK or step.place == DOCK_PLACE:
        return "the dock"
    if step.place is not None:
        return _name(step.place, reading.points)
    return f"({step.x:g}, {step.y:g})" if step.x is not None and step.y is not None \
        else "there"


def _say(cause: str, target: str, found: Found | None) -> str:
    """What the robot says when it holds: why, and the question that would let it go."""
    if cause == UNREADABLE:
        return "I couldn't check that instruction, so I'm staying here."
    if cause == UNCONFIRMED or cause == Cue.QUESTION.value:
        return f"Should I go to {target}?"
    if cause == Cue.HAZARD.value:
        return f"You warned me about {target}, so I'm staying here. Should I go anyway?"
    if cause == Cue.CONDITIONAL.value:
        return f"I can't check that condition, so I'm staying here. Should I go to {target}?"
    if cause == Cue.DEFERRAL.value:
        return f"OK, not now. Tell me when I should go to {target}."
    if cause == Cue.CORRECTION.value:
        return "OK, cancelled. I'm staying here."
    if found is not None and found.cue in (Cue.NEGATION, Cue.PROHIBITION, Cue.STAY) \
            and target and cause != Cue.STAY.value:
        return f"OK, I won't go to {target}. I'm staying here."
    return "OK, I'm staying here."
