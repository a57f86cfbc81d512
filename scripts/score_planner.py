#!/usr/bin/env python3
"""Score an LLM backend on the planner's instruction set: schema-valid rate, accuracy, latency.

Every case goes through the same path as in the planner node: the prompt built for the world,
an LlmWorker (spawned process) running the backend, and validation of the reply on arrival.

  scripts/score_planner.py --backend llama_cpp                     # embedded Gemma 3 270M
  scripts/score_planner.py --backend openai --base-url http://127.0.0.1:11434/v1 --model qwen2.5
  scripts/score_planner.py --backend scripted --oracle             # checks the scoring itself
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robot_brain.core.llm.registry import BACKEND_KINDS  # noqa: E402
from robot_brain.core.llm.types import BackendConfig, LlmRequest  # noqa: E402
from robot_brain.core.llm.worker import LlmWorker  # noqa: E402
from robot_brain.core.planner.prompt import PromptContext, build_prompt  # noqa: E402
from robot_brain.core.planner.scoring import (  # noqa: E402
    CaseResult,
    load_instruction_set,
    oracle_reply,
    score_reply,
    summarize,
)
from robot_brain.core.planner.skills import PlanLimits  # noqa: E402
from robot_brain.core.planner.validation import PlanValidator  # noqa: E402
from robot_brain.core.resources import resolve_world_path  # noqa: E402
from robot_brain.core.world import load_world  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=BACKEND_KINDS, required=True)
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    iset = load_instruction_set(args.instructions or None)
    world = load_world(resolve_world_path(args.world or f"{iset.world}.yaml"))
    limits = PlanLimits()
    validator = PlanValidator(world, limits)
    cases = list(iset.cases)
    if args.only:
        keys = set(args.only.split(","))
        cases = [c for c in cases if c.id in keys or c.category in keys]
    if args.limit:
        cases = cases[: args.limit]
    replies: tuple[str, ...] = ()
    if args.backend == "scripted" and args.oracle:
        replies = tuple(oracle_reply(c) for c in cases)
    config = BackendConfig(kind=args.backend, model_path=args.model_path,
                           n_threads=args.n_threads, base_url=args.base_url, model=args.model,
                           api_key_env=args.api_key_env,
                           structured_output=args.structured_output, replies=replies,
                           reply_file=args.reply_file, latency_s=args.latency)
    results: list[CaseResult] = []
    worker = LlmWorker(config, hang_timeout_s=max(args.timeout * 2, args.load_timeout))
    worker.start()
    try:
        t_load = time.monotonic()
        while not worker.ready:
            for ev in worker.poll():
                if ev.kind in ("crashed", "hung"):
                    print(f"worker {ev.kind}: {ev.message}", file=sys.stderr)
                    return 1
            if time.monotonic() - t_load > args.load_timeout:
                print("backend did not load in time", file=sys.stderr)
                return 1
            time.sleep(0.05)
        print(f"# backend {worker.name} model {worker.model} ({worker.locality.value}), loaded "
              f"in {time.monotonic() - t_load:.1f} s; {len(cases)} cases")
        for i, case in enumerate(cases, start=1):
            prompt = build_prompt(world, limits, PromptContext(case.text, None, None,
                                                               args.battery))
            worker.submit(LlmRequest(i, prompt.raw, prompt.messages, validator.schema,
                                     max_tokens=args.max_tokens, timeout_s=args.timeout))
            reply = None
            while reply is None:
                for ev in worker.poll():
                    if ev.kind == "reply" and ev.reply is not None and ev.reply.request_id == i:
                        reply = ev.reply
                time.sleep(0.005)
            r = score_reply(case, validator, reply.text, reply.error, reply.latency_s,
                            reply.tokens, reply.generation_time_s)
            results.append(r)
            mark = "ok " if r.correct else "BAD"
            print(f"{mark} {case.id:22s} {case.category:12s} {r.latency_s:6.2f} s "
                  f"{'valid' if r.schema_valid else 'INVALID':7s} {r.reason[:90]}")
            if args.verbose:
                print(f"    raw: {reply.text[:300]!r}")
    finally:
        worker.stop()
    summary = summarize(results)
    summary.update(backend=worker.name, model=worker.model, locality=worker.locality.value)
    print("# summary")
    for key, value in summary.items():
        if isinstance(value, float):
            value = "nan" if math.isnan(value) else f"{value:.3f}"
        print(f"{key}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "summary": summary,
            "cases": [{"id": r.case.id, "category": r.case.category, "correct": r.correct,
                       "schema_valid": r.schema_valid, "accepted": r.accepted,
                       "reason": r.reason, "latency_s": r.latency_s, "tokens": r.tokens,
                       "error": r.error, "text": r.text} for r in results]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
