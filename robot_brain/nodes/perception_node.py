"""perception: sensors -> N sector minima around base_link on perception/obstacles, scene JSON.

Subscribes its sources (`sources`: LaserScans and PointCloud2s, sensor-data QoS; by default
the one 2D `scan`, run through the ONNX sector model) and `odom`; publishes
`perception/obstacles` (sensor_msgs/LaserScan, one range per sector, frame `base_frame`,
stamp copied from the source message), `perception/scene` (JSON,
robot_brain/schemas/scene.schema.json) and `/diagnostics`. Sources, mounts, levelling and the
merge: robot_brain/nodes/perception_sources.py and docs/perception.md.

The source callbacks do the work themselves rather than caching for a timer: perception has
no fixed rate of its own, its output should follow each message with the least delay, and
the work is bounded (a beam cap per scan, a point cap per cloud).
"""

from __future__ import annotations

import array
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from sensor_msgs.msg import LaserScan
from std_msgs.msg import String

from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import Pose2D
from robot_brain.core.perception.backend import OnnxSectorBackend
from robot_brain.core.perception.cloud.sources import SourceOutcome, SourceResult
from robot_brain.core.perception.model_contract import DEFAULT_MODEL_NAME
from robot_brain.core.perception.monitor import PerceptionMonitor
from robot_brain.core.perception.pipeline import ScanOutcome, ScanProcessor, ScanResult
from robot_brain.core.perception.scene import (
    NamedPoint,
    SceneConfig,
    build_scene,
    scene_to_dict,
)
from robot_brain.core.perception.sectors import DEFAULT_SECTORS, sector_width
from robot_brain.core.resources import package_file
from robot_brain.core.world import WorldError, load_world_file
from robot_brain.nodes.perception_sources import SOURCE_PARAMS, Output, PerceptionSources
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.odom_cdr import take_odometry
from robot_brain.ros.params import SHARED_PARAMS, ParamSpec, declare_params
from robot_brain.ros.runtime import (
    REALTIME_PARAMS,
    RealtimeSettings,
    apply_realtime,
    run_node,
)
from robot_brain.ros.throttled_log import ThrottledLog

DIAGNOSTICS_PERIOD_S = 1.0
WARN_THROTTLE_S = 5.0

PARAMS: tuple[ParamSpec, ...] = SHARED_PARAMS + (
    ParamSpec("n_sectors", DEFAULT_SECTORS, "Sectors over [-pi, pi) on perception/obstacles; "
              "must equal the controller policy's input size.", 1, 360),
    ParamSpec("model_path", "", "Sector ONNX model; '' = the packaged model (built in memory "
              "when n_sectors differs from the packaged one). Checked against the contract "
              "of robot_brain.core.perception.model_contract at start."),
    ParamSpec("max_beams", 8192, "Scans with more beams are dropped with a warning (bounds "
              "the per-scan work).", 1, 1_000_000),
    ParamSpec("scene_rate_hz", 2.0, "Rate of perception/scene (Hz).", 0.05, 50.0),
    ParamSpec("scene_max_obstacles", 3, "Nearest obstacles listed in the scene.", 1, 16),
    ParamSpec("scene_free_distance", 2.0, "A direction is free in the scene when clear beyond "
              "this distance (m).", 0.1, 100.0),
    ParamSpec("scan_timeout_s", 0.5, "A scan older than this is stale: the scene shows "
              "unknown surroundings and diagnostics warn (s).", 0.05, 60.0),
    ParamSpec("odom_timeout_s", 1.0, "Odometry older than this makes the scene's robot pose "
              "unknown (s).", 0.05, 60.0),
) + REALTIME_PARAMS


class WorldUnavailable(StartupError):
    """The world file named by `world_file` cannot be loaded (the scene needs its places)."""


@dataclass(frozen=True)
class PerceptionConfig:
    world_file: str
    n_sectors: int
    model_path: str
    max_beams: int
    scene_rate_hz: float
    scene_max_obstacles: int
    scene_free_distance: float
    scan_timeout_s: float
    odom_timeout_s: float
    realtime: RealtimeSettings

    @staticmethod
    def from_params(values: dict[str, Any]) -> PerceptionConfig:
        values = {**values, "realtime": RealtimeSettings.from_values(values)}
        return PerceptionConfig(**{k: values[k] for k in PerceptionConfig.__dataclass_fields__})


def load_backend(cfg: PerceptionConfig) -> OnnxSectorBackend:
    """The user's model, the packaged file, or (other N) the same graph built in memory."""
    if cfg.model_path:
        return OnnxSectorBackend(Path(cfg.model_path).expanduser(), cfg.n_sectors)
    packaged = package_file("models", DEFAULT_MODEL_NAME)
    if cfg.n_sectors == DEFAULT_SECTORS and packaged.is_file():
        return OnnxSectorBackend(packaged, cfg.n_sectors)
    # Imported only here: the builder pulls in the onnx package and protobuf (~11 MB of the
    # process) that the packaged model never needs.
    from robot_brain.core.perception.model_builder import model_bytes
    return OnnxSectorBackend(model_bytes(cfg.n_sectors), cfg.n_sectors,
                             label=f"<built in memory, {cfg.n_sectors} sectors>")


__all__ = ["SOURCE_PARAMS", "PerceptionNode", "main"]


class PerceptionNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("perception")
        self.cfg = PerceptionConfig.from_params(declare_params(self, PARAMS))
        # Perception is on the fast path (scan -> obstacles -> controller): the same real-time
        # knobs as the controller, so a busy machine does not delay the scan it serves.
        self.realtime = apply_realtime(self, self.cfg.realtime)
        self._log = ThrottledLog(self, WARN_THROTTLE_S)
        try:
            world = load_world_file(self.cfg.world_file)
        except WorldError as exc:
            raise WorldUnavailable(str(exc)) from exc
        self._places = tuple(NamedPoint(p.name, p.x, p.y) for p in world.places.values())
        backend = load_backend(self.cfg)
        self._processor = ScanProcessor(backend, self.cfg.max_beams)
        self._monitor = PerceptionMonitor(self.cfg.scan_timeout_s)
        self._scene_cfg = SceneConfig(max_obstacles=self.cfg.scene_max_obstacles,
                                      free_distance=self.cfg.scene_free_distance)
        self._sectors: np.ndarray | None = None
        self._sectors_t = -math.inf
        self._pose: Pose2D | None = None
        self._pose_t = -math.inf

        n = self.cfg.n_sectors
        self._out_angle_min = -math.pi + sector_width(n) / 2.0
        self._out_increment = sector_width(n)
        self._out_angle_max = self._out_angle_min + (n - 1) * self._out_increment

        self._obstacles_pub = self.create_publisher(LaserScan, "perception/obstacles",
                                                    qos.RELIABLE)
        self._scene_pub = self.create_publisher(String, "perception/scene", qos.RELIABLE)
        self._diag_pub = diagnostics.create_diagnostics_publisher(self)
        # Sources (issue 24): their own parameters (SourcesConfig, one SourceConfig group per
        # source), subscriptions and merge; this node only publishes what they give.
        self._sources = PerceptionSources(self, n, self._processor, self._log,
                                          self._publish_obstacles, self._on_source_result)
        # The pose is needed only for the 2 Hz scene: taken then, not a callback at 50 Hz.
        # As bytes: the pose is read from them (odom_cdr), no Python Odometry built.
        self._odom = self.poller.latest(Odometry, "odom", qos.SENSOR, raw=True)
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        self.create_timer(1.0 / self.cfg.scene_rate_hz, self._publish_scene, clock=steady)
        self.create_timer(DIAGNOSTICS_PERIOD_S, self._publish_diagnostics, clock=steady)
        self.get_logger().info(
            f"perception: {n} sectors, model {backend.label}, world '{world.name}' "
            f"({len(self._places)} places), max_beams {self.cfg.max_beams}, {self.realtime}; "
            f"{self._sources.describe()}")

    def _publish_obstacles(self, source: Output) -> None:
        out = LaserScan()
        out.header.stamp = source.stamp
        out.header.frame_id = self._sources.shared.base_frame
        out.angle_min = self._out_angle_min
        out.angle_max = self._out_angle_max
        out.angle_increment = self._out_increment
        out.scan_time = source.scan_time
        out.range_min = source.range_min
        out.range_max = source.range_max
        ranges = array.array("f")
        ranges.frombytes(source.sectors.astype(np.float32, copy=False).tobytes())
        out.ranges = ranges
        self._obstacles_pub.publish(out)
        self._sectors = source.sectors
        self._sectors_t = time.monotonic()

    def _on_source_result(self, result: SourceResult, published: Output | None,
                          callback_s: float) -> None:
        """Every source message counts as a 'scan' on the node's own report: rate, time in
        the core, invalid (published as unknown) and dropped (nothing published)."""
        outcome = {SourceOutcome.OK: ScanOutcome.OK, SourceOutcome.INVALID: ScanOutcome.INVALID,
                   SourceOutcome.DROPPED: ScanOutcome.DROPPED}[result.outcome]
        self._monitor.on_scan(ScanResult(
            outcome, None if published is None else published.sectors, result.reason,
            inference_s=result.process_s, invalid_beams=result.invalid), time.monotonic())
        self._monitor.on_callback(callback_s)

    def _take_odom(self) -> None:
        taken = take_odometry(self._odom, self._log)
        if taken is None:
            return
        self._pose = taken[0].pose()
        self._pose_t = taken[1]
        self._monitor.on_odom(self._pose_t)

    def _publish_scene(self) -> None:
        self._take_odom()
        now = time.monotonic()
        sectors = self._sectors if now - self._sectors_t <= self.cfg.scan_timeout_s else None
        pose = self._pose if now - self._pose_t <= self.cfg.odom_timeout_s else None
        stamp = self.get_clock().now().nanoseconds * 1e-9
        scene = build_scene(stamp, pose, sectors, self._places, self.cfg.n_sectors,
                            self._scene_cfg)
        # Not validated here: the schema check costs ~2.6 ms, on the thread that also runs the
        # controller's tick when composed. The planner validates on arrival (parse_scene), and
        # the builder's output is checked against the schema by the tests.
        data = scene_to_dict(scene, self._scene_cfg.decimals)
        self._scene_pub.publish(String(data=json.dumps(data, separators=(",", ":"),
                                                       allow_nan=False)))

    def _publish_diagnostics(self) -> None:
        self._take_odom()
        now = time.monotonic()
        diagnostics.publish(self, self._diag_pub, [self._monitor.report(now),
                                                   self._sources.report(now)])


def main(args: list[str] | None = None) -> int:
    return run_node(PerceptionNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
