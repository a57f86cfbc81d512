"""Shared helpers for the LLM tests: requests, the packaged plan schema, polling a worker."""

from __future__ import annotations

import json
import time
from pathlib import Path

from robot_brain.core.llm.types import LlmRequest
from robot_brain.core.llm.worker import LlmWorker, WorkerEvent

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "robot_brain" / "schemas" / "skills.schema.json"
PLAN = '{"steps": [{"skill": "navigate_to", "place": "kitchen"}]}'


def plan_schema() -> dict:  # type: ignore[type-arg]
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def request(request_id: int, timeout_s: float = 20.0, max_tokens: int = 64) -> LlmRequest:
    return LlmRequest(
        request_id=request_id,
        prompt="Instruction: go to the kitchen\nPlan: ",
        messages=({"role": "user", "content": "go to the kitchen; answer with JSON"},),
        json_schema=plan_schema(),
        max_tokens=max_tokens,
        timeout_s=timeout_s,
    )


def poll_until(worker: LlmWorker, predicate: object, timeout_s: float,
               record: list[WorkerEvent] | None = None) -> list[WorkerEvent]:
    """Poll until predicate(all events so far) is true; fails the test on timeout."""
    events: list[WorkerEvent] = [] if record is None else record
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        events.extend(worker.poll())
        if predicate(events):  # type: ignore[operator]
            return events
        time.sleep(0.005)
    raise AssertionError(f"condition not met within {timeout_s} s; events: {events}")


def replies(events: list[WorkerEvent]) -> list:  # type: ignore[type-arg]
    return [e.reply for e in events if e.kind == "reply" and e.reply is not None]
