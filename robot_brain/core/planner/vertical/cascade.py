"""The cascade decision: answer with the vertical tier's plan, or hand the text to the LLM.

ROS-free and stateless, so the planner session can call it between the stop-word check (which
stays first) and the LLM request. The rules, in order:
- a refusal the vertical tier is sure of (bad input, hostile text, a place this world lacks,
  a wait over the limit) is answered at once: the LLM must not see a 100 kB paste either;
- out of domain, or understood only in part (a slot or the order missing) -> the LLM;
- "don't move" read as a stop-only plan is answered at once whatever the confidence: stopping
  is always safe, and a model asked instead could move the robot when told not to;
- a plan at or above the threshold -> the vertical plan; below -> the LLM.
Whichever tier answers, the caller validates the plan the same way (the vertical tier already
did, so it cannot fail there, but the contract is one validation path for every plan).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from robot_brain.core.planner.vertical.planner import Outcome, VerticalResult

#: Chosen on the evaluation set's reliability table (docs/planner_vertical.md): above it the
#: vertical tier's answers were right in >= 97 % of cases; moving it trades LLM calls against
#: accuracy.
DEFAULT_THRESHOLD = 0.5


class Tier(str, enum.Enum):
    VERTICAL = "vertical"
    LLM = "llm"


class HandOff(str, enum.Enum):
    """Why the LLM is asked: what planner/status and the plan record should say."""

    LOW_CONFIDENCE = "low_confidence"
    OUT_OF_DOMAIN = "out_of_domain"
    CANNOT_EXPRESS = "cannot_express"


@dataclass(frozen=True)
class CascadeDecision:
    tier: Tier
    plan: dict[str, Any] | None     # the vertical plan when tier is VERTICAL, else None
    confidence: float
    reason: str
    hand_off: HandOff | None = None


def decide(result: VerticalResult, threshold: float = DEFAULT_THRESHOLD) -> CascadeDecision:
    """Which tier answers `result`'s instruction, and with what plan."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold}")
    if result.outcome is Outcome.OUT_OF_DOMAIN:
        return CascadeDecision(Tier.LLM, None, result.confidence, result.reason,
                               HandOff.OUT_OF_DOMAIN)
    if result.outcome is Outcome.CANNOT_EXPRESS or result.plan is None:
        return CascadeDecision(Tier.LLM, None, result.confidence, result.reason,
                               HandOff.CANNOT_EXPRESS)
    if result.told_not_to_move:
        return CascadeDecision(Tier.VERTICAL, result.plan, result.confidence,
                               f"told not to move: {result.reason}")
    if result.confidence < threshold:
        return CascadeDecision(Tier.LLM, None, result.confidence,
                               f"confidence {result.confidence:.2f} < {threshold:.2f}: "
                               f"{result.reason}", HandOff.LOW_CONFIDENCE)
    return CascadeDecision(Tier.VERTICAL, result.plan, result.confidence, result.reason)
