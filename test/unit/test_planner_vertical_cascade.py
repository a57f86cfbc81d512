"""The cascade decision: which tier answers, and why the LLM is asked."""

from __future__ import annotations

import pytest

from robot_brain.core.planner.vertical.cascade import DEFAULT_THRESHOLD, HandOff, Tier, decide
from robot_brain.core.planner.vertical.intent_model import Intent
from robot_brain.core.planner.vertical.planner import ClauseReading, Outcome, VerticalResult

GO = {"steps": [{"skill": "navigate_to", "place": "kitchen"}]}
STOP = {"steps": [{"skill": "stop"}]}


def test_confident_plan_is_answered_by_the_vertical_tier() -> None:
    d = decide(VerticalResult(Outcome.PLAN, GO, 0.9, "ok"))
    assert d.tier is Tier.VERTICAL and d.plan == GO and d.hand_off is None


def test_low_confidence_goes_to_the_llm() -> None:
    d = decide(VerticalResult(Outcome.PLAN, GO, DEFAULT_THRESHOLD - 0.01, "ok"))
    assert d.tier is Tier.LLM and d.plan is None and d.hand_off is HandOff.LOW_CONFIDENCE
    assert decide(VerticalResult(Outcome.PLAN, GO, 0.3, "ok"), threshold=0.2).tier is \
        Tier.VERTICAL


@pytest.mark.parametrize("outcome, why", [(Outcome.OUT_OF_DOMAIN, HandOff.OUT_OF_DOMAIN),
                                          (Outcome.CANNOT_EXPRESS, HandOff.CANNOT_EXPRESS)])
def test_what_it_cannot_answer_goes_to_the_llm(outcome: Outcome, why: HandOff) -> None:
    d = decide(VerticalResult(outcome, None, 0.99, "x"))
    assert d.tier is Tier.LLM and d.hand_off is why


def test_refusal_is_answered_at_once() -> None:
    say = {"steps": [{"skill": "say", "text": "no"}]}
    assert decide(VerticalResult(Outcome.REFUSAL, say, 1.0, "hostile")).tier is Tier.VERTICAL


def test_told_not_to_move_stops_even_when_unsure() -> None:
    neg = (ClauseReading("don't move", Intent.STOP, 0.2, True),)
    d = decide(VerticalResult(Outcome.PLAN, STOP, 0.2, "stop", neg))
    assert d.tier is Tier.VERTICAL and d.plan == STOP
    plain = (ClauseReading("stop", Intent.STOP, 0.2, False),)
    assert decide(VerticalResult(Outcome.PLAN, STOP, 0.2, "stop", plain)).tier is Tier.LLM


def test_threshold_is_checked() -> None:
    with pytest.raises(ValueError):
        decide(VerticalResult(Outcome.PLAN, GO, 0.9, "ok"), threshold=1.5)
