"""The instruction as the reading sees it: the text with its places, coordinates and
durations as placeholders (`<p0>`, `<c0>`, `<d0>`), its tokens, every labelled phrase of the
lexicon in it, its clause bounds, and the segments it is cut into (gate.segments)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from robot_brain.core.planner.gate import lexicon as L
from robot_brain.core.planner.gate.findings import Found
from robot_brain.core.planner.gate.phrases import Match, PhraseIndex, Token, tokenize


def all_languages(table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The gate does not guess the language: a cue in any language counts (texts mix them,
    and a wrong guess must not hide a "don't")."""
    return tuple(p for phrases in table.values() for p in phrases)


#: Every way of setting something aside becomes the one word the reading looks for.
DISMISS_WORD = "ignore"
#: Every label the reading looks for: the cues, and the helper words (verbs of motion,
#: "it"/"there", connectives, polite openers, copulas ...).
WORD_INDEX = (
    PhraseIndex()
    .add("retract", all_languages(L.RETRACT), loose=True)
    .add("discourse", all_languages(L.DISCOURSE), loose=True)
    .add("replace", all_languages(L.REPLACE), loose=True)
    .add("prohibition", all_languages(L.PROHIBITION))
    .add("weak", all_languages(L.PROHIBITION_WEAK))
    .add("hazard", all_languages(L.HAZARD)).add("conditional", all_languages(L.CONDITIONAL))
    .add("deferral", all_languages(L.DEFERRAL)).add("stay", all_languages(L.STAY))
    .add("negation", all_languages(L.NEGATION))
    .add("motion", all_languages(L.MOTION)).add("polite", all_languages(L.POLITE))
    .add("opener", all_languages(L.QUESTION_OPENERS))
    .add("anaphora", all_languages(L.ANAPHORA))
    .add("dock", all_languages(L.DOCK_VERBS)).add("sequence", all_languages(L.SEQUENCE))
    .add("then", L.THEN).add("contrast", all_languages(L.CONTRAST)).add("instead", L.INSTEAD)
    .add("say", L.SAY_OPENERS).add("tell_me", L.TELL_ME)
    .add("request", all_languages(L.MOTION) + all_languages(L.REQUESTS)
         + all_languages(L.DOCK_VERBS))
    .add("copula", all_languages(L.COPULAS))
    .add("not_request", all_languages(L.NOT_REQUESTS))
    .add("wait_before", all_languages(L.WAIT_BEFORE), loose=True)
    .add("dismiss", (DISMISS_WORD,)).add("concessive", all_languages(L.CONCESSIVE))
    .add("existential", all_languages(L.EXISTENTIALS)))

SENTENCE_MARKS = re.compile(r"[.!?;…。！？；]+")
CLAUSE_MARKS = re.compile(r"[,，、:：]|\s[-–—]+\s|[–—]+")
SLOT = re.compile(r"<([cdpq])(\d+)>")


@dataclass
class Segment:
    start: int
    end: int
    text: str
    sentence: int
    joint: str          # what joins it to the segment before: start|sentence|clause|seq|
    #                     then|contrast|correction
    question: bool = False
    polite: bool = False
    cues: list[Found] = field(default_factory=list)
    cue_starts: list[int] = field(default_factory=list)         # where each cue starts
    tokens: list[Token] = field(default_factory=list)           # its word tokens
    matches: dict[str, list[Match]] = field(default_factory=dict)  # label -> matches in it


@dataclass
class SlottedText:
    """The slotted text, its tokens and every labelled match, with queries by segment.

    Every query is local to a segment or a bisection: the work stays linear in the text,
    whatever it holds (a thousand "no" is as cheap per character as a sentence)."""

    text: str
    places: tuple[tuple[str, bool], ...]
    coords: tuple[tuple[float, float], ...]
    tokens: list[Token] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tokens = tokenize(self.text)
        self.matches = WORD_INDEX.find(self.text, self.tokens)
        self._by_label: dict[str, list[Match]] = {}
        for m in self.matches:
            self._by_label.setdefault(m.label, []).append(m)
        self.word_tokens = [t for t in self.tokens if t.is_word]
        self.word_starts = [t.start for t in self.word_tokens]
        self._clause_ends: list[int] | None = None
        self._clause_starts: list[int] = []
        self.dismissed: dict[tuple[int, int], tuple[int, int] | None] = {}

    def clause_bounds(self) -> tuple[list[int], list[int]]:
        """Where clauses end (a mark, or a connective: "and", "then", "but") and where they
        start (after a mark), sorted: computed once, then bisected."""
        if self._clause_ends is None:
            marks = [m for rx in (SENTENCE_MARKS, CLAUSE_MARKS) for m in rx.finditer(self.text)]
            self._clause_ends = sorted([m.start() for m in marks] + [
                m.start for label in ("sequence", "then", "contrast") for m in self.of(label)])
            self._clause_starts = sorted(m.end() for m in marks)
        return self._clause_ends, self._clause_starts

    def of(self, label: str) -> list[Match]:
        return self._by_label.get(label, [])

    @staticmethod
    def has(label: str, seg: Segment) -> bool:
        return label in seg.matches

    def opens(self, label: str, seg: Segment, words: int = 2) -> bool:
        """A `label` phrase within the first `words` words of the segment."""
        found = seg.matches.get(label)
        if not found:
            return False
        return self.words(seg.start, found[0].start) <= words

    def words(self, start: int, end: int) -> int:
        return bisect.bisect_left(self.word_starts, end) - \
            bisect.bisect_left(self.word_starts, start)

    @staticmethod
    def seg_words(seg: Segment) -> list[str]:
        return [t.text for t in seg.tokens]

    @staticmethod
    def covered(label: str, seg: Segment, tokens: Iterable[Token]) -> bool:
        """Every token given lies inside a `label` match of the segment."""
        spans = [(m.start, m.end) for m in seg.matches.get(label, ())]
        return all(any(s <= t.start and t.end <= e for s, e in spans) for t in tokens)


def words_of(phrase: str) -> str:
    return " ".join(tok.text for tok in tokenize(phrase) if tok.is_word)
