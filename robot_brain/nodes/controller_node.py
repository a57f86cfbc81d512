"""`controller`: the fixed-rate reactive controller of the fast path.

Subscriptions only cache (with their receipt time on the steady clock): `perception/obstacles`
(sector minima, sensor-data QoS), `odom` (sensor-data), `planner/goal`, `planner/hold`,
`watchdog/estop` (transient local). A steady-clock timer at `rate_hz` runs one bounded tick:
observation -> policy (ONNX or analytic) -> safety filter -> `controller/cmd_vel`.

The TwistStamped header stamp of every command is the stamp of the `perception/obstacles`
message it was computed from (perception copies the source scan's stamp, the watchdog
forwards it unchanged), so scan->command latency is receipt time minus stamp in a bag. A zero
stamp means no perception has arrived yet. While the command stays exactly zero only every
`1/hold_publish_hz` s a tick publishes it (robot_brain.core.control.hold_beat): the watchdog
judges those against its `hold_deadline_s`. With `cmd_vel_stamped: false` (Twist) nothing
carries the stamp: use stamped mode to measure latency. The core logic is
robot_brain.core.control.controller.

With `phase_lock` (default) the tick stays fixed-rate but its phase follows perception: each
`perception/obstacles` arrival records how long before the next tick it came, and the tick is
moved by at most `phase_max_step_s` per period until it falls `phase_lead_s` after the arrivals
(robot_brain.core.control.phase_lock). A scan then waits ~`phase_lead_s` for its command
instead of anything up to a whole period.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from builtin_interfaces.msg import Time
from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from rclpy.node import Node
from rclpy.timer import Timer
from sensor_msgs.msg import LaserScan
from std_msgs.msg import Bool

from robot_brain.core.control.controller import ControllerCore
from robot_brain.core.control.expert import ExpertConfig
from robot_brain.core.control.goals import Goal
from robot_brain.core.control.hold_beat import HoldBeat
from robot_brain.core.control.node_config import ControllerNodeConfig
from robot_brain.core.control.phase_lock import TickPhaseLock
from robot_brain.core.control.policy import AnalyticPolicy, Policy, load_onnx_policy
from robot_brain.core.control.safety_filter import SafetyFilter
from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import ZERO_VELOCITY, Velocity
from robot_brain.core.health import HealthReport
from robot_brain.core.timing.loop import LoopTimer
from robot_brain.core.timing.thread_usage import ThreadUsage
from robot_brain.core.world import WorldError, load_world_file
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.cmd_vel import CmdVelPublisher
from robot_brain.ros.inline_timer import InlineTimer
from robot_brain.ros.laserscan_cdr import decode_laserscan
from robot_brain.ros.odom_cdr import CdrError, decode_odometry
from robot_brain.ros.params import declare_config
from robot_brain.ros.realtime import apply_realtime
from robot_brain.ros.runtime import run_node
from robot_brain.ros.throttled_log import ThrottledLog

DIAGNOSTICS_PERIOD_S = 1.0
WARN_THROTTLE_S = 5.0

class ControllerStartupError(StartupError):
    """The controller cannot start: unusable world file or safety settings."""


def build_policy(p: ControllerNodeConfig) -> Policy:
    if p.policy == "analytic":
        return AnalyticPolicy(ExpertConfig(safety=p.safety), p.core.n_sectors)
    return load_onnx_policy(p.model_path, p.core.n_sectors)


class ControllerNode(Node):
    def __init__(self) -> None:
        super().__init__("controller")
        self.params = declare_config(self, ControllerNodeConfig)
        p = self.params
        try:
            world = load_world_file(p.robot.world_file, p.robot.places_file,
                                    p.robot.limits.robot_radius)
        except WorldError as exc:
            raise ControllerStartupError(f"cannot read the map bounds: {exc}") from exc
        self.policy = build_policy(p)
        self.core = ControllerCore(self.policy, SafetyFilter(p.safety, p.core.n_sectors),
                                   replace(p.core, bounds=world.bounds))
        if p.use_param_goal:
            reason = self.core.set_fixed_goal(Goal(p.goal_x, p.goal_y, "odom"))
            if reason is not None:
                raise ControllerStartupError(f"parameter goal ({p.goal_x}, {p.goal_y}) refused: "
                                  f"{reason.value} (world '{world.name}')")
        # Constructed on the thread that spins (run_node), so the policy applies to it.
        self.realtime = apply_realtime(self, p.realtime)
        self.period = p.period_s
        self.loop = LoopTimer(self.period)
        self.hold_beat = HoldBeat(p.hold_period_s, self.period)
        phase = p.phase_lock_config()
        self.phase = TickPhaseLock(phase) if phase is not None else None
        # Periods of the interval ending at the next tick and the one after: rcl applies a new
        # period after the already scheduled call, and jitter is measured against the schedule.
        self._intervals = [self.period, self.period]
        self._programmed_ns = round(self.period * 1e9)
        self._usage_after_tick = ThreadUsage.sample()
        self._last_tick: float | None = None
        self._zero_stamp = Time()
        self._log = ThrottledLog(self, WARN_THROTTLE_S)

        self.cmd_pub = CmdVelPublisher(self, "controller/cmd_vel", p.robot.cmd_vel_stamped,
                                       qos.RELIABLE, frame_id=p.frame_id)
        self.diag_pub = diagnostics.create_diagnostics_publisher(self)
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        # An rclpy timer, which any executor runs; run_nodes takes the tick over
        # (take_inline_timer) unless inline_tick is off.
        self.tick_timer: Timer | InlineTimer = self.create_timer(self.period, self._on_tick,
                                                                 clock=steady)
        # No timer of its own: the 1 Hz report runs in the slack right after a tick (below), so
        # the single-threaded executor never has it queued in front of a tick.
        self._next_diagnostics = time.monotonic() + DIAGNOSTICS_PERIOD_S
        # Raw: the stamp and the ranges are read from the bytes (laserscan_cdr), up to 60 a
        # second with a sliced head lidar.
        self.create_subscription(LaserScan, "perception/obstacles", self._on_obstacles,
                                 qos.SENSOR, raw=True)
        # Raw: the six fields the controller needs are read from the bytes (odom_cdr), not
        # converted into a whole Python Odometry 50 times a second.
        self.create_subscription(Odometry, "odom", self._on_odom, qos.SENSOR, raw=True)
        self.create_subscription(PoseStamped, "planner/goal", self._on_goal, qos.STATE)
        self.create_subscription(Bool, "planner/hold", self._on_hold, qos.STATE)
        self.create_subscription(Bool, "watchdog/estop", self._on_estop, qos.STATE)
        goal = f"parameter goal ({p.goal_x}, {p.goal_y})" if p.use_param_goal else \
            "goals from planner/goal"
        self.get_logger().info(
            f"controller: policy {self.policy.name}, {p.core.n_sectors} sectors, {p.rate_hz:g} Hz, "
            f"{goal}, world '{world.name}', phase lock "
            f"{'lead %.1f ms' % (p.phase.lead_s * 1e3) if self.phase else 'off'}, "
            f"sensor freshness on the {p.core.freshness.freshness_clock} clock, {self.realtime}")

    # -- subscriptions: cache with the receipt time ----------------------------------------

    def _on_obstacles(self, raw: bytes) -> None:
        if self.phase is not None:
            until_ns = self.tick_timer.time_until_next_call()
            if until_ns is not None:
                self.phase.on_input(until_ns * 1e-9)
        try:
            scan = decode_laserscan(raw)
        except CdrError as exc:
            # Not cached: the sectors age, and the freshness rules stop the robot.
            self._log.warning("obstacles", f"perception/obstacles sample ignored: {exc}")
            return
        if not self.core.on_obstacles(scan.ranges, scan.stamp, time.monotonic()):
            self._log.warning("sectors", f"perception/obstacles has {scan.ranges.size} sectors, "
                              f"expected {self.params.core.n_sectors}: treated as unknown "
                              "(blocked); set the same n_sectors for perception and controller")

    def _on_odom(self, raw: bytes) -> None:
        now = time.monotonic()
        try:
            o = decode_odometry(raw)
        except CdrError as exc:
            self._log.warning("odom", f"odom sample ignored: {exc}")
            return
        v = Velocity(o.linear_x, o.angular_z)
        if not self.core.on_odom(o.pose(), v, now, o.stamp_s):
            self._log.warning("odom_velocity", f"odom velocity ({v.linear:g} m/s, "
                                               f"{v.angular:g} rad/s) is beyond what the robot "
                                               "can do: ignored, the last plausible one is "
                                               "used")

    def _on_goal(self, msg: PoseStamped) -> None:
        goal = Goal(float(msg.pose.position.x), float(msg.pose.position.y),
                    msg.header.frame_id)
        reason = self.core.on_goal(goal, time.monotonic())
        if reason is not None:
            self._log.warning(reason.name, f"planner/goal ({goal.x}, {goal.y}) in frame "
                                           f"'{goal.frame}' ignored: {reason.value}")
        elif self.params.use_param_goal:
            self.get_logger().info("planner/goal ignored: use_param_goal is set",
                                   throttle_duration_sec=60.0)

    def _on_hold(self, msg: Bool) -> None:
        self.core.hold = bool(msg.data)

    def _on_estop(self, msg: Bool) -> None:
        self.core.estop = bool(msg.data)

    # -- the tick --------------------------------------------------------------------------

    def _on_tick(self) -> None:
        now = time.monotonic()
        scheduled = self._intervals.pop(0) if self._intervals else self.period
        missed = self.loop.tick_start(now, scheduled)
        gap = now - self._last_tick if self._last_tick is not None else math.nan
        # dt feeds the acceleration limits; after a stall it is capped so the filter never
        # allows a jump in speed.
        dt = self.period if math.isnan(gap) else min(gap, 2.0 * self.period)
        self._last_tick = now
        result = self.core.tick(now, dt)
        if self.hold_beat.due(now, result.velocity):
            stamp = result.source_stamp if result.source_stamp is not None else self._zero_stamp
            self.cmd_pub.publish(result.velocity, stamp)
        if result.policy_error is not None:
            self._log.error("policy", f"policy failed, commanding zero: {result.policy_error}")
        # After the command is out: the phase step and any explaining are off the latency path.
        # Late by half a period already puts the next command near the watchdog's deadline.
        # The thread's usage is sampled once per tick, at its end (a sample costs ~40-80 us
        # after the wake-up, more than the decision it would explain); a late tick is
        # explained from the previous tick's end to this command.
        if missed or gap - scheduled > 0.5 * self.period:
            self._explain_late_tick(gap, scheduled,
                                    ThreadUsage.sample().since(self._usage_after_tick), missed)
        next_period = self.phase.on_tick() if self.phase is not None else self.period
        next_ns = round(next_period * 1e9)
        if next_ns != self._programmed_ns:
            self.tick_timer.timer_period_ns = next_ns
            self._programmed_ns = next_ns
        self._intervals.append(next_ns * 1e-9)
        end = time.monotonic()
        self.loop.tick_end(end)
        usage_before = self._usage_after_tick
        self._usage_after_tick = ThreadUsage.sample()
        if end - now > 0.5 * self.period:
            usage = self._usage_after_tick.since(usage_before)
            self._log.warning("slow_tick", f"tick took {(end - now) * 1e3:.1f} ms (period "
                                           f"{self.period * 1e3:g} ms); since the previous "
                                           f"tick ended this thread had {usage.describe()}")
        if end >= self._next_diagnostics:
            # Never behind: after a stall the next report is one period on, not a burst.
            self._next_diagnostics = max(self._next_diagnostics + DIAGNOSTICS_PERIOD_S,
                                         end + 0.5 * DIAGNOSTICS_PERIOD_S)
            self._on_diagnostics()

    def take_inline_timer(self) -> InlineTimer | None:
        """The spin loop runs the tick from now on (robot_brain.ros.inline_timer), unless
        inline_tick is off: the rclpy timer goes, on the same period and phase step."""
        if isinstance(self.tick_timer, InlineTimer):
            return self.tick_timer
        if not self.params.inline_tick:
            return None
        self.destroy_timer(self.tick_timer)
        inline = InlineTimer(self._programmed_ns, self._on_tick)
        self.tick_timer = inline
        return inline

    def _explain_late_tick(self, gap: float, scheduled: float, between: ThreadUsage,
                           missed: int) -> None:
        self._log.warning("late_tick", f"tick late: {gap * 1e3:.1f} ms since the last one (due "
                                       f"after {scheduled * 1e3:.1f} ms), {missed} tick(s) "
                                       f"skipped; from the previous tick's end to this "
                                       f"command this thread had {between.describe()}")

    def _on_diagnostics(self) -> None:
        stats, late = self.loop.window()
        report = self.core.health(time.monotonic(), stats, late)
        values = dict(report.values)
        if self.phase is not None:
            values.update({
                "phase_locked": self.phase.locked(),
                "phase_error_ms": round(1e3 * self.phase.phase_error_s(), 3),
                "phase_corrections": self.phase.corrections,
            })
        diagnostics.publish(self, self.diag_pub, [HealthReport(
            report.name, report.level,
            f"{report.message}; {stats.rate_hz:.1f} Hz (nominal {self.params.rate_hz:g}), "
            f"{self.realtime}", values)])

    def on_shutdown(self) -> None:
        import rclpy

        if rclpy.ok():
            self.cmd_pub.publish(ZERO_VELOCITY, self._zero_stamp)


def main(args: list[str] | None = None) -> int:
    return run_node(ControllerNode, args, freeze_gc=True)


if __name__ == "__main__":
    raise SystemExit(main())
