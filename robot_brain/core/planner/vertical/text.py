"""Text handling before any model sees it: caps, folding, clause splitting, negation.

Everything here is plain string work in bounded time: the input is capped before the first
regular expression runs, so a 100 kB paste or binary junk costs the same as a sentence.
Training (the corpus) and inference go through exactly these functions, so what the model
learned is what it is shown.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from robot_brain.core.planner.vertical.lexicon import (
    BARE_GO_VERBS,
    CONNECTIVES,
    FIRST_MARKERS,
    NEGATIONS_CJK,
    NEGATIONS_WORDS,
    POLITENESS,
    REORDER_MARKERS,
    SAY_VERBS,
)

#: Longer texts are not one instruction to a robot; refusing them bounds the work on garbage.
MAX_INPUT_CHARS = 400
#: Fewer letters, digits and ordinary punctuation than this among the non-space characters
#: means junk (binary, control characters, symbol soup), not language.
MIN_PLAIN_RATIO = 0.8
_PLAIN_PUNCT = frozenset(".,;:!?'\"()-=+/%°¿¡。，、！？；：（）…\u2019\u2018\u201c\u201d")

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_TOKEN = re.compile(r"<[a-z]\d+>|[" + _CJK + r"]|[^\W\d_]+(?:'[^\W\d_]+)?'?|\d+(?:\.\d+)?|\S",
                    re.UNICODE)
# Not ':' : "announce: dinner is ready" is one step.
_SENTENCE = re.compile(r"[.;!?…]+(?:\s|$)|[。！？；,，、\n]")


class InputProblem(str, enum.Enum):
    """Why a text is refused before featurizing."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    JUNK = "junk"


@dataclass(frozen=True)
class CleanText:
    """A folded text ready for slot extraction, or the problem that stops it."""

    text: str
    problem: InputProblem | None = None


def fold(text: str) -> str:
    """Lower case, NFKC, typographic quotes made plain, accents off Latin letters only.

    Accents are dropped so "Küche", "Kueche" and "kuche" meet; kana keep their marks because
    stripping them changes the word.
    """
    text = unicodedata.normalize("NFKC", text).lower().replace("ß", "ss")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def clean(text: str) -> CleanText:
    """Cap, then fold; empty, over-long and non-language inputs are flagged, not processed."""
    if len(text) > MAX_INPUT_CHARS:
        return CleanText("", InputProblem.TOO_LONG)
    stripped = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if not stripped:
        return CleanText("", InputProblem.EMPTY)
    visible = [ch for ch in text if not ch.isspace()]
    plain = sum(1 for ch in visible if ch.isalnum() or ch in _PLAIN_PUNCT)
    if not any(ch.isalpha() for ch in visible) or plain < MIN_PLAIN_RATIO * len(visible):
        return CleanText("", InputProblem.JUNK)
    return CleanText(" ".join(fold(stripped).split()))


def original_span(original: str, folded_fragment: str) -> str | None:
    """The part of `original` whose folded form is `folded_fragment`, case and accents intact.

    Say texts are found in the folded text; the robot should still say "Dîner prêt", not
    "diner pret". Folding character by character keeps a map back to the original; None when
    the fragment is not there (it held a slot, or folding a sequence differed).
    """
    if not folded_fragment.strip() or len(original) > MAX_INPUT_CHARS:
        return None
    folded: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(original):
        for c in fold(ch):
            folded.append(c)
            index.append(i)
    pattern = r"\s+".join(re.escape(w) for w in folded_fragment.split())
    m = re.search(pattern, "".join(folded))
    if m is None:
        return None
    return original[index[m.start()]: index[m.end() - 1] + 1]


def tokens(text: str) -> list[str]:
    """Words (with elisions such as "don't", "n'y"), CJK characters one by one, digits,
    placeholders such as "<p0>", and single punctuation marks."""
    return _TOKEN.findall(text)


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def phrase_pattern(phrases: Iterable[str], suffix: str = "") -> re.Pattern[str]:
    """One alternation of phrases, longest first (so "and then" wins over "and").

    Latin phrases must stand as whole words (an optional `suffix` regex, such as a plural
    ending, may follow); CJK phrases match anywhere, since those scripts have no spaces.
    """
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        esc = re.escape(p)
        parts.append(esc if has_cjk(p) else rf"(?<![\w'-]){esc}{suffix}(?![\w'-])")
    return re.compile("|".join(parts))


_CJK_RE = re.compile("[" + _CJK + "]")
_CONNECTIVE = phrase_pattern(CONNECTIVES)
_FIRST_MARKER = phrase_pattern(FIRST_MARKERS).pattern
#: "first X" and "X first" ("kitchen first, then the window") both lose the marker.
_FIRST = re.compile(r"^(?:" + _FIRST_MARKER + r")\s*,?\s*|\s+(?:" + _FIRST_MARKER + r")$")
_BARE_GO = frozenset(BARE_GO_VERBS)
_SAY = frozenset(SAY_VERBS)
_COMPLEMENT = re.compile(r"^(?:dass|que|qu'|that)(?![\w'])")
_POLITE = frozenset(POLITENESS)
_REORDER = phrase_pattern(REORDER_MARKERS)
_NEG_CJK = phrase_pattern(NEGATIONS_CJK)
_NEG_WORDS = frozenset(NEGATIONS_WORDS)


#: German (and sometimes French/Spanish) put "then" after the verb: "und geh dann ins Bad".
#: Moved before the verb, the splitter cuts at the right place: "und dann geh ins Bad".
_LATE_THEN = re.compile(r"(?<![\w'])(und|et|y|and) ([^\W\d_]+) (dann|danach|ensuite|puis|luego|"
                        r"despues|then)(?![\w'])")


def split_clauses(text: str) -> list[str]:
    """Split a folded text into clauses at sentence marks, commas and connectives.

    "First X, then Y" loses its "first"; empty pieces are dropped. The connective list is
    shared by every language, which is why it lives in the lexicon and not in the model.
    """
    clauses: list[str] = []
    text = _LATE_THEN.sub(r"\1 \3 \2", text)
    for piece in _SENTENCE.split(text):
        for part in _CONNECTIVE.split(piece):
            part = _FIRST.sub("", part.strip(" \t-\"'()[]")).strip(" ,")
            if part:
                clauses.append(part)
    merged: list[str] = []
    for clause in clauses:
        # "go and wait": the bare verb joins its clause; "sag allen, dass ...": so does what
        # is said, after the comma German and French grammar put before "dass" / "que".
        if merged and (_is_bare_go(merged[-1]) or (_COMPLEMENT.match(clause) and
                                                   _first_word(merged[-1]) in _SAY)):
            merged[-1] = f"{merged[-1]} {clause}"
        else:
            merged.append(clause)
    return merged


def _first_word(clause: str) -> str:
    words = tokens(clause)
    return words[0] if words else ""


def _is_bare_go(clause: str) -> bool:
    words = [w for w in tokens(clause) if w.strip()]
    return any(w in _BARE_GO for w in words) and all(w in _BARE_GO or w in _POLITE
                                                      for w in words)


def has_reorder(text: str) -> bool:
    """"Before X, do Y" puts steps out of spoken order; the vertical tier leaves it to the LLM."""
    return _REORDER.search(text) is not None


def is_negated(clause: str) -> bool:
    """Whether a clause carries a negation ("don't", "ne ... pas", "nicht", "no", "别")."""
    if _NEG_CJK.search(clause):
        return True
    for tok in tokens(clause):
        if tok in _NEG_WORDS or tok.startswith("n'") or tok.endswith("n't"):
            return True
    return False
