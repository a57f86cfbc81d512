"""Any OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp server, a cloud API).

Standard library only. The reply is streamed (server-sent events) by a reader thread, so the
generating loop can check cancellation and the deadline between chunks even while the server
is silent; cancelling shuts the socket down, which also tells the server to stop.

Structured output, per `structured_output`: `json_schema` (OpenAI's response_format), then
llama.cpp's `{"type": "json_object", "schema": ...}`, then none (the planner parses plain text).
In `auto` mode a rejected form (HTTP 400/422, or a 5xx naming response_format, which is how
llama-cpp-python's server answers) moves to the next one, and the form that worked is
remembered for later requests.
"""

from __future__ import annotations

import ipaddress
import json
import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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

STRUCTURED_OUTPUT_MODES = ("auto", "json_schema", "json_object", "none")
_FORMS = ("json_schema", "json_object", "none")
# Status codes with which servers reject a response_format they do not understand.
_FORMAT_REJECTED = (400, 422)
_POLL_S = 0.02  # cancellation latency while waiting for the next chunk


def locality_of_url(base_url: str) -> Locality:
    """A server on this machine's loopback runs on board; anything else is off board."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return Locality.LOCAL
    try:
        return Locality.LOCAL if ipaddress.ip_address(host).is_loopback else Locality.REMOTE
    except ValueError:
        return Locality.REMOTE


def response_format(form: str, schema: dict) -> dict | None:
    if form == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "plan", "schema": schema}}
    if form == "json_object":
        return {"type": "json_object", "schema": schema}
    return None


def _format_rejected(status: int | None, error: str) -> bool:
    """Did the server refuse the response_format (not the request as a whole)?

    400/422 is the normal answer; llama-cpp-python's server answers its request-validation
    error with a 500 whose body names the field, so that counts too.
    """
    if status in _FORMAT_REJECTED:
        return True
    return status is not None and status >= 500 and "response_format" in error


@dataclass(frozen=True)
class OpenAiConfig(BackendConfig):
    kind: str = "openai"
    base_url: str = param("http://127.0.0.1:8000/v1", "OpenAI-compatible server base URL.")
    model: str = param("", "Model name sent to the OpenAI-compatible server.")
    api_key_env: str = param("OPENAI_API_KEY", "Environment variable holding the API key.")
    http_timeout_s: float = param(30.0, "HTTP timeout of the openai backend.", unit="s",
                                  min=0.1, max=600.0)
    structured_output: str = param("auto", "openai structured output form.",
                                   choices=STRUCTURED_OUTPUT_MODES)
    locality: str = param("auto", "Where the openai backend runs: 'auto' = from base_url "
                          "(loopback = local); 'remote' lets a loopback server stand in for a "
                          "cloud model.", choices=LOCALITY_OVERRIDES, name="openai_locality")
    prior_s: float = param(1.5, "Expected openai round trip before any is measured.", unit="s",
                           min=0.0, max=600.0, name="prior_openai_s")

    @property
    def prior_time_s(self) -> float:
        return self.prior_s


def validate(config: OpenAiConfig) -> None:
    if not config.base_url.startswith(("http://", "https://")):
        raise BackendError(
            f"openai base_url must start with http:// or https://, got {config.base_url!r}"
        )
    if config.structured_output not in STRUCTURED_OUTPUT_MODES:
        raise BackendError(
            f"openai structured_output {config.structured_output!r} is not one of "
            f"{', '.join(STRUCTURED_OUTPUT_MODES)}"
        )
    if config.http_timeout_s <= 0:
        raise BackendError(f"openai http_timeout_s must be > 0, got {config.http_timeout_s}")


def identity(config: OpenAiConfig) -> tuple[str, Locality]:
    """(model, locality) without building the backend (or opening a connection)."""
    return config.model or "default", resolve_locality(config, locality_of_url(config.base_url))


class OpenAiCompatBackend:
    name = "openai"

    def __init__(self, config: OpenAiConfig) -> None:
        self._url = config.base_url.rstrip("/") + "/chat/completions"
        self.model, self.locality = identity(config)
        self._api_key_env = config.api_key_env
        self._http_timeout_s = config.http_timeout_s
        if config.structured_output == "auto":
            self._forms: tuple[str, ...] = _FORMS
        elif config.structured_output in _FORMS:
            self._forms = (config.structured_output,)
        else:
            raise BackendError(f"unknown structured_output {config.structured_output!r}")
        self._form_index = 0

    def self_test(self) -> None:
        """Nothing to run at load: a server may come up after the robot, and each request's
        failure already marks the backend unavailable so the backend choice falls back."""

    @property
    def structured_form(self) -> str:
        """The structured-output form that the next request will use."""
        return self._forms[self._form_index]

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        key = os.environ.get(self._api_key_env, "") if self._api_key_env else ""
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _body(self, request: LlmRequest, form: str) -> bytes:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [dict(m) for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
        }
        fmt = response_format(form, request.json_schema) if request.json_schema else None
        if fmt is not None:
            body["response_format"] = fmt
        return json.dumps(body).encode("utf-8")

    def _reply(self, request: LlmRequest, text: str, tokens: int, deadline: Deadline,
               first_token_at: float | None, error: str | None) -> LlmReply:
        # Generation time runs from the first token: the time before it is the network and the
        # server's prompt evaluation, which the latency figure already includes.
        gen = time.monotonic() - first_token_at if first_token_at is not None else 0.0
        return LlmReply(
            request_id=request.request_id,
            text=text,
            backend=self.name,
            model=self.model,
            locality=self.locality,
            tokens=tokens,
            generation_time_s=gen,
            latency_s=deadline.elapsed(),
            error=error,
        )

    def generate(self, request: LlmRequest, should_cancel: Callable[[], bool]) -> LlmReply:
        deadline = Deadline(request.timeout_s)
        while True:
            form = self._forms[self._form_index]
            reply, status = self._attempt(request, form, deadline, should_cancel)
            can_fall_back = self._form_index + 1 < len(self._forms)
            if can_fall_back and _format_rejected(status, reply.error or ""):
                self._form_index += 1
                continue
            return reply

    def _attempt(self, request: LlmRequest, form: str, deadline: Deadline,
                 should_cancel: Callable[[], bool]) -> tuple[LlmReply, int | None]:
        """One HTTP request; returns the reply and the HTTP error status if there was one."""
        timeout = max(0.1, min(self._http_timeout_s, deadline.remaining()))
        # Imported here, not at the top: the planner process imports this module for its
        # config class alone and needs no http.client or ssl (about 5 MB in a bare
        # interpreter; in the brain's slow_path the saving did not show, BENCHMARKS.md).
        from robot_brain.core.llm.sse_stream import SseStream

        stream = SseStream(self._url, self._body(request, form), self._headers(), timeout)
        parts: list[str] = []
        tokens = 0
        usage_tokens: int | None = None
        first_token_at: float | None = None
        finished = False

        def done(error: str | None, status: int | None = None) -> tuple[LlmReply, int | None]:
            stream.close()
            count = usage_tokens if usage_tokens is not None else tokens
            reply = self._reply(request, "".join(parts), count, deadline, first_token_at, error)
            return reply, status

        while True:
            if should_cancel():
                return done(ERROR_CANCELLED)
            if deadline.expired():
                return done(ERROR_TIMEOUT)
            try:
                kind, payload = stream.events.get(timeout=min(_POLL_S, deadline.remaining()))
            except queue.Empty:
                continue
            if kind == "data":
                usage = payload.get("usage") or {}
                if isinstance(usage.get("completion_tokens"), int):
                    usage_tokens = usage["completion_tokens"]
                for choice in payload.get("choices") or []:
                    finished = finished or bool(choice.get("finish_reason"))
                    delta = choice.get("delta") or {}
                    content = delta.get("content") or ""
                    if content:
                        if first_token_at is None:
                            first_token_at = time.monotonic()
                        parts.append(content)
                        tokens += 1  # servers stream one token per chunk
            elif kind == "complete":
                # Not streamed: the whole completion at once (servers may ignore `stream`).
                if not isinstance(payload, dict):
                    return done("backend error: a non-streamed reply that is not an object")
                usage = payload.get("usage") or {}
                if isinstance(usage.get("completion_tokens"), int):
                    usage_tokens = usage["completion_tokens"]
                choices = payload.get("choices") or []
                message = (choices[0].get("message") or {}) if choices and \
                    isinstance(choices[0], dict) else {}
                content = message.get("content") if isinstance(message, dict) else None
                if not isinstance(content, str):
                    return done("backend error: a non-streamed reply without message content")
                first_token_at = time.monotonic()
                parts.append(content)
                tokens = max(1, len(content.split()))
                return done(None)
            elif kind == "done":
                return done(None)
            elif kind == "eof":
                # Some servers close after the final chunk without a [DONE] line.
                return done(None if finished else "connection error: stream ended early")
            elif kind == "http_error":
                status, text = payload
                return done(f"http {status}: {text}", status)
            else:
                return done(str(payload))
