"""Word lists matched in one pass: a trie over tokens, built once at import.

A regular expression alternation of a thousand phrases tries every phrase at every position
(about half a millisecond per instruction); the trie looks each token up once per open
phrase, so every list of gate.lexicon is matched in tens of microseconds. Matching is on
tokens, which makes every Latin phrase a whole-word match by construction.

Tokens: placeholders ("<p0>"), single CJK/kana characters, French elisions ("n'", "qu'"),
words (with "don't"-style contractions), numbers, single punctuation marks. The phrase
syntax is described in gate.lexicon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
TOKEN = re.compile(
    r"<[cdpq]\d+>"
    r"|[" + _CJK_CHARS + r"]"
    r"|(?:[nldjmtsc]|qu|lorsqu|jusqu|puisqu)'(?=[^\W\d_" + _CJK_CHARS + r"])"
    r"|[^\W\d_" + _CJK_CHARS + r"]+(?:'[^\W\d_" + _CJK_CHARS + r"]+)*"
    r"|\d+(?:\.\d+)?"
    r"|[^\w\s]", re.UNICODE)
_CJK_RE = re.compile("[" + _CJK_CHARS + "]")
#: Punctuation a phrase may span: a hyphen always ("off-limits" = "off limits"); with `loose`
#: any clause mark ("wait, no" = "wait no").
_TIGHT_SKIP = frozenset("-")
_LOOSE_SKIP = frozenset(",;:.!?…-–—")
_GAP = "…"
#: Words a `…` may stand for (Latin, CJK).
GAP_WORDS = 3
GAP_CHARS = 8
_CLAUSE_MARKS = frozenset(",;:.!?…，。、！？；：")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum() or self.text.startswith("<") or _is_cjk(self.text)


def _is_cjk(text: str) -> bool:
    return _CJK_RE.match(text) is not None


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(text)]


@dataclass(frozen=True)
class Match:
    label: str
    start: int   # character offsets in the text
    end: int
    text: str    # the matched words as they stand in the text


@dataclass
class _Node:
    words: dict[str, _Node] = field(default_factory=dict)
    #: first letter -> (stem, child): a token is only compared with stems it could extend
    stems: dict[str, list[tuple[str, _Node]]] = field(default_factory=dict)
    gap: _Node | None = None
    labels: list[str] = field(default_factory=list)


#: Words that elide before a vowel: a phrase may end in one ("n'", "lorsqu'").
_ELIDING = frozenset(("n", "l", "d", "j", "m", "t", "s", "c", "qu", "lorsqu", "jusqu",
                      "puisqu"))


def phrase_tokens(phrase: str) -> list[str]:
    """A phrase as the tokens it must match; `…` is a gap, `word*` a stem, a final `x'` the
    elision the text's tokens carry ("n'" matches the "n'" of "n'entre")."""
    out: list[str] = []
    for m in TOKEN.finditer(phrase):
        tok = m.group(0)
        if tok == _GAP:
            out.append(_GAP)
        elif tok == "*" and out:
            out[-1] += "*"
        elif tok in _ELIDING and phrase[m.end(): m.end() + 1] == "'":
            out.append(tok + "'")     # at the end of the phrase, TOKEN cannot see the elision
        elif tok[:1].isalnum() or _is_cjk(tok):
            out.append(tok)
    return out


class PhraseIndex:
    """Phrases under labels; `find(tokens)` returns every labelled match, leftmost-longest
    and non-overlapping per label."""

    def __init__(self) -> None:
        self._tight = _Node()
        self._loose = _Node()
        self._raw: list[tuple[str, re.Pattern[str]]] = []

    def add(self, label: str, phrases: Iterable[str], loose: bool = False,
            endings: Sequence[str] = ()) -> PhraseIndex:
        """`endings`: suffixes the last word may carry (place aliases: "windows", "Küchen")."""
        for phrase in phrases:
            if phrase.startswith("re:"):
                self._raw.append((label, re.compile(phrase[3:])))
                continue
            toks = phrase_tokens(phrase)
            if not toks:
                continue
            self._insert(self._loose if loose else self._tight, toks, label, endings)
        return self

    def _insert(self, root: _Node, toks: list[str], label: str,
                endings: Sequence[str]) -> None:
        last_forms = [toks[-1]] + [toks[-1] + e for e in endings
                                   if not toks[-1].endswith("*")]
        for form in last_forms:
            node = root
            for tok in toks[:-1] + [form]:
                node = self._child(node, tok)
            if label not in node.labels:
                node.labels.append(label)

    @staticmethod
    def _child(node: _Node, tok: str) -> _Node:
        if tok == _GAP:
            if node.gap is None:
                node.gap = _Node()
            return node.gap
        if tok.endswith("*") and len(tok) > 1:
            stem = tok[:-1]
            bucket = node.stems.setdefault(stem[0], [])
            for s, child in bucket:
                if s == stem:
                    return child
            child = _Node()
            bucket.append((stem, child))
            return child
        return node.words.setdefault(tok, _Node())

    def find(self, text: str, tokens: Sequence[Token]) -> list[Match]:
        raw: list[tuple[str, int, int]] = []
        n = len(tokens)
        roots = ((self._tight, _TIGHT_SKIP), (self._loose, _LOOSE_SKIP))
        for i in range(n):
            tok = tokens[i].text
            if not tokens[i].is_word:
                continue
            for root, skip in roots:
                # Most tokens open no phrase: one dict lookup instead of a walk.
                if tok in root.words or root.stems.get(tok[:1]) or root.gap is not None:
                    self._walk(root, tokens, i, i, skip, raw)
        for label, pattern in self._raw:
            raw += [(label, m.start(), m.end()) for m in pattern.finditer(text)
                    if m.end() > m.start()]
        return _leftmost_longest(text, raw)

    def _walk(self, node: _Node, tokens: Sequence[Token], first: int, j: int,
              skip: frozenset[str], out: list[tuple[str, int, int]]) -> None:
        # Iterative over words, recursive only at gaps and stems (rare branches).
        while True:
            if node.labels and j > first:
                end = tokens[j - 1].end
                out += [(label, tokens[first].start, end) for label in node.labels]
            if node.gap is not None:
                self._gap(node.gap, tokens, first, j, skip, out)
            k = j
            while k < len(tokens) and k > first and tokens[k].text in skip:
                k += 1
            if k >= len(tokens):
                return
            tok = tokens[k].text
            if node.stems:
                for stem, child in node.stems.get(tok[:1], ()):
                    if tok.startswith(stem):
                        self._walk(child, tokens, first, k + 1, skip, out)
            nxt = node.words.get(tok)
            if nxt is None:
                return
            node, j = nxt, k + 1

    def _gap(self, node: _Node, tokens: Sequence[Token], first: int, j: int,
             skip: frozenset[str], out: list[tuple[str, int, int]]) -> None:
        limit = GAP_CHARS if j > 0 and _is_cjk(tokens[j - 1].text) else GAP_WORDS
        k = j
        for _ in range(limit + 1):
            self._walk(node, tokens, first, k, skip, out)
            if k >= len(tokens) or tokens[k].text in _CLAUSE_MARKS \
                    or tokens[k].text.startswith("<d"):
                return
            k += 1


def _leftmost_longest(text: str, raw: list[tuple[str, int, int]]) -> list[Match]:
    raw.sort(key=lambda m: (m[0], m[1], -m[2]))
    out: list[Match] = []
    label, covered = "", -1
    for lab, start, end in raw:
        if lab != label:
            label, covered = lab, -1
        if start < covered:
            continue
        out.append(Match(lab, start, end, text[start:end]))
        covered = end
    out.sort(key=lambda m: (m.start, -m.end))
    return out
