"""Deterministic backend for tests and benchmarks: canned replies, latency, failure modes."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from robot_brain.core.llm.types import (
    ERROR_CANCELLED,
    ERROR_TIMEOUT,
    LOCALITY_OVERRIDES,
    BackendConfig,
    BackendError,
    Deadline,
    LlmReply,
    LlmRequest,
    Locality,
    param,
    resolve_locality,
)

#: 'illegal_instruction' dies with SIGILL in its start-up self-test, as llama.cpp built for a CPU
#: feature the machine lacks does: it exercises the start-up failure path without that CPU.
#: 'always_move' answers every request with a move, toward a place the instruction names when
#: it names one by its world name (else the schema's first place): the adversary of the plan
#: gate (issue 28), a model that walks wherever it is told not to.
SCRIPTED_FAILURES = ("none", "hang", "garbage", "error", "crash", "truncated",
                     "illegal_instruction", "always_move")
GARBAGE_TEXT = "Sure! I would love to help you with that. Walking to the kitchen now :)"
SCRIPTED_ERROR = "backend error: scripted failure"
# Sleep granularity: short enough that cancellation is seen within a few ms.
_SLICE_S = 0.005
DEFAULT_REPLY = '{"steps": [{"skill": "stop"}]}'


@dataclass(frozen=True)
class ScriptedConfig(BackendConfig):
    """Its parameters are prefixed `scripted_` in the planner (registry)."""

    kind: str = "scripted"
    #: A string-array parameter needs a non-empty default (rclpy declares an empty list as a
    #: byte array, which then refuses strings); '' entries are ignored.
    replies: tuple[str, ...] = param(("",), "Replies of the scripted backend, cycled.")
    reply_file: str = param("", "JSON/YAML list of scripted replies.")
    latency_s: float = param(0.0, "Latency of each scripted reply.", unit="s", min=0.0,
                             max=600.0)
    failure: str = param("none", "Failure mode of the scripted backend.",
                         choices=SCRIPTED_FAILURES)
    locality: str = param("auto", "Locality the scripted backend reports ('auto' = local).",
                          choices=LOCALITY_OVERRIDES)

    @property
    def prior_time_s(self) -> float:
        return self.latency_s


def validate(config: ScriptedConfig) -> None:
    if config.failure not in SCRIPTED_FAILURES:
        raise BackendError(
            f"scripted failure {config.failure!r} is not one of {', '.join(SCRIPTED_FAILURES)}"
        )
    if config.latency_s < 0:
        raise BackendError(f"scripted latency_s must be >= 0, got {config.latency_s}")


def identity(config: ScriptedConfig) -> tuple[str, Locality]:
    """(model, locality) without building the backend."""
    return "scripted", resolve_locality(config, Locality.LOCAL)


def load_reply_file(path: str) -> tuple[str, ...]:
    """A JSON or YAML list (or {"replies": [...]}); objects are sent as compact JSON."""
    file = Path(path).expanduser()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))  # YAML is a superset of JSON
    except OSError as exc:
        raise BackendError(f"scripted reply_file {path!r} cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise BackendError(f"scripted reply_file {path!r} is not JSON/YAML: {exc}") from exc
    if isinstance(data, dict) and "replies" in data:
        data = data["replies"]
    if not isinstance(data, list) or not data:
        raise BackendError(
            f"scripted reply_file {path!r} must hold a non-empty list of replies "
            "(or a mapping with a 'replies' list)"
        )
    return tuple(item if isinstance(item, str) else json.dumps(item) for item in data)


class ScriptedBackend:
    name = "scripted"
    model = "scripted"
    locality = Locality.LOCAL

    def __init__(self, config: ScriptedConfig) -> None:
        replies = tuple(r for r in config.replies if r)
        if config.reply_file:
            replies = replies + load_reply_file(config.reply_file)
        self._replies = replies or (DEFAULT_REPLY,)
        self._latency_s = config.latency_s
        self._failure = config.failure
        self._next = 0
        self.locality = resolve_locality(config, Locality.LOCAL)

    def _reply(self, request: LlmRequest, text: str, deadline: Deadline, error: str | None,
               ) -> LlmReply:
        return LlmReply(
            request_id=request.request_id,
            text=text,
            backend=self.name,
            model=self.model,
            locality=self.locality,
            tokens=len(text.split()),
            generation_time_s=deadline.elapsed(),
            latency_s=deadline.elapsed(),
            error=error,
        )

    def self_test(self) -> None:
        if self._failure == "illegal_instruction":
            os.kill(os.getpid(), signal.SIGILL)

    def generate(self, request: LlmRequest, should_cancel: Callable[[], bool]) -> LlmReply:
        deadline = Deadline(request.timeout_s)
        if self._failure == "hang":
            while True:  # deliberately deaf to cancel and timeout: exercises the hang kill
                time.sleep(1.0)
        if self._failure == "crash":
            os._exit(3)
        text = self._replies[self._next % len(self._replies)]
        self._next += 1
        end = time.monotonic() + self._latency_s
        while True:
            now = time.monotonic()
            if should_cancel():
                return self._reply(request, "", deadline, ERROR_CANCELLED)
            if deadline.expired():
                return self._reply(request, "", deadline, ERROR_TIMEOUT)
            if now >= end:
                break
            time.sleep(min(_SLICE_S, end - now))
        if self._failure == "always_move":
            text = move_reply(request)
        elif self._failure == "garbage":
            text = GARBAGE_TEXT
        elif self._failure == "truncated":
            text = text[: len(text) // 2]
        elif self._failure == "error":
            return self._reply(request, "", deadline, SCRIPTED_ERROR)
        return self._reply(request, text, deadline, None)


def move_reply(request: LlmRequest) -> str:
    """A plan that walks: to the place of the request's schema the instruction names (the last
    named, by its world name), else to the schema's first place, else to (1, 1)."""
    places = _schema_places(request.json_schema)
    instruction = _instruction(request).lower()
    named = [p for p in places if p.replace("_", " ") in instruction or p in instruction]
    if named:
        named.sort(key=lambda p: max(instruction.rfind(p.replace("_", " ")),
                                     instruction.rfind(p)))
        target = named[-1]
    elif places:
        target = places[0]
    else:
        return json.dumps({"steps": [{"skill": "navigate_to", "x": 1.0, "y": 1.0}]})
    return json.dumps({"steps": [{"skill": "navigate_to", "place": target}]})


def _instruction(request: LlmRequest) -> str:
    """The instruction the prompt ends with ("Instruction: ...")."""
    texts = [request.prompt or ""] + [str(m.get("content", "")) for m in request.messages or ()]
    found = ""
    for text in texts:
        for line in text.splitlines():
            if line.startswith("Instruction: "):
                found = line[len("Instruction: "):]
    return found


def _schema_places(schema: object) -> list[str]:
    """The place enum of a world's skills schema (skills.output_schema)."""
    try:
        variants = schema["properties"]["steps"]["items"]["anyOf"]  # type: ignore[index]
        for variant in variants:
            place = variant.get("properties", {}).get("place")
            if isinstance(place, dict) and isinstance(place.get("enum"), list):
                return [str(p) for p in place["enum"]]
    except (KeyError, TypeError):
        pass
    return []
