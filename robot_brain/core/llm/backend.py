"""The one interface every LLM backend implements, its request/reply types and its factory.

A backend turns one LlmRequest into one LlmReply, checking `should_cancel` between tokens (or
chunks, or sleep slices). It never raises out of `generate`: every failure is a reply whose
`error` says what went wrong, so the worker and planner have a single path to handle.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from robot_brain.core.errors import StartupError

BACKEND_KINDS = ("llama_cpp", "openai", "scripted")
#: 'illegal_instruction' dies with SIGILL in its start-up self-test, as llama.cpp built for a CPU
#: feature the machine lacks does: it exercises the start-up failure path without that CPU.
SCRIPTED_FAILURES = ("none", "hang", "garbage", "error", "crash", "truncated",
                     "illegal_instruction")
STRUCTURED_OUTPUT_MODES = ("auto", "json_schema", "json_object", "none")
#: `locality` of a backend config: 'auto' = what the backend is (openai: from the URL); the
#: others force it, e.g. so a loopback server can stand in for a cloud model in a benchmark.
LOCALITY_OVERRIDES = ("auto", "local", "remote")

# The error strings the planner can match on; anything else starts with one of the prefixes
# "http <code>: ", "connection error: ", "backend error: ", "worker crashed: ".
ERROR_TIMEOUT = "timeout"
ERROR_CANCELLED = "cancelled"


class BackendError(StartupError):
    """A backend cannot be created: missing package, missing model file, bad configuration."""


class Locality(str, enum.Enum):
    LOCAL = "local"
    REMOTE = "remote"


@dataclass(frozen=True)
class LlmRequest:
    request_id: int
    prompt: str  # raw few-shot completion prompt (base models: llama_cpp)
    messages: tuple[dict[str, str], ...]  # chat form of the same prompt (openai)
    json_schema: dict  # the plan schema that constrains output
    max_tokens: int = 256
    timeout_s: float = 20.0
    temperature: float = 0.0


@dataclass(frozen=True)
class LlmReply:
    request_id: int
    text: str  # raw model output; the planner parses and validates it
    backend: str  # "llama_cpp" | "openai" | "scripted"
    model: str
    locality: Locality
    tokens: int  # generated tokens
    generation_time_s: float
    latency_s: float  # submit -> reply; the worker overwrites the backend's own figure
    error: str | None = None


class LlmBackend(Protocol):
    name: str
    model: str
    locality: Locality

    def generate(self, request: LlmRequest, should_cancel: Callable[[], bool]) -> LlmReply: ...

    def self_test(self) -> None:
        """A tiny generation at load, so a backend that cannot generate (a native crash such as
        SIGILL, a broken model) fails at start rather than at the first instruction. Raises
        BackendError; a native crash kills the worker process, which the parent names."""


@dataclass(frozen=True)
class BackendConfig:
    """Everything needed to build a backend; picklable so it can cross into the worker."""

    kind: str  # "llama_cpp" | "openai" | "scripted"
    # llama_cpp; '' = the packaged Gemma 3 270M GGUF, assembled once into the cache directory
    model_path: str = ""
    n_threads: int = 1
    n_ctx: int = 2048
    # openai
    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    http_timeout_s: float = 30.0
    structured_output: str = "auto"  # auto | json_schema | json_object | none
    # scripted
    replies: tuple[str, ...] = ()  # cycled
    reply_file: str = ""  # JSON or YAML list of replies (strings, or objects sent as JSON)
    latency_s: float = 0.0
    failure: str = "none"  # none | hang | garbage | error | crash | truncated
    # openai and scripted: 'auto' | 'local' | 'remote' (llama_cpp always runs on board)
    locality: str = "auto"


def resolve_locality(config: BackendConfig, natural: Locality) -> Locality:
    """The backend's own locality unless the configuration forces one."""
    return natural if config.locality == "auto" else Locality(config.locality)


def validate_config(config: BackendConfig) -> None:
    """Cheap checks that need no heavy import; raises BackendError with the fix."""
    if config.kind not in BACKEND_KINDS:
        raise BackendError(
            f"unknown LLM backend kind {config.kind!r}; expected one of {', '.join(BACKEND_KINDS)}"
        )
    if config.locality not in LOCALITY_OVERRIDES:
        raise BackendError(
            f"locality {config.locality!r} is not one of {', '.join(LOCALITY_OVERRIDES)}"
        )
    if config.kind == "llama_cpp":
        if config.locality == "remote":
            raise BackendError("llama_cpp runs on board: its locality cannot be 'remote'")
        if config.n_threads < 1:
            raise BackendError(f"llama_cpp n_threads must be >= 1, got {config.n_threads}")
        if config.n_ctx < 64:
            raise BackendError(f"llama_cpp n_ctx must be >= 64, got {config.n_ctx}")
    elif config.kind == "openai":
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
    else:
        if config.failure not in SCRIPTED_FAILURES:
            raise BackendError(
                f"scripted failure {config.failure!r} is not one of {', '.join(SCRIPTED_FAILURES)}"
            )
        if config.latency_s < 0:
            raise BackendError(f"scripted latency_s must be >= 0, got {config.latency_s}")


def make_backend(config: BackendConfig) -> LlmBackend:
    """Build (and for llama_cpp, load) the configured backend. Raises BackendError."""
    validate_config(config)
    # Imported here so that choosing one backend never imports another's dependencies.
    if config.kind == "llama_cpp":
        from robot_brain.core.llm.llama_cpp_backend import LlamaCppBackend

        return LlamaCppBackend(config)
    if config.kind == "openai":
        from robot_brain.core.llm.openai_compat import OpenAiCompatBackend

        return OpenAiCompatBackend(config)
    from robot_brain.core.llm.scripted import ScriptedBackend

    return ScriptedBackend(config)


def backend_identity(config: BackendConfig) -> tuple[str, str, Locality]:
    """(name, model, locality) of a configured backend without building it.

    The worker's parent side uses this to label replies it synthesises (timeout, crash)
    before the child has reported what it loaded.
    """
    if config.kind == "llama_cpp":
        from pathlib import Path

        model = Path(config.model_path).name if config.model_path else "gemma-3-270m-q4_k_m.gguf"
        return "llama_cpp", model, Locality.LOCAL
    if config.kind == "openai":
        from robot_brain.core.llm.openai_compat import locality_of_url

        return ("openai", config.model or "default",
                resolve_locality(config, locality_of_url(config.base_url)))
    return "scripted", "scripted", resolve_locality(config, Locality.LOCAL)


class Deadline:
    """A request's time budget on the monotonic clock (shared by all processes on Linux)."""

    def __init__(self, timeout_s: float) -> None:
        self.start = time.monotonic()
        self.end = self.start + timeout_s

    def expired(self) -> bool:
        return time.monotonic() > self.end

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self.start
