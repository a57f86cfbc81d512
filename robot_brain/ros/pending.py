"""Take the messages the middleware already holds for a subscription, from inside a callback.

rclpy's executor runs a node's ready timers before its ready subscriptions. A deadline check
that wakes late (its thread was not scheduled) would then judge staleness with a fresh command
already received and waiting behind it. `take_pending` lets such a check take what has arrived
first; the executor's own take of the same subscription then finds nothing and skips it.
It never waits: each take returns at once, with a message or with none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rclpy.subscription import MessageInfo, Subscription


def take_pending(sub: Subscription[Any], limit: int) -> Iterator[tuple[Any, MessageInfo]]:
    """Up to `limit` already-received messages of `sub`, oldest first, with their info."""
    for _ in range(limit):
        with sub.handle:
            taken = sub.handle.take_message(sub.msg_type, sub.raw)
        if taken is None:
            return
        yield taken
