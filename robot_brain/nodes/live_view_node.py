"""`live_view`: a Foxglove WebSocket server of the running brain (foxglove_bridge-compatible).

Serves on ws://127.0.0.1:8765 by default (open it in Foxglove: "Open connection" -> Foxglove
WebSocket, then layouts/robot_brain_layout.json):

* every topic of robot_brain.core.live.served_topics passed through unchanged: the serialized CDR
  message as received (never decoded), on a channel named with its fully qualified ROS name,
  schema `ros2msg` from the rosbags type store, as foxglove_bridge and a recorded MCAP bag
  carry it;
* bridge-only channels built from the world file and from odom / planner/goal
  (robot_brain.core.live.foxglove_scene): `live_view/world`, `live_view/robot`, `live_view/route`
  (foxglove.SceneUpdate) and `live_view/tf` (foxglove.FrameTransforms odom->base_link->laser,
  so the 3D panel works without tf2_msgs).

Off the fast path: its own process, below the brain's priority (`nice`); a ROS topic is
subscribed only while a client watches it or a channel built from it (as foxglove_bridge does),
so an unwatched live view costs the graph nothing; streams are subscribed best effort, keep
last 1, and polled at `max_rate_hz` (never woken per message); the server (Rust, its own
threads) keeps a bounded queue per client (`client_backlog`), dropping a slow client's oldest
data and disconnecting a client whose control queue fills. Publishers never wait for this
node, and this node never waits for a client. The view is read-only: clients cannot publish,
call services or set parameters.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import foxglove
from foxglove.channels import FrameTransformsChannel, SceneUpdateChannel
from foxglove.websocket import ChannelView, Client
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Odometry
from rclpy.exceptions import InvalidHandle
from rclpy.node import Node
from rclpy.qos import QoSProfile
from rclpy.serialization import deserialize_message
from rclpy.subscription import MessageInfo, Subscription

from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import Pose2D, yaw_from_quaternion
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.live.foxglove_scene import (
    frame_transforms,
    robot_scene,
    route_scene,
    world_scene,
)
from robot_brain.core.live.node_config import LiveViewConfig
from robot_brain.core.live.ros_schemas import UnknownSchemaError, ros2msg_schema
from robot_brain.core.live.served_topics import (
    DERIVED_INPUTS,
    DERIVED_ROBOT,
    DERIVED_ROUTE,
    DERIVED_TF,
    DERIVED_WORLD,
    Delivery,
    needed_topics,
    served_topics,
)
from robot_brain.core.resources import resolve_world_path
from robot_brain.core.world import World, WorldError, load_world
from robot_brain.nodes.recorder_node import message_class
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.params import declare_config
from robot_brain.ros.runtime import run_node
from robot_brain.ros.subscriptions import create_subscription_with_info


class LiveViewStartupError(StartupError):
    """The server cannot bind, or the world file cannot be read."""


#: How each delivery kind subscribes: never reliable-with-history that could hold anything back.
_QOS: dict[Delivery, QoSProfile] = {
    Delivery.STREAM: qos.SENSOR,
    Delivery.STATE: qos.STATE,
    Delivery.EVENTS: QoSProfile(depth=5, reliability=qos.SENSOR.reliability,
                                durability=qos.SENSOR.durability, history=qos.SENSOR.history),
}
_QOS[Delivery.LAST_EVENT] = _QOS[Delivery.EVENTS]


class _Listener(foxglove.websocket.ServerListener):
    """Called on the server's threads: only records, never logs messages or blocks."""

    def __init__(self, scene_topics: set[str], replayed_topics: set[str]) -> None:
        self.scene_topics = scene_topics
        self.replayed_topics = replayed_topics
        self.replay: set[str] = set()  # channels a client just subscribed to (under lock)
        self.resend = threading.Event()
        self.changed = threading.Event()
        self.lock = threading.Lock()
        self.by_client: dict[int, int] = {}    # client id -> subscribed channels
        self.by_channel: dict[str, int] = {}   # channel topic -> client subscriptions

    def on_subscribe(self, client: Client, channel: ChannelView) -> None:
        with self.lock:
            self.by_client[client.id] = self.by_client.get(client.id, 0) + 1
            self.by_channel[channel.topic] = self.by_channel.get(channel.topic, 0) + 1
            if channel.topic in self.replayed_topics:
                self.replay.add(channel.topic)
        if channel.topic in self.scene_topics:
            self.resend.set()
        self.changed.set()

    def on_unsubscribe(self, client: Client, channel: ChannelView) -> None:
        """Also called for each of a client's channels when it disconnects."""
        with self.lock:
            for table, key in ((self.by_client, client.id), (self.by_channel, channel.topic)):
                n = table.get(key, 0) - 1
                if n > 0:
                    table[key] = n
                else:
                    table.pop(key, None)
        self.changed.set()

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return len(self.by_client), sum(self.by_client.values())

    def watched(self) -> dict[str, int]:
        with self.lock:
            return dict(self.by_channel)

    def take_replay(self) -> set[str]:
        with self.lock:
            out, self.replay = self.replay, set()
            return out


@dataclass
class _Followed:
    """A ROS subscription of the live view; `forward` set = a polled stream."""

    node: Node
    subscription: Subscription[Any]
    forward: Callable[[bytes, MessageInfo], None] | None


def _ignore(raw: bytes) -> None:
    """Callback of polled subscriptions, which no executor runs."""


class LiveViewNode(Node):
    def __init__(self) -> None:
        super().__init__("live_view")
        self.params = declare_config(self, LiveViewConfig)
        p = self.params
        try:
            self._world: World = load_world(resolve_world_path(p.robot.world_file),
                                            p.robot.places_file, p.robot.limits.robot_radius)
        except WorldError as exc:
            raise LiveViewStartupError(f"cannot draw the world: {exc}") from exc
        self._ctx = foxglove.Context()
        self._forwarded = 0
        self._pose: Pose2D | None = None
        self._goal: Pose2D | None = None
        self._goal_rx = -math.inf
        self._waypoints: list[tuple[float, float]] = []
        self._inputs: dict[str, Callable[[], _Followed]] = {}  # relative name -> subscribe
        self._following: dict[str, _Followed] = {}
        self._always: set[str] = set()  # LAST_EVENT topics (relative)
        self._last: dict[str, tuple[foxglove.Channel, bytes, int]] = {}  # by channel name
        # Streams are subscribed on this second node, which no executor spins: their samples
        # are taken by the poll timer. Hidden name; remaps of the command line are applied
        # by resolving every name with this node first.
        self._poller = Node("_live_view_streams", use_global_arguments=False,
                            start_parameter_services=False, enable_rosout=False)

        name = self.resolve_topic_name
        self._world_ch = SceneUpdateChannel(name(DERIVED_WORLD), context=self._ctx)
        self._robot_ch = SceneUpdateChannel(name(DERIVED_ROBOT), context=self._ctx)
        self._route_ch = SceneUpdateChannel(name(DERIVED_ROUTE), context=self._ctx)
        self._tf_ch = FrameTransformsChannel(name(DERIVED_TF), context=self._ctx)
        for topic in served_topics(p.robot.cmd_vel_stamped):
            self._serve(topic.name, topic.msgtype, topic.delivery)

        self._listener = _Listener({name(DERIVED_WORLD), name(DERIVED_ROBOT)},
                                   {name(t) for t in self._always})
        try:
            self._server = foxglove.start_server(
                name="robot_brain live view", host=p.bind_host, port=p.port, capabilities=[],
                server_listener=self._listener, context=self._ctx,
                message_backlog_size=p.client_backlog)
        except Exception as exc:  # noqa: BLE001 - the SDK raises its own error types
            raise LiveViewStartupError(
                f"cannot serve on ws://{p.bind_host}:{p.port} ({exc}); is another live view or "
                "foxglove_bridge using the port? Set the live_view parameter 'port'") from exc
        self.url = f"ws://{p.bind_host}:{self._server.port}"
        niced = _renice_process(p.nice)
        self._diag_pub = diagnostics.create_diagnostics_publisher(self)
        self._next_scene = 0.0
        self._follow_watched()  # the LAST_EVENT topics, from the start
        self.create_timer(0.25, self._housekeeping)
        self.create_timer(1.0 / p.max_rate_hz, self._poll)
        self.create_timer(p.diagnostics_period_s, self._publish_diagnostics)
        exposed = "" if p.bind_host in ("127.0.0.1", "localhost", "::1") else \
            " (NOT loopback: reachable from the network, unauthenticated)"
        self.get_logger().info(
            f"live view on {self.url}{exposed}: {len(self._inputs)} ROS topics + 4 scene "
            f"channels (nice {p.nice} on {niced} threads); layout: "
            f"share/robot_brain/layouts/robot_brain_layout.json")

    # --- ROS -> channels (executor thread; each callback is one bounded hand-over) --------

    def _serve(self, topic: str, msgtype: str, delivery: Delivery) -> None:
        """A channel for `topic` now; the ROS subscription only while it is watched."""
        fq = self.resolve_topic_name(topic)
        try:
            schema = foxglove.Schema(name=msgtype, encoding="ros2msg",
                                     data=ros2msg_schema(msgtype))
            cls = message_class(msgtype)
        except UnknownSchemaError as exc:
            self.get_logger().warning(f"{fq} not served: {exc}")
            return
        except (ImportError, AttributeError) as exc:
            # tf2_msgs or robot_brain_interfaces not built here (docs/interfaces.md).
            self.get_logger().info(f"{fq} not served: {msgtype} is not installed ({exc})")
            return
        channel = foxglove.Channel(fq, schema=schema, message_encoding="cdr", context=self._ctx)
        extra: Callable[[bytes], None] | None = None
        if msgtype == "nav_msgs/msg/Odometry":
            extra = self._on_odom
        elif msgtype == "geometry_msgs/msg/PoseStamped":
            extra = self._on_goal
        elif topic == "planner/plan":
            extra = self._on_plan

        replayed = delivery is Delivery.LAST_EVENT
        if replayed:
            self._always.add(topic)

        def forward(raw: bytes, info: MessageInfo) -> None:
            if extra is not None:
                extra(raw)
            # Log time = middleware receipt on the system clock, as the recorder writes it.
            log_time = int(info.get("received_timestamp") or 0) or time.time_ns()
            channel.log(raw, log_time=log_time)
            self._forwarded += 1
            if replayed:
                self._last[fq] = (channel, raw, log_time)

        if delivery is Delivery.STREAM:
            # Polled at max_rate_hz (a keep-last-1 reader holds the newest sample), never woken
            # per message: a 100 Hz stream costs this process 20 takes a second, not 100
            # callbacks.
            def follow() -> _Followed:
                sub = self._poller.create_subscription(cls, fq, _ignore, qos.SENSOR, raw=True)
                return _Followed(self._poller, sub, forward)
        else:
            def follow() -> _Followed:
                sub = create_subscription_with_info(self, cls, fq, forward, _QOS[delivery],
                                                    raw=True)
                return _Followed(self, sub, None)
        self._inputs[topic] = follow

    def _follow_watched(self) -> None:
        """Subscribe to what clients watch now, unsubscribe from what nobody watches."""
        name = self.resolve_topic_name
        relative = {name(t): t for t in list(self._inputs) + list(DERIVED_INPUTS)}
        watched = {relative[t]: n for t, n in self._listener.watched().items() if t in relative}
        wanted = needed_topics(watched, self._always) & set(self._inputs)
        for topic in set(self._following) - wanted:
            f = self._following.pop(topic)
            f.node.destroy_subscription(f.subscription)
        for topic in wanted - set(self._following):
            self._following[topic] = self._inputs[topic]()

    def _poll(self) -> None:
        """Take the newest sample of each followed stream (at most one per stream and period)."""
        for f in list(self._following.values()):
            if f.forward is None:
                continue
            try:
                with f.subscription.handle:
                    taken = f.subscription.handle.take_message(f.subscription.msg_type, True)
            except InvalidHandle:
                continue
            if taken is not None:
                f.forward(taken[0], taken[1])

    def _on_odom(self, raw: bytes) -> None:
        msg = deserialize_message(raw, Odometry)
        pos, q = msg.pose.pose.position, msg.pose.pose.orientation
        pose = Pose2D(pos.x, pos.y, yaw_from_quaternion(q.x, q.y, q.z, q.w))
        if not all(math.isfinite(v) for v in (pose.x, pose.y, pose.yaw)):
            return
        self._pose = pose
        self._tf_ch.log(frame_transforms(pose, self.params.frames, time.time_ns()))

    def _on_goal(self, raw: bytes) -> None:
        msg = deserialize_message(raw, PoseStamped)
        pos, q = msg.pose.position, msg.pose.orientation
        norm = q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w
        yaw = yaw_from_quaternion(q.x, q.y, q.z, q.w) if norm > 1e-6 else math.nan
        goal = Pose2D(pos.x, pos.y, yaw)
        if not (math.isfinite(goal.x) and math.isfinite(goal.y)):
            return
        if not self._waypoints or self._waypoints[-1] != (goal.x, goal.y):
            self._waypoints = (self._waypoints + [(goal.x, goal.y)])[-50:]
        self._goal, self._goal_rx = goal, time.monotonic()
        self._log_route()

    def _on_plan(self, raw: bytes) -> None:
        self._waypoints = []

    def _log_route(self) -> None:
        self._route_ch.log(route_scene(self._goal, self._waypoints, self._pose,
                                       self.params.frames.odom_frame, time.time_ns()))

    # --- timers -----------------------------------------------------------------------------

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if self._listener.changed.is_set():
            self._listener.changed.clear()
            self._follow_watched()
        for fq in self._listener.take_replay():
            if fq in self._last:  # sent again to all: a newly subscribed client gets it too
                channel, raw, log_time = self._last[fq]
                channel.log(raw, log_time=log_time)
        if self._listener.resend.is_set() or now >= self._next_scene:
            self._listener.resend.clear()
            self._next_scene = now + self.params.world_period_s
            stamp = time.time_ns()
            self._world_ch.log(world_scene(self._world, self.params.frames.odom_frame, stamp))
            self._robot_ch.log(robot_scene(self.params.robot.limits.robot_radius,
                                           self.params.frames.base_frame,
                                           stamp))
            if self._pose is None:  # the body->laser transform, before any odometry
                self._tf_ch.log(frame_transforms(None, self.params.frames, stamp))
        if self._goal is not None:
            if now - self._goal_rx > self.params.goal_timeout_s:
                self._goal, self._waypoints = None, []
            self._log_route()  # the line follows the robot at the housekeeping rate

    def _publish_diagnostics(self) -> None:
        clients, subs = self._listener.counts()
        diagnostics.publish(self, self._diag_pub, [HealthReport(
            "server", Level.OK, f"{self.url}: {clients} client(s) subscribed", {
                "url": self.url, "clients_subscribed": clients, "subscriptions": subs,
                "messages_forwarded": self._forwarded,
                "ros_topics_followed": len(self._following),
                "client_backlog": self.params.client_backlog})])

    def on_shutdown(self) -> None:
        """Close the server (clients see the connection end); called by run_node."""
        self._server.stop()
        self._poller.destroy_node()


def _renice_process(nice: int) -> int:
    """Set every thread of this process to `nice` (Linux nice is per thread); return how many
    took it. Threads started later inherit it from their creator."""
    done = 0
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        tids = [0]
    for tid in tids:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
            done += 1
        except OSError:
            pass
    return done


def main(args: Sequence[str] | None = None) -> int:
    return run_node(LiveViewNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
