"""The deadline watchdog: what reaches `cmd_vel`, decided on an injected steady clock.

The watchdog sits between the controller and the robot. Fresh commands are forwarded on
receipt. A missed deadline is answered in grades (docs/design.md, timing rules):

1. no command within `deadline_s` (two control periods): the watchdog starts a bounded
   deceleration from the last forwarded command, at `decel_linear`/`decel_angular`;
2. a fresh command before `latch_s`: forwarded again at once, no holdoff, ramped back up to
   the command at the robot's acceleration limits from where the deceleration had got to;
3. silence past `latch_s` (a second, longer deadline inside the 100-300 ms loop budget):
   estop latched (ERROR), the deceleration goes on to zero, and the latch releases after
   `holdoff_s` of fresh commands or a reset while they are fresh.

While the last command was exactly zero (the robot held still) the controller sends its zero
only as a heartbeat (core.control.hold_beat), and both deadlines stretch to `hold_deadline_s`:
there is no motion to slow down, and a silence past it still latches. Every output is the same
as with a command every tick: a stop from a zero command is zero.

A walking humanoid stopped hard ten times a minute by jitter is jerky and can lose balance;
a short delivery hiccup now costs a brief, bounded slow-down instead. `latch_s` equal to
`deadline_s` is the single grade: latch at `deadline_s` (with `stop_mode` zero, an immediate
zero).
The operator's estop always wins. Freshness is the receipt time on the watchdog's own
monotonic clock, never a message stamp from another node.

`WatchdogCore` is a pure state machine: every input returns a `Decision`, and the caller
publishes exactly what the decision says (the core assumes it did, to ramp decelerations from
the last published value).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.geometry import ZERO_VELOCITY, Velocity
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.timing.holding import hold_deadline


class WatchdogConfigError(ConfigurationError):
    """A watchdog setting the state machine cannot work with; the message names it."""


class StopMode(str, enum.Enum):
    ZERO = "zero"              # publish zero at once
    DECELERATE = "decelerate"  # ramp down from the last published command at decel limits


class WatchdogState(enum.Enum):
    WAITING = "waiting"                # no command ever received: zeros at the check rate
    OK = "ok"                          # fresh commands forwarded on receipt
    DECELERATING = "decelerating"      # late beyond deadline_s: bounded slow-down, no latch
    STALE_STOPPED = "stale_stopped"    # deadline missed: stopping, estop latched
    HOLDOFF = "holdoff"                # fresh again, still stopping until holdoff_s passes
    OPERATOR_ESTOP = "operator_estop"  # the operator holds the robot, whatever else happens


class Action(enum.Enum):
    NONE = "none"        # publish nothing now
    FORWARD = "forward"  # publish the received command (carrying its stamp)
    STOP = "stop"        # publish `Decision.velocity`, a stop (zero or a ramp step)


@dataclass(frozen=True)
class WatchdogConfig:
    deadline_s: float = param(0.02, "No fresh controller/cmd_vel within this (watchdog's own "
                              "steady clock, on receipt) -> bounded deceleration from the last "
                              "forwarded command (two control periods).", unit="s",
                              min=0.001, max=10.0)
    #: The second, longer deadline: silence this long latches the estop; equal to deadline_s,
    #: one grade (every missed deadline latches).
    latch_s: float = param(0.15, "Silence this long latches watchdog/estop (ERROR); a fresh "
                           "command before it resumes without a holdoff. Equal to deadline_s = "
                           "latch at the first missed deadline.", unit="s", min=0.001, max=10.0)
    hold_deadline_s: float = param(0.25, "While the last command was exactly zero (the "
                                   "controller holds and sends its zero at "
                                   "controller.hold_publish_hz), silence this long latches "
                                   "instead: nothing moves, so there is nothing to slow down. "
                                   "Taken as deadline_s when shorter.", unit="s", min=0.001,
                                   max=10.0)
    holdoff_s: float = param(0.5, "Continuous fresh commands needed to release a stale estop.",
                             unit="s", min=0.0, max=60.0)
    stop_mode: StopMode = param(StopMode.ZERO, "How an operator estop (or a latch at deadline_s "
                                "when latch_s = deadline_s) stops: 'zero' at once, or "
                                "'decelerate' from the last forwarded command; a late command "
                                "always decelerates.")
    decel_linear: float = param(1.5, "Deceleration of a 'decelerate' stop.", unit="m/s^2",
                                min=0.01, max=20.0)
    decel_angular: float = param(6.0, "Yaw deceleration of a 'decelerate' stop.",
                                 unit="rad/s^2", min=0.01, max=100.0)
    #: The ramp back up after a graded slow-down follows the robot's acceleration limits.
    limits: RobotLimits = group(RobotLimits, shared=True)

    def __post_init__(self) -> None:
        for name in ("deadline_s", "decel_linear", "decel_angular", "accel_linear",
                     "accel_angular"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0.0:
                raise WatchdogConfigError(f"{name} must be positive and finite, got {value}")
        if not math.isfinite(self.holdoff_s) or self.holdoff_s < 0.0:
            raise WatchdogConfigError(f"holdoff_s must be >= 0 and finite, got {self.holdoff_s}")
        if not math.isfinite(self.hold_deadline_s) or self.hold_deadline_s <= 0.0:
            raise WatchdogConfigError(f"hold_deadline_s must be positive and finite, got "
                                      f"{self.hold_deadline_s}")
        if not (math.isfinite(self.latch_s) and self.latch_s >= self.deadline_s):
            raise WatchdogConfigError(f"latch_s must be finite and >= deadline_s "
                                      f"({self.deadline_s}), got {self.latch_s}")

    @property
    def accel_linear(self) -> float:
        return self.limits.max_linear_accel

    @property
    def accel_angular(self) -> float:
        return self.limits.max_angular_accel

    @property
    def latch_after_s(self) -> float:
        return self.latch_s

    @property
    def hold_after_s(self) -> float:
        """The deadline and latch after a zero command."""
        return hold_deadline(self.hold_deadline_s, self.deadline_s)

    @property
    def graded(self) -> bool:
        return self.latch_after_s > self.deadline_s


@dataclass(frozen=True)
class Decision:
    action: Action
    velocity: Velocity  # what to publish for FORWARD / STOP; zero for NONE
    estop: bool         # the value of watchdog/estop after this input
    state: WatchdogState
    level: Level
    warning: str | None = None


@dataclass(frozen=True)
class ResetResult:
    success: bool
    message: str


@dataclass(frozen=True)
class WatchdogCounters:
    deadline_misses: int        # latches (silence past latch_s; past deadline_s if one grade)
    estop_episodes: int
    nan_commands: int
    commands: int
    max_gap_s: float            # longest time between two received commands (nan: < 2 seen)
    last_reaction_s: float      # last command received -> stop decided (nan: never stopped)
    slowdowns: int = 0          # graded: deadline_s passed, decelerating without a latch
    resumed: int = 0            # graded: slow-downs ended by a fresh command before latch_s


def _sanitize(v: Velocity) -> tuple[Velocity, str | None]:
    if v.is_finite():
        return v, None
    return ZERO_VELOCITY, (f"non-finite command (linear={v.linear}, angular={v.angular}) "
                           "replaced by zero")


def _toward_zero(value: float, max_step: float) -> float:
    if abs(value) <= max_step:
        return 0.0
    return value - math.copysign(max_step, value)


def _ramp_toward(value: float, target: float, max_step: float) -> float:
    """Toward `target`, speeding up by at most `max_step`; slowing down (a smaller magnitude
    of the same sign, or zero) is taken at once, since it is never the unsafe direction."""
    if abs(target) <= abs(value) and target * value >= 0.0:
        return target
    if abs(target - value) <= max_step:
        return target
    return value + math.copysign(max_step, target - value)


class WatchdogCore:
    """Deadline watchdog state machine. All times are seconds on one monotonic clock."""

    def __init__(self, config: WatchdogConfig) -> None:
        self.config = config
        self._last_rx: float | None = None
        # The last command received was exactly zero: the deadlines are hold_deadline_s.
        self._holding = False
        self._stale_latched = False
        self._holdoff_since: float | None = None
        self._operator = False
        # The last value the caller published: decelerating stops ramp down from it.
        self._last_out = ZERO_VELOCITY
        self._last_out_t: float | None = None
        self._deadline_misses = 0
        self._estop_episodes = 0
        self._nan_commands = 0
        self._commands = 0
        self._max_gap_s = math.nan
        self._last_reaction_s = math.nan
        # Graded response: slowing down (deadline passed, no latch), or ramping back up.
        self._slowing = False
        self._recovering = False
        self._slowdowns = 0
        self._resumed = 0

    # -- derived state ---------------------------------------------------------------------

    @property
    def state(self) -> WatchdogState:
        if self._operator:
            return WatchdogState.OPERATOR_ESTOP
        if self._last_rx is None:
            return WatchdogState.WAITING
        if self._stale_latched:
            return (WatchdogState.STALE_STOPPED if self._holdoff_since is None
                    else WatchdogState.HOLDOFF)
        if self._slowing:
            return WatchdogState.DECELERATING
        return WatchdogState.OK

    @property
    def estop(self) -> bool:
        """watchdog/estop: true while anything holds the robot (stale latch or operator), so the
        controller holds zero too and ramps up from rest afterwards."""
        return self._stale_latched or self._operator

    @property
    def level(self) -> Level:
        state = self.state
        if state is WatchdogState.STALE_STOPPED:
            return Level.ERROR
        if state is WatchdogState.OK:
            return Level.OK
        return Level.WARN

    def counters(self) -> WatchdogCounters:
        return WatchdogCounters(self._deadline_misses, self._estop_episodes, self._nan_commands,
                                self._commands, self._max_gap_s, self._last_reaction_s,
                                self._slowdowns, self._resumed)

    def deadline(self) -> float:
        """The deadline of the last command: hold_deadline_s after a zero, else deadline_s."""
        return self.config.hold_after_s if self._holding else self.config.deadline_s

    def _latch_after(self) -> float:
        return max(self.config.latch_after_s, self.deadline())

    def _fresh(self, now: float) -> bool:
        return self._last_rx is not None and now - self._last_rx <= self.deadline()

    def _silent_past_latch(self, now: float) -> bool:
        return self._last_rx is not None and now - self._last_rx > self._latch_after()

    def next_check_at(self) -> float | None:
        """When a check can next change the output (the deadline of the last command), for a
        caller that arms its check instead of polling; None while it must keep checking (no
        command yet, slowing down, or stopped)."""
        if self._last_rx is None or self._slowing or self.estop:
            return None
        return self._last_rx + self.deadline()

    # -- inputs ----------------------------------------------------------------------------

    @property
    def last_receipt(self) -> float | None:
        """When the last command was received (None before the first)."""
        return self._last_rx

    def deadline_passed(self, now: float) -> bool:
        """Would a check at `now` start a slow-down or latch a stop? (Commands were flowing and
        the last one is older than the deadline.) Lets the caller first take what already
        arrived."""
        return self._last_rx is not None and not self._stale_latched and not self._fresh(now)

    def command_received(self, now: float, velocity: Velocity) -> Decision:
        """A controller command was received at `now`: forward it, or stop if something holds.

        `now` may be the middleware's receipt time, earlier than the handling time; it is
        never taken as earlier than the previous receipt (receipts are ordered).
        """
        if self._last_rx is not None:
            now = max(now, self._last_rx)
        command, warning = _sanitize(velocity)
        if warning is not None:
            self._nan_commands += 1
        if self._last_rx is not None:
            gap = now - self._last_rx
            if math.isnan(self._max_gap_s) or gap > self._max_gap_s:
                self._max_gap_s = gap
        # A command arriving after the deadline is first a miss (caught here if no check ran).
        self._update_staleness(now)
        if self._slowing and not self._stale_latched:
            self._resumed += 1  # back before latch_s: resume without a holdoff
            self._recovering = True
        self._slowing = False
        self._last_rx = now
        self._holding = command.is_zero()
        self._commands += 1
        if self._stale_latched and self._holdoff_since is None:
            self._holdoff_since = now
        self._update_holdoff(now)
        if self.estop:
            return self._stop(now, warning)
        if self._recovering:
            return self._publish(now, Action.FORWARD, self._ramp_up(now, command), warning)
        return self._publish(now, Action.FORWARD, command, warning)

    def _ramp_up(self, now: float, command: Velocity) -> Velocity:
        """After a slow-down, approach the command from the last output at the accel limits
        (the controller does not know its commands were slowed); done once it is reached."""
        if self._last_out_t is None or not command.is_finite():
            self._recovering = False
            return command
        dt = max(0.0, now - self._last_out_t)
        out = Velocity(
            _ramp_toward(self._last_out.linear, command.linear, self.config.accel_linear * dt),
            _ramp_toward(self._last_out.angular, command.angular,
                         self.config.accel_angular * dt))
        if out == command:
            self._recovering = False
        return out

    def operator_estop(self, now: float, active: bool) -> Decision:
        """The operator's estop input; while active nothing but a stop reaches cmd_vel."""
        was = self._operator
        self._operator = bool(active)
        if self._operator:
            if not was:
                self._estop_episodes += 1
            return self._stop(now)
        return self._decision(Action.NONE, ZERO_VELOCITY)

    def reset(self, now: float) -> ResetResult:
        """Release a latched stale estop at once, if commands are fresh again."""
        self._update_staleness(now)
        if self._operator:
            return ResetResult(False, "operator estop is active: release it on the `estop` "
                                      "topic (a reset never overrides the operator)")
        if not self._stale_latched:
            return ResetResult(True, "nothing latched")
        if not self._fresh(now):
            assert self._last_rx is not None  # a latch needs a command first
            return ResetResult(False, f"controller/cmd_vel not fresh (last received "
                                      f"{now - self._last_rx:.3f} s ago, deadline "
                                      f"{self.deadline():.3f} s); estop stays latched")
        self._stale_latched = False
        self._holdoff_since = None
        return ResetResult(True, "stale estop released by reset")

    def check(self, now: float) -> Decision:
        """The periodic check: detect staleness, finish a holdoff, stop while stale."""
        self._update_staleness(now)
        self._update_holdoff(now)
        if self._last_rx is None or not self._fresh(now):
            # Nobody else is publishing: the watchdog commands the stop itself.
            return self._stop(now)
        return self._decision(Action.NONE, ZERO_VELOCITY)

    # -- internals -------------------------------------------------------------------------

    def _update_staleness(self, now: float) -> None:
        if self._last_rx is None or self._fresh(now):
            return
        if not self._stale_latched and not self._silent_past_latch(now):
            # Graded: past the short deadline only. Slow down; no latch (yet).
            if not self._slowing:
                self._slowing = True
                self._slowdowns += 1
                self._last_reaction_s = now - self._last_rx
            return
        if not self._stale_latched:
            if self._latch_after() <= self.deadline():
                self._last_reaction_s = now - self._last_rx
            self._stale_latched = True
            self._slowing = self._recovering = False
            self._holdoff_since = None
            self._deadline_misses += 1
            self._estop_episodes += 1
        elif self._holdoff_since is not None:
            # A gap during the holdoff: the holdoff starts over at the next fresh command.
            self._holdoff_since = None
            self._deadline_misses += 1

    def _update_holdoff(self, now: float) -> None:
        if (self._stale_latched and self._holdoff_since is not None and self._fresh(now)
                and now - self._holdoff_since >= self.config.holdoff_s):
            # No ramp here: the controller saw watchdog/estop, held zero and ramps up from rest.
            self._stale_latched = False
            self._holdoff_since = None

    def _stop(self, now: float, warning: str | None = None) -> Decision:
        # A graded response decelerates through the slow-down and on through the latch (that
        # is its point); stop_mode says how an operator stop, or a one-grade latch, is made.
        ramp = self.config.stop_mode is StopMode.DECELERATE or (
            self.config.graded and not self._operator)
        if not ramp or self._last_out_t is None:
            target = ZERO_VELOCITY
        else:
            dt = max(0.0, now - self._last_out_t)
            target = Velocity(
                _toward_zero(self._last_out.linear, self.config.decel_linear * dt),
                _toward_zero(self._last_out.angular, self.config.decel_angular * dt))
        return self._publish(now, Action.STOP, target, warning)

    def _publish(self, now: float, action: Action, v: Velocity,
                 warning: str | None) -> Decision:
        self._last_out = v
        self._last_out_t = now
        return self._decision(action, v, warning)

    def _decision(self, action: Action, v: Velocity, warning: str | None = None) -> Decision:
        return Decision(action, v, self.estop, self.state, self.level, warning)

    def health(self, now: float) -> HealthReport:
        c = self.counters()
        state = self.state
        messages = {
            WatchdogState.WAITING: "waiting for the first controller/cmd_vel (publishing zero)",
            WatchdogState.OK: "commands fresh, forwarding",
            WatchdogState.DECELERATING: "command late: slowing down (not latched)",
            WatchdogState.STALE_STOPPED: "no fresh controller/cmd_vel within the deadline: "
                                         "stopped, estop latched",
            WatchdogState.HOLDOFF: "commands fresh again: holding the stop until holdoff ends",
            WatchdogState.OPERATOR_ESTOP: "operator estop active: stopped",
        }
        since = math.nan if self._last_rx is None else now - self._last_rx
        return HealthReport("deadline", self.level, messages[state], {
            "state": state.value,
            "estop": self.estop,
            "deadline_s": self.config.deadline_s,
            "hold_deadline_s": self.config.hold_deadline_s,
            "holding": self._holding,
            "deadline_misses": c.deadline_misses,
            "estop_episodes": c.estop_episodes,
            "commands": c.commands,
            "nan_commands": c.nan_commands,
            "max_gap_ms": 1e3 * c.max_gap_s,
            "last_stall_to_stop_ms": 1e3 * c.last_reaction_s,
            "latch_s": self.config.latch_after_s,
            "slowdowns": c.slowdowns,
            "slowdowns_resumed": c.resumed,
            "since_last_command_ms": 1e3 * since,
        })
