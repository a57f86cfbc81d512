"""The two timing rules of a robot held still, shared by the nodes and the start-up checks.

While its command stays exactly zero the controller publishes it as a heartbeat
(robot_brain.core.control.hold_beat), and after a zero the watchdog waits its hold deadline
(robot_brain.core.watchdog.deadline). The cross-node checks (core.config.consistency) and the
bag report (core.report.collector) apply the same rules to plain numbers.
"""

from __future__ import annotations


def hold_period_s(hold_publish_hz: float, rate_hz: float) -> float:
    """Seconds between held zero commands; 0 = every tick (the rate off, or not below the
    tick rate)."""
    return 0.0 if hold_publish_hz <= 0.0 or hold_publish_hz >= rate_hz else 1.0 / hold_publish_hz


def hold_deadline(hold_deadline_s: float, deadline_s: float) -> float:
    """The deadline after a zero command: hold_deadline_s, never shorter than deadline_s (a
    user who lengthens deadline_s need not lengthen hold_deadline_s too)."""
    return max(hold_deadline_s, deadline_s)
