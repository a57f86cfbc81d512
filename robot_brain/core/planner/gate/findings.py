"""What the reading finds: one cue (`Found`), and what the whole text says about moving
(`Reading`), keyed by place name, the dock or a point."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from robot_brain.core.planner.gate.lexicon import Cue

DOCK_KEY = "dock"


def point_key(x: float, y: float) -> str:
    return f"xy:{x:g},{y:g}"


@dataclass(frozen=True)
class Found:
    """One cue in the text: its category, the words that carry it, how it acts."""

    cue: Cue
    phrase: str
    #: correction: retract | discourse | replace; prohibition: weak; negation: dismiss ("don't
    #: worry about the cables": forbids only a place it names); stay: activity ("stop
    #: worrying": forbids nothing); conditional: concessive ("if it's messy, don't worry":
    #: binds nothing); deferral: wait ("wait before going there", a step after a destination)
    kind: str = ""


@dataclass(frozen=True)
class Reading:
    """What the text says about moving. Keys are place names, "dock", or point_key()s."""

    text: str                                   # the folded text that was read
    problem: str = ""                           # too_long | unreadable | '' (read)
    cues: tuple[Found, ...] = ()                # every cue, in text order
    hold: Found | None = None                   # a cue that forbids moving at all
    forbidden: Mapping[str, Found] = field(default_factory=dict)
    affirmed: frozenset[str] = frozenset()      # destinations asked for plainly
    points: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def careful(self) -> bool:
        """Something in the text takes back, forbids, warns or asks: only destinations it
        plainly asked for may be driven to."""
        return bool(self.cues) or bool(self.problem)

    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.cue.value for f in self.cues))

