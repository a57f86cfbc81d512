"""The built-in simulated humanoid: walking base, lidar, battery and collisions in lockstep.

Pure Python + numpy, no ROS: `step()` advances by any dt (the node calls it in real time,
training code in batches as fast as it can). Deterministic for a seed: the only randomness
is the lidar noise, drawn from the Simulator's own numpy Generator.

Heights (docs/world.md): the world's obstacles are prisms between z_min and z_max. The planar
lidar at `laser_height` sees the ones its plane crosses; the body, a circle from the floor to
`body_height`, collides with every one that overlaps that span. So a table top at 0.75 m
stops the 1.3 m humanoid while its knee-height laser sees only the legs, as in MuJoCo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.geometry import ZERO_VELOCITY, Pose2D, Velocity
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.sim.battery import Battery, BatteryConfig
from robot_brain.core.sim.kinematics import VelocityLimits, accelerate, integrate, sanitize
from robot_brain.core.sim.lidar import Lidar, LidarConfig
from robot_brain.core.sim.obstacles import obstacles_for
from robot_brain.core.world import World

__all__ = ["BatteryConfig", "LidarConfig", "SimConfig", "SimConfigError", "Simulator"]

#: Longest internal sub-step (s): accel limits, battery and collisions are resolved at this
#: resolution whatever dt the caller passes.
_MAX_SUBSTEP_S = 0.02
#: Longest straight chord (m) and turn (rad) per sub-step, so an arc is followed closely.
_MAX_SUBSTEP_M = 0.05
_MAX_SUBSTEP_RAD = 0.1
#: Below this fraction of battery the health report warns.
_BATTERY_LOW = 0.2


class SimConfigError(ConfigurationError):
    """Simulator settings that cannot describe a robot."""


@dataclass(frozen=True)
class SimConfig:
    #: The simulated robot has the limits the brain is configured with (the shared block).
    limits: RobotLimits = group(RobotLimits, shared=True)
    lidar: LidarConfig = group(LidarConfig, prefix="lidar_")
    cmd_timeout_s: float = param(0.5, "No cmd_vel for this long -> the robot brakes to a stop.",
                                 unit="s", min=0.01, max=10.0)
    battery: BatteryConfig = group(BatteryConfig, prefix="battery_")
    #: Height of the planar lidar's plane and top of the body (m above the floor): the
    #: robot description's knee laser and height.
    laser_height: float = HUMANOID.knee_laser.pose.z
    body_height: float = HUMANOID.height

    def __post_init__(self) -> None:
        checked = {**vars(self.limits), "cmd_timeout_s": self.cmd_timeout_s,
                   "laser_height": self.laser_height, "body_height": self.body_height}
        for name in ("robot_radius", "max_linear_accel", "max_angular_accel", "cmd_timeout_s",
                     "laser_height", "body_height"):
            v = checked[name]
            if not (math.isfinite(v) and v > 0.0):
                raise SimConfigError(f"sim {name} must be > 0, got {v}")
        for name in ("max_linear_speed", "max_reverse_speed", "max_angular_speed"):
            v = checked[name]
            if not (math.isfinite(v) and v >= 0.0):
                raise SimConfigError(f"sim {name} must be >= 0, got {v}")

    @property
    def velocity_limits(self) -> VelocityLimits:
        lim = self.limits
        return VelocityLimits(lim.max_linear_speed, lim.max_reverse_speed,
                              lim.max_angular_speed, lim.max_linear_accel,
                              lim.max_angular_accel)


class Simulator:
    def __init__(self, world: World, config: SimConfig = SimConfig(), seed: int = 0,
                 start: Pose2D | None = None) -> None:
        self.world = world
        self.config = config
        self.lidar: LidarConfig = config.lidar
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        # A world file's shapes (the lidar those its plane crosses, the body those over its
        # height) or a map's cells: one SimObstacles for both.
        self._collision = obstacles_for(world, config.limits.robot_radius, config.laser_height,
                                        config.body_height)
        self._lidar = Lidar(config.lidar, self._collision)
        self._limits = config.velocity_limits
        self._pose = start if start is not None else Pose2D(world.start.x, world.start.y,
                                                            world.start.yaw)
        self._velocity = ZERO_VELOCITY
        self._in_contact = self._collision.clearance(self._pose.x, self._pose.y) <= 0.0
        self.battery = Battery(config.battery)
        self.collisions = 0
        self.distance_walked = 0.0
        self.time = 0.0
        self._command = ZERO_VELOCITY
        self._command_t = -math.inf

    # --- state ----------------------------------------------------------------------------

    @property
    def pose(self) -> Pose2D:
        return self._pose

    @property
    def velocity(self) -> Velocity:
        """Actual body velocity after limits, collisions and an empty battery."""
        return self._velocity

    @property
    def angle_increment(self) -> float:
        return self.lidar.angle_increment

    @property
    def in_contact(self) -> bool:
        return self._in_contact

    def clearance(self) -> float:
        """Gap (m) between the body's surface and the nearest obstacle."""
        return self._collision.clearance(self._pose.x, self._pose.y)

    # --- commands (the robot's own command timeout) ---------------------------------------

    def set_command(self, command: Velocity, now: float) -> bool:
        """Take a cmd_vel received at `now` (any monotonic clock); False (ignored) when it is
        not finite, as a real locomotion controller refuses garbage."""
        if not command.is_finite():
            return False
        self._command, self._command_t = command, now
        return True

    def command_fresh(self, now: float) -> bool:
        return now - self._command_t <= self.config.cmd_timeout_s

    def drive(self, now: float, dt: float, extra_load_w: float = 0.0) -> None:
        """Step under the last command while it is fresh; after `cmd_timeout_s` without one the
        robot brakes to a stop under its acceleration limits (the robot protects itself
        against a dead brain, whatever the watchdog does)."""
        self.step(self._command if self.command_fresh(now) else ZERO_VELOCITY, dt,
                  extra_load_w)

    # --- stepping -------------------------------------------------------------------------

    def step(self, command: Velocity, dt: float, extra_load_w: float = 0.0) -> None:
        """Advance dt seconds under command; a non-finite command counts as stop."""
        if not (math.isfinite(dt) and dt >= 0.0):
            raise ValueError(f"dt must be a finite number >= 0, got {dt}")
        if not (math.isfinite(extra_load_w) and extra_load_w >= 0.0):
            raise ValueError(f"extra_load_w must be a finite number >= 0, got {extra_load_w}")
        if dt == 0.0:
            return
        command = sanitize(command)
        lim = self._limits
        n = max(math.ceil(dt / _MAX_SUBSTEP_S),
                math.ceil(max(lim.max_linear_speed, lim.max_reverse_speed) * dt
                          / _MAX_SUBSTEP_M),
                math.ceil(lim.max_angular_speed * dt / _MAX_SUBSTEP_RAD), 1)
        h = dt / n
        for _ in range(n):
            self._substep(command, h, extra_load_w)
        self.time += dt

    def _substep(self, command: Velocity, h: float, extra_load_w: float) -> None:
        if self.battery.depleted:
            # The robot has shut down: it neither moves nor draws power.
            self._velocity = ZERO_VELOCITY
            self.battery.drain(0.0, h)
            return
        v = accelerate(self._velocity, command, self._limits, h)
        p0 = self._pose
        p1 = integrate(p0, v, h)
        frac = self._collision.sweep(p0.x, p0.y, p1.x, p1.y)
        if frac < 1.0:
            # Stopped at the surface: the turn still happens (a circle may spin in place),
            # the forward motion ends there and must build up again from zero.
            moved = Pose2D(p0.x + frac * (p1.x - p0.x), p0.y + frac * (p1.y - p0.y), p1.yaw)
            if not self._in_contact:
                self.collisions += 1
            self._in_contact = True
            travelled = abs(v.linear) * h * frac
            self._velocity = Velocity(0.0, v.angular)
            self._pose = moved
            power_speed = travelled / h
        else:
            self._pose = p1
            self._velocity = v
            travelled = abs(v.linear) * h
            power_speed = abs(v.linear)
            if self._in_contact and self.clearance() > self._collision.contact_release_m:
                self._in_contact = False
        self.distance_walked += travelled
        self.battery.drain(self.config.battery.load_w(power_speed, extra_load_w), h)

    # --- sensing --------------------------------------------------------------------------

    def scan(self) -> np.ndarray:
        """Ranges (beams,) from the laser at the body centre; +inf where nothing returns."""
        return self._lidar.scan(self._pose, self._rng)

    # --- reporting ------------------------------------------------------------------------

    def health(self) -> HealthReport:
        pct = self.battery.percentage
        if self.battery.depleted:
            level, message = Level.ERROR, "battery empty: robot shut down"
        elif self._in_contact:
            level, message = Level.WARN, "in contact with an obstacle"
        elif pct < _BATTERY_LOW:
            level, message = Level.WARN, f"battery low ({pct:.0%})"
        else:
            level, message = Level.OK, "running"
        return HealthReport("simulator", level, message, {
            "distance_walked_m": round(self.distance_walked, 4),
            "collisions": self.collisions,
            "battery_percentage": round(pct, 6),
            "energy_used_wh": round(self.battery.energy_used_wh, 6),
            "battery_voltage_v": round(self.battery.voltage, 4),
            "power_w": round(self.battery.power_w, 3),
            "sim_time_s": round(self.time, 3),
            "x": round(self._pose.x, 4),
            "y": round(self._pose.y, 4),
            "yaw": round(self._pose.yaw, 4),
        })
