"""LLM backend latency through the real worker process: p50/p99 latency, tokens/s.

Usage: python bench/llm_bench.py [--requests N] [--backends scripted,llama_cpp]
       [--threads 1,2] [--max-tokens 160] [--nice 10]

Each request goes through LlmWorker (spawned process, queues, cancel flag), so the figures are
what the planner sees: submit -> reply latency, plus the backend's own generation time and
token count. Requests are what the planner sends: its own prompt (build_prompt) and the
per-world plan schema as grammar, for the packaged apartment world. Prints one line per
configuration.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from importlib.util import find_spec
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from robot_brain.core.llm.llama_cpp_backend import LlamaCppConfig  # noqa: E402
from robot_brain.core.llm.scripted import ScriptedConfig  # noqa: E402
from robot_brain.core.llm.types import LlmReply, LlmRequest  # noqa: E402
from robot_brain.core.llm.worker import LlmWorker  # noqa: E402
from robot_brain.core.planner.prompt import PromptContext, build_prompt  # noqa: E402
from robot_brain.core.planner.skills import PlanLimits, output_schema  # noqa: E402
from robot_brain.core.resources import default_world_path  # noqa: E402
from robot_brain.core.world import load_world  # noqa: E402

PLAN = '{"steps": [{"skill": "navigate_to", "place": "kitchen"}]}'
INSTRUCTIONS = (
    "please head over to the window",
    "go charge your battery",
    "halt",
    "wait two seconds and then go to the living room",
    "drive to the kitchen",
)
WORLD = load_world(default_world_path())
LIMITS = PlanLimits()


def make_request(i: int, max_tokens: int) -> LlmRequest:
    """The planner's own prompt and per-world grammar for the packaged apartment world."""
    instruction = INSTRUCTIONS[i % len(INSTRUCTIONS)]
    prompt = build_prompt(WORLD, LIMITS, PromptContext(instruction))
    return LlmRequest(request_id=i, prompt=prompt.raw, messages=prompt.messages,
                      json_schema=output_schema(WORLD, LIMITS), max_tokens=max_tokens,
                      timeout_s=300.0)


def run(worker: LlmWorker, n: int, max_tokens: int) -> list[LlmReply]:
    out: list[LlmReply] = []
    end = time.monotonic() + 600.0
    while not worker.ready and time.monotonic() < end:  # exclude model load
        worker.poll()
        time.sleep(0.005)
    for i in range(n + 1):  # request 0 warms the KV cache and grammar; not counted
        worker.submit(make_request(i, max_tokens))
        reply: LlmReply | None = None
        while reply is None and time.monotonic() < end:
            for event in worker.poll():
                if event.kind == "reply" and event.reply is not None:
                    reply = event.reply
            time.sleep(0.001)
        if reply is None:
            raise SystemExit("benchmark: no reply within 600 s")
        if i > 0:
            out.append(reply)
    return out


def report(label: str, replies: list[LlmReply]) -> None:
    lat = np.array([r.latency_s for r in replies])
    errors = sum(r.error is not None for r in replies)
    tokens = sum(r.tokens for r in replies)
    gen = sum(r.generation_time_s for r in replies)
    tps = tokens / gen if gen > 0 else float("nan")
    valid = 0
    for r in replies:
        try:
            json.loads(r.text)
            valid += 1
        except ValueError:
            pass
    print(f"{label:<28} n={len(replies):3d}  latency p50 {np.percentile(lat, 50) * 1e3:8.1f} ms"
          f"  p99 {np.percentile(lat, 99) * 1e3:8.1f} ms  tokens/reply "
          f"{statistics.mean(r.tokens for r in replies):5.1f}  tokens/s {tps:6.1f}"
          f"  json {valid}/{len(replies)}  errors {errors}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--backends", default="scripted,llama_cpp")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--nice", type=int, default=10, help="worker nice level (planner: 10)")
    args = parser.parse_args()
    for kind in args.backends.split(","):
        if kind == "scripted":
            configs = [("scripted (0 s latency)", ScriptedConfig(replies=(PLAN,)))]
        elif kind == "llama_cpp":
            if find_spec("llama_cpp") is None:
                print("llama_cpp: skipped (llama-cpp-python not installed)")
                continue
            configs = [(f"llama_cpp {t} thread(s)",
                        LlamaCppConfig(n_threads=int(t)))
                       for t in args.threads.split(",")]
        else:
            raise SystemExit(f"unknown backend {kind!r}")
        for label, config in configs:
            worker = LlmWorker(config, nice=args.nice)
            worker.start()
            try:
                report(label, run(worker, args.requests, args.max_tokens))
            finally:
                worker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
