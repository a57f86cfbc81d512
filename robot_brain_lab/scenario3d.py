"""The "why 3-D" scenario in MuJoCo, lockstep and ROS-free (docs/mujoco.md).

The brain drives one navigate_to leg the way it runs: the planner's executive with the route
planner on the brain's map (mapped obstacles only) -> one waypoint at a time to the
controller core (policy + safety filter) -> the MuJoCo sim. What differs between runs is what
perception is fed: the knee-height 2-D scan alone (`knee_scan_sectors`), or the head lidar's
cloud (`head_cloud_sectors`, perception's cloud sources; where they are not installed it says
so). In robot_brain/worlds/apartment_rearranged.yaml furniture moved since the map was made
(a table top on legs, a bar's overhang) stands on the route; the 2-D brain walks into it,
the 3-D one walks round it. Used by test/unit/test_scenario3d.py and bench/mujoco_bench.py.

mujoco is imported only when a run starts.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from robot_brain.core.control.controller import ControllerConfig, ControllerCore
from robot_brain.core.control.goals import Goal as ControlGoal
from robot_brain.core.control.policy import Policy
from robot_brain.core.control.safety_filter import SafetyConfig, SafetyFilter
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.navigation.route_planner import RoutePlanner
from robot_brain.core.perception.sectors import sector_minima
from robot_brain.core.planner.executive import Executive
from robot_brain.core.planner.skills import Plan, Skill, Step
from robot_brain.core.sim.mujoco.config import MujocoSimConfig
from robot_brain.core.sim.simulator import SimConfig
from robot_brain.core.world import load_world_file

if TYPE_CHECKING:
    from robot_brain.core.sim.mujoco.simulator import MujocoSimulator

#: The scenario's world and the legs on which moved furniture stands on the planned route.
SCENARIO_WORLD = "apartment_rearranged.yaml"
SCENARIO_PLACES = ("door", "window")


class CloudPerceptionUnavailable(ConfigurationError):
    """Perception's cloud sources (robot_brain.core.perception.cloud) are not installed."""


#: sectors(sim, now) -> perception's N sector minima (the contract of perception/obstacles).
#: One may serve several runs: whatever state it keeps belongs to the simulator it is given.
SectorSource = Callable[["MujocoSimulator", float], np.ndarray]


def knee_scan_sectors(n_sectors: int) -> SectorSource:
    """The 2-D brain: the knee laser's scan through the sector contract, as perception does
    for a centred, horizontal laser."""
    def sectors(sim: MujocoSimulator, now: float) -> np.ndarray:
        lidar = sim.knee_lidar
        return sector_minima(sim.scan(), lidar.angle_min, lidar.angle_increment,
                             lidar.range_min, lidar.range_max, n_sectors)
    return sectors


#: Perception's cloud sources, and this package's adapter of them to a SectorSource.
CLOUD_PERCEPTION = "robot_brain.core.perception.cloud"
CLOUD_ADAPTER = "robot_brain_lab.cloud_adapter"


def head_cloud_sectors(n_sectors: int, with_knee_scan: bool = False) -> SectorSource:
    """The 3-D brain: the head lidar's cloud through perception's cloud sources (levelled with
    the sim's attitude, height band, self-filter), optionally merged with the knee scan.
    Raises CloudPerceptionUnavailable where perception has no cloud sources."""
    for module in (CLOUD_PERCEPTION, CLOUD_ADAPTER):
        if importlib.util.find_spec(module) is None:
            raise CloudPerceptionUnavailable(
                f"the 3-D brain needs perception's cloud sources ({module} is not in this "
                "tree)")
    adapter = importlib.import_module(CLOUD_ADAPTER)
    source: SectorSource = adapter.cloud_sector_source(
        n_sectors, knee_scan_sectors(n_sectors) if with_knee_scan else None)
    return source


def body_slice_sectors(n_sectors: int, beams: int = 720) -> SectorSource:
    """A reference, not a sensor: perfect 3-D perception. Every obstacle of the physical world
    that reaches into the body's height (0 .. the humanoid's top), projected onto the floor
    and ray-cast exactly from the robot's pose. It shows the scenario is solvable by the
    reactive controller once the furniture is seen at all."""
    from robot_brain.core.robot_model import HUMANOID
    from robot_brain.core.sim.lidar import Lidar, LidarConfig
    from robot_brain.core.sim.obstacles import ShapeObstacles

    config = LidarConfig(beams=beams, range_max=8.0, noise_std=0.0)
    cache: dict[str, Any] = {}

    def sectors(sim: MujocoSimulator, now: float) -> np.ndarray:
        if cache.get("sim") is not sim:
            solid = sim.world.between_heights(0.0, HUMANOID.height)
            cache.update(sim=sim, lidar=Lidar(config, ShapeObstacles(
                solid.segments(), solid.circles(), HUMANOID.footprint_radius)))
        lidar = cache["lidar"]
        return sector_minima(lidar.true_ranges(sim.pose), config.angle_min,
                             config.angle_increment, config.range_min, config.range_max,
                             n_sectors)
    return sectors


@dataclass(frozen=True)
class ScenarioConfig:
    dt: float = 0.05            # control step (s); the controller's tick
    sensor_period_s: float = 0.1  # perception's rate: the sensors' 10 Hz
    time_limit_s: float = 60.0
    goal_tolerance: float = 0.3
    waypoint_tolerance: float = 0.35
    n_sectors: int = 16
    sim: MujocoSimConfig = field(default_factory=MujocoSimConfig)


@dataclass(frozen=True)
class ScenarioResult:
    destination: str
    reached: bool
    contacts: int          # contact episodes of any body part with the world
    contact_with: str      # the last shape touched ('' for none)
    time_s: float
    final_distance: float  # to the destination, m
    path_length: float
    sim_cost_ms_per_s: float  # the simulator's own wall time per simulated second

    @property
    def success(self) -> bool:
        return self.reached and self.contacts == 0

    @property
    def line(self) -> str:
        verdict = "reached" if self.reached else f"not reached ({self.final_distance:.2f} m short)"
        touched = f", last touched {self.contact_with}" if self.contact_with else ""
        return (f"{self.destination}: {verdict} in {self.time_s:.1f} s, {self.contacts} "
                f"contact(s){touched}, walked {self.path_length:.1f} m")


def run_scenario(destination: str, sectors: SectorSource, policy: Policy,
                 config: ScenarioConfig = ScenarioConfig(), world_file: str = SCENARIO_WORLD,
                 safety: SafetyConfig = SafetyConfig()) -> ScenarioResult:
    """Drive from the world's start to `destination` as one navigate_to step."""
    from robot_brain.core.sim.mujoco.simulator import MujocoSimulator

    physical = load_world_file(world_file, include_unmapped=True)
    brain_map = load_world_file(world_file)
    place = brain_map.places[destination]
    sim = MujocoSimulator(physical, config.sim, SimConfig().velocity_limits)
    limits = replace(safety.limits, goal_tolerance=config.goal_tolerance)
    core = ControllerCore(policy, SafetyFilter(safety, config.n_sectors), ControllerConfig(
        n_sectors=config.n_sectors, limits=limits, bounds=brain_map.bounds))
    executive = Executive(config.goal_tolerance, config.time_limit_s, RoutePlanner(brain_map),
                          config.waypoint_tolerance)
    executive.start(Plan((Step(Skill.NAVIGATE_TO, place=place.name, x=place.x, y=place.y,
                               yaw=place.yaw),)), 0.0)
    next_sensing = 0.0
    outcome = ""
    while True:
        now = sim.time
        pose = sim.pose
        out = executive.tick(now, pose)
        if out.outcome != "running":
            outcome = out.outcome
            break
        if now >= next_sensing - 1e-9:
            core.on_obstacles(sectors(sim, now), None, now)
            next_sensing += config.sensor_period_s
        core.on_odom(pose, sim.velocity, now)
        core.hold = out.hold
        if out.goal is not None:
            core.on_goal(ControlGoal(out.goal.x, out.goal.y), now)
        sim.step(core.tick(now, config.dt).velocity, config.dt)
    pose = sim.pose
    c = sim.costs
    cost = 1e3 * (c.physics_s + c.head_lidar_s + c.knee_laser_s) / sim.time if sim.time else 0.0
    return ScenarioResult(
        destination=destination, reached=outcome == "done", contacts=sim.collisions,
        contact_with=sim.contact_with, time_s=sim.time,
        final_distance=math.hypot(place.x - pose.x, place.y - pose.y),
        path_length=sim.distance_walked, sim_cost_ms_per_s=cost)
