"""Cutting the slotted text into segments, at sentence marks, commas, dashes, connectives
("then", "but") and at the start of every self-correction, and marking which are questions."""

from __future__ import annotations

import bisect
import re
from typing import Mapping

from robot_brain.core.planner.gate import lexicon as L
from robot_brain.core.planner.gate.cues import dismissed_span, find_cues
from robot_brain.core.planner.gate.lexicon import Cue
from robot_brain.core.planner.gate.slotted_text import (
    CLAUSE_MARKS,
    SENTENCE_MARKS,
    Segment,
    SlottedText,
)

_FIRST_WORD = re.compile(r"\s*([^\W\d_]+'?)")
_RANKS = {"clause": 1, "seq": 2, "then": 3, "contrast": 4, "correction": 5, "sentence": 6}


def cut_segments(t: SlottedText) -> list[Segment]:
    """Cut at sentence marks, commas, dashes, connectives and corrections; never inside a
    cue ("wait, no" is one)."""
    text = t.text
    cues = find_cues(t)
    interior = bytearray(len(text) + 1)   # 1 = strictly inside a cue ("wait, no" is one)
    for _, s, e in cues:
        interior[s + 1: e] = b"\x01" * max(0, e - s - 1)

    def free(pos: int) -> bool:
        return not interior[pos]

    # (start of the cut, end of the cut, joint of the next segment)
    cuts: list[tuple[int, int, str]] = []
    for m in SENTENCE_MARKS.finditer(text):
        if free(m.start()):
            cuts.append((m.start(), m.end(), "sentence"))
    for m in CLAUSE_MARKS.finditer(text):
        following = _FIRST_WORD.match(text, m.end())
        if following is not None and following.group(1) in L.COMPLEMENTIZERS:
            continue   # ", dass du in die Küche gehst" belongs to the clause before
        if free(m.start()):
            cuts.append((m.start(), m.end(), "clause"))
    for label, joint in (("then", "then"), ("sequence", "seq"), ("contrast", "contrast")):
        for c in t.of(label):
            if free(c.start) and free(c.end - 1):
                cuts.append((c.start, c.end, joint))
    for f, s, e in cues:
        if f.cue is Cue.CORRECTION:
            cuts.append((s, s, "correction"))
        elif f.kind == "dismiss" and (dismissed_span(t, s, e) or (e, e))[0] >= e:
            # "go to the kitchen never mind the mess": what it sets aside follows it (not in
            # Japanese: "キッチンは気にしないで")
            cuts.append((s, s, "clause"))
    cuts.sort(key=lambda c: (c[0], -c[1], -_RANKS[c[2]]))
    segments: list[Segment] = []
    pos, joint, sentence = 0, "start", 0
    ends: dict[int, str] = {}   # sentence -> its closing marks
    for start, end, kind in cuts:
        if start < pos:
            continue
        _add(segments, text, pos, start, joint, sentence)
        if kind == "sentence":
            ends[sentence] = text[start:end]
            sentence += 1
        pos, joint = end, kind   # adjacent cuts (", then"): the later, closer one joins
    _add(segments, text, pos, len(text), joint, sentence)
    starts = [seg.start for seg in segments]

    def owner(pos: int) -> Segment | None:
        k = bisect.bisect_right(starts, pos) - 1
        return segments[k] if k >= 0 and pos < segments[k].end else None

    for tok in t.tokens:
        seg = owner(tok.start)
        if seg is not None and tok.is_word:
            seg.tokens.append(tok)
    for match in t.matches:
        seg = owner(match.start)
        if seg is not None:
            seg.matches.setdefault(match.label, []).append(match)
    for f, s, _ in cues:
        seg = owner(s)
        if seg is not None:
            seg.cues.append(f)
            seg.cue_starts.append(s)
    _mark_questions(segments, t, ends)
    return segments


def _add(segments: list[Segment], text: str, start: int, end: int, joint: str,
         sentence: int) -> None:
    piece = text[start:end]
    stripped = piece.strip(" '\"()[]¿¡-")
    if not stripped:
        return
    offset = start + piece.index(stripped[0])
    segments.append(Segment(offset, offset + len(stripped), stripped, sentence, joint))


def _mark_questions(segments: list[Segment], t: SlottedText, ends: Mapping[int, str]) -> None:
    """A sentence ending in '?' (or opened by '¿', or ended by 吗/か) is a question, unless it
    opens with a polite request ("can you …?"); a trailing tag ("…, ok?") is its own."""
    by_sentence: dict[int, list[Segment]] = {}
    for seg in segments:
        by_sentence.setdefault(seg.sentence, []).append(seg)
    for number, segs in by_sentence.items():
        first = segs[0]
        # "can you see the door?" asks about the world; "can you go to the door?" requests.
        asking = t.opens("not_request", first) or any(
            _is_cjk_text(s.text) and t.has("not_request", s) for s in segs)
        polite = not asking and (t.opens("polite", first) or any(
            _is_cjk_text(s.text) and t.has("polite", s) for s in segs))
        for s in segs:
            s.polite = polite
        if polite:
            continue
        mark = ends.get(number, "")
        asks = "?" in mark or "？" in mark or t.text[first.start - 1: first.start] == "¿" \
            or segs[-1].text.endswith(L.QUESTION_ENDINGS)
        if asks:
            last = segs[-1]
            if len(segs) > 1 and " ".join(t.seg_words(last)) in L.QUESTION_TAGS:
                last.question = True
            else:
                for s in segs:
                    s.question = True
        # An opener asks even without the mark ("is the kitchen clean").
        if asking or t.opens("opener", first, words=0) or (_is_cjk_text(first.text)
                                                           and t.has("opener", first)):
            first.question = True


def _is_cjk_text(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" for ch in text)
