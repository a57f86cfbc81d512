"""Odometry velocities the robot can have, and what a reader does with those it cannot.

A walking humanoid cannot move at 1000 m/s, yet gz-sim's OdometryPublisher reports about that
in its first message after a spawn: it differences the pose against a zero pose, over one
physics step. Any reader of odometry velocity (the controller's policy input, the power
monitor's locomotion estimate) therefore checks it against a bound derived from the robot's
own limits and, beyond it, keeps the last plausible velocity (standing still before the first
one) and counts the rejection for /diagnostics. A non-finite velocity is treated the same way.

The bound is PLAUSIBILITY_FACTOR x the fastest commanded speed (forward or reverse) and yaw
rate: wide enough for overshoot, slip and noise, far below any artefact worth rejecting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.geometry import ZERO_VELOCITY, Velocity

#: The bound is this many times the robot's speed and yaw-rate limits.
PLAUSIBILITY_FACTOR = 3.0
#: Never tighter than these, so a robot limited to a crawl still passes its own noise.
MIN_LINEAR_BOUND_MPS = 0.5
MIN_ANGULAR_BOUND_RADPS = 1.0


@dataclass(frozen=True)
class VelocityBound:
    linear_mps: float
    angular_radps: float

    @staticmethod
    def from_limits(max_linear_speed: float, max_reverse_speed: float,
                    max_angular_speed: float) -> VelocityBound:
        linear = PLAUSIBILITY_FACTOR * max(max_linear_speed, max_reverse_speed)
        angular = PLAUSIBILITY_FACTOR * max_angular_speed
        return VelocityBound(max(MIN_LINEAR_BOUND_MPS, linear),
                             max(MIN_ANGULAR_BOUND_RADPS, angular))

    def admits(self, v: Velocity) -> bool:
        return (math.isfinite(v.linear) and math.isfinite(v.angular)
                and abs(v.linear) <= self.linear_mps and abs(v.angular) <= self.angular_radps)


class PlausibleVelocity:
    """The last velocity within the bound; `rejected` counts those that were not."""

    def __init__(self, bound: VelocityBound) -> None:
        self.bound = bound
        self.velocity = ZERO_VELOCITY
        self.rejected = 0

    def update(self, v: Velocity) -> bool:
        """Take `v` if plausible (True); else keep the previous velocity (False)."""
        if self.bound.admits(v):
            self.velocity = v
            return True
        self.rejected += 1
        return False
