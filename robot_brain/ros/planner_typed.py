"""planner/plan_typed and planner/status_typed: the planner's plan and status as typed messages.

planner/plan and planner/status stay JSON (std_msgs/String): the sim, the power monitor, the
live view, the recorder, the report and every bag recorded so far read them. The typed forms
go beside them on their own names (docs/interfaces.md), converted from the same records
(robot_brain.ros.planner_interfaces), so a ROS tool sees fields instead of a JSON string:
`ros2 topic echo planner/status_typed --field state`. The status is state, so it is latched
(transient local) and republished at the JSON status's rate; a plan is an event (reliable).
"""

from __future__ import annotations

from rclpy.node import Node
from robot_brain_interfaces.msg import Plan, PlannerStatus

from robot_brain.core.planner.messages import PlanRecord, StatusRecord
from robot_brain.ros import qos
from robot_brain.ros.planner_interfaces import MessageFieldError, plan_msg, status_msg

PLAN_TYPED = "planner/plan_typed"
STATUS_TYPED = "planner/status_typed"


class TypedPlannerTopics:
    def __init__(self, node: Node) -> None:
        self.node = node
        self._plan_pub = node.create_publisher(Plan, PLAN_TYPED, qos.RELIABLE)
        self._status_pub = node.create_publisher(PlannerStatus, STATUS_TYPED, qos.STATE)
        self._status: PlannerStatus | None = None
        self._warned = False

    def plan(self, record: PlanRecord) -> None:
        try:
            self._plan_pub.publish(plan_msg(record))
        except MessageFieldError as exc:
            self._warn(exc)

    def status(self, record: StatusRecord) -> None:
        try:
            self._status = status_msg(record)
        except MessageFieldError as exc:
            self._warn(exc)
            return
        self._status_pub.publish(self._status)

    def republish(self) -> None:
        """The latest status again (the node's status timer)."""
        if self._status is not None:
            self._status_pub.publish(self._status)

    def _warn(self, exc: Exception) -> None:
        # The JSON topics carry everything anyway; one line, not one per message.
        if not self._warned:
            self._warned = True
            self.node.get_logger().warning(f"typed planner topics: {exc} (warned once)")
