"""The plan gate in the planner session: every plan passes it, whichever tier wrote it, and
what it decides is on planner/plan, planner/status and /diagnostics."""

from __future__ import annotations

from dataclasses import replace

from robot_brain.core.planner.messages import TickOutput
from robot_brain.core.planner.session import POWER_ASK, PlannerSession
from robot_brain.core.planner.vertical.planner import VerticalPlanner
from test.unit.test_planner_session import KITCHEN, check_schemas, make


def ask_llm(text: str, reply: str) -> tuple[PlannerSession, TickOutput]:
    s, w = make()
    rid = s.on_instruction(text, 0.0)
    s.tick(0.0)
    w["scripted"].reply(rid, reply)
    return s, s.tick(1.0)


def test_an_llm_plan_that_walks_into_a_forbidden_place_is_held() -> None:
    s, out = ask_llm("Someone is mopping the kitchen, keep away from it.", KITCHEN)
    check_schemas(out)
    record = out.plans[0].to_json()
    assert record["accepted"] and record["gate"]["decision"] == "hold"
    assert record["gate"]["cause"] == "prohibition"
    assert [st["skill"] for st in record["steps"]] == ["stop", "say"]
    assert record["gate"]["held_steps"][0]["place"] == "kitchen"
    assert "plan gate held" in record["reason"]
    assert out.goal is None and out.hold
    assert out.say == ("OK, I won't go to the kitchen. I'm staying here.",)
    status = out.status
    assert status.gate == "hold" and status.plans_held == 1 and "kitchen" in status.gate_reason
    out = s.tick(1.1)
    assert out.hold and out.goal is None
    health = s.health().values
    assert health["gate_checked"] == 1 and health["gate_held"] == 1
    assert health["gate_held.prohibition"] == 1


def test_a_plain_llm_plan_passes_unchanged() -> None:
    s, out = ask_llm("No problem, go to the kitchen.", KITCHEN)
    check_schemas(out)
    record = out.plans[0].to_json()
    assert record["gate"]["decision"] == "pass" and record["steps"][0]["place"] == "kitchen"
    assert out.goal is not None and not out.hold and out.status.gate == "pass"
    assert s.health().values["gate_held"] == 0


def test_a_rejected_reply_never_reaches_the_gate() -> None:
    s, out = ask_llm("go to the kitchen", "not json")
    check_schemas(out)
    assert not out.plans[0].accepted and out.plans[0].to_json()["gate"] is None
    assert out.status.gate == "" and s.health().values["gate_checked"] == 0


def test_the_vertical_tiers_plan_passes_the_gate_too() -> None:
    s, w = make()
    # Threshold 0: the vertical tier answers whatever its confidence, so its own plan for a
    # self-corrected text ("go to the kitchen", capped at low confidence) reaches the gate.
    s.first.vertical = VerticalPlanner(s.world, s.config.limits)
    s.first.threshold = 0.0
    s.on_instruction("Go to the kitchen. Wait, no. Stay.", 0.0)
    out = s.tick(0.0)
    check_schemas(out)
    assert not w["scripted"].submitted            # no LLM asked
    record = out.plans[0].to_json()
    assert record["source"] == "vertical" and record["gate"]["decision"] == "hold"
    assert out.goal is None and out.hold
    # and a plain one passes
    s.on_instruction("go to the door", 1.0)
    out = s.tick(1.0)
    assert out.plans[0].to_json()["gate"]["decision"] == "pass" and out.goal is not None


def test_the_issue_instruction_handed_to_the_llm_is_held() -> None:
    s, w = make()
    s.first.vertical = VerticalPlanner(s.world, s.config.limits)
    rid = s.on_instruction("Kitchen? No, stay here.", 0.0)
    s.tick(0.0)
    # the vertical tier is no longer sure of "go to the kitchen" here: the LLM is asked
    assert w["scripted"].submitted and w["scripted"].submitted[0].request_id == rid
    w["scripted"].reply(rid, KITCHEN)
    out = s.tick(1.0)
    assert out.plans[0].to_json()["gate"]["decision"] == "hold" and out.goal is None


def test_the_power_modes_own_dock_respects_the_standing_order() -> None:
    s, _ = make()
    s.on_instruction("Stay where you are, do not move at all.", 0.0)
    s.set_mode("critical", 0.5)   # a dock for the battery, while told not to move
    out = s.tick(0.5)
    check_schemas(out)
    record = out.plans[-1].to_json()
    assert record["source"] == "power" and record["instruction"] == ""
    assert record["gate"]["decision"] == "hold" and out.goal is None and out.hold
    assert record["steps"][1]["text"] == POWER_ASK
    s, _ = make()
    s.on_instruction("go to the door", 0.0)
    s.set_mode("critical", 0.5)
    out = s.tick(0.5)
    assert out.plans[-1].to_json()["gate"]["decision"] == "pass" and out.goal is not None


def test_an_instruction_too_long_to_check_never_moves() -> None:
    long = "Go to the kitchen. " + "blah " * 100 + "Actually no, don't."
    s, out = ask_llm(long, KITCHEN)
    check_schemas(out)
    gate = out.plans[0].to_json()["gate"]
    assert gate["decision"] == "hold" and gate["cause"] == "unreadable"
    assert out.goal is None


def test_stop_words_pass_the_gate() -> None:
    s, w = make()
    s.on_instruction("stop", 0.0)
    out = s.tick(0.0)
    assert out.plans[0].to_json()["gate"]["decision"] == "pass" and out.hold
    assert not w["scripted"].submitted


def test_power_dock_answering_an_instruction_is_gated_with_its_words() -> None:
    s, w = make()
    s.set_mode("critical", 0.0)                  # the mode's own dock: answers no instruction
    assert s.tick(0.0).goal is not None
    s.on_instruction("Don't go anywhere.", 1.0)  # in critical mode an instruction is a dock
    out = s.tick(1.0)
    check_schemas(out)
    record = out.plans[-1].to_json()
    assert record["source"] == "power" and record["gate"]["decision"] == "hold"
    assert out.goal is None and out.hold and not w["scripted"].submitted
    s.on_instruction("Go charge, please.", 2.0)
    out = s.tick(2.0)
    assert out.plans[-1].to_json()["gate"]["decision"] == "pass" and out.goal is not None


def test_status_and_plan_records_still_match_their_schemas_without_a_gate_decision() -> None:
    s, _ = make()
    out = s.tick(0.0)
    check_schemas(out)
    assert out.status.gate == "" and out.status.plans_held == 0
    assert replace(out.status, gate="hold").to_json()["gate"] == "hold"
