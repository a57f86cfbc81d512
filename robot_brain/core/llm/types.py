"""The one interface every LLM backend implements and its request/reply types (a leaf module).

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

from robot_brain.core.config.params import param as param  # the backends' declaration helper
from robot_brain.core.errors import StartupError

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
    backend: str  # the backend kind (robot_brain.core.llm.registry)
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
    """What every backend's config carries; picklable so it can cross into the worker.

    Each backend's module subclasses it with its own settings, declared as parameters with
    `param` (re-exported above, so a backend imports nothing but this module): the planner
    declares every registered backend's parameters from these classes
    (robot_brain.core.llm.registry.settings_class), and no other place lists them."""

    kind: str  # a kind of robot_brain.core.llm.registry
    #: 'auto' | 'local' | 'remote': a backend that offers the choice declares it as a parameter
    locality: str = "auto"

    @property
    def worker_threads(self) -> int:
        """Threads the worker's numeric libraries may use (set before the backend loads)."""
        return 1

    @property
    def prior_time_s(self) -> float:
        """The expected time of a request before any is measured (the backend choice's)."""
        return 5.0


def resolve_locality(config: BackendConfig, natural: Locality) -> Locality:
    """The backend's own locality unless the configuration forces one."""
    return natural if config.locality == "auto" else Locality(config.locality)


def check_locality_override(config: BackendConfig, on_board_only: bool) -> None:
    """The `locality` setting is a known value, and never 'remote' for an on-board backend."""
    if config.locality not in LOCALITY_OVERRIDES:
        raise BackendError(
            f"locality {config.locality!r} is not one of {', '.join(LOCALITY_OVERRIDES)}"
        )
    if on_board_only and config.locality == "remote":
        raise BackendError(f"{config.kind} runs on board: its locality cannot be 'remote'")


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
