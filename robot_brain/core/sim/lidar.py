"""A planar lidar by vectorised ray casting against the world's obstacles (SimObstacles)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.geometry import Pose2D
from robot_brain.core.sim.obstacles import SimObstacles
from robot_brain.core.sim.raycast import unit_directions

#: A field of view within this of a full turn counts as a full circle (no duplicated beam).
_FULL_TURN_EPS = 1e-9


class LidarConfigError(ConfigurationError):
    """Lidar settings that cannot describe a scan."""


@dataclass(frozen=True)
class LidarConfig:
    beams: int = param(360, "Lidar beams per scan.", min=1, max=8192)
    range_min: float = param(0.1, "Lidar minimum range.", unit="m", min=0.0, max=10.0)
    range_max: float = param(8.0, "Lidar maximum range; farther = +inf (REP-117).", unit="m",
                             min=0.1, max=100.0)
    noise_std: float = param(0.01, "Gaussian range noise, standard deviation.", unit="m",
                             min=0.0, max=1.0)
    fov: float = param(2.0 * math.pi, "Lidar field of view, centred ahead; 2*pi = full "
                       "circle.", unit="rad", min=0.01, max=2.0 * math.pi)
    #: The first beam's angle; NaN (the default) = centred ahead, -fov / 2.
    angle_min: float = math.nan

    def __post_init__(self) -> None:
        if math.isnan(self.angle_min):
            object.__setattr__(self, "angle_min", -self.fov / 2.0)
        if self.beams < 1:
            raise LidarConfigError(f"lidar beams must be >= 1, got {self.beams}")
        if not (0.0 <= self.range_min < self.range_max and math.isfinite(self.range_max)):
            raise LidarConfigError(
                f"lidar needs 0 <= range_min < range_max < inf, got {self.range_min}, "
                f"{self.range_max}")
        if not (math.isfinite(self.noise_std) and self.noise_std >= 0.0):
            raise LidarConfigError(f"lidar noise_std must be >= 0, got {self.noise_std}")
        if not (0.0 < self.fov <= 2.0 * math.pi + _FULL_TURN_EPS):
            raise LidarConfigError(f"lidar fov must be in (0, 2*pi], got {self.fov}")

    @property
    def full_circle(self) -> bool:
        return self.fov >= 2.0 * math.pi - _FULL_TURN_EPS

    @property
    def angle_increment(self) -> float:
        # A full circle has no beam at angle_min + 2*pi (it would repeat the first one); a
        # partial fan covers both of its edges.
        if self.full_circle or self.beams == 1:
            return self.fov / self.beams
        return self.fov / (self.beams - 1)

    @property
    def angle_max(self) -> float:
        return self.angle_min + (self.beams - 1) * self.angle_increment

    def angles(self) -> np.ndarray:
        """Beam angles in the laser frame, shape (beams,)."""
        out: np.ndarray = self.angle_min + np.arange(self.beams, dtype=np.float64) \
            * self.angle_increment
        return out


class Lidar:
    """Casts the configured beams from a pose; noise comes from the caller's Generator."""

    def __init__(self, config: LidarConfig, obstacles: SimObstacles) -> None:
        self.config = config
        self._obstacles = obstacles
        self._angles = config.angles()

    def true_ranges(self, pose: Pose2D) -> np.ndarray:
        """Noise-free distances, +inf beyond range_max (REP-117)."""
        origin = np.array([pose.x, pose.y])
        dirs = unit_directions(self._angles + pose.yaw)
        d: np.ndarray = self._obstacles.ray_ranges(origin, dirs)
        d[d > self.config.range_max] = np.inf
        return d

    def scan(self, pose: Pose2D, rng: np.random.Generator) -> np.ndarray:
        ranges = self.true_ranges(pose)
        if self.config.noise_std > 0.0:
            finite = np.isfinite(ranges)
            # One draw per beam whatever the geometry, so the random stream (and so the run
            # for a seed) does not depend on how many beams happened to hit something.
            noise = rng.normal(0.0, self.config.noise_std, size=ranges.shape)
            noisy = np.clip(ranges + noise, 0.0, self.config.range_max)
            ranges = np.where(finite, noisy, ranges)
        return ranges
