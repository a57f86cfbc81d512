"""`planner` node: the slow path. Instructions in; validated plans, goals, hold and status out.

The LLM never runs here: each backend in use lives in an LlmWorker (a spawned process) that
the tick timer polls without blocking. Subscriptions only cache; the tick (steady clock) hands
the inputs to robot_brain.core.planner.session.PlannerSession and publishes what it returns.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

from geometry_msgs.msg import PoseStamped
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from sensor_msgs.msg import BatteryState
from std_msgs.msg import Bool, String

from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import quaternion_from_yaw
from robot_brain.core.llm.openai_compat import STRUCTURED_OUTPUT_MODES
from robot_brain.core.llm.registry import (
    DEFAULT_BACKEND,
    backend_identity,
    default_auto_candidates,
    validate_config,
)
from robot_brain.core.llm.scripted import SCRIPTED_FAILURES
from robot_brain.core.llm.types import LOCALITY_OVERRIDES, BackendConfig
from robot_brain.core.llm.worker import LlmWorker
from robot_brain.core.navigation.route_planner import (
    RoutePlanner,
    RoutePlannerConfig,
    RoutePlannerConfigError,
)
from robot_brain.core.planner.backend_choice import (
    KNOWN_BACKENDS,
    BackendChoiceConfig,
    BackendChoiceError,
    Mode,
)
from robot_brain.core.planner.backend_pool import (
    BackendInfo,
    BackendPool,
    PoolConfig,
    make_backend_infos,
)
from robot_brain.core.planner.executive import ExecutiveConfigError, Goal
from robot_brain.core.planner.executive import check_config as check_executive_config
from robot_brain.core.planner.messages import TickOutput
from robot_brain.core.planner.session import PlannerSession, SessionConfig
from robot_brain.core.planner.skills import PlanLimits
from robot_brain.core.planner.vertical.cascade import DEFAULT_THRESHOLD
from robot_brain.core.planner.vertical.planner import VerticalPlanner
from robot_brain.core.world import WorldError, load_world_file
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.odom_cdr import take_odometry
from robot_brain.ros.params import (
    SHARED_PARAMS,
    ConfigError,
    ParamSpec,
    declare_params,
    refuse_old_names,
)
from robot_brain.ros.runtime import run_node
from robot_brain.ros.throttled_log import ThrottledLog

#: A string-array parameter needs a non-empty default (an empty list is declared as a byte
#: array by rclpy and would then refuse strings); '' entries are ignored.
NO_STRINGS = [""]
CHOICES = ("preferred", "auto", "dock") + KNOWN_BACKENDS

#: Seconds between repeated warnings of one kind.
WARN_THROTTLE_S = 5.0

PARAMS: tuple[ParamSpec, ...] = SHARED_PARAMS + (
    ParamSpec("backend", DEFAULT_BACKEND, "Preferred LLM backend.", choices=KNOWN_BACKENDS),
    # llama_cpp
    ParamSpec("model_path", "", "GGUF file; '' = the packaged Gemma 3 270M (assembled once into "
              "the cache directory)."),
    ParamSpec("n_threads", 1, "Threads of the local model's worker.", 1, 64),
    ParamSpec("n_ctx", 2048, "Context length of the local model.", 64, 131072),
    ParamSpec("nice", 10, "Nice level of the LLM worker processes.", -20, 19),
    # openai
    ParamSpec("base_url", "http://127.0.0.1:8000/v1", "OpenAI-compatible server base URL."),
    ParamSpec("model", "", "Model name sent to the OpenAI-compatible server."),
    ParamSpec("api_key_env", "OPENAI_API_KEY", "Environment variable holding the API key."),
    ParamSpec("http_timeout_s", 30.0, "HTTP timeout of the openai backend (s).", 0.1, 600.0),
    ParamSpec("structured_output", "auto", "openai structured output form.",
              choices=STRUCTURED_OUTPUT_MODES),
    ParamSpec("openai_locality", "auto", "Where the openai backend runs: 'auto' = from base_url "
              "(loopback = local); 'remote' lets a loopback server stand in for a cloud model.",
              choices=LOCALITY_OVERRIDES),
    # scripted
    ParamSpec("scripted_replies", NO_STRINGS, "Replies of the scripted backend, cycled."),
    ParamSpec("scripted_reply_file", "", "JSON/YAML list of scripted replies."),
    ParamSpec("scripted_latency_s", 0.0, "Latency of each scripted reply (s).", 0.0, 600.0),
    ParamSpec("scripted_failure", "none", "Failure mode of the scripted backend.",
              choices=SCRIPTED_FAILURES),
    ParamSpec("scripted_locality", "auto", "Locality the scripted backend reports ('auto' = "
              "local).", choices=LOCALITY_OVERRIDES),
    # requests
    ParamSpec("request_timeout_s", 20.0, "A request without a reply after this long fails "
              "(the worker stays up).", 0.1, 600.0),
    ParamSpec("hang_timeout_s", 60.0, "A worker silent this long on a request is killed and "
              "restarted.", 0.5, 3600.0),
    ParamSpec("max_tokens", 256, "Token budget of one plan.", 16, 4096),
    ParamSpec("temperature", 0.0, "Sampling temperature (0 = greedy).", 0.0, 2.0),
    # plans and execution
    ParamSpec("max_steps", 5, "Most steps a plan may have.", 1, 20),
    ParamSpec("max_wait_s", 60.0, "Longest `wait` step (s).", 0.1, 3600.0),
    ParamSpec("max_say_chars", 120, "Longest `say` text.", 1, 1000),
    ParamSpec("step_timeout_s", 120.0, "A navigate/dock step not reached in this time fails.",
              1.0, 3600.0),
    ParamSpec("goal_republish_hz", 2.0, "planner/goal rate while a motion step is active.",
              1.0, 50.0),
    ParamSpec("tick_hz", 20.0, "Rate of the poll/execute timer (steady clock).", 5.0, 200.0),
    ParamSpec("status_hz", 2.0, "Periodic planner/status rate (also sent on every change).",
              1.0, 50.0),
    ParamSpec("goal_frame", "odom", "frame_id of planner/goal (world coordinates = odom)."),
    ParamSpec("stop_words", True, "'stop', 'halt', 'freeze', ... stop at once without the LLM."),
    ParamSpec("vertical_tier", True, "Ask the vertical planner model (ONNX, milliseconds, in "
              "this process) before the LLM; false = every instruction goes to the LLM."),
    ParamSpec("vertical_threshold", DEFAULT_THRESHOLD, "The vertical tier answers at or above "
              "this calibrated confidence; below it, out of its domain, or for what it cannot "
              "express, the LLM answers.", 0.0, 1.0),
    # global routes for motion steps (the controller stays reactive; it gets waypoints)
    ParamSpec("route_planning", True, "Route navigate_to/dock steps round walls and furniture: "
              "planner/goal carries the route's waypoints (A* on the world's occupancy grid) "
              "instead of the step's target; false = the target directly."),
    ParamSpec("route_resolution", 0.1, "Cell size of the route planner's occupancy grid (m); "
              "query time grows with the cell count (10 m x 8 m: ~1 ms median at 0.1 m, "
              "~20 ms worst at 0.05 m).", 0.05, 0.5),
    ParamSpec("route_inflation", 0.25, "Clearance a route keeps beyond robot_radius (m); at "
              "least half a cell diagonal (0.071 m at 0.1 m cells).", 0.0, 2.0),
    ParamSpec("waypoint_tolerance", 0.35, "Distance at which an intermediate waypoint counts as "
              "passed and the next one is published (m); at least goal_tolerance.", 0.05, 5.0),
    # backend choice by power mode
    ParamSpec("backend_normal", "preferred", "Backend choice in power mode normal.",
              choices=CHOICES),
    ParamSpec("backend_eco", "preferred", "Backend choice in power mode eco (the cheaper "
              "backend).", choices=CHOICES),
    ParamSpec("backend_critical", "dock", "Backend choice in power mode critical ('dock' = no "
              "LLM).", choices=CHOICES),
    ParamSpec("eco_min_interval_s", 30.0, "Minimum time between requests in eco (s); a newer "
              "instruction replaces a deferred one.", 0.0, 3600.0),
    ParamSpec("auto_candidates", list(default_auto_candidates()),
              "Backends the `auto` route picks from."),
    ParamSpec("auto_max_latency_s", 10.0, "`auto` prefers backends expected within this (s).",
              0.1, 600.0),
    ParamSpec("auto_local_power_w", 20.0, "Accelerator draw while a local model generates (W); "
              "backend choice estimate.", 0.0, 1000.0),
    ParamSpec("auto_remote_power_w", 7.5, "Modem draw while a remote call is open (W); "
              "backend choice estimate.", 0.0, 1000.0),
    ParamSpec("prior_llama_cpp_s", 3.0, "Expected llama_cpp generation time before any is "
              "measured (s).", 0.0, 600.0),
    ParamSpec("prior_openai_s", 1.5, "Expected openai round trip before any is measured (s).",
              0.0, 600.0),
    ParamSpec("auto_base_load_w", 150.0, "The robot's standing draw (W): `auto` charges each "
              "backend this x its expected time, the cost of waiting for a plan.", 0.0, 100000.0),
    ParamSpec("power_gate_accelerator", False, "Stop the local LLM worker (accelerator off) "
              "while the power mode's route needs no local backend (for `auto`: while it "
              "would pick a remote one); start it when one does."),
    ParamSpec("backend_unavailable_s", 30.0, "After a failed request, `auto` and fallbacks "
              "avoid that backend this long (s).", 0.0, 3600.0),
)


#: Parameters renamed (old -> new): an old name in a params file is refused at start.
RENAMED_PARAMS = {"route_normal": "backend_normal", "route_eco": "backend_eco",
                  "route_critical": "backend_critical"}


class PlannerStartupError(StartupError):
    """The planner cannot start: bad world, backend choice or backend configuration."""


@dataclass(frozen=True)
class PlannerParams:
    values: dict[str, Any]

    def strings(self, key: str) -> tuple[str, ...]:
        return tuple(s for s in self.values[key] if s)

    def backend_config(self, kind: str) -> BackendConfig:
        v = self.values
        return BackendConfig(
            kind=kind, model_path=v["model_path"], n_threads=v["n_threads"], n_ctx=v["n_ctx"],
            base_url=v["base_url"], model=v["model"], api_key_env=v["api_key_env"],
            http_timeout_s=v["http_timeout_s"], structured_output=v["structured_output"],
            replies=self.strings("scripted_replies"), reply_file=v["scripted_reply_file"],
            latency_s=v["scripted_latency_s"], failure=v["scripted_failure"],
            locality=v.get(f"{kind}_locality", "auto"))

    def backend_choice(self) -> BackendChoiceConfig:
        v = self.values
        return BackendChoiceConfig(
            preferred=v["backend"],
            by_mode={Mode.NORMAL: v["backend_normal"], Mode.ECO: v["backend_eco"],
                    Mode.CRITICAL: v["backend_critical"]},
            eco_min_interval_s=v["eco_min_interval_s"],
            auto_max_latency_s=v["auto_max_latency_s"],
            auto_candidates=self.strings("auto_candidates"),
            auto_base_load_w=v["auto_base_load_w"])

    def session_config(self) -> SessionConfig:
        v = self.values
        return SessionConfig(
            limits=self.limits(), backend_choice=self.backend_choice(),
            goal_tolerance=v["goal_tolerance"],
            step_timeout_s=v["step_timeout_s"], request_timeout_s=v["request_timeout_s"],
            max_tokens=v["max_tokens"], temperature=v["temperature"],
            stop_words=v["stop_words"], waypoint_tolerance=v["waypoint_tolerance"],
            vertical_threshold=v["vertical_threshold"])

    def backend_infos(self, names: tuple[str, ...]) -> dict[str, BackendInfo]:
        """Routing's figures per backend; the prior expected time is `prior_<kind>_s`, or for
        a backend with a configured latency (scripted) that latency."""
        v = self.values

        def identify(name: str) -> tuple[str, str]:
            config = self.backend_config(name)
            validate_config(config)
            _, model, locality = backend_identity(config)
            return model, locality.value

        priors = {n: v.get(f"prior_{n}_s", v.get(f"{n}_latency_s", 5.0)) for n in names}
        return make_backend_infos(names, identify, v["auto_local_power_w"],
                                  v["auto_remote_power_w"], priors)

    def route_planner_config(self) -> RoutePlannerConfig:
        v = self.values
        return RoutePlannerConfig(resolution=v["route_resolution"],
                                  robot_radius=v["robot_radius"],
                                  inflation=v["route_inflation"])

    def limits(self) -> PlanLimits:
        v = self.values
        return PlanLimits(max_steps=v["max_steps"], max_wait_s=v["max_wait_s"],
                          max_say_chars=v["max_say_chars"], min_clearance_m=v["robot_radius"])


class PlannerNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("planner")
        refuse_old_names(self, RENAMED_PARAMS)
        p = self.params = PlannerParams(declare_params(self, PARAMS))
        v = p.values
        try:
            world = load_world_file(v["world_file"])
        except WorldError as exc:
            raise PlannerStartupError(str(exc)) from exc
        # The route grid is computed once here (tens of ms); each step's query is a few ms in
        # the tick. Built and checked before any worker starts, so a bad setting leaves
        # nothing running.
        route_planner: RoutePlanner | None = None
        route_info = "route planning off"
        config = p.session_config()
        try:
            if v["route_planning"]:
                t0 = time.monotonic()
                route_planner = RoutePlanner(world, p.route_planner_config())
                route_info = (
                    f"route grid {route_planner.nx}x{route_planner.ny} at "
                    f"{v['route_resolution']} m, inflation {v['route_inflation']} m, built in "
                    f"{(time.monotonic() - t0) * 1e3:.0f} ms")
            check_executive_config(config.goal_tolerance, config.step_timeout_s,
                                   config.waypoint_tolerance, routed=route_planner is not None)
        except (RoutePlannerConfigError, ExecutiveConfigError) as exc:
            raise ConfigError(str(exc)) from exc
        try:
            config.backend_choice.check()
        except BackendChoiceError as exc:
            raise ConfigError(str(exc)) from exc
        # Built once (~50 ms) and before any worker starts: the model is loaded and checked
        # against its metadata here, so a missing or corrupt model is a start-up error.
        vertical = VerticalPlanner(world, config.limits) if v["vertical_tier"] else None
        # The pool starts a worker for each route that can ever be taken (with the defaults
        # just the preferred backend; 'auto' adds its candidates) and, with power gating,
        # leaves off a local one the normal route cannot use.
        names = config.backend_choice.backends_needed()
        gate = bool(v["power_gate_accelerator"])
        pool = BackendPool.launch(
            config.backend_choice, p.backend_infos(names),
            lambda name: LlmWorker(p.backend_config(name), hang_timeout_s=v["hang_timeout_s"],
                                   nice=v["nice"]),
            PoolConfig(unavailable_s=v["backend_unavailable_s"], power_gate=gate))
        stopped = pool.gated_off
        self.session = PlannerSession(world, config, pool, route_planner=route_planner,
                                      vertical=vertical)

        self.plan_pub = self.create_publisher(String, "planner/plan", qos.RELIABLE)
        self.goal_pub = self.create_publisher(PoseStamped, "planner/goal", qos.STATE)
        self.hold_pub = self.create_publisher(Bool, "planner/hold", qos.STATE)
        self.status_pub = self.create_publisher(String, "planner/status", qos.RELIABLE)
        self.say_pub = self.create_publisher(String, "brain/say", qos.RELIABLE)
        self.diag_pub = diagnostics.create_diagnostics_publisher(self)
        self.create_subscription(String, "brain/instruction", self._on_instruction, qos.RELIABLE)
        self.create_subscription(String, "perception/scene", self._on_scene, qos.RELIABLE)
        self.create_subscription(String, "power/mode", self._on_mode, qos.STATE)
        self.create_subscription(BatteryState, "battery_state", self._on_battery, qos.RELIABLE)
        # The pose is read at the tick: taken then, not a callback per 50 Hz odom message.
        self._log = ThrottledLog(self, WARN_THROTTLE_S)
        # As bytes: the pose is read from them (odom_cdr), no Python Odometry built.
        self._odom = self.poller.latest(Odometry, "odom", qos.SENSOR, raw=True)

        # Inputs cached by the callbacks, consumed by the tick.
        self._instructions: list[str] = []
        self._mode: str | None = None
        self._scenes_warned = 0  # rejected scenes already warned about
        self._goal: Goal | None = None
        self._goal_sent_at = -math.inf
        self._hold: bool | None = None
        self._last_status = ""
        self._goal_period = 1.0 / v["goal_republish_hz"]

        steady = Clock(clock_type=ClockType.STEADY_TIME)
        self.create_timer(1.0 / v["tick_hz"], self._on_tick, clock=steady)
        self.create_timer(1.0 / v["status_hz"], self._on_status_timer, clock=steady)
        self.create_timer(1.0, self._on_diagnostics_timer, clock=steady)
        self._publish_hold(True)
        self.get_logger().info(
            f"world '{world.name}', backends {list(names)} (preferred {v['backend']}), routes "
            f"normal={v['backend_normal']} eco={v['backend_eco']} "
            f"critical={v['backend_critical']}, "
            f"accelerator power gating {'on' if gate else 'off'}"
            + (f" (starts off: {stopped})" if stopped else "") + f", {route_info}, "
            + (f"vertical tier first (threshold {v['vertical_threshold']:g})" if vertical
               else "vertical tier off"))

    # -- inputs: cache only ----------------------------------------------------------------

    def _on_instruction(self, msg: String) -> None:
        self._instructions.append(msg.data)

    def _on_scene(self, msg: String) -> None:
        # Kept as text: the session validates the newest scene when a prompt needs it.
        self.session.scenes.put(msg.data)

    def _on_mode(self, msg: String) -> None:
        self._mode = msg.data

    def _on_battery(self, msg: BatteryState) -> None:
        pct = float(msg.percentage)
        self.session.battery = pct if math.isfinite(pct) and 0.0 <= pct <= 1.0 else None

    def _take_odom(self) -> None:
        taken = take_odometry(self._odom, self._log)
        if taken is not None:
            self.session.pose = taken[0].pose()

    # -- the tick --------------------------------------------------------------------------

    def _on_tick(self) -> None:
        self._take_odom()
        now = time.monotonic()
        if self._mode is not None:
            mode, self._mode = self._mode, None
            self.session.set_mode(mode, now)
        # Only the newest of several instructions that arrived within one tick matters; the
        # older ones still get request ids so their numbering matches what was sent.
        instructions, self._instructions = self._instructions, []
        for text in instructions:
            rid = self.session.on_instruction(text, now)
            self.get_logger().info(f"instruction {rid}: {text[:80]!r}")
        out = self.session.tick(now)
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

    def _publish_hold(self, hold: bool) -> None:
        if hold != self._hold:
            self._hold = hold
            self.hold_pub.publish(Bool(data=hold))

    def _publish_goal(self, goal: Goal) -> None:
        msg = PoseStamped()
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = self.params.values["goal_frame"]
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

    def _on_diagnostics_timer(self) -> None:
        report = self.session.health()
        bad_scenes = self.session.scenes.rejected
        if bad_scenes:
            report = type(report)(report.name, report.level, report.message,
                                  {**report.values, "bad_scenes": bad_scenes})
        diagnostics.publish(self, self.diag_pub, [report])

    def on_shutdown(self) -> None:
        self.session.close()


def main(args: list[str] | None = None) -> int:
    return run_node(PlannerNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
