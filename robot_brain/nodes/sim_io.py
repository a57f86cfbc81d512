"""What the two simulator nodes (sim, mujoco_sim) share with the brain: the same inputs, read
the same way, and the same messages out.

* `SimCommands`: cmd_vel taken newest-first at each physics tick, as bytes (a callback per
  100 Hz command cost an executor wake-up each), best effort as the watchdog's input;
  malformed or non-finite commands are counted and warned about, never driven.
* `PlannerLoad`: planner/status -> the electrical load the planner's activity puts on the
  simulated battery (robot_brain.core.sim.loads); a malformed status is warned about once.
* the physics ticks' intervals: robot_brain.core.sim.clock.PhysicsTicks.
* `laser_scan`, `battery_state`: the sensor messages, filled from the core's state.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
from builtin_interfaces.msg import Time
from rclpy.node import Node
from sensor_msgs.msg import BatteryState, LaserScan
from std_msgs.msg import String

from robot_brain.core.geometry import Velocity
from robot_brain.core.planner.activity import (
    PlannerActivity,
    PlannerStatusError,
    parse_planner_status,
)
from robot_brain.core.sim.battery import Battery
from robot_brain.core.sim.lidar import LidarConfig
from robot_brain.core.sim.loads import PlannerLoads, planner_load_w
from robot_brain.ros import qos
from robot_brain.ros.cmd_vel import CdrError, decode_command, twist_type
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.throttled_log import ThrottledLog


class Commandable(Protocol):
    def set_command(self, command: Velocity, now: float) -> bool: ...


class SimCommands:
    """cmd_vel into a simulated robot; `taken` and `rejected` count for /diagnostics."""

    def __init__(self, node: PollingNode, stamped: bool, log: ThrottledLog) -> None:
        # Best effort, as the watchdog's input: a repaired sample would arrive after the next
        # command superseded it, and a reliable reader costs the writer its acknowledgements
        # (qos.COMMANDS_IN).
        self._sample = node.poller.latest(twist_type(stamped), "cmd_vel", qos.COMMANDS_IN,
                                          raw=True)
        self._stamped = stamped
        self._log = log
        self.taken = 0
        self.rejected = 0

    def take(self, sim: Commandable) -> None:
        """The newest command since the last tick (if any) into `sim`."""
        sample = self._sample.take()
        if sample is None:
            return
        try:
            v, _ = decode_command(sample.msg, self._stamped)
        except CdrError as exc:
            self.rejected += 1
            self._log.warning("cmd_vel_cdr", f"ignoring malformed cmd_vel: {exc}; "
                                             f"{self.rejected} rejected so far")
            return
        if not sim.set_command(v, sample.received):
            self.rejected += 1
            self._log.warning("cmd_vel", f"ignoring non-finite cmd_vel (linear {v.linear}, "
                                         f"angular {v.angular}); {self.rejected} rejected so far")
            return
        self.taken += 1


class PlannerLoad:
    """The planner's true load on the simulated battery (W), from planner/status."""

    def __init__(self, node: Node, loads: PlannerLoads) -> None:
        self._node = node
        self._loads = loads
        self.watts = planner_load_w(PlannerActivity(), loads)
        self._warned = False
        node.create_subscription(String, "planner/status", self._on_status, qos.RELIABLE)

    def _on_status(self, msg: String) -> None:
        try:
            activity = parse_planner_status(msg.data)
        except PlannerStatusError as exc:
            if not self._warned:
                self._warned = True
                self._node.get_logger().warning(f"ignoring malformed planner/status: {exc} "
                                                "(warned once)")
            return
        self.watts = planner_load_w(activity, self._loads)


def laser_scan(lidar: LidarConfig, ranges: np.ndarray, stamp: Time, frame: str,
               rate_hz: float) -> LaserScan:
    msg = LaserScan()
    msg.header.stamp = stamp
    msg.header.frame_id = frame
    msg.angle_min = float(lidar.angle_min)
    msg.angle_max = float(lidar.angle_max)
    msg.angle_increment = float(lidar.angle_increment)
    msg.scan_time = 1.0 / rate_hz
    msg.time_increment = 0.0  # every beam of a scan is cast at the same instant
    msg.range_min = float(lidar.range_min)
    msg.range_max = float(lidar.range_max)
    msg.ranges = ranges.astype(np.float32)
    return msg


def battery_state(b: Battery, stamp: Time, frame: str) -> BatteryState:
    """As a robot's BMS driver fills it: percentage 0..1, discharge as negative current."""
    cfg = b.config
    msg = BatteryState()
    msg.header.stamp = stamp
    msg.header.frame_id = frame
    msg.voltage = float(b.voltage)
    msg.current = float(b.current)
    msg.charge = float(b.charge_ah)
    msg.capacity = float(cfg.capacity_ah)
    msg.design_capacity = float(cfg.capacity_ah)
    msg.percentage = float(b.percentage)
    msg.temperature = math.nan
    msg.power_supply_status = BatteryState.POWER_SUPPLY_STATUS_DISCHARGING
    msg.power_supply_health = (BatteryState.POWER_SUPPLY_HEALTH_DEAD if b.depleted
                               else BatteryState.POWER_SUPPLY_HEALTH_GOOD)
    msg.power_supply_technology = BatteryState.POWER_SUPPLY_TECHNOLOGY_LION
    msg.present = True
    return msg
