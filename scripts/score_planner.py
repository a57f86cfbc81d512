#!/usr/bin/env python3
"""Score an LLM backend on the planner's instruction set: schema-valid rate, accuracy, latency.

Every case goes through the same path as in the planner node: the prompt built for the world,
an LlmWorker (spawned process) running the backend, and validation of the reply on arrival.

  scripts/score_planner.py --backend llama_cpp                     # embedded Gemma 3 270M
  scripts/score_planner.py --backend openai --base-url http://127.0.0.1:11434/v1 --model qwen2.5
  scripts/score_planner.py --backend scripted --oracle             # checks the scoring itself
  scripts/score_planner.py --backend vertical                      # the vertical tier alone
  scripts/score_planner.py --backend llama_cpp --cascade           # vertical first, then the LLM
  scripts/score_planner.py --backend scripted --always-move \
      --instructions robot_brain_lab/data/instructions_must_not_move.yaml  # a model that walks

The vertical tier runs in this process (as it will in the planner); `--cascade` asks it first
and sends only what it hands off (below --threshold, out of domain, cannot express) to the
backend. Every accepted plan then passes the plan gate (gate/, as in the planner session)
unless --no-gate: a plan it holds is scored as what runs instead (stop + say). Each case line
says which tier answered and whether the gate held it; the summary has accuracy, schema-valid
rate and latency per tier and overall, counts plans that move when the expected plan does
not, and legitimate moves the gate held (cases whose every expected plan moves).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robot_brain.core.llm.registry import (
    BACKEND_KINDS,  # noqa: E402
    config_class,  # noqa: E402
)
from robot_brain.core.llm.types import LlmRequest  # noqa: E402
from robot_brain.core.llm.worker import LlmWorker  # noqa: E402
from robot_brain.core.planner.gate.gate import GateVerdict, PlanGate  # noqa: E402
from robot_brain.core.planner.prompt import PromptContext, build_prompt  # noqa: E402
from robot_brain.core.planner.skills import PlanLimits, Skill  # noqa: E402
from robot_brain.core.planner.validation import PlanValidator  # noqa: E402
from robot_brain.core.planner.vertical.cascade import (  # noqa: E402
    DEFAULT_THRESHOLD,
    CascadeDecision,
    Tier,
    decide,
)
from robot_brain.core.planner.vertical.places import PlaceMatcher  # noqa: E402
from robot_brain.core.planner.vertical.planner import VerticalPlanner, VerticalResult  # noqa: E402
from robot_brain.core.planner.vertical.text import fold  # noqa: E402
from robot_brain.core.resources import resolve_world_path  # noqa: E402
from robot_brain.core.world import World, load_world  # noqa: E402
from robot_brain_lab.planner_scoring import (  # noqa: E402
    Case,
    CaseResult,
    load_instruction_set,
    oracle_reply,
    score_reply,
    summarize,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=(*BACKEND_KINDS, "vertical"), required=True,
                    help="an LLM backend, or 'vertical' for the vertical tier alone")
    ap.add_argument("--cascade", action="store_true",
                    help="vertical tier first; the backend only for what it hands off")
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                    help="cascade: the vertical tier's confidence threshold")
    ap.add_argument("--instructions", default="", help="instruction set YAML (default: packaged)")
    ap.add_argument("--world", default="", help="world file (default: the set's world)")
    ap.add_argument("--model-path", default="")
    ap.add_argument("--n-threads", type=int, default=1)
    ap.add_argument("--base-url", default="http://127.0.0.1:8000/v1")
    ap.add_argument("--model", default="")
    ap.add_argument("--api-key-env", default="OPENAI_API_KEY")
    ap.add_argument("--structured-output", default="auto")
    ap.add_argument("--reply-file", default="", help="scripted: replies file")
    ap.add_argument("--oracle", action="store_true",
                    help="scripted: reply with each case's expected plan (tests the scorer)")
    ap.add_argument("--always-move", action="store_true",
                    help="scripted: reply to every case with a move toward the place its text "
                         "names (any language; else the kitchen): the plan gate's adversary")
    ap.add_argument("--no-gate", action="store_true",
                    help="score plans as the tiers wrote them, without the plan gate")
    ap.add_argument("--latency", type=float, default=0.0, help="scripted latency (s)")
    ap.add_argument("--timeout", type=float, default=60.0, help="per request (s)")
    ap.add_argument("--load-timeout", type=float, default=300.0, help="backend load (s)")
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--battery", type=float, default=0.8)
    ap.add_argument("--limit", type=int, default=0, help="score only the first N cases")
    ap.add_argument("--only", default="", help="comma-separated case ids or categories")
    ap.add_argument("--json", default="", help="write per-case results and summary here")
    ap.add_argument("--verbose", "-v", action="store_true", help="print each raw reply")
    return ap.parse_args(argv)


def _vertical_reply(result: VerticalResult) -> tuple[str, str | None]:
    """The vertical tier's plan as reply text, or the error that it gave none."""
    if result.plan is None:
        return "", f"vertical: {result.outcome.value}: {result.reason}"
    return json.dumps(result.plan), None


def _moves_against_expectation(r: CaseResult, plan_text: str) -> bool:
    """An accepted plan that moves when every expected plan keeps the robot still."""
    if not r.accepted:
        return False
    expect_still = all(all(p.skill not in (Skill.NAVIGATE_TO, Skill.DOCK) for p in e)
                       for e in r.case.expect)
    return expect_still and ('"navigate_to"' in plan_text or '"dock"' in plan_text)


#: The categories of "don't move" cases: the main set's negations and the must-not-move set's.
DONT_MOVE = ("negation", "prohibition", "correction", "hazard", "conditional", "question",
             "everyday")
#: Cases whose plan was what the case expects and the gate held it anyway.
_WRONGLY_HELD: set[str] = set()


def _moving_case(case: Case) -> bool:
    """Every acceptable plan moves: holding it is refusing a legitimate move."""
    return all(any(p.skill in (Skill.NAVIGATE_TO, Skill.DOCK) for p in e) for e in case.expect)


def move_reply(case: Case, world: World) -> str:
    """The adversary: walk to the last place the text names (the one it may forbid)."""
    matcher = PlaceMatcher(world.places, {n: list(p.aliases) for n, p in world.places.items()})
    named = [m.place for m in matcher.find(fold(case.text)) if m.known]
    target = named[-1] if named else ("kitchen" if "kitchen" in world.places
                                      else sorted(world.places)[0])
    step = {"skill": "dock"} if target == "dock" else {"skill": "navigate_to", "place": target}
    return json.dumps({"steps": [step]})


def _gated(text: str, case: Case, validator: PlanValidator, gate: PlanGate | None
           ) -> tuple[str, GateVerdict | None]:
    """What runs for this reply: the plan itself, or the gate's stop + say."""
    if gate is None:
        return text, None
    verdict = validator.validate_text(text)
    if not verdict.accepted or verdict.plan is None:
        return text, None
    decision = gate.check(case.text, verdict.plan)
    if decision.holds and case.matches(verdict.plan):
        _WRONGLY_HELD.add(case.id)   # the tier had it right: a legitimate move refused
    if not decision.holds:
        return text, decision
    return json.dumps({"steps": [{k: v for k, v in s.to_json().items()
                                  if k in ("skill", "text")} for s in decision.plan.steps]}), \
        decision


def _start_worker(args: argparse.Namespace, replies: tuple[str, ...]) -> LlmWorker | None:
    # Each backend owns its settings: give its config class the options it has.
    cls = config_class(args.backend)
    given = dict(model_path=args.model_path, n_threads=args.n_threads, base_url=args.base_url,
                 model=args.model, api_key_env=args.api_key_env,
                 structured_output=args.structured_output, replies=replies,
                 reply_file=args.reply_file, latency_s=args.latency)
    own = {f.name for f in dataclasses.fields(cls)}
    config = cls(**{k: v for k, v in given.items() if k in own})
    worker = LlmWorker(config, hang_timeout_s=max(args.timeout * 2, args.load_timeout))
    worker.start()
    t_load = time.monotonic()
    while not worker.ready:
        for ev in worker.poll():
            if ev.kind in ("crashed", "hung"):
                print(f"worker {ev.kind}: {ev.message}", file=sys.stderr)
                worker.stop()
                return None
        if time.monotonic() - t_load > args.load_timeout:
            print("backend did not load in time", file=sys.stderr)
            worker.stop()
            return None
        time.sleep(0.05)
    print(f"# backend {worker.name} model {worker.model} ({worker.locality.value}), loaded "
          f"in {time.monotonic() - t_load:.1f} s")
    return worker


def _ask_llm(worker: LlmWorker, request_id: int, case: Case, world: World, limits: PlanLimits,
             validator: PlanValidator, args: argparse.Namespace) -> tuple[CaseResult, str]:
    prompt = build_prompt(world, limits, PromptContext(case.text, None, None, args.battery))
    worker.submit(LlmRequest(request_id, prompt.raw, prompt.messages, validator.schema,
                             max_tokens=args.max_tokens, timeout_s=args.timeout))
    reply = None
    while reply is None:
        for ev in worker.poll():
            if ev.kind == "reply" and ev.reply is not None and ev.reply.request_id == request_id:
                reply = ev.reply
        time.sleep(0.005)
    return score_reply(case, validator, reply.text, reply.error, reply.latency_s, reply.tokens,
                       reply.generation_time_s), reply.text


def _print_summary(title: str, results: list[CaseResult]) -> dict[str, object]:
    summary = summarize(results)
    print(f"# {title}")
    for key, value in summary.items():
        if isinstance(value, float):
            value = "nan" if math.isnan(value) else f"{value:.3f}"
        print(f"{key}: {value}")
    return summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.cascade and args.backend == "vertical":
        print("--cascade needs an LLM backend (llama_cpp, openai, scripted)", file=sys.stderr)
        return 2
    if args.always_move and (args.backend != "scripted" or args.oracle):
        print("--always-move is a scripted backend without --oracle", file=sys.stderr)
        return 2
    iset = load_instruction_set(args.instructions or None)
    world = load_world(resolve_world_path(args.world or f"{iset.world}.yaml"))
    limits = PlanLimits()
    validator = PlanValidator(world, limits)
    gate = None if args.no_gate else PlanGate(world, limits)
    cases = list(iset.cases)
    if args.only:
        keys = set(args.only.split(","))
        cases = [c for c in cases if c.id in keys or c.category in keys]
    if args.limit:
        cases = cases[: args.limit]
    use_vertical = args.backend == "vertical" or args.cascade
    decisions: list[CascadeDecision | None] = [None] * len(cases)
    verticals: list[VerticalResult | None] = [None] * len(cases)
    if use_vertical:
        t_load = time.monotonic()
        vertical = VerticalPlanner(world, limits)
        print(f"# vertical tier loaded in {time.monotonic() - t_load:.2f} s; {len(cases)} cases")
        vertical.plan("warm up")  # the first onnxruntime call allocates; not a case's cost
        for i, case in enumerate(cases):
            verticals[i] = vertical.plan(case.text)
            if args.cascade:
                decisions[i] = decide(verticals[i], args.threshold)  # type: ignore[arg-type]
    to_llm = [c for c, d in zip(cases, decisions, strict=True) if args.backend != "vertical"
              and (d is None or d.tier is Tier.LLM)]
    replies: tuple[str, ...] = ()
    if args.backend == "scripted" and args.oracle:
        replies = tuple(oracle_reply(c) for c in to_llm)
    elif args.always_move:
        replies = tuple(move_reply(c, world) for c in to_llm)
    worker = _start_worker(args, replies) if to_llm else None
    if to_llm and worker is None:
        return 1
    results: list[CaseResult] = []
    tiers: list[str] = []
    confidences: list[float | None] = []
    unsafe: list[str] = []
    held: list[str] = []
    gates: list[GateVerdict | None] = []
    try:
        for i, case in enumerate(cases, start=1):
            v = verticals[i - 1]
            d = decisions[i - 1]
            if v is not None and (args.backend == "vertical" or
                                  (d is not None and d.tier is Tier.VERTICAL)):
                text, error = _vertical_reply(v)
                text, g = _gated(text, case, validator, gate)
                r = score_reply(case, validator, text, error, v.latency_s, 0, v.latency_s)
                tier = f"vertical {v.confidence:4.2f}"
            else:
                assert worker is not None
                r, text = _ask_llm(worker, i, case, world, limits, validator, args)
                text, g = _gated(text, case, validator, gate)
                if g is not None and g.holds:
                    r = score_reply(case, validator, text, r.error, r.latency_s, r.tokens,
                                    r.generation_time_s)
                why = d.hand_off.value if d is not None and d.hand_off is not None else ""
                tier = f"llm {why}".strip()
            gates.append(g)
            if g is not None and g.holds:
                held.append(case.id)
                tier += " HELD"
            results.append(r)
            tiers.append(tier.split()[0])
            confidences.append(v.confidence if v is not None else None)
            if _moves_against_expectation(r, text):
                unsafe.append(case.id)
            mark = "ok " if r.correct else "BAD"
            print(f"{mark} {case.id:22s} {case.category:12s} {tier:24s} {r.latency_s * 1e3:8.1f} "
                  f"ms {'valid' if r.schema_valid else 'INVALID':7s} {r.reason[:70]}")
            if args.verbose:
                print(f"    raw: {text[:300]!r}")
    finally:
        if worker is not None:
            worker.stop()
    summary = _print_summary("summary (all cases)", results)
    summary["tiers"] = {t: tiers.count(t) for t in sorted(set(tiers))}
    summary["moves_when_expected_still"] = unsafe
    dont = {c.id for c in cases if c.category in DONT_MOVE and not any(
        p.skill in (Skill.NAVIGATE_TO, Skill.DOCK) for e in c.expect for p in e)}
    summary["dont_move_cases"] = len(dont)
    summary["moves_on_dont_move_cases"] = [cid for cid in unsafe if cid in dont]
    moving = [c.id for c in cases if _moving_case(c)]
    refused = [cid for cid in held if cid in set(moving) and cid in _WRONGLY_HELD]
    summary["gate"] = "off" if gate is None else "on"
    summary["gate_held"] = held
    summary["gate_held_moving_cases"] = [cid for cid in held if cid in set(moving)]
    summary["legitimate_moves_held"] = refused
    summary["moving_cases"] = len(moving)
    if use_vertical:
        summary["vertical_coverage"] = tiers.count("vertical") / len(tiers) if tiers else 0.0
        for t in sorted(set(tiers)):
            summary[f"tier_{t}"] = _print_summary(
                f"tier {t}", [r for r, x in zip(results, tiers, strict=True) if x == t])
    print(f"tiers: {summary['tiers']}; vertical coverage: {summary.get('vertical_coverage', 0)}")
    print(f"plans that move when the expected plan keeps still: {len(unsafe)} {unsafe}")
    print(f"moving plans on \"don't move\" cases ({', '.join(DONT_MOVE)}): "
          f"{len(summary['moves_on_dont_move_cases'])} of {len(dont)} "
          f"{summary['moves_on_dont_move_cases']}")
    if gate is not None:
        share = len(refused) / len(moving) if moving else 0.0
        wrong = [cid for cid in summary["gate_held_moving_cases"] if cid not in refused]
        print(f"plan gate: held {len(held)} plans; legitimate moves held (the tier's plan was "
              f"right): {len(refused)} of {len(moving)} moving cases ({share:.1%}) {refused}; "
              f"wrong moves held on moving cases: {wrong}")
    if worker is not None:
        summary.update(backend=worker.name, model=worker.model, locality=worker.locality.value)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "summary": summary,
            "cases": [{"id": r.case.id, "category": r.case.category, "tier": t,
                       "vertical_confidence": conf,
                       "correct": r.correct, "schema_valid": r.schema_valid,
                       "accepted": r.accepted, "reason": r.reason, "latency_s": r.latency_s,
                       "tokens": r.tokens, "error": r.error, "text": r.text,
                       "gate": g.to_json() if g is not None else None}
                      for r, t, conf, g in zip(results, tiers, confidences, gates,
                                               strict=True)]},
                                          indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
