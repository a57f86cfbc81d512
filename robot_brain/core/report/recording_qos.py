"""The QoS a recorder subscribes with, adapted to the publishers' offers as rosbag2 does.

Reliable only when every publisher offers reliable (a reliable subscription does not match a
best-effort publisher); transient local only when every publisher offers it (so a latched
state such as watchdog/estop is recorded from the start, while a volatile publisher still
matches). A late publisher can only ever weaken the request: the recorder then subscribes
again, never the other way round, so a topic is not dropped and re-added back and forth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rosbags.interfaces import Qos, QosDurability, QosReliability


@dataclass(frozen=True)
class RequestQos:
    reliable: bool
    transient_local: bool

    def matches_all(self, offers: Sequence[Qos]) -> bool:
        """True when a subscription with this request matches every offer."""
        return self.weaker_or_equal(adapt_to_offers(offers))

    def weaker_or_equal(self, other: RequestQos) -> bool:
        return (not self.reliable or other.reliable) and \
            (not self.transient_local or other.transient_local)


def adapt_to_offers(offers: Sequence[Qos]) -> RequestQos:
    if not offers:
        return RequestQos(reliable=True, transient_local=False)
    reliable = all(q.reliability == QosReliability.RELIABLE for q in offers)
    transient = all(q.durability == QosDurability.TRANSIENT_LOCAL for q in offers)
    return RequestQos(reliable=reliable, transient_local=transient)
