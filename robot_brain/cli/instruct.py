"""`robot-brain instruct "..."`: give the running brain an instruction and follow it to its end.

An Instruct action client (docs/interfaces.md): it sends the goal to `brain/instruct`, prints
one line per change of the goal's feedback (state, step, distance and time remaining) and one
line with the result, and exits 0 only when the plan is DONE. Ctrl-C cancels the goal (the
planner holds the robot) and ends with one line. Exit codes (EXIT_*): 0 done; 1 the plan
failed or timed out (or the result never came); 3 refused at once or no valid plan (REJECTED,
the plan gate held it); 4 replaced by a newer instruction (PREEMPTED); 5 no Instruct server;
130 interrupted (the goal was cancelled); 2 bad usage (argparse).
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, TextIO

from robot_brain.core.planner.instruct_admission import admit, check_text
from robot_brain.core.planner.instruct_goals import GoalState, InstructConfig, Outcome

EXIT_DONE = 0
EXIT_FAILED = 1
EXIT_REFUSED = 3
EXIT_PREEMPTED = 4
EXIT_NO_SERVER = 5
EXIT_INTERRUPTED = 130

#: Exit code of each result outcome.
OUTCOME_EXIT = {Outcome.DONE: EXIT_DONE, Outcome.REJECTED: EXIT_REFUSED,
                Outcome.PREEMPTED: EXIT_PREEMPTED, Outcome.CANCELLED: EXIT_INTERRUPTED,
                Outcome.FAILED: EXIT_FAILED, Outcome.TIMED_OUT: EXIT_FAILED,
                Outcome.UNKNOWN: EXIT_FAILED}
#: A feedback line is printed when its text changes, and at least this often while it runs.
REPEAT_S = 5.0
#: After Ctrl-C, how long the cancelled goal's result is awaited.
CANCEL_WAIT_S = 5.0
#: A refused goal: how long to wait for the latched estop and mode that explain it, and how
#: long discovery may take before "no publisher" counts.
LATCHED_WAIT_S = 3.0
DISCOVERY_SETTLE_S = 0.3
PROG = "robot-brain instruct"


@dataclass(frozen=True)
class InstructOptions:
    instruction: str
    sender: str
    action: str = "brain/instruct"
    server_timeout_s: float = 10.0
    result_timeout_s: float = 0.0  # 0 = wait for the result as long as the goal runs
    quiet: bool = False


def default_sender() -> str:
    try:
        user = os.getlogin()
    except OSError:
        user = os.environ.get("USER", "")
    return f"{PROG}@{user}" if user else PROG


def _number(value: float, unit: str, fmt: str = ".1f") -> str:
    return f"{value:{fmt}} {unit}" if math.isfinite(value) else f"? {unit}"


def feedback_line(fb: Any) -> str:
    """One line for an Instruct.Feedback (read by attribute):
    `executing step 1/2 navigate_to kitchen, 3.2 m / 8 s to go [vertical/vertical]: ...`."""
    line = GoalState(int(fb.state)).name.lower()
    steps = list(fb.steps)
    if 0 <= int(fb.step_index) < len(steps):
        step = steps[int(fb.step_index)]
        what = step.place or step.text or (f"{step.seconds:g} s" if math.isfinite(step.seconds)
                                           else "")
        line += f" step {int(fb.step_index) + 1}/{len(steps)} {step.skill}" + (
            f" {what}" if what else "")
    if math.isfinite(fb.distance_remaining_m) or math.isfinite(fb.time_remaining_s):
        line += (f", {_number(fb.distance_remaining_m, 'm')} / "
                 f"{_number(fb.time_remaining_s, 's', '.0f')} to go")
    who = "/".join(x for x in (fb.tier, fb.backend) if x)
    if who:
        line += f" [{who}]"
    return f"{line}: {fb.message}" if fb.message else line


def result_line(result: Any) -> str:
    outcome = Outcome(int(result.outcome))
    walked = (f" ({result.distance_m:.1f} m walked in {result.elapsed_s:.1f} s)"
              if math.isfinite(result.distance_m) else "")
    return f"{outcome.name}: {result.message}{walked}"


def refusal_reason(text: str, estop: bool | None, mode: str | None) -> str:
    """Why the planner refused a goal at once, by its own rules (a goal response carries no
    text); estop and power mode as read from their latched topics, when they could be."""
    verdict = admit(text, InstructConfig().max_instruction_bytes, bool(estop), mode)
    if not verdict.accepted:
        return verdict.reason
    return ("the planner refused it (see its log and the planner: instruct status on "
            "/diagnostics)")


def run_instruct(opts: InstructOptions, out: TextIO = sys.stdout) -> int:
    local = check_text(opts.instruction, 1 << 30)
    if not local.accepted and local.refusal is not None and local.refusal.value != "oversized":
        print(f"{PROG}: REFUSED: {local.reason} (not sent)", file=sys.stderr, flush=True)
        return EXIT_REFUSED
    # A short-lived participant over UDP only, as the brain's own processes (a shared-memory
    # port opened towards a new participant can stall the brain's publishers: ros/dds_...).
    from robot_brain.ros.dds_environment import brain_dds_settings
    os.environ.update(brain_dds_settings(os.environ))
    try:
        import rclpy
        from rclpy.signals import SignalHandlerOptions
        from robot_brain_interfaces.action import Instruct  # noqa: F401
    except ImportError as exc:
        print(f"{PROG}: not available ({exc}); robot_brain_interfaces is built by "
              "scripts/setup.sh", file=sys.stderr, flush=True)
        return EXIT_FAILED
    rclpy.init(args=[], signal_handler_options=SignalHandlerOptions.NO)
    # Ctrl-C and SIGTERM raise KeyboardInterrupt here (installed explicitly: a process started
    # in the background inherits SIGINT ignored); rclpy's handler would shut the context down
    # under the spin thread instead of letting the goal be cancelled.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _Session(opts, out).run()
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted before a goal was sent", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        rclpy.try_shutdown()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class _Session:
    def __init__(self, opts: InstructOptions, out: TextIO) -> None:
        import rclpy
        from rclpy.action import ActionClient
        from robot_brain_interfaces.action import Instruct
        from std_msgs.msg import Bool, String

        from robot_brain.ros import qos
        from robot_brain.ros.spinner import BackgroundSpinner

        self.opts = opts
        self.out = out
        self.node = rclpy.create_node(f"robot_brain_instruct_{os.getpid()}")
        self.Instruct = Instruct
        self.client = ActionClient(self.node, Instruct, opts.action)
        self.estop: bool | None = None
        self.mode: str | None = None
        self.node.create_subscription(Bool, "watchdog/estop", self._on_estop, qos.STATE)
        self.node.create_subscription(String, "power/mode", self._on_mode, qos.STATE)
        self._lock = threading.Lock()
        self._last_key: tuple[int, int, str] | None = None
        self._last_at = -math.inf
        self._accepted = False  # feedback is printed after the "goal accepted" line
        self.spinner = BackgroundSpinner(self.node)

    def _on_estop(self, msg: Any) -> None:
        self.estop = bool(msg.data)

    def _on_mode(self, msg: Any) -> None:
        self.mode = str(msg.data)

    def _await_latched(self) -> None:
        """Until the latched estop and power mode have arrived, each that has a publisher, or
        LATCHED_WAIT_S: they come with discovery, which can trail the action server's on a
        loaded machine, and a refusal explained without them names no reason."""
        start = time.monotonic()
        while time.monotonic() - start < LATCHED_WAIT_S:
            unheard = [topic for value, topic in ((self.estop, "watchdog/estop"),
                                                  (self.mode, "power/mode")) if value is None]
            if not unheard:
                return
            if (time.monotonic() - start >= DISCOVERY_SETTLE_S
                    and not any(self.node.count_publishers(t) for t in unheard)):
                return  # nobody publishes them (a brain without watchdog or power monitor)
            time.sleep(0.02)

    def _say(self, line: str) -> None:
        print(f"{PROG}: {line}", file=self.out, flush=True)

    def _on_feedback(self, message: Any) -> None:
        if self.opts.quiet or not self._accepted:
            return
        fb = message.feedback
        now = time.monotonic()
        # Distances change with every message: a line when the rest changes, else now and then.
        key = (int(fb.state), int(fb.step_index), str(fb.message))
        with self._lock:
            if key == self._last_key and now - self._last_at < REPEAT_S:
                return
            self._last_key, self._last_at = key, now
        self._say(f"[{fb.elapsed_s:5.1f} s] {feedback_line(fb)}")

    def run(self) -> int:
        try:
            return self._run()
        finally:
            self.spinner.stop()

    def _run(self) -> int:
        opts = self.opts
        if not self.client.wait_for_server(timeout_sec=opts.server_timeout_s):
            print(f"{PROG}: no Instruct server on {self.node.resolve_topic_name(opts.action)} "
                  f"after {opts.server_timeout_s:g} s: is the brain running? (robot-brain demo, "
                  "or ros2 launch robot_brain brain.launch.py)", file=sys.stderr, flush=True)
            return EXIT_NO_SERVER
        goal = self.Instruct.Goal(instruction=opts.instruction, sender=opts.sender)
        response = self.client.send_goal_async(goal, feedback_callback=self._on_feedback)
        handle = None
        try:
            handle = _wait(response, opts.server_timeout_s)
            if handle is None:
                print(f"{PROG}: the planner did not answer the goal within "
                      f"{opts.server_timeout_s:g} s", file=sys.stderr, flush=True)
                return EXIT_FAILED
            if not handle.accepted:
                self._await_latched()
                print(f"{PROG}: REFUSED: {refusal_reason(opts.instruction, self.estop, self.mode)}",
                      file=sys.stderr, flush=True)
                return EXIT_REFUSED
            self._say(f"goal accepted: {opts.instruction[:80]!r}")
            self._accepted = True
            limit = opts.result_timeout_s or None
            result = _wait(handle.get_result_async(), limit)
        except KeyboardInterrupt:
            return self._cancel(handle)
        if result is None:
            print(f"{PROG}: no result within {opts.result_timeout_s:g} s; the goal goes on "
                  "(cancel it with Ctrl-C next time)", file=sys.stderr, flush=True)
            return EXIT_FAILED
        outcome = Outcome(int(result.result.outcome))
        line = result_line(result.result)
        print(f"{PROG}: {line}", file=self.out if outcome is Outcome.DONE else sys.stderr,
              flush=True)
        return OUTCOME_EXIT[outcome]

    def _cancel(self, handle: Any) -> int:
        if handle is None or not handle.accepted:
            print(f"\n{PROG}: interrupted before the goal was accepted", file=sys.stderr,
                  flush=True)
            return EXIT_INTERRUPTED
        try:
            handle.cancel_goal_async()
            result = _wait(handle.get_result_async(), CANCEL_WAIT_S)
        except KeyboardInterrupt:
            result = None
        if result is None:
            print(f"\n{PROG}: interrupted; cancel sent, no answer within {CANCEL_WAIT_S:g} s",
                  file=sys.stderr, flush=True)
        else:
            print(f"\n{PROG}: interrupted: {result_line(result.result)}", file=sys.stderr,
                  flush=True)
        return EXIT_INTERRUPTED


def _wait(future: Any, timeout_s: float | None) -> Any:
    """The future's result, or None after `timeout_s` (None = no limit). Ctrl-C raises."""
    deadline = math.inf if timeout_s is None else time.monotonic() + timeout_s
    while not future.done():
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)
    return future.result()
