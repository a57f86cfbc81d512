"""Who made a command late: the publisher, the middleware or the receiver's own executor.

When the watchdog sees a gap between two commands longer than its deadline, the gap between
their handling times splits exactly into three parts, from the times the middleware gives with
every message (the publisher's write time, the reception time) and the callback's start:

    handled gap = publish gap + change in delivery time + change in handling delay

The part furthest above its usual value (the publish gap's usual value is the publisher's
period, the others' zero) is the cause: a controller that ticked late, a middleware that
delivered late, or a watchdog whose executor ran late (the command was waiting, unseen).
A message lost on the way (best-effort delivery) shows as a long publish gap too: the
timestamps cannot tell it from a late publisher, the publisher's own timing log can.
Conversely a publisher frozen inside its write, after the middleware stamped the message and
before it went out, shows as a late delivery; its timing log ("tick took ...") tells it apart.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class GapCause(str, enum.Enum):
    PUBLISHER = "publisher"
    DELIVERY = "delivery"
    RECEIVER = "receiver"
    UNKNOWN = "unknown"  # the middleware gave no timestamps


@dataclass(frozen=True)
class CommandTiming:
    """One command's times in seconds on one clock (the system clock, as DDS stamps are)."""

    published: float  # the publisher's write (0 or NaN = not given)
    received: float   # the middleware's reception (0 or NaN = not given)
    handled: float    # the receiver's callback start


@dataclass(frozen=True)
class GapReport:
    gap_s: float
    publish_gap_s: float
    delivery_change_s: float
    handling_change_s: float
    cause: GapCause

    def describe(self) -> str:
        if self.cause is GapCause.UNKNOWN:
            return f"{self.gap_s * 1e3:.1f} ms between commands (no middleware timestamps)"
        return (f"{self.gap_s * 1e3:.1f} ms between commands = publish gap "
                f"{self.publish_gap_s * 1e3:.1f} + delivery {self.delivery_change_s * 1e3:+.1f}"
                f" + handling {self.handling_change_s * 1e3:+.1f} ms: {self.cause.value} late")


def _given(t: float) -> bool:
    return math.isfinite(t) and t > 0.0


def attribute_gap(prev: CommandTiming, cur: CommandTiming, usual_publish_gap_s: float
                  ) -> GapReport:
    """Split the gap between `prev` and `cur`; `usual_publish_gap_s` is the publisher's period
    as seen so far (use 0 when unknown: then a long publish gap is blamed more readily)."""
    gap = cur.handled - prev.handled
    if not all(_given(t) for t in (prev.published, prev.received, cur.published, cur.received)):
        return GapReport(gap, math.nan, math.nan, math.nan, GapCause.UNKNOWN)
    publish_gap = cur.published - prev.published
    delivery_change = (cur.received - cur.published) - (prev.received - prev.published)
    handling_change = (cur.handled - cur.received) - (prev.handled - prev.received)
    usual = usual_publish_gap_s if math.isfinite(usual_publish_gap_s) else 0.0
    parts = {GapCause.PUBLISHER: publish_gap - usual, GapCause.DELIVERY: delivery_change,
             GapCause.RECEIVER: handling_change}
    cause = max(parts, key=lambda c: parts[c])
    return GapReport(gap, publish_gap, delivery_change, handling_change, cause)


class GapAccounting:
    """Explains each gap longer than the deadline, keeping the publisher's usual period.

    The usual publish gap is a slow average (5 % per sample) of gaps within the deadline, so
    one late tick does not shift it; late gaps are counted per cause.
    """

    def __init__(self, deadline_s: float) -> None:
        self.deadline_s = deadline_s
        self.usual_publish_gap_s = 0.0
        self.causes: dict[GapCause, int] = {cause: 0 for cause in GapCause}
        self._last: CommandTiming | None = None

    def observe(self, timing: CommandTiming, gap_s: float | None,
                deadline_s: float | None = None) -> GapReport | None:
        """`gap_s`: time since the previous command's receipt on the receiver's steady clock
        (None for the first), so only gaps the deadline judged are explained. `deadline_s`:
        the previous command's deadline when it is not the usual one (after a held zero)."""
        prev, self._last = self._last, timing
        if prev is None or gap_s is None:
            return None
        if gap_s <= (self.deadline_s if deadline_s is None else deadline_s):
            publish_gap = timing.published - prev.published
            if 0.0 < publish_gap < self.deadline_s:
                self.usual_publish_gap_s += 0.05 * (publish_gap - self.usual_publish_gap_s)
            return None
        report = attribute_gap(prev, timing, self.usual_publish_gap_s)
        self.causes[report.cause] += 1
        return report
