"""The perception node's settings: the sector model, the input bound, the scene."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

from robot_brain.core.config.params import group, param
from robot_brain.core.config.process import RealtimeSettings
from robot_brain.core.config.robot import RobotConfig
from robot_brain.core.perception.cloud.config import SourceConfig, SourcesConfig
from robot_brain.core.perception.scene import SceneConfig
from robot_brain.core.perception.sectors import DEFAULT_SECTORS


@dataclass(frozen=True)
class PerceptionNodeConfig:
    robot: RobotConfig = group(RobotConfig)
    n_sectors: int = param(DEFAULT_SECTORS, "Sectors over [-pi, pi) on perception/obstacles; "
                           "must equal the controller policy's input size.", min=1, max=360)
    model_path: str = param("", "Sector ONNX model; '' = the packaged model (built in memory "
                            "when n_sectors differs from the packaged one). Checked against the "
                            "contract of robot_brain.core.perception.model_contract at start.")
    max_beams: int = param(8192, "Scans with more beams are dropped with a warning (bounds the "
                           "per-scan work).", min=1, max=1_000_000)
    scene: SceneConfig = group(SceneConfig, prefix="scene_")
    scan_timeout_s: float = param(0.5, "A scan older than this is stale: the scene shows "
                                  "unknown surroundings and diagnostics warn.", unit="s",
                                  min=0.05, max=60.0)
    odom_timeout_s: float = param(1.0, "Odometry older than this makes the scene's robot pose "
                                  "unknown.", unit="s", min=0.05, max=60.0)
    realtime: RealtimeSettings = group(RealtimeSettings)
    #: The sensor sources' shared settings; each name in its `sources` list gets its own
    #: SourceConfig group, `<name>.<field>` (declared once the list is read: PER_NAME_GROUPS).
    sources: SourcesConfig = group(SourcesConfig)

    #: Groups declared per name of a list parameter: {list parameter: group class}.
    PER_NAME_GROUPS: ClassVar[Mapping[str, type[Any]]] = {"sources": SourceConfig}
