"""Place-to-place legs in the lockstep core, driven the way the running brain drives them.

One step = the planner's executive (one navigate_to step, optionally with a route planner)
-> its goal to the controller's tick (policy + safety filter, robot_brain.core.control) ->
simulator.step(dt). The executive's step timeout is the leg's time limit, so a leg fails
exactly where a mission's navigate_to step would. Used by scripts/eval_place_legs.py and
test/unit/test_navigation_route.py.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from typing import Protocol

from robot_brain.core.control.controller import ControllerConfig, ControllerCore
from robot_brain.core.control.goals import Goal as ControlGoal
from robot_brain.core.control.policy import Policy
from robot_brain.core.control.safety_filter import SafetyConfig, SafetyFilter
from robot_brain.core.geometry import Pose2D, Velocity
from robot_brain.core.navigation.route_planner import RouteSource
from robot_brain.core.perception.sectors import sector_minima
from robot_brain.core.planner.executive import ExecOutput, Executive
from robot_brain.core.planner.skills import Plan, Skill, Step
from robot_brain.core.sim.simulator import SimConfig, Simulator
from robot_brain.core.world import Bounds, Place, World

#: A failed leg is classified over this last stretch of its run.
DIAGNOSIS_WINDOW_S = 15.0


@dataclass(frozen=True)
class LegConfig:
    dt: float = 0.05
    time_limit_s: float = 60.0
    goal_tolerance: float = 0.3
    waypoint_tolerance: float = 0.35
    n_sectors: int = 16


@dataclass(frozen=True)
class LegResult:
    source: str
    destination: str
    success: bool      # reached within the time limit without a collision
    time_s: float
    collisions: int
    path_length: float
    final_distance: float  # to the destination, m
    waypoints: int     # route waypoints handed out (0 = direct goal)
    route_failed: bool  # a route planner was given but found no route
    diagnosis: str     # '' on success, else why the leg failed

    @property
    def name(self) -> str:
        return f"{self.source} -> {self.destination}"


def leg_pairs(world: World) -> list[tuple[Place, Place]]:
    """The world's start to every place, and every place to every other place."""
    places = list(world.places.values())
    pairs = [(world.start, p) for p in places]
    pairs += [(a, b) for a in places for b in places if a.name != b.name]
    return pairs


class SteppedSim(Protocol):
    """What a leg drives: the built-in sim or MuJoCo (core.sim.mujoco)."""

    @property
    def velocity(self) -> Velocity: ...

    def step(self, command: Velocity, dt: float, extra_load_w: float = 0.0) -> None: ...


def navigate_to(place: Place, policy: Policy, safety: SafetyConfig, n_sectors: int,
                goal_tolerance: float, time_limit_s: float, waypoint_tolerance: float,
                bounds: Bounds, route_planner: RouteSource | None
                ) -> tuple[ControllerCore, Executive]:
    """The controller and the executive of one navigate_to step to `place`, started at 0."""
    limits = replace(safety.limits, goal_tolerance=goal_tolerance)
    core = ControllerCore(policy, SafetyFilter(safety, n_sectors), ControllerConfig(
        n_sectors=n_sectors, limits=limits, bounds=bounds))
    executive = Executive(goal_tolerance, time_limit_s, route_planner, waypoint_tolerance)
    executive.start(Plan((Step(Skill.NAVIGATE_TO, place=place.name, x=place.x, y=place.y,
                               yaw=place.yaw),)), 0.0)
    return core, executive


def follow(core: ControllerCore, sim: SteppedSim, out: ExecOutput, pose: Pose2D,
           now: float, dt: float) -> None:
    """One control step: odometry, the executive's hold and goal into the controller, its
    command into the sim for `dt`."""
    core.on_odom(pose, sim.velocity, now)
    core.hold = out.hold
    if out.goal is not None:
        core.on_goal(ControlGoal(out.goal.x, out.goal.y), now)
    sim.step(core.tick(now, dt).velocity, dt)


def run_leg(world: World, source: Place, destination: Place, policy: Policy,
            route_planner: RouteSource | None = None, config: LegConfig = LegConfig(),
            safety: SafetyConfig = SafetyConfig(), sim_config: SimConfig = SimConfig(),
            seed: int = 0) -> LegResult:
    """Drive from `source` (its pose) to `destination` as one navigate_to step."""
    sim = Simulator(world, sim_config, seed=seed,
                    start=Pose2D(source.x, source.y, source.yaw))
    core, executive = navigate_to(destination, policy, safety, config.n_sectors,
                                  config.goal_tolerance, config.time_limit_s,
                                  config.waypoint_tolerance, world.bounds, route_planner)
    lidar = sim.lidar
    # (time, x, y, goal distance, path length) every step, for the diagnosis.
    track: deque[tuple[float, float, float, float, float]] = deque(
        maxlen=int(DIAGNOSIS_WINDOW_S / config.dt) + 1)
    waypoints = 0
    route_failed = False
    outcome = ""
    while True:
        now = sim.time
        pose = sim.pose
        out = executive.tick(now, pose)
        for ev in out.events:
            if ev.kind == "route_planned":
                waypoints = len(executive.route)
            elif ev.kind == "route_failed":
                route_failed = True
        if out.outcome != "running":
            outcome = out.outcome
            break
        track.append((now, pose.x, pose.y,
                      math.hypot(destination.x - pose.x, destination.y - pose.y),
                      sim.distance_walked))
        core.on_obstacles(sector_minima(sim.scan(), lidar.angle_min, lidar.angle_increment,
                                        lidar.range_min, lidar.range_max, config.n_sectors),
                          None, now)
        follow(core, sim, out, pose, now, config.dt)
    pose = sim.pose
    final = math.hypot(destination.x - pose.x, destination.y - pose.y)
    reached = outcome == "done"
    success = reached and sim.collisions == 0
    return LegResult(
        source=source.name, destination=destination.name, success=success, time_s=sim.time,
        collisions=sim.collisions, path_length=sim.distance_walked, final_distance=final,
        waypoints=waypoints, route_failed=route_failed,
        diagnosis="" if success else _diagnose(reached, sim.collisions, final, list(track)))


def _diagnose(reached: bool, collisions: int, final: float,
              track: list[tuple[float, float, float, float, float]]) -> str:
    if reached:
        return f"reached with {collisions} collision(s)"
    if len(track) < 2:
        return f"timed out {final:.2f} m from the goal"
    t0, x0, y0, d0, s0 = track[0]
    t1, x1, y1, d1, s1 = track[-1]
    closed = d0 - d1
    walked = s1 - s0
    net = math.hypot(x1 - x0, y1 - y0)
    span = t1 - t0
    where = f"{final:.2f} m short at ({x1:.2f}, {y1:.2f})"
    if closed > 0.05 * span:
        # Still closing in at > 5 cm/s over the last window: it would get there, too slowly.
        return f"too slow: {where}, still closing at {closed / span:.2f} m/s"
    if walked < 0.3:
        return f"stuck (local minimum): {where}, moved {walked:.2f} m in the last {span:.0f} s"
    return (f"oscillating: {where}, walked {walked:.1f} m but moved {net:.2f} m net in the "
            f"last {span:.0f} s")
