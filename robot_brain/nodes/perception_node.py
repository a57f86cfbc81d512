"""perception: sensors -> N sector minima around base_link on perception/obstacles, scene JSON.

Subscribes its sources (`sources`: LaserScans and PointCloud2s, sensor-data QoS; by default
the one 2D `scan`, run through the ONNX sector model) and `odom`; publishes
`perception/obstacles` (sensor_msgs/LaserScan, one range per sector, frame `base_frame`,
stamp copied from the source message), `perception/scene` (JSON,
robot_brain/schemas/scene.schema.json) and `/diagnostics`. Sources, mounts, levelling and the
merge: robot_brain/nodes/perception_sources.py and docs/perception.md.

The source callbacks do the work themselves rather than caching for a timer: perception has
no fixed rate of its own, its output should follow each message with the least delay, and
the work is bounded (a beam cap per scan, a point cap per cloud). The scene goes out unvalidated at
`scene_rate_hz`: the planner keeps the newest one as text and validates it against the schema
only when a prompt needs it.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

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
from robot_brain.core.perception.node_config import PerceptionNodeConfig
from robot_brain.core.perception.pipeline import ScanOutcome, ScanProcessor, ScanResult
from robot_brain.core.perception.scene import (
    NamedPoint,
    build_scene,
    scene_to_dict,
)
from robot_brain.core.perception.sectors import DEFAULT_SECTORS, sector_width
from robot_brain.core.resources import package_file
from robot_brain.core.world import WorldError, load_world_file
from robot_brain.nodes.perception_sources import Output, PerceptionSources
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.laserscan_cdr import LaserScanEncoder
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.odom_cdr import take_odometry
from robot_brain.ros.params import declare_config
from robot_brain.ros.realtime import apply_realtime
from robot_brain.ros.runtime import run_node
from robot_brain.ros.throttled_log import ThrottledLog

DIAGNOSTICS_PERIOD_S = 1.0
WARN_THROTTLE_S = 5.0

class WorldUnavailable(StartupError):
    """The world file named by `world_file` cannot be loaded (the scene needs its places)."""


def load_backend(cfg: PerceptionNodeConfig) -> OnnxSectorBackend:
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


__all__ = ["PerceptionNode", "main"]


class PerceptionNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("perception")
        self.cfg = declare_config(self, PerceptionNodeConfig)
        # Perception is on the fast path (scan -> obstacles -> controller): the same real-time
        # knobs as the controller, so a busy machine does not delay the scan it serves.
        self.realtime = apply_realtime(self, self.cfg.realtime)
        self._log = ThrottledLog(self, WARN_THROTTLE_S)
        try:
            r = self.cfg.robot
            world = load_world_file(r.world_file, r.places_file, r.limits.robot_radius)
        except WorldError as exc:
            raise WorldUnavailable(str(exc)) from exc
        # Read once: places taught at run time reach the planner at once and this scene after
        # a restart; no file is read on the fast path (docs/maps.md, "Places you can teach").
        self._places = tuple(NamedPoint(p.name, p.x, p.y) for p in world.places.values())
        backend = load_backend(self.cfg)
        self._processor = ScanProcessor(backend, self.cfg.max_beams)
        self._monitor = PerceptionMonitor(self.cfg.scan_timeout_s)
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
        self._obstacles_encoder = LaserScanEncoder(self.cfg.sources.base_frame)
        self._scene_pub = self.create_publisher(String, "perception/scene", qos.RELIABLE)
        self._diag_pub = diagnostics.create_diagnostics_publisher(self)
        # Sources: their shared settings (the config's `sources` group) and one SourceConfig
        # group per listed source, subscriptions and merge; this node only publishes what
        # they give.
        self._sources = PerceptionSources(self, self.cfg.sources, n, self._processor, self._log,
                                          self._publish_obstacles, self._on_source_result)
        # The pose is needed only for the 2 Hz scene: taken then, not a callback at 50 Hz.
        # As bytes: the pose is read from them (odom_cdr), no Python Odometry built.
        self._odom = self.poller.latest(Odometry, "odom", qos.SENSOR, raw=True)
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        self.create_timer(1.0 / self.cfg.scene.rate_hz, self._publish_scene, clock=steady)
        self.create_timer(DIAGNOSTICS_PERIOD_S, self._publish_diagnostics, clock=steady)
        self.get_logger().info(
            f"perception: {n} sectors, model {backend.label}, world '{world.name}' "
            f"({len(self._places)} places), max_beams {self.cfg.max_beams}, {self.realtime}; "
            f"{self._sources.describe()}")

    def _publish_obstacles(self, source: Output) -> None:
        # As CDR bytes (robot_brain.ros.laserscan_cdr): one per source message, up to 60 a
        # second with a sliced head lidar, and a Python LaserScan cost more than the rest.
        self._obstacles_pub.publish(self._obstacles_encoder.encode(
            source.stamp.sec, source.stamp.nanosec, self._out_angle_min, self._out_angle_max,
            self._out_increment, 0.0, source.scan_time, source.range_min, source.range_max,
            source.sectors))
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
                            self.cfg.scene)
        # Not validated here: the schema check costs ~2.6 ms, on the thread that also runs the
        # controller's tick when composed. The planner keeps the newest scene as text and
        # validates it only when a prompt needs it (parse_scene); the builder's output is
        # checked against the schema by the tests.
        data = scene_to_dict(scene, self.cfg.scene.decimals)
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
