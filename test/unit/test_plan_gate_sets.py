"""The plan gate's evaluation sets: composition, no overlap with the intent model's training
corpus, and the gate's two errors on them with the adversary's plan (a move toward the place
the text names) and with each case's expected plan."""

from __future__ import annotations

from collections import Counter

from robot_brain.core.planner.gate.gate import PlanGate
from robot_brain.core.planner.skills import Plan, PlanLimits, Skill
from robot_brain.core.planner.validation import PlanValidator
from robot_brain.core.planner.vertical.intent_model import ModelMetadata, default_model_path
from robot_brain.core.planner.vertical.places import PlaceMatcher
from robot_brain.core.planner.vertical.text import fold
from robot_brain.core.world import World
from robot_brain_lab.corpus_overlap import find_overlaps
from robot_brain_lab.planner_scoring import (
    Case,
    InstructionSet,
    lab_data_file,
    load_instruction_set,
    oracle_reply,
)
from robot_brain_lab.vertical_corpus import generate

MUST_NOT_MOVE = "instructions_must_not_move.yaml"
LEGIT = "instructions_gate_legit.yaml"
HELDOUT = "instructions_gate_heldout.yaml"   # both kinds; its header has the first runs
REDTEAM = "instructions_gate_redteam.yaml"   # both kinds, written blind; header: phase 1
DONT_MOVE = ("negation", "prohibition", "correction", "hazard", "conditional", "question",
             "everyday")


def load(name: str) -> InstructionSet:
    return load_instruction_set(lab_data_file(name))


def moves(plan: Plan) -> bool:
    return any(s.skill in (Skill.NAVIGATE_TO, Skill.DOCK) for s in plan.steps)


def still(case: Case) -> bool:
    return not any(p.skill in (Skill.NAVIGATE_TO, Skill.DOCK) for e in case.expect for p in e)


def adversary_plans(case: Case, world: World) -> list[Plan]:
    """A move toward every place the text names, and toward one it does not name."""
    matcher = PlaceMatcher(world.places)
    named = {m.place for m in matcher.find(fold(case.text)) if m.known}
    validator = PlanValidator(world, PlanLimits())
    plans = []
    for place in sorted(named | {"start_area"}):
        step = {"skill": "dock"} if place == "dock" else {"skill": "navigate_to",
                                                          "place": place}
        plan = validator.validate_data({"steps": [step]}).plan
        assert plan is not None
        plans.append(plan)
    return plans


def test_must_not_move_set_composition() -> None:
    iset = load(MUST_NOT_MOVE)
    assert iset.world == "apartment" and len(iset.cases) >= 150
    assert all(still(c) for c in iset.cases)
    categories = Counter(c.category for c in iset.cases)
    assert set(categories) == set(DONT_MOVE) and min(categories.values()) >= 10
    languages = Counter(c.id.split("_")[0] for c in iset.cases)
    assert set(languages) == {"en", "fr", "de", "es", "zh", "it", "ja"}
    assert all(languages[lang] >= 20 for lang in ("fr", "de", "es", "zh"))


def test_gate_sets_never_overlap_the_training_corpus() -> None:
    """Checked as instructions.yaml is (test_planner_vertical_corpus.py): no corpus text
    equals or nearly equals (3-gram Jaccard > 0.8) an evaluation text."""
    meta = ModelMetadata.load(default_model_path().with_suffix(".json"))
    eval_texts = [c.text for c in load_instruction_set().cases]
    corpus = generate(meta.seed, int(meta.extra["requested_examples"]), eval_texts)
    texts = [e.text for e in corpus.examples]
    for name in (MUST_NOT_MOVE, LEGIT, HELDOUT, REDTEAM):
        assert find_overlaps([c.text for c in load(name).cases], texts) == [], name


def test_red_team_set_composition() -> None:
    iset = load(REDTEAM)
    assert iset.world == "apartment" and all(c.id.startswith("rt_") for c in iset.cases)
    dont = [c for c in iset.cases if still(c)]
    legit = [c for c in iset.cases if not still(c)]
    assert len(dont) >= 120 and len(legit) >= 40
    assert all(c.category in DONT_MOVE for c in dont)
    assert all(c.category == "cue_words" for c in legit)
    languages = Counter(c.id.split("_")[2 if c.id.startswith("rt_ok_") else 1]
                        for c in iset.cases)
    assert set(languages) == {"en", "fr", "de", "es", "zh", "it", "ja"}
    assert all(languages[lang] >= 10 for lang in ("fr", "de", "es", "zh", "it", "ja"))


def test_every_must_not_move_case_holds_every_adversary_plan(gate: PlanGate,
                                                             world: World) -> None:
    cases = load(MUST_NOT_MOVE).cases + tuple(c for name in (HELDOUT, REDTEAM)
                                              for c in load(name).cases if still(c))
    moved = [(c.id, p.describe()) for c in cases
             for p in adversary_plans(c, world) if not gate.check(c.text, p).holds]
    assert moved == []


def test_main_sets_dont_move_cases_hold_and_its_moves_pass(gate: PlanGate,
                                                           world: World) -> None:
    validator = PlanValidator(world, PlanLimits())
    cases = load_instruction_set().cases
    dont = [c for c in cases if c.category in DONT_MOVE and still(c)]
    assert len(dont) >= 20
    moved = [(c.id, p.describe()) for c in dont for p in adversary_plans(c, world)
             if not gate.check(c.text, p).holds]
    assert moved == []
    moving = [c for c in cases if not still(c) and all(
        any(p.skill in (Skill.NAVIGATE_TO, Skill.DOCK) for p in e) for e in c.expect)]
    refused = []
    for c in moving:
        plan = validator.validate_text(oracle_reply(c)).plan
        assert plan is not None and moves(plan)
        if gate.check(c.text, plan).holds:
            refused.append(c.id)
    assert len(refused) <= 0.02 * len(moving), refused


def test_legitimate_moves_with_refusal_words_pass(gate: PlanGate, world: World) -> None:
    validator = PlanValidator(world, PlanLimits())
    refused = []
    for c in load(LEGIT).cases + tuple(c for name in (HELDOUT, REDTEAM)
                                       for c in load(name).cases if not still(c)):
        plan = validator.validate_text(oracle_reply(c)).plan
        assert plan is not None and moves(plan)
        if gate.check(c.text, plan).holds:
            refused.append(c.id)
    assert refused == []
