"""The planner's `brain/instruct` action server (robot_brain_interfaces/action/Instruct).

A thin rclpy wrapper round robot_brain.core.planner.instruct_goals: the goal callback answers
at once (instruct_admission), an accepted goal's instruction is handed to the node's queue and
reaches the PlannerSession at the node's tick like an instruction from brain/instruction, and
the tick calls `after_tick`, which ends goals and publishes feedback.

Nothing here blocks the planner's executor. The execute callback is a coroutine that awaits an
rclpy Future which `after_tick` completes when the goal ends: the executor resumes it then and
it returns the result (rclpy's ActionServer runs an async execute callback as a task; the
planner's one thread never sleeps in it). Goal state changes (succeed, abort, canceled) are made
by the tick itself, so the status clients see changes when the outcome is decided.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from typing import Any

from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.action.server import ServerGoalHandle
from rclpy.node import Node
from rclpy.task import Future
from robot_brain_interfaces.action import Instruct
from robot_brain_interfaces.msg import Plan
from std_msgs.msg import Bool, String

from robot_brain.core.health import HealthReport
from robot_brain.core.planner.instruct_admission import admit
from robot_brain.core.planner.instruct_goals import (
    CancelVerdict,
    GoalResult,
    InstructConfig,
    InstructGoals,
    Outcome,
    Progress,
)
from robot_brain.core.planner.messages import TickOutput
from robot_brain.ros import qos
from robot_brain.ros.planner_interfaces import (
    MessageFieldError,
    plan_msg,
    plan_msg_from_json,
    step_msg,
)
from robot_brain.ros.throttled_log import ThrottledLog

ACTION_NAME = "brain/instruct"
#: A refusal of one kind is logged at most this often (all are counted).
REFUSAL_LOG_PERIOD_S = 1.0

#: Called with (instruction, goal key) to queue an accepted goal's instruction for the tick.
Enqueue = Callable[[str, Hashable], None]
#: Called with a reason to stop the robot now (a running goal was cancelled).
StopNow = Callable[[str], None]


def goal_key(handle: ServerGoalHandle[Any, Any, Any]) -> bytes:
    return bytes(handle.goal_id.uuid)


def empty_plan(request_id: int, instruction: str, reason: str) -> Plan:
    """The result's plan when none came for the goal: not accepted, no steps."""
    return Plan(request_id=request_id, instruction=instruction[:300], source="", backend="none",
                model="", locality="none", latency_s=math.nan, tokens=0,
                generation_time_s=math.nan, accepted=False, reason=reason, steps=[], raw="",
                route_reason="")


def record_plan(result: GoalResult) -> Plan:
    """The goal's plan record as a Plan message. A record whose JSON has keys the message
    lacks (a newer planner's) keeps the fields the message has; one that cannot be converted
    at all becomes a not-accepted plan with the reason, never an exception in the tick."""
    if result.record is None:
        return empty_plan(result.request_id, result.instruction, result.message)
    try:
        return plan_msg(result.record)
    except MessageFieldError:
        fields = Plan.get_fields_and_field_types()
        payload = {k: v for k, v in result.record.to_json().items() if k in fields}
        try:
            return plan_msg_from_json(payload)
        except (MessageFieldError, KeyError, TypeError, ValueError) as exc:
            return empty_plan(result.request_id, result.instruction,
                              f"{result.message} (plan not convertible: {exc})")


def result_msg(result: GoalResult) -> Instruct.Result:
    plan = record_plan(result)
    return Instruct.Result(outcome=int(result.outcome), message=result.message, plan=plan,
                           elapsed_s=float(result.elapsed_s),
                           distance_m=float(result.distance_m))


class _CountingActionServer(ActionServer):  # type: ignore[type-arg]
    """rclpy's ActionServer, also counting what it answers without calling back: cancel
    requests for goals it does not know (ERROR_UNKNOWN_GOAL_ID), and goals whose result nobody
    asked for before it expired (result_timeout after the goal ended: a client that vanished,
    or one that did not want it). Counting never changes what the server does."""

    def __init__(self, *args: Any, on_unknown_cancel: Callable[[], None],
                 on_unclaimed: Callable[[], None], **kwargs: Any) -> None:
        self._on_unknown_cancel = on_unknown_cancel
        self._on_unclaimed = on_unclaimed
        self._claimed: set[bytes] = set()
        super().__init__(*args, **kwargs)

    async def _execute_cancel_request(self, request_header_and_message: Any) -> None:
        try:
            request = request_header_and_message[1]
            uuid = bytes(request.goal_info.goal_id.uuid)
            stamp = request.goal_info.stamp
            cancel_all = not any(uuid) and stamp.sec == 0 and stamp.nanosec == 0
            if not cancel_all and uuid not in self._goal_handles:
                self._on_unknown_cancel()
        except (AttributeError, IndexError, TypeError):
            pass  # a changed rclpy: counting is not worth failing the cancel
        await super()._execute_cancel_request(request_header_and_message)

    async def _execute_get_result_request(self, request_header_and_message: Any) -> None:
        try:
            self._claimed.add(bytes(request_header_and_message[1].goal_id.uuid))
        except (AttributeError, IndexError, TypeError):
            pass
        await super()._execute_get_result_request(request_header_and_message)

    async def _execute_expire_goals(self, expired_goals: Any) -> None:
        for goal in expired_goals:
            uuid = bytes(goal.goal_id.uuid)
            if uuid in self._claimed:
                self._claimed.discard(uuid)
            else:
                self._on_unclaimed()
        await super()._execute_expire_goals(expired_goals)


def log_goal_end(logger: Any, result: GoalResult) -> None:
    """One line per ended goal: info when it was done, a warning otherwise. Two call sites on
    purpose: rclpy's logger raises ValueError when one call site logs at a severity other than
    its first call's (a planner that logged a DONE goal then crashed on the first FAILED one)."""
    text = f"Instruct goal {result.request_id or '(queued)'} {result.outcome.name}: " \
        f"{result.message}"
    if result.outcome is Outcome.DONE:
        logger.info(text)
    else:
        logger.warning(text)


class InstructServer:
    def __init__(self, node: Node, config: InstructConfig, enqueue: Enqueue,
                 stop_now: StopNow) -> None:
        self.node = node
        self.config = config
        self.goals = InstructGoals(config)
        self._enqueue = enqueue
        self._stop_now = stop_now
        self._log = ThrottledLog(node, REFUSAL_LOG_PERIOD_S)
        self._handles: dict[Hashable, ServerGoalHandle[Any, Any, Any]] = {}
        self._futures: dict[Hashable, Future[Instruct.Result]] = {}
        # What the admission reads, cached by these callbacks (latched state topics).
        self.estop_latched = False
        self.power_mode: str | None = None
        node.create_subscription(Bool, "watchdog/estop", self._on_estop, qos.STATE)
        node.create_subscription(String, "power/mode", self._on_mode, qos.STATE)
        self.server = _CountingActionServer(
            node, Instruct, ACTION_NAME, execute_callback=self._execute,
            goal_callback=self._decide, handle_accepted_callback=self._accepted,
            cancel_callback=self._cancel, on_unknown_cancel=self.goals.unknown_cancel,
            on_unclaimed=self.goals.unclaimed_result)

    # -- inputs ----------------------------------------------------------------------------

    def _on_estop(self, msg: Bool) -> None:
        self.estop_latched = bool(msg.data)

    def _on_mode(self, msg: String) -> None:
        self.power_mode = msg.data

    @property
    def held(self) -> str:
        """Why the robot is held outside any plan now ('' = it is not)."""
        return "estop latched (watchdog/estop)" if self.estop_latched else ""

    # -- the action's callbacks (executor thread; each bounded, none waits) ----------------

    def _decide(self, goal: Instruct.Goal) -> GoalResponse:
        verdict = admit(goal.instruction, self.config.max_instruction_bytes, self.estop_latched,
                        self.power_mode)
        if verdict.accepted:
            return GoalResponse.ACCEPT
        assert verdict.refusal is not None
        self.goals.refused(verdict.refusal)
        sender = f" from {goal.sender[:60]!r}" if goal.sender else ""
        # Once a second per reason at most: a client sending bad goals in a loop cannot flood
        # the log (all are counted on /diagnostics).
        self._log.warning(verdict.refusal.value,
                          f"Instruct goal{sender} refused: {verdict.reason}")
        return GoalResponse.REJECT

    def _accepted(self, handle: ServerGoalHandle[Any, Any, Any]) -> None:
        key = goal_key(handle)
        goal = handle.request
        self._handles[key] = handle
        self._futures[key] = Future()
        self.goals.accept(key, goal.instruction, goal.sender, self.node_now())
        self._enqueue(goal.instruction, key)
        handle.execute()  # EXECUTING now; the coroutine below waits for the outcome

    async def _execute(self, handle: ServerGoalHandle[Any, Any, Any]) -> Instruct.Result:
        future = self._futures.get(goal_key(handle))
        if future is None:  # never registered (cannot happen through _accepted)
            handle.abort()
            return Instruct.Result(outcome=int(Outcome.FAILED), message="unknown goal")
        result = await future
        assert result is not None
        return result

    def _cancel(self, handle: ServerGoalHandle[Any, Any, Any]) -> CancelResponse:
        verdict = self.goals.cancel(goal_key(handle), self.node_now())
        if verdict is CancelVerdict.UNKNOWN:
            return CancelResponse.REJECT  # it ended already; its result is on its way
        if verdict is CancelVerdict.RUNNING:
            # The stop must not wait for the tick (cancel -> first stopping command <= 100 ms).
            self._stop_now("goal cancelled by its client")
        return CancelResponse.ACCEPT

    # -- the node's tick -------------------------------------------------------------------

    @staticmethod
    def node_now() -> float:
        """The planner's clock for goals: steady, as its tick's."""
        return time.monotonic()

    def wants_session(self, key: Hashable) -> bool:
        return self.goals.wants_session(key)

    def bound(self, key: Hashable | None, request_id: int, instruction: str, now: float) -> None:
        self.goals.bound(key, request_id, instruction, now)

    def after_tick(self, out: TickOutput, progress: Progress, now: float) -> None:
        """Take the session's tick; end the goals it decided; feedback when due."""
        self.goals.update(out, progress, now)
        self.finish()
        for key, fb in self.goals.feedback(progress, now):
            handle = self._handles.get(key)
            if handle is None:
                continue
            handle.publish_feedback(Instruct.Feedback(
                state=int(fb.state), tier=fb.tier, backend=fb.backend,
                steps=[step_msg(s) for s in fb.steps], step_index=fb.step_index,
                distance_remaining_m=float(fb.distance_remaining_m),
                time_remaining_s=float(fb.time_remaining_s), elapsed_s=float(fb.elapsed_s),
                message=fb.message))

    def finish(self) -> None:
        """Give every ended goal its terminal state and its result."""
        for key, result in self.goals.take_results():
            handle = self._handles.pop(key, None)
            future = self._futures.pop(key, None)
            if handle is None or future is None:
                continue
            try:
                if result.outcome is Outcome.DONE:
                    handle.succeed()
                elif result.outcome is Outcome.CANCELLED and handle.is_cancel_requested:
                    handle.canceled()
                else:
                    handle.abort()
            except Exception as exc:  # noqa: BLE001 - rcl refuses a transition: still answer
                self.node.get_logger().warning(f"Instruct goal state not changed: {exc}")
            future.set_result(result_msg(result))
            log_goal_end(self.node.get_logger(), result)

    def health(self) -> HealthReport:
        return self.goals.health()

    def shutdown(self, reason: str) -> None:
        """Answer every active goal (FAILED, `reason`) before the node goes."""
        self.goals.end_all(reason, self.node_now())
        self.finish()

    def destroy(self) -> None:
        self.server.destroy()
