"""Finding the cues: every negation, prohibition, correction, hazard, conditional, stay
and deferral in the slotted text, with what a negation cancels ("don't stop", "not wet
anymore"), what a dismissal sets aside ("don't worry about the cables") and what a
correction takes as its own ("doch nicht")."""

from __future__ import annotations

import bisect
import re
from typing import Mapping

from robot_brain.core.planner.gate import lexicon as L
from robot_brain.core.planner.gate.findings import Found
from robot_brain.core.planner.gate.lexicon import Cue
from robot_brain.core.planner.gate.phrases import Token
from robot_brain.core.planner.gate.slotted_text import (
    CLAUSE_MARKS,
    SENTENCE_MARKS,
    SlottedText,
    words_of,
)

#: cue label -> (cue, kind)
_CUE_LABELS: Mapping[str, tuple[Cue, str]] = {
    "retract": (Cue.CORRECTION, "retract"), "discourse": (Cue.CORRECTION, "discourse"),
    "replace": (Cue.CORRECTION, "replace"), "prohibition": (Cue.PROHIBITION, ""),
    "weak": (Cue.PROHIBITION, "weak"), "hazard": (Cue.HAZARD, ""),
    "conditional": (Cue.CONDITIONAL, ""), "deferral": (Cue.DEFERRAL, ""),
    "stay": (Cue.STAY, ""), "negation": (Cue.NEGATION, ""),
    "wait_before": (Cue.DEFERRAL, "wait"),
}


def find_cues(t: SlottedText) -> list[tuple[Found, int, int]]:
    found = [(Found(_CUE_LABELS[m.label][0], m.text, _CUE_LABELS[m.label][1]), m.start, m.end)
             for m in t.matches if m.label in _CUE_LABELS]
    negations = sorted((s, e) for f, s, e in found if f.cue is Cue.NEGATION)
    neg_starts = [s for s, _ in negations]
    neg_by_end = sorted((e, s) for s, e in negations)
    kept: list[tuple[Found, int, int]] = []
    consumed: set[tuple[int, int]] = set()
    for f, s, e in found:
        if f.cue is Cue.CORRECTION and f.kind == "discourse":
            k = bisect.bisect_left(neg_starts, s)
            if k < len(negations) and negations[k][1] <= e:
                # "doch nicht", "better not", "wait no": the correction negates what it names.
                f = Found(f.cue, f.phrase, "retract")
        if f.cue in (Cue.STAY, Cue.HAZARD, Cue.PROHIBITION):
            k = bisect.bisect_right(neg_by_end, (s, len(t.text)))
            if k:
                ne, ns = neg_by_end[k - 1]
                between = t.text[ne:s]
                gap = t.words(ne, s)
                if (gap <= 1 or (gap == 2 and f.cue is Cue.PROHIBITION
                                 and t.text[ns:ne] in ("ne", "n'"))) \
                        and not SENTENCE_MARKS.search(between) \
                        and not CLAUSE_MARKS.search(between) \
                        and (f.cue is not Cue.PROHIBITION or _copular(t, ns, ne, s)):
                    # "don't stop", "ne t'arrête pas": a negated stay asks to keep going;
                    # "not wet anymore", "nicht mehr nass": a negated hazard warns of
                    # nothing; "it isn't locked", "no longer off limits": a restriction
                    # said not to hold. Neither it nor its negation forbids anything.
                    consumed.add((ns, ne))
                    if t.text[ns:ne] in ("ne", "n'"):
                        # "ne t'arrête pas avant …": the "pas" after it is the same negation
                        k = bisect.bisect_left(neg_starts, e)
                        if k < len(negations) and t.words(e, negations[k][0]) <= 1 \
                                and t.text[negations[k][0]:negations[k][1]] in _NE_PARTNERS:
                            consumed.add(negations[k])
                    continue
        if f.cue is Cue.STAY and words_of(f.phrase) in L.CESSATIVES and _activity(t, e):
            f = Found(f.cue, f.phrase, "activity")   # "stop worrying": not the robot's way
        if f.cue is Cue.CORRECTION and f.kind == "retract" \
                and words_of(f.phrase) in L.RETRACT_DISMISSING and _sets_aside(t, e):
            f = Found(Cue.NEGATION, f.phrase, "dismiss")   # "never mind the mess"
        kept.append((f, s, e))
    kept += [(Found(Cue.NEGATION, m.text, "dismiss"), m.start, m.end)
             for m in t.of("dismiss") if dismissed_span(t, m.start, m.end) is not None]
    kept = _drop_dismissed(t, kept)
    # A negation inside a correction ("no wait", "doch nicht") is the correction's.
    reach = [-1] * (len(t.text) + 1)   # position -> farthest end of a correction over it
    for f, s, e in kept:
        if f.cue is Cue.CORRECTION:
            for p in range(s, e):
                reach[p] = max(reach[p], e)
    return [(f, s, e) for f, s, e in kept if (s, e) not in consumed and (
        f.cue is not Cue.NEGATION or reach[s] < e)]


#: The second half of French "ne … pas".
_NE_PARTNERS = frozenset(("pas", "plus", "jamais", "point", "rien"))
#: Negations that are themselves a copula ("it isn't locked").
_COPULAR_NEGATIONS = frozenset(("isn't", "aren't", "wasn't", "weren't", "ain't", "no longer"))


def _copular(t: SlottedText, ns: int, ne: int, s: int) -> bool:
    """The negation before a restriction negates a predicate ("is not closed", "no está
    prohibido", "n'est plus interdit"), not an order ("no, keep out")."""
    if words_of(t.text[ns:ne]) in _COPULAR_NEGATIONS:
        return True
    for c in t.of("copula"):
        if c.start >= ne and c.end <= s and "'" not in c.text:
            return True             # "no está prohibido", "n'est plus interdit" (not "no it's")
        if c.end <= ns and t.words(c.end, ns) == 0 and not CLAUSE_MARKS.search(t.text[c.end:ns]) \
                and not SENTENCE_MARKS.search(t.text[c.end:ns]):
            return True                                       # "is not off limits"
    return False


def _next_word(t: SlottedText, pos: int) -> Token | None:
    """The word right after `pos`, if no mark stands between."""
    k = bisect.bisect_left(t.word_starts, pos)
    if k >= len(t.word_tokens):
        return None
    tok = t.word_tokens[k]
    return tok if not t.text[pos:tok.start].strip() else None


_NOT_GERUNDS = ("thing", "morning", "evening", "ceiling", "building", "during", "spring",
                "string")


def _activity(t: SlottedText, end: int) -> bool:
    """A cessative ending at `end` has a verb after it that is not one of motion: "stop
    worrying", "arrête de râler", "hör auf zu jammern", "deja de quejarte"."""
    tok = _next_word(t, end)
    if tok is None:
        return False
    linked = t.text[:end].rsplit(" ", 1)[-1] in L.CESSATIVE_LINKS
    if tok.text in L.CESSATIVE_LINKS:
        linked = True
        tok = _next_word(t, tok.end)
        if tok is None:
            return False
    gerund = len(tok.text) > 4 and tok.text.endswith("ing") and not tok.text.endswith(
        _NOT_GERUNDS)
    if tok.text.startswith("<") or not (linked or gerund):
        return False
    return not any(m.start == tok.start for label in ("motion", "dock", "anaphora")
                   for m in t.of(label))


def _clause_end(t: SlottedText, pos: int) -> int:
    """Where the clause holding `pos` ends: a mark, or a connective ("and", "then", "but")."""
    ends, _ = t.clause_bounds()
    k = bisect.bisect_left(ends, pos)
    return ends[k] if k < len(ends) else len(t.text)


def _clause_start(t: SlottedText, pos: int) -> int:
    _, starts = t.clause_bounds()
    k = bisect.bisect_right(starts, pos)
    return starts[k - 1] if k else 0


def dismissed_span(t: SlottedText, start: int, end: int) -> tuple[int, int] | None:
    """What a word that sets aside is about: the rest of its clause ("ignore the cables"),
    or for Japanese, which puts it first, the clause before it ("ケーブルは気にしないで").
    None: about nothing ("don't worry, go to the door")."""
    key = (start, end)
    if key not in t.dismissed:
        a, b = end, _clause_end(t, end)
        if t.words(a, b) == 0:
            a, b = _clause_start(t, start), start
            if not _CJK_TEXT.search(t.text[a:b]):
                t.dismissed[key] = None
                return None
        t.dismissed[key] = (a, b) if t.words(a, b) > 0 else None
    return t.dismissed[key]


_CJK_TEXT = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def _sets_aside(t: SlottedText, end: int) -> bool:
    """A retraction followed by something that is neither a place, "it"/"that", motion nor
    the errand itself: "never mind the mess" sets the mess aside and takes nothing back."""
    span = dismissed_span(t, end, end)
    if span is None or span[0] < end:
        return False
    a, b = span
    k = bisect.bisect_left(t.word_starts, a)
    words = [tok.text for tok in t.word_tokens[k: bisect.bisect_left(t.word_starts, b)]]
    if any(w.startswith("<") or w in L.ERRAND_WORDS for w in words):
        return False
    return not any(a <= m.start < b for label in ("anaphora", "motion", "dock")
                   for m in t.of(label))


#: What a dismissal sets aside stops being a warning or an order ("don't worry about the
#: cables"); what it names stays (a place it names is forbidden: scope.ScopeWalk.scope()).
_DISMISSABLE = (Cue.HAZARD, Cue.NEGATION, Cue.STAY, Cue.PROHIBITION, Cue.CONDITIONAL,
                Cue.DEFERRAL)


def _drop_dismissed(t: SlottedText, kept: list[tuple[Found, int, int]]
                    ) -> list[tuple[Found, int, int]]:
    spans = [span for f, s, e in kept if f.kind == "dismiss"
             for span in (dismissed_span(t, s, e),) if span is not None]
    if not spans:
        return kept
    return [(f, s, e) for f, s, e in kept if f.kind == "dismiss" or f.cue not in _DISMISSABLE
            or not any(a <= s < b for a, b in spans)]
