"""Place spans: the world's place names, their aliases and the lexicon's synonyms, by rule.

Places are deliberately not part of the model. The matcher is built from the world at start-up
(names, aliases given with the world, multilingual synonyms of known concepts); the model only
ever sees the placeholder "<p0>", so a world with new place names needs no retraining.
Concepts the lexicon knows but this world lacks ("bedroom" in a flat without one) are matched
too, as *foreign* places: the planner can then say the place does not exist instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from robot_brain.core.planner.vertical.lexicon import DESCRIPTION_MARKERS, PLACE_CONCEPTS
from robot_brain.core.planner.vertical.text import fold, phrase_pattern

#: Words that point back at the last place named ("go there"), per language.
ANAPHORA = ("there", "over there", "la-bas", "dort", "dorthin", "da hin", "alli", "alla",
            "ahi", "那里", "那儿", "那边")
_ANAPHORA = phrase_pattern(ANAPHORA)
_DESCRIPTION = phrase_pattern(DESCRIPTION_MARKERS)
#: A light plural/case ending after a Latin alias: "windows", "Tische", "Küchen".
_ENDING = "(?:s|es|e|n|en)?"


@dataclass(frozen=True)
class PlaceMention:
    """A place span in the folded text; `known` is False for a concept absent from the world."""

    place: str
    span: tuple[int, int]
    known: bool


class PlaceMatcher:
    """Finds place mentions for one world. Built once; matching is one regular expression."""

    def __init__(self, place_names: Iterable[str],
                 aliases: Mapping[str, Iterable[str]] | None = None) -> None:
        self.places = tuple(sorted(place_names))
        table: dict[str, set[str]] = {}
        for name in self.places:
            for alias in self._aliases_of(name, (aliases or {}).get(name, ())):
                table.setdefault(alias, set()).add(name)
        known_aliases = set(table)
        for concept, words in PLACE_CONCEPTS.items():
            if concept in self.places:
                continue
            for w in (concept.replace("_", " "), *words):
                alias = fold(w)
                if alias not in known_aliases:
                    table.setdefault(alias, set()).add("?" + concept)
        # An alias shared by two places names neither: better unmatched than a wrong room.
        self._alias_to_place = {a: next(iter(p)) for a, p in table.items() if len(p) == 1}
        # Endings only after aliases of 4+ letters: "tur" (Tür) + "n" must not read "turn".
        long = [a for a in self._alias_to_place if len(a) >= 4]
        short = [a for a in self._alias_to_place if len(a) < 4]
        parts = [phrase_pattern(long, _ENDING).pattern] if long else []
        parts += [phrase_pattern(short).pattern] if short else []
        self._pattern = re.compile("|".join(parts)) if parts else None

    @property
    def aliases(self) -> Mapping[str, str]:
        """Folded alias -> place ("?concept" for a concept this world lacks); the plan gate
        matches the same table with its own index."""
        return dict(self._alias_to_place)

    @staticmethod
    def _aliases_of(name: str, extra: Iterable[str]) -> set[str]:
        out = {fold(name), fold(name.replace("_", " "))}
        out.update(fold(w) for w in PLACE_CONCEPTS.get(name, ()))
        out.update(fold(w) for w in extra)
        out.update(a.replace(" ", "") for a in list(out))  # "livingroom", "frontdoor"
        return {a for a in out if a.strip()}

    def find(self, text: str) -> list[PlaceMention]:
        """Non-overlapping mentions, left to right, longest alias first at each position."""
        if self._pattern is None:
            return []
        found: list[PlaceMention] = []
        for m in self._pattern.finditer(text):
            alias = self._lookup(m.group(0))
            if alias is None:
                continue
            place = self._alias_to_place[alias]
            known = not place.startswith("?")
            found.append(PlaceMention(place if known else place[1:], m.span(), known))
        return found

    def _lookup(self, matched: str) -> str | None:
        if matched in self._alias_to_place:
            return matched
        for suffix in ("es", "en", "s", "e", "n"):
            if matched.endswith(suffix) and matched[: -len(suffix)] in self._alias_to_place:
                return matched[: -len(suffix)]
        return None


def describes_place(clause: str) -> bool:
    """"where you started", "somewhere quiet", "go there": a place described, not named."""
    return _DESCRIPTION.search(clause) is not None


def has_anaphora(clause: str) -> bool:
    """"Go there", "vas-y là-bas", "geh dorthin": the clause points at an earlier place."""
    return _ANAPHORA.search(clause) is not None
