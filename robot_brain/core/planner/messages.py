"""The JSON payloads of planner/plan and planner/status, and their shipped schemas."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import jsonschema

from robot_brain.core.llm.types import LlmReply
from robot_brain.core.planner.executive import ExecEvent, Goal
from robot_brain.core.planner.gate.gate import GateVerdict
from robot_brain.core.planner.skills import Plan
from robot_brain.core.resources import package_file

PLAN_SCHEMA_FILE = "plan.schema.json"
STATUS_SCHEMA_FILE = "status.schema.json"
RAW_CLIP = 500
INSTRUCTION_CLIP = 300


@lru_cache(maxsize=4)
def _validator(name: str) -> jsonschema.Draft202012Validator:
    with open(package_file("schemas", name), encoding="utf-8") as f:
        return jsonschema.Draft202012Validator(json.load(f))


def schema_errors(name: str, payload: Any) -> list[str]:
    """Messages of every way `payload` breaks the shipped schema `name` ([] = valid)."""
    return [e.message for e in _validator(name).iter_errors(payload)]


def _opt(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(max(value, 0.0), 4)


#: The plan record's source and backend when the vertical tier answered.
VERTICAL_SOURCE = "vertical"
VERTICAL_MODEL = "planner_intent.onnx"


@dataclass(frozen=True)
class PlanRecord:
    request_id: int
    instruction: str
    source: str  # stop_word | vertical | llm | power
    backend: str
    model: str
    locality: str  # local | remote | none
    latency_s: float | None
    tokens: int
    generation_time_s: float | None
    accepted: bool
    reason: str
    plan: Plan | None
    raw: str
    route_reason: str
    #: The plan gate's decision on an accepted plan (None: rejected before it). When it held
    #: the plan, `plan` is what runs instead (stop + say) and the gate keeps the held steps.
    gate: GateVerdict | None = None

    @classmethod
    def make(cls, request_id: int, instruction: str, accepted: bool, reason: str,
             route_reason: str, plan: Plan | None = None, source: str = "llm",
             reply: LlmReply | None = None, backend: str = "none",
             locality: str = "none", latency_s: float | None = None,
             gate: GateVerdict | None = None) -> PlanRecord:
        """The one way a record is built: with the LLM's `reply` (from `backend`, at
        `locality`), or without one (stop word, power mode, nothing to ask, or the vertical
        tier, which runs on board in `latency_s`)."""
        if reply is None:
            if source == VERTICAL_SOURCE:
                return cls(request_id, instruction, source, VERTICAL_SOURCE, VERTICAL_MODEL,
                           "local", latency_s, 0, latency_s, accepted, reason, plan, "",
                           route_reason, gate)
            return cls(request_id, instruction, source, "none", "", "none", None, 0, None,
                       accepted, reason, plan, "", route_reason, gate)
        return cls(request_id, instruction, source, reply.backend or backend, reply.model,
                   locality, reply.latency_s, reply.tokens, reply.generation_time_s, accepted,
                   reason, plan, reply.text or "", route_reason, gate)

    def to_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "instruction": self.instruction[:INSTRUCTION_CLIP],
            "source": self.source,
            "backend": self.backend,
            "model": self.model,
            "locality": self.locality,
            "latency_s": _opt(self.latency_s),
            "tokens": max(int(self.tokens), 0),
            "generation_time_s": _opt(self.generation_time_s),
            "accepted": self.accepted,
            "reason": self.reason,
            "steps": self.plan.to_json() if (self.accepted and self.plan) else [],
            "raw": self.raw[:RAW_CLIP],
            "route_reason": self.route_reason,
            "gate": self.gate.to_json() if self.gate is not None else None,
        }


@dataclass(frozen=True)
class StatusRecord:
    state: str
    backend: str
    locality: str
    #: The LLM accelerator is powered (a local worker is up or loading, or power gating is
    #: off); the sim and the power monitor charge its idle draw only while this is true.
    accelerator_on: bool
    model: str
    request_id: int
    mode: str
    route_reason: str
    last_latency_s: float | None
    tokens: int
    generation_time_s: float | None
    worker_restarts: int
    message: str
    instruction: str
    pending: bool
    step_index: int | None
    step_count: int
    step: str
    outcome: str
    plans_accepted: int
    plans_rejected: int
    replies_superseded: int
    tier: str = ""  # stop_word | vertical | llm | power: who answered the latest instruction
    #: The plan gate on the latest plan: '' (none yet, or rejected before it) | pass | hold,
    #: why, and how many plans it has held since start.
    gate: str = ""
    gate_reason: str = ""
    plans_held: int = 0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["last_latency_s"] = _opt(self.last_latency_s)
        out["generation_time_s"] = _opt(self.generation_time_s)
        out["instruction"] = self.instruction[:INSTRUCTION_CLIP]
        return out


@dataclass(frozen=True)
class TickOutput:
    """What one planner tick emits: the advice to the fast path and the records to publish."""

    goal: Goal | None
    hold: bool
    say: tuple[str, ...]
    plans: tuple[PlanRecord, ...]
    status: StatusRecord
    status_changed: bool
    log: tuple[str, ...]
    #: The executive's events of this tick, after the plan records (a step's start and end).
    events: tuple[ExecEvent, ...] = ()
