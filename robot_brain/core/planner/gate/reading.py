"""What an instruction says about moving: which places it forbids, which it plainly asks for,
and whether it forbids moving at all. Rules over the words (gate.lexicon), no model.

Pipeline, in bounded time (the text is capped before anything else runs):
1. fold (lower case, accents off), drop quoted text and harmless phrases ("no problem",
   "don't forget to", "if you can"), read "stop by X" as a visit and "why don't you" as
   "could you" (gate.placeholders);
2. coordinates, durations and places become placeholders (the world's names and aliases and
   the lexicon's synonyms, the same table as the vertical tier's) (gate.placeholders), and
   every labelled phrase of the lexicon is found in the result (gate.slotted_text);
3. find every cue (negation, prohibition, correction, hazard, conditional, stay, deferral)
   and the helper words (verbs of motion, "it"/"there", connectives, polite openers)
   (gate.cues);
4. cut the text into segments at sentence marks, commas, dashes, connectives ("then", "but")
   and at the start of every self-correction ("actually no", "forget it") (gate.segments);
5. walk the segments in order, resolving each cue's scope (gate.scope):
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
The result is a `Reading` (gate.findings). The gate (gate.gate) then holds a moving plan
unless every destination it drives to is one the text plainly asked for, none is forbidden
and moving was not forbidden.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from robot_brain.core.planner.gate.findings import Reading
from robot_brain.core.planner.gate.phrases import TOKEN
from robot_brain.core.planner.gate.placeholders import place_index, slot
from robot_brain.core.planner.gate.scope import ScopeWalk
from robot_brain.core.planner.gate.segments import cut_segments
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
_PLAIN_PUNCT = frozenset(".,;:!?'\"()-=+/%°¿¡…。，、！？；：（）「」『』«»“”‘’—–")


class InstructionReader:
    """Built once per world (its places); `read()` is pure and bounded."""

    def __init__(self, matcher: PlaceMatcher) -> None:
        self.places = place_index(matcher)

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
        slotted = slot(folded, self.places)
        return ScopeWalk(slotted, cut_segments(slotted)).run()
