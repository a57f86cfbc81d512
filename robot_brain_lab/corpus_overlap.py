"""Exact and near-duplicate overlap between the training corpus and the evaluation set.

An evaluation that shares texts with the training data measures memory, not understanding.
Texts are compared after normalisation (fold, punctuation off, spaces collapsed), then by the
Jaccard similarity of their character 3-gram sets. The search is an inverted index over the
corpus's 3-grams in numpy, so checking ~40k corpus texts against ~200 cases takes seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from robot_brain.core.planner.vertical.text import fold

#: Above this 3-gram Jaccard similarity two texts count as near-duplicates.
NEAR_DUPLICATE_JACCARD = 0.8
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


@dataclass(frozen=True)
class Overlap:
    eval_text: str
    corpus_text: str
    jaccard: float


def normalise(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def trigrams(text: str) -> frozenset[str]:
    padded = f" {normalise(text)} "
    return frozenset(padded[i:i + 3] for i in range(max(1, len(padded) - 2)))


def find_overlaps(eval_texts: Sequence[str], corpus_texts: Sequence[str],
                  threshold: float = NEAR_DUPLICATE_JACCARD) -> list[Overlap]:
    """Every (eval, corpus) pair that is equal after normalisation or above `threshold`.

    Equal normalised texts have equal 3-gram sets (Jaccard 1), so one scan finds both kinds.
    """
    corpus_norm = [normalise(t) for t in corpus_texts]
    gram_ids: dict[str, int] = {}
    postings: list[list[int]] = []
    sizes = np.zeros(len(corpus_texts), dtype=np.int64)
    for doc, text in enumerate(corpus_texts):
        grams = trigrams(text)
        sizes[doc] = len(grams)
        for g in grams:
            gid = gram_ids.setdefault(g, len(postings))
            if gid == len(postings):
                postings.append([])
            postings[gid].append(doc)
    arrays = [np.asarray(p, dtype=np.int64) for p in postings]
    found: list[Overlap] = []
    for text in eval_texts:
        norm = normalise(text)
        grams = trigrams(text)
        hits = [arrays[gram_ids[g]] for g in grams if g in gram_ids]
        if not hits:
            continue
        inter = np.bincount(np.concatenate(hits), minlength=len(corpus_texts))
        jac = inter / np.maximum(sizes + len(grams) - inter, 1)
        for idx in np.flatnonzero(jac > threshold - 1e-12):
            if jac[idx] > threshold or corpus_norm[idx] == norm:
                found.append(Overlap(text, corpus_texts[int(idx)], float(jac[idx])))
    return found
