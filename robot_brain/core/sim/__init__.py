"""The built-in simulated robot's core (pure Python + numpy): see simulator.Simulator."""

from __future__ import annotations

from robot_brain.core.sim.battery import Battery, BatteryConfig
from robot_brain.core.sim.lidar import LidarConfig
from robot_brain.core.sim.simulator import SimConfig, SimConfigError, Simulator

__all__ = ["Battery", "BatteryConfig", "LidarConfig", "SimConfig", "SimConfigError", "Simulator"]
