"""Nav2 as the motion layer (planner `motion: nav2`) against a fake NavigateToPose server.

The fake server lives in this test (nav2_msgs from the distribution, or the test-only package
test/ros/nav2_test_msgs.py builds). Success with feedback feeding the Instruct feedback, a
cancel (Instruct cancel and a "stop" on brain/instruction) cancelling Nav2's goal, a Nav2
failure failing the step with its error code and message, a server that accepts and never
answers (the step timeout ends it, with a reason), and no server at all.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import rclpy
from rclpy.action import ActionClient, ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from robot_brain_interfaces.action import Instruct
from std_msgs.msg import String

from robot_brain.ros import qos
from robot_brain.ros.spinner import destroy_node_fully
from test.ros.graph import Graph
from test.ros.nav2_test_msgs import ensure_nav2_msgs

pytestmark = pytest.mark.ros

START_TIMEOUT = 60.0
WAIT_S = 20.0
KITCHEN = '{"steps": [{"skill": "navigate_to", "place": "kitchen"}]}'
KITCHEN_XY = (3.0, 2.4)


class FakeNav2:
    """A navigate_to_pose server: `mode` succeed (feedback then success), abort (error 9002),
    silent (accepts, then neither feedback nor result until cancelled) or reject."""

    def __init__(self, mode: str, name: str = "navigate_to_pose") -> None:
        ensure_nav2_msgs()
        from nav2_msgs.action import NavigateToPose
        self.type = NavigateToPose
        self.mode = mode
        self.goals: list[Any] = []
        self.cancelled: list[float] = []  # monotonic times of cancel requests
        self._stopping = False
        self.node = rclpy.create_node("fake_nav2")
        group = ReentrantCallbackGroup()
        self.server = ActionServer(self.node, NavigateToPose, name, self._execute,
                                   goal_callback=self._goal, cancel_callback=self._cancel,
                                   callback_group=group)
        self.executor = MultiThreadedExecutor(num_threads=4)
        self.executor.add_node(self.node)
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()

    def _goal(self, goal: Any) -> GoalResponse:
        self.goals.append(goal)
        return GoalResponse.REJECT if self.mode == "reject" else GoalResponse.ACCEPT

    def _cancel(self, handle: Any) -> CancelResponse:
        self.cancelled.append(time.monotonic())
        return CancelResponse.ACCEPT

    def _execute(self, handle: Any) -> Any:
        T = self.type
        if self.mode == "abort":
            time.sleep(0.3)
            handle.abort()
            return T.Result(error_code=9002, error_msg="no transform map -> odom")
        if self.mode == "succeed":
            for remaining in (2.0, 1.5, 1.0, 0.5):
                fb = T.Feedback(distance_remaining=remaining, number_of_recoveries=0)
                fb.estimated_time_remaining.sec = int(remaining * 4)
                handle.publish_feedback(fb)
                time.sleep(0.4)
                if handle.is_cancel_requested:
                    handle.canceled()
                    return T.Result()
            handle.succeed()
            return T.Result(error_code=0)
        # silent: say nothing until cancelled (or the test ends)
        while not handle.is_cancel_requested and not self._stopping:
            time.sleep(0.05)
        if handle.is_cancel_requested:
            handle.canceled()
        else:
            handle.abort()
        return T.Result()

    def stop(self) -> None:
        self._stopping = True
        time.sleep(0.2)  # a silent goal's loop ends before the node goes
        self.executor.shutdown(timeout_sec=2.0)
        self.thread.join(timeout=10.0)
        destroy_node_fully(self.node)


@contextmanager
def fake_nav2(mode: str) -> Iterator[FakeNav2]:
    """Inside the Graph: the fake stops before the probe shuts the context down."""
    server = FakeNav2(mode)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def nav2_ready() -> Iterator[None]:
    ensure_nav2_msgs()  # before the planner process starts: it inherits the paths
    if not rclpy.ok():
        rclpy.init()
    yield


def planner(g: Graph, **params: Any) -> None:
    path = g.log_dir / "replies.json"
    path.write_text(json.dumps([KITCHEN]))
    base: dict[str, Any] = {"backend": "scripted", "vertical_tier": False,
                            "scripted_reply_file": str(path), "motion": "nav2",
                            "nav2_server_wait_s": 1.0}
    base.update(params)
    g.start("planner", name="planner", parameters=base)


def done(future: Any, what: str, timeout: float = WAIT_S) -> Any:
    t0 = time.monotonic()
    while not future.done():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)
    return future.result()


def instruct(g: Graph, text: str = "go to the kitchen",
             feedback: list[Any] | None = None) -> Any:
    assert g.probe is not None
    c = ActionClient(g.probe.node, Instruct, "brain/instruct")
    assert c.wait_for_server(timeout_sec=START_TIMEOUT)
    handle = done(c.send_goal_async(Instruct.Goal(instruction=text, sender="nav2 test"),
                                    feedback_callback=feedback.append if feedback is not None
                                    else None), "the goal response")
    assert handle.accepted
    return handle


def test_a_step_becomes_a_nav2_goal_its_feedback_feeds_instruct(tmp_path: Path,
                                                                 nav2_ready: None) -> None:
    with Graph(tmp_path) as g, fake_nav2("succeed") as nav2:
        planner(g)
        feedback: list[Any] = []
        handle = instruct(g, feedback=feedback)
        r = done(handle.get_result_async(), "the Instruct result").result
        assert r.outcome == Instruct.Result.DONE, r.message
        goal = nav2.goals[0]
        assert goal.pose.header.frame_id == "map"
        assert (goal.pose.pose.position.x, goal.pose.pose.position.y) == KITCHEN_XY
        from_nav2 = [f.feedback for f in feedback
                     if f.feedback.state == Instruct.Feedback.EXECUTING
                     and math.isfinite(f.feedback.distance_remaining_m)]
        assert from_nav2, "no executing feedback with Nav2's distance"
        distances = {round(f.distance_remaining_m, 2) for f in from_nav2}
        assert distances & {2.0, 1.5, 1.0, 0.5}
        assert any(f.time_remaining_s in (8.0, 6.0, 4.0, 2.0) for f in from_nav2)
        log = dict(g.logs())["planner"]
        assert "motion by Nav2" in log and "Traceback" not in log


def test_instruct_cancel_and_a_stop_cancel_nav2s_goal(tmp_path: Path, nav2_ready: None) -> None:
    with Graph(tmp_path) as g, fake_nav2("silent") as nav2:
        assert g.probe is not None
        planner(g)
        handle = instruct(g)
        g.probe.wait_for(lambda: bool(nav2.goals), WAIT_S, "Nav2's goal")
        time.sleep(0.5)
        t0 = time.monotonic()
        done(handle.cancel_goal_async(), "the Instruct cancel response")
        g.probe.wait_for(lambda: bool(nav2.cancelled), 10 * 0.2, "Nav2's cancel")
        print(f"Instruct cancel -> Nav2 cancel request {1e3 * (nav2.cancelled[0] - t0):.1f}"
              " ms")
        r = done(handle.get_result_async(), "the Instruct result").result
        assert r.outcome == Instruct.Result.CANCELLED
        # A "stop" on the topic: the plan ends, Nav2's goal is cancelled.
        instruct(g)
        g.probe.wait_for(lambda: len(nav2.goals) == 2, WAIT_S, "the second Nav2 goal")
        time.sleep(0.5)
        stop = g.probe.publisher(String, "brain/instruction", qos.RELIABLE)
        g.probe.wait_for(lambda: stop.get_subscription_count() >= 1, WAIT_S, "subscriber")
        stop.publish(String(data="stop"))
        g.probe.wait_for(lambda: len(nav2.cancelled) == 2, 10 * 0.2, "the second cancel")


def test_a_nav2_failure_fails_the_step_with_its_reason(tmp_path: Path, nav2_ready: None) -> None:
    with Graph(tmp_path) as g, fake_nav2("abort") as nav2:
        planner(g)
        r = done(instruct(g).get_result_async(), "the Instruct result").result
        assert r.outcome == Instruct.Result.FAILED
        assert "Nav2 failed: error_code 9002 (TF_ERROR): no transform map -> odom" \
            in r.message
        assert r.message.startswith("step 1 (navigate_to kitchen) failed")
        assert len(nav2.goals) == 1  # one attempt, never retried


def test_a_goal_nav2_rejects_fails_the_step(tmp_path: Path, nav2_ready: None) -> None:
    with Graph(tmp_path) as g, fake_nav2("reject") as nav2:
        planner(g)
        r = done(instruct(g).get_result_async(), "the Instruct result").result
        assert r.outcome == Instruct.Result.FAILED
        assert "Nav2 rejected the NavigateToPose goal" in r.message
        assert len(nav2.goals) == 1


def test_a_nav2_that_accepts_and_never_answers_times_out(tmp_path: Path,
                                                         nav2_ready: None) -> None:
    with Graph(tmp_path) as g, fake_nav2("silent") as nav2:
        assert g.probe is not None
        planner(g, step_timeout_s=3.0)
        t0 = time.monotonic()
        r = done(instruct(g).get_result_async(), "the Instruct result", 10 * 3.0).result
        print(f"silent Nav2: result after {time.monotonic() - t0:.2f} s (step timeout 3 s)")
        assert r.outcome == Instruct.Result.TIMED_OUT
        assert "timed out after" in r.message
        assert "Nav2 accepted the goal" in r.message and "sent nothing" in r.message
        g.probe.wait_for(lambda: bool(nav2.cancelled), WAIT_S, "the goal given up")


def test_no_nav2_server_fails_the_step_with_a_reason(tmp_path: Path, nav2_ready: None) -> None:
    with Graph(tmp_path) as g:
        planner(g, nav2_action="no_nav2_here")
        t0 = time.monotonic()
        r = done(instruct(g).get_result_async(), "the Instruct result").result
        print(f"no Nav2 server: FAILED after {time.monotonic() - t0:.2f} s (wait 1 s)")
        assert r.outcome == Instruct.Result.FAILED
        assert "no NavigateToPose server on no_nav2_here" in r.message
        assert "Traceback" not in dict(g.logs())["planner"]


def test_a_second_cmd_vel_publisher_is_reported(tmp_path: Path, nav2_ready: None) -> None:
    """Nav2's cmd_vel not remapped: two publishers drive the robot, the watchdog is bypassed."""
    from diagnostic_msgs.msg import DiagnosticArray
    from geometry_msgs.msg import TwistStamped

    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        probe.publisher(TwistStamped, "cmd_vel", qos.RELIABLE)  # the watchdog's
        probe.publisher(TwistStamped, "cmd_vel", qos.RELIABLE)  # an un-remapped Nav2's

        def nav2_status() -> Any:
            for r in reversed(probe.messages("/diagnostics")):
                for st in r.msg.status:
                    if st.name == "planner: nav2":
                        return st
            return None

        planner(g)
        probe.wait_for(lambda: nav2_status() is not None and "cmd_vel has 2 publishers"
                       in nav2_status().message, START_TIMEOUT, "the bypass reported")
        assert nav2_status().level == b"\x01"  # WARN
