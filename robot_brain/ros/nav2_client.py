"""The planner's NavigateToPose client: robot_brain.core.planner.nav2_motion over rclpy.

Nothing here waits: goals, cancels and result requests are sent asynchronously, and their
answers arrive as future callbacks on the planner's executor thread, where they are handed to
the core state machine. The node calls `before_tick` (the core's verdict to the executive),
then the session's tick, then `tick` with the target the executive hands out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from rclpy.action import ActionClient
from rclpy.node import Node
from rclpy.task import Future

from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import quaternion_from_yaw
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.planner.executive import Executive, Goal
from robot_brain.core.planner.nav2_motion import (
    CancelGoal,
    Command,
    MotionConfig,
    Nav2Motion,
    Phase,
    SendGoal,
)

#: action_msgs/msg/GoalStatus terminal codes.
_STATUS = {4: "succeeded", 5: "canceled", 6: "aborted"}


class Nav2UnavailableError(StartupError):
    """motion nav2 without nav2_msgs: the message says what to install."""


def _seconds(duration: Any) -> float:
    return float(duration.sec) + float(duration.nanosec) * 1e-9


class Nav2Client:
    def __init__(self, node: Node, config: MotionConfig, clock: Callable[[], float]) -> None:
        try:
            from nav2_msgs.action import NavigateToPose  # type: ignore[import-not-found]
        except ImportError as exc:
            raise Nav2UnavailableError(
                "planner parameter motion is 'nav2' but nav2_msgs is not installed "
                "(apt-get install ros-$ROS_DISTRO-nav2-msgs, or motion: brain)") from exc
        self._type = NavigateToPose
        self.node = node
        self.config = config
        self.core = Nav2Motion(config)
        self._clock = clock
        self._client = ActionClient(node, NavigateToPose, config.nav2_action)
        self._handles: dict[int, Any] = {}  # token -> ClientGoalHandle, while active

    # -- the node's tick -------------------------------------------------------------------

    def before_tick(self, executive: Executive) -> None:
        """Hand Nav2's word on the current step to the executive (it acts at its tick)."""
        verdict = self.core.take_verdict()
        if verdict == "":
            executive.motion_done()
        elif verdict is not None:
            executive.motion_failed(verdict)

    def tick(self, now: float, want: Goal | None) -> None:
        # Asking the graph costs a little: only while a goal waits for the server.
        waiting = want is not None and (want != self.core.target
                                        or self.core.phase is Phase.WAITING)
        self._run(self.core.tick(now, want, waiting and self._client.server_is_ready()))

    def stop(self) -> None:
        """Cancel the current goal now (a client cancelled its Instruct goal)."""
        self._run(self.core.stop())

    def note(self, now: float) -> str:
        return self.core.note(now)

    def health(self) -> HealthReport:
        """The motion layer's report, and a WARN when Nav2's velocity output does not go
        through the watchdog: more than one publisher on cmd_vel (Nav2's not remapped, beside
        the watchdog's), or nothing on controller/cmd_vel while a goal runs. Graph queries,
        once a second with the diagnostics."""
        report = self.core.health()
        problems = []
        drivers = self.node.count_publishers("cmd_vel")
        if drivers > 1:
            problems.append(f"cmd_vel has {drivers} publishers: something beside the watchdog "
                            "drives the robot (remap Nav2's cmd_vel to controller/cmd_vel)")
        if self.core.phase is Phase.ACTIVE and self.node.count_publishers(
                "controller/cmd_vel") == 0:
            problems.append("nothing publishes controller/cmd_vel while Nav2 has a goal (is "
                            "Nav2's cmd_vel remapped to it?)")
        if not problems:
            return report
        return HealthReport(report.name, max(report.level, Level.WARN), "; ".join(problems),
                            {**report.values, "cmd_vel_publishers": drivers})

    def destroy(self) -> None:
        self._client.destroy()

    # -- commands and answers --------------------------------------------------------------

    def _run(self, commands: list[Command]) -> None:
        for command in commands:
            if isinstance(command, SendGoal):
                self._send(command)
            elif isinstance(command, CancelGoal):
                handle = self._handles.pop(command.token, None)
                if handle is not None:
                    handle.cancel_goal_async()

    def _send(self, command: SendGoal) -> None:
        goal = self._type.Goal()
        pose = goal.pose
        pose.header.frame_id = self.config.nav2_frame
        pose.header.stamp = self.node.get_clock().now().to_msg()
        pose.pose.position.x = float(command.goal.x)
        pose.pose.position.y = float(command.goal.y)
        qx, qy, qz, qw = quaternion_from_yaw(command.goal.yaw if command.goal.yaw is not None
                                             else 0.0)
        o = pose.pose.orientation
        o.x, o.y, o.z, o.w = qx, qy, qz, qw
        future = self._client.send_goal_async(
            goal, feedback_callback=partial(self._on_feedback, command.token))
        future.add_done_callback(partial(self._on_response, command.token))
        self.node.get_logger().info(
            f"NavigateToPose goal {command.token}: ({command.goal.x:.2f}, {command.goal.y:.2f}) "
            f"in {self.config.nav2_frame}")

    def _on_response(self, token: int, future: Future[Any]) -> None:
        handle = future.result() if future.exception() is None else None
        accepted = handle is not None and bool(handle.accepted)
        if accepted:
            self._handles[token] = handle
            handle.get_result_async().add_done_callback(partial(self._on_result, token))
        self._run(self.core.on_response(token, accepted, self._clock()))

    def _on_feedback(self, token: int, message: Any) -> None:
        fb = message.feedback
        self.core.on_feedback(token, float(fb.distance_remaining),
                              _seconds(fb.estimated_time_remaining),
                              int(fb.number_of_recoveries), self._clock())

    def _on_result(self, token: int, future: Future[Any]) -> None:
        self._handles.pop(token, None)
        response = future.result() if future.exception() is None else None
        if response is None:
            self.core.on_result(token, "aborted", 9000, "no result from Nav2")
            return
        status = _STATUS.get(int(response.status), "aborted")
        result = response.result
        self.core.on_result(token, status, int(result.error_code), str(result.error_msg))
        if status != "succeeded":
            self.node.get_logger().warning(
                f"NavigateToPose goal {token} {status}: error_code {result.error_code} "
                f"{result.error_msg!r}")

    @property
    def remaining(self) -> tuple[float | None, float | None]:
        """Nav2's distance (m) and time (s) to the current goal, when it said."""
        core = self.core
        eta = core.eta_s if core.eta_s is not None and math.isfinite(core.eta_s) else None
        return core.remaining_m, eta
