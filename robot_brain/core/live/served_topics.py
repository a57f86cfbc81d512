"""The topics the live view serves, and how it subscribes to each.

Every ROS topic of the table is passed through unchanged: the bridge subscribes to the
serialized message (CDR, never decoded) and serves it on a channel named with the topic's
fully qualified ROS name, with message encoding `cdr` and a `ros2msg` schema, as
`foxglove_bridge` does and as the recorder writes rosbag2 MCAP. So a layout that names
`/scan` or `/cmd_vel.twist.linear.x` opens the same on the bridge and on a recorded bag.

The derived channels (DERIVED_*) exist on the bridge only: the world, the robot's footprint,
the route and the frame transforms are Foxglove schemas (protobuf) built by the bridge.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable


class Delivery(Enum):
    """How the bridge subscribes: never in a way that could hold back a publisher."""

    #: Best effort, keep last 1, rate-limited: streams (an old sample is never worth queueing).
    STREAM = "stream"
    #: Reliable, transient local, depth 1: latched state a late joiner must get at once.
    STATE = "state"
    #: Best effort, small depth: low-rate events and reports.
    EVENTS = "events"
    #: As EVENTS, but followed even while unwatched and the last message replayed to a client
    #: that subscribes: one-shot events a late viewer still wants (the plan, what was said).
    LAST_EVENT = "last_event"


@dataclass(frozen=True)
class ServedTopic:
    name: str        # relative to the node's namespace unless it starts with '/'
    msgtype: str     # 'pkg/msg/Name'
    delivery: Delivery


def cmd_vel_type(stamped: bool) -> str:
    return "geometry_msgs/msg/TwistStamped" if stamped else "geometry_msgs/msg/Twist"


def served_topics(cmd_vel_stamped: bool = True) -> tuple[ServedTopic, ...]:
    """The ROS topics the bridge passes through (docs/design.md's types and QoS)."""
    twist = cmd_vel_type(cmd_vel_stamped)
    S, T, E, L = Delivery.STREAM, Delivery.STATE, Delivery.EVENTS, Delivery.LAST_EVENT
    return (
        ServedTopic("scan", "sensor_msgs/msg/LaserScan", S),
        ServedTopic("odom", "nav_msgs/msg/Odometry", S),
        ServedTopic("cmd_vel", twist, S),
        ServedTopic("controller/cmd_vel", twist, S),
        ServedTopic("perception/obstacles", "sensor_msgs/msg/LaserScan", S),
        ServedTopic("battery_state", "sensor_msgs/msg/BatteryState", E),
        ServedTopic("perception/scene", "std_msgs/msg/String", E),
        ServedTopic("planner/plan", "std_msgs/msg/String", L),
        ServedTopic("planner/status", "std_msgs/msg/String", E),
        ServedTopic("brain/instruction", "std_msgs/msg/String", L),
        ServedTopic("brain/say", "std_msgs/msg/String", L),
        ServedTopic("power/endurance", "std_msgs/msg/Float32", E),
        ServedTopic("/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", E),
        ServedTopic("planner/goal", "geometry_msgs/msg/PoseStamped", T),
        ServedTopic("planner/hold", "std_msgs/msg/Bool", T),
        ServedTopic("watchdog/estop", "std_msgs/msg/Bool", T),
        ServedTopic("estop", "std_msgs/msg/Bool", T),
        ServedTopic("power/mode", "std_msgs/msg/String", T),
        # Typed beside the JSON (robot_brain_interfaces); transforms (tf2_msgs). A type
        # whose Python package is missing here is left out with one line (live_view_node).
        ServedTopic("planner/plan_typed", "robot_brain_interfaces/msg/Plan", L),
        ServedTopic("planner/status_typed", "robot_brain_interfaces/msg/PlannerStatus", T),
        # Sampled as a stream: one odom->base_link per message at the odometry rate.
        ServedTopic("/tf", "tf2_msgs/msg/TFMessage", S),
        ServedTopic("/tf_static", "tf2_msgs/msg/TFMessage", T),
    )


#: Bridge-only channels (relative to the live view's namespace, under `live_view/`).
DERIVED_WORLD = "live_view/world"          # foxglove.SceneUpdate: walls, obstacles, places
DERIVED_ROBOT = "live_view/robot"          # foxglove.SceneUpdate: footprint in base_link
DERIVED_ROUTE = "live_view/route"          # foxglove.SceneUpdate: goal and waypoints so far
DERIVED_TF = "live_view/tf"                # foxglove.FrameTransforms: odom->base_link->laser
DERIVED_CHANNELS = (DERIVED_WORLD, DERIVED_ROBOT, DERIVED_ROUTE, DERIVED_TF)


def qualify(name: str, namespace: str = "/") -> str:
    """A relative topic name resolved in `namespace` ('/' = none), as ROS resolves it."""
    if name.startswith("/"):
        return name
    ns = namespace.rstrip("/")
    return f"{ns}/{name}"


#: ROS topics a bridge-only channel is built from.
DERIVED_INPUTS: dict[str, tuple[str, ...]] = {
    DERIVED_TF: ("odom",),
    DERIVED_ROUTE: ("planner/goal", "planner/plan", "odom"),
    DERIVED_WORLD: (),
    DERIVED_ROBOT: (),
}


def needed_topics(subscribed: dict[str, int], always: Iterable[str] = ()) -> set[str]:
    """The ROS topics to subscribe to, given how many client subscriptions each channel has
    (relative names): a topic is followed only while someone watches it or a channel built
    from it, as foxglove_bridge does, so an unwatched live view costs the graph next to
    nothing; `always` (the LAST_EVENT topics, a few messages a minute) are followed anyway."""
    watched = {name for name, n in subscribed.items() if n > 0}
    out = (watched | set(always)) - set(DERIVED_INPUTS)
    for name in watched & set(DERIVED_INPUTS):
        out.update(DERIVED_INPUTS[name])
    return out
