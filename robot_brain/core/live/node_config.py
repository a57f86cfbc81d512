"""The live view node's settings: the WebSocket server, the stream rates, the frames."""

from __future__ import annotations

from dataclasses import dataclass

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import Frames, RobotConfig

#: Where the server binds when `host` is blank: this machine only.
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class LiveViewConfig:
    robot: RobotConfig = group(RobotConfig)
    host: str = param(LOOPBACK, "Address the WebSocket server binds to. The loopback default "
                      "admits this machine only; '0.0.0.0' or a LAN address exposes every "
                      "served topic to the network without authentication: an explicit choice.")
    port: int = param(8765, "TCP port of the WebSocket server (0 = any free port, logged).",
                      min=0, max=65535)
    max_rate_hz: float = param(20.0, "Rate at which stream channels (scan, odom, cmd_vel, "
                               "obstacles, transforms) take the newest sample; faster streams "
                               "are thinned, never queued.", unit="Hz", min=0.5, max=1000.0)
    client_backlog: int = param(128, "Messages queued per WebSocket client; when full the "
                                "oldest is dropped, so a slow client loses data and never "
                                "slows the brain.", min=8, max=100000)
    world_period_s: float = param(10.0, "Period of the world and robot scenes (also sent as "
                                  "soon as a client subscribes to them).", unit="s", min=0.5,
                                  max=3600.0)
    goal_timeout_s: float = param(5.0, "A planner/goal not refreshed this long is no longer "
                                  "drawn.", unit="s", min=0.5, max=600.0)
    nice: int = param(10, "Nice level of the whole process (all its threads: executor, DDS, "
                      "WebSocket server), so it yields the CPU to the fast path.", min=0, max=19)
    diagnostics_period_s: float = param(1.0, "Period of the live view's /diagnostics.",
                                        unit="s", min=0.1, max=60.0)
    frames: Frames = group(Frames)

    @property
    def bind_host(self) -> str:
        return self.host.strip() or LOOPBACK
