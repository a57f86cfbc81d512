"""`recorder`: a rosbag2 recorder (MCAP) for installs without `ros2 bag`.

Subscribes to the configured topics as serialized messages (raw CDR, never decoded), with each
topic's QoS adapted to its publishers as rosbag2 does, and streams them into a rosbag2 bag
written by the `rosbags` library, so `ros2 bag info`, Foxglove and `rosbags` open it. The graph
is re-checked periodically, so topics that appear late are recorded from then on. The bag is
flushed periodically (a crash loses about one flush period) and closed cleanly on shutdown
(Ctrl-C, SIGTERM).

Messages are taken in batches, not handed over one callback each: the subscriptions sit on a
hidden helper node that no executor spins (robot_brain.ros.latest.Poller), their samples wait
in the middleware's queues (`queue_depth`, keep last), and a timer takes everything that
arrived every `take_period_s` and writes it in receipt order. The brain's command streams
alone are 200 messages a second; an executor wake-up per message cost more than the writing
(docs/recording.md). Log times stay the middleware's receipt times, so the batching does not
move them.
"""

from __future__ import annotations

import importlib
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from rclpy.duration import Duration
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.subscription import MessageInfo, Subscription
from rclpy.topic_endpoint_info import TopicEndpointInfo
from rosbags.interfaces import (
    Qos,
    QosDurability,
    QosHistory,
    QosLiveliness,
    QosReliability,
    QosTime,
)

from robot_brain.core.errors import StartupError
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.report.bagwriter import BagWriteError, BagWriter, UnknownTypeError
from robot_brain.core.report.recorder_config import RecorderConfig
from robot_brain.core.report.recording_qos import RequestQos, adapt_to_offers
from robot_brain.ros import diagnostics
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.params import declare_config
from robot_brain.ros.pending import take_pending
from robot_brain.ros.runtime import run_node

#: Every this many graph checks, every topic's publishers are read again in full.
FULL_CHECK_EVERY = 10


class RecorderStartupError(StartupError):
    """The bag cannot be created (path exists, not writable) or the topic list is empty."""


def to_bag_qos(q: QoSProfile) -> Qos:
    """An rclpy QoS profile as rosbags writes it into the bag's offered_qos_profiles."""
    def t(d: Duration) -> QosTime:
        ns = d.nanoseconds
        return QosTime(ns // 1_000_000_000, ns % 1_000_000_000)
    return Qos(QosHistory(int(q.history)), int(q.depth), QosReliability(int(q.reliability)),
               QosDurability(int(q.durability)), t(q.deadline), t(q.lifespan),
               QosLiveliness(int(q.liveliness)), t(q.liveliness_lease_duration),
               bool(q.avoid_ros_namespace_conventions))


def message_class(msgtype: str) -> type:
    """'pkg/msg/Name' -> the generated Python class (needed for the type support only)."""
    pkg, kind, name = msgtype.split("/")
    cls: type = getattr(importlib.import_module(f"{pkg}.{kind}"), name)
    return cls


@dataclass
class _Recorded:
    msgtype: str
    request: RequestQos
    subscription: Subscription[Any]


class RecorderNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("recorder")
        self.params = declare_config(self, RecorderConfig)
        p = self.params
        self.output_dir = p.output_path(datetime.now())
        try:
            self._bag: BagWriter | None = BagWriter(self.output_dir, p.storage)
        except BagWriteError as exc:
            raise RecorderStartupError(str(exc)) from exc
        self._topics = tuple(dict.fromkeys(self.resolve_topic_name(t) for t in p.topic_names))
        self._recorded: dict[str, _Recorded] = {}
        self._skipped: set[str] = set()
        self._last_ns = 0
        self._write_errors = 0
        self._sim_time = bool(self.get_parameter("use_sim_time").value)
        self._diag_pub = diagnostics.create_diagnostics_publisher(self)
        self._publisher_counts: dict[str, int] = {}
        self._checks = 0
        self.create_timer(p.take_period_s, self._take)
        self.create_timer(p.discovery_period_s, self._discover)
        self.create_timer(p.flush_period_s, self._flush)
        self.create_timer(p.diagnostics_period_s, self._publish_diagnostics)
        self.get_logger().info(
            f"recording {len(self._topics)} topics ({p.storage}) into {self.output_dir}")
        self._discover()

    # --- graph -------------------------------------------------------------------------------

    def _discover(self) -> None:
        if self._bag is None:
            return
        # The publishers' details (QoS, types) are read only when a topic's publisher count
        # changed, and for every topic every FULL_CHECK_EVERY checks (a publisher replaced by
        # another between two checks): reading them for ~20 topics twice a second was the
        # recorder's largest cost after the messages.
        self._checks += 1
        full = self._checks % FULL_CHECK_EVERY == 0
        for topic in self._topics:
            count = self.count_publishers(topic)
            if not full and self._publisher_counts.get(topic) == count:
                continue
            self._publisher_counts[topic] = count
            infos = [i for i in self.get_publishers_info_by_topic(topic)
                     if not (i.node_name == self.get_name()
                             and i.node_namespace == self.get_namespace())]
            if infos:
                self._follow(topic, infos)

    def _follow(self, topic: str, infos: Sequence[TopicEndpointInfo]) -> None:
        assert self._bag is not None
        types = Counter(i.topic_type for i in infos)
        recorded = self._recorded.get(topic)
        msgtype = recorded.msgtype if recorded else types.most_common(1)[0][0]
        if len(types) > 1 and topic not in self._skipped:
            self._skipped.add(topic)
            self.get_logger().warning(
                f"{topic} has publishers of several types {sorted(types)}; recording {msgtype}")
        offers = [to_bag_qos(i.qos_profile) for i in infos if i.topic_type == msgtype]
        wanted = adapt_to_offers(offers)
        if recorded is not None:
            if recorded.request.weaker_or_equal(wanted):
                return
            # A late publisher the current subscription cannot match (e.g. best effort):
            # subscribe again with the weaker request, as the graph now needs.
            self.poller.destroy_subscription(recorded.subscription)
            self.get_logger().info(f"{topic}: new publisher, subscribing again with "
                                   f"{_describe(wanted)}")
        else:
            if not self._bag.knows_type(msgtype):
                if topic not in self._skipped:
                    self._skipped.add(topic)
                    self.get_logger().warning(f"{topic}: type {msgtype} unknown to rosbags; "
                                              "not recorded")
                return
            try:
                message_class(msgtype)
            except (ImportError, AttributeError, ValueError) as exc:
                if topic not in self._skipped:
                    self._skipped.add(topic)
                    self.get_logger().warning(f"{topic}: cannot load {msgtype} ({exc}); "
                                              "not recorded")
                return
            try:
                self._bag.add_topic(topic, msgtype, offers)
            except UnknownTypeError as exc:
                self.get_logger().warning(f"{exc}; not recorded")
                self._skipped.add(topic)
                return
        cls = message_class(msgtype)
        qos = QoSProfile(
            history=HistoryPolicy.KEEP_LAST, depth=self.params.queue_depth,
            reliability=ReliabilityPolicy.RELIABLE if wanted.reliable
            else ReliabilityPolicy.BEST_EFFORT,
            durability=DurabilityPolicy.TRANSIENT_LOCAL if wanted.transient_local
            else DurabilityPolicy.VOLATILE)

        sub = self.poller.subscription(cls, topic, qos, raw=True)
        self._recorded[topic] = _Recorded(msgtype, wanted, sub)
        if recorded is None:
            self.get_logger().info(f"recording {topic} [{msgtype}] ({_describe(wanted)})")

    # --- writing -----------------------------------------------------------------------------

    def _take(self) -> None:
        """Everything that arrived since the last take, every topic, written in receipt order.
        Bounded: at most queue_depth messages per topic, none of the takes waits."""
        if self._bag is None:
            return
        batch: list[tuple[int, str, bytes]] = []
        now_ns = time.time_ns()
        clock_now_ns = self.get_clock().now().nanoseconds
        for topic, recorded in self._recorded.items():
            for raw, info in take_pending(recorded.subscription, self.params.queue_depth):
                batch.append((self._log_time(info, now_ns, clock_now_ns), topic, raw))
        batch.sort(key=lambda item: item[0])
        for t_ns, topic, raw in batch:
            self._write(topic, t_ns, raw)

    def _log_time(self, info: MessageInfo, now_ns: int, clock_now_ns: int) -> int:
        """Receipt time as the middleware saw it (not when this node took it); under sim time
        the same moment on the node's clock, so log times and message stamps share a base."""
        received = int(info.get("received_timestamp") or 0)
        if not received:
            return clock_now_ns
        if not self._sim_time:
            return received
        return clock_now_ns - max(0, now_ns - received)

    def _write(self, topic: str, t_ns: int, raw: bytes) -> None:
        assert self._bag is not None  # only _take writes, and it checks
        # Log times never go backwards: readers that stream the file expect order (a message
        # taken in the next batch can have arrived while this one was being taken).
        t_ns = max(t_ns, self._last_ns)
        self._last_ns = t_ns
        try:
            self._bag.write(topic, t_ns, raw)
        except (OSError, BagWriteError) as exc:
            self._write_errors += 1
            if self._write_errors == 1:
                self.get_logger().error(f"cannot write to the bag: {exc}")

    def _flush(self) -> None:
        if self._bag is None:
            return
        try:
            self._bag.flush()
        except OSError as exc:
            self._write_errors += 1
            self.get_logger().error(f"cannot flush the bag: {exc}")

    def _publish_diagnostics(self) -> None:
        bag = self._bag
        counts = bag.counts if bag is not None else {}
        missing = [t for t in self._topics if t not in self._recorded]
        level = Level.ERROR if self._write_errors else Level.OK
        message = "write errors" if self._write_errors else \
            f"recording {len(self._recorded)}/{len(self._topics)} topics"
        diagnostics.publish(self, self._diag_pub, [HealthReport(
            name="bag", level=level, message=message,
            values={"path": str(self.output_dir), "messages": sum(counts.values()),
                    "topics_recorded": len(self._recorded),
                    "topics_waiting": len(missing), "write_errors": self._write_errors})])

    def on_shutdown(self) -> None:
        """Close the bag (index, summary, metadata.yaml); called by run_node on any exit."""
        self._take()  # what arrived since the last take
        bag, self._bag = self._bag, None
        if bag is None:
            return
        bag.close()
        total = sum(bag.counts.values())
        self.get_logger().info(
            f"bag closed: {total} messages on {sum(1 for n in bag.counts.values() if n)} "
            f"topics in {self.output_dir}")


def _describe(q: RequestQos) -> str:
    return ("reliable" if q.reliable else "best effort") + ", " + \
        ("transient local" if q.transient_local else "volatile")


def main(args: Sequence[str] | None = None) -> int:
    return run_node(RecorderNode, args)


if __name__ == "__main__":
    raise SystemExit(main())

