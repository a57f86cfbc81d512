"""The one list of LLM backend kinds: kind -> its module, config, class and locality rule.

Every other place (the backend choice's known kinds, the CLI's and the planner node's choices
and parameters, the worker) reads the kinds from here. Adding a backend is one new module plus
one line in `KINDS`; the module imports only robot_brain.core.llm.types and provides

    <config>           its settings: a BackendConfig subclass whose fields are parameters
                       (the planner declares them, `settings_class`)
    validate(config)   cheap checks needing no heavy import; raises BackendError with the fix
    identity(config)   (model, locality) without building the backend
    prepare(config)    optional: work done in the parent before a worker spawns (e.g. locate
                       the model file), returning the config the child gets
    <cls>(config)      the backend (an LlmBackend)

A backend's module is imported only when one of its functions or its config is needed, and
imports its heavy dependencies only when the backend is built, so choosing one backend never
imports another's dependencies (nor numpy into a worker before it has set its thread counts).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, make_dataclass
from types import MappingProxyType, ModuleType
from typing import Any, cast

from robot_brain.core.config.params import group
from robot_brain.core.llm.types import (
    BackendConfig,
    BackendError,
    LlmBackend,
    Locality,
    check_locality_override,
)


@dataclass(frozen=True)
class BackendKind:
    module: str  # the backend's module (config, validate, identity, optional prepare, class)
    cls: str  # the LlmBackend class in `module`
    config: str  # the BackendConfig subclass in `module`
    #: Prefix of its parameters' names in the planner (none: names as the config declares).
    prefix: str = ""
    #: Runs on board whatever the configuration says (its locality cannot be forced 'remote').
    on_board_only: bool = False
    #: One of the `auto` route's candidates by default (a real model, not a test double).
    auto_candidate: bool = True


KINDS: Mapping[str, BackendKind] = MappingProxyType({
    "llama_cpp": BackendKind("robot_brain.core.llm.llama_cpp_backend", "LlamaCppBackend",
                             "LlamaCppConfig", on_board_only=True),
    "openai": BackendKind("robot_brain.core.llm.openai_compat", "OpenAiCompatBackend",
                          "OpenAiConfig"),
    "scripted": BackendKind("robot_brain.core.llm.scripted", "ScriptedBackend",
                            "ScriptedConfig", prefix="scripted_", auto_candidate=False),
})
#: The kind names in registry order (the first is the default preferred backend).
BACKEND_KINDS: tuple[str, ...] = tuple(KINDS)
DEFAULT_BACKEND = BACKEND_KINDS[0]


def default_auto_candidates() -> tuple[str, ...]:
    return tuple(name for name, kind in KINDS.items() if kind.auto_candidate)


def _module(kind: str) -> ModuleType:
    return importlib.import_module(KINDS[kind].module)


def config_class(kind: str) -> type[BackendConfig]:
    """The settings class of backend `kind` (its fields are the backend's parameters)."""
    return cast(type[BackendConfig], getattr(_module(kind), KINDS[kind].config))


@functools.cache
def settings_class() -> type[Any]:
    """A frozen dataclass with one field per registered backend, named by its kind, holding
    that backend's config as a parameter group (prefixed as `KINDS` says): what the planner
    declares, so a new backend's parameters appear without touching the planner."""
    return make_dataclass(
        "BackendSettings",
        [(name, config_class(name), group(config_class(name), prefix=kind.prefix))
         for name, kind in KINDS.items()],
        frozen=True)


def validate_config(config: BackendConfig) -> None:
    """Cheap checks that need no heavy import; raises BackendError with the fix."""
    kind = KINDS.get(config.kind)
    if kind is None:
        raise BackendError(
            f"unknown LLM backend kind {config.kind!r}; expected one of {', '.join(BACKEND_KINDS)}"
        )
    expected = config_class(config.kind)
    if not isinstance(config, expected):
        raise BackendError(f"a {config.kind} backend needs a {expected.__name__}, got "
                           f"{type(config).__name__}")
    check_locality_override(config, kind.on_board_only)
    _module(config.kind).validate(config)


def backend_identity(config: BackendConfig) -> tuple[str, str, Locality]:
    """(name, model, locality) of a configured backend without building it.

    The worker's parent side uses this to label replies it synthesises (timeout, crash)
    before the child has reported what it loaded.
    """
    model, locality = _module(config.kind).identity(config)
    return config.kind, model, locality


def prepare_config(config: BackendConfig) -> BackendConfig:
    """What the parent does before a worker spawns (raises BackendError), or nothing."""
    prepare = getattr(_module(config.kind), "prepare", None)
    return config if prepare is None else cast(BackendConfig, prepare(config))


def make_backend(config: BackendConfig) -> LlmBackend:
    """Build (and for llama_cpp, load) the configured backend. Raises BackendError."""
    validate_config(config)
    cls = getattr(_module(config.kind), KINDS[config.kind].cls)
    return cast(LlmBackend, cls(config))
