"""The vertical planner: instruction text + the world's places -> a plan, a confidence, a reason.

Pipeline (bounded: the text is capped before anything else runs):
1. clean: cap, fold, refuse empty / over-long / junk input; hostile rules (safety.py) refuse.
2. slots by rule: coordinates, durations, place spans become placeholders <c0>, <d0>, <p0>.
3. split into clauses at sentence marks and connectives ("then", "puis", "dann", "luego", "然后").
4. the ONNX classifier gives each clause an intent with a calibrated probability.
5. rules assemble steps: negated motion becomes `stop` (never a move), a duration turns "stay"
   into `wait`, "go there" takes the last place named, a known concept missing from this world
   becomes a refusal; the plan is validated like any LLM reply before it is returned.
Confidence is the least sure clause's probability, lowered when the clause's words were never
seen in training, and capped at CONTRADICTED_CONFIDENCE when the plan moves against a
negation, a self-correction, a prohibition, a hazard, a condition or a question of the same
text as the plan gate reads it (issue 28: "Kitchen? No, stay here." read as "go to the
kitchen" at 0.99). The cascade (cascade.py) decides what to do with it.
"""

from __future__ import annotations

import enum
import re
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from robot_brain.core.planner.gate.gate import PlanGate
from robot_brain.core.planner.gate.reading import InstructionReader
from robot_brain.core.planner.skills import DOCK_PLACE, PlanLimits
from robot_brain.core.planner.validation import PlanValidator
from robot_brain.core.planner.vertical.hostile_rules import hostile_reason
from robot_brain.core.planner.vertical.intent_model import Intent, IntentModel
from robot_brain.core.planner.vertical.places import (
    PlaceMatcher,
    describes_place,
    destination_words,
    has_anaphora,
)
from robot_brain.core.planner.vertical.slots import SLOT, Slots, clauses_of
from robot_brain.core.planner.vertical.text import (
    InputProblem,
    clean,
    has_reorder,
    is_negated,
    original_span,
    tokens,
)
from robot_brain.core.world import World

_MOTION = (Intent.NAVIGATE, Intent.DOCK)
#: Verbs that introduce what to say; the rest of the clause is the text.
_SAY_LEAD = re.compile(
    r"^(?:please\s+|bitte\s+|por favor\s+|请)?(?:(?:tell (?:everyone|everybody|them|us|me|him|"
    r"her|the \w+)|let (?:everyone|everybody|them|us) know|announce|shout|say|dites|dis|"
    r"annonce|previens tout le monde|sagen sie|sage|sag allen|sag|kundige an|teile allen mit|"
    r"dile a todos|diles|dile|diga|di|anuncia|avisa a todos)(?![\w'])|说|告诉大家|宣布)"
    r"(?:\s+(?:that|que|dass|a todos|a tout le monde))?[\s:,]*")
#: The weight of unseen words: confidence *= known_fraction ** this.
UNSEEN_WORD_POWER = 2.0
#: An UNSAFE clause refuses by itself only this sure (probability x familiarity).
UNSAFE_SURE = 0.5
#: A plan the plan gate would hold (it moves against the words) is this sure at most: below
#: the cascade's threshold, so the LLM is asked, and the gate judges its plan too. The value
#: is a prior, not fitted: such readings were wrong on every held-out text measured
#: (bench/plan_gate_calibration.py).
CONTRADICTED_CONFIDENCE = 0.05


class Outcome(str, enum.Enum):
    PLAN = "plan"                      # a plan for the robot
    REFUSAL = "refusal"                # a `say` plan that declines (hostile, absent, too long)
    OUT_OF_DOMAIN = "out_of_domain"    # no plan: not something the vertical tier knows
    CANNOT_EXPRESS = "cannot_express"  # understood in part, but a slot or an order is missing


@dataclass(frozen=True)
class ClauseReading:
    text: str
    intent: Intent
    probability: float
    negated: bool


@dataclass(frozen=True)
class VerticalResult:
    """What the vertical tier made of one instruction.

    plan: {"steps": [...]} valid against the world's skills schema (PLAN and REFUSAL), else None.
    confidence: calibrated in [0, 1]; reason: one line for planner/status and the plan record.
    """

    outcome: Outcome
    plan: dict[str, Any] | None
    confidence: float
    reason: str
    clauses: tuple[ClauseReading, ...] = ()
    latency_s: float = 0.0

    @property
    def told_not_to_move(self) -> bool:
        """A stop-only plan made because the text negates motion ("don't move", "别动")."""
        return (self.outcome is Outcome.PLAN and self.plan is not None
                and all(s["skill"] == "stop" for s in self.plan["steps"])
                and any(c.negated for c in self.clauses))

    @property
    def moves(self) -> bool:
        return self.plan is not None and any(s["skill"] in ("navigate_to", "dock")
                                             for s in self.plan["steps"])


class _NoPlan(Exception):
    """Internal: stop assembling; carries the outcome and the reason."""

    def __init__(self, outcome: Outcome, reason: str, refusal: str | None = None) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.refusal = refusal


class VerticalPlanner:
    """Built once per world (the model is loaded once); `plan()` is pure and thread-safe."""

    def __init__(self, world: World, limits: PlanLimits | None = None,
                 model: IntentModel | None = None,
                 aliases: Mapping[str, Iterable[str]] | None = None,
                 check_contradiction: bool = True) -> None:
        """`check_contradiction` False: confidence without the plan gate's reading (only to
        measure what it changes)."""
        self._check_contradiction = check_contradiction
        self.limits = limits or PlanLimits()
        self.model = model or IntentModel()
        self._extra_aliases = {n: list(a) for n, a in (aliases or {}).items()}
        self._known_words = self.model.metadata.known_words
        self.set_world(world)

    def set_world(self, world: World) -> None:
        """Plan for `world` from now on (places saved or removed at run time): a few ms."""
        # Aliases from the world file first; the caller's add to them (tests, other worlds).
        merged: dict[str, list[str]] = {n: list(p.aliases) for n, p in world.places.items()}
        for name, extra in self._extra_aliases.items():
            merged.setdefault(name, []).extend(extra)
        # Words the model learned are words, never misspelt places (see places.py).
        self.matcher = PlaceMatcher(world.places, merged, self._known_words)
        self.validator = PlanValidator(world, self.limits)
        self.gate = PlanGate(world, self.limits, reader=InstructionReader(self.matcher)) \
            if self._check_contradiction else None
        self.world = world

    def plan(self, text: str) -> VerticalResult:
        t0 = time.perf_counter()
        result = self._plan(text)
        return VerticalResult(result.outcome, result.plan, result.confidence, result.reason,
                              result.clauses, time.perf_counter() - t0)

    # -- steps ----------------------------------------------------------------------------

    def _plan(self, text: str) -> VerticalResult:
        cleaned = clean(text)
        if cleaned.problem is not None:
            return self._refuse(_INPUT_REFUSALS[cleaned.problem], f"input {cleaned.problem.value}",
                                1.0)
        hostile = hostile_reason(cleaned.text)
        if hostile is not None:
            return self._refuse("I can't do that safely.", f"hostile text ({hostile!r})", 1.0)
        slots, clauses = clauses_of(cleaned.text, self.matcher)
        if not clauses:
            return self._refuse(_INPUT_REFUSALS[InputProblem.EMPTY], "no words", 1.0)
        probs = self.model.predict(clauses)
        readings = tuple(
            ClauseReading(c, self.model.classes[int(row.argmax())], float(row.max()),
                          is_negated(c))
            for c, row in zip(clauses, probs, strict=True))
        confidence = min(r.probability * self._familiarity(r) for r in readings)
        unsafe = [r for r in readings if r.intent is Intent.UNSAFE]
        sure = [r for r in unsafe if r.probability * self._familiarity(r) >= UNSAFE_SURE]
        if sure:
            return self._refuse("I can't do that safely.", f"unsafe: {sure[0].text!r}",
                                max(r.probability for r in sure), readings)
        if unsafe:  # a guess from unfamiliar words: the LLM reads it, its plan is validated
            return VerticalResult(Outcome.OUT_OF_DOMAIN, None, 0.0,
                                  f"possibly unsafe: {unsafe[0].text!r}", readings)
        if has_reorder(slots.text):
            return VerticalResult(Outcome.CANNOT_EXPRESS, None, 0.0,
                                  "steps out of spoken order ('before')", readings)
        try:
            steps = self._assemble(readings, slots, text)
        except _NoPlan as stop:
            if stop.refusal is not None:
                return self._refuse(stop.refusal, stop.reason, confidence, readings)
            return VerticalResult(stop.outcome, None, confidence, stop.reason, readings)
        plan = {"steps": steps}
        verdict = self.validator.validate_data(plan)
        if not verdict.accepted or verdict.plan is None:
            return self._refuse(f"I can't do that: {verdict.reason}"[: self.limits.max_say_chars],
                                f"invalid: {verdict.reason}", confidence, readings)
        reason = f"{len(readings)} clause(s): " + ", ".join(r.intent.value for r in readings)
        if self.gate is not None:
            gate = self.gate.check(text, verdict.plan)
            if gate.holds:
                # The words take back, forbid or warn about what this plan does: not sure.
                confidence = min(confidence, CONTRADICTED_CONFIDENCE)
                reason += f"; contradicted ({gate.cause}): {gate.reason}"
        return VerticalResult(Outcome.PLAN, plan, confidence, reason, readings)

    def _refuse(self, say: str, reason: str, confidence: float,
                readings: tuple[ClauseReading, ...] = ()) -> VerticalResult:
        plan = {"steps": [{"skill": "say", "text": say[: self.limits.max_say_chars]}]}
        return VerticalResult(Outcome.REFUSAL, plan, confidence, reason, readings)

    def _familiarity(self, reading: ClauseReading) -> float:
        """Fraction of the clause's words seen in training, to a power: the model's votes on
        words it never saw are guesses, and the probability alone does not know that.

        What a `say` clause says is free text, so only its lead ("tell everyone that") counts.
        """
        clause = reading.text
        if reading.intent is Intent.SAY:
            lead = _SAY_LEAD.match(clause)
            if lead is not None and lead.group(0).strip():
                clause = lead.group(0)
        words = [w for w in tokens(clause) if w.isalpha() and not SLOT.fullmatch(w)]
        if not words or not self._known_words:
            return 1.0
        known = sum(w in self._known_words for w in words) / len(words)
        return float(known ** UNSEEN_WORD_POWER)

    def _assemble(self, readings: tuple[ClauseReading, ...], slots: Slots,
                  original: str) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = []
        negated_motion = False
        last_place: str | None = None
        pending_wait = False   # a "hold on" without a number, waiting for "about 5 s"
        out_of_domain: list[str] = []
        for r in readings:
            found = SLOT.findall(r.text)
            places = [slots.places[int(i)] for k, i in found if k == "p"]
            coords = [slots.coords[int(i)] for k, i in found if k == "c"]
            secs = [slots.durations[int(i)] for k, i in found if k == "d"]
            intent = r.intent
            known = [p for p, ok in places if ok]
            if intent is Intent.DOCK and known and known[-1] != DOCK_PLACE:
                intent = Intent.NAVIGATE  # "return to the table" is not a dock request
            if intent is Intent.DOCK and not places and describes_place(r.text):
                # "go back to where you started": a destination described, not the dock.
                intent = Intent.NAVIGATE
            if intent in (Intent.STOP, Intent.FILLER, Intent.NAVIGATE) and secs and \
                    not places and not coords and not r.negated:
                intent = Intent.WAIT      # "stay here for 10 s", "about 5 s"
            if r.negated:
                if intent in _MOTION or intent in (Intent.STOP, Intent.FILLER):
                    negated_motion = True
                if known:
                    last_place = known[-1]
                continue                  # "don't wait", "don't say": nothing to do
            if intent is Intent.FILLER:
                if known:
                    last_place = known[-1]
                continue
            if intent is Intent.OUT_OF_DOMAIN:
                out_of_domain.append(r.text)
                continue
            if intent is Intent.STOP:
                steps.append({"skill": "stop"})
            elif intent is Intent.SAY:
                steps.append({"skill": "say", "text": self._say_text(r.text, slots, original)})
            elif intent is Intent.WAIT:
                if not secs:
                    pending_wait = True
                    continue
                if secs[0] > self.limits.max_wait_s:
                    raise _NoPlan(Outcome.REFUSAL, f"wait of {secs[0]:g} s over the limit",
                                  f"I can wait at most {self.limits.max_wait_s:g} seconds.")
                if known and not coords:  # "wait by the door for 5 s", "去桌子旁边等五秒"
                    steps.append(self._navigate(r, places, coords, last_place, original))
                steps.append({"skill": "wait", "seconds": secs[0]})
                pending_wait = False
            elif intent is Intent.DOCK:
                steps.append({"skill": "dock"})
            else:  # NAVIGATE
                steps.append(self._navigate(r, places, coords, last_place, original))
            if known:
                last_place = known[-1]
        moving = any(s["skill"] in ("navigate_to", "dock") for s in steps)
        if out_of_domain and negated_motion and not moving:
            # "Don't move, the floor is wet": the remark is beyond this tier, the order is not.
            # Stopping is always safe; a model asked instead could move the robot.
            return [{"skill": "stop"}] + [s for s in steps if s["skill"] != "stop"]
        if out_of_domain:
            raise _NoPlan(Outcome.OUT_OF_DOMAIN, f"out of domain: {out_of_domain[0]!r}")
        if pending_wait and not negated_motion:  # "wait, don't go": an interjection
            raise _NoPlan(Outcome.CANNOT_EXPRESS, "a wait without a duration")
        if negated_motion:
            # Told not to move: whatever else was asked, no motion step survives unless the
            # text also asks plainly for one ("not the kitchen, the window instead").
            if not any(s["skill"] in ("navigate_to", "dock") for s in steps):
                steps = [{"skill": "stop"}] + [s for s in steps if s["skill"] != "stop"]
        # "go charge, time to dock" is one dock; two waits in a row are two waits.
        steps = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]
                 or s["skill"] == "wait"]
        if not steps:
            raise _NoPlan(Outcome.OUT_OF_DOMAIN, "no step in the text")
        if len(steps) > self.limits.max_steps:
            raise _NoPlan(Outcome.CANNOT_EXPRESS,
                          f"{len(steps)} steps; at most {self.limits.max_steps}")
        return steps

    def _navigate(self, r: ClauseReading, places: list[tuple[str, bool]],
                  coords: list[tuple[float, float]], last_place: str | None,
                  original: str) -> dict[str, Any]:
        if coords:
            return {"skill": "navigate_to", "x": coords[-1][0], "y": coords[-1][1]}
        known = [p for p, ok in places if ok]
        if known:
            place = known[-1]
        elif places:
            missing = places[-1][0].replace("_", " ")
            raise _NoPlan(Outcome.REFUSAL, f"no {missing} in this world",
                          f"There is no {missing} here.")
        elif last_place is not None and has_anaphora(r.text):
            place = last_place
        elif describes_place(r.text):
            raise _NoPlan(Outcome.CANNOT_EXPRESS, f"place described, not named: {r.text!r}")
        else:
            # "Drive me to Paris": a destination named, and not one of this world's places.
            # Say which, in the user's own spelling, rather than guess.
            named = destination_words(r.text)
            if named is not None:
                said = original_span(original, named) or named
                raise _NoPlan(Outcome.REFUSAL, f"no place {named!r} in this world",
                              f"There is no {said} here.")
            raise _NoPlan(Outcome.REFUSAL, f"no known place in {r.text!r}",
                          "I don't know that place.")
        if place == DOCK_PLACE:
            return {"skill": "dock"}
        return {"skill": "navigate_to", "place": place}

    def _say_text(self, clause: str, slots: Slots, original: str) -> str:
        text = _SAY_LEAD.sub("", clause).strip().strip("\"'«»“”„")
        text = SLOT.sub(lambda m: _slot_words(m.group(1), int(m.group(2)), slots), text)
        text = (text or clause).strip()
        text = original_span(original, text) or text
        return text[: self.limits.max_say_chars] or "ok"


def _slot_words(kind: str, index: int, slots: Slots) -> str:
    if kind == "q":
        return slots.quotes[index]
    if kind == "p":
        return slots.places[index][0].replace("_", " ")
    if kind == "d":
        return f"{slots.durations[index]:g} seconds"
    x, y = slots.coords[index]
    return f"({x:g}, {y:g})"


_INPUT_REFUSALS = {
    InputProblem.EMPTY: "I did not get an instruction.",
    InputProblem.TOO_LONG: "That is too long for one instruction.",
    InputProblem.JUNK: "I could not read that instruction.",
}
