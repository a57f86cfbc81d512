"""What an instruction says about moving: which places it forbids, which it plainly asks for,
and whether it forbids moving at all. Rules over the words (gate.lexicon), no model.

Pipeline, in bounded time (the text is capped before the first regular expression):
1. fold (lower case, accents off), drop quoted text and harmless phrases ("no problem",
   "don't forget to", "if you can"), read "stop by X" as a visit;
2. coordinates, durations and places become placeholders (the world's names and aliases and
   the lexicon's synonyms, as in the vertical tier);
3. find every cue (negation, prohibition, correction, hazard, conditional, stay, deferral);
4. cut the text into segments at sentence marks, commas, dashes, connectives ("then", "but")
   and at the start of every self-correction ("actually no", "forget it");
5. walk the segments in order, resolving each cue's scope:
   - a place named with the cue is forbidden ("don't go to the kitchen", "the kitchen is off
     limits", "the kitchen floor is wet");
   - no place but "it"/"there": the last place named ("someone is mopping the kitchen, keep
     away from it");
   - a hazard or a prohibition with neither: the places of the same sentence, else motion;
   - negation with a verb of motion ("don't move"), stay ("stand still"), a condition it
     cannot check ("if the door is open"), "not yet": no motion at all;
   - a self-correction takes back everything before it: what was asked becomes forbidden,
     and unless a new destination follows, nothing may move ("go to the kitchen... actually
     no, forget it");
   - a question that is not a polite request ("is the kitchen clean?") asks, it does not
     request: its places are not asked for;
   - a clause with no cue asks for its places plainly; a bare "and the door" continues the
     cue before it, "not the kitchen, the living room" asks for the living room.
The gate (gate.gate) then holds a moving plan unless every destination it drives to is one the
text plainly asked for, none is forbidden and moving was not forbidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from robot_brain.core.planner.gate import lexicon as L
from robot_brain.core.planner.gate.lexicon import Cue
from robot_brain.core.planner.gate.patterns import compile_phrases, every_language, has_cjk
from robot_brain.core.planner.vertical.numbers import find_coordinates, find_durations
from robot_brain.core.planner.vertical.places import PlaceMatcher
from robot_brain.core.planner.vertical.text import fold

#: Longer instructions are not read: a moving plan for one is held (the vertical tier refuses
#: anything over 400 characters, the prompt keeps 300; this bounds the gate's work).
MAX_GATE_CHARS = 1000
#: Fewer letters, digits and ordinary punctuation than this among the visible characters:
#: not language (binary, control characters), nothing in it can have asked for motion.
MIN_PLAIN_RATIO = 0.6

DOCK_KEY = "dock"


def point_key(x: float, y: float) -> str:
    return f"xy:{x:g},{y:g}"


@dataclass(frozen=True)
class Found:
    """One cue in the text: its category, the words that carry it, how it acts."""

    cue: Cue
    phrase: str
    kind: str = ""  # correction: retract | discourse | replace; prohibition: weak


@dataclass(frozen=True)
class Reading:
    """What the text says about moving. Keys are place names, "dock", or point_key()s."""

    text: str                                   # the folded text that was read
    problem: str = ""                           # too_long | unreadable | '' (read)
    cues: tuple[Found, ...] = ()                # every cue, in text order
    hold: Found | None = None                   # a cue that forbids moving at all
    forbidden: Mapping[str, Found] = field(default_factory=dict)
    affirmed: frozenset[str] = frozenset()      # destinations asked for plainly
    points: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def careful(self) -> bool:
        """Something in the text takes back, forbids, warns or asks: only destinations it
        plainly asked for may be driven to."""
        return bool(self.cues) or bool(self.problem)

    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.cue.value for f in self.cues))


# -- compiled lists ----------------------------------------------------------------------------

def _re(table: Mapping[str, tuple[str, ...]], loose: bool = False) -> re.Pattern[str]:
    return compile_phrases(every_language(table), loose)


_HARMLESS = _re(L.HARMLESS)
_VISIT = compile_phrases(L.VISIT)
_WHY_NOT = compile_phrases(L.WHY_NOT)
_NEGATION = _re(L.NEGATION)
_MOTION = _re(L.MOTION)
_PROHIBITION = _re(L.PROHIBITION)
_PROHIBITION_WEAK = _re(L.PROHIBITION_WEAK)
_RETRACT = _re(L.RETRACT, loose=True)
_DISCOURSE = _re(L.DISCOURSE, loose=True)
_REPLACE = _re(L.REPLACE, loose=True)
_HAZARD = _re(L.HAZARD)
_CONDITIONAL = _re(L.CONDITIONAL)
_DEFERRAL = _re(L.DEFERRAL)
_STAY = _re(L.STAY)
_POLITE = _re(L.POLITE)
_OPENERS = _re(L.QUESTION_OPENERS)
_ANAPHORA = _re(L.ANAPHORA)
_DOCK_VERBS = _re(L.DOCK_VERBS)
_SEQUENCE = _re(L.SEQUENCE)
_CONTRAST = _re(L.CONTRAST)
_THEN = compile_phrases(L.THEN)
_INSTEAD = compile_phrases(L.INSTEAD)
_SAY = compile_phrases(L.SAY_OPENERS)
_TELL_ME = compile_phrases(L.TELL_ME)
#: "Never, ever go there": the comma after a negation that is not an answer cuts nothing.
_NEGATION_COMMA = re.compile(r"(?<![\w'-])(never|not|don't|do not|jamais|nie|niemals|nunca|jamas|"
                             r"mai)\s*,\s*")
_HALT_FIRST = re.compile(r"^(?:halt|stop|freeze)(?![\w'-])")

#: (pattern, cue, kind) in the order cues are looked for.
_CUE_PATTERNS: tuple[tuple[re.Pattern[str], Cue, str], ...] = (
    (_RETRACT, Cue.CORRECTION, "retract"),
    (_DISCOURSE, Cue.CORRECTION, "discourse"),
    (_REPLACE, Cue.CORRECTION, "replace"),
    (_PROHIBITION, Cue.PROHIBITION, ""),
    (_PROHIBITION_WEAK, Cue.PROHIBITION, "weak"),
    (_HAZARD, Cue.HAZARD, ""),
    (_CONDITIONAL, Cue.CONDITIONAL, ""),
    (_DEFERRAL, Cue.DEFERRAL, ""),
    (_STAY, Cue.STAY, ""),
    (_NEGATION, Cue.NEGATION, ""),
)
_QUOTE = re.compile(r"\"[^\"]{0,200}\"|“[^”]{0,200}”|«[^»]{0,200}»|„[^“]{0,200}“|"
                    r"「[^」]{0,200}」|『[^』]{0,200}』")
_SENTENCE = re.compile(r"[.!?;…。！？；]+|\.\.\.")
_CLAUSE = re.compile(r"[,，、:：]|\s[-–—]+\s|[–—]+")
_SLOT = re.compile(r"<([cdpq])(\d+)>")
_WORD = re.compile(r"<[cdpq]\d+>|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]|[^\W\d_]+(?:'[^\W\d_]*)?"
                   r"|\d+(?:\.\d+)?", re.UNICODE)
_PLAIN_PUNCT = frozenset(".,;:!?'\"()-=+/%°¿¡…。，、！？；：（）「」『』«»“”‘’—–")


@dataclass
class _Segment:
    start: int
    end: int
    text: str
    sentence: int
    joint: str          # what joins it to the segment before: start|sentence|clause|seq|
    #                     then|contrast|correction
    question: bool = False
    polite: bool = False
    cues: list[tuple[Found, int]] = field(default_factory=list)   # (cue, start offset)


@dataclass(frozen=True)
class _Slots:
    text: str
    places: tuple[tuple[str, bool], ...]
    coords: tuple[tuple[float, float], ...]


# -- the reader --------------------------------------------------------------------------------

class InstructionReader:
    """Built once per world (its place matcher); `read()` is pure and bounded."""

    def __init__(self, matcher: PlaceMatcher) -> None:
        self.matcher = matcher

    @classmethod
    def for_places(cls, names: Iterable[str],
                   aliases: Mapping[str, Iterable[str]] | None = None) -> InstructionReader:
        return cls(PlaceMatcher(names, aliases))

    def read(self, text: str) -> Reading:
        if len(text) > MAX_GATE_CHARS:
            return Reading("", problem="too_long")
        visible = [ch for ch in text if not ch.isspace()]
        if not visible:
            return Reading("")
        plain = sum(1 for ch in visible if ch.isalnum() or ch in _PLAIN_PUNCT)
        if plain < MIN_PLAIN_RATIO * len(visible) or not any(ch.isalpha() for ch in visible):
            return Reading("", problem="unreadable")
        folded = " ".join(fold("".join(ch if ch.isprintable() else " " for ch in text))
                          .split())
        slots = self._slots(folded)
        segments = _segments(slots.text)
        return _Walk(slots, segments).run()

    def _slots(self, folded: str) -> _Slots:
        text = _QUOTE.sub(" <q0> ", folded)
        text = _HARMLESS.sub(" ", text)
        text = _VISIT.sub(" go to ", text)
        text = _WHY_NOT.sub(" could you ", text)
        text = _NEGATION_COMMA.sub(r"\1 ", text)
        coords: list[tuple[float, float]] = []
        for c in reversed(find_coordinates(text)):
            text = text[: c.span[0]] + f" <c{len(coords)}> " + text[c.span[1]:]
            coords.append((c.x, c.y))
        for i, d in enumerate(reversed(find_durations(text))):
            text = text[: d.span[0]] + f" <d{i}> " + text[d.span[1]:]
        places: list[tuple[str, bool]] = []
        for p in reversed(self.matcher.find(text)):
            text = text[: p.span[0]] + f" <p{len(places)}> " + text[p.span[1]:]
            places.append((p.place, p.known))
        return _Slots(" ".join(text.split()), tuple(places), tuple(coords))


def _find_cues(text: str) -> list[tuple[Found, int, int]]:
    found: list[tuple[Found, int, int]] = []
    for pattern, cue, kind in _CUE_PATTERNS:
        for m in pattern.finditer(text):
            if m.end() > m.start():
                found.append((Found(cue, m.group(0), kind), m.start(), m.end()))
    negations = [(s, e) for f, s, e in found if f.cue is Cue.NEGATION]
    kept: list[tuple[Found, int, int]] = []
    consumed: set[tuple[int, int]] = set()
    for f, s, e in found:
        if f.cue is Cue.CORRECTION and f.kind == "discourse" and any(
                s <= ns and ne <= e for ns, ne in negations):
            # "doch nicht", "better not", "wait no": the correction negates what it names.
            f = Found(f.cue, f.phrase, "retract")
        if f.cue is Cue.STAY:
            negated = [(ns, ne) for ns, ne in negations if ne <= s and _few_words(text[ne:s])]
            if negated:
                # "don't stop", "ne t'arrête pas": a negated stay asks to keep going; neither
                # it nor its negation forbids anything.
                consumed.update(negated)
                continue
        kept.append((f, s, e))
    kept = [(f, s, e) for f, s, e in kept if (s, e) not in consumed]
    corrections = [(s, e) for f, s, e in kept if f.cue is Cue.CORRECTION]
    # A negation inside a correction ("no wait", "doch nicht") is the correction's.
    kept = [(f, s, e) for f, s, e in kept
            if f.cue is not Cue.NEGATION or not any(cs <= s and e <= ce
                                                     for cs, ce in corrections)]
    kept.sort(key=lambda x: x[1])
    return kept


def _few_words(between: str) -> bool:
    """Nothing, or one word ("don't just stop"), between a negation and what it negates."""
    return len(_WORD.findall(between)) <= 1 and not _SENTENCE.search(between) \
        and not _CLAUSE.search(between)


def _segments(text: str) -> list[_Segment]:
    """Cut at sentence marks, commas, dashes, connectives and corrections; never inside a
    cue ("wait, no" is one)."""
    cues = _find_cues(text)
    inside = [(s, e) for _, s, e in cues if e - s > 1]

    def free(pos: int) -> bool:
        return not any(s < pos < e for s, e in inside)

    # (start of the cut, end of the cut, joint of the next segment)
    cuts: list[tuple[int, int, str]] = []
    for m in _SENTENCE.finditer(text):
        if free(m.start()):
            cuts.append((m.start(), m.end(), "sentence"))
    for m in _CLAUSE.finditer(text):
        if free(m.start()):
            cuts.append((m.start(), m.end(), "clause"))
    for pattern, joint in ((_THEN, "then"), (_SEQUENCE, "seq"), (_CONTRAST, "contrast")):
        for m in pattern.finditer(text):
            if free(m.start()) and free(m.end() - 1):
                cuts.append((m.start(), m.end(), joint))
    for f, s, _ in cues:
        if f.cue is Cue.CORRECTION:
            cuts.append((s, s, "correction"))
    cuts.sort(key=lambda c: (c[0], -c[1]))
    segments: list[_Segment] = []
    pos, joint, sentence = 0, "start", 0
    marks: list[tuple[int, str]] = []   # sentence ends: (position, the marks)
    for start, end, kind in cuts:
        if start < pos:
            # overlapping cuts: keep the strongest joint ("then" over "seq" over a comma)
            if segments and start >= segments[-1].end and _rank(kind) > _rank(joint):
                joint = kind
            continue
        _add(segments, text, pos, start, joint, sentence)
        if kind == "sentence":
            marks.append((len(segments), text[start:end]))
            sentence += 1
        pos, joint = end, kind
    _add(segments, text, pos, len(text), joint, sentence)
    _mark_questions(segments, text, marks)
    for f, s, _ in cues:
        for seg in segments:
            if seg.start <= s < seg.end or (s == seg.end and seg.start == seg.end):
                seg.cues.append((f, s))
                break
    return segments


_RANKS = {"clause": 1, "seq": 2, "then": 3, "contrast": 4, "correction": 5, "sentence": 6}


def _rank(joint: str) -> int:
    return _RANKS.get(joint, 0)


def _add(segments: list[_Segment], text: str, start: int, end: int, joint: str,
         sentence: int) -> None:
    piece = text[start:end]
    stripped = piece.strip(" '\"()[]¿¡-")
    if not stripped:
        return
    offset = start + piece.index(stripped[0])
    segments.append(_Segment(offset, offset + len(stripped), stripped, sentence, joint))


def _mark_questions(segments: list[_Segment], text: str, marks: list[tuple[int, str]]
                    ) -> None:
    """A sentence ending in '?' (or opened by '¿', or ended by 吗/か) is a question, unless it
    opens with a polite request ("can you …?"); a trailing tag ("…, ok?") is its own."""
    by_sentence: dict[int, list[_Segment]] = {}
    for seg in segments:
        by_sentence.setdefault(seg.sentence, []).append(seg)
    ends = {}
    for count, mark in marks:
        if count:
            ends[segments[count - 1].sentence] = mark
    for number, segs in by_sentence.items():
        first = segs[0]
        polite = _starts_polite(first.text) or any(
            has_cjk(s.text) and _POLITE.search(s.text) for s in segs)
        for s in segs:
            s.polite = bool(polite)
        if polite:
            continue
        mark = ends.get(number, "")
        asks = "?" in mark or "？" in mark or text[first.start - 1: first.start] == "¿" \
            or any(s.text.endswith(L.QUESTION_ENDINGS) for s in segs[-1:])
        if asks:
            last = segs[-1]
            if len(segs) > 1 and _words_only(last.text) in L.QUESTION_TAGS:
                last.question = True
            else:
                for s in segs:
                    s.question = True
        # An opener asks even without the mark ("is the kitchen clean").
        m = _OPENERS.match(first.text)
        if m is not None or (has_cjk(first.text) and _OPENERS.search(first.text)):
            first.question = True


def _starts_polite(text: str) -> bool:
    return _opens_with(_POLITE, text)


def _opens_with(pattern: re.Pattern[str], text: str, words: int = 2) -> bool:
    """`pattern` within the first words of `text` ("please could you", "robot, say")."""
    m = pattern.search(text)
    return m is not None and len(_WORD.findall(text[: m.start()])) <= words


def _words_only(text: str) -> str:
    return " ".join(_WORD.findall(text))


class _Walk:
    """One pass over the segments, in order, keeping what is forbidden and what is asked."""

    def __init__(self, slots: _Slots, segments: list[_Segment]) -> None:
        self.slots = slots
        self.segments = segments
        self.cues: list[Found] = []
        self.hold: Found | None = None
        self.forbid_at: dict[str, tuple[int, Found]] = {}
        self.affirm_at: dict[str, int] = {}
        self.last_correction = -1
        self.correction: Found | None = None
        self.last_place: str | None = None
        self.points: dict[str, tuple[float, float]] = {}
        #: "The table, not now": the places of a bare noun phrase just before, same sentence.
        self.topic: list[str] = []

    # -- helpers -------------------------------------------------------------------------

    def targets(self, seg: _Segment) -> list[str]:
        out: list[str] = []
        for kind, index in _SLOT.findall(seg.text):
            i = int(index)
            if kind == "p":
                place, known = self.slots.places[i]
                if known:
                    out.append(place)
            elif kind == "c":
                x, y = self.slots.coords[i]
                key = point_key(x, y)
                self.points[key] = (x, y)
                out.append(key)
        if _DOCK_VERBS.search(seg.text) and DOCK_KEY not in out:
            out.append(DOCK_KEY)
        return out

    def referred(self, seg: _Segment) -> list[str]:
        """"it", "there": the last place named before this segment."""
        if self.last_place is not None and _ANAPHORA.search(seg.text):
            return [self.last_place]
        return []

    def sentence_targets(self, seg: _Segment) -> list[str]:
        out: list[str] = []
        for other in self.segments:
            if other.sentence == seg.sentence and other is not seg:
                out += [t for t in self.targets(other) if t not in out]
        return out

    def forbid(self, keys: Iterable[str], i: int, why: Found) -> None:
        for key in keys:
            self.forbid_at[key] = (i, why)
            self.affirm_at.pop(key, None)

    def affirm(self, keys: Iterable[str], i: int) -> None:
        for key in keys:
            forbidden = self.forbid_at.get(key)
            if forbidden is not None and forbidden[0] >= self.last_correction:
                continue  # forbidden and not taken back since: the "don't" wins
            self.forbid_at.pop(key, None)
            self.affirm_at[key] = i

    def set_hold(self, why: Found) -> None:
        if self.hold is None:
            self.hold = why

    # -- the walk ------------------------------------------------------------------------

    def run(self) -> Reading:
        previous: tuple[_Segment, list[Found]] | None = None
        for i, seg in enumerate(self.segments):
            cues = self.segment_cues(seg, i)
            own = self.targets(seg)
            self.topic = self.targets(previous[0]) if previous is not None and \
                previous[0].sentence == seg.sentence and _is_bare_np(previous[0].text) else []
            self.step(seg, i, cues, own, previous)
            if own:
                self.last_place = next((t for t in reversed(own) if not t.startswith("xy:")),
                                       self.last_place)
            previous = (seg, cues)
        if self.correction is not None and not any(
                at >= self.last_correction for at in self.affirm_at.values()):
            self.set_hold(self.correction)
        return Reading(
            self.slots.text, cues=tuple(self.cues), hold=self.hold,
            forbidden={k: f for k, (_, f) in self.forbid_at.items()},
            affirmed=frozenset(self.affirm_at), points=dict(self.points))

    def segment_cues(self, seg: _Segment, i: int) -> list[Found]:
        words = _WORD.findall(seg.text)
        plain = [w for w in words if not _SLOT.fullmatch(w)]
        cues = [f for f, _ in seg.cues]
        if _opens_with(_SAY, seg.text) and not _opens_with(_TELL_ME, seg.text) \
                and not _NEGATION.match(seg.text):
            # What to say is someone else's words, but a hazard still warns about its place.
            return [f for f in cues if f.cue is Cue.HAZARD]
        if plain and all(w in L.BARE_NEGATIONS for w in plain) and \
                _NEGATION.search(seg.text) and not _SLOT.search(seg.text):
            cues = [Found(Cue.CORRECTION, seg.text, "discourse")]   # "No.", "Don't!", "不"
        elif len(plain) == 1 and plain[0] in L.STAY_ALONE:
            cues.append(Found(Cue.STAY, plain[0]))                    # "Halt!", "¡Para!"
        elif _HALT_FIRST.match(seg.text) and not any(f.cue is Cue.STAY for f in cues):
            cues.append(Found(Cue.STAY, seg.text.split()[0]))
        kept: list[Found] = []
        for f in cues:
            if f.cue is Cue.CONDITIONAL and not self.has_words_after(seg, f):
                continue  # "sí," = yes; a condition needs its clause
            kept.append(f)
        if seg.question and not seg.polite:
            kept.append(Found(Cue.QUESTION, seg.text[:40]))
        self.cues += kept
        return kept

    @staticmethod
    def has_words_after(seg: _Segment, f: Found) -> bool:
        at = seg.text.find(f.phrase)
        rest = seg.text[at + len(f.phrase):] if at >= 0 else ""
        return bool(_WORD.findall(rest))

    def step(self, seg: _Segment, i: int, cues: list[Found], own: list[str],
             previous: tuple[_Segment, list[Found]] | None) -> None:
        corrections = [f for f in cues if f.cue is Cue.CORRECTION]
        if corrections:
            # Everything said before is taken back: asked-for places become forbidden.
            self.forbid(list(self.affirm_at), i, corrections[0])
            self.hold = None
            self.last_correction = i
            self.correction = corrections[0]
        forbidding = [f for f in cues if f.cue not in (Cue.CORRECTION, Cue.QUESTION)]
        retract = [f for f in corrections if f.kind == "retract"]
        if retract:
            self.forbid(own or self.referred(seg), i, retract[0])   # "never mind the window"
            return
        if not forbidding:
            if any(f.cue is Cue.QUESTION for f in cues):
                return        # "is the kitchen clean?": asked about, not asked for
            inherited = self.inherited(seg, own, previous)
            if inherited is not None:
                self.forbid(own, i, inherited)
                return
            self.affirm(own or self.referred(seg), i)
            return
        for f in forbidding:
            self.scope(seg, i, f, own)

    def inherited(self, seg: _Segment, own: list[str],
                  previous: tuple[_Segment, list[Found]] | None) -> Found | None:
        """"Stay away from the kitchen and the window": a bare noun phrase joined by "and",
        "or" or a comma continues the cue before it, unless that was "not the kitchen"
        (then it is the alternative) or a contrast joins them."""
        if previous is None or not own or seg.joint not in ("seq", "clause"):
            return None
        before, cues = previous
        forbidding = [f for f in cues if f.cue in (Cue.NEGATION, Cue.PROHIBITION, Cue.HAZARD,
                                                    Cue.STAY, Cue.DEFERRAL)]
        if not forbidding or not _is_bare_np(seg.text) or _INSTEAD.search(seg.text):
            return None
        if _is_bare_np(before.text, allow_negation=True):
            return None       # "not the kitchen, the living room"
        return forbidding[0]

    def scope(self, seg: _Segment, i: int, f: Found, own: list[str]) -> None:
        referred = self.referred(seg) if not own else []
        cue = f.cue
        if cue is Cue.NEGATION:
            if own or referred:
                self.forbid(own or referred, i, f)
            elif _MOTION.search(seg.text):
                self.set_hold(f)                       # "don't move", "别动"
            elif self.topic:
                self.forbid(self.topic, i, f)          # "the table, not a good idea"
        elif cue is Cue.PROHIBITION:
            near = own or referred or ([] if f.kind == "weak" else self.sentence_targets(seg))
            if near:
                self.forbid(near, i, f)
            elif f.kind != "weak":
                self.set_hold(f)                       # "keep out!"
        elif cue is Cue.HAZARD:
            near = own or referred or self.sentence_targets(seg)
            if near:
                self.forbid(near, i, f)
            else:
                self.set_hold(f)                       # "careful, the floor is wet"
        elif cue is Cue.STAY:
            if self.is_step(seg, i):
                return
            if own:
                self.forbid(own, i, f)                 # "stop heading to the window"
            else:
                self.set_hold(f)
        elif cue in (Cue.CONDITIONAL, Cue.DEFERRAL):
            self.forbid(own or self.topic, i, f)
            self.set_hold(f)

    def is_step(self, seg: _Segment, i: int) -> bool:
        """A stay that is part of the plan: with a duration ("stay here for 10 s"), after a
        destination and "then"/"and" or "there" ("go to the kitchen and stop there"), or
        before "then" and a destination ("stay here 3 s, then go to the table")."""
        if "<d" in seg.text:
            return True
        if self.affirm_at and (seg.joint in ("then", "seq") or
                               (_ANAPHORA.search(seg.text) and seg.joint != "sentence")):
            return True
        following = self.segments[i + 1] if i + 1 < len(self.segments) else None
        return following is not None and following.joint == "then"


def _is_bare_np(text: str, allow_negation: bool = False) -> bool:
    words = _WORD.findall(text)
    if not any(w.startswith("<p") or w.startswith("<c") for w in words):
        return False
    rest = [w for w in words if not _SLOT.fullmatch(w) and w not in L.NP_FILLER]
    if allow_negation:
        if not rest or not all(_NEGATION.fullmatch(w) for w in rest):
            return False
        return True
    return not rest
