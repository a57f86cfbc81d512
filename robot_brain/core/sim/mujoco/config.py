"""Settings of the MuJoCo simulator, declared once (robot_brain.core.config.params).

Nothing here imports mujoco: the node declares these parameters, and the docs generator reads
them, on machines where mujoco is not installed too. The sensor, body and battery defaults are
read from where they are defined (the robot description, the built-in sim's lidar and battery,
the planner's true loads), not copied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.config.params import group, param
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.sim.battery import BatteryConfig
from robot_brain.core.sim.lidar import LidarConfig
from robot_brain.core.sim.loads import PlannerLoads
from robot_brain.core.sim.simulator import SimConfig

_LIDAR = LidarConfig()
#: Head-lidar messages per second at most: livox_ros_driver2's highest publish_freq.
MAX_CLOUD_RATE_HZ = 100.0
_MID360 = HUMANOID.head_lidar_spec


class MujocoConfigError(ConfigurationError):
    """MuJoCo simulator settings that cannot describe a run."""


@dataclass(frozen=True)
class GaitConfig:
    """The scripted gait: no locomotion is learned or simulated; the whole body sways about
    the floor point under it while it walks, the way a walking humanoid's head pitches with
    each step and rolls from one foot to the other."""

    step_frequency_hz: float = param(1.8, "Steps per second of the scripted gait (the head "
                                     "pitches once per step, rolls once per left-right "
                                     "stride).", unit="Hz", min=0.1, max=5.0)
    pitch_amplitude_deg: float = param(3.0, "Pitch sway amplitude at full walking speed.",
                                       unit="deg", min=0.0, max=15.0)
    roll_amplitude_deg: float = param(2.0, "Roll sway amplitude at full walking speed.",
                                      unit="deg", min=0.0, max=15.0)
    full_sway_speed: float = param(0.3, "Walking speed (or the yaw rate x 0.3 m) from which "
                                   "the sway has its full amplitude; it fades to none when "
                                   "standing.", unit="m/s", min=0.01, max=3.0)


@dataclass(frozen=True)
class HeadLidarConfig:
    """The head lidar (MID-360-like, robot description's mount): a non-repetitive pattern over
    360 x (-7..52) degrees in its own frame, cast with mj_multiRay."""

    enabled: bool = param(True, "Publish the head lidar's cloud (PointCloud2 on livox/lidar).")
    points_per_frame: int = param(_MID360.points_per_frame, "Rays cast per cloud frame.",
                                  min=100, max=200_000)
    rate_hz: float = param(_MID360.frame_rate_hz, "Cloud frames per second.", unit="Hz",
                           min=0.5, max=30.0)
    slices_per_frame: int = param(
        1, "Messages per frame: the frame's rays, in the order the pattern takes them (one "
        "turn about the sensor's z axis), cut into this many clouds, each cast and published "
        "on its own, as livox_ros_driver2 does with publish_freq = rate_hz x this (a slice "
        "covers 360/slices degrees of the turn). 1 = one cloud per frame.", min=1, max=20)
    range_min: float = param(_MID360.range_min, "Nearer returns are dropped (blind zone).",
                             unit="m", min=0.0, max=5.0)
    range_max: float = param(_MID360.range_max, "Farther returns are dropped.", unit="m",
                             min=0.5, max=200.0)
    noise_std: float = param(_MID360.range_noise_std, "Gaussian range noise, 1 sigma.",
                             unit="m", min=0.0, max=1.0)
    sees_self: bool = param(True, "The rays hit the robot's own body (shoulders, arms, torso "
                            "below the head), as a real head lidar's do; false leaves every "
                            "body part but the floor-facing world out of its view.")


@dataclass(frozen=True)
class KneeLaserConfig:
    """The optional knee-height 2-D laser (robot description's mount), the built-in sim's
    beams; it does not see the robot's own legs (docs/mujoco.md)."""

    enabled: bool = param(True, "Publish the knee-height LaserScan on `scan`.")
    beams: int = param(_LIDAR.beams, "Beams per scan over a full turn.", min=1, max=8192)
    range_min: float = param(_LIDAR.range_min, "Minimum range.", unit="m", min=0.0, max=10.0)
    range_max: float = param(_LIDAR.range_max, "Maximum range; farther = +inf (REP-117).",
                             unit="m", min=0.1, max=100.0)
    noise_std: float = param(_LIDAR.noise_std, "Gaussian range noise, 1 sigma.", unit="m",
                             min=0.0, max=1.0)
    rate_hz: float = param(10.0, "LaserScan rate on `scan`.", unit="Hz", min=0.1, max=100.0)

    def lidar(self) -> LidarConfig:
        return LidarConfig(beams=self.beams, range_min=self.range_min,
                           range_max=self.range_max, noise_std=self.noise_std)


@dataclass(frozen=True)
class MujocoSimConfig:
    seed: int = param(0, "Seed of the sensor noise and of the lidar pattern's phase; the same "
                      "seed gives the same run.", min=0, max=2**31 - 1)
    timestep_s: float = param(0.002, "MuJoCo physics time step.", unit="s", min=0.0005,
                              max=0.01)
    physics_rate_hz: float = param(100.0, "Physics ticks per second on the steady clock (each "
                                   "runs the time steps that cover it).", unit="Hz", min=10.0,
                                   max=1000.0)
    odom_rate_hz: float = param(50.0, "Odometry (and /tf) rate on `odom`.", unit="Hz",
                                min=0.1, max=500.0)
    battery_rate_hz: float = param(1.0, "BatteryState rate on `battery_state`.", unit="Hz",
                                   min=0.01, max=50.0)
    cmd_timeout_s: float = param(SimConfig().cmd_timeout_s, "No cmd_vel for this long -> the "
                                 "robot brakes to a stop.", unit="s", min=0.01, max=10.0)
    contact_release_s: float = param(0.5, "A contact episode ends after this long without "
                                     "any contact: a swaying body that grazes, or bumps its "
                                     "head and then its feet, counts once.", unit="s",
                                     min=0.0, max=5.0)
    publish_clock: bool = param(False, "Publish the simulation time on /clock.")
    publish_robot_description: bool = param(True, "Publish the robot's URDF on "
                                            "`robot_description` (transient local).")
    odom_frame: str = param("odom", "Frame of odom's pose (parent of base_frame).")
    base_frame: str = param(HUMANOID.base_frame, "The robot's body frame (on the floor).")
    gait: GaitConfig = group(GaitConfig, prefix="gait_")
    head_lidar: HeadLidarConfig = group(HeadLidarConfig, prefix="head_lidar_")
    knee_laser: KneeLaserConfig = group(KneeLaserConfig, prefix="knee_laser_")
    #: The built-in sim's battery model and the planner's true loads, declared there.
    battery: BatteryConfig = group(BatteryConfig, prefix="battery_")
    loads: PlannerLoads = group(PlannerLoads)

    def __post_init__(self) -> None:
        if self.head_lidar.range_min >= self.head_lidar.range_max:
            raise MujocoConfigError(
                f"head_lidar_range_min ({self.head_lidar.range_min}) must be below "
                f"head_lidar_range_max ({self.head_lidar.range_max})")
        if self.head_lidar.rate_hz * self.head_lidar.slices_per_frame > MAX_CLOUD_RATE_HZ:
            raise MujocoConfigError(
                f"head_lidar_rate_hz x head_lidar_slices_per_frame = "
                f"{self.head_lidar.rate_hz * self.head_lidar.slices_per_frame:g} clouds/s, "
                f"more than {MAX_CLOUD_RATE_HZ:g} (livox_ros_driver2's highest publish_freq)")
        if self.knee_laser.range_min >= self.knee_laser.range_max:
            raise MujocoConfigError(
                f"knee_laser_range_min ({self.knee_laser.range_min}) must be below "
                f"knee_laser_range_max ({self.knee_laser.range_max})")
        if self.timestep_s * self.physics_rate_hz > 1.0 + 1e-9:
            raise MujocoConfigError(
                f"timestep_s ({self.timestep_s}) is longer than a physics tick "
                f"(1/physics_rate_hz = {1.0 / self.physics_rate_hz:g} s)")
        if not math.isfinite(self.timestep_s):
            raise MujocoConfigError("timestep_s must be finite")
