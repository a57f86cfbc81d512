"""The embedded backend: a GGUF model run in-process by llama-cpp-python.

The default model is the BASE Gemma 3 270M: it has no chat template, so it is driven by a raw
few-shot completion prompt, and its output is forced into the plan schema by a grammar built
from the JSON schema. Tokens are streamed so cancellation is checked between tokens; breaking
out of the stream stops generation and leaves the model loaded.

llama.cpp reuses the KV cache for the longest common prompt prefix, so a prompt whose fixed
part (skills, examples) comes first and whose variable part (scene, instruction) comes last is
only evaluated in full once.

The grammar is llama-cpp-python's JSON-schema conversion, reshaped to the prompt's own format
(see schema_gbnf): a grammar that forces a token sequence the examples never show pushes a
270M base model off its few-shot pattern, and it then copies the wrong example.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robot_brain.core.llm.model_files import DEFAULT_MODEL_NAME, resolve_model_path
from robot_brain.core.llm.types import (
    ERROR_CANCELLED,
    ERROR_TIMEOUT,
    BackendConfig,
    BackendError,
    Deadline,
    LlmReply,
    LlmRequest,
    Locality,
    param,
)

if TYPE_CHECKING:
    from robot_brain.core.llm.grammar_sampler import GreedyGrammarSampler

LLAMA_REQUIREMENT = "llama-cpp-python==0.3.36"
# Grammars compile in milliseconds but the planner sends the same schema every time.
_GRAMMAR_CACHE_SIZE = 8
#: Object keys first in this order, then in the schema's order. "skill" leads every step, as in
#: the prompt's examples, so the model names the skill before its arguments. Without an order
#: the converter keeps the schema's order, which is fragile: sorting the schema's keys (as a
#: cache key does) once made the grammar demand "place" before "skill", and the model, unable
#: to write {"skill": "navigate_to", "place": ...}, fell into the x/y variant.
KEY_ORDER: tuple[str, ...] = ("steps", "skill")
# A GBNF rule body, tokenised just enough to leave quoted literals and character classes alone.
_GBNF_ATOM = re.compile(r'"(?:[^"\\]|\\.)*"|\[(?:[^\]\\]|\\.)*\]|[^"\[]+')
_SPACE_REF = re.compile(r"(?<![\w-])space(?![\w-])")
# JSON forbids raw control characters in strings; the converter's char rule allows them.
_JSON_CHAR = r'[^"\\\x7F\x00-\x1F]'


class GrammarError(ValueError):
    """A schema llama-cpp-python's converter turned into GBNF of an unexpected shape."""


def schema_gbnf(schema: Mapping[str, Any], key_order: Sequence[str] = KEY_ORDER) -> str:
    """GBNF accepting exactly the JSON that json.dumps(separators=(", ", ": ")) writes.

    llama-cpp-python's converter allows an optional space around every separator; a base
    model then has free choices the examples never show, and "Plan:" followed by a glued "{"
    is one of them. Here every separator is fixed to the examples' ", " and ": ", nothing
    else is allowed between tokens, and the root takes one optional leading space, because
    the prompt ends in "Plan:" and the tokeniser writes the object's start as " {\"".
    """
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    text = json_schema_to_gbnf(json.dumps(schema), prop_order=list(key_order))
    rules: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, body = line.partition(" ::= ")
        if not sep:
            raise GrammarError(f"unexpected GBNF line from the converter: {line[:80]!r}")
        rules[name] = body
    if "root" not in rules or "plan" in rules or rules.get("space") != '" "?':
        raise GrammarError("the converter's GBNF lacks a root rule, already has a 'plan' rule "
                           "or has an unknown space rule")
    del rules["space"]
    out = ['root ::= " "? plan']
    for name, body in rules.items():
        atoms = []
        for atom in _GBNF_ATOM.findall(body):
            if atom == '","':
                atom = '", "'
            elif atom == '":"':
                atom = '": "'
            elif atom == '[^"\\\\]' and name == "char":
                atom = _JSON_CHAR
            elif not atom.startswith(('"', "[")):
                atom = _SPACE_REF.sub("", atom)
            atoms.append(atom)
        body = re.sub(r" {2,}", " ", "".join(atoms)).strip()
        out.append(f"{'plan' if name == 'root' else name} ::= {body}")
    return "\n".join(out)


@dataclass(frozen=True)
class LlamaCppConfig(BackendConfig):
    kind: str = "llama_cpp"
    model_path: str = param("", "GGUF file; '' = the packaged Gemma 3 270M (assembled once into "
                            "the cache directory).")
    n_threads: int = param(1, "Threads of the local model's worker.", min=1, max=64)
    n_ctx: int = param(2048, "Context length of the local model.", min=64, max=131072)
    prior_s: float = param(3.0, "Expected llama_cpp generation time before any is measured.",
                           unit="s", min=0.0, max=600.0, name="prior_llama_cpp_s")

    @property
    def worker_threads(self) -> int:
        return self.n_threads

    @property
    def prior_time_s(self) -> float:
        return self.prior_s


def validate(config: LlamaCppConfig) -> None:
    if config.n_threads < 1:
        raise BackendError(f"llama_cpp n_threads must be >= 1, got {config.n_threads}")
    if config.n_ctx < 64:
        raise BackendError(f"llama_cpp n_ctx must be >= 64, got {config.n_ctx}")


def identity(config: LlamaCppConfig) -> tuple[str, Locality]:
    """(model, locality) without loading anything: the model file's name."""
    return (Path(config.model_path).name if config.model_path else DEFAULT_MODEL_NAME,
            Locality.LOCAL)


def prepare(config: LlamaCppConfig) -> LlamaCppConfig:
    """Locate (and for the packaged model, assemble once) the model file in the parent, so a
    missing package or file is a BackendError at start-up rather than a crashing child."""
    return dataclasses.replace(config, model_path=str(resolve_model_path(config.model_path)))


class LlamaCppBackend:
    name = "llama_cpp"
    locality = Locality.LOCAL

    def __init__(self, config: LlamaCppConfig, fast_grammar: bool = True) -> None:
        try:
            import llama_cpp
        except ImportError as exc:
            raise BackendError(
                "the llama_cpp backend needs llama-cpp-python: "
                f"`pip install {LLAMA_REQUIREMENT}` (compiles llama.cpp; needs a C/C++ compiler "
                "and cmake), or choose the openai or scripted backend"
            ) from exc
        self._llama_cpp = llama_cpp
        path = resolve_model_path(config.model_path)
        self.model = path.name
        self.model_path = str(path)
        start = time.monotonic()
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(path),
                n_threads=config.n_threads,
                n_threads_batch=config.n_threads,
                n_ctx=config.n_ctx,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise BackendError(f"llama.cpp cannot load {path}: {exc}") from exc
        self.load_time_s = time.monotonic() - start
        self._grammars: dict[str, Any] = {}
        self._fast_grammar = fast_grammar
        # One candidate buffer for the full-vocabulary grammar pass (3 MB for Gemma's vocab).
        # Imported here, in the worker, after it has set its thread counts (numpy reads them
        # when it loads); the module itself stays light, so its config unpickles cheaply.
        import numpy as np

        from robot_brain.core.llm.grammar_sampler import TOKEN_DATA_DTYPE, GreedyGrammarSampler

        self._sampler_cls = GreedyGrammarSampler
        self._candidates = np.zeros(self._llm.n_vocab(), dtype=TOKEN_DATA_DTYPE)
        self.last_full_grammar_passes = 0

    def self_test(self) -> None:
        """One token from a two-word prompt: the first generation is where a build for the
        wrong CPU dies (llama.cpp picks its SIMD kernels when it first computes)."""
        try:
            self._llm.create_completion(prompt="The robot", max_tokens=1, temperature=0.0)
        except Exception as exc:  # noqa: BLE001 - any failure here means it cannot plan
            raise BackendError(f"llama.cpp cannot generate: {type(exc).__name__}: {exc}") from exc
        finally:
            self._llm.reset()  # the planner's prompt must not find this one in the KV cache

    def _grammar(self, schema: dict) -> Any:
        key = json.dumps(schema, sort_keys=True)
        grammar = self._grammars.get(key)
        if grammar is None:
            if len(self._grammars) >= _GRAMMAR_CACHE_SIZE:
                self._grammars.clear()
            grammar = self._llama_cpp.LlamaGrammar.from_string(schema_gbnf(schema),
                                                               verbose=False)
            self._grammars[key] = grammar
        return grammar

    def _reply(self, request: LlmRequest, text: str, tokens: int, deadline: Deadline,
               error: str | None) -> LlmReply:
        return LlmReply(
            request_id=request.request_id,
            text=text,
            backend=self.name,
            model=self.model,
            locality=self.locality,
            tokens=tokens,
            generation_time_s=deadline.elapsed(),
            latency_s=deadline.elapsed(),
            error=error,
        )

    def generate(self, request: LlmRequest, should_cancel: Callable[[], bool]) -> LlmReply:
        deadline = Deadline(request.timeout_s)
        parts: list[str] = []
        tokens = 0
        error: str | None = None
        sampler: GreedyGrammarSampler | None = None
        try:
            grammar = self._grammar(request.json_schema) if request.json_schema else None
            if grammar is not None and self._fast_grammar and request.temperature == 0.0:
                sampler = self._sampler_cls(self._llama_cpp, self._llm._model.vocab, grammar,
                                            self._candidates)
                # Llama.generate asks _init_sampler for the sampler it then calls sample() on;
                # an instance attribute shadows the method for this request only.
                self._llm._init_sampler = lambda **_: sampler  # type: ignore[method-assign]
                grammar = None
            stream = self._llm.create_completion(
                prompt=request.prompt,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                grammar=grammar,
                stream=True,
            )
            try:
                # The first next() evaluates the prompt; cancellation is checked after it.
                for chunk in stream:
                    tokens += 1
                    parts.append(chunk["choices"][0]["text"])  # type: ignore[index]
                    if should_cancel():
                        error = ERROR_CANCELLED
                        break
                    if deadline.expired():
                        error = ERROR_TIMEOUT
                        break
            finally:
                stream.close()  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - generate must turn every failure into a reply
            error = f"backend error: {type(exc).__name__}: {exc}"
        finally:
            if sampler is not None:
                self._llm.__dict__.pop("_init_sampler", None)
                self._llm._sampler = None
                self.last_full_grammar_passes = sampler.full_passes
                sampler.close()
        return self._reply(request, "".join(parts), tokens, deadline, error)
