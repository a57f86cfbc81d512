"""Greedy, grammar-constrained token selection that checks the grammar on one token first.

llama-cpp-python puts the grammar sampler in front of the greedy pick, so every token runs the
grammar over the whole vocabulary: Gemma 3 has 262k tokens, which makes the grammar, not the
model, the dominant cost (measured: ~4 tokens/s with it vs ~50 without on a loaded 2-core
machine). llama.cpp's own `common/sampling` avoids this: take the best token, ask the grammar
about that single token, and only if it is rejected run the full-vocabulary pass. For greedy
decoding the result is identical (the best allowed token is the best token when it is
allowed).

Used through `Llama._init_sampler` (which returns an object with `sample(ctx, idx)`); the rest
of llama-cpp-python's completion path (tokenising, prompt-prefix KV reuse, streaming, stop at
end of generation) is unchanged.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

# Matches llama.h's `struct llama_token_data { int32 id; float logit; float p; }` (12 bytes).
TOKEN_DATA_DTYPE = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])


class GreedyGrammarSampler:
    """One request's sampler: owns a llama.cpp grammar sampler and frees it on close()."""

    def __init__(self, llama_cpp: Any, vocab: Any, grammar: Any, candidates: np.ndarray) -> None:
        self._lc = llama_cpp
        self._smpl = llama_cpp.llama_sampler_init_grammar(
            vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
        if not self._smpl:
            raise ValueError("llama.cpp rejected the grammar built from the JSON schema")
        self._n_vocab = len(candidates)
        self._full = candidates  # preallocated by the backend: ids 0..n-1, reused per token
        self._one = (llama_cpp.llama_token_data * 1)()
        self._one_array = llama_cpp.llama_token_data_array(
            data=ctypes.cast(self._one, llama_cpp.llama_token_data_p), size=1, selected=-1,
            sorted=False)
        self._full_array = llama_cpp.llama_token_data_array(
            data=self._full.ctypes.data_as(llama_cpp.llama_token_data_p), size=self._n_vocab,
            selected=-1, sorted=False)
        self.full_passes = 0
        self.tokens = 0

    def sample(self, ctx: Any, idx: int = -1) -> int:
        lc = self._lc
        logits_ptr = lc.llama_get_logits_ith(ctx.ctx, idx)
        logits = np.ctypeslib.as_array(logits_ptr, shape=(self._n_vocab,))
        token = int(np.argmax(logits))
        self._one[0].id = token
        self._one[0].logit = float(logits[token])
        self._one[0].p = 0.0
        self._one_array.size = 1
        self._one_array.selected = -1
        lc.llama_sampler_apply(self._smpl, ctypes.byref(self._one_array))
        if not np.isfinite(self._one[0].logit):  # the grammar set it to -inf: not allowed
            self._full["id"] = np.arange(self._n_vocab, dtype=np.int32)
            self._full["logit"] = logits
            self._full["p"] = 0.0
            self._full_array.size = self._n_vocab
            self._full_array.selected = -1
            lc.llama_sampler_apply(self._smpl, ctypes.byref(self._full_array))
            best = int(np.argmax(self._full["logit"][: self._full_array.size]))
            token = int(self._full["id"][best])
            self.full_passes += 1
        lc.llama_sampler_accept(self._smpl, token)
        self.tokens += 1
        return token

    def accept(self, token: int) -> None:
        """The grammar state already advanced in sample()."""

    def close(self) -> None:
        if self._smpl:
            self._lc.llama_sampler_free(self._smpl)
            self._smpl = None
