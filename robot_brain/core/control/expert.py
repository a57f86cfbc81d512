"""The analytic expert: goal seeking with obstacle avoidance from sector minima.

It is the teacher of the ONNX policy (scripts/train_policy.py) and a selectable policy of
its own (`policy: analytic`). Memoryless apart from the current velocity, which it reads like
the network does (the yaw-rate sign keeps it committed to the side it chose round an
obstacle, so it does not dither in front of a wide one).

Method (a small vector-field-histogram): for candidate headings all round, the free length
of a corridor as wide as the body plus `side_clearance` is computed from the sector minima
(each minimum placed anywhere across its sector, conservatively; unknown sectors read as an
obstacle at `unknown_range`). The chosen heading is the candidate closest to the goal bearing
whose corridor is free for min(goal distance, lookahead); the robot turns towards it, walks
when roughly facing it, and slows down with the free distance straight ahead and near the goal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from robot_brain.core.config.params import group
from robot_brain.core.control.safety_filter import SafetyConfig, sector_sample_bearings
from robot_brain.core.geometry import ZERO_VELOCITY, Velocity


@dataclass(frozen=True)
class ExpertConfig:
    #: The expert plans within the zones and limits the safety filter enforces (and with the
    #: robot's goal tolerance); its own tuning below is not a parameter.
    safety: SafetyConfig = group(SafetyConfig)
    side_clearance: float = 0.15
    lookahead: float = 1.0
    min_corridor: float = 0.3
    candidates: int = 72
    heading_gain: float = 2.0
    walk_heading_limit: float = 1.0
    arrival_distance: float = 0.8
    commit_bias: float = 0.8
    block_weight: float = 4.0
    unknown_range: float = 0.3
    sector_spread: float = 0.5


class AnalyticExpert:
    def __init__(self, config: ExpertConfig, n_sectors: int) -> None:
        self.config = config
        self.n_sectors = n_sectors
        # Each sector's minimum is placed at bearings across the central `sector_spread` of
        # the sector: 1.0 is fully conservative, smaller lets the robot through narrower gaps
        # (the safety filter stays fully conservative whatever this says).
        centre = (-math.pi + (np.arange(n_sectors) + 0.5) * 2.0 * math.pi / n_sectors)[:, None]
        bearings = (centre + config.sector_spread * (sector_sample_bearings(n_sectors)
                                                     - centre)).reshape(-1)
        self._point_bearing = bearings
        self._samples = bearings.size // n_sectors
        self._headings = -math.pi + (np.arange(config.candidates) + 0.5) * (
            2.0 * math.pi / config.candidates)
        rel = self._point_bearing[None, :] - self._headings[:, None]
        self._rel_cos = np.cos(rel)
        self._rel_sin = np.sin(rel)
        self._fwd_cos = np.cos(self._point_bearing)
        self._fwd_sin = np.sin(self._point_bearing)

    def _point_ranges(self, sectors: np.ndarray) -> np.ndarray:
        r = np.asarray(sectors, dtype=np.float64).reshape(-1)
        if r.size != self.n_sectors:
            r = np.full(self.n_sectors, np.nan)
        r = np.where(np.isnan(r) | (r < 0.0), self.config.unknown_range, r)
        return np.repeat(r, self._samples)

    def corridor_lengths(self, sectors: np.ndarray) -> np.ndarray:
        """Free length (m, beyond the body) of the corridor along every candidate heading."""
        cfg = self.config
        r = self._point_ranges(sectors)
        finite = np.isfinite(r)
        if not np.any(finite):
            return np.full(self._headings.size, np.inf)
        rf = r[finite]
        x = rf[None, :] * self._rel_cos[:, finite]
        y = rf[None, :] * self._rel_sin[:, finite]
        hit = (x > 0.0) & (np.abs(y) <= cfg.safety.limits.robot_radius + cfg.side_clearance)
        lengths = np.where(hit, x, np.inf).min(axis=1) - cfg.safety.limits.robot_radius
        return np.maximum(lengths, 0.0)

    def free_ahead(self, sectors: np.ndarray) -> float:
        """Free distance straight ahead in the safety filter's narrow corridor."""
        cfg = self.config
        r = self._point_ranges(sectors)
        finite = np.isfinite(r)
        x = r[finite] * self._fwd_cos[finite]
        y = r[finite] * self._fwd_sin[finite]
        hit = (x > 0.0) & (np.abs(y) <= cfg.safety.limits.robot_radius + cfg.safety.lateral_margin)
        if not np.any(hit):
            return math.inf
        return max(float(np.min(x[hit])) - cfg.safety.limits.robot_radius, 0.0)

    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity:
        cfg = self.config
        dist = math.hypot(goal_dx, goal_dy)
        if not math.isfinite(dist) or dist <= cfg.safety.limits.goal_tolerance:
            return ZERO_VELOCITY
        goal_bearing = math.atan2(goal_dy, goal_dx)
        lengths = self.corridor_lengths(sectors)
        # A heading is free when its corridor reaches min(goal distance, lookahead); in
        # clutter no corridor may, and then the most open ones count as free rather than the
        # robot spinning in search of an ideal one.
        needed = min(dist, cfg.lookahead, max(cfg.min_corridor, 0.8 * float(np.max(lengths))))
        shortfall = np.clip((needed - lengths) / needed, 0.0, 1.0)
        off_goal = np.abs(np.mod(self._headings - goal_bearing + math.pi, 2.0 * math.pi)
                          - math.pi)
        cost = off_goal + cfg.block_weight * shortfall
        if abs(velocity.angular) > 0.05:
            # Stay committed to the side already turning to unless the other is clearly
            # better: this is what keeps the robot from dithering in front of an obstacle.
            against = np.sign(self._headings) * np.sign(velocity.angular) < 0.0
            cost = cost + cfg.commit_bias * against * min(1.0, abs(velocity.angular) / 0.3)
        best = int(np.argmin(cost))
        heading = float(self._headings[best])
        free = bool(shortfall[best] < 0.5)
        lim, zones = cfg.safety.limits, cfg.safety
        angular = float(np.clip(cfg.heading_gain * heading, -lim.max_angular_speed,
                                lim.max_angular_speed))
        if not free or abs(heading) > cfg.walk_heading_limit:
            return Velocity(0.0, angular)
        facing = math.cos(heading) ** 2
        ahead = self.free_ahead(sectors)
        room = (ahead - zones.stop_distance) / (zones.slowdown_distance - zones.stop_distance)
        arrive = max(0.25, min(1.0, dist / cfg.arrival_distance))
        linear = lim.max_linear_speed * facing * float(np.clip(room, 0.0, 1.0)) * arrive
        return Velocity(linear, angular)
