"""The scripted gait: how the walking body sways. No locomotion is learned or simulated.

A walking humanoid's head pitches a few degrees with every step and rolls from one foot to
the other once per stride (two steps). Here the whole rigid body is tilted about the floor
point under it: pitch at the step frequency, roll at half of it, both scaled by how much the
robot is walking (its speed, or its turn rate, relative to `full_sway_speed`), so a robot
standing still stands straight. The phase only advances while the robot walks, and the sway
fades in and out over about one step (a first-order lag), never snapping straight when the
robot is stopped short.
"""

from __future__ import annotations

import math

from robot_brain.core.sim.mujoco.config import GaitConfig

#: A turn on the spot counts as walking at this many metres per radian of yaw.
_TURN_STEP_M_PER_RAD = 0.3
#: Below this the sway is over: the body stands straight (exactly, not asymptotically).
_STILL = 1e-3


class ScriptedGait:
    def __init__(self, config: GaitConfig) -> None:
        self.config = config
        self._phase = 0.0
        self._activity = 0.0

    @property
    def activity(self) -> float:
        """0 (standing) .. 1 (walking at or above full_sway_speed)."""
        return self._activity

    def advance(self, speed: float, yaw_rate: float, dt: float) -> None:
        c = self.config
        walking = max(abs(speed), _TURN_STEP_M_PER_RAD * abs(yaw_rate))
        target = min(1.0, walking / c.full_sway_speed)
        lag = min(1.0, dt * c.step_frequency_hz)
        self._activity += (target - self._activity) * lag
        if self._activity < _STILL:
            self._activity = 0.0
        if self._activity > 0.0:
            self._phase = (self._phase + 2.0 * math.pi * c.step_frequency_hz * dt) \
                % (4.0 * math.pi)

    def attitude(self) -> tuple[float, float]:
        """(roll, pitch) in rad of the body now."""
        c = self.config
        pitch = math.radians(c.pitch_amplitude_deg) * self._activity * math.sin(self._phase)
        roll = math.radians(c.roll_amplitude_deg) * self._activity * math.sin(self._phase / 2.0)
        return roll, pitch
