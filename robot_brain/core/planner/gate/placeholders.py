"""Before the cues are looked for: quoted text and harmless phrases go ("no problem",
"don't forget to"), "stop by X" reads "go to X", every way of setting something aside reads
"ignore", and coordinates, durations and the world's places become placeholders."""

from __future__ import annotations

import re
from typing import Mapping

from robot_brain.core.planner.gate import lexicon as L
from robot_brain.core.planner.gate.phrases import Match, PhraseIndex, tokenize
from robot_brain.core.planner.gate.slotted_text import DISMISS_WORD, SlottedText, all_languages
from robot_brain.core.planner.vertical.numbers import find_coordinates, find_durations
from robot_brain.core.planner.vertical.places import PlaceMatcher

#: Place aliases this long (Latin) may carry an ending: "windows", "Küchen" (as the vertical
#: tier's matcher: "tur" + "n" must not read "turn").
ENDING_MIN_CHARS = 4
PLACE_ENDINGS = ("s", "es", "e", "n", "en")

_PRE = (PhraseIndex().add("harmless", all_languages(L.HARMLESS)).add("visit", L.VISIT)
        .add("why_not", L.WHY_NOT).add("dismiss", all_languages(L.DISMISS)))
_PRE_REPLACEMENT = {"harmless": " ", "visit": " go to ", "why_not": " could you ",
                    "dismiss": f" {DISMISS_WORD} "}

_QUOTE = re.compile(r"\"[^\"]{0,200}\"|“[^”]{0,200}”|«[^»]{0,200}»|„[^“]{0,200}“|"
                    r"「[^」]{0,200}」|『[^』]{0,200}』")
#: "Never, ever go there": the comma after a negation that is not an answer cuts nothing.
_NEGATION_COMMA = re.compile(r"(?<![\w'-])(never|not|don't|do not|jamais|nie|niemals|nunca|"
                             r"jamas|mai)\s*,\s*")
#: "DON'T. GO. TO. THE. KITCHEN.": three or more one-word sentences are one, stressed.
_EMPHATIC = re.compile(r"(?<![\w'])(?:[^\W\d_]+(?:'[^\W\d_]+)?[.!]+\s+){2,}"
                       r"[^\W\d_]+(?:'[^\W\d_]+)?[.!]*")
_EMPHATIC_MARK = re.compile(r"[.!]+(?=\s)")


def place_index(matcher: PlaceMatcher) -> PhraseIndex:
    """The world's place names and aliases, Latin ones with their endings."""
    places = PhraseIndex()
    for alias, place in matcher.aliases.items():
        long = len(alias) >= ENDING_MIN_CHARS and alias.isascii()
        endings = PLACE_ENDINGS if long else ()
        places.add(place, (alias,), endings=endings + (("'s",) if alias.isascii()
                                                       else ()))
    return places


def slot(folded: str, index: PhraseIndex) -> SlottedText:
    """The folded text with its placeholders, tokenised and labelled."""
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
    for m in reversed(_longest_first(index.find(text, tokenize(text)))):
        # "kitchen's": the place, then "is" (a copula or a possessive: a statement).
        tail = " is " if m.text.endswith("'s") else " "
        text = text[: m.start] + f" <p{len(places)}>{tail}" + text[m.end:]
        known = not m.label.startswith("?")
        places.append((m.label if known else m.label[1:], known))
    return SlottedText(" ".join(text.split()), tuple(places), tuple(coords))


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
