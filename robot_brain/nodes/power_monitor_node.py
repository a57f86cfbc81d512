"""`power_monitor`: endurance and power mode from what a real robot reports.

battery_state + planner/status + odom -> EnergyEstimator / ModeSelector (core) ->
power/endurance, power/mode, /diagnostics (draw and its attribution). It sees nothing of the
simulator's internals: only the topics a real robot would give it.

battery_state and odom are taken at publish_rate_hz, newest only, not a callback per message
(a LinearBatteryPlugin publishes 50 Hz); the battery is read in one convention by the core
(robot_brain.core.power.battery_state, shared with the planner) and the odometry speed only
when it is one the robot can have (robot_brain.core.control.plausible_velocity).
"""

from __future__ import annotations

import enum
import math
import time
from typing import Sequence

from nav_msgs.msg import Odometry
from std_msgs.msg import Float32, String

from robot_brain.core.control.plausible_velocity import PlausibleVelocity, VelocityBound
from robot_brain.core.geometry import Velocity
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.planner.activity import (
    PlannerActivity,
    PlannerStatusError,
    parse_planner_status,
)
from robot_brain.core.power.estimator import (
    Activity,
    BatteryReading,
    EnergyEstimate,
    EnergyEstimator,
)
from robot_brain.core.power.modes import ModeSelector
from robot_brain.core.power.node_config import PowerMonitorConfig
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.battery import BatteryInput
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.odom_cdr import take_odometry
from robot_brain.ros.params import declare_config
from robot_brain.ros.runtime import run_node
from robot_brain.ros.throttled_log import ThrottledLog

#: Warnings about one kind of bad input at most this often (s).
WARN_THROTTLE_S = 10.0


class PowerMonitorNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("power_monitor")
        self.params = declare_config(self, PowerMonitorConfig)
        self._estimator = EnergyEstimator(self.params.model, self.params.estimator)
        self._modes = ModeSelector(self.params.thresholds)
        self._battery: BatteryReading | None = None
        self._battery_rx = -math.inf
        self._activity = PlannerActivity()
        lim = self.params.robot.limits
        self._speed = PlausibleVelocity(VelocityBound.from_limits(
            lim.max_linear_speed, lim.max_reverse_speed, lim.max_angular_speed))
        self._estimate: EnergyEstimate | None = None
        self._bad_messages = 0

        self.create_subscription(String, "planner/status", self._on_status, qos.RELIABLE)
        self._log = ThrottledLog(self, WARN_THROTTLE_S)
        # The battery and the speed are read at publish_rate_hz: taken then, not a callback
        # per message.
        self._battery_input = BatteryInput(self, self.params.battery, self._log)
        # As bytes: the speed is read from them (odom_cdr), no Python Odometry built.
        self._odom = self.poller.latest(Odometry, "odom", qos.SENSOR, raw=True)
        self._endurance_pub = self.create_publisher(Float32, "power/endurance", qos.RELIABLE)
        self._mode_pub = self.create_publisher(String, "power/mode", qos.STATE)
        self._diag_pub = diagnostics.create_diagnostics_publisher(self)
        self._mode_pub.publish(String(data=self._modes.mode.value))
        self.create_timer(1.0 / self.params.publish_rate_hz, self._publish)
        self.get_logger().info(
            f"power monitor up: capacity {self.params.model.capacity_wh:.0f} Wh (believed), "
            f"modes eco < {self.params.thresholds.eco_below:.0%}, "
            f"critical < {self.params.thresholds.critical_below:.0%}")

    # Subscriptions only cache.
    def _on_status(self, msg: String) -> None:
        try:
            self._activity = parse_planner_status(msg.data)
        except PlannerStatusError as exc:
            self._bad_messages += 1
            self._log.warning("status", f"ignoring planner/status: {exc}")

    def _take_odom(self) -> None:
        taken = take_odometry(self._odom, self._log)
        if taken is not None:
            v = Velocity(taken[0].linear_x, taken[0].angular_z)
            if not self._speed.update(v):
                self._log.warning("odom_velocity", f"odom velocity ({v.linear:g} m/s, "
                                                   f"{v.angular:g} rad/s) is beyond what the "
                                                   "robot can do: ignored")

    def _take_battery(self) -> None:
        taken = self._battery_input.take()
        if taken is not None:
            self._battery, self._battery_rx = taken

    def _publish(self) -> None:
        self._take_odom()
        self._take_battery()
        now = time.monotonic()
        fresh = self._battery is not None and now - self._battery_rx <= \
            self.params.battery_timeout_s
        reading = self._battery if fresh and self._battery is not None else BatteryReading()
        activity = Activity(
            speed_mps=self._speed.velocity.linear,
            generating_local=self._activity.generating_local,
            remote_open=self._activity.remote_open,
            accelerator_on=self._activity.accelerator_on)
        est = self._estimator.update(now, reading, activity)
        self._estimate = est
        previous = self._modes.mode
        mode = self._modes.update(est.state_of_charge)
        if mode is not previous:
            self.get_logger().info(f"power mode {previous.value} -> {mode.value} "
                                   f"(state of charge {est.state_of_charge:.1%})")
            self._mode_pub.publish(String(data=mode.value))
        self._endurance_pub.publish(Float32(data=float(est.endurance_s)))
        diagnostics.publish(self, self._diag_pub, [self._report(est, fresh)])

    def _report(self, est: EnergyEstimate, fresh: bool) -> HealthReport:
        b = est.breakdown
        level = Level.OK
        message = f"mode {self._modes.mode.value}"
        if not fresh:
            level, message = Level.WARN, "no fresh battery_state: endurance unknown"
        elif self._modes.mode.value == "critical":
            level = Level.WARN
        values = {
            "mode": self._modes.mode.value,
            "endurance_s": est.endurance_s,
            "state_of_charge": est.state_of_charge,
            "remaining_wh": est.remaining_wh,
            "draw_w": est.draw_w,
            "draw_source": est.source.value,
            "base_w": b.base_w,
            "locomotion_w": b.locomotion_w,
            "compute_w": b.compute_w,
            "radio_w": b.radio_w,
            "llm_share": b.llm_w / est.draw_w if est.draw_w > 0 else math.nan,
            "mode_changes": self._modes.changes,
            "battery_swaps": self._estimator.swaps,
            "bad_messages": self._bad_messages,
            "battery_percentage_scale": _learnt(self._battery_input.interpreter.learnt_scale),
            "battery_current_sign": _learnt(self._battery_input.interpreter.learnt_sign),
            "battery_out_of_range": self._battery_input.interpreter.out_of_range,
            "battery_sign_contradictions": self._battery_input.interpreter.sign_contradictions,
            "implausible_odometry": self._speed.rejected,
        }
        return HealthReport("power", level, message, values)


def _learnt(convention: enum.Enum | None) -> str:
    return "unknown" if convention is None else str(convention.value)


def main(args: Sequence[str] | None = None) -> int:
    return run_node(PowerMonitorNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
