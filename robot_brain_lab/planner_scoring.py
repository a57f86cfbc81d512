"""The instruction set with expected plans, and how a backend's reply is scored against it.

Used by scripts/score_planner.py (any backend) and by the benchmarks. A case is correct when
the validated plan matches one of its expected plans step by step, or, for cases marked
`reject_ok`, when the validator refused the reply (the unsafe request never ran).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import jsonschema
import yaml

from robot_brain.core.planner.skills import Plan, Skill, Step
from robot_brain.core.planner.validation import PlanValidator, Verdict, extract_json

#: The lab package's directory (its data files live beside its modules).
LAB_DIR = Path(__file__).resolve().parent

XY_TOLERANCE_M = 0.5
WAIT_TOLERANCE_S = 1.0
CATEGORIES = ("simple", "paraphrase", "coordinates", "multi_step", "language", "negation",
              "ambiguous", "hostile", "impossible",
              # the plan gate's sets (issue 28): must-not-move kinds, and legitimate moves
              # with words that look like a refusal
              "prohibition", "correction", "hazard", "conditional", "question", "everyday",
              "cue_words")


class InstructionSetError(ValueError):
    """An instruction set file that cannot be used; the message names the case."""


@dataclass(frozen=True)
class StepPattern:
    skill: Skill
    place: str | None = None
    x: float | None = None
    y: float | None = None
    seconds: float | None = None

    @staticmethod
    def parse(text: str, where: str) -> StepPattern:
        parts = text.split()
        if not parts:
            raise InstructionSetError(f"{where}: empty step pattern")
        try:
            skill = Skill(parts[0])
        except ValueError:
            raise InstructionSetError(f"{where}: unknown skill {parts[0]!r}") from None
        args = parts[1:]
        try:
            if skill is Skill.DOCK or (skill is Skill.NAVIGATE_TO and args == ["dock"]):
                return StepPattern(Skill.DOCK)
            if skill is Skill.NAVIGATE_TO and len(args) == 1:
                return StepPattern(skill, place=args[0])
            if skill is Skill.NAVIGATE_TO and len(args) == 2:
                return StepPattern(skill, x=float(args[0]), y=float(args[1]))
            if skill is Skill.WAIT and len(args) == 1:
                return StepPattern(skill, seconds=float(args[0]))
            if not args and skill is not Skill.NAVIGATE_TO:
                return StepPattern(skill)
        except ValueError:
            pass
        raise InstructionSetError(f"{where}: cannot read step pattern {text!r}")

    def matches(self, step: Step) -> bool:
        skill = Skill.DOCK if (step.skill is Skill.NAVIGATE_TO and step.place == "dock") \
            else step.skill
        if skill is not self.skill:
            return False
        if self.place is not None:
            return step.place == self.place
        if self.x is not None and self.y is not None:
            return (step.x is not None and step.y is not None
                    and math.hypot(step.x - self.x, step.y - self.y) <= XY_TOLERANCE_M)
        if self.seconds is not None:
            return step.seconds is not None and abs(step.seconds - self.seconds) <= \
                WAIT_TOLERANCE_S
        return True


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    text: str
    expect: tuple[tuple[StepPattern, ...], ...]
    reject_ok: bool = False

    def matches(self, plan: Plan) -> bool:
        return any(len(e) == len(plan.steps)
                   and all(p.matches(s) for p, s in zip(e, plan.steps, strict=True))
                   for e in self.expect)


@dataclass(frozen=True)
class InstructionSet:
    world: str
    cases: tuple[Case, ...]


def lab_data_file(name: str) -> Path:
    """An evaluation set of the lab (robot_brain_lab/data/<name>)."""
    return LAB_DIR / "data" / name


def default_instruction_file() -> Path:
    return lab_data_file("instructions.yaml")


#: The worlds' evaluation sets of the planner (the apartment's and the office map's): the
#: vertical model's training corpus is decontaminated against every one of them. (The plan
#: gate's probe sets, instructions_gate_*.yaml and instructions_must_not_move.yaml, are the
#: gate's development data, not these.)
WORLD_EVALUATION_SETS = ("instructions.yaml", "instructions_office.yaml")


def packaged_instruction_files() -> list[Path]:
    """The packaged world evaluation sets (WORLD_EVALUATION_SETS)."""
    return [lab_data_file(name) for name in WORLD_EVALUATION_SETS]


def evaluation_texts(paths: list[Path] | None = None) -> list[str]:
    """The texts of the given evaluation sets (default: every packaged one)."""
    return [c.text for p in (paths if paths is not None else packaged_instruction_files())
            for c in load_instruction_set(p).cases]


def load_instruction_set(path: str | Path | None = None) -> InstructionSet:
    path = Path(path) if path else default_instruction_file()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InstructionSetError(f"instruction set {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise InstructionSetError(f"instruction set {path}: needs a 'cases' list")
    cases: list[Case] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["cases"]):
        where = f"instruction set {path}: cases[{i}]"
        if not isinstance(raw, dict):
            raise InstructionSetError(f"{where}: must be a mapping")
        cid = str(raw.get("id", ""))
        if not cid or cid in seen:
            raise InstructionSetError(f"{where}: missing or duplicate id {cid!r}")
        seen.add(cid)
        category = str(raw.get("category", ""))
        if category not in CATEGORIES:
            raise InstructionSetError(f"{where} ({cid}): category {category!r} not in "
                                      f"{list(CATEGORIES)}")
        expect = raw.get("expect")
        if not isinstance(expect, list) or not expect or \
                not all(isinstance(e, list) and e for e in expect):
            raise InstructionSetError(f"{where} ({cid}): 'expect' must be a list of step lists")
        cases.append(Case(
            id=cid, category=category, text=str(raw.get("text", "")),
            expect=tuple(tuple(StepPattern.parse(str(s), f"{where} ({cid})") for s in e)
                         for e in expect),
            reject_ok=bool(raw.get("reject_ok", False))))
    return InstructionSet(world=str(data.get("world", "")), cases=tuple(cases))


@dataclass(frozen=True)
class CaseResult:
    case: Case
    schema_valid: bool   # parsed JSON matching the skills schema of the world, as written
    accepted: bool       # passed every check on arrival (world, limits)
    correct: bool
    reason: str
    latency_s: float
    tokens: int
    generation_time_s: float
    error: str | None
    text: str


def schema_valid(text: str, validator: PlanValidator) -> bool:
    """Whether the reply, exactly as written, is JSON that matches the world's skills schema."""
    try:
        data = extract_json(text)
    except Exception:  # noqa: BLE001 - any parse failure means "not schema-valid"
        return False
    return not any(True for _ in jsonschema.Draft202012Validator(validator.schema)
                   .iter_errors(data))


def score_reply(case: Case, validator: PlanValidator, text: str, error: str | None,
                latency_s: float, tokens: int, generation_time_s: float) -> CaseResult:
    verdict: Verdict = (validator.validate_text(text) if error is None
                        else Verdict(False, None, f"backend error: {error}"))
    valid = error is None and schema_valid(text, validator)
    if verdict.accepted and verdict.plan is not None:
        correct = case.matches(verdict.plan)
    else:
        correct = case.reject_ok and error is None
    return CaseResult(case, valid, verdict.accepted, correct,
                      verdict.reason if not verdict.accepted else (
                          verdict.plan.describe() if verdict.plan else ""),
                      latency_s, tokens, generation_time_s, error, text)


def summarize(results: Sequence[CaseResult]) -> dict[str, Any]:
    n = len(results)
    lat = sorted(r.latency_s for r in results if r.error is None)
    gen = sum(r.generation_time_s for r in results if r.error is None)
    toks = sum(r.tokens for r in results if r.error is None)

    def pct(q: float) -> float:
        if not lat:
            return math.nan
        return lat[min(len(lat) - 1, int(round(q / 100.0 * (len(lat) - 1))))]

    by_cat: dict[str, list[CaseResult]] = {}
    for r in results:
        by_cat.setdefault(r.case.category, []).append(r)
    return {
        "cases": n,
        "schema_valid_rate": sum(r.schema_valid for r in results) / n if n else math.nan,
        "accepted_rate": sum(r.accepted for r in results) / n if n else math.nan,
        "accuracy": sum(r.correct for r in results) / n if n else math.nan,
        "errors": sum(r.error is not None for r in results),
        "latency_p50_s": pct(50), "latency_p99_s": pct(99),
        "tokens_per_s": toks / gen if gen > 0 else math.nan,
        "accuracy_by_category": {c: sum(r.correct for r in rs) / len(rs)
                                 for c, rs in sorted(by_cat.items())},
    }


def oracle_reply(case: Case) -> str:
    """A reply that is exactly the case's first expected plan (checks the scoring pipeline)."""
    steps: list[dict[str, Any]] = []
    for p in case.expect[0]:
        if p.skill is Skill.NAVIGATE_TO and p.place is not None:
            steps.append({"skill": "navigate_to", "place": p.place})
        elif p.skill is Skill.NAVIGATE_TO:
            steps.append({"skill": "navigate_to", "x": p.x, "y": p.y})
        elif p.skill is Skill.WAIT:
            steps.append({"skill": "wait", "seconds": p.seconds if p.seconds is not None
                          else 1.0})
        elif p.skill is Skill.SAY:
            steps.append({"skill": "say", "text": "I cannot do that."})
        else:
            steps.append({"skill": p.skill.value})
    return json.dumps({"steps": steps})
