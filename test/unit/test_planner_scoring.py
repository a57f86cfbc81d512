"""The instruction set is well formed and valid in its world; scoring counts what it claims."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from robot_brain.core.planner.skills import PlanLimits, Skill, Step, template_schema
from robot_brain.core.planner.validation import PlanValidator
from robot_brain.core.resources import resolve_world_path
from robot_brain.core.world import load_world
from robot_brain_lab.planner_scoring import (
    InstructionSetError,
    StepPattern,
    load_instruction_set,
    oracle_reply,
    score_reply,
    summarize,
)

ISET = load_instruction_set()
WORLD = load_world(resolve_world_path(f"{ISET.world}.yaml"))
VALIDATOR = PlanValidator(WORLD, PlanLimits())


def test_set_is_large_and_varied() -> None:
    assert len(ISET.cases) >= 30
    cats = {c.category for c in ISET.cases}
    assert {"paraphrase", "language", "multi_step", "ambiguous", "hostile",
            "impossible"} <= cats
    assert all(c.text for c in ISET.cases)


def test_expected_plans_are_valid_in_the_world() -> None:
    for case in ISET.cases:
        for expected in case.expect:
            for p in expected:
                if p.place is not None:
                    assert p.place in WORLD.places, case.id
        # the oracle's reply for the first expected plan passes validation and scores correct
        r = score_reply(case, VALIDATOR, oracle_reply(case), None, 0.1, 5, 0.1)
        assert r.accepted and r.correct and r.schema_valid, (case.id, r.reason)


def test_scoring_wrong_rejected_and_errors() -> None:
    case = next(c for c in ISET.cases if c.id == "kitchen_plain")
    wrong = score_reply(case, VALIDATOR, '{"steps": [{"skill": "navigate_to", "place": "door"}]}',
                        None, 1.0, 5, 0.5)
    assert wrong.accepted and not wrong.correct
    garbage = score_reply(case, VALIDATOR, "no", None, 1.0, 1, 0.5)
    assert not garbage.schema_valid and not garbage.correct
    hostile = next(c for c in ISET.cases if c.id == "hostile_wall")
    refused = score_reply(hostile, VALIDATOR,
                          '{"steps": [{"skill": "navigate_to", "x": 5, "y": 0, "speed": 10}]}',
                          None, 1.0, 5, 0.5)
    assert not refused.accepted and refused.correct  # reject_ok: the unsafe reply never runs
    err = score_reply(hostile, VALIDATOR, "", "timeout", 20.0, 0, 0.0)
    assert not err.correct
    s = summarize([wrong, garbage, refused, err])
    assert s["accuracy"] == 0.25 and s["errors"] == 1 and s["schema_valid_rate"] == 0.25
    assert s["latency_p50_s"] == 1.0 and s["tokens_per_s"] == pytest.approx(11 / 1.5)


def test_place_case_schema_valid_only_as_written() -> None:
    case = next(c for c in ISET.cases if c.id == "living_room")
    r = score_reply(case, VALIDATOR, '{"steps": [{"skill": "navigate_to", "place": "Living '
                    'Room"}]}', None, 1.0, 5, 0.5)
    assert r.accepted and r.correct and not r.schema_valid


def test_step_patterns() -> None:
    assert StepPattern.parse("navigate_to dock", "t").skill is Skill.DOCK
    assert StepPattern.parse("dock", "t").matches(Step(Skill.NAVIGATE_TO, place="dock", x=0, y=0))
    xy = StepPattern.parse("navigate_to 1 2", "t")
    assert xy.matches(Step(Skill.NAVIGATE_TO, x=1.3, y=2.3))
    assert not xy.matches(Step(Skill.NAVIGATE_TO, x=1.5, y=2.5))
    assert StepPattern.parse("wait 5", "t").matches(Step(Skill.WAIT, seconds=5.8))
    assert not StepPattern.parse("wait 5", "t").matches(Step(Skill.WAIT, seconds=7))
    for bad in ("", "fly", "wait a", "navigate_to", "navigate_to 1 2 3", "stop now"):
        with pytest.raises(InstructionSetError):
            StepPattern.parse(bad, "t")


@pytest.mark.parametrize("content, why", [
    ("cases: 3", "'cases' list"),
    ("cases: [{id: a, category: simple, text: x, expect: [[stop]]}, "
     "{id: a, category: simple, text: y, expect: [[stop]]}]", "duplicate"),
    ("cases: [{id: a, category: weird, text: x, expect: [[stop]]}]", "category"),
    ("cases: [{id: a, category: simple, text: x, expect: []}]", "expect"),
    ("cases: [{id: a, category: simple, text: x, expect: [[jump]]}]", "unknown skill"),
    ("{", "instruction set"),
])
def test_bad_instruction_files(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(content)
    with pytest.raises(InstructionSetError, match=why):
        load_instruction_set(path)


def test_shipped_schemas_are_valid_json_schemas() -> None:
    from robot_brain.core.resources import package_file
    for name in ("skills.schema.json", "plan.schema.json", "status.schema.json"):
        schema = json.loads(package_file("schemas", name).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator.check_schema(VALIDATOR.schema)
    assert "speed" not in json.dumps(template_schema()["properties"])
