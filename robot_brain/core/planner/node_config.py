"""The planner node's settings: the backends, their workers, the session, the routes, the tick.

Every registered LLM backend's parameters come from its own config class through the registry
(robot_brain.core.llm.registry.settings_class); the LLM devices' power is the belief the power
monitor shares (robot_brain.core.power.draw_model.LlmDevicePower).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar, Mapping

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotConfig
from robot_brain.core.llm.registry import settings_class
from robot_brain.core.llm.types import BackendConfig
from robot_brain.core.navigation.localization import LocalizationConfig
from robot_brain.core.navigation.route_config import RoutePlannerConfig
from robot_brain.core.planner.backend_pool import PoolConfig
from robot_brain.core.planner.executive import check_config as check_executive_config
from robot_brain.core.planner.instruct_goals import InstructConfig
from robot_brain.core.planner.nav2_motion import MotionConfig
from robot_brain.core.planner.session import SessionConfig
from robot_brain.core.power.battery_state import BatteryConventions
from robot_brain.core.power.draw_model import LlmDevicePower


@dataclass(frozen=True)
class LlmWorkerSettings:
    """How each backend's worker process runs."""

    nice: int = param(10, "Nice level of the LLM worker processes.", min=-20, max=19)
    hang_timeout_s: float = param(60.0, "A worker silent this long on a request is killed and "
                                  "restarted.", unit="s", min=0.5, max=3600.0)


@dataclass(frozen=True)
class PlannerNodeConfig:
    #: Parameters renamed (old -> new): an old name in a params file is refused at start.
    RENAMED_PARAMS: ClassVar[Mapping[str, str]] = {
        "auto_local_power_w": "accelerator_generating_w",
        "auto_remote_power_w": "modem_active_w"}

    robot: RobotConfig = group(RobotConfig)
    backends: Any = group(settings_class())
    workers: LlmWorkerSettings = group(LlmWorkerSettings)
    session: SessionConfig = group(SessionConfig)
    goal_republish_hz: float = param(2.0, "planner/goal rate while a motion step is active.",
                                     unit="Hz", min=1.0, max=50.0)
    tick_hz: float = param(20.0, "Rate of the poll/execute timer (steady clock).", unit="Hz",
                           min=5.0, max=200.0)
    status_hz: float = param(2.0, "Periodic planner/status rate (also sent on every change).",
                             unit="Hz", min=1.0, max=50.0)
    goal_frame: str = param("odom", "frame_id of planner/goal (world coordinates = odom).")
    vertical_tier: bool = param(True, "Ask the vertical planner model (ONNX, milliseconds, in "
                                "this process) before the LLM; false = every instruction goes "
                                "to the LLM.")
    # Global routes for motion steps (the controller stays reactive; it gets waypoints).
    route_planning: bool = param(True, "Route navigate_to/dock steps round walls and furniture: "
                                 "planner/goal carries the route's waypoints (A* on the world's "
                                 "occupancy grid) instead of the step's target; false = the "
                                 "target directly.")
    route: RoutePlannerConfig = group(RoutePlannerConfig, prefix="route_")
    #: The LLM devices' draw: the energy `auto` charges each backend (the power monitor's).
    devices: LlmDevicePower = group(LlmDevicePower, shared=True)
    pool: PoolConfig = group(PoolConfig)
    #: How the robot fills BatteryState (the power monitor's too; checked equal at start).
    battery: BatteryConventions = group(BatteryConventions)
    #: Who drives motion steps (the brain's own controller, or Nav2), and the Instruct action.
    motion: MotionConfig = group(MotionConfig)
    instruct: InstructConfig = group(InstructConfig)
    #: Where the robot's map pose comes from (docs/maps.md): none (map = odom), a pose topic, tf.
    localization: LocalizationConfig = group(LocalizationConfig)

    def __post_init__(self) -> None:
        s = self.session
        check_executive_config(s.goal_tolerance, s.step_timeout_s, s.waypoint_tolerance,
                               routed=self.routed)
        s.backend_choice.check()

    @property
    def routed(self) -> bool:
        """The brain plans routes itself (route_planning, unless Nav2 drives motion)."""
        return self.route_planning and not self.motion.nav2

    @property
    def session_config(self) -> SessionConfig:
        """The session's settings, told whether another motion layer drives motion steps."""
        return replace(self.session, external_motion=self.motion.nav2)

    def backend_config(self, kind: str) -> BackendConfig:
        """The settings of backend `kind` (a kind of the registry)."""
        config: BackendConfig = getattr(self.backends, kind)
        return config
