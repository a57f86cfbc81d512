"""The safety filter: always on, independent of the policy, in the spirit of Nav2's collision
monitor.

Every command the controller publishes passes through `SafetyFilter.apply`, in this order:

1. estop or hold -> zero at once (not ramped: a stop request wins);
2. a non-finite command (NaN/inf from the policy) -> zero;
3. stale perception -> the target becomes zero, reached at the acceleration limits
   ("decelerate to a stop");
4. speed and yaw-rate limits (shared parameters);
5. zones from the sectors, along the direction of travel (forward, or backward when
   reversing): a corridor as wide as the body plus `lateral_margin`; an obstacle point in it
   closer than `stop_distance` beyond the body -> no travel in that direction (turning on the
   spot stays allowed: the footprint is a circle); closer than `slowdown_distance` -> speed
   scaled linearly from full at `slowdown_distance` to zero at `stop_distance`. An unknown
   (NaN, negative, wrong-length) sector in the half-plane of travel counts as blocked;
6. acceleration limits on speeding up only; braking is never limited here, so a stop zone
   always stops as fast as the base can.

Each reason that changed the command is counted (`counts`); limits count only when they
changed the command by more than `CHANGE_EPS`.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.control.array_memo import ArrayMemo
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.geometry import ZERO_VELOCITY, Velocity

#: A limit that changes a command by less than this (m/s or rad/s) is not an intervention.
CHANGE_EPS = 1e-3
#: Sample bearings per sector used to place its minimum range anywhere within the sector.
SAMPLES_PER_SECTOR = 5


class Intervention(enum.Enum):
    ESTOP = "estop"
    HOLD = "hold"
    NON_FINITE = "non_finite"
    STALE_PERCEPTION = "stale_perception"
    AGING_PERCEPTION = "aging_perception"  # older than a few sensor periods: no speeding up
    UNKNOWN_AHEAD = "unknown_ahead"
    STOP_ZONE = "stop_zone"
    SLOWDOWN_ZONE = "slowdown_zone"
    SPEED_LIMIT = "speed_limit"
    YAW_RATE_LIMIT = "yaw_rate_limit"
    ACCEL_LIMIT = "accel_limit"


class SafetyConfigError(ConfigurationError):
    """Safety-filter settings that cannot describe zones or limits."""


@dataclass(frozen=True)
class SafetyConfig:
    #: Speed and acceleration limits and the footprint: the robot's shared limits.
    limits: RobotLimits = group(RobotLimits, shared=True)
    stop_distance: float = param(0.15, "Safety stop zone: obstacle closer than this beyond the "
                                 "body in the direction of travel -> no travel that way.",
                                 unit="m", min=0.0, max=5.0)
    slowdown_distance: float = param(0.6, "Safety slowdown zone: speed scaled to zero from "
                                     "this distance beyond the body down to stop_distance.",
                                     unit="m", min=0.01, max=10.0)
    lateral_margin: float = param(0.05, "Safety zones are robot_radius + this wide on each "
                                  "side.", unit="m", min=0.0, max=2.0)

    def __post_init__(self) -> None:
        values = {**vars(self.limits), "stop_distance": self.stop_distance,
                  "lateral_margin": self.lateral_margin}
        for name in ("max_linear_speed", "max_reverse_speed", "max_angular_speed",
                     "stop_distance", "lateral_margin"):
            v = values[name]
            if not (math.isfinite(v) and v >= 0.0):
                raise SafetyConfigError(f"safety: {name} must be finite and >= 0, got {v}")
        for name in ("max_linear_accel", "max_angular_accel", "robot_radius"):
            v = values[name]
            if not (math.isfinite(v) and v > 0.0):
                raise SafetyConfigError(f"safety: {name} must be finite and > 0, got {v}")
        if not (math.isfinite(self.slowdown_distance)
                and self.slowdown_distance > self.stop_distance):
            raise SafetyConfigError(
                f"safety: slowdown_distance ({self.slowdown_distance}) must be greater than "
                f"stop_distance ({self.stop_distance})")


@dataclass(frozen=True)
class SafetyInputs:
    """What the filter needs besides the command; `sectors` may hold NaN/inf/negatives."""

    sectors: np.ndarray
    dt: float
    hold: bool = False
    estop: bool = False
    perception_fresh: bool = True
    #: Fresh but older than a few sensor periods (perception may have died): the last sectors
    #: may still steer and brake, but never justify going faster than now.
    perception_aging: bool = False


@dataclass(frozen=True)
class SafetyOutput:
    velocity: Velocity
    reasons: frozenset[Intervention]


def sector_sample_bearings(n_sectors: int, samples: int = SAMPLES_PER_SECTOR) -> np.ndarray:
    """(n_sectors, samples) bearings spread over each sector, edges inset by a hair so a
    sector never counts as lying in the half-plane of its neighbour."""
    w = 2.0 * math.pi / n_sectors
    frac = np.linspace(0.0, 1.0, samples) * (1.0 - 2e-6) + 1e-6
    return -math.pi + (np.arange(n_sectors)[:, None] + frac[None, :]) * w


class SectorZones:
    """Free travel distance beyond the body along +x or -x, from sector minima."""

    def __init__(self, n_sectors: int, robot_radius: float, lateral_margin: float) -> None:
        if n_sectors < 1:
            raise SafetyConfigError(f"safety: n_sectors must be >= 1, got {n_sectors}")
        self.n_sectors = n_sectors
        self.radius = robot_radius
        self.half_width = robot_radius + lateral_margin
        bearings = sector_sample_bearings(n_sectors)
        self._cos = np.cos(bearings)
        self._sin = np.sin(bearings)
        # Once per direction per sectors message, not per tick
        # (robot_brain.core.control.array_memo).
        self._memo: ArrayMemo[tuple[float, bool]] = ArrayMemo()

    def free_distance(self, ranges: np.ndarray, direction: int) -> tuple[float, bool]:
        """(free distance in m beyond the body along direction +1/-1, unknown-ahead flag).

        A sector's minimum may lie anywhere across the sector, so every sample bearing counts
        (conservative); +inf sectors are free; NaN sectors in the half-plane of travel block.
        """
        return self._memo.get(ranges, direction, lambda: self._free_distance(ranges, direction))

    def _free_distance(self, ranges: np.ndarray, direction: int) -> tuple[float, bool]:
        r = np.asarray(ranges, dtype=np.float64).reshape(-1)
        if r.size != self.n_sectors:
            return 0.0, True
        r = np.where(r < 0.0, np.nan, r)
        ahead = (direction * self._cos) > 0.0
        unknown = bool(np.any(np.isnan(r)[:, None] & ahead))
        finite = np.isfinite(r)
        if not np.any(finite):
            return (0.0 if unknown else math.inf), unknown
        rf = r[finite, None]
        x = direction * rf * self._cos[finite]
        y = rf * self._sin[finite]
        in_corridor = (x > 0.0) & (np.abs(y) <= self.half_width)
        if not np.any(in_corridor):
            return (0.0 if unknown else math.inf), unknown
        free = float(np.min(x[in_corridor])) - self.radius
        return (0.0 if unknown else max(free, 0.0)), unknown


def _approach(current: float, target: float, max_delta: float) -> float:
    return current + min(max(target - current, -max_delta), max_delta)


def _no_faster(target: float, current: float) -> float:
    """`target`, but no larger in magnitude than `current` in the same direction (a reversal
    or a start from rest is refused: zero)."""
    if target * current <= 0.0:
        return 0.0
    return math.copysign(min(abs(target), abs(current)), target)


class SafetyFilter:
    """Stateful (last output, counters) filter; one instance per control loop."""

    def __init__(self, config: SafetyConfig, n_sectors: int) -> None:
        self.config = config
        self.zones = SectorZones(n_sectors, config.limits.robot_radius, config.lateral_margin)
        self.last = ZERO_VELOCITY
        self.counts: dict[Intervention, int] = {r: 0 for r in Intervention}

    def reset(self, velocity: Velocity = ZERO_VELOCITY) -> None:
        self.last = velocity

    def total_interventions(self) -> int:
        return sum(self.counts.values())

    def apply(self, command: Velocity, inputs: SafetyInputs) -> SafetyOutput:
        out, reasons = self._filter(command, inputs)
        for r in reasons:
            self.counts[r] += 1
        self.last = out
        return SafetyOutput(out, frozenset(reasons))

    def _filter(self, command: Velocity,
                inputs: SafetyInputs) -> tuple[Velocity, set[Intervention]]:
        cfg = self.config
        reasons: set[Intervention] = set()
        if inputs.estop:
            return ZERO_VELOCITY, {Intervention.ESTOP}
        if inputs.hold:
            return ZERO_VELOCITY, {Intervention.HOLD}
        dt = inputs.dt if math.isfinite(inputs.dt) and inputs.dt > 0.0 else 0.0
        if not command.is_finite():
            return ZERO_VELOCITY, {Intervention.NON_FINITE}
        lin, ang = command.linear, command.angular
        if not inputs.perception_fresh:
            reasons.add(Intervention.STALE_PERCEPTION)
            # Decelerate to a stop at the base's limits instead of an abrupt halt: stale
            # perception is not yet evidence of an obstacle.
            lin = _approach(self.last.linear, 0.0, cfg.limits.max_linear_accel * dt)
            ang = _approach(self.last.angular, 0.0, cfg.limits.max_angular_accel * dt)
            return Velocity(lin, ang), reasons

        clamped = min(max(lin, -cfg.limits.max_reverse_speed), cfg.limits.max_linear_speed)
        if abs(clamped - lin) > CHANGE_EPS:
            reasons.add(Intervention.SPEED_LIMIT)
        lin = clamped
        clamped = min(max(ang, -cfg.limits.max_angular_speed), cfg.limits.max_angular_speed)
        if abs(clamped - ang) > CHANGE_EPS:
            reasons.add(Intervention.YAW_RATE_LIMIT)
        ang = clamped

        if lin != 0.0:
            direction = 1 if lin > 0.0 else -1
            free, unknown = self.zones.free_distance(inputs.sectors, direction)
            if unknown:
                reasons.add(Intervention.UNKNOWN_AHEAD)
                lin = 0.0
            elif free <= cfg.stop_distance:
                reasons.add(Intervention.STOP_ZONE)
                lin = 0.0
            elif free < cfg.slowdown_distance:
                scale = (free - cfg.stop_distance) / (cfg.slowdown_distance - cfg.stop_distance)
                scaled = lin * scale
                if abs(scaled - lin) > CHANGE_EPS:
                    reasons.add(Intervention.SLOWDOWN_ZONE)
                lin = scaled

        if inputs.perception_aging:
            held_l = _no_faster(lin, self.last.linear)
            held_a = _no_faster(ang, self.last.angular)
            if abs(held_l - lin) > CHANGE_EPS or abs(held_a - ang) > CHANGE_EPS:
                reasons.add(Intervention.AGING_PERCEPTION)
            lin, ang = held_l, held_a

        # Only speeding up is rate-limited: braking must never be slowed by the filter.
        # A sign reversal brakes to zero freely, then speeds up from zero.
        base_l = 0.0 if lin * self.last.linear < 0.0 else self.last.linear
        base_a = 0.0 if ang * self.last.angular < 0.0 else self.last.angular
        lim = cfg.limits
        lin_l = _approach(base_l, lin, lim.max_linear_accel * dt) if abs(lin) > abs(base_l) \
            else lin
        ang_l = _approach(base_a, ang, lim.max_angular_accel * dt) if abs(ang) > abs(base_a) \
            else ang
        if abs(lin_l - lin) > CHANGE_EPS or abs(ang_l - ang) > CHANGE_EPS:
            reasons.add(Intervention.ACCEL_LIMIT)
        return Velocity(lin_l, ang_l), reasons
