"""robot_brain_interfaces, tf2_msgs and the test-only nav2_msgs over a real ROS 2 graph.

In the pip door these packages are what scripts/build_interfaces.sh built with plain cmake (the
first two by set-up, nav2_msgs on first use by test/ros/nav2_test_msgs.py); with a ROS 2
distribution they are colcon's and the distribution's. Either way the tests are the same: an
Instruct goal is accepted or rejected at once, sends feedback, ends with a result or a cancel;
the typed messages, a place service and /tf, /tf_static travel between nodes.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import rclpy
from ament_index_python.packages import get_package_share_directory
from geometry_msgs.msg import TransformStamped
from rclpy.action import ActionClient, ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from robot_brain_interfaces.action import Instruct
from robot_brain_interfaces.msg import Place, Plan, PlannerStatus
from robot_brain_interfaces.srv import ListPlaces, SavePlace
from tf2_msgs.msg import TFMessage

from robot_brain.cli.processes import ros_environment
from robot_brain.core.planner.messages import PlanRecord, StatusRecord
from robot_brain.core.planner.skills import Plan as CorePlan
from robot_brain.core.planner.skills import Skill, Step
from robot_brain.ros import qos
from robot_brain.ros.planner_interfaces import plan_json, plan_msg, status_json, status_msg
from robot_brain.ros.spinner import destroy_node_fully
from test.ros.nav2_test_msgs import ensure_nav2_msgs

pytestmark = pytest.mark.ros

WAIT_S = 20.0  # discovery plus delivery; the expected time is well under a second
#: tf2_msgs/msg/TFMessage's type hash in ROS 2 Jazzy and Kilted (`ros2 topic info -v /tf`): a
#: generated tf2_msgs must match it, or distribution nodes would not talk to ours on /tf.
TF_MESSAGE_HASH = "RIHS01_e369d0f05a23ae52508854b66f6aa0437f3449d652e8cbf22d5abe85d020f087"


@dataclass
class Graph:
    server: Node
    client: Node
    executor: MultiThreadedExecutor
    thread: threading.Thread
    group: ReentrantCallbackGroup = field(default_factory=ReentrantCallbackGroup)


@pytest.fixture
def graph() -> Iterator[Graph]:
    """Two nodes in this process, spun by a multi-threaded executor on a background thread
    (an action server's execute callback blocks its thread while the goal runs)."""
    if not rclpy.ok():
        rclpy.init()
    server = rclpy.create_node("iface_server")
    client = rclpy.create_node("iface_client")
    executor = MultiThreadedExecutor(num_threads=4)
    executor.add_node(server)
    executor.add_node(client)
    thread = threading.Thread(target=executor.spin, daemon=True, name="spin:iface")
    thread.start()
    try:
        yield Graph(server, client, executor, thread)
    finally:
        executor.shutdown(timeout_sec=2.0)
        thread.join(timeout=10.0)
        destroy_node_fully(server)
        destroy_node_fully(client)
        rclpy.try_shutdown()


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def result_of(future: Any, what: str) -> Any:
    wait_for(future.done, what)
    return future.result()


def kitchen_record(request_id: int = 7) -> PlanRecord:
    plan = CorePlan((Step(Skill.NAVIGATE_TO, place="kitchen", x=4.2, y=1.5, yaw=0.5),
                     Step(Skill.SAY, text="I am in the kitchen.")))
    return PlanRecord.make(request_id, "Please walk over to the kitchen.", True, "ok",
                           "vertical: confident", plan=plan, source="vertical",
                           latency_s=0.004)


# --- the Instruct action ----------------------------------------------------------------

class FakeInstructServer:
    """An Instruct server as the planner will behave, minus the planning: rejects an empty
    instruction at once, then reports each of `ticks` ticks as feedback and ends DONE, or
    CANCELLED when the client cancels."""

    def __init__(self, graph: Graph, ticks: int, period_s: float = 0.05) -> None:
        self.ticks = ticks
        self.period_s = period_s
        self.goals: list[tuple[str, str]] = []
        self.record = kitchen_record()
        self.server = ActionServer(
            graph.server, Instruct, "brain/instruct", self._execute,
            goal_callback=self._decide, cancel_callback=lambda _: CancelResponse.ACCEPT,
            callback_group=graph.group)

    def _decide(self, goal: Instruct.Goal) -> GoalResponse:
        self.goals.append((goal.instruction, goal.sender))
        return GoalResponse.ACCEPT if goal.instruction.strip() else GoalResponse.REJECT

    def _execute(self, handle: Any) -> Instruct.Result:
        plan = plan_msg(self.record)
        started = time.monotonic()
        result = Instruct.Result(plan=plan)
        for tick in range(self.ticks):
            if handle.is_cancel_requested:
                handle.canceled()
                result.outcome = Instruct.Result.CANCELLED
                result.message = "cancelled by the client"
                result.elapsed_s = time.monotonic() - started
                return result
            feedback = Instruct.Feedback(
                state=Instruct.Feedback.EXECUTING, tier=plan.source, backend=plan.backend,
                steps=plan.steps, step_index=0, message="step 1: navigate_to kitchen",
                distance_remaining_m=float(self.ticks - tick), time_remaining_s=math.nan,
                elapsed_s=time.monotonic() - started)
            handle.publish_feedback(feedback)
            time.sleep(self.period_s)
        handle.succeed()
        result.outcome = Instruct.Result.DONE
        result.message = "plan done"
        result.elapsed_s = time.monotonic() - started
        result.distance_m = 4.6
        return result


def send(graph: Graph, instruction: str, feedback: list[Instruct.Feedback]) -> Any:
    client = ActionClient(graph.client, Instruct, "brain/instruct", callback_group=graph.group)
    assert client.wait_for_server(timeout_sec=WAIT_S)
    goal = Instruct.Goal(instruction=instruction, sender="test_interfaces_graph")
    return result_of(client.send_goal_async(goal, feedback_callback=feedback.append),
                     "the goal response")


def test_instruct_goal_sends_feedback_and_ends_done(graph: Graph) -> None:
    server = FakeInstructServer(graph, ticks=6)
    feedback: list[Any] = []
    handle = send(graph, "Please walk over to the kitchen.", feedback)
    assert handle.accepted
    response = result_of(handle.get_result_async(), "the result")
    assert response.status == 4  # action_msgs/GoalStatus.STATUS_SUCCEEDED
    result = response.result
    assert result.outcome == Instruct.Result.DONE and result.message == "plan done"
    assert plan_json(result.plan) == server.record.to_json()
    assert result.elapsed_s > 0.0 and result.distance_m == pytest.approx(4.6)
    assert server.goals == [("Please walk over to the kitchen.", "test_interfaces_graph")]
    wait_for(lambda: len(feedback) >= 2, "feedback")  # feedback and result travel apart
    last = feedback[-1].feedback
    assert last.state == Instruct.Feedback.EXECUTING
    assert (last.tier, last.backend) == ("vertical", "vertical")
    assert [s.skill for s in last.steps] == ["navigate_to", "say"]
    assert last.steps[0].place == "kitchen" and last.step_index == 0
    assert math.isnan(last.time_remaining_s)
    distances = [f.feedback.distance_remaining_m for f in feedback]
    assert distances == sorted(distances, reverse=True)


def test_instruct_empty_goal_is_rejected_at_once(graph: Graph) -> None:
    server = FakeInstructServer(graph, ticks=1)
    handle = send(graph, "   ", [])
    assert not handle.accepted
    assert server.goals == [("   ", "test_interfaces_graph")]


def test_instruct_cancel_ends_the_goal_cancelled(graph: Graph) -> None:
    FakeInstructServer(graph, ticks=2000)  # 100 s unless cancelled
    feedback: list[Any] = []
    handle = send(graph, "Walk to the door.", feedback)
    assert handle.accepted
    wait_for(lambda: len(feedback) >= 1, "the first feedback")
    cancel = result_of(handle.cancel_goal_async(), "the cancel response")
    assert len(cancel.goals_canceling) == 1
    response = result_of(handle.get_result_async(), "the result after the cancel")
    assert response.status == 5  # action_msgs/GoalStatus.STATUS_CANCELED
    assert response.result.outcome == Instruct.Result.CANCELLED
    assert response.result.elapsed_s < 60.0


def test_a_default_result_is_no_success() -> None:
    assert Instruct.Result().outcome == Instruct.Result.UNKNOWN != Instruct.Result.DONE
    assert Instruct.Feedback().step_index == -1
    assert PlannerStatus().step_index == -1


# --- typed messages and a place service ---------------------------------------------------

def test_plan_and_status_messages_travel(graph: Graph) -> None:
    plans: list[Plan] = []
    statuses: list[PlannerStatus] = []
    graph.client.create_subscription(Plan, "planner/plan_typed", plans.append, qos.RELIABLE)
    graph.client.create_subscription(PlannerStatus, "planner/status_typed", statuses.append,
                                     qos.STATE)
    status = StatusRecord(
        state="executing", backend="vertical", locality="none", accelerator_on=False,
        model="planner_intent.onnx", request_id=7, mode="eco", route_reason="vertical: sure",
        last_latency_s=None, tokens=0, generation_time_s=None, worker_restarts=1,
        message="step 1: navigate_to kitchen", instruction="Please walk over to the kitchen.",
        pending=False, step_index=0, step_count=2, step="navigate_to kitchen",
        outcome="running", plans_accepted=3, plans_rejected=1, replies_superseded=0,
        tier="vertical")
    plan_pub = graph.server.create_publisher(Plan, "planner/plan_typed", qos.RELIABLE)
    status_pub = graph.server.create_publisher(PlannerStatus, "planner/status_typed", qos.STATE)
    wait_for(lambda: plan_pub.get_subscription_count() == 1, "the plan subscriber")
    record = kitchen_record()
    plan_pub.publish(plan_msg(record))
    status_pub.publish(status_msg(status))
    wait_for(lambda: bool(plans) and bool(statuses), "a plan and a status")
    assert plan_json(plans[0]) == record.to_json()
    assert status_json(statuses[0]) == status.to_json()
    assert json.dumps(status_json(statuses[0]))  # still a JSON document


def test_save_and_list_place_services(graph: Graph) -> None:
    saved: list[Place] = []

    def save(request: SavePlace.Request, response: SavePlace.Response) -> SavePlace.Response:
        place = Place(name=request.name, aliases=list(request.aliases), x=1.0, y=2.0, yaw=0.5)
        saved.append(place)
        response.success, response.message, response.place = True, f"saved {place.name}", place
        return response

    def list_places(_: ListPlaces.Request, response: ListPlaces.Response) -> ListPlaces.Response:
        response.places = sorted(saved, key=lambda p: p.name)
        return response

    graph.server.create_service(SavePlace, "places/save", save, callback_group=graph.group)
    graph.server.create_service(ListPlaces, "places/list", list_places,
                                callback_group=graph.group)
    save_client = graph.client.create_client(SavePlace, "places/save")
    list_client = graph.client.create_client(ListPlaces, "places/list")
    assert save_client.wait_for_service(timeout_sec=WAIT_S)
    assert list_client.wait_for_service(timeout_sec=WAIT_S)
    reply = result_of(save_client.call_async(
        SavePlace.Request(name="printer", aliases=["Drucker", "impresora"])), "save")
    assert reply.success and reply.place.aliases == ["Drucker", "impresora"]
    listed = result_of(list_client.call_async(ListPlaces.Request()), "list")
    assert [(p.name, p.x, p.y) for p in listed.places] == [("printer", 1.0, 2.0)]


# --- /tf and /tf_static -------------------------------------------------------------------

def transform(parent: str, child: str, x: float) -> TransformStamped:
    t = TransformStamped()
    t.header.frame_id, t.child_frame_id = parent, child
    t.transform.translation.x = x
    t.transform.rotation.w = 1.0
    return t


def test_tf_and_a_late_joiner_on_tf_static(graph: Graph) -> None:
    # /tf_static first, before anyone listens: transient local keeps it for a late joiner.
    static_pub = graph.server.create_publisher(TFMessage, "/tf_static", qos.STATE)
    static_pub.publish(TFMessage(transforms=[transform("base_link", "laser", 0.1)]))
    static: list[TFMessage] = []
    dynamic: list[TFMessage] = []
    graph.client.create_subscription(TFMessage, "/tf_static", static.append, qos.STATE)
    graph.client.create_subscription(TFMessage, "/tf", dynamic.append, qos.RELIABLE)
    tf_pub = graph.server.create_publisher(TFMessage, "/tf", qos.RELIABLE)
    wait_for(lambda: tf_pub.get_subscription_count() == 1, "the /tf subscriber")
    tf_pub.publish(TFMessage(transforms=[transform("odom", "base_link", 2.5)]))
    wait_for(lambda: bool(static) and bool(dynamic), "/tf and /tf_static")
    assert static[0].transforms[0].child_frame_id == "laser"
    assert dynamic[0].transforms[0].transform.translation.x == 2.5


def test_the_ament_index_finds_the_interface_packages() -> None:
    share = Path(get_package_share_directory("robot_brain_interfaces"))
    assert (share / "action" / "Instruct.action").is_file()
    assert (share / "package.xml").is_file()


def test_tf_message_has_the_distributions_type_hash() -> None:
    share = get_package_share_directory("tf2_msgs")
    with open(f"{share}/msg/TFMessage.json", encoding="utf-8") as f:
        hashes = {h["type_name"]: h["hash_string"] for h in json.load(f)["type_hashes"]}
    assert hashes["tf2_msgs/msg/TFMessage"] == TF_MESSAGE_HASH


# --- nav2_msgs (test-only package where Nav2 is absent) -----------------------------------

#: Nav2's NavigateToPose (Jazzy and Kilted): what a fake Nav2 server in the tests must speak.
NAV2_GOAL = {"pose": "geometry_msgs/PoseStamped", "behavior_tree": "string"}
NAV2_RESULT = {"error_code": "uint16", "error_msg": "string"}
NAV2_FEEDBACK = {"current_pose": "geometry_msgs/PoseStamped",
                 "navigation_time": "builtin_interfaces/Duration",
                 "estimated_time_remaining": "builtin_interfaces/Duration",
                 "number_of_recoveries": "int16", "distance_remaining": "float"}


def test_navigate_to_pose_is_navs_and_runs_a_goal(graph: Graph) -> None:
    ensure_nav2_msgs()
    from nav2_msgs.action import NavigateToPose

    assert NavigateToPose.Goal.get_fields_and_field_types() == NAV2_GOAL
    assert NavigateToPose.Result.get_fields_and_field_types() == NAV2_RESULT
    assert NavigateToPose.Feedback.get_fields_and_field_types() == NAV2_FEEDBACK
    assert NavigateToPose.Result.NONE == 0

    def execute(handle: Any) -> Any:
        feedback = NavigateToPose.Feedback(distance_remaining=1.25)
        feedback.current_pose.header.frame_id = "map"
        handle.publish_feedback(feedback)
        time.sleep(0.2)  # feedback and result travel apart: let the feedback go first
        handle.abort()
        return NavigateToPose.Result(error_code=9002, error_msg="no transform map -> odom")

    ActionServer(graph.server, NavigateToPose, "navigate_to_pose", execute,
                 callback_group=graph.group)
    client = ActionClient(graph.client, NavigateToPose, "navigate_to_pose",
                          callback_group=graph.group)
    assert client.wait_for_server(timeout_sec=WAIT_S)
    goal = NavigateToPose.Goal()
    goal.pose.header.frame_id = "map"
    goal.pose.pose.position.x = 3.0
    feedback: list[Any] = []
    handle = result_of(client.send_goal_async(goal, feedback_callback=feedback.append),
                       "the goal response")
    assert handle.accepted
    response = result_of(handle.get_result_async(), "the result")
    assert response.status == 6  # action_msgs/GoalStatus.STATUS_ABORTED
    assert (response.result.error_code, response.result.error_msg) == \
        (9002, "no transform map -> odom")
    wait_for(lambda: bool(feedback), "feedback")
    assert feedback[0].feedback.distance_remaining == pytest.approx(1.25)


def test_a_node_process_finds_every_generated_type_support() -> None:
    """A node process (started as the brain starts its nodes) loads the type support of each
    generated package: the venv's through the library path the wheels set at start-up, the
    test prefix's through the environment ensure_nav2_msgs left."""
    ensure_nav2_msgs()
    code = ("import rclpy\n"
            "from rclpy.action import ActionClient\n"
            "from nav2_msgs.action import NavigateToPose\n"
            "from robot_brain_interfaces.action import Instruct\n"
            "from robot_brain_interfaces.msg import PlannerStatus\n"
            "from tf2_msgs.msg import TFMessage\n"
            "rclpy.init()\n"
            "node = rclpy.create_node('iface_child')\n"
            # Creating the entities loads each package's type support libraries.
            "ActionClient(node, NavigateToPose, 'navigate_to_pose')\n"
            "ActionClient(node, Instruct, 'brain/instruct')\n"
            "node.create_publisher(PlannerStatus, 'planner/status_typed', 1)\n"
            "node.create_publisher(TFMessage, '/tf', 1)\n"
            "node.destroy_node()\n"
            "rclpy.shutdown()\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], env=ros_environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
