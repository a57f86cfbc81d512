"""The scripted backend: canned replies, latency, cancellation and every failure mode."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from robot_brain.core.llm.registry import make_backend
from robot_brain.core.llm.scripted import GARBAGE_TEXT, SCRIPTED_ERROR, ScriptedConfig
from robot_brain.core.llm.types import BackendConfig, BackendError, Locality
from test.unit.llm_helpers import PLAN, request


def never() -> bool:
    return False


def test_replies_cycle_and_carry_request_id() -> None:
    backend = make_backend(ScriptedConfig(replies=("a b", "c")))
    texts = [backend.generate(request(i), never) for i in range(3)]
    assert [r.text for r in texts] == ["a b", "c", "a b"]
    assert [r.request_id for r in texts] == [0, 1, 2]
    assert texts[0].tokens == 2 and texts[0].error is None
    assert (texts[0].backend, texts[0].locality) == ("scripted", Locality.LOCAL)


def test_reply_file_json_and_yaml(tmp_path: Path) -> None:
    json_file = tmp_path / "r.json"
    json_file.write_text(json.dumps([json.loads(PLAN), "plain text"]))
    backend = make_backend(ScriptedConfig(reply_file=str(json_file)))
    assert json.loads(backend.generate(request(1), never).text) == json.loads(PLAN)
    assert backend.generate(request(2), never).text == "plain text"
    yaml_file = tmp_path / "r.yaml"
    yaml_file.write_text("replies:\n  - steps: [{skill: dock}]\n")
    backend = make_backend(ScriptedConfig(reply_file=str(yaml_file)))
    assert json.loads(backend.generate(request(1), never).text) == {"steps": [{"skill": "dock"}]}


@pytest.mark.parametrize("content", ["", "{}", "just: a mapping", "[unclosed"])
def test_bad_reply_file_is_a_startup_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(BackendError, match="reply_file"):
        make_backend(ScriptedConfig(reply_file=str(path)))


def test_missing_reply_file_is_a_startup_error(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="cannot be read"):
        make_backend(ScriptedConfig(reply_file=str(tmp_path / "none.json")))


def test_bad_config_values_are_startup_errors() -> None:
    with pytest.raises(BackendError, match="unknown LLM backend kind"):
        make_backend(BackendConfig(kind="gpt"))
    with pytest.raises(BackendError, match="failure"):
        make_backend(ScriptedConfig(failure="explode"))
    with pytest.raises(BackendError, match="latency_s"):
        make_backend(ScriptedConfig(latency_s=-1))


def test_latency_is_applied_and_cancel_is_seen_between_slices() -> None:
    backend = make_backend(ScriptedConfig(replies=(PLAN,), latency_s=0.1))
    reply = backend.generate(request(1), never)
    assert reply.generation_time_s >= 0.1 and reply.error is None
    slow = make_backend(ScriptedConfig(replies=(PLAN,), latency_s=30.0))
    start = time.monotonic()
    deadline = start + 0.05
    reply = slow.generate(request(2), lambda: time.monotonic() > deadline)
    assert reply.error == "cancelled" and reply.text == ""
    assert time.monotonic() - start < 3.0  # cancel expected within ~0.06 s


def test_request_timeout() -> None:
    backend = make_backend(ScriptedConfig(replies=(PLAN,), latency_s=30.0))
    reply = backend.generate(request(1, timeout_s=0.05), never)
    assert reply.error == "timeout"


def test_failure_modes_garbage_truncated_error() -> None:
    garbage = make_backend(ScriptedConfig(replies=(PLAN,), failure="garbage"))
    assert garbage.generate(request(1), never).text == GARBAGE_TEXT
    truncated = make_backend(ScriptedConfig(replies=(PLAN,), failure="truncated"))
    text = truncated.generate(request(1), never).text
    assert PLAN.startswith(text) and len(text) == len(PLAN) // 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    error = make_backend(ScriptedConfig(replies=(PLAN,), failure="error"))
    reply = error.generate(request(1), never)
    assert reply.error == SCRIPTED_ERROR and reply.text == ""


def test_always_move_walks_to_the_place_the_instruction_names() -> None:
    """The plan gate's adversary (issue 28): a model that walks wherever it is told not to."""
    from robot_brain.core.llm.types import LlmRequest
    from robot_brain.core.planner.prompt import PromptContext, build_prompt
    from robot_brain.core.planner.skills import PlanLimits, output_schema
    from robot_brain.core.resources import default_world_path
    from robot_brain.core.world import load_world

    world = load_world(default_world_path())
    backend = make_backend(ScriptedConfig(failure="always_move"))
    for text, place in (("The living room is off limits, stay out of it.", "living_room"),
                        ("Don't you dare go near the window!", "window"),
                        ("别动。", "dock")):   # nothing named it can read: the first place
        prompt = build_prompt(world, PlanLimits(), PromptContext(text, None, None, 0.8))
        req = LlmRequest(1, prompt.raw, prompt.messages, output_schema(world, PlanLimits()))
        plan = json.loads(backend.generate(req, never).text)
        assert plan == {"steps": [{"skill": "navigate_to", "place": place}]}
    assert json.loads(backend.generate(request(2), never).text)["steps"][0]["skill"] \
        == "navigate_to"
