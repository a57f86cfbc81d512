"""Slots by rule: coordinates, durations and place spans become placeholders, then clauses.

Shared by the planner and by training, so the classifier learns on exactly the clauses it
will be shown: "wait five seconds then go to the kitchen" -> ["wait <d0>", "go to the <p0>"].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from robot_brain.core.planner.vertical.numbers import find_coordinates, find_durations
from robot_brain.core.planner.vertical.places import PlaceMatcher
from robot_brain.core.planner.vertical.text import split_clauses

SLOT = re.compile(r"<([cdpq])(\d+)>")
#: Quoted words are said as they are: commas and "then" inside them split nothing.
_QUOTE = re.compile(r"\"([^\"]{1,200})\"|“([^”]{1,200})”|«([^»]{1,200})»|„([^“]{1,200})“|"
                    r"「([^」]{1,200})」")


@dataclass(frozen=True)
class Slots:
    """The folded text with placeholders, and what each placeholder stood for."""

    text: str
    coords: tuple[tuple[float, float], ...]
    durations: tuple[float, ...]
    places: tuple[tuple[str, bool], ...]   # (place, known in this world)
    quotes: tuple[str, ...] = ()

    def in_clause(self, clause: str, kind: str) -> list[int]:
        return [int(i) for k, i in SLOT.findall(clause) if k == kind]


def extract_slots(folded: str, matcher: PlaceMatcher) -> Slots:
    """Quotes and coordinates first (their commas would split clauses), then durations and
    places."""
    text = folded
    quotes: list[str] = []
    for m in reversed(list(_QUOTE.finditer(text))):
        content = next(g for g in m.groups() if g is not None).strip()
        if len(content.split()) <= 3 and any(p.known for p in matcher.find(content)):
            continue  # 'go to the "living room"': a place in quotes is still a place
        text = text[: m.start()] + f" <q{len(quotes)}> " + text[m.end():]
        quotes.append(content)
    coords: list[tuple[float, float]] = []
    durations: list[float] = []
    places: list[tuple[str, bool]] = []
    for c in reversed(find_coordinates(text)):
        text = text[: c.span[0]] + f" <c{len(coords)}> " + text[c.span[1]:]
        coords.append((c.x, c.y))
    for d in reversed(find_durations(text)):
        text = text[: d.span[0]] + f" <d{len(durations)}> " + text[d.span[1]:]
        durations.append(d.seconds)
    for p in reversed(matcher.find(text)):
        text = text[: p.span[0]] + f" <p{len(places)}> " + text[p.span[1]:]
        places.append((p.place, p.known))
    return Slots(" ".join(text.split()), tuple(coords), tuple(durations), tuple(places),
                 tuple(quotes))


def clauses_of(folded: str, matcher: PlaceMatcher) -> tuple[Slots, list[str]]:
    slots = extract_slots(folded, matcher)
    return slots, split_clauses(slots.text)
