"""`watchdog` node: the deadline watchdog between `controller/cmd_vel` and `cmd_vel`.

Forwards fresh commands on receipt (keeping a TwistStamped's header stamp, which carries the
source scan stamp for scan->cmd_vel latency). A command late beyond `deadline_s` starts a
bounded deceleration; a fresh one before `latch_s` resumes at once; silence past `latch_s`
latches `watchdog/estop`, which releases after a holdoff of fresh commands or on
`watchdog/reset`. After a command of exactly zero (the controller's 10 Hz heartbeat while it
holds) the deadline and latch are `hold_deadline_s`. The operator's `estop` always wins.
Silent nodes on `/diagnostics` are reported as warnings, never acted on: they are taken in one
batch by the 1 Hz diagnostics timer (a poller, no wake-up per message), each counted at its
receipt time. The decisions live in robot_brain.core.watchdog.

The check is armed, not polled: each command resets a steady-clock timer to fire one deadline
(that command's) later, so a healthy brain wakes this node once per command instead of 200 times
a second; only while there is something to do (waiting for the first command, slowing down,
stopped) does the check run at `check_rate_hz`.

Freshness is the middleware's receipt time of each command, moved onto this node's steady
clock: a command that arrived in time is fresh even when this node's executor handles it late.
Before the check latches a stop it takes the commands already received (rclpy runs a node's
ready timers before its ready subscriptions), so a check that itself woke late never stops the
robot over a command that is waiting in its own queue.

A gap between commands longer than the deadline is attributed from the middleware's message
timestamps (robot_brain.core.watchdog.command_gaps): the controller published late, the middleware
delivered late, or this node's executor ran late. Each is logged and counted on /diagnostics.
"""

from __future__ import annotations

import time
from typing import Any

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.clock import Clock, ClockType
from rclpy.qos import HistoryPolicy, QoSProfile
from rclpy.subscription import MessageInfo
from std_msgs.msg import Bool
from std_srvs.srv import Trigger

from robot_brain.core.geometry import ZERO_VELOCITY
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.timing.loop import LoopTimer
from robot_brain.core.watchdog import (
    Action,
    Decision,
    NodeLiveness,
    WatchdogCore,
)
from robot_brain.core.watchdog.command_gaps import CommandTiming, GapAccounting
from robot_brain.core.watchdog.node_config import WatchdogNodeConfig
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.cmd_vel import (
    CdrError,
    CmdVelPublisher,
    create_cmd_vel_subscription_with_info,
    decode_command,
)
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.params import declare_config
from robot_brain.ros.pending import take_pending
from robot_brain.ros.realtime import apply_realtime
from robot_brain.ros.runtime import run_node
from robot_brain.ros.throttled_log import ThrottledLog

#: A receipt time older than this is not trusted (the wall clock may have stepped): such a
#: command counts as received when handled, as it would without middleware timestamps.
MAX_RECEIPT_AGE_S = 1.0
#: Warnings of one kind at most this often (a late or malformed command at 100 Hz).
WARN_THROTTLE_S = 1.0
#: Commands taken before a latch: the whole subscription queue (qos.COMMANDS_IN depth).
DRAIN_LIMIT = qos.COMMANDS_IN.depth
#: /diagnostics messages held between two takes (1 s apart): the brain's nodes send ~7 a
#: second; a robot with many more reporters loses the oldest, and each node reports again
#: within its next second, well inside stale_node_timeout_s.
DIAGNOSTICS_HELD = 200

def _receipt(info: MessageInfo, now: float, wall: float, max_age: float) -> float:
    """The middleware's receipt time of a message (same host, same wall clock) moved onto the
    steady clock, given `now` (steady) and `wall` (wall clock) read together; `now` when the
    age is not positive or older than `max_age` (the wall clock may have stepped)."""
    age = wall - info["received_timestamp"] * 1e-9
    return now - age if 0.0 < age <= max_age else now


class WatchdogNode(PollingNode):
    def __init__(self, **node_kwargs: Any) -> None:
        super().__init__("watchdog", **node_kwargs)
        self.params = declare_config(self, WatchdogNodeConfig)
        p, d = self.params, self.params.deadline
        self.core = WatchdogCore(d)
        self.liveness = NodeLiveness(p.stale_node_timeout_s)
        # Constructed on the thread that spins (run_node), so the policy applies to it.
        self.realtime = apply_realtime(self, p.realtime)
        self._check_period_ns = int(1e9 / p.check_rate_hz)
        self._armed_period_ns = int(d.deadline_s * 1e9)
        self.check_timer_stats = LoopTimer(1.0 / p.check_rate_hz)
        self._own_id = self.get_fully_qualified_name()
        self._estop_published: bool | None = None
        self._warned_nan = False
        self._stops_published = 0
        self.gaps = GapAccounting(d.deadline_s)
        self._taken_before_check = 0
        self._malformed = 0
        self._log = ThrottledLog(self, WARN_THROTTLE_S)
        self._armed_checks = 0
        self._periodic = True  # the check timer runs at check_rate_hz (not armed)

        self.cmd_pub = CmdVelPublisher(self, "cmd_vel", p.robot.cmd_vel_stamped, qos.RELIABLE)
        self.estop_pub = self.create_publisher(Bool, "watchdog/estop", qos.STATE)
        self.diag_pub = diagnostics.create_diagnostics_publisher(self)
        self.cmd_sub = create_cmd_vel_subscription_with_info(
            self, "controller/cmd_vel", p.robot.cmd_vel_stamped, qos.COMMANDS_IN, self._on_command)
        self.create_subscription(Bool, "estop", self._on_operator_estop, qos.STATE)
        self._diagnostics_sub = self.poller.subscription(
            DiagnosticArray, diagnostics.DIAGNOSTICS_TOPIC,
            QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=DIAGNOSTICS_HELD,
                       reliability=qos.DIAGNOSTICS.reliability,
                       durability=qos.DIAGNOSTICS.durability))
        self.create_service(Trigger, "watchdog/reset", self._on_reset)
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        self.check_timer = self.create_timer(1.0 / p.check_rate_hz, self._on_check, clock=steady)
        self.create_timer(1.0, self._on_diagnostics_timer, clock=steady)
        self._publish_estop(self.core.estop)
        self.get_logger().info(
            f"deadline {d.deadline_s * 1e3:.1f} ms (slow down), latch {d.latch_s * 1e3:.0f} ms, "
            f"after a zero {d.hold_after_s * 1e3:.0f} ms, "
            f"check armed per command ({p.check_rate_hz:g} Hz while stopping), holdoff "
            f"{d.holdoff_s:g} s, stop '{d.stop_mode.value}', {self.realtime}")

    # -- inputs: each hands its receipt time (steady clock) to the core --------------------

    def _on_command(self, raw: bytes, info: MessageInfo) -> None:
        now = time.monotonic()
        handled = time.time()
        try:
            velocity, fields = decode_command(raw, self.params.robot.cmd_vel_stamped)
        except CdrError as exc:
            # Not a command: it refreshes nothing, so the deadline still runs.
            self._malformed += 1
            self._log.warning("malformed", f"ignoring a malformed controller/cmd_vel: {exc} "
                                    f"({self._malformed} so far)")
            return
        received = _receipt(info, now, handled, MAX_RECEIPT_AGE_S)
        previous = self.core.last_receipt
        # The gap since the previous command is judged by that command's deadline (a zero's is
        # hold_deadline_s: the controller's heartbeat while it holds is not late).
        deadline = self.core.deadline()
        decision = self.core.command_received(received, velocity)
        # An answer to a command (forwarded, or replaced by a stop while held) keeps its stamp,
        # the source scan's: scan->cmd_vel latency stays measurable from a bag. Stops from the
        # check timer are the watchdog's own and are stamped now.
        self._apply(decision, fields.stamp)
        self._arm_check()
        # After forwarding (off the command's path): who made a late command late.
        timing = CommandTiming(info["source_timestamp"] * 1e-9,
                               info["received_timestamp"] * 1e-9, handled)
        report = self.gaps.observe(timing, None if previous is None else received - previous,
                                   deadline)
        if report is not None:
            self._log.warning("late", f"late command: {report.describe()}")

    def _arm_check(self) -> None:
        """Fresh: the next check one deadline from now (the timer restarts on every command,
        so it fires only if none follows). Otherwise: check at check_rate_hz."""
        if self.core.next_check_at() is not None:
            # One deadline of the last command: deadline_s, or hold_deadline_s after a zero.
            armed_ns = int(self.core.deadline() * 1e9)
            if self._periodic or armed_ns != self._armed_period_ns:
                self.check_timer.timer_period_ns = armed_ns
                self._armed_period_ns = armed_ns
                self._periodic = False
            self.check_timer.reset()
            self._armed_checks += 1
        elif not self._periodic:
            self.check_timer.timer_period_ns = self._check_period_ns
            self.check_timer.reset()
            self._periodic = True

    def _on_operator_estop(self, msg: Bool) -> None:
        decision = self.core.operator_estop(time.monotonic(), bool(msg.data))
        self.get_logger().warning(f"operator estop {'ON' if msg.data else 'released'}")
        self._apply(decision)

    def _on_reset(self, request: Trigger.Request, response: Trigger.Response
                  ) -> Trigger.Response:
        result = self.core.reset(time.monotonic())
        response.success = result.success
        response.message = result.message
        self.get_logger().info(f"watchdog/reset: {result.message}")
        self._publish_estop(self.core.estop)
        return response

    def _take_diagnostics(self) -> None:
        """Every /diagnostics message received since the last take, at its receipt time."""
        now, wall = time.monotonic(), time.time()
        for msg, info in take_pending(self._diagnostics_sub, DIAGNOSTICS_HELD):
            received = _receipt(info, now, wall, self.liveness.timeout_s)
            for status in msg.status:
                key = status.hardware_id or status.name
                if key != self._own_id:
                    self.liveness.report(received, key)

    def _on_check(self) -> None:
        now = time.monotonic()
        if not self._periodic:
            self.check_timer_stats.restart()  # an armed check: no period to measure
        self.check_timer_stats.tick_start(now)
        if self.core.deadline_passed(now):
            # Bounded: at most the queue's depth of takes, none of which waits.
            for msg, info in take_pending(self.cmd_sub, DRAIN_LIMIT):
                self._on_command(msg, info)
                self._taken_before_check += 1
        self._apply(self.core.check(now))
        self._arm_check()
        self.check_timer_stats.tick_end(time.monotonic())

    # -- outputs ---------------------------------------------------------------------------

    def _apply(self, decision: Decision, stamp: Any = None) -> None:
        if decision.warning is not None and not self._warned_nan:
            self._warned_nan = True  # once: a broken policy at 100 Hz would flood the log
            self.get_logger().warning(f"{decision.warning} (further ones only counted)")
        if decision.action is not Action.NONE:
            self.cmd_pub.publish(decision.velocity, stamp)
            if decision.action is Action.STOP:
                self._stops_published += 1
        self._publish_estop(decision.estop)

    def _publish_estop(self, estop: bool) -> None:
        if estop == self._estop_published:
            return
        if self._estop_published is not None:
            # rclpy refuses one call site logging at two severities, hence two calls.
            if estop:
                self.get_logger().error(f"watchdog/estop LATCHED ({self.core.state.value})")
            else:
                self.get_logger().info(f"watchdog/estop released ({self.core.state.value})")
        self._estop_published = estop
        self.estop_pub.publish(Bool(data=estop))

    def _on_diagnostics_timer(self) -> None:
        self._take_diagnostics()
        now = time.monotonic()
        stats, late = self.check_timer_stats.window()
        loop_level = Level.WARN if late else Level.OK
        deadline = self.core.health(now)
        values = dict(deadline.values)
        values["stops_published"] = self._stops_published
        values["commands_taken_before_check"] = self._taken_before_check
        values["commands_malformed"] = self._malformed
        values.update({f"late_commands.{c.value}": n for c, n in self.gaps.causes.items()})
        reports = [
            HealthReport(deadline.name, deadline.level, deadline.message, values),
            self.liveness.health(now),
            HealthReport("check loop", loop_level,
                         f"armed per command ({self._armed_checks} arms); {stats.rate_hz:.1f} Hz "
                         f"while checking (nominal {self.params.check_rate_hz:g}), "
                         f"{self.realtime}",
                         {**stats.as_values(), "checks_armed": self._armed_checks,
                          "mode": "periodic" if self._periodic else "armed"}),
        ]
        diagnostics.publish(self, self.diag_pub, reports)

    def on_shutdown(self) -> None:
        # Best effort: a clean exit leaves the robot told to stand still, not on its last
        # command (the robot's own command timeout covers an unclean one).
        if rclpy.ok():
            self.cmd_pub.publish(ZERO_VELOCITY)


def main(args: list[str] | None = None) -> int:
    return run_node(WatchdogNode, args, freeze_gc=True)


if __name__ == "__main__":
    raise SystemExit(main())
