#!/usr/bin/env python3
"""Calibration of the vertical tier on held-out text, before and after the plan gate's
contradiction check (issue 28): reliability table and expected calibration error (ECE).

  PYTHONPATH=. python bench/plan_gate_calibration.py [--sets a.yaml,b.yaml] [--json out.json]

Held-out: none of these texts is in the intent model's training corpus (checked by
test_planner_vertical_corpus.py and test_plan_gate_sets.py). For every case the vertical tier
answers with a plan (a plan or a refusal), the plan is correct when it matches one of the
case's expected plans (score_reply, as scripts/score_planner.py). ECE = sum over confidence bins
of (cases in bin / cases) x |accuracy in bin - mean confidence in bin|, 10 equal bins.
"Before" is the tier without the check (VerticalPlanner(check_contradiction=False)), "after"
the shipped tier, whose confidence is capped at CONTRADICTED_CONFIDENCE on a plan the gate
would hold. ECE is given over every plan and over moving plans only (the plans whose
over-confidence walks the robot); it also counts confident wrong moves: plans at or above the
cascade's threshold that move when every expected plan keeps the robot still.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robot_brain.core.planner.skills import PlanLimits, Skill  # noqa: E402
from robot_brain.core.planner.validation import PlanValidator  # noqa: E402
from robot_brain.core.planner.vertical.cascade import DEFAULT_THRESHOLD  # noqa: E402
from robot_brain.core.planner.vertical.planner import VerticalPlanner  # noqa: E402
from robot_brain.core.resources import resolve_world_path  # noqa: E402
from robot_brain.core.world import load_world  # noqa: E402
from robot_brain_lab.planner_scoring import Case, lab_data_file, load_instruction_set, score_reply  # noqa: E402

DEFAULT_SETS = ("instructions.yaml", "instructions_must_not_move.yaml",
                "instructions_gate_legit.yaml")
BINS = 10
#: The coarse table of docs/planner_vertical.md.
TABLE = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.99), (0.99, 1.0001))


@dataclass(frozen=True)
class Sample:
    case: str
    confidence: float
    correct: bool
    confident_wrong_move: bool
    moves: bool


def ece(samples: list[Sample], bins: int = BINS) -> float:
    if not samples:
        return math.nan
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [s for s in samples if lo <= s.confidence < hi or (b == bins - 1
                                                                     and s.confidence == 1.0)]
        if inside:
            acc = sum(s.correct for s in inside) / len(inside)
            conf = sum(s.confidence for s in inside) / len(inside)
            total += len(inside) / len(samples) * abs(acc - conf)
    return total


def reliability(samples: list[Sample]) -> list[tuple[str, int, float, float]]:
    rows = []
    for lo, hi in TABLE:
        inside = [s for s in samples if lo <= s.confidence < hi]
        if inside:
            rows.append((f"[{lo:g}, {min(hi, 1.0):g}{']' if hi > 1 else ')'}", len(inside),
                         sum(s.confidence for s in inside) / len(inside),
                         sum(s.correct for s in inside) / len(inside)))
    return rows


def expects_still(case: Case) -> bool:
    return not any(p.skill in (Skill.NAVIGATE_TO, Skill.DOCK) for e in case.expect for p in e)


def measure(planner: VerticalPlanner, validator: PlanValidator, cases: tuple[Case, ...]
            ) -> list[Sample]:
    out = []
    for case in cases:
        result = planner.plan(case.text)
        if result.plan is None:
            continue   # handed to the LLM without a plan: no confidence to calibrate
        text = json.dumps(result.plan)
        r = score_reply(case, validator, text, None, 0.0, 0, 0.0)
        wrong_move = (result.moves and expects_still(case)
                      and result.confidence >= DEFAULT_THRESHOLD)
        out.append(Sample(case.id, result.confidence, r.correct, wrong_move, result.moves))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(DEFAULT_SETS),
                    help="instruction sets (packaged names or paths), comma-separated")
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    report: dict[str, object] = {}
    pooled: dict[str, list[Sample]] = {"before": [], "after": []}
    planners: dict[str, VerticalPlanner] = {}
    for name in args.sets.split(","):
        path = Path(name) if Path(name).exists() else lab_data_file(name)
        iset = load_instruction_set(path)
        world = load_world(resolve_world_path(f"{iset.world}.yaml"))
        validator = PlanValidator(world, PlanLimits())
        if not planners:
            planners = {"before": VerticalPlanner(world, PlanLimits(),
                                                  check_contradiction=False),
                        "after": VerticalPlanner(world, PlanLimits())}
        print(f"# {path.name}: {len(iset.cases)} cases")
        for when, planner in planners.items():
            samples = measure(planner, validator, iset.cases)
            pooled[when] += samples
            wrong = [s.case for s in samples if s.confident_wrong_move]
            moving = [s for s in samples if s.moves]
            print(f"  {when:6s} with a plan {len(samples):3d}  accuracy "
                  f"{sum(s.correct for s in samples) / max(len(samples), 1):.3f}  ECE "
                  f"{ece(samples):.4f}  moving plans {len(moving):3d}  ECE(moving) "
                  f"{ece(moving):.4f}  confident wrong moves {len(wrong)}")
            report[f"{path.name}:{when}"] = {"ece": ece(samples), "n": len(samples),
                                             "ece_moving": ece(moving),
                                             "n_moving": len(moving),
                                             "confident_wrong_moves": wrong}
    for when, samples in pooled.items():
        moving = [s for s in samples if s.moves]
        print(f"# all sets, {when}: ECE {ece(samples):.4f} over {len(samples)} plans, "
              f"ECE(moving) {ece(moving):.4f} over {len(moving)} moving plans; confident "
              f"wrong moves {sum(s.confident_wrong_move for s in samples)}")
        for title, population in (("every plan", samples), ("moving plans", moving)):
            print(f"  reliability, {title}:  confidence      n   mean conf  accuracy")
            for label, n, conf, acc in reliability(population):
                print(f"  {'':26s}{label:13s} {n:4d}   {conf:8.3f}  {acc:8.3f}")
        report[f"all:{when}"] = {"ece": ece(samples), "n": len(samples),
                                 "ece_moving": ece(moving), "n_moving": len(moving),
                                 "reliability": reliability(samples),
                                 "reliability_moving": reliability(moving)}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
