"""The demo's observer: an rclpy node that watches the brain and collects the summary figures.

It only listens (and sends the one instruction, as an Instruct goal on brain/instruct, or on
brain/instruction where robot_brain_interfaces is missing); it is not part of the brain. It
runs in the `robot-brain demo` process on its own executor thread.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import Odometry
from rclpy.node import Node
from std_msgs.msg import Bool, Float32, String

from robot_brain.ros import qos
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.odom_cdr import CdrError, decode_odometry

#: How often the observer reads the robot's position. A callback per 50 Hz Odometry message
#: took the demo's own process to ~7 % of a core (a Python message and a wake-up each), CPU
#: the brain on a 2-core machine then competes for; the verdict needs the first and the last
#: position only.
ODOM_READ_HZ = 5.0


@dataclass
class DemoObservations:
    diagnostics: dict[str, dict[str, Any]] = field(default_factory=dict)
    plans: list[dict[str, Any]] = field(default_factory=list)
    last_status: dict[str, Any] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)
    pose: tuple[float, float] | None = None
    first_pose: tuple[float, float] | None = None
    #: Odometry samples read (at ODOM_READ_HZ, the newest each time).
    odom_count: int = 0
    power_mode: str | None = None
    endurance_s: float = math.nan
    estop_episodes: int = 0
    estop_latched: bool = False
    nodes_seen: set[str] = field(default_factory=set)
    instruction_at: float | None = None  # monotonic, when the demo sent it
    #: monotonic time the plan of the latest request first reported 'done' (or failed)
    finished_at: float | None = None
    #: The Instruct goal's result line ('DONE: plan done: ...'), once it came.
    instruct_result: str = ""


class DemoMonitor(PollingNode):
    def __init__(self) -> None:
        super().__init__("demo_monitor")
        self.obs = DemoObservations()
        self._lock = threading.Lock()
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, qos.DIAGNOSTICS)
        self.create_subscription(String, "planner/plan", self._on_plan, qos.RELIABLE)
        self.create_subscription(String, "planner/status", self._on_status, qos.RELIABLE)
        self.create_subscription(String, "brain/say", self._on_say, qos.RELIABLE)
        self._odom = self.poller.latest(Odometry, "odom", qos.SENSOR, raw=True)
        self.create_timer(1.0 / ODOM_READ_HZ, self._read_odom)
        self.create_subscription(String, "power/mode", self._on_mode, qos.STATE)
        self.create_subscription(Float32, "power/endurance", self._on_endurance, qos.RELIABLE)
        self.create_subscription(Bool, "watchdog/estop", self._on_estop, qos.STATE)
        self._instruction_pub = self.create_publisher(String, "brain/instruction", qos.RELIABLE)
        self._instruct = _instruct_client(self)
        self.events: list[str] = []

    # Callbacks only record.
    def _on_diag(self, msg: DiagnosticArray) -> None:
        with self._lock:
            for st in msg.status:
                self.obs.diagnostics[st.name] = {
                    "level": int.from_bytes(st.level, "little") if isinstance(st.level, bytes)
                    else int(st.level),
                    "message": st.message,
                    "values": {kv.key: kv.value for kv in st.values},
                }
                self.obs.nodes_seen.add(st.hardware_id)

    def _on_plan(self, msg: String) -> None:
        try:
            plan = json.loads(msg.data)
        except json.JSONDecodeError:
            return
        with self._lock:
            self.obs.plans.append(plan)
            self.events.append("plan: " + _plan_line(plan))

    def _on_status(self, msg: String) -> None:
        try:
            status = json.loads(msg.data)
        except json.JSONDecodeError:
            return
        with self._lock:
            self.obs.last_status = status
            outcome = str(status.get("outcome") or "")
            if self.obs.finished_at is None and self.obs.instruction_at is not None \
                    and outcome.startswith(("done", "failed", "cancelled")):
                self.obs.finished_at = time.monotonic()

    def _on_say(self, msg: String) -> None:
        with self._lock:
            self.obs.said.append(msg.data)
            self.events.append(f"robot says: {msg.data!r}")

    def _read_odom(self) -> None:
        sample = self._odom.take()
        if sample is None:
            return
        try:
            odom = decode_odometry(sample.msg)
        except CdrError:
            return  # not the brain's to judge: the verdict reads the position only
        p = (odom.x, odom.y)
        with self._lock:
            if self.obs.first_pose is None:
                self.obs.first_pose = p
            self.obs.pose = p
            self.obs.odom_count += 1

    def _on_mode(self, msg: String) -> None:
        with self._lock:
            if msg.data != self.obs.power_mode:
                self.events.append(f"power mode: {msg.data}")
            self.obs.power_mode = msg.data

    def _on_endurance(self, msg: Float32) -> None:
        with self._lock:
            self.obs.endurance_s = float(msg.data)

    def _on_estop(self, msg: Bool) -> None:
        with self._lock:
            if msg.data and not self.obs.estop_latched:
                self.obs.estop_episodes += 1
                self.events.append("watchdog estop latched")
            elif not msg.data and self.obs.estop_latched:
                self.events.append("watchdog estop released")
            self.obs.estop_latched = bool(msg.data)

    # Called from the demo's main thread.
    def send_instruction(self, text: str) -> str:
        """Send the instruction: an Instruct goal where the action exists, else the topic.
        Returns how it went ('Instruct goal', 'brain/instruction')."""
        with self._lock:
            self.obs.instruction_at = time.monotonic()
            self.obs.finished_at = None
        if self._instruct is None:
            self._instruction_pub.publish(String(data=text))
            return "brain/instruction"
        from robot_brain_interfaces.action import Instruct
        goal = Instruct.Goal(instruction=text, sender="robot-brain demo")
        self._instruct.send_goal_async(goal).add_done_callback(self._on_goal_response)
        return "Instruct goal"

    def _on_goal_response(self, future: Any) -> None:
        handle = future.result()
        if handle is None or not handle.accepted:
            with self._lock:
                self.events.append("Instruct goal REFUSED by the planner (see its log)")
                self.obs.instruct_result = "REFUSED"
                self.obs.finished_at = time.monotonic()
            return
        handle.get_result_async().add_done_callback(self._on_goal_result)

    def _on_goal_result(self, future: Any) -> None:
        from robot_brain.cli.instruct import result_line
        line = result_line(future.result().result)
        with self._lock:
            self.events.append(f"instruction result: {line}")
            self.obs.instruct_result = line
            if self.obs.finished_at is None:
                self.obs.finished_at = time.monotonic()

    def mission_over(self) -> bool:
        """The instruction's plan finished (done, failed, cancelled) or was rejected."""
        with self._lock:
            if self.obs.instruction_at is None:
                return False
            if self.obs.finished_at is not None:
                return True
            return bool(self.obs.plans) and not any(p.get("accepted") for p in self.obs.plans)

    def planner_ready(self, listeners: frozenset[str] = frozenset({"planner"})) -> bool:
        """The planner is up and serves brain/instruct (or subscribes to brain/instruction
        without it), and every other node in `listeners` (the recorder when one records)
        subscribes to planner/plan, so neither the instruction nor its plan is lost."""
        if self.count_publishers("planner/status") == 0:
            return False
        if self._instruct is not None:
            if not self._instruct.server_is_ready():
                return False
            recorders = listeners - {"planner"}
            subscribed = {info.node_name for info in
                          self.get_subscriptions_info_by_topic("planner/plan")}
            return recorders <= subscribed
        subscribed = {info.node_name for info in
                      self.get_subscriptions_info_by_topic("brain/instruction")}
        return listeners <= subscribed

    def drain_events(self) -> list[str]:
        with self._lock:
            out, self.events = self.events, []
        return out

    def snapshot(self) -> DemoObservations:
        with self._lock:
            return DemoObservations(
                diagnostics={k: dict(v) for k, v in self.obs.diagnostics.items()},
                plans=list(self.obs.plans), last_status=dict(self.obs.last_status),
                said=list(self.obs.said), pose=self.obs.pose, first_pose=self.obs.first_pose,
                odom_count=self.obs.odom_count, power_mode=self.obs.power_mode,
                endurance_s=self.obs.endurance_s, estop_episodes=self.obs.estop_episodes,
                estop_latched=self.obs.estop_latched, nodes_seen=set(self.obs.nodes_seen),
                instruction_at=self.obs.instruction_at, finished_at=self.obs.finished_at,
                instruct_result=self.obs.instruct_result)


def _instruct_client(node: Node) -> Any:
    """An Instruct action client, or None where robot_brain_interfaces is missing."""
    try:
        from rclpy.action import ActionClient
        from robot_brain_interfaces.action import Instruct
    except ImportError:
        return None
    return ActionClient(node, Instruct, "brain/instruct")


def _plan_line(plan: dict[str, Any]) -> str:
    steps = plan.get("steps") or []
    desc = ", ".join(_step_text(s) for s in steps if isinstance(s, dict)) or "no steps"
    verdict = "accepted" if plan.get("accepted", True) else f"REJECTED ({plan.get('reason')})"
    latency = plan.get("latency_s")
    lat = f"{latency:.2f} s" if isinstance(latency, (int, float)) else "?"
    return f"#{plan.get('request_id')} {plan.get('backend')} {verdict} in {lat}: {desc}"


def _step_text(step: dict[str, Any]) -> str:
    skill = step.get("skill", "?")
    args = {k: v for k, v in step.items() if k != "skill"}
    return skill + (f"({', '.join(f'{k}={v}' for k, v in args.items())})" if args else "")


def wait_until(predicate: Any, timeout: float, period: float = 0.05) -> bool:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if predicate():
            return True
        time.sleep(period)
    return False
