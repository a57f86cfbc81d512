"""HealthReport (core) -> diagnostic_msgs/DiagnosticArray on the global /diagnostics topic."""

from __future__ import annotations

import math
from typing import Iterable

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node
from rclpy.publisher import Publisher

from robot_brain.core.health import HealthReport
from robot_brain.ros import qos

DIAGNOSTICS_TOPIC = "/diagnostics"


def create_diagnostics_publisher(node: Node) -> Publisher:
    return node.create_publisher(DiagnosticArray, DIAGNOSTICS_TOPIC, qos.DIAGNOSTICS)


def _format(value: object) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def to_status(node: Node, report: HealthReport) -> DiagnosticStatus:
    return DiagnosticStatus(
        level=bytes([int(report.level)]),
        name=f"{node.get_name()}: {report.name}",
        message=report.message,
        hardware_id=node.get_fully_qualified_name(),
        values=[KeyValue(key=str(k), value=_format(v)) for k, v in report.values.items()],
    )


def publish(node: Node, publisher: Publisher, reports: Iterable[HealthReport]) -> None:
    msg = DiagnosticArray()
    msg.header.stamp = node.get_clock().now().to_msg()
    msg.status = [to_status(node, r) for r in reports]
    publisher.publish(msg)
