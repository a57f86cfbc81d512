"""The robot every node shares: its world, its command type and its limits.

These are the `/**:` block of config/brain.yaml, declared by every node (each node's config
holds `RobotConfig` as a group). The limits are also a shared group of the components that
enforce or plan with them (the safety filter, the analytic expert, the simulator), so a
component built alone in a test gets the same defaults as the running robot.
"""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.config.params import group, param


@dataclass(frozen=True)
class RobotLimits:
    """The walking base's speed and acceleration limits, its footprint, and when a goal counts
    as reached. Checked where they are used: each component refuses, with its own error, the
    limits it cannot work with (a value from ROS is range-checked on declaration)."""

    max_linear_speed: float = param(0.6, "Forward speed limit of the walking base.",
                                    unit="m/s", min=0.0, max=3.0)
    max_reverse_speed: float = param(0.2, "Backward speed limit of the walking base.",
                                     unit="m/s", min=0.0, max=1.0)
    max_angular_speed: float = param(1.0, "Yaw-rate limit of the walking base.", unit="rad/s",
                                     min=0.0, max=6.0)
    max_linear_accel: float = param(0.8, "Forward acceleration limit.", unit="m/s^2",
                                    min=0.01, max=10.0)
    max_angular_accel: float = param(3.0, "Yaw acceleration limit.", unit="rad/s^2",
                                     min=0.01, max=30.0)
    robot_radius: float = param(0.25, "Radius of the robot's footprint circle.", unit="m",
                                min=0.05, max=1.0)
    goal_tolerance: float = param(0.3, "Distance at which a goal counts as reached.", unit="m",
                                  min=0.05, max=2.0)


@dataclass(frozen=True)
class RobotConfig:
    """The parameters every node declares (the `/**:` block)."""

    world_file: str = param("", "World YAML (walls, obstacles, places, bounds) or a map YAML "
                            "as map_saver writes it (docs/maps.md); '' = the packaged "
                            "apartment world.")
    places_file: str = param("", "Places file (named places of the map, aliases, a sim start; "
                             "docs/maps.md); '' = the world file's places, or for a map "
                             "<map>.places.yaml beside it when there is one.")
    cmd_vel_stamped: bool = param(True, "cmd_vel and controller/cmd_vel carry TwistStamped "
                                  "(true) or Twist (false).")
    limits: RobotLimits = group(RobotLimits, shared=True)


@dataclass(frozen=True)
class Frames:
    """The robot's TF frame names, as the sim publishes them and the live view draws them."""

    odom_frame: str = param("odom", "Fixed frame: odom's pose (parent of base_frame), the "
                            "world, the goal.")
    base_frame: str = param("base_link", "The robot's body frame.")
    laser_frame: str = param("laser", "Frame of `scan` (on the body's axis, at the knee-height "
                             "laser of the robot description).")
