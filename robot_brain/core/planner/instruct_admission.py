"""Whether the planner takes an Instruct goal: decided at once, with a reason for a refusal.

The Instruct action (docs/interfaces.md) answers a goal request before anything is planned:
an instruction that cannot be words (empty, oversized, binary), or one that could not run now
(the robot held by an estop, the battery critical) is refused at once with its reason, and
the server counts refusals by reason on /diagnostics. Everything here is a pure function of
the text and two cached inputs, so the goal callback answers in microseconds, and the
`robot-brain instruct` client can name the reason of a refusal with the same rules (a goal
response carries no text).
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

#: Characters that may appear in an instruction although they are control characters.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
#: The replacement character: what undecodable bytes (binary sent as a string) become.
_REPLACEMENT = "\ufffd"


class Refusal(str, enum.Enum):
    """Why a goal is refused at once (the key of its /diagnostics counter)."""

    EMPTY = "empty"
    OVERSIZED = "oversized"
    BINARY = "binary"
    ESTOP = "estop"
    BATTERY_CRITICAL = "battery_critical"


@dataclass(frozen=True)
class Admission:
    """A refusal (`refusal` set, `reason` one line), or acceptance (`refusal` None)."""

    refusal: Refusal | None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.refusal is None


ACCEPTED = Admission(None)


def check_text(text: str, max_bytes: int) -> Admission:
    """The instruction alone: empty, oversized or binary text is refused."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        # Checked first and without scanning: a 100 kB goal costs one encode.
        return Admission(Refusal.OVERSIZED, f"instruction of {size} bytes, longer than "
                                            f"max_instruction_bytes ({max_bytes})")
    if not text.strip():
        return Admission(Refusal.EMPTY, "empty instruction")
    for i, ch in enumerate(text):
        if ch == _REPLACEMENT or (unicodedata.category(ch) in ("Cc", "Cs")
                                  and ch not in _ALLOWED_CONTROLS):
            return Admission(Refusal.BINARY, f"instruction is not text: character "
                                             f"U+{ord(ch):04X} at {i}")
    return ACCEPTED


def admit(text: str, max_bytes: int, estop_latched: bool, power_mode: str | None) -> Admission:
    """Take the goal or refuse it: its text first, then what holds the robot now.

    `estop_latched`: watchdog/estop (the watchdog or the operator holds the robot);
    `power_mode`: the latest power/mode ('critical' = the planner only docks)."""
    verdict = check_text(text, max_bytes)
    if not verdict.accepted:
        return verdict
    if estop_latched:
        return Admission(Refusal.ESTOP, "estop latched (watchdog/estop): release it first")
    if power_mode == "critical":
        return Admission(Refusal.BATTERY_CRITICAL, "battery critical (power/mode critical): "
                                                   "the robot only docks")
    return ACCEPTED
