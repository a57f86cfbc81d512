"""The controller node's settings: the policy, the tick, the core's timeouts, the safety zones,
the phase lock."""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.config.params import group, param
from robot_brain.core.config.process import RealtimeSettings
from robot_brain.core.config.robot import RobotConfig
from robot_brain.core.control.controller import ControllerConfig
from robot_brain.core.control.phase_lock import PhaseLockConfig, PhaseLockConfigError
from robot_brain.core.control.safety_filter import SafetyConfig
from robot_brain.core.timing.holding import hold_period_s


@dataclass(frozen=True)
class ControllerNodeConfig:
    robot: RobotConfig = group(RobotConfig)
    policy: str = param("onnx", "Policy: the trained ONNX network or the analytic expert.",
                        choices=("onnx", "analytic"))
    model_path: str = param("", "Policy ONNX file; '' = the packaged robot_brain/models/"
                            "policy.onnx. Its 'sectors' input width must equal n_sectors.")
    core: ControllerConfig = group(ControllerConfig)
    rate_hz: float = param(100.0, "Control tick rate on the steady clock.", unit="Hz", min=1.0,
                           max=500.0)
    inline_tick: bool = param(True, "Run the tick from the process's spin loop, on its thread "
                              "(one wake-up per tick), instead of an rclpy timer (the "
                              "EventsExecutor's timer thread wakes the executor: two).")
    hold_publish_hz: float = param(10.0, "While the command stays exactly zero (holding), "
                                   "publish it at this rate instead of every tick, a heartbeat "
                                   "for watchdog.hold_deadline_s; any non-zero command, and "
                                   "the first zero after one, goes out at its tick. 0 = "
                                   "publish every tick.", unit="Hz", min=0.0, max=500.0)
    use_param_goal: bool = param(False, "Drive to (goal_x, goal_y) in odom instead of "
                                 "planner/goal (demo before the planner exists); never times "
                                 "out.")
    goal_x: float = param(0.0, "Parameter goal x in odom.", unit="m", min=-1e6, max=1e6)
    goal_y: float = param(0.0, "Parameter goal y in odom.", unit="m", min=-1e6, max=1e6)
    safety: SafetyConfig = group(SafetyConfig)
    frame_id: str = param("base_link", "Header frame of controller/cmd_vel (stamped mode).")
    phase_lock: bool = param(True, "Keep the fixed-rate tick just after perception/obstacles "
                             "arrives (bounded phase steps, nominal mean rate) to cut "
                             "scan->cmd_vel latency.")
    phase: PhaseLockConfig = group(PhaseLockConfig, prefix="phase_")
    realtime: RealtimeSettings = group(RealtimeSettings)

    def __post_init__(self) -> None:
        try:
            self.phase_lock_config()
        except PhaseLockConfigError as exc:
            raise PhaseLockConfigError(f"phase_lock at rate_hz {self.rate_hz:g}: {exc}") from exc

    @property
    def period_s(self) -> float:
        return 1.0 / self.rate_hz

    @property
    def hold_period_s(self) -> float:
        """Seconds between held zero commands; 0 = every tick."""
        return hold_period_s(self.hold_publish_hz, self.rate_hz)

    def phase_lock_config(self) -> PhaseLockConfig | None:
        """The phase lock at the tick's period, or None when it is off."""
        return self.phase.at_period(self.period_s) if self.phase_lock else None
