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
from typing import Any

from geometry_msgs.msg import PoseStamped, PoseWithCovarianceStamped
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from robot_brain_interfaces.msg import Place as PlaceMsg
from robot_brain_interfaces.srv import ListPlaces, RemovePlace, SavePlace
from std_msgs.msg import Bool, String

from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import Pose2D, quaternion_from_yaw, yaw_from_quaternion
from robot_brain.core.maps.places_file import sibling_places_file
from robot_brain.core.navigation.localization import LocalizationSource, Localizer, Verdict
from robot_brain.core.places import Place
from robot_brain.core.planner.assembly import assemble
from robot_brain.core.planner.executive import Goal
from robot_brain.core.planner.messages import TickOutput
from robot_brain.core.planner.node_config import PlannerNodeConfig
from robot_brain.core.planner.places_book import PlaceBook
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
#: A localisation pose stamped further back than this is paired with odometry this old (s).
MAX_LOCALIZATION_AGE_S = 1.0


class PlannerStartupError(StartupError):
    """The planner cannot start: its world file cannot be read."""


class PlannerNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("planner")
        self.params = declare_config(self, PlannerNodeConfig)
        r = self.params.robot
        try:
            world = load_world_file(r.world_file, r.places_file, r.limits.robot_radius)
        except WorldError as exc:
            raise PlannerStartupError(str(exc)) from exc
        self.localizer = Localizer(self.params.localization)
        # The Instruct action, typed topics, Nav2; made before any worker starts: motion nav2
        # without nav2_msgs stops here.
        self.front = PlannerFrontend(self, self.params.motion, self.params.instruct)
        parts = assemble(world, self.params)
        self.session = parts.session
        self._routes = parts.routes
        self._routes_told = False
        # Places taught at run time go to the places file (a map's own beside it by default).
        places_path = r.places_file or (sibling_places_file(world.source)
                                        if world.grid is not None else "")
        self.places = PlaceBook(world, places_path, r.limits.robot_radius)
        self.create_service(SavePlace, "places/save", self._on_save_place)
        self.create_service(ListPlaces, "places/list", self._on_list_places)
        self.create_service(RemovePlace, "places/remove", self._on_remove_place)
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
        self._odom_pose: Pose2D | None = None
        # The localiser's newest pose (or map -> odom), cached by its callback with its
        # receipt time; the tick applies it (docs/maps.md, localisation).
        self._loc_msg: tuple[Any, float] | None = None
        self._subscribe_localization()

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

    def _subscribe_localization(self) -> None:
        cfg = self.localizer.config
        if cfg.source is LocalizationSource.POSE:
            self.create_subscription(PoseWithCovarianceStamped, cfg.localization_topic,
                                     self._on_localization, qos.LOCALIZATION_IN)
        elif cfg.source is LocalizationSource.TF:
            try:
                from tf2_msgs.msg import TFMessage  # type: ignore[import-not-found,unused-ignore]
            except ImportError as exc:
                raise PlannerStartupError(
                    "localization_source 'tf' needs tf2_msgs, which is not installed: use "
                    "'pose' with amcl_pose") from exc
            self.create_subscription(TFMessage, "/tf", self._on_tf, qos.RELIABLE)

    def _on_localization(self, msg: PoseWithCovarianceStamped) -> None:
        self._loc_msg = (msg, time.monotonic())

    def _on_tf(self, msg: Any) -> None:
        for t in msg.transforms:
            if t.header.frame_id.lstrip("/") == self.localizer.config.map_frame \
                    and t.child_frame_id.lstrip("/") == self.params.goal_frame:
                self._loc_msg = (t, time.monotonic())

    def _take_odom(self) -> None:
        taken = take_odometry(self._odom, self._log)
        if taken is not None:
            fields, received = taken
            self._odom_pose = fields.pose()
            self.localizer.on_odom(received, self._odom_pose)
        self._take_localization()
        if self._odom_pose is not None:
            # The planner works on the map: places, routes, the executive's progress.
            self.session.pose = self.localizer.map_pose(self._odom_pose)

    def _take_localization(self) -> None:
        if self._loc_msg is None:
            return
        msg, received = self._loc_msg
        self._loc_msg = None
        age = (self.get_clock().now().nanoseconds
               - (msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec)) / 1e9
        t = received - min(max(age, 0.0), MAX_LOCALIZATION_AGE_S) if math.isfinite(age) \
            else received
        if isinstance(msg, PoseWithCovarianceStamped):
            p, q = msg.pose.pose.position, msg.pose.pose.orientation
            update = self.localizer.on_pose(t, msg.header.frame_id, p.x, p.y,
                                            yaw_from_quaternion(q.x, q.y, q.z, q.w))
        else:
            tr, q = msg.transform.translation, msg.transform.rotation
            update = self.localizer.on_map_to_odom(
                t, msg.header.frame_id, msg.child_frame_id, tr.x, tr.y,
                yaw_from_quaternion(q.x, q.y, q.z, q.w), self.params.goal_frame)
        if update.verdict is not Verdict.ACCEPTED:
            self._log.warning("localization", f"localisation ignored: {update.reason}")
        elif update.relocalized and self.session.executive.replan():
            self.get_logger().info(
                f"relocalised: the map pose moved {update.jump_m:.2f} m, turned "
                f"{update.turn_rad:.2f} rad; routing the step again from there")

    # -- places taught at run time (robot_brain.core.planner.places_book) --------------------

    def _on_save_place(self, request: SavePlace.Request,
                       response: SavePlace.Response) -> SavePlace.Response:
        change = self.places.save(request.name, list(request.aliases), self.session.pose)
        response.success, response.message = change.ok, change.message
        if change.ok and change.place is not None:
            self.session.set_world(self.places.world)
            response.place = _place_msg(change.place)
            self.get_logger().info(f"places/save: {change.message}")
        else:
            self._log.warning("places", f"places/save refused: {change.message}")
        return response

    def _on_remove_place(self, request: RemovePlace.Request,
                         response: RemovePlace.Response) -> RemovePlace.Response:
        change = self.places.remove(request.name)
        response.success, response.message = change.ok, change.message
        if change.ok:
            self.session.set_world(self.places.world)
            self.get_logger().info(f"places/remove: {change.message}")
        else:
            self._log.warning("places", f"places/remove refused: {change.message}")
        return response

    def _on_list_places(self, request: ListPlaces.Request,
                        response: ListPlaces.Response) -> ListPlaces.Response:
        response.places = [_place_msg(p) for p in self.places.places()]
        return response

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
        # The controller works in odom: the map goal through the latest correction (the same
        # map goal is a new odom goal after a correction, and is sent at once).
        goal = self._in_odom(out.goal) if out.goal is not None else None
        if goal is not None:
            if goal != self._goal or now - self._goal_sent_at >= self._goal_period:
                self._publish_goal(goal)
                self._goal_sent_at = now
        self._goal = goal
        if out.status_changed:
            self._publish_status(json.dumps(out.status.to_json()))
        self.front.published(out)

    def _in_odom(self, goal: Goal) -> Goal:
        x, y, yaw = self.localizer.correction.to_odom(goal.x, goal.y, goal.yaw)
        return Goal(x, y, yaw)

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

    def _tell_routes(self) -> None:
        """Log once when the route worker is ready or failed (it starts beside the node)."""
        r = self._routes
        if r is None or self._routes_told:
            return
        r.poll()
        if r.ready:
            self.get_logger().info(f"route worker ready: {r.ready}")
            self._routes_told = True
        elif r.error:
            self.get_logger().error(f"{r.error}; motion steps drive straight to their targets")
            self._routes_told = True

    def _on_diagnostics_timer(self) -> None:
        self._tell_routes()
        report = self.session.health()
        extra: dict[str, object] = {}
        if self.session.scenes.rejected:
            extra["bad_scenes"] = self.session.scenes.rejected
        # What the prompts say about the battery (0..1; NaN = unknown), and how it was read.
        battery = self.session.battery
        extra["battery_state_of_charge"] = math.nan if battery is None else battery
        extra["battery_percentage_scale"] = _learnt(self._battery.interpreter.learnt_scale)
        extra.update(self.places.counters())
        if self.localizer.active:
            extra.update(self.localizer.counters())
        if self._routes is not None:
            t = self._routes.timing
            extra.update(route_queries=t.queries, route_last_ms=round(t.last_s * 1e3, 1),
                         route_max_ms=round(t.max_s * 1e3, 1))
        report = type(report)(report.name, report.level, report.message,
                              {**report.values, **extra})
        diagnostics.publish(self, self.diag_pub, [report] + self.front.health())

    def on_shutdown(self) -> None:
        self.front.shutdown()
        self.session.close()
        if self._routes is not None:
            self._routes.close()


def _place_msg(place: Place) -> PlaceMsg:
    return PlaceMsg(name=place.name, aliases=list(place.aliases), x=float(place.x),
                    y=float(place.y), yaw=float(place.yaw))


def _learnt(convention: PercentageScale | None) -> str:
    return "unknown" if convention is None else convention.value


def main(args: list[str] | None = None) -> int:
    return run_node(PlannerNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
