"""The mujoco_sim node's settings: the robot's shared block, the MuJoCo simulator's own, the
real-time knobs of a fast-path driver."""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.config.params import group
from robot_brain.core.config.process import RealtimeSettings
from robot_brain.core.config.robot import RobotConfig
from robot_brain.core.sim.kinematics import VelocityLimits
from robot_brain.core.sim.mujoco.config import MujocoSimConfig


@dataclass(frozen=True)
class MujocoSimNodeConfig:
    robot: RobotConfig = group(RobotConfig)
    sim: MujocoSimConfig = group(MujocoSimConfig)
    realtime: RealtimeSettings = group(RealtimeSettings)

    @property
    def velocity_limits(self) -> VelocityLimits:
        lim = self.robot.limits
        return VelocityLimits(lim.max_linear_speed, lim.max_reverse_speed,
                              lim.max_angular_speed, lim.max_linear_accel,
                              lim.max_angular_accel)
