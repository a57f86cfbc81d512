"""Nav2 as the motion layer: each navigate_to/dock step becomes one NavigateToPose goal.

With `motion: nav2` the brain's controller does not run. The planner's executive still decides
which step runs (core/planner/executive.py, `external_motion`); this state machine turns the
step's target into NavigateToPose goals and Nav2's answers into the step's end, without ROS:
the node (robot_brain.ros.nav2_client) carries out its commands and reports what Nav2 said.

* A target to reach and no goal for it: send one (frame `nav2_frame`, map), once the
  navigate_to_pose server is there; no server for `nav2_server_wait_s` fails the step.
* The target changes or goes (stop, wait, a cancel, a new plan): the goal is cancelled; a goal
  whose acceptance arrives after it was given up is cancelled then.
* Nav2 succeeded: the step is done. Aborted (its error_code and error_msg), rejected,
  cancelled by someone else, or no goal response within `nav2_response_timeout_s`: the step
  fails with that reason. Accepted and then silent: the executive's step_timeout_s ends it.
* Feedback (distance and estimated time remaining) feeds the Instruct feedback.

A verdict is only ever about the goal of the current target; answers about goals given up are
counted and dropped.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from robot_brain.core.config.params import param
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.planner.executive import Goal

MOTION_CHOICES = ("brain", "nav2")

#: The watchdog's grades for Nav2's velocity output: Nav2's controller_server publishes at its
#: controller_frequency (20 Hz by default, 50 ms apart), against the brain controller's 100 Hz,
#: so the brain's 20 ms deadline would slow the robot down between healthy commands. Two of
#: Nav2's periods to the first bounded slow-down, six to the latch: inside the 100-300 ms loop
#: budget (docs/nav2.md; a faster controller_frequency may keep the brain's own values).
NAV2_WATCHDOG = {"deadline_s": 0.1, "latch_s": 0.3}


def motion_layout(motion: str) -> tuple[frozenset[str], dict[str, dict[str, object]]]:
    """For a motion layer: the brain nodes not started, and parameter overrides per node. The
    one rule `robot-brain demo` and brain.launch.py share (with nav2 the controller is Nav2's;
    its cmd_vel is remapped to controller/cmd_vel, the watchdog's input)."""
    if motion not in MOTION_CHOICES:
        raise ValueError(f"motion '{motion}' is not one of {list(MOTION_CHOICES)}")
    if motion == "brain":
        return frozenset(), {}
    return frozenset({"controller"}), {"planner": {"motion": "nav2"},
                                       "watchdog": dict(NAV2_WATCHDOG)}


#: nav2_msgs/action/NavigateToPose result error codes (Jazzy, Kilted), for messages.
NAV2_ERROR_NAMES = {0: "NONE", 9000: "UNKNOWN", 9001: "FAILED_TO_LOAD_BEHAVIOR_TREE",
                    9002: "TF_ERROR", 9003: "TIMEOUT"}


@dataclass(frozen=True)
class MotionConfig:
    """Which layer drives navigate_to/dock steps (planner parameters)."""

    motion: str = param(
        "brain", "Motion layer of navigate_to/dock steps: 'brain' (planner/goal waypoints to "
        "the brain's controller) or 'nav2' (one NavigateToPose goal per step; start the brain "
        "without its controller and remap Nav2's cmd_vel to controller/cmd_vel, "
        "docs/nav2.md).", choices=MOTION_CHOICES)
    nav2_action: str = param("navigate_to_pose", "Nav2's NavigateToPose action (motion nav2).")
    nav2_frame: str = param("map", "Frame of the NavigateToPose goals: the world's (places "
                            "and coordinates are in it).")
    nav2_server_wait_s: float = param(
        5.0, "A step fails when no NavigateToPose server is there for this long.", unit="s",
        min=0.1, max=600.0)
    nav2_response_timeout_s: float = param(
        5.0, "A step fails when Nav2 neither accepts nor rejects its goal within this.",
        unit="s", min=0.1, max=600.0)

    @property
    def nav2(self) -> bool:
        return self.motion == "nav2"


class Phase(enum.Enum):
    IDLE = "idle"              # no goal
    WAITING = "waiting"        # a target, no server yet
    REQUESTED = "requested"    # goal sent, no response yet
    ACTIVE = "active"          # accepted, running


@dataclass(frozen=True)
class SendGoal:
    token: int
    goal: Goal


@dataclass(frozen=True)
class CancelGoal:
    token: int


Command = SendGoal | CancelGoal


@dataclass
class Nav2Counters:
    sent: int = 0
    succeeded: int = 0
    failed: int = 0   # aborted by Nav2
    rejected: int = 0
    cancelled: int = 0  # by the brain
    cancelled_by_nav2: int = 0
    no_server: int = 0
    no_response: int = 0
    stale_answers: int = 0  # about goals already given up


@dataclass
class Nav2Motion:
    config: MotionConfig
    counters: Nav2Counters = field(default_factory=Nav2Counters)
    phase: Phase = Phase.IDLE
    target: Goal | None = None
    token: int = 0  # the current goal's (0 = none)
    since: float = 0.0  # the phase's start
    remaining_m: float | None = None
    eta_s: float | None = None
    recoveries: int = 0
    last_feedback_at: float | None = None
    _next_token: int = 0
    _given_up: set[int] = field(default_factory=set)  # sent, then cancelled before accepted
    _verdict: str | None = None  # '' = reached, text = why it failed; None = nothing new
    _last_problem: str = ""

    # -- the node's tick -------------------------------------------------------------------

    def tick(self, now: float, want: Goal | None, server_ready: bool) -> list[Command]:
        """What to do for the target the executive hands out now (None = hold)."""
        out: list[Command] = []
        if want != self.target:
            out += self._give_up()
            self.target = want
            self.phase, self.since = (Phase.IDLE if want is None else Phase.WAITING), now
        if self.target is None:
            return out
        if self.phase is Phase.WAITING:
            if server_ready:
                self._next_token += 1
                self.token = self._next_token
                self.phase, self.since = Phase.REQUESTED, now
                self.counters.sent += 1
                out.append(SendGoal(self.token, self.target))
            elif now - self.since >= self.config.nav2_server_wait_s:
                self.counters.no_server += 1
                self._fail(f"no NavigateToPose server on {self.config.nav2_action} for "
                           f"{now - self.since:.1f} s (is Nav2 running?)")
        elif self.phase is Phase.REQUESTED \
                and now - self.since >= self.config.nav2_response_timeout_s:
            self.counters.no_response += 1
            out.append(CancelGoal(self.token))
            self._given_up.add(self.token)
            self._fail(f"Nav2 did not answer the goal within {now - self.since:.1f} s")
        return out

    def stop(self) -> list[Command]:
        """Give up the current goal at once (a cancel must not wait for the tick)."""
        out = self._give_up()
        self.target = None
        self.phase = Phase.IDLE
        return out

    def take_verdict(self) -> str | None:
        """'' = the current target was reached, text = why it could not be; None = neither."""
        verdict, self._verdict = self._verdict, None
        return verdict

    # -- what Nav2 said --------------------------------------------------------------------

    def on_response(self, token: int, accepted: bool, now: float) -> list[Command]:
        if token in self._given_up:
            self._given_up.discard(token)
            return [CancelGoal(token)] if accepted else []
        if token != self.token or self.phase is not Phase.REQUESTED:
            self.counters.stale_answers += 1
            return []
        if not accepted:
            self.counters.rejected += 1
            self._fail("Nav2 rejected the NavigateToPose goal")
            return []
        self.phase, self.since = Phase.ACTIVE, now
        return []

    def on_feedback(self, token: int, distance_remaining_m: float, eta_s: float,
                    recoveries: int, now: float) -> None:
        if token != self.token or self.phase is not Phase.ACTIVE:
            return
        self.remaining_m = distance_remaining_m if math.isfinite(distance_remaining_m) \
            and distance_remaining_m >= 0.0 else None
        self.eta_s = eta_s if math.isfinite(eta_s) and eta_s >= 0.0 else None
        self.recoveries = recoveries
        self.last_feedback_at = now

    def on_result(self, token: int, status: str, error_code: int, error_msg: str) -> None:
        """`status`: succeeded | aborted | canceled (the action's terminal status)."""
        if token != self.token or self.phase not in (Phase.ACTIVE, Phase.REQUESTED):
            self.counters.stale_answers += 1
            return
        if status == "succeeded":
            self.counters.succeeded += 1
            self._verdict = ""
            self._reset(Phase.IDLE)
            self.target = None  # the next step's target gets a goal of its own, same or not
            return
        if status == "canceled":
            self.counters.cancelled_by_nav2 += 1
            self._fail("Nav2 cancelled the NavigateToPose goal")
            return
        self.counters.failed += 1
        name = NAV2_ERROR_NAMES.get(error_code, str(error_code))
        self._fail(f"Nav2 failed: error_code {error_code} ({name})"
                   + (f": {error_msg}" if error_msg else ""))

    # -- state -----------------------------------------------------------------------------

    def note(self, now: float) -> str:
        """One line on where the current goal is, for a timed-out step's message."""
        if self.phase is Phase.ACTIVE:
            if self.last_feedback_at is None:
                return f"Nav2 accepted the goal {now - self.since:.0f} s ago and sent nothing"
            return f"Nav2's last feedback {now - self.last_feedback_at:.0f} s ago"
        if self.phase is Phase.REQUESTED:
            return "Nav2 has not answered the goal"
        return self._last_problem

    def health(self) -> HealthReport:
        c = self.counters
        level = Level.WARN if self._last_problem else Level.OK
        return HealthReport("nav2", level, self._last_problem or f"goal {self.phase.value}", {
            "phase": self.phase.value, "goals_sent": c.sent, "succeeded": c.succeeded,
            "failed": c.failed, "rejected": c.rejected, "cancelled": c.cancelled,
            "cancelled_by_nav2": c.cancelled_by_nav2, "no_server": c.no_server,
            "no_response": c.no_response, "stale_answers": c.stale_answers,
            "distance_remaining_m": self.remaining_m if self.remaining_m is not None
            else math.nan, "recoveries": self.recoveries})

    def _give_up(self) -> list[Command]:
        out: list[Command] = []
        if self.phase is Phase.ACTIVE:
            out.append(CancelGoal(self.token))
            self.counters.cancelled += 1
        elif self.phase is Phase.REQUESTED:
            self._given_up.add(self.token)  # cancelled when (if) its acceptance arrives
            self.counters.cancelled += 1
        self._reset(Phase.IDLE)
        return out

    def _fail(self, reason: str) -> None:
        # The executive takes the verdict at the next tick and fails the step: its plan ends,
        # so no target follows (a target handed out again would be a new attempt).
        self._verdict = reason
        self._last_problem = reason
        self._reset(Phase.IDLE)
        self.target = None

    def _reset(self, phase: Phase) -> None:
        self.phase = phase
        self.token = 0
        self.remaining_m = self.eta_s = None
        self.last_feedback_at = None
        self.recoveries = 0
