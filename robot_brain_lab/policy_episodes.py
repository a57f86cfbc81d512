"""Lockstep episodes on the sim core: the pure-Python stand-in for the ROS graph.

One step = scan -> sector minima (perception's reference) -> policy -> safety filter ->
simulator.step(dt), all in one thread, as fast as the CPU allows. Used to evaluate the
policies (test/unit/test_policy_episodes.py) and to generate training data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from robot_brain.core.control.policy import Policy
from robot_brain.core.control.safety_filter import SafetyConfig, SafetyFilter, SafetyInputs
from robot_brain.core.geometry import Velocity
from robot_brain.core.perception.sectors import sector_minima
from robot_brain.core.sim.simulator import SimConfig, Simulator
from robot_brain_lab.policy_scenarios import Scenario

#: Called every step with (sector minima, goal dx, goal dy, current velocity) before the policy.
StepHook = Callable[[np.ndarray, float, float, Velocity], None]


@dataclass(frozen=True)
class EpisodeConfig:
    dt: float = 0.05
    time_limit_s: float = 60.0
    goal_tolerance: float = 0.3
    n_sectors: int = 16


@dataclass(frozen=True)
class EpisodeResult:
    seed: int
    success: bool
    collisions: int
    time_s: float
    steps: int
    path_length: float
    min_clearance: float
    interventions: dict[str, int] = field(default_factory=dict)


def run_episode(scenario: Scenario, policy: Policy, safety: SafetyConfig,
                config: EpisodeConfig = EpisodeConfig(), sim_config: SimConfig = SimConfig(),
                on_step: StepHook | None = None) -> EpisodeResult:
    sim = Simulator(scenario.world, sim_config, seed=scenario.seed, start=scenario.start)
    filt = SafetyFilter(safety, config.n_sectors)
    lidar = sim.lidar
    gx, gy = scenario.goal
    steps = 0
    success = False
    min_clearance = math.inf
    max_steps = int(math.ceil(config.time_limit_s / config.dt))
    while steps < max_steps:
        pose = sim.pose
        dx, dy = pose.to_local(gx, gy)
        if math.hypot(dx, dy) <= config.goal_tolerance:
            success = True
            break
        sectors = sector_minima(sim.scan(), lidar.angle_min, lidar.angle_increment,
                                lidar.range_min, lidar.range_max, config.n_sectors)
        velocity = sim.velocity
        if on_step is not None:
            on_step(sectors, dx, dy, velocity)
        cmd = policy.command(sectors, dx, dy, velocity)
        out = filt.apply(cmd, SafetyInputs(sectors=sectors, dt=config.dt))
        sim.step(out.velocity, config.dt)
        min_clearance = min(min_clearance, sim.clearance())
        steps += 1
    return EpisodeResult(
        seed=scenario.seed, success=success and sim.collisions == 0,
        collisions=sim.collisions, time_s=sim.time, steps=steps,
        path_length=sim.distance_walked, min_clearance=min_clearance,
        interventions={r.value: n for r, n in filt.counts.items() if n})
