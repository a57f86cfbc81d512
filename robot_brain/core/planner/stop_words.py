"""The first tier of the planning cascade: words that stop the robot without any model."""

from __future__ import annotations

import re

#: Instructions that stop the robot at once, without waiting seconds for a model. Compared
#: after lower-casing and removing punctuation and the filler words below.
STOP_WORDS = frozenset({
    "stop", "halt", "freeze", "stopp", "arrête", "arrete", "stoppe", "alto", "para", "pare",
    "fermati", "basta", "стоп", "停", "停止", "止まれ", "emergency stop", "stop stop",
})
_FILLER = frozenset({"please", "now", "robot", "immediately", "bitte", "sofort", "maintenant",
                     "ya", "right"})
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def is_stop_word(text: str) -> bool:
    words = [w for w in _PUNCT.sub(" ", text.lower()).split() if w not in _FILLER]
    return bool(words) and " ".join(words) in STOP_WORDS
