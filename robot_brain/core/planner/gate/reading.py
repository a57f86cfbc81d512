"""What an instruction says about moving: which places it forbids, which it plainly asks for,
and whether it forbids moving at all. Rules over the words (gate.lexicon), no model.

Pipeline, in bounded time (the text is capped before anything else runs):
1. fold (lower case, accents off), drop quoted text and harmless phrases ("no problem",
   "don't forget to", "if you can"), read "stop by X" as a visit and "why don't you" as
   "could you";
2. coordinates, durations and places become placeholders (the world's names and aliases and
   the lexicon's synonyms, the same table as the vertical tier's);
3. find every cue (negation, prohibition, correction, hazard, conditional, stay, deferral)
   and the helper words (verbs of motion, "it"/"there", connectives, polite openers);
4. cut the text into segments at sentence marks, commas, dashes, connectives ("then", "but")
   and at the start of every self-correction ("actually no", "forget it");
5. walk the segments in order, resolving each cue's scope:
   - a place named with the cue is forbidden ("don't go to the kitchen", "the kitchen is off
     limits", "the kitchen floor is wet");
   - no place but "it"/"there": the last place named ("someone is mopping the kitchen, keep
     away from it"); "the table, not now": the noun phrase just before;
   - a hazard or a prohibition with neither: the places of the same sentence, else motion;
   - a negation with a verb of motion ("don't move"), a stay ("stand still"), a condition it
     cannot check ("if the door is open"), "not yet": no motion at all;
   - a self-correction takes back everything before it: what was asked becomes forbidden,
     and unless a new destination follows, nothing may move ("go to the kitchen... actually
     no, forget it"); one that carries a negation ("doch nicht", "better not") forbids what
     it names, one that does not ("actually, the door") asks for it;
   - a question that is not a polite request ("is the kitchen clean?") asks, it does not
     request: its places are not asked for;
   - a clause with no cue asks for its places plainly; a bare "and the door" continues the
     cue before it, "not the kitchen, the living room" asks for the living room.
The gate (gate.gate) then holds a moving plan unless every destination it drives to is one the
text plainly asked for, none is forbidden and moving was not forbidden.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from robot_brain.core.planner.gate import lexicon as L
from robot_brain.core.planner.gate.lexicon import Cue
from robot_brain.core.planner.gate.phrases import TOKEN, Match, PhraseIndex, Token, tokenize
from robot_brain.core.planner.vertical.numbers import find_coordinates, find_durations
from robot_brain.core.planner.vertical.places import PlaceMatcher
from robot_brain.core.planner.vertical.text import fold

#: Longer instructions are not read: a moving plan for one is held. The planner itself reads
#: at most 300 characters (prompt.MAX_INSTRUCTION_CHARS; the vertical tier refuses over 400),
#: so a plan for a longer text was made from part of it, and the rest may have said "don't".
#: The cap also bounds the gate's work (linear in the text: a few ms for 400 CJK characters).
MAX_GATE_CHARS = 400
#: Nor more tokens (words, CJK characters, marks) than this: the 300 characters the prompt
#: keeps are about 65 English tokens, and a 120-character Chinese instruction is a speech.
#: The reading costs 10-30 µs per token on a loaded CPU, so this bounds the worst case at a
#: few milliseconds (bench/plan_gate_bench.py).
MAX_GATE_TOKENS = 120
#: Fewer letters, digits and ordinary punctuation than this among the visible characters:
#: not language (binary, control characters), nothing in it can have asked for motion.
MIN_PLAIN_RATIO = 0.6
#: Place aliases this long (Latin) may carry an ending: "windows", "Küchen" (as the vertical
#: tier's matcher: "tur" + "n" must not read "turn").
ENDING_MIN_CHARS = 4
PLACE_ENDINGS = ("s", "es", "e", "n", "en")

DOCK_KEY = "dock"


def point_key(x: float, y: float) -> str:
    return f"xy:{x:g},{y:g}"


@dataclass(frozen=True)
class Found:
    """One cue in the text: its category, the words that carry it, how it acts."""

    cue: Cue
    phrase: str
    #: correction: retract | discourse | replace; prohibition: weak; negation: dismiss ("don't
    #: worry about the cables": forbids only a place it names); stay: activity ("stop
    #: worrying": forbids nothing); conditional: concessive ("if it's messy, don't worry":
    #: binds nothing); deferral: wait ("wait before going there", a step after a destination)
    kind: str = ""


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


# -- the word lists, indexed once -------------------------------------------------------------

def _all(table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The gate does not guess the language: a cue in any language counts (texts mix them,
    and a wrong guess must not hide a "don't")."""
    return tuple(p for phrases in table.values() for p in phrases)


_PRE = (PhraseIndex().add("harmless", _all(L.HARMLESS)).add("visit", L.VISIT)
        .add("why_not", L.WHY_NOT).add("dismiss", _all(L.DISMISS)))
#: Every way of setting something aside becomes the one word the reading looks for.
DISMISS_WORD = "ignore"
_PRE_REPLACEMENT = {"harmless": " ", "visit": " go to ", "why_not": " could you ",
                    "dismiss": f" {DISMISS_WORD} "}

#: cue label -> (cue, kind)
_CUE_LABELS: Mapping[str, tuple[Cue, str]] = {
    "retract": (Cue.CORRECTION, "retract"), "discourse": (Cue.CORRECTION, "discourse"),
    "replace": (Cue.CORRECTION, "replace"), "prohibition": (Cue.PROHIBITION, ""),
    "weak": (Cue.PROHIBITION, "weak"), "hazard": (Cue.HAZARD, ""),
    "conditional": (Cue.CONDITIONAL, ""), "deferral": (Cue.DEFERRAL, ""),
    "stay": (Cue.STAY, ""), "negation": (Cue.NEGATION, ""),
    "wait_before": (Cue.DEFERRAL, "wait"),
}
_MAIN = (PhraseIndex()
         .add("retract", _all(L.RETRACT), loose=True)
         .add("discourse", _all(L.DISCOURSE), loose=True)
         .add("replace", _all(L.REPLACE), loose=True)
         .add("prohibition", _all(L.PROHIBITION)).add("weak", _all(L.PROHIBITION_WEAK))
         .add("hazard", _all(L.HAZARD)).add("conditional", _all(L.CONDITIONAL))
         .add("deferral", _all(L.DEFERRAL)).add("stay", _all(L.STAY))
         .add("negation", _all(L.NEGATION))
         .add("motion", _all(L.MOTION)).add("polite", _all(L.POLITE))
         .add("opener", _all(L.QUESTION_OPENERS)).add("anaphora", _all(L.ANAPHORA))
         .add("dock", _all(L.DOCK_VERBS)).add("sequence", _all(L.SEQUENCE))
         .add("then", L.THEN).add("contrast", _all(L.CONTRAST)).add("instead", L.INSTEAD)
         .add("say", L.SAY_OPENERS).add("tell_me", L.TELL_ME)
         .add("request", _all(L.MOTION) + _all(L.REQUESTS) + _all(L.DOCK_VERBS))
         .add("copula", _all(L.COPULAS)).add("not_request", _all(L.NOT_REQUESTS))
         .add("wait_before", _all(L.WAIT_BEFORE), loose=True)
         .add("dismiss", (DISMISS_WORD,)).add("concessive", _all(L.CONCESSIVE))
         .add("existential", _all(L.EXISTENTIALS)))

_QUOTE = re.compile(r"\"[^\"]{0,200}\"|“[^”]{0,200}”|«[^»]{0,200}»|„[^“]{0,200}“|"
                    r"「[^」]{0,200}」|『[^』]{0,200}』")
#: "Never, ever go there": the comma after a negation that is not an answer cuts nothing.
_NEGATION_COMMA = re.compile(r"(?<![\w'-])(never|not|don't|do not|jamais|nie|niemals|nunca|"
                             r"jamas|mai)\s*,\s*")
_SENTENCE = re.compile(r"[.!?;…。！？；]+")
#: "DON'T. GO. TO. THE. KITCHEN.": three or more one-word sentences are one, stressed.
_EMPHATIC = re.compile(r"(?<![\w'])(?:[^\W\d_]+(?:'[^\W\d_]+)?[.!]+\s+){2,}"
                       r"[^\W\d_]+(?:'[^\W\d_]+)?[.!]*")
_EMPHATIC_MARK = re.compile(r"[.!]+(?=\s)")
_CLAUSE = re.compile(r"[,，、:：]|\s[-–—]+\s|[–—]+")
_SLOT = re.compile(r"<([cdpq])(\d+)>")
_FIRST_WORD = re.compile(r"\s*([^\W\d_]+'?)")
_HALT_FIRST = frozenset(("halt", "stop", "freeze"))
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
    cues: list[Found] = field(default_factory=list)
    cue_starts: list[int] = field(default_factory=list)         # where each cue starts
    tokens: list[Token] = field(default_factory=list)           # its word tokens
    matches: dict[str, list[Match]] = field(default_factory=dict)  # label -> matches in it


@dataclass
class _Text:
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
        self.matches = _MAIN.find(self.text, self.tokens)
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
            marks = [m for rx in (_SENTENCE, _CLAUSE) for m in rx.finditer(self.text)]
            self._clause_ends = sorted([m.start() for m in marks] + [
                m.start for label in ("sequence", "then", "contrast") for m in self.of(label)])
            self._clause_starts = sorted(m.end() for m in marks)
        return self._clause_ends, self._clause_starts

    def of(self, label: str) -> list[Match]:
        return self._by_label.get(label, [])

    @staticmethod
    def has(label: str, seg: _Segment) -> bool:
        return label in seg.matches

    def opens(self, label: str, seg: _Segment, words: int = 2) -> bool:
        """A `label` phrase within the first `words` words of the segment."""
        found = seg.matches.get(label)
        if not found:
            return False
        return self.words(seg.start, found[0].start) <= words

    def words(self, start: int, end: int) -> int:
        return bisect.bisect_left(self.word_starts, end) - \
            bisect.bisect_left(self.word_starts, start)

    @staticmethod
    def seg_words(seg: _Segment) -> list[str]:
        return [t.text for t in seg.tokens]

    @staticmethod
    def covered(label: str, seg: _Segment, tokens: Iterable[Token]) -> bool:
        """Every token given lies inside a `label` match of the segment."""
        spans = [(m.start, m.end) for m in seg.matches.get(label, ())]
        return all(any(s <= t.start and t.end <= e for s, e in spans) for t in tokens)


# -- the reader --------------------------------------------------------------------------------

class InstructionReader:
    """Built once per world (its places); `read()` is pure and bounded."""

    def __init__(self, matcher: PlaceMatcher) -> None:
        self.places = PhraseIndex()
        for alias, place in matcher.aliases.items():
            long = len(alias) >= ENDING_MIN_CHARS and alias.isascii()
            endings = PLACE_ENDINGS if long else ()
            self.places.add(place, (alias,), endings=endings + (("'s",) if alias.isascii()
                                                                else ()))

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
        if len(TOKEN.findall(folded)) > MAX_GATE_TOKENS:
            return Reading("", problem="too_long")
        slotted = self._slots(folded)
        return _Walk(slotted, _segments(slotted)).run()

    def _slots(self, folded: str) -> _Text:
        folded = _EMPHATIC.sub(lambda m: _EMPHATIC_MARK.sub(" ", m.group(0)), folded)
        text = _NEGATION_COMMA.sub(r"\1 ", _QUOTE.sub(" <q0> ", folded))
        text = _replace(text, _PRE.find(text, tokenize(text)), _PRE_REPLACEMENT)
        coords: list[tuple[float, float]] = []
        for c in reversed(find_coordinates(text)):
            text = text[: c.span[0]] + f" <c{len(coords)}> " + text[c.span[1]:]
            coords.append((c.x, c.y))
        for i, d in enumerate(reversed(find_durations(text))):
            text = text[: d.span[0]] + f" <d{i}> " + text[d.span[1]:]
        places: list[tuple[str, bool]] = []
        for m in reversed(_longest_first(self.places.find(text, tokenize(text)))):
            # "kitchen's": the place, then "is" (a copula or a possessive: a statement).
            tail = " is " if m.text.endswith("'s") else " "
            text = text[: m.start] + f" <p{len(places)}>{tail}" + text[m.end:]
            known = not m.label.startswith("?")
            places.append((m.label if known else m.label[1:], known))
        return _Text(" ".join(text.split()), tuple(places), tuple(coords))


def _replace(text: str, matches: list[Match], replacement: Mapping[str, str]) -> str:
    out: list[str] = []
    pos = 0
    for m in _longest_first(matches):
        out += [text[pos: m.start], replacement[m.label]]
        pos = m.end
    return "".join(out) + text[pos:]


def _longest_first(matches: list[Match]) -> list[Match]:
    """Non-overlapping across labels, left to right, the longest at each position."""
    out: list[Match] = []
    end = -1
    for m in sorted(matches, key=lambda m: (m.start, -m.end)):
        if m.start >= end:
            out.append(m)
            end = m.end
    return out


def _cues(t: _Text) -> list[tuple[Found, int, int]]:
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
                        and not _SENTENCE.search(between) and not _CLAUSE.search(between) \
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
        if f.cue is Cue.STAY and _words_of(f.phrase) in L.CESSATIVES and _activity(t, e):
            f = Found(f.cue, f.phrase, "activity")   # "stop worrying": not the robot's way
        if f.cue is Cue.CORRECTION and f.kind == "retract" \
                and _words_of(f.phrase) in L.RETRACT_DISMISSING and _sets_aside(t, e):
            f = Found(Cue.NEGATION, f.phrase, "dismiss")   # "never mind the mess"
        kept.append((f, s, e))
    kept += [(Found(Cue.NEGATION, m.text, "dismiss"), m.start, m.end)
             for m in t.of("dismiss") if _dismissed(t, m.start, m.end) is not None]
    kept = _drop_dismissed(t, kept)
    # A negation inside a correction ("no wait", "doch nicht") is the correction's.
    reach = [-1] * (len(t.text) + 1)   # position -> farthest end of a correction over it
    for f, s, e in kept:
        if f.cue is Cue.CORRECTION:
            for p in range(s, e):
                reach[p] = max(reach[p], e)
    return [(f, s, e) for f, s, e in kept if (s, e) not in consumed and (
        f.cue is not Cue.NEGATION or reach[s] < e)]


def _words_of(phrase: str) -> str:
    return " ".join(tok.text for tok in tokenize(phrase) if tok.is_word)


#: The second half of French "ne … pas".
_NE_PARTNERS = frozenset(("pas", "plus", "jamais", "point", "rien"))
#: Negations that are themselves a copula ("it isn't locked").
_COPULAR_NEGATIONS = frozenset(("isn't", "aren't", "wasn't", "weren't", "ain't", "no longer"))


def _copular(t: _Text, ns: int, ne: int, s: int) -> bool:
    """The negation before a restriction negates a predicate ("is not closed", "no está
    prohibido", "n'est plus interdit"), not an order ("no, keep out")."""
    if _words_of(t.text[ns:ne]) in _COPULAR_NEGATIONS:
        return True
    for c in t.of("copula"):
        if c.start >= ne and c.end <= s and "'" not in c.text:
            return True             # "no está prohibido", "n'est plus interdit" (not "no it's")
        if c.end <= ns and t.words(c.end, ns) == 0 and not _CLAUSE.search(t.text[c.end:ns]) \
                and not _SENTENCE.search(t.text[c.end:ns]):
            return True                                       # "is not off limits"
    return False


def _next_word(t: _Text, pos: int) -> Token | None:
    """The word right after `pos`, if no mark stands between."""
    k = bisect.bisect_left(t.word_starts, pos)
    if k >= len(t.word_tokens):
        return None
    tok = t.word_tokens[k]
    return tok if not t.text[pos:tok.start].strip() else None


_NOT_GERUNDS = ("thing", "morning", "evening", "ceiling", "building", "during", "spring",
                "string")


def _activity(t: _Text, end: int) -> bool:
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


def _clause_end(t: _Text, pos: int) -> int:
    """Where the clause holding `pos` ends: a mark, or a connective ("and", "then", "but")."""
    ends, _ = t.clause_bounds()
    k = bisect.bisect_left(ends, pos)
    return ends[k] if k < len(ends) else len(t.text)


def _clause_start(t: _Text, pos: int) -> int:
    _, starts = t.clause_bounds()
    k = bisect.bisect_right(starts, pos)
    return starts[k - 1] if k else 0


def _dismissed(t: _Text, start: int, end: int) -> tuple[int, int] | None:
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


def _sets_aside(t: _Text, end: int) -> bool:
    """A retraction followed by something that is neither a place, "it"/"that", motion nor
    the errand itself: "never mind the mess" sets the mess aside and takes nothing back."""
    span = _dismissed(t, end, end)
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
#: cables"); what it names stays (a place it names is forbidden: scope()).
_DISMISSABLE = (Cue.HAZARD, Cue.NEGATION, Cue.STAY, Cue.PROHIBITION, Cue.CONDITIONAL,
                Cue.DEFERRAL)


def _drop_dismissed(t: _Text, kept: list[tuple[Found, int, int]]
                    ) -> list[tuple[Found, int, int]]:
    spans = [span for f, s, e in kept if f.kind == "dismiss"
             for span in (_dismissed(t, s, e),) if span is not None]
    if not spans:
        return kept
    return [(f, s, e) for f, s, e in kept if f.kind == "dismiss" or f.cue not in _DISMISSABLE
            or not any(a <= s < b for a, b in spans)]


def _segments(t: _Text) -> list[_Segment]:
    """Cut at sentence marks, commas, dashes, connectives and corrections; never inside a
    cue ("wait, no" is one)."""
    text = t.text
    cues = _cues(t)
    interior = bytearray(len(text) + 1)   # 1 = strictly inside a cue ("wait, no" is one)
    for _, s, e in cues:
        interior[s + 1: e] = b"\x01" * max(0, e - s - 1)

    def free(pos: int) -> bool:
        return not interior[pos]

    # (start of the cut, end of the cut, joint of the next segment)
    cuts: list[tuple[int, int, str]] = []
    for m in _SENTENCE.finditer(text):
        if free(m.start()):
            cuts.append((m.start(), m.end(), "sentence"))
    for m in _CLAUSE.finditer(text):
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
        elif f.kind == "dismiss" and (_dismissed(t, s, e) or (e, e))[0] >= e:
            # "go to the kitchen never mind the mess": what it sets aside follows it (not in
            # Japanese: "キッチンは気にしないで")
            cuts.append((s, s, "clause"))
    cuts.sort(key=lambda c: (c[0], -c[1], -_RANKS[c[2]]))
    segments: list[_Segment] = []
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

    def owner(pos: int) -> _Segment | None:
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


#: Cue kinds that only make the reading careful: they forbid nothing themselves.
_NEUTRAL = frozenset(("activity", "concessive"))

_RANKS = {"clause": 1, "seq": 2, "then": 3, "contrast": 4, "correction": 5, "sentence": 6}


def _add(segments: list[_Segment], text: str, start: int, end: int, joint: str,
         sentence: int) -> None:
    piece = text[start:end]
    stripped = piece.strip(" '\"()[]¿¡-")
    if not stripped:
        return
    offset = start + piece.index(stripped[0])
    segments.append(_Segment(offset, offset + len(stripped), stripped, sentence, joint))


def _mark_questions(segments: list[_Segment], t: _Text, ends: Mapping[int, str]) -> None:
    """A sentence ending in '?' (or opened by '¿', or ended by 吗/か) is a question, unless it
    opens with a polite request ("can you …?"); a trailing tag ("…, ok?") is its own."""
    by_sentence: dict[int, list[_Segment]] = {}
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


class _Walk:
    """One pass over the segments, in order, keeping what is forbidden and what is asked."""

    def __init__(self, t: _Text, segments: list[_Segment]) -> None:
        self.t = t
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
        #: "Someone is at the door, go": the places of a statement just before, same sentence,
        #: are where a verb of motion without a place goes.
        self.stated: list[str] = []
        self._targets = [self._find_targets(s) for s in segments]
        self._by_sentence: dict[int, list[str]] = {}
        for seg, keys in zip(segments, self._targets, strict=True):
            into = self._by_sentence.setdefault(seg.sentence, [])
            into += [k for k in keys if k not in into]

    # -- helpers -------------------------------------------------------------------------

    def _find_targets(self, seg: _Segment) -> list[str]:
        out: list[str] = []
        for kind, index in _SLOT.findall(seg.text):
            i = int(index)
            if kind == "p":
                place, known = self.t.places[i]
                if known:
                    out.append(place)
            elif kind == "c":
                x, y = self.t.coords[i]
                key = point_key(x, y)
                self.points[key] = (x, y)
                out.append(key)
        if self.t.has("dock", seg) and DOCK_KEY not in out:
            out.append(DOCK_KEY)
        return out

    def referred(self, seg: _Segment) -> list[str]:
        """"it", "there": the last place named before this segment."""
        if self.last_place is not None and self.t.has("anaphora", seg):
            return [self.last_place]
        return []

    def sentence_targets(self, i: int) -> list[str]:
        """The places named in the segment's sentence (it names none itself)."""
        return self._by_sentence.get(self.segments[i].sentence, [])

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
        previous: int | None = None
        carried: Found | None = None
        for i, seg in enumerate(self.segments):
            if carried is not None and self.segments[i - 1].sentence == seg.sentence:
                seg.cues.insert(0, carried)   # "do not, under any circumstances, go …"
                seg.cue_starts.insert(0, -1)
            carried = None
            cues = self.segment_cues(i)
            if self.dangling(seg, cues):
                carried = next(f for f in cues if f.cue is Cue.NEGATION)
            own = self._targets[i]
            self.topic = []
            self.stated = []
            if previous is not None and self.segments[previous].sentence == seg.sentence:
                if self.is_bare_np(previous):
                    self.topic = self._targets[previous]
                if any(f.cue is Cue.STATEMENT for f in self.segments[previous].cues):
                    self.stated = self._targets[previous]
            self.step(i, cues, own, previous)
            places = [k for k in own if not k.startswith("xy:")]
            if places:
                self.last_place = places[-1]
            previous = i
        if self.correction is not None and not any(
                at >= self.last_correction for at in self.affirm_at.values()):
            self.set_hold(self.correction)
        return Reading(
            self.t.text, cues=tuple(self.cues), hold=self.hold,
            forbidden={k: f for k, (_, f) in self.forbid_at.items()},
            affirmed=frozenset(self.affirm_at), points=dict(self.points))

    def segment_cues(self, i: int) -> list[Found]:
        seg = self.segments[i]
        t = self.t
        words = [w for w in t.seg_words(seg) if not _SLOT.fullmatch(w)]
        cues = list(seg.cues)
        negation_first = any(m.start == seg.start for m in seg.matches.get("negation", ()))
        if t.opens("say", seg) and not t.opens("tell_me", seg) and not negation_first:
            # What to say is someone else's words, but a hazard still warns about its place,
            # and a cue before the opener is the speaker's ("smettila di andare": there "di"
            # is "of", not "say").
            say_at = seg.matches["say"][0].start
            own = [f for f, at in zip(seg.cues, seg.cue_starts, strict=True)
                   if f.cue is Cue.HAZARD or at < say_at]
            if len(own) < len(seg.cues) and not own:
                # "Tell everyone not to enter the kitchen": words to pass on, which ask the
                # robot for nothing; a place in them is not a destination.
                own.append(Found(Cue.STATEMENT, seg.text[:40], "quoted"))
            self.cues += own
            return own
        if words and all(w in L.BARE_NEGATIONS for w in words) and t.has("negation", seg) \
                and "<p" not in seg.text:
            cues = [Found(Cue.CORRECTION, seg.text, "discourse")]   # "No.", "Don't!", "不"
        elif len(words) == 1 and words[0] in L.STAY_ALONE and "<" not in seg.text:
            following = self.segments[i + 1] if i + 1 < len(self.segments) else None
            if following is not None and following.sentence == seg.sentence:
                # "Wait, go to the window first": what follows is the new request.
                cues = [Found(Cue.CORRECTION, words[0], "discourse")]
            else:
                cues.append(Found(Cue.STAY, words[0]))                # "Wait!", "¡Para!"
        elif words and words[0] in _HALT_FIRST and not any(f.cue is Cue.STAY for f in cues):
            cues.append(Found(Cue.STAY, words[0]))                    # "Halt right there"
        kept: list[Found] = []
        for f in cues:
            if f.cue is Cue.CONDITIONAL:
                if not self.has_words_after(seg, f):
                    continue
                if self.conceded(i):
                    f = Found(f.cue, f.phrase, "concessive")
            kept.append(f)
        referred = self.referred(seg) if "<p" not in seg.text else []
        if seg.question and not seg.polite:
            kept.append(Found(Cue.QUESTION, seg.text[:40]))
        elif not kept and ("<p" in seg.text or referred) and not t.has("request", seg) \
                and t.has("copula", seg) and not self.is_bare_np(i):
            # "The kitchen tiles are still drying.", "it's a minefield in there": talks
            # about a place, asks nothing.
            kept.append(Found(Cue.STATEMENT, seg.text[:40]))
            seg.cues.append(kept[-1])
            seg.cue_starts.append(seg.start)
            if referred:
                self._targets[i] = referred   # what the next clause's bare "go" goes to
        self.cues += kept
        return kept

    def conceded(self, i: int) -> bool:
        """A condition whose consequence sets it aside: "if it's messy, don't worry about
        it", "if the dog barks, ignore it", "…, go there anyway"."""
        seg = self.segments[i]
        following = [s for s in self.segments[i + 1:] if s.sentence == seg.sentence]
        if any(self.t.has("concessive", s) for s in following):
            return True
        if not following:
            return False
        # "If it rains, ignore the window and go to the door": a new object is the
        # consequence, under the condition; only the condition itself may be set aside.
        nxt = following[0]
        marks = [m for m in nxt.matches.get("dismiss", ())
                 if self.t.words(nxt.start, m.start) <= 1]
        if not marks:
            return False
        rest = [tok.text for tok in nxt.tokens if tok.start >= marks[0].end]
        return all(w in L.DISMISSED_CONDITION for w in rest)

    def dangling(self, seg: _Segment, cues: list[Found]) -> bool:
        """A negation with only stress words ("do not, under any circumstances,"): it
        negates the clause that follows."""
        if not any(f.cue is Cue.NEGATION for f in cues) or len(cues) > 1 or "<" in seg.text:
            return False
        negated = {tok.start for m in seg.matches.get("negation", ())
                   for tok in seg.tokens if m.start <= tok.start < m.end}
        return all(tok.start in negated or tok.text in L.INTENSIFIERS for tok in seg.tokens)

    @staticmethod
    def has_words_after(seg: _Segment, f: Found) -> bool:
        """"sí," = "yes" folds to "si": a condition needs its clause."""
        at = seg.text.find(f.phrase)
        rest = seg.text[at + len(f.phrase):] if at >= 0 else ""
        return any(ch.isalnum() for ch in rest)

    def is_bare_np(self, i: int, allow_negation: bool = False) -> bool:
        """Only places and noun-phrase filler ("and the window", "la table"); with
        `allow_negation`, "not the kitchen", "nicht in die Küche", "不是厨房"."""
        seg = self.segments[i]
        toks = seg.tokens
        if not any(tok.text.startswith(("<p", "<c")) for tok in toks):
            return False
        rest = [tok for tok in toks if not _SLOT.fullmatch(tok.text)
                and tok.text not in L.NP_FILLER]
        if allow_negation:
            return bool(rest) and self.t.covered("negation", seg, rest)
        return not rest

    def is_negated_there(self, i: int) -> bool:
        """"Not there", "pas là", "nicht dort", "不是那里": a negated pointer, no place."""
        seg = self.segments[i]
        rest = [tok for tok in seg.tokens if tok.text not in L.NP_FILLER]
        negated = [tok for tok in rest if self.t.covered("negation", seg, [tok])]
        return bool(negated) and self.t.covered("anaphora", seg, [tok for tok in rest
                                                                   if tok not in negated])

    def step(self, i: int, cues: list[Found], own: list[str], previous: int | None) -> None:
        seg = self.segments[i]
        corrections = [f for f in cues if f.cue is Cue.CORRECTION]
        if corrections:
            # Everything said before is taken back: asked-for places become forbidden.
            self.forbid(list(self.affirm_at), i, corrections[0])
            self.hold = None
            self.last_correction = i
            self.correction = corrections[0]
        forbidding = [f for f in cues
                      if f.cue not in (Cue.CORRECTION, Cue.QUESTION, Cue.STATEMENT)
                      and f.kind not in _NEUTRAL]
        retract = [f for f in corrections if f.kind == "retract"]
        if retract:
            self.forbid(own or self.referred(seg), i, retract[0])   # "never mind the window"
            return
        if not forbidding:
            if any(f.cue in (Cue.QUESTION, Cue.STATEMENT) for f in cues):
                return        # "is the kitchen clean?", "it's wet": about, not asked for
            inherited = self.inherited(i, own, previous)
            if inherited is not None:
                self.forbid(own, i, inherited)
                return
            implicit = self.stated if self.t.has("motion", seg) else []
            self.affirm(own or self.referred(seg) or implicit, i)
            return
        for f in forbidding:
            self.scope(i, f, own)

    def inherited(self, i: int, own: list[str], previous: int | None) -> Found | None:
        """"Stay away from the kitchen and the window": a bare noun phrase joined by "and",
        "or" or a comma continues the cue before it, unless that was "not the kitchen"
        (then it is the alternative) or a contrast joins them."""
        seg = self.segments[i]
        if previous is None or not own or seg.joint not in ("seq", "clause"):
            return None
        forbidding = [f for f in self.segments[previous].cues
                      if f.cue in (Cue.NEGATION, Cue.PROHIBITION, Cue.HAZARD, Cue.STAY,
                                   Cue.DEFERRAL)]
        if not forbidding or not self.is_bare_np(i) or self.t.has("instead", seg):
            return None
        if self.is_bare_np(previous, allow_negation=True) or self.is_negated_there(previous):
            return None       # "not the kitchen, the living room", "not there, the window"
        return forbidding[0]

    def scope(self, i: int, f: Found, own: list[str]) -> None:
        seg = self.segments[i]
        referred = self.referred(seg) if not own else []
        cue = f.cue
        if f.kind == "dismiss":
            # "Don't worry about the kitchen": not there; but "go to the kitchen, don't worry
            # about it" keeps what was asked for.
            self.forbid([k for k in own or referred if k not in self.affirm_at], i, f)
        elif cue is Cue.NEGATION:
            if (own or referred) and self.describes(i, f):
                # "There's no one in the kitchen", "il n'y a personne": what is there, not
                # where to go (and not a request either).
                found = Found(Cue.STATEMENT, seg.text[:40])
                seg.cues.append(found)
                seg.cue_starts.append(seg.start)
                self.cues.append(found)
            elif own or referred:
                self.forbid(own or referred, i, f)
            elif self.t.has("motion", seg) and not any(
                    tok.text in L.ELSEWHERE for tok in seg.tokens):
                self.set_hold(f)                       # "don't move", "别动"
            elif self.topic:
                self.forbid(self.topic, i, f)          # "the table, not a good idea"
        elif cue is Cue.PROHIBITION:
            near = own or referred or ([] if f.kind == "weak" else self.sentence_targets(i))
            if near:
                self.forbid(near, i, f)
            elif f.kind != "weak":
                self.set_hold(f)                       # "keep out!"
        elif cue is Cue.HAZARD:
            near = own or referred or self.sentence_targets(i)
            if near:
                self.forbid(near, i, f)
            else:
                self.set_hold(f)                       # "careful, the floor is wet"
        elif cue is Cue.STAY:
            if self.is_step(i):
                return
            if own:
                self.forbid(own, i, f)                 # "stop heading to the window"
            else:
                self.set_hold(f)
        elif cue in (Cue.CONDITIONAL, Cue.DEFERRAL):
            if f.kind == "wait" and self.is_step(i):
                self.affirm(own, i)        # "go to the kitchen, wait there before the door"
                return
            self.forbid(own or self.topic, i, f)
            self.set_hold(f)

    def describes(self, i: int, f: Found) -> bool:
        """A negation that says what is (not) somewhere: no verb of motion, and a pronoun
        ("nobody", "nothing", "personne") or an existential ("there is", "il y a", "hay")."""
        seg = self.segments[i]
        existential = self.t.has("existential", seg)
        if self.t.has("motion", seg) or self.t.has("dock", seg) or (
                self.t.has("request", seg) and not existential):
            return False
        return _words_of(f.phrase) in L.NEGATIVE_PRONOUNS or existential

    def is_step(self, i: int) -> bool:
        """A stay that is part of the plan: with a duration ("stay here for 10 s"), after a
        destination and "then"/"and" or "there" ("go to the kitchen and stop there"), or
        before "then" and a destination ("stay here 3 s, then go to the table")."""
        seg = self.segments[i]
        if "<d" in seg.text:
            return True
        if self.affirm_at and (seg.joint in ("then", "seq") or
                               (self.t.has("anaphora", seg) and seg.joint != "sentence")):
            return True
        following = self.segments[i + 1] if i + 1 < len(self.segments) else None
        return following is not None and following.joint == "then"
