"""The controller's tick, free of ROS: cached inputs in, one safe command out.

The node's subscription callbacks hand each message to an `on_*` method with its receipt time
(steady clock); the timer calls `tick`. Freshness is judged on receipt only, never by
comparing stamps across nodes; with a simulated robot the sensor limits are in simulated
seconds (robot_brain.core.control.freshness: the steady limits stretched by the real-time
factor measured from odometry stamps, never shortened). Odometry velocities the robot cannot
have are not used (robot_brain.core.odometry). `tick` does bounded work: one policy call, one
safety filter.

Decision order each tick: estop -> hold -> no odometry / no goal / goal stale -> goal reached
-> policy. Stale perception does not stop the policy call but makes the safety filter
decelerate to a stop. The command's source stamp is the stamp of the perception message used,
so scan->command latency can be recovered from a bag.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.control.array_memo import frozen_copy
from robot_brain.core.control.freshness import FreshnessConfig, FreshnessScale
from robot_brain.core.control.goals import BoundsCheck, Goal, GoalRejection, check_goal
from robot_brain.core.control.observation import sanitize_sectors
from robot_brain.core.control.policy import Policy
from robot_brain.core.control.safety_filter import (
    Intervention,
    SafetyFilter,
    SafetyInputs,
    SafetyOutput,
)
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.geometry import ZERO_VELOCITY, Pose2D, Velocity
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.odometry import PlausibleVelocity, VelocityBound
from robot_brain.core.perception.sectors import DEFAULT_SECTORS
from robot_brain.core.timing.loop import TickStats
from robot_brain.core.world import Bounds


class Mode(enum.Enum):
    ESTOP = "estop"
    HOLD = "hold"
    NO_ODOM = "no odometry"
    NO_GOAL = "no goal"
    GOAL_STALE = "goal stale"
    REACHED = "goal reached"
    DRIVING = "driving"


class ControllerConfigError(ConfigurationError):
    """Controller settings that cannot work together."""


@dataclass(frozen=True)
class ControllerConfig:
    n_sectors: int = param(DEFAULT_SECTORS, "Sectors on perception/obstacles; must equal "
                           "perception's n_sectors and the model's input size (checked at "
                           "start).", min=1, max=360)
    perception_timeout_s: float = param(0.5, "perception/obstacles older than this (on "
                                        "receipt) -> decelerate to a stop.", unit="s",
                                        min=0.01, max=10.0)
    #: perception/obstacles older than this (a few sensor periods) may not speed the robot up.
    perception_hold_s: float = param(0.25, "perception/obstacles older than this (a few scan "
                                     "periods) may still steer and brake but never speed the "
                                     "robot up; <= perception_timeout_s.", unit="s", min=0.01,
                                     max=10.0)
    odom_timeout_s: float = param(0.5, "odom older than this -> hold.", unit="s", min=0.01,
                                  max=10.0)
    goal_timeout_s: float = param(3.0, "A planner goal not refreshed within this -> hold; the "
                                  "planner republishes at >= 1 Hz.", unit="s", min=0.1,
                                  max=600.0)
    goal_bounds_margin: float = param(1.0, "Goals farther than this outside the map bounds are "
                                      "refused with a warning.", unit="m", min=0.0, max=100.0)
    #: goal_tolerance: when a goal counts as reached (the robot's shared limits).
    limits: RobotLimits = group(RobotLimits, shared=True)
    #: The map's bounds (from the world file, not a parameter); None = no bounds check.
    bounds: Bounds | None = None
    goal_bounds_check: str = param(
        BoundsCheck.MAP.value, "'map': goals must lie within the map bounds (odom is the map "
        "frame: no localiser); 'reach': within the map's diagonal of the robot (a localiser "
        "runs, odom is offset from the map; must match the planner's localization_source, "
        "docs/maps.md).", choices=tuple(b.value for b in BoundsCheck))
    #: Sensor freshness under simulated time.
    freshness: FreshnessConfig = group(FreshnessConfig)

    def __post_init__(self) -> None:
        if self.n_sectors < 1:
            raise ControllerConfigError(f"n_sectors must be >= 1, got {self.n_sectors}")
        for name in ("perception_timeout_s", "perception_hold_s", "odom_timeout_s",
                     "goal_timeout_s", "goal_tolerance"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0.0):
                raise ControllerConfigError(f"{name} must be > 0, got {v}")
        if self.perception_hold_s > self.perception_timeout_s:
            raise ControllerConfigError(
                f"perception_hold_s ({self.perception_hold_s}) must not exceed "
                f"perception_timeout_s ({self.perception_timeout_s})")

    @property
    def goal_tolerance(self) -> float:
        return self.limits.goal_tolerance


@dataclass(frozen=True)
class TickResult:
    velocity: Velocity
    mode: Mode
    reasons: frozenset[Intervention]
    source_stamp: Any
    perception_fresh: bool
    policy_error: str | None = None
    #: Older than perception_hold_s (scaled under simulated time): may not speed up.
    perception_aging: bool = False


class ControllerCore:
    def __init__(self, policy: Policy, safety: SafetyFilter, config: ControllerConfig) -> None:
        if policy.n_sectors != config.n_sectors:
            raise ControllerConfigError(
                f"policy expects {policy.n_sectors} sectors, controller n_sectors is "
                f"{config.n_sectors}")
        self.policy = policy
        self.safety = safety
        self.config = config
        self._sectors = frozen_copy(np.full(config.n_sectors, np.nan))
        self._sectors_t = -math.inf
        self._stamp: Any = None
        self._pose: Pose2D | None = None
        lim = safety.config.limits
        self._velocity = PlausibleVelocity(VelocityBound.from_limits(
            lim.max_linear_speed, lim.max_reverse_speed, lim.max_angular_speed))
        self._odom_t = -math.inf
        self.freshness = FreshnessScale(config.freshness)
        self._goal: Goal | None = None
        self._goal_t = -math.inf
        # The last policy call: its inputs (the very objects, replaced on each new message)
        # and its command. Odometry comes at half the tick rate and sectors at a tenth, so
        # most ticks would ask the policy the same question again.
        self._asked: tuple[object, ...] | None = None
        self._answer = ZERO_VELOCITY
        self.policy_calls = 0
        self._fixed_goal = False
        self.hold = False
        self.estop = False
        self.stale_perception_ticks = 0
        self.aging_perception_ticks = 0
        self.goals_rejected = 0
        self.bad_obstacle_messages = 0
        self.policy_errors = 0

    # -- inputs (cache only) ---------------------------------------------------------------

    def on_obstacles(self, ranges: np.ndarray, stamp: Any, now: float) -> bool:
        """Cache sector minima; False when the message was malformed (kept as all-unknown)."""
        r = np.asarray(ranges, dtype=np.float64).reshape(-1)
        ok = r.size == self.config.n_sectors
        if not ok:
            self.bad_obstacle_messages += 1
        # Frozen: what the policy and the safety filter derive from it is computed once per
        # message, not once per tick (robot_brain.core.control.array_memo).
        self._sectors = frozen_copy(sanitize_sectors(r, self.config.n_sectors))
        self._sectors_t = now
        self._stamp = stamp
        return ok

    def on_odom(self, pose: Pose2D, velocity: Velocity, now: float,
                stamp_s: float = math.nan) -> bool:
        """Cache odometry; False when its velocity was implausible (the last plausible one,
        or standing still, is used instead). `stamp_s`: its header stamp, for the real-time
        factor under simulated time."""
        self._pose = pose
        self._odom_t = now
        self.freshness.on_stamp(stamp_s, now)
        return self._velocity.update(velocity)

    @property
    def implausible_odometry(self) -> int:
        """Odometry messages whose velocity was beyond what the robot can do (or not finite)."""
        return self._velocity.rejected

    def on_goal(self, goal: Goal, now: float) -> GoalRejection | None:
        """Accept or refuse a planner goal; a refused goal leaves the previous one in place."""
        if self._fixed_goal:
            return None
        reason = self._check(goal)
        if reason is not None:
            self.goals_rejected += 1
            return reason
        self._goal = goal
        self._goal_t = now
        return None

    def set_fixed_goal(self, goal: Goal) -> GoalRejection | None:
        """A parameter goal: never stale, and planner goals are ignored while it is set."""
        reason = self._check(goal)
        if reason is None:
            self._goal = goal
            self._fixed_goal = True
        return reason

    def _check(self, goal: Goal) -> GoalRejection | None:
        c = self.config
        robot = (self._pose.x, self._pose.y) if self._pose is not None else None
        return check_goal(goal, c.bounds, c.goal_bounds_margin, BoundsCheck(c.goal_bounds_check),
                          robot)

    # -- the tick --------------------------------------------------------------------------

    def perception_fresh(self, now: float, scale: float | None = None) -> bool:
        scale = self.freshness.scale() if scale is None else scale
        return now - self._sectors_t <= self.config.perception_timeout_s * scale

    def mode(self, now: float, scale: float | None = None) -> Mode:
        if self.estop:
            return Mode.ESTOP
        if self.hold:
            return Mode.HOLD
        scale = self.freshness.scale() if scale is None else scale
        if self._pose is None or now - self._odom_t > self.config.odom_timeout_s * scale:
            return Mode.NO_ODOM
        if self._goal is None:
            return Mode.NO_GOAL
        if not self._fixed_goal and now - self._goal_t > self.config.goal_timeout_s:
            return Mode.GOAL_STALE
        dx, dy = self._pose.to_local(self._goal.x, self._goal.y)
        if math.hypot(dx, dy) <= self.config.goal_tolerance:
            return Mode.REACHED
        return Mode.DRIVING

    def health(self, now: float, loop: TickStats, loop_late: bool) -> HealthReport:
        """The control loop's /diagnostics status: a failing policy is an error; stale
        perception while driving, or ticks late in the last window, a warning."""
        mode = self.mode(now)
        fresh = self.perception_fresh(now)
        values: dict[str, object] = dict(loop.as_values())
        values.update({
            "policy": self.policy.name, "mode": mode.value, "perception_fresh": fresh,
            "interventions": self.safety.total_interventions(),
            "stale_perception_ticks": self.stale_perception_ticks,
            "aging_perception_ticks": self.aging_perception_ticks,
            "goals_rejected": self.goals_rejected,
            "bad_obstacle_messages": self.bad_obstacle_messages,
            "policy_errors": self.policy_errors,
            "policy_calls": self.policy_calls,
            "implausible_odometry": self.implausible_odometry,
        })
        if self.freshness.sim:
            values.update({
                "real_time_factor": round(self.freshness.factor.value, 4),
                "freshness_scale": round(self.freshness.scale(), 4),
                "clock_resets": self.freshness.factor.resets,
            })
        values.update({f"interventions.{r.value}": n for r, n in self.safety.counts.items()})
        if self.policy_errors:
            level, msg = Level.ERROR, f"policy failed {self.policy_errors} times"
        elif not fresh and mode is Mode.DRIVING:
            level, msg = Level.WARN, "perception stale: stopping"
        elif loop_late:
            level, msg = Level.WARN, "tick overruns or skipped ticks in the last second"
        else:
            level, msg = Level.OK, mode.value
        return HealthReport("control loop", level, msg, values)

    def tick(self, now: float, dt: float) -> TickResult:
        scale = self.freshness.scale()
        mode = self.mode(now, scale)
        fresh = self.perception_fresh(now, scale)
        if not fresh:
            self.stale_perception_ticks += 1
        command = ZERO_VELOCITY
        error: str | None = None
        if mode is Mode.DRIVING:
            assert self._pose is not None and self._goal is not None
            velocity = self._velocity.velocity
            asked = (self._sectors, self._pose, self._goal, velocity)
            last = self._asked
            if last is not None and all(a is b for a, b in zip(asked, last, strict=True)):
                command = self._answer  # a policy is a function of these (Policy)
            else:
                dx, dy = self._pose.to_local(self._goal.x, self._goal.y)
                self._asked = None
                self.policy_calls += 1
                try:
                    command = self.policy.command(self._sectors, dx, dy, velocity)
                    self._asked, self._answer = asked, command
                except Exception as exc:  # noqa: BLE001 - a failing policy must not kill the loop
                    self.policy_errors += 1
                    error = f"{type(exc).__name__}: {exc}"
                    command = Velocity(math.nan, math.nan)
        if mode in (Mode.NO_ODOM, Mode.NO_GOAL, Mode.GOAL_STALE, Mode.REACHED):
            # Holding still for want of a goal is the normal idle state, not an intervention.
            self.safety.reset(ZERO_VELOCITY)
            return TickResult(ZERO_VELOCITY, mode, frozenset(), self._stamp, fresh)
        aging = now - self._sectors_t > self.config.perception_hold_s * scale
        if aging:
            self.aging_perception_ticks += 1
        out: SafetyOutput = self.safety.apply(command, SafetyInputs(
            sectors=self._sectors, dt=dt, hold=mode is Mode.HOLD, estop=mode is Mode.ESTOP,
            perception_fresh=fresh, perception_aging=aging))
        return TickResult(out.velocity, mode, out.reasons, self._stamp, fresh, error, aging)
