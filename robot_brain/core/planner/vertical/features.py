"""Hashed character n-gram and word features of one clause, computed in numpy.

The same function feeds training (scripts/train_planner_model.py) and inference, and uses
zlib.crc32 rather than Python's hash(), which is salted per process: a feature's column must
be the same on the training machine and on the robot.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from robot_brain.core.planner.vertical.text import tokens

#: Columns of the hashed feature vector (a power of two); part of the model's contract.
DEFAULT_DIM = 1 << 14
CHAR_NGRAMS = (2, 3, 4)
_PLACEHOLDER = re.compile(r"<([a-z])\d+>")


def generalise(clause: str) -> str:
    """"go to the <p3> for <d0>" -> "go to the <p> for <d>": slot identity is not a feature."""
    return _PLACEHOLDER.sub(r"<\1>", clause)


def feature_keys(clause: str) -> list[str]:
    """The strings hashed for a clause: words, word pairs and padded character n-grams."""
    text = generalise(clause)
    words = [w for w in tokens(text) if w.strip()]
    keys = [f"w:{w}" for w in words]
    keys += [f"b:{a}|{b}" for a, b in zip(words, words[1:], strict=False)]
    if words:
        keys.append(f"first:{words[0]}")
    for w in words:
        padded = f" {w} "
        for n in CHAR_NGRAMS:
            keys += [f"c:{padded[i:i + n]}" for i in range(max(1, len(padded) - n + 1))]
    return keys


def feature_indices(clause: str, dim: int = DEFAULT_DIM) -> dict[int, float]:
    """Column -> count for one clause (sparse form, used by training)."""
    counts: dict[int, float] = {}
    for key in feature_keys(clause):
        col = zlib.crc32(key.encode("utf-8")) % dim
        counts[col] = counts.get(col, 0.0) + 1.0
    return counts


def featurize(clauses: list[str], dim: int = DEFAULT_DIM) -> np.ndarray:
    """Rows of log-scaled, L2-normalised hashed counts, float32, shape (len(clauses), dim)."""
    out = np.zeros((len(clauses), dim), dtype=np.float32)
    for row, clause in enumerate(clauses):
        for col, count in feature_indices(clause, dim).items():
            out[row, col] = np.log1p(count)
        norm = float(np.linalg.norm(out[row]))
        if norm > 0.0:
            out[row] /= norm
    return out
