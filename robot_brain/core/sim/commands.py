"""The robot's own command timeout: what every simulated robot (and a real locomotion
controller) does with cmd_vel, whatever the brain's watchdog does.

The last command is followed while it is fresh; after `timeout_s` without one the robot
brakes to a stop under its acceleration limits (the robot protects itself against a dead
brain). A non-finite command is refused and the previous one kept, as a real locomotion
controller refuses garbage. Shared by the built-in sim and MuJoCo (sim.simulator,
sim.mujoco.simulator).
"""

from __future__ import annotations

import math

from robot_brain.core.geometry import ZERO_VELOCITY, Velocity


class CommandTimeout:
    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._command = ZERO_VELOCITY
        self._t = -math.inf

    def set(self, command: Velocity, now: float) -> bool:
        """Take a cmd_vel received at `now` (any monotonic clock); False (ignored) when it is
        not finite."""
        if not command.is_finite():
            return False
        self._command, self._t = command, now
        return True

    def fresh(self, now: float) -> bool:
        return now - self._t <= self.timeout_s

    def current(self, now: float) -> Velocity:
        """The command to step under at `now`: the last one while fresh, else stop."""
        return self._command if self.fresh(now) else ZERO_VELOCITY


def check_step(dt: float, extra_load_w: float) -> None:
    """A simulator's step arguments: ValueError unless both are finite and >= 0."""
    if not (math.isfinite(dt) and dt >= 0.0):
        raise ValueError(f"dt must be a finite number >= 0, got {dt}")
    if not (math.isfinite(extra_load_w) and extra_load_w >= 0.0):
        raise ValueError(f"extra_load_w must be a finite number >= 0, got {extra_load_w}")
