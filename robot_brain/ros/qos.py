"""The QoS profiles of docs/design.md ("Topics and QoS"), chosen once and passed in by every
node."""

from __future__ import annotations

from rclpy.qos import (
    DurabilityPolicy,
    HistoryPolicy,
    QoSProfile,
    ReliabilityPolicy,
    qos_profile_sensor_data,
)

#: Subscribers of sensor streams: best effort, keep the latest only, so an old scan never queues.
SENSOR = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1,
    reliability=ReliabilityPolicy.BEST_EFFORT, durability=DurabilityPolicy.VOLATILE,
)
#: Publishers of sensor streams: reliable so any subscriber (a recorder too) can match.
SENSOR_PUB = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=10,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE,
)
#: The watchdog's controller/cmd_vel input: best effort (a retransmission would come too late
#: to count), but a queue deep enough that no command is overwritten while the executor is
#: busy, so the deadline check can take all that arrived and gaps are attributed from every one.
#: The sim reads cmd_vel with it too, keeping only the newest (robot_brain.ros.latest): a
#: reliable reader made the 100 Hz writer handle acknowledgements, ~0.3 % of a core each here.
COMMANDS_IN = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=10,
    reliability=ReliabilityPolicy.BEST_EFFORT, durability=DurabilityPolicy.VOLATILE,
)
#: Commands, JSON messages, battery: reliable depth 10.
RELIABLE = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=10,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE,
)
#: State (mode, estop, hold, goal): a late joiner gets the last value at once.
STATE = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL,
)
#: A localiser's pose (AMCL's amcl_pose): reliable, volatile, the newest only. A volatile
#: reader matches a transient-local writer (AMCL's) as well as a volatile one (the sim's).
LOCALIZATION_IN = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE,
)
#: Diagnostics as ros2 diagnostic_updater publishes them.
DIAGNOSTICS = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=10,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE,
)

__all__ = ["SENSOR", "SENSOR_PUB", "COMMANDS_IN", "RELIABLE", "STATE", "LOCALIZATION_IN",
           "DIAGNOSTICS", "qos_profile_sensor_data"]
