"""The planner's composition root: the parts a PlannerSession runs with, built from its config.

Built once, before any tick and in an order that leaves nothing running on a bad setting: the
vertical tier (~50 ms, its model checked against its metadata, so a missing or corrupt model
is a start-up error), the LLM workers, and the route worker (a process that loads the world
and builds the route grid itself, robot_brain.core.navigation.route_jobs.ProcessRoutes: a
query on a large map takes hundreds of ms and must never hold the tick). ROS-free: the planner
node only wires the result to topics.
"""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.llm.registry import backend_identity, validate_config
from robot_brain.core.llm.worker import LlmWorker
from robot_brain.core.navigation.route_jobs import ProcessRoutes
from robot_brain.core.planner.backend_pool import BackendInfo, BackendPool, make_backend_infos
from robot_brain.core.planner.node_config import PlannerNodeConfig
from robot_brain.core.planner.session import PlannerSession
from robot_brain.core.planner.vertical.planner import VerticalPlanner
from robot_brain.core.world import World


@dataclass(frozen=True)
class PlannerAssembly:
    session: PlannerSession
    #: Every backend some power mode can choose, preferred first.
    backends: tuple[str, ...]
    #: Local backends left off at start by power gating.
    gated_off: tuple[str, ...]
    #: The route worker in words, or "route planning off".
    route_info: str
    #: The route worker (None when route planning is off or Nav2 drives motion).
    routes: ProcessRoutes | None
    #: The vertical tier answers first (vertical_tier).
    vertical: bool

    def describe(self, config: PlannerNodeConfig) -> str:
        """One start-up line: what answers instructions, and how."""
        choice = config.session.backend_choice
        vertical = (f"vertical tier first (threshold {config.session.vertical_threshold:g})"
                    if self.vertical else "vertical tier off")
        stopped = f" (starts off: {list(self.gated_off)})" if self.gated_off else ""
        return (f"world '{self.session.world.name}', backends {list(self.backends)} (preferred "
                f"{choice.preferred}), backend choice normal={choice.backend_normal} "
                f"eco={choice.backend_eco} critical={choice.backend_critical}, accelerator "
                f"power gating {'on' if config.pool.power_gate else 'off'}{stopped}, "
                f"{self.route_info}, {vertical}")


def start_route_worker(config: PlannerNodeConfig) -> tuple[ProcessRoutes | None, str]:
    """The route worker (None when route planning is off or Nav2 drives motion) and what it
    is in words. It loads the same world and places files as the node."""
    if config.motion.nav2:
        return None, "motion by Nav2 (it plans its own routes)"
    if not config.route_planning:
        return None, "route planning off"
    r = config.robot
    routes = ProcessRoutes(r.world_file, r.places_file, r.limits.robot_radius, config.route,
                           nice=config.workers.nice)
    return routes, (f"routes at {config.route.resolution} m, inflation "
                    f"{config.route.inflation} m, in a worker process")


def backend_infos(config: PlannerNodeConfig, names: tuple[str, ...]) -> dict[str, BackendInfo]:
    """The backend choice's figures per backend: identity, the LLM device's power (the belief
    shared with the power monitor) and the expected time before any is measured."""

    def identify(name: str) -> tuple[str, str]:
        backend = config.backend_config(name)
        validate_config(backend)
        _, model, locality = backend_identity(backend)
        return model, locality.value

    priors = {n: config.backend_config(n).prior_time_s for n in names}
    return make_backend_infos(names, identify, config.devices.accelerator_generating_w,
                              config.devices.modem_active_w, priors)


def launch_pool(config: PlannerNodeConfig) -> BackendPool:
    """A worker for each backend a power mode can choose (with the defaults just the preferred
    one; `auto` adds its candidates); with power gating a local one the normal mode cannot use
    stays off."""
    choice = config.session.backend_choice
    names = choice.backends_needed()
    workers = config.workers
    return BackendPool.launch(
        choice, backend_infos(config, names),
        lambda name: LlmWorker(config.backend_config(name),
                               hang_timeout_s=workers.hang_timeout_s, nice=workers.nice),
        config.pool)


def assemble(world: World, config: PlannerNodeConfig) -> PlannerAssembly:
    vertical = (VerticalPlanner(world, config.session.limits) if config.vertical_tier
                else None)
    pool = launch_pool(config)
    routes, route_info = start_route_worker(config)
    session = PlannerSession(world, config.session_config, pool, route_planner=routes,
                             vertical=vertical)
    return PlannerAssembly(session, config.session.backend_choice.backends_needed(),
                           tuple(pool.gated_off), route_info, routes, vertical is not None)
