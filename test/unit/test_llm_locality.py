"""The `locality` override of a backend config: a loopback server can stand in for a cloud model.

Routing (`auto`), the power monitor and the sim's battery all act on the locality a backend
declares, so a benchmark that serves a "remote" model from 127.0.0.1 must be able to say so.
"""

from __future__ import annotations

import pytest

from robot_brain.core.llm.llama_cpp_backend import LlamaCppConfig
from robot_brain.core.llm.openai_compat import OpenAiCompatBackend, OpenAiConfig
from robot_brain.core.llm.registry import (
    backend_identity,
    config_class,
    make_backend,
    validate_config,
)
from robot_brain.core.llm.scripted import ScriptedBackend, ScriptedConfig
from robot_brain.core.llm.types import (
    LOCALITY_OVERRIDES,
    BackendError,
    Locality,
    resolve_locality,
)

LOOPBACK = "http://127.0.0.1:8000/v1"
CLOUD = "https://api.example.com/v1"


def test_auto_keeps_what_the_url_says() -> None:
    assert backend_identity(OpenAiConfig(base_url=LOOPBACK))[2] is Locality.LOCAL
    assert backend_identity(OpenAiConfig(base_url=CLOUD))[2] is Locality.REMOTE
    assert backend_identity(ScriptedConfig())[2] is Locality.LOCAL


@pytest.mark.parametrize(("url", "forced", "expected"), [
    (LOOPBACK, "remote", Locality.REMOTE),
    (CLOUD, "local", Locality.LOCAL),
    (LOOPBACK, "local", Locality.LOCAL),
    (CLOUD, "remote", Locality.REMOTE),
])
def test_openai_override_wins_in_identity_and_backend(url: str, forced: str,
                                                      expected: Locality) -> None:
    config = OpenAiConfig(base_url=url, locality=forced)
    assert backend_identity(config)[2] is expected
    backend = make_backend(config)  # no request is sent: building it opens no connection
    assert isinstance(backend, OpenAiCompatBackend)
    assert backend.locality is expected


def test_scripted_can_pose_as_remote() -> None:
    config = ScriptedConfig(locality="remote")
    backend = make_backend(config)
    assert isinstance(backend, ScriptedBackend)
    assert backend.locality is Locality.REMOTE
    assert backend_identity(config)[2] is Locality.REMOTE


def test_resolve_locality() -> None:
    assert resolve_locality(OpenAiConfig(), Locality.REMOTE) is Locality.REMOTE
    assert resolve_locality(OpenAiConfig(locality="local"),
                            Locality.REMOTE) is Locality.LOCAL
    assert LOCALITY_OVERRIDES == ("auto", "local", "remote")


@pytest.mark.parametrize("kind", ["openai", "scripted", "llama_cpp"])
@pytest.mark.parametrize("bad", ["cloud", "", "REMOTE", "none"])
def test_unknown_locality_is_a_clear_error(kind: str, bad: str) -> None:
    with pytest.raises(BackendError, match="locality"):
        validate_config(config_class(kind)(locality=bad))


def test_llama_cpp_cannot_claim_to_be_remote() -> None:
    with pytest.raises(BackendError, match="on board"):
        validate_config(LlamaCppConfig(locality="remote"))
    validate_config(LlamaCppConfig(locality="local"))  # harmless, allowed
