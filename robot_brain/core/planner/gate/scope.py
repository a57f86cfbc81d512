"""The scope walk: one pass over the segments, in order, resolving each cue's scope into
what is forbidden, what is plainly asked for and whether moving at all is forbidden
(the rules are listed in gate.reading)."""

from __future__ import annotations

from typing import Iterable

from robot_brain.core.planner.gate import lexicon as L
from robot_brain.core.planner.gate.findings import DOCK_KEY, Found, Reading, point_key
from robot_brain.core.planner.gate.lexicon import Cue
from robot_brain.core.planner.gate.slotted_text import SLOT, Segment, SlottedText, words_of

_HALT_FIRST = frozenset(("halt", "stop", "freeze"))
#: Cue kinds that only make the reading careful: they forbid nothing themselves.
_NEUTRAL = frozenset(("activity", "concessive"))


class ScopeWalk:
    """One pass over the segments, in order, keeping what is forbidden and what is asked."""

    def __init__(self, t: SlottedText, segments: list[Segment]) -> None:
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

    def _find_targets(self, seg: Segment) -> list[str]:
        out: list[str] = []
        for kind, index in SLOT.findall(seg.text):
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

    def referred(self, seg: Segment) -> list[str]:
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
        words = [w for w in t.seg_words(seg) if not SLOT.fullmatch(w)]
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

    def dangling(self, seg: Segment, cues: list[Found]) -> bool:
        """A negation with only stress words ("do not, under any circumstances,"): it
        negates the clause that follows."""
        if not any(f.cue is Cue.NEGATION for f in cues) or len(cues) > 1 or "<" in seg.text:
            return False
        negated = {tok.start for m in seg.matches.get("negation", ())
                   for tok in seg.tokens if m.start <= tok.start < m.end}
        return all(tok.start in negated or tok.text in L.INTENSIFIERS for tok in seg.tokens)

    @staticmethod
    def has_words_after(seg: Segment, f: Found) -> bool:
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
        rest = [tok for tok in toks if not SLOT.fullmatch(tok.text)
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
        return words_of(f.phrase) in L.NEGATIVE_PRONOUNS or existential

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
