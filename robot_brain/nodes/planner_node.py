"""`planner` node: the slow path. Instructions in; validated plans, goals, hold and status out.

The LLM never runs here: each backend in use lives in an LlmWorker (a spawned process) that
the tick timer polls without blocking. Subscriptions only cache; the tick (steady clock) hands
the inputs to robot_brain.core.planner.session.PlannerSession and publishes what it returns.
The session and its parts are built by robot_brain.core.planner.assembly from the node's
config (robot_brain.core.planner.node_config); this node only wires them to topics, and to the
Instruct action, the typed topics and Nav2 through robot_brain.ros.planner_frontend.
"""

from __future__ import annotations

import json
import math
import time

from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from std_msgs.msg import Bool, String

from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import quaternion_from_yaw
from robot_brain.core.planner.assembly import assemble
from robot_brain.core.planner.executive import Goal
from robot_brain.core.planner.messages import TickOutput
from robot_brain.core.planner.node_config import PlannerNodeConfig
from robot_brain.core.power.battery_state import PercentageScale
from robot_brain.core.world import WorldError, load_world_file
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.battery import BatteryInput
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.odom_cdr import take_odometry
from robot_brain.ros.params import declare_config
from robot_brain.ros.planner_frontend import Instruction, PlannerFrontend
from robot_brain.ros.runtime import run_node
from robot_brain.ros.throttled_log import ThrottledLog

#: Seconds between repeated warnings of one kind.
WARN_THROTTLE_S = 5.0
#: The battery's state of charge is read this often (s): it only goes into prompts.
BATTERY_PERIOD_S = 1.0


class PlannerStartupError(StartupError):
    """The planner cannot start: its world file cannot be read."""


class PlannerNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("planner")
        self.params = declare_config(self, PlannerNodeConfig)
        try:
            world = load_world_file(self.params.robot.world_file)
        except WorldError as exc:
            raise PlannerStartupError(str(exc)) from exc
        # The Instruct action, typed topics, Nav2; made before any worker starts: motion nav2
        # without nav2_msgs stops here.
        self.front = PlannerFrontend(self, self.params.motion, self.params.instruct)
        parts = assemble(world, self.params)
        self.session = parts.session
        self._create_interfaces()
        self._publish_hold(True)
        # The queue is swapped at every tick: append to the current one.
        interfaces = self.front.attach(self.session, lambda i: self._instructions.append(i),
                                       self._publish_hold)
        self.get_logger().info(f"{parts.describe(self.params)}, {interfaces}")

    def _create_interfaces(self) -> None:
        """Publishers, the cached inputs and their subscriptions, and the steady timers."""
        p = self.params
        self.plan_pub = self.create_publisher(String, "planner/plan", qos.RELIABLE)
        self.goal_pub = self.create_publisher(PoseStamped, "planner/goal", qos.STATE)
        self.hold_pub = self.create_publisher(Bool, "planner/hold", qos.STATE)
        self.status_pub = self.create_publisher(String, "planner/status", qos.RELIABLE)
        self.say_pub = self.create_publisher(String, "brain/say", qos.RELIABLE)
        self.diag_pub = diagnostics.create_diagnostics_publisher(self)

        # Inputs cached by the callbacks, consumed by the tick: (text, Instruct goal key or
        # None for brain/instruction), in arrival order.
        self._instructions: list[Instruction] = []
        self._mode: str | None = None
        self._scenes_warned = 0  # rejected scenes already warned about
        self._goal: Goal | None = None
        self._goal_sent_at = -math.inf
        self._hold: bool | None = None
        self._last_status = ""
        self._goal_period = 1.0 / p.goal_republish_hz
        self._log = ThrottledLog(self, WARN_THROTTLE_S)
        self.create_subscription(String, "brain/instruction", self._on_instruction, qos.RELIABLE)
        self.create_subscription(String, "perception/scene", self._on_scene, qos.RELIABLE)
        self.create_subscription(String, "power/mode", self._on_mode, qos.STATE)
        # The pose is read at the tick and the battery once a second: taken then, not a
        # callback per 50 Hz message; the pose as bytes (odom_cdr), no Python Odometry built.
        self._battery = BatteryInput(self, p.battery, self._log)
        self._battery_taken_at = -math.inf
        self._odom = self.poller.latest(Odometry, "odom", qos.SENSOR, raw=True)

        steady = Clock(clock_type=ClockType.STEADY_TIME)
        self.create_timer(1.0 / p.tick_hz, self._on_tick, clock=steady)
        self.create_timer(1.0 / p.status_hz, self._on_status_timer, clock=steady)
        self.create_timer(1.0, self._on_diagnostics_timer, clock=steady)

    # -- inputs: cache only ----------------------------------------------------------------

    def _on_instruction(self, msg: String) -> None:
        self._instructions.append((msg.data, None))

    def _on_scene(self, msg: String) -> None:
        # Kept as text: the session validates the newest scene when a prompt needs it.
        self.session.scenes.put(msg.data)

    def _on_mode(self, msg: String) -> None:
        self._mode = msg.data

    def _take_battery(self, now: float) -> None:
        if now - self._battery_taken_at < BATTERY_PERIOD_S:
            return
        self._battery_taken_at = now
        taken = self._battery.take()
        if taken is not None:
            soc = taken[0].percentage  # 0..1 whatever the robot's convention, NaN = unknown
            self.session.battery = soc if math.isfinite(soc) else None

    def _take_odom(self) -> None:
        taken = take_odometry(self._odom, self._log)
        if taken is not None:
            self.session.pose = taken[0].pose()

    # -- the tick --------------------------------------------------------------------------

    def _on_tick(self) -> None:
        self._take_odom()
        now = time.monotonic()
        self._take_battery(now)
        if self._mode is not None:
            mode, self._mode = self._mode, None
            self.session.set_mode(mode, now)
        # Only the newest of several instructions that arrived within one tick matters; the
        # older ones still get request ids so their numbering matches what was sent.
        instructions, self._instructions = self._instructions, []
        self.front.hand_over(instructions, now)
        self.front.before_tick()
        out = self.session.tick(now)
        self.front.after_tick(out, now)
        scenes = self.session.scenes
        if scenes.rejected != self._scenes_warned:
            self._scenes_warned = scenes.rejected
            self._log.warning("scene", f"perception/scene ignored: {scenes.last_error}")
        self._publish(out, now)

    def _publish(self, out: TickOutput, now: float) -> None:
        for line in out.log:
            self.get_logger().info(line)
        for record in out.plans:
            payload = record.to_json()
            self.plan_pub.publish(String(data=json.dumps(payload)))
            verdict = "accepted" if record.accepted else "REJECTED"
            self.get_logger().info(f"plan {record.request_id} {verdict} ({record.source}, "
                                   f"{record.backend}): {record.reason}")
        for text in out.say:
            self.say_pub.publish(String(data=text))
        # Hold first: a stop must reach the controller before anything else changes.
        self._publish_hold(out.hold)
        if out.goal is not None:
            if out.goal != self._goal or now - self._goal_sent_at >= self._goal_period:
                self._publish_goal(out.goal)
                self._goal_sent_at = now
        self._goal = out.goal
        if out.status_changed:
            self._publish_status(json.dumps(out.status.to_json()))
        self.front.published(out)

    def _publish_hold(self, hold: bool) -> None:
        if hold != self._hold:
            self._hold = hold
            self.hold_pub.publish(Bool(data=hold))

    def _publish_goal(self, goal: Goal) -> None:
        msg = PoseStamped()
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = self.params.goal_frame
        msg.pose.position.x = goal.x
        msg.pose.position.y = goal.y
        qx, qy, qz, qw = quaternion_from_yaw(goal.yaw if goal.yaw is not None else 0.0)
        msg.pose.orientation.x, msg.pose.orientation.y = qx, qy
        msg.pose.orientation.z, msg.pose.orientation.w = qz, qw
        self.goal_pub.publish(msg)

    def _publish_status(self, text: str) -> None:
        self._last_status = text
        self.status_pub.publish(String(data=text))

    def _on_status_timer(self) -> None:
        if self._last_status:
            self.status_pub.publish(String(data=self._last_status))
        if self._hold is not None:
            self.hold_pub.publish(Bool(data=self._hold))
        self.front.republish()

    def _on_diagnostics_timer(self) -> None:
        report = self.session.health()
        extra: dict[str, object] = {}
        if self.session.scenes.rejected:
            extra["bad_scenes"] = self.session.scenes.rejected
        # What the prompts say about the battery (0..1; NaN = unknown), and how it was read.
        battery = self.session.battery
        extra["battery_state_of_charge"] = math.nan if battery is None else battery
        extra["battery_percentage_scale"] = _learnt(self._battery.interpreter.learnt_scale)
        report = type(report)(report.name, report.level, report.message,
                              {**report.values, **extra})
        diagnostics.publish(self, self.diag_pub, [report] + self.front.health())

    def on_shutdown(self) -> None:
        self.front.shutdown()
        self.session.close()


def _learnt(convention: PercentageScale | None) -> str:
    return "unknown" if convention is None else convention.value


def main(args: list[str] | None = None) -> int:
    return run_node(PlannerNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
