"""Word lists (gate.lexicon) compiled into regular expressions, once, at import.

One alternation per list, longest phrase first, so "never mind" wins over "never". Latin
phrases match whole words; CJK and kana phrases match anywhere. The syntax is described in
gate.lexicon.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_RE = re.compile("[" + _CJK + "]")
#: Between the words of a phrase: spaces (or a hyphen), and with `loose` punctuation too, so
#: "wait, no" and "wait... no" match "wait no".
_TIGHT_GAP = r"[\s-]+"
_LOOSE_GAP = r"[\s,;:.!?…\-–—]+"
#: `…` in a Latin phrase: up to three words in between.
_WORDS_GAP = r"(?:\s+[^\s,;:.!?…]+){0,3}\s+"
_BEFORE = r"(?<![\w'-])"
_AFTER = r"(?![\w'-])"


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def _latin(phrase: str, gap: str) -> str:
    words = phrase.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word == "…":
            out.append(_WORDS_GAP)
            continue
        if i and words[i - 1] != "…":
            out.append(gap)
        if word.endswith("*"):
            out.append(re.escape(word[:-1]) + r"[\w'-]*")
        else:
            out.append(re.escape(word))
    body = "".join(out)
    # An elision ("n'", "lorsqu'") is followed directly by its word.
    after = "" if phrase.endswith("'") or phrase.endswith("*") else _AFTER
    return _BEFORE + body + after


def _cjk(phrase: str) -> str:
    # The gap may hold a place ("离<p0>远") but never a clause mark or a duration ("等十秒再去":
    # a wait, not a condition).
    gap = r"(?:\s*<[pcq]\d+>\s*|[^<，。,.!?！？]){0,8}?"
    return gap.join(re.escape(p) for p in phrase.split("…"))


def phrase_regex(phrase: str, loose: bool = False) -> str:
    if phrase.startswith("re:"):
        return phrase[3:]
    if has_cjk(phrase):
        return _cjk(phrase)
    return _latin(phrase, _LOOSE_GAP if loose else _TIGHT_GAP)


def compile_phrases(phrases: Iterable[str], loose: bool = False) -> re.Pattern[str]:
    """One alternation of `phrases`, longest first; never matches when there are none."""
    unique = sorted(set(phrases), key=lambda p: (-len(p), p))
    if not unique:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{phrase_regex(p, loose)})" for p in unique))


def every_language(table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """All phrases of a per-language table: the gate does not guess the language, a cue in
    any language counts (the texts mix them, and a wrong guess must not hide a "don't")."""
    return tuple(p for phrases in table.values() for p in phrases)
