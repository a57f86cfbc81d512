"""Rules that mark a text hostile whatever the model thinks: injections, speeds, collisions.

A learned classifier can be talked round; these patterns cannot, and they are cheap. They are
checked on the folded text (text.fold) before the model runs. A match makes the vertical tier
refuse by itself (a `say` plan), so the text never reaches the LLM either.
"""

from __future__ import annotations

import re

_HOSTILE = re.compile("|".join((
    # prompt injection, any language
    r"\bignore\b.{0,30}\b(?:instructions?|rules|limits|safety|prompt|skills?)\b",
    r"\b(?:forget|disregard)\b.{0,30}\b(?:instructions?|rules|limits|skills?|safety)\b",
    r"\b(?:ignore|disregard|forget)\b.{0,20}\b(?:above|previous|prior|earlier|everything)\b",
    r"system prompt", r"\boverride\b", r"developer mode", r"jailbreak", r"no restrictions",
    r"\bdisable\b.{0,20}\bsafety\b", r"\bsafety\b.{0,12}\b(?:off|disabled)\b",
    r"\boublie\b.{0,20}\b(?:regles|instructions|limites)\b",
    r"\bignore[rsz]?\b.{0,20}\b(?:regles|instructions|limites)\b",
    r"\b(?:ignorier\w*|vergiss)\b.{0,25}\b(?:regeln|anweisungen|grenzen|sicherheit)\b",
    r"\b(?:ignora|olvida)\w*\b.{0,25}\b(?:reglas|instrucciones|limites|seguridad)\b",
    r"忽略", r"系统提示", r"越狱",
    # asking for speed: speeds are not a skill parameter
    r"\d+(?:\.\d+)?\s*(?:m/s|km/h|mph|meters per second|metres per second)",
    r"\b(?:full|maximum|max|top) speed\b", r"set_speed", r"\bvitesse (?:maximale|max)\b",
    r"\bpleine vitesse\b", r"hochstgeschwindigkeit", r"vollgas", r"velocidad maxima",
    r"最高速度", r"全速",
    # structured payloads: a user does not type JSON or code at a robot
    r"\"skill\"", r"```", r"<\|", r"\{\s*\"",
    # collisions and harm
    r"\b(?:ram|crash into|run over|smash into|collide with|attack|hurt|kill|push over|stab|"
    r"punch|kick|shoot|strangle|injure)\b",
    r"\b(?:into|against|through) the wall\b", r"\bdans le mur\b", r"\bcontre le mur\b",
    r"gegen die wand", r"contra la pared", r"撞",
)))


def hostile_reason(folded: str) -> str | None:
    """The matched phrase when the folded text is hostile, else None."""
    m = _HOSTILE.search(folded)
    return None if m is None else m.group(0)
