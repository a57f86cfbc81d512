"""The sim node's settings: the simulated robot, its sensor rates and the planner's true loads."""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.config.params import group, param
from robot_brain.core.config.process import RealtimeSettings
from robot_brain.core.config.robot import Frames, RobotConfig
from robot_brain.core.sim.clock import SimClockConfig
from robot_brain.core.sim.loads import PlannerLoads
from robot_brain.core.sim.odometry import OdometryDriftConfig
from robot_brain.core.sim.simulator import SimConfig


@dataclass(frozen=True)
class SimNodeConfig:
    robot: RobotConfig = group(RobotConfig)
    seed: int = param(0, "Seed of the lidar noise; the same seed gives the same run.", min=0,
                      max=2**31 - 1)
    physics_rate_hz: float = param(100.0, "Physics steps per second (steady clock).", unit="Hz",
                                   min=1.0, max=1000.0)
    scan_rate_hz: float = param(10.0, "LaserScan rate on `scan`.", unit="Hz", min=0.1,
                                max=100.0)
    odom_rate_hz: float = param(50.0, "Odometry (and TF) rate on `odom`.", unit="Hz", min=0.1,
                                max=500.0)
    battery_rate_hz: float = param(1.0, "BatteryState rate on `battery_state`.", unit="Hz",
                                   min=0.01, max=50.0)
    sim: SimConfig = group(SimConfig)
    loads: PlannerLoads = group(PlannerLoads)
    publish_clock: bool = param(False, "Publish the simulation time on /clock.")
    clock: SimClockConfig = group(SimClockConfig)
    frames: Frames = group(Frames)
    realtime: RealtimeSettings = group(RealtimeSettings)
    #: Drifting odometry and a localiser's pose on the map (docs/maps.md, localisation).
    drift: OdometryDriftConfig = group(OdometryDriftConfig)
