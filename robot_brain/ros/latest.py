"""The newest sample of a fast topic, taken when the node needs it instead of per message.

For a node that needs only the current value of a fast stream at its own, slower rate (the
planner's pose at its tick, perception's pose for the 2 Hz scene, the power monitor's speed at
1 Hz). A callback per message is the expensive way: on the 2-core test machines one 50 Hz
Odometry subscription costs about 2.4 % of a core (conversion to a Python message plus an
executor wake-up, ~0.5 ms each), a take at 2 Hz about 0.5 % (docs/composition.md, "lighter
wake-ups").

The subscriptions sit on a hidden helper node that no executor spins, with KEEP_LAST 1, so
the middleware keeps only the newest sample and nothing wakes the process. Names are resolved
by the host node first, so its remappings and namespace apply.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile
from rclpy.subscription import Subscription

MsgT = TypeVar("MsgT")


@dataclass(frozen=True)
class Sample(Generic[MsgT]):
    msg: MsgT
    #: When the middleware received it, on this process's monotonic clock.
    received: float


class LatestSample(Generic[MsgT]):
    """take(): the newest sample received since the last take, or None."""

    def __init__(self, sub: Subscription[Any]) -> None:
        self._sub = sub
        self._last_take = time.monotonic()

    def take(self) -> Sample[MsgT] | None:
        newest = None
        # KEEP_LAST 1 holds at most one sample; the loop also drains a deeper history.
        while True:
            with self._sub.handle:
                taken = self._sub.handle.take_message(self._sub.msg_type, self._sub.raw)
            if taken is None:
                break
            newest = taken
        now = time.monotonic()
        since_last, self._last_take = now - self._last_take, now
        if newest is None:
            return None
        msg, info = newest
        # The middleware's receipt stamp is on the system clock: turn it into an age, bounded
        # by the time since the last take (it arrived after that), so a system clock step
        # cannot make a sample look fresher or older than it can be.
        age = (time.time_ns() - int(info.get("received_timestamp") or 0)) * 1e-9
        return Sample(msg, now - min(max(age, 0.0), since_last))


def poller_name(host_name: str) -> str:
    """The graph name of a host node's Poller: its subscriptions show under this node (hidden
    from `ros2 node list` by the leading underscore)."""
    return f"_{host_name}_polled"


class Poller:
    """The hidden, never-spun helper node of one host node; destroy it with the host."""

    def __init__(self, host: Node) -> None:
        self._host = host
        self._node = Node(poller_name(host.get_name()), namespace=host.get_namespace(),
                          use_global_arguments=False, start_parameter_services=False,
                          enable_rosout=False)

    def latest(self, msg_type: type[Any], topic: str, qos: QoSProfile,
               *, raw: bool = False) -> LatestSample[Any]:
        """The newest `msg_type` sample on `topic`; with raw=True its CDR bytes."""
        depth_one = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1,
                               reliability=qos.reliability, durability=qos.durability)
        return LatestSample(self.subscription(msg_type, topic, depth_one, raw=raw))

    def subscription(self, msg_type: type[Any], topic: str, qos: QoSProfile,
                     *, raw: bool = False) -> Subscription[Any]:
        """A subscription that nothing wakes for: its samples wait in the middleware's queue
        (qos.depth of them, keep last) until taken (LatestSample, pending.take_pending)."""
        return self._node.create_subscription(msg_type, self._host.resolve_topic_name(topic),
                                              _never_called, qos, raw=raw)

    def destroy_subscription(self, sub: Subscription[Any]) -> None:
        self._node.destroy_subscription(sub)

    def destroy(self) -> None:
        self._node.destroy_node()


class PollingNode(Node):
    """A node that takes some topics when it needs them: `self.poller`, made on first use and
    destroyed with the node (also when the node's __init__ failed before making it)."""

    _own_poller: Poller | None = None

    @property
    def poller(self) -> Poller:
        if self._own_poller is None:
            self._own_poller = Poller(self)
        return self._own_poller

    def destroy_node(self) -> None:
        if self._own_poller is not None:
            self._own_poller.destroy()
            self._own_poller = None
        super().destroy_node()


def _never_called(msg: Any) -> None:
    """No executor spins the helper node; its samples are taken by LatestSample."""
