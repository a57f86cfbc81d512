"""battery_state for the nodes that read it: taken at the node's own rate, read by one core.

The LinearBatteryPlugin publishes BatteryState at 50 Hz; the planner and the power monitor
need it at most once a second, so neither subscribes with a callback: the newest sample is
taken from a KEEP_LAST 1 reader when the node needs it (robot_brain.ros.latest), and every
reading goes through the same core interpreter (robot_brain.core.power.battery_state), so both
nodes understand the same battery the same way.
"""

from __future__ import annotations

from sensor_msgs.msg import BatteryState

from robot_brain.core.power.battery_state import (
    BatteryConventions,
    BatteryInterpreter,
    BatteryIssue,
    BatteryReading,
    RawBattery,
)
from robot_brain.ros import qos
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.throttled_log import ThrottledLog


def raw_battery(msg: BatteryState) -> RawBattery:
    return RawBattery(voltage=float(msg.voltage), current=float(msg.current),
                      charge=float(msg.charge), capacity=float(msg.capacity),
                      percentage=float(msg.percentage), status=int(msg.power_supply_status))


class BatteryInput:
    """The newest battery_state, interpreted; bad values warned through `log` (per kind)."""

    def __init__(self, node: PollingNode, conventions: BatteryConventions,
                 log: ThrottledLog) -> None:
        self.interpreter = BatteryInterpreter(conventions)
        self._latest = node.poller.latest(BatteryState, "battery_state", qos.RELIABLE)
        self._log = log
        self.taken = 0

    def take(self) -> tuple[BatteryReading, float] | None:
        """The newest reading since the last take and its receipt time (monotonic), or None."""
        sample = self._latest.take()
        if sample is None:
            return None
        self.taken += 1
        raw = raw_battery(sample.msg)
        result = self.interpreter.read(raw)
        for issue in result.issues:
            then = ("the learnt convention is kept" if issue is BatteryIssue.SIGN_CONTRADICTED
                    else "state of charge unknown")
            self._log.warning(f"battery_{issue.name.lower()}",
                              f"battery_state: {issue.value} (percentage {raw.percentage:g}, "
                              f"charge {raw.charge:g} Ah of {raw.capacity:g} Ah, current "
                              f"{raw.current:g} A): {then}")
        return result.reading, sample.received
