"""Place spans: the world's place names, their aliases and the lexicon's synonyms, by rule.

Places are deliberately not part of the model. The matcher is built from the world at start-up
(names, aliases given with the world or its places file, multilingual synonyms of known
concepts); the model only ever sees the placeholder "<p0>", so a world with new place names
needs no retraining. Concepts the lexicon knows but this world lacks ("bedroom" in a flat
without one) are matched too, as *foreign* places: the planner can then say the place does not
exist instead of guessing.

Matching is exact on the folded text (case, accents and "ß" folded; "Küche" = "kuche"), with a
light plural/case ending after aliases of 4+ letters ("printers", "Toiletten", "Küchen"), then
forgiving: a word or run of up to three words that no exact alias covered is compared with the
aliases of 5+ letters starting with the same letter, allowing one edit (two from 9 letters) of
insertion, deletion, substitution or swap of neighbours ("prnter", "meting room", "recepción"
for "reception"). Words the model knows from training and function words are never bent into
a place ("copies" stays a word when the model knows it); a near spelling of two places names
neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from robot_brain.core.planner.vertical.lexicon import (
    BARE_GO_VERBS,
    CONNECTIVES,
    DESCRIPTION_MARKERS,
    FIRST_MARKERS,
    FUNCTION_WORDS,
    NEGATIONS_WORDS,
    NUMBER_WORDS,
    PLACE_CONCEPTS,
    POLITENESS,
    SAY_VERBS,
    TIME_UNITS,
)
from robot_brain.core.planner.vertical.text import fold, phrase_pattern

#: Words that point back at the last place named ("go there"), per language.
ANAPHORA = ("there", "over there", "la-bas", "dort", "dorthin", "da hin", "alli", "alla",
            "ahi", "那里", "那儿", "那边")
_ANAPHORA = phrase_pattern(ANAPHORA)
_DESCRIPTION = phrase_pattern(DESCRIPTION_MARKERS)
#: A light plural/case ending after a Latin alias: "windows", "Tische", "Küchen".
_ENDING = "(?:s|es|e|n|en)?"
_ENDINGS = ("es", "en", "s", "e", "n")
#: Near spellings: aliases this long (letters, no spaces) or longer may be met with one edit,
#: from FUZZY_TWO_EDITS letters with two.
FUZZY_MIN_LETTERS = 5
FUZZY_TWO_EDITS = 9
#: Longest run of words compared with a multi-word alias.
_FUZZY_MAX_WORDS = 3
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*", re.UNICODE)
#: Words never read as a near spelling of a place: the lexicon's one-word grammar words.
_COMMON: frozenset[str] = frozenset(
    w for group in (CONNECTIVES, POLITENESS, BARE_GO_VERBS, SAY_VERBS, NEGATIONS_WORDS,
                    FIRST_MARKERS, DESCRIPTION_MARKERS, FUNCTION_WORDS, tuple(NUMBER_WORDS),
                    tuple(TIME_UNITS))
    for w in group if " " not in w)


@dataclass(frozen=True)
class PlaceMention:
    """A place span in the folded text; `known` is False for a concept absent from the world."""

    place: str
    span: tuple[int, int]
    known: bool


class PlaceMatcher:
    """Finds place mentions for one world. Built once; matching is one regular expression."""

    def __init__(self, place_names: Iterable[str],
                 aliases: Mapping[str, Iterable[str]] | None = None,
                 common_words: Iterable[str] = ()) -> None:
        """`common_words`: words never read as a near spelling of a place (the model's
        vocabulary), beside the lexicon's grammar words."""
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
        self._known = _COMMON | {fold(w) for w in common_words}
        # Near-spelling candidates by first letter: (alias without spaces, words, alias).
        self._near: dict[str, list[tuple[str, int, str]]] = {}
        for alias in self._alias_to_place:
            squeezed = alias.replace(" ", "")
            if len(squeezed) >= FUZZY_MIN_LETTERS and _LATIN_WORD.fullmatch(
                    alias.replace(" ", "").replace("-", "")):
                self._near.setdefault(squeezed[0], []).append(
                    (squeezed, len(alias.split()), alias))

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
        """Non-overlapping mentions, left to right: exact aliases (longest first at each
        position), then near spellings in the words left over."""
        found: list[PlaceMention] = []
        if self._pattern is not None:
            for m in self._pattern.finditer(text):
                alias = self._lookup(m.group(0))
                if alias is None:
                    continue
                found.append(self._mention(alias, m.span()))
        if self._near:
            found += self._near_spellings(text, [f.span for f in found])
            found.sort(key=lambda f: f.span[0])
        return found

    def _mention(self, alias: str, span: tuple[int, int]) -> PlaceMention:
        place = self._alias_to_place[alias]
        known = not place.startswith("?")
        return PlaceMention(place if known else place[1:], span, known)

    def _near_spellings(self, text: str, taken: list[tuple[int, int]]) -> list[PlaceMention]:
        words = [m for m in _LATIN_WORD.finditer(text)
                 if not any(a < m.end() and m.start() < b for a, b in taken)]
        out: list[PlaceMention] = []
        used: set[int] = set()
        for n in range(_FUZZY_MAX_WORDS, 0, -1):
            for k in range(len(words) - n + 1):
                run = words[k:k + n]
                if any(k + i in used for i in range(n)):
                    continue
                # Consecutive in the text (one space apart), not opening or closing on a
                # grammar word, and at least one word the model never saw.
                if any(run[i + 1].start() - run[i].end() != 1 for i in range(n - 1)):
                    continue
                tokens = [w.group(0) for w in run]
                if tokens[0] in _COMMON or tokens[-1] in _COMMON \
                        or all(t in self._known for t in tokens):
                    continue
                alias = self._closest("".join(tokens), n)
                if alias is None:
                    continue
                used.update(k + i for i in range(n))
                out.append(self._mention(alias, (run[0].start(), run[-1].end())))
        return out

    def _closest(self, squeezed: str, n_words: int) -> str | None:
        """The one alias within reach of `squeezed` (a run of n_words words, spaces out)."""
        best: tuple[int, set[str], str] | None = None
        forms = [squeezed] + [squeezed[: -len(e)] for e in _ENDINGS
                              if squeezed.endswith(e) and len(squeezed) - len(e) >= 4]
        for cand, words, alias in self._near.get(squeezed[0], ()):
            if words != n_words or abs(len(cand) - len(squeezed)) > 3:
                continue
            limit = 2 if len(cand) >= FUZZY_TWO_EDITS else 1
            d = min(_edits(form, cand, limit) for form in forms)
            if d > limit:
                continue
            place = self._alias_to_place[alias]
            if best is None or d < best[0]:
                best = (d, {place}, alias)
            elif d == best[0]:
                best[1].add(place)
        if best is None or len(best[1]) > 1:
            return None   # nothing near, or as near to two places: better unmatched than wrong
        return best[2]

    def _lookup(self, matched: str) -> str | None:
        if matched in self._alias_to_place:
            return matched
        for suffix in ("es", "en", "s", "e", "n"):
            if matched.endswith(suffix) and matched[: -len(suffix)] in self._alias_to_place:
                return matched[: -len(suffix)]
        return None


#: The words after a motion preposition and an article at a clause's end: the place a user
#: named ("drive me to Paris", "geh zum Dachboden", "ve a la azotea").
_DESTINATION = re.compile(
    r"(?:^|\s)(?:to|into|towards?|zum|zur|zu|nach|ins|in|al|a|hacia|vers|au|aux)\s+"
    r"(?:(?:the|der|die|das|den|dem|la|el|le|les|los|las|l'|my|your|our|mi|tu|mon|ma)\s+)?"
    r"([^\W\d_][\w'-]*(?:\s[^\W\d_][\w'-]*)?)\s*[.!?]*$", re.UNICODE)


def destination_words(clause: str) -> str | None:
    """The one or two words a clause ends on after "to (the)", "zum", "a la" ..., when they
    are not grammar words: what to call a place the world does not have."""
    m = _DESTINATION.search(clause)
    if m is None:
        return None
    words = m.group(1).split()
    while words and words[-1] in _COMMON:
        words.pop()
    if not words or any(w in _COMMON for w in words):
        return None
    return " ".join(words)


def describes_place(clause: str) -> bool:
    """"where you started", "somewhere quiet", "go there": a place described, not named."""
    return _DESCRIPTION.search(clause) is not None


def has_anaphora(clause: str) -> bool:
    """"Go there", "vas-y là-bas", "geh dorthin": the clause points at an earlier place."""
    return _ANAPHORA.search(clause) is not None


def _edits(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours), or
    limit + 1 as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]
