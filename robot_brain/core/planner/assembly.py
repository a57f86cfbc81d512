"""The planner's composition root: the parts a PlannerSession runs with, built from its config.

Built once, before any tick and in an order that leaves nothing running on a bad setting: the
route grid (tens of ms; each step's query is a few ms in the tick), the vertical tier (~50 ms,
its model checked against its metadata, so a missing or corrupt model is a start-up error),
and last the LLM workers. ROS-free: the planner node only wires the result to topics.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from robot_brain.core.llm.registry import backend_identity, validate_config
from robot_brain.core.llm.worker import LlmWorker
from robot_brain.core.navigation.route_planner import RoutePlanner
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
    #: The route grid in words, or "route planning off".
    route_info: str
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


def build_route_planner(world: World, config: PlannerNodeConfig) -> tuple[RoutePlanner | None,
                                                                            str]:
    """The route planner (None when route planning is off or Nav2 drives motion) and its grid
    in words."""
    if config.motion.nav2:
        return None, "motion by Nav2 (it plans its own routes)"
    if not config.route_planning:
        return None, "route planning off"
    t0 = time.monotonic()
    planner = RoutePlanner(world, config.route)
    return planner, (f"route grid {planner.nx}x{planner.ny} at {config.route.resolution} m, "
                     f"inflation {config.route.inflation} m, built in "
                     f"{(time.monotonic() - t0) * 1e3:.0f} ms")


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
    route_planner, route_info = build_route_planner(world, config)
    vertical = (VerticalPlanner(world, config.session.limits) if config.vertical_tier
                else None)
    pool = launch_pool(config)
    session = PlannerSession(world, config.session_config, pool, route_planner=route_planner,
                             vertical=vertical)
    return PlannerAssembly(session, config.session.backend_choice.backends_needed(),
                           tuple(pool.gated_off), route_info, vertical is not None)
