"""robot_brain.ros.planner_interfaces: plan and status records <-> robot_brain_interfaces.

Records are built the way the planner builds them (PlanRecord.make, StatusRecord); the message
read back must give the JSON the planner publishes today, valid against the shipped schema.
"""

from __future__ import annotations

import math

import pytest
from robot_brain_interfaces.msg import Plan, PlanGate, PlannerStatus, PlanStep

from robot_brain.core.llm.types import LlmReply
from robot_brain.core.planner.gate.gate import Decision, GateVerdict
from robot_brain.core.planner.messages import (
    PLAN_SCHEMA_FILE,
    STATUS_SCHEMA_FILE,
    PlanRecord,
    StatusRecord,
    schema_errors,
)
from robot_brain.core.planner.skills import Plan as CorePlan
from robot_brain.core.planner.skills import Skill, Step
from robot_brain.ros.planner_interfaces import (
    MessageFieldError,
    plan_json,
    plan_msg,
    plan_msg_from_json,
    status_json,
    status_msg,
    status_msg_from_json,
    step_json,
    step_msg,
)

EVERY_SKILL = CorePlan((
    Step(Skill.NAVIGATE_TO, place="kitchen", x=4.21234, y=1.5, yaw=0.5),
    Step(Skill.NAVIGATE_TO, x=-1.25, y=2.0),  # a coordinate goal: no place, no heading
    Step(Skill.WAIT, seconds=2.5),
    Step(Skill.SAY, text="Ich bin da."),
    Step(Skill.STOP),
    Step(Skill.DOCK, place="dock", x=0.0, y=0.0, yaw=math.pi),
))

HELD = GateVerdict(
    Decision.HOLD, CorePlan((Step(Skill.STOP), Step(Skill.SAY, text="OK, I won't go."))),
    "plan gate held navigate_to kitchen: 'keep away' (prohibition) forbids the kitchen",
    ("hazard", "prohibition"), "prohibition", CorePlan((EVERY_SKILL.steps[0],)))
PASSED = GateVerdict(Decision.PASS, CorePlan((EVERY_SKILL.steps[0],)),
                     "plan gate: nothing to take back", ())

RECORDS = {
    "llm": PlanRecord.make(
        12, "go to the kitchen, wait, then say hello" + " really" * 80, True, "ok",
        "llm: the vertical tier was unsure", plan=EVERY_SKILL, source="llm",
        reply=LlmReply(12, '{"steps": [{"skill": "navigate_to", "place": "kitchen"}]}' * 20,
                       "llama_cpp", "gemma-3-270m", "local", 41, 1.75, 2.1),
        locality="local"),
    "rejected": PlanRecord.make(13, "fly to the moon", False, "unknown place 'moon'",
                                "llm", source="llm", reply=LlmReply(
                                    13, "{}", "openai", "gpt", "remote", 3, 0.2, 0.4),
                                locality="remote"),
    "vertical": PlanRecord.make(14, "Geh zur Küche.", True, "ok", "vertical: confident",
                                plan=CorePlan((EVERY_SKILL.steps[0],)), source="vertical",
                                latency_s=0.003),
    "stop_word": PlanRecord.make(15, "stop", True, "ok", "stop word",
                                 plan=CorePlan((Step(Skill.STOP),)), source="stop_word"),
    "power": PlanRecord.make(0, "", True, "battery critical", "power: critical",
                             plan=CorePlan((EVERY_SKILL.steps[-1],)), source="power"),
    "held": PlanRecord.make(
        16, "Someone is mopping the kitchen, keep away from it.", True, "ok; plan gate held",
        "llm", plan=HELD.plan, source="llm", reply=LlmReply(
            16, '{"steps": [{"skill": "navigate_to", "place": "kitchen"}]}', "llama_cpp",
            "gemma-3-270m", "local", 12, 1.0, 1.2), locality="local", gate=HELD),
    "passed": PlanRecord.make(17, "go to the kitchen", True, "ok", "vertical",
                              plan=CorePlan((EVERY_SKILL.steps[0],)), source="vertical",
                              latency_s=0.001, gate=PASSED),
}


def status(**changes: object) -> StatusRecord:
    fields: dict[str, object] = dict(
        state="thinking", backend="llama_cpp", locality="local", accelerator_on=True,
        model="gemma-3-270m", request_id=12, mode="normal", route_reason="llm: unsure",
        last_latency_s=2.1, tokens=41, generation_time_s=1.75, worker_restarts=0,
        message="asking llama_cpp", instruction="go to the kitchen", pending=False,
        step_index=None, step_count=0, step="", outcome="", plans_accepted=2,
        plans_rejected=1, replies_superseded=3, tier="llm")
    fields.update(changes)
    return StatusRecord(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_plan_record_round_trips_to_the_published_json(name: str) -> None:
    record = RECORDS[name]
    msg = plan_msg(record)
    assert isinstance(msg, Plan)
    payload = plan_json(msg)
    assert payload == record.to_json()
    assert schema_errors(PLAN_SCHEMA_FILE, payload) == []


def test_plan_message_fields_hold_what_the_json_holds() -> None:
    msg = plan_msg(RECORDS["llm"])
    assert (msg.source, msg.backend, msg.locality, msg.tokens) == ("llm", "llama_cpp", "local", 41)
    assert msg.source == Plan.SOURCE_LLM and msg.locality == Plan.LOCALITY_LOCAL
    assert len(msg.instruction) == 300 and len(msg.raw) == 500  # the JSON's clipping
    skills = [s.skill for s in msg.steps]
    assert skills == ["navigate_to", "navigate_to", "wait", "say", "stop", "dock"]
    kitchen, coordinate, wait, say, stop, dock = msg.steps
    assert (kitchen.place, kitchen.x, kitchen.yaw) == ("kitchen", 4.212, 0.5)  # JSON rounding
    assert coordinate.place == "" and math.isnan(coordinate.yaw) and coordinate.x == -1.25
    assert wait.seconds == 2.5 and math.isnan(wait.x)
    assert say.text == "Ich bin da." and stop.skill == PlanStep.SKILL_STOP
    assert dock.skill == PlanStep.SKILL_DOCK and dock.yaw == pytest.approx(math.pi, abs=1e-4)


def test_the_gate_decision_is_a_plan_gate_message() -> None:
    held = plan_msg(RECORDS["held"])
    assert held.gate.decision == PlanGate.DECISION_HOLD and held.gate.cause == "prohibition"
    assert list(held.gate.cues) == ["hazard", "prohibition"]
    assert [s.place for s in held.gate.held_steps] == ["kitchen"]
    assert [s.skill for s in held.steps] == ["stop", "say"]
    assert plan_msg(RECORDS["passed"]).gate.decision == PlanGate.DECISION_PASS
    none = plan_msg(RECORDS["rejected"])
    assert none.gate.decision == "" and plan_json(none)["gate"] is None
    assert status_msg(status(gate="hold")).gate == PlannerStatus.GATE_HOLD


def test_no_model_call_is_nan_and_a_rejection_has_no_steps() -> None:
    stop = plan_msg(RECORDS["stop_word"])
    assert math.isnan(stop.latency_s) and math.isnan(stop.generation_time_s)
    assert plan_json(stop)["latency_s"] is None
    rejected = plan_msg(RECORDS["rejected"])
    assert not rejected.accepted and list(rejected.steps) == []
    assert rejected.reason == "unknown place 'moon'"


@pytest.mark.parametrize("record", [
    status(),
    status(state="executing", locality="none", step_index=0, step_count=2,
           step="navigate_to kitchen", outcome="running", last_latency_s=None,
           generation_time_s=None, tokens=0),
    status(state="idle", mode="critical", tier="", accelerator_on=False, step_index=4,
           step_count=5, instruction="x" * 400),
    status(state="executing", gate="hold", plans_held=2,
           gate_reason="plan gate held navigate_to kitchen: 'wet' (hazard) forbids it"),
])
def test_status_record_round_trips_to_the_published_json(record: StatusRecord) -> None:
    msg = status_msg(record)
    assert isinstance(msg, PlannerStatus)
    payload = status_json(msg)
    assert payload == record.to_json()
    assert schema_errors(STATUS_SCHEMA_FILE, payload) == []
    expected_index = -1 if record.step_index is None else record.step_index
    assert msg.step_index == expected_index


def test_a_payload_that_does_not_match_the_message_is_refused_naming_the_keys() -> None:
    payload = RECORDS["vertical"].to_json()
    payload["confidence"] = 0.9
    del payload["raw"]
    with pytest.raises(MessageFieldError, match=r"\['confidence'\].*\['raw'\]"):
        plan_msg_from_json(payload)
    with pytest.raises(MessageFieldError, match="tier"):
        status_msg_from_json({k: v for k, v in status().to_json().items() if k != "tier"})
    with pytest.raises(MessageFieldError, match="skill"):
        step_msg({"place": "kitchen"})
    with pytest.raises(MessageFieldError, match="speed"):
        step_msg({"skill": "navigate_to", "speed": 3.0})


def test_a_step_keeps_only_the_keys_it_has() -> None:
    assert step_json(step_msg({"skill": "stop"})) == {"skill": "stop"}
    assert step_json(step_msg({"skill": "wait", "seconds": 3})) == {"skill": "wait",
                                                                     "seconds": 3.0}
