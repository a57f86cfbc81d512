"""What the planner offers ROS users beyond its topics, in one place for the planner node.

* the Instruct action `brain/instruct` (robot_brain.ros.instruct_server);
* the typed `planner/plan_typed` and `planner/status_typed` (robot_brain.ros.planner_typed);
* with `motion: nav2`, the NavigateToPose client that drives motion steps
  (robot_brain.ros.nav2_client).

The node hands every instruction over through `hand_over` (the topic's and the goals', in
arrival order, into the same PlannerSession) and calls `before_tick` / `after_tick` round the
session's tick. The action and the typed topics need robot_brain_interfaces, Nav2 needs
nav2_msgs: without the first the planner runs with its JSON topics and brain/instruction only
(one line says so); without the second `motion: nav2` cannot start (a StartupError).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from rclpy.node import Node

from robot_brain.core.health import HealthReport
from robot_brain.core.planner.instruct_goals import InstructConfig, Progress
from robot_brain.core.planner.messages import TickOutput
from robot_brain.core.planner.nav2_motion import MotionConfig
from robot_brain.core.planner.session import PlannerSession

#: (instruction, Instruct goal key or None for brain/instruction), in arrival order.
Instruction = tuple[str, Hashable | None]


class PlannerFrontend:
    def __init__(self, node: Node, motion: MotionConfig, instruct: InstructConfig) -> None:
        """Before the session and its workers exist: a missing nav2_msgs stops the start here,
        with nothing running yet."""
        self.node = node
        self.motion = motion
        self.instruct_config = instruct
        self.nav2: Any = None
        if motion.nav2:
            from robot_brain.ros.nav2_client import Nav2Client
            self.nav2 = Nav2Client(node, motion, time.monotonic)
        self.instruct: Any = None
        self.typed: Any = None
        self.session: PlannerSession | None = None
        self._hold: Callable[[bool], None] = lambda _: None

    def attach(self, session: PlannerSession, enqueue: Callable[[Instruction], None],
               hold: Callable[[bool], None]) -> str:
        """Serve the action and the typed topics for `session`; `enqueue` queues an accepted
        goal's instruction for the node's tick, `hold` publishes planner/hold at once. Returns
        a clause for the node's start-up line."""
        self.session = session
        self._hold = hold
        try:
            from robot_brain.ros.instruct_server import InstructServer
            from robot_brain.ros.planner_typed import TypedPlannerTopics
        except ImportError as exc:
            self.node.get_logger().warning(
                f"robot_brain_interfaces is not installed ({exc}): no brain/instruct action, "
                "no typed planner topics; brain/instruction and the JSON topics work")
            return "no Instruct action"
        self.instruct = InstructServer(self.node, self.instruct_config,
                                       lambda text, key: enqueue((text, key)), self.stop_now)
        self.typed = TypedPlannerTopics(self.node)
        nav2 = f", Nav2 on {self.motion.nav2_action}" if self.nav2 is not None else ""
        return f"action brain/instruct{nav2}"

    # -- the node's tick -------------------------------------------------------------------

    def hand_over(self, instructions: Sequence[Instruction], now: float) -> None:
        """Every instruction into the session, in arrival order; goals cancelled before they
        got there are left out."""
        assert self.session is not None
        for text, key in instructions:
            if key is not None and not (self.instruct is not None
                                        and self.instruct.wants_session(key)):
                continue
            rid = self.session.on_instruction(text, now)
            if self.instruct is not None:
                self.instruct.bound(key, rid, text, now)
            self.node.get_logger().info(
                f"instruction {rid}{' (Instruct goal)' if key is not None else ''}: "
                f"{text[:80]!r}")

    def before_tick(self) -> None:
        if self.nav2 is not None and self.session is not None:
            self.nav2.before_tick(self.session.executive)

    def after_tick(self, out: TickOutput, now: float) -> None:
        # Progress as the tick left it, before Nav2 gives up a goal the tick dropped (a timed
        # out step's message then says what Nav2 had said).
        progress = self._progress(now) if self.instruct is not None else None
        if self.nav2 is not None:
            self.nav2.tick(now, out.goal)
        if self.instruct is not None and progress is not None:
            self.instruct.after_tick(out, progress, now)

    def published(self, out: TickOutput) -> None:
        """The tick's plan records and changed status, typed too."""
        if self.typed is None:
            return
        for record in out.plans:
            self.typed.plan(record)
        if out.status_changed:
            self.typed.status(out.status)

    def republish(self) -> None:
        if self.typed is not None:
            self.typed.republish()

    def stop_now(self, reason: str) -> None:
        """A running Instruct goal was cancelled: hold at once, cancel Nav2's goal, and drop the
        plan (the executive holds from the next tick; nothing waits)."""
        self._hold(True)
        if self.nav2 is not None:
            self.nav2.stop()
        if self.session is not None:
            self.session.cancel(reason)

    def health(self) -> list[HealthReport]:
        return [part.health() for part in (self.instruct, self.nav2) if part is not None]

    def shutdown(self) -> None:
        if self.instruct is not None:
            # Every goal still active gets its answer before the server goes.
            self.instruct.shutdown("the planner is shutting down")
        if self.nav2 is not None:
            self.nav2.stop()  # Nav2 does not go on to a target of a planner that is gone

    def _progress(self, now: float) -> Progress:
        assert self.session is not None
        remaining_m, eta_s = self.nav2.remaining if self.nav2 is not None else (None, None)
        return Progress(pose=self.session.pose,
                        route=self.session.executive.remaining_waypoints,
                        motion_remaining_m=remaining_m, motion_eta_s=eta_s,
                        held=self.instruct.held if self.instruct is not None else "",
                        motion_note=self.nav2.note(now) if self.nav2 is not None else "")
