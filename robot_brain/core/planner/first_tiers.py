"""The tiers of the planning cascade that answer without an LLM: stop words, then the vertical
model. One call per instruction; the result says either which plan to start (and who made it)
or why the LLM must answer. The plan has passed the same validator as an LLM reply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from robot_brain.core.planner.skills import Plan, Skill, Step
from robot_brain.core.planner.stop_words import is_stop_word
from robot_brain.core.planner.validation import PlanValidator
from robot_brain.core.planner.vertical.cascade import Tier, decide
from robot_brain.core.planner.vertical.planner import VerticalPlanner

STOP_WORD = "stop_word"
VERTICAL = "vertical"


@dataclass(frozen=True)
class FirstAnswer:
    """`plan` set: start it (made by `tier`, for `reason`). Else `hand_off` says why the LLM
    must answer ('' when the vertical tier is off)."""

    plan: Plan | None
    tier: str = ""
    reason: str = ""
    latency_s: float | None = None
    hand_off: str = ""


class FirstTiers:
    def __init__(self, validator: PlanValidator, vertical: VerticalPlanner | None,
                 threshold: float, stop_words: bool = True) -> None:
        self.validator = validator
        self.vertical = vertical
        self.threshold = threshold
        self.stop_words = stop_words

    def answer(self, instruction: str) -> FirstAnswer:
        if self.stop_words and is_stop_word(instruction):
            return FirstAnswer(Plan((Step(Skill.STOP),)), STOP_WORD,
                               "stop word: executed at once without the LLM")
        if self.vertical is None:
            return FirstAnswer(None)
        result = self.vertical.plan(instruction)
        decision = decide(result, self.threshold)
        if decision.tier is Tier.LLM or decision.plan is None:
            why = decision.hand_off.value if decision.hand_off else "no plan"
            return FirstAnswer(None, hand_off=f"vertical tier handed off ({why}, confidence "
                                              f"{decision.confidence:.2f})")
        verdict = self.validator.validate_text(json.dumps(decision.plan))
        if not verdict.accepted or verdict.plan is None:
            return FirstAnswer(None, hand_off=f"vertical plan not valid ({verdict.reason})")
        return FirstAnswer(verdict.plan, VERTICAL,
                           f"vertical tier (confidence {decision.confidence:.2f}): "
                           f"{decision.reason}", result.latency_s)
