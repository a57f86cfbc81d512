"""Durations and coordinates found by rules, in digits or words, and replaced by placeholders.

Numbers are slots, not classes: the model only sees "<d0>" where "five seconds" or "cinq
secondes" stood, so it never has to learn arithmetic and a duration it never saw still works.
Coordinates are found first because their commas would otherwise split clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from robot_brain.core.planner.vertical.lexicon import CJK_DIGITS, NUMBER_WORDS, TIME_UNITS

#: Words that multiply what precedes them ("a billion seconds"): parsed so that an absurd
#: request is recognised as absurd (over the wait limit) instead of being read as "a second".
_MULTIPLIERS = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9,
                "cent": 100.0, "mille": 1e3, "milliard": 1e9, "hundert": 100.0,
                "tausend": 1e3, "milliarde": 1e9, "cien": 100.0, "mil": 1e3, "millon": 1e6,
                "millones": 1e6}
_SKIP = frozenset({"of", "y", "and", "et", "und", "de", "-", "about", "around", "environ",
                   "etwa", "unos", "unas", "ungefahr", "circa", "for", "pour", "fur", "por",
                   "durant", "pendant", "lang", "durante"})
_NUM = r"-?\d+(?:\.\d+)?"
_COORD_XY = re.compile(rf"(?<![a-z])x\s*[=:]?\s*({_NUM})\s*(?:,|;|and|et|und|y|和)?"
                       rf"\s*y\s*[=:]?\s*({_NUM})")
_COORD_PAIR = re.compile(rf"\(\s*({_NUM})\s*[,;]\s*({_NUM})\s*\)")
_UNITS = sorted(TIME_UNITS, key=len, reverse=True)
_CJK_UNIT = re.compile(r"([零一二两三四五六七八九十百\d]+(?:\.\d+)?)\s*(秒钟|秒|分钟)")
_LATIN_UNIT = re.compile(r"(?<![\w'])(" + "|".join(re.escape(u) for u in _UNITS
                                                   if u.isascii()) + r")(?![\w'])")
_ARTICLES = frozenset({"a", "an", "un", "une", "ein", "eine", "einen"})
#: "15s", "2min": digits glued to a unit.
_GLUED = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(" + "|".join(re.escape(u) for u in _UNITS
                                                           if u.isascii()) + r")(?![\w'])")
_WORD = re.compile(r"[^\W_]+|-")
_DE_COMPOUND = re.compile(r"^(\w+?)und(\w+)$")
_ES_VEINTI = re.compile(r"^veinti(\w+)$")


@dataclass(frozen=True)
class Duration:
    seconds: float
    span: tuple[int, int]


@dataclass(frozen=True)
class Coordinate:
    x: float
    y: float
    span: tuple[int, int]


def find_coordinates(text: str) -> list[Coordinate]:
    found: list[Coordinate] = []
    for pattern in (_COORD_XY, _COORD_PAIR):
        for m in pattern.finditer(text):
            span = m.span()
            if not any(_overlaps(span, c.span) for c in found):
                found.append(Coordinate(float(m.group(1)), float(m.group(2)), span))
    return sorted(found, key=lambda c: c.span)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def cjk_number(text: str) -> float | None:
    """'五' -> 5, '十二' -> 12, '二十五' -> 25, '两' -> 2, '30' -> 30."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if "百" in text:
        return None
    if "十" in text:
        tens, _, units = text.partition("十")
        t = CJK_DIGITS.get(tens, -1) if tens else 1
        u = CJK_DIGITS.get(units, -1) if units else 0
        return float(t * 10 + u) if t >= 0 and u >= 0 else None
    if len(text) == 1 and text in CJK_DIGITS:
        return float(CJK_DIGITS[text])
    return None


def _word_value(word: str) -> float | None:
    if word in NUMBER_WORDS:
        return float(NUMBER_WORDS[word])
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    m = _DE_COMPOUND.match(word)
    if m and m.group(1) in NUMBER_WORDS and m.group(2) in NUMBER_WORDS:
        return float(NUMBER_WORDS[m.group(1)] + NUMBER_WORDS[m.group(2)])
    m = _ES_VEINTI.match(word)
    if m and m.group(1) in NUMBER_WORDS:
        return 20.0 + float(NUMBER_WORDS[m.group(1)])
    return None


def _number_before(text: str, end: int) -> tuple[float, int] | None:
    """The number written just before position `end` and where it starts, or None.

    Reads back over at most four words: "twenty five", "treinta y cinco", "half a",
    "a couple of", "a billion", "vingt-cinq".
    """
    words = list(_WORD.finditer(text[:end]))[-5:]
    total = 0.0
    factor = 1.0
    start = None
    seen_number = False
    for m in reversed(words):
        w = m.group(0)
        value = _word_value(w)
        if w in _MULTIPLIERS:
            factor *= _MULTIPLIERS[w]
        elif value is not None and value < 1.0:
            factor *= value  # "half a minute"
        elif value is not None:
            if not (total and w in _ARTICLES):  # "a couple", "a few": the article adds nothing
                total += value
        elif w in _SKIP and (seen_number or w in ("of", "de")):
            continue
        else:
            break
        start = m.start()
        seen_number = True
    if not seen_number or start is None:
        return None
    return (total if total else 1.0) * factor, start


def find_durations(text: str) -> list[Duration]:
    """Every "<number> <time unit>" in the folded text, in seconds."""
    found: list[Duration] = []
    for m in _CJK_UNIT.finditer(text):
        value = cjk_number(m.group(1))
        if value is not None:
            found.append(Duration(value * TIME_UNITS[m.group(2)], m.span()))
    for m in _GLUED.finditer(text):
        found.append(Duration(float(m.group(1)) * TIME_UNITS[m.group(2)], m.span()))
    for m in _LATIN_UNIT.finditer(text):
        if any(_overlaps(m.span(), d.span) for d in found):
            continue
        number = _number_before(text, m.start())
        if number is None:
            continue
        value, start = number
        found.append(Duration(value * TIME_UNITS[m.group(1)], (start, m.end())))
    return sorted(found, key=lambda d: d.span)
