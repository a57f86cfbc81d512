"""Perception's sensor inputs: any number of LaserScan and PointCloud2 sources, each with its
mount, levelled with the base's attitude, merged into one set of sectors.

The perception node owns one `PerceptionSources`. Parameters: `SourcesConfig` (shared) and one
`SourceConfig` group per name in `sources` (robot_brain.ros.param_groups). Each source is a
subscription with sensor-data QoS; a PointCloud2 is taken as CDR bytes and read in place
(robot_brain.ros.cloud_cdr). The attitude input (odometry or an IMU) is a subscription that
nothing wakes for: its samples wait in the middleware queue and are drained into the
attitude buffer when a source message arrives, so levelling costs no 50-500 Hz callback.

A source may take its mount from /tf_static instead of parameters (`<name>.mount_from:
tf_static`): the node then subscribes /tf_static (tf2_msgs, tf2_ros's static-listener QoS)
and hands each message to the core (robot_brain.core.perception.cloud.static_tf), which
composes base_frame -> ... -> the source's frame; until that chain arrives, or while the one
that arrived is refused (a sensor below the floor), the source's messages are refused and
counted as `mount`.

Per source message: core call (robot_brain.core.perception.cloud.sources) -> the merger ->
`emit` (the node publishes perception/obstacles) unless the message was dropped. Refusals
are counted (SourcesMonitor, on /diagnostics) and warned once per period per kind.
"""

from __future__ import annotations

import array
import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from builtin_interfaces.msg import Time
from nav_msgs.msg import Odometry
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Imu, LaserScan, PointCloud2

from robot_brain.core.health import HealthReport
from robot_brain.core.perception.cloud.attitude import AttitudeBuffer
from robot_brain.core.perception.cloud.config import (
    AttitudeInput,
    MountFrom,
    SourceConfig,
    SourceConfigError,
    SourceKind,
    SourcesConfig,
    check_source,
)
from robot_brain.core.perception.cloud.merge import SectorMerger
from robot_brain.core.perception.cloud.monitor import SourcesMonitor
from robot_brain.core.perception.cloud.sources import (
    CloudSource,
    Refusal,
    ScanSource,
    SourceOutcome,
    SourceResult,
)
from robot_brain.core.perception.cloud.static_tf import StaticTransform, TfStaticMounts
from robot_brain.core.perception.pipeline import ScanProcessor
from robot_brain.ros import qos
from robot_brain.ros.attitude_cdr import CdrError, decode_imu_attitude, decode_odometry_attitude
from robot_brain.ros.cloud_cdr import CloudDecoder
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.param_groups import declare_groups
from robot_brain.ros.pending import take_pending
from robot_brain.ros.throttled_log import ThrottledLog

#: Attitude samples kept waiting between two source messages (a 500 Hz IMU, 10 Hz clouds: 50).
ATTITUDE_DEPTH = 256


@dataclass(frozen=True)
class Output:
    """What one usable source message gives the node to publish."""

    #: The merged sectors, float32 (N,).
    sectors: np.ndarray
    stamp: Time
    range_min: float
    range_max: float
    scan_time: float
    #: The core's result for the message itself.
    result: SourceResult
    source: str


def ranges_array(msg: LaserScan) -> np.ndarray:
    """The ranges as float32 without a copy when rclpy hands over an array('f')."""
    r = msg.ranges
    if isinstance(r, array.array) and r.typecode == "f":
        return np.frombuffer(r, dtype=np.float32) if len(r) else np.zeros(0, np.float32)
    return np.asarray(r, dtype=np.float32).reshape(-1)


class PerceptionSources:
    def __init__(self, node: PollingNode, shared: SourcesConfig, n_sectors: int,
                 processor: ScanProcessor, log: ThrottledLog, emit: Callable[[Output], None],
                 on_result: Callable[[SourceResult, Output | None, float], None]) -> None:
        """`shared`: the node's SourcesConfig (declared with its config); the per-source
        groups named in it are declared here."""
        self._node = node
        self.shared = shared
        self.configs = declare_groups(node, SourceConfig, self.shared.sources)
        for cfg in self.configs:
            check_source(cfg, self.shared)
        self._log = log
        self._emit = emit
        self._on_result = on_result
        body = self.shared.body()
        self.attitude: AttitudeBuffer | None = None
        self._attitude_sub: Any = None
        if self.shared.attitude_source != AttitudeInput.NONE:
            self.attitude = AttitudeBuffer(self.shared.attitude_window_s,
                                           self.shared.attitude_tolerance_s)
            kind = Imu if self.shared.attitude_source == AttitudeInput.IMU else Odometry
            depth = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=ATTITUDE_DEPTH,
                               reliability=ReliabilityPolicy.BEST_EFFORT)
            self._attitude_sub = node.poller.subscription(
                kind, self.shared.resolved_attitude_topic, depth, raw=True)
            self._decode = (decode_imu_attitude if kind is Imu else decode_odometry_attitude)
        # By index in `sources` (the merger's and the monitor's order), one dict per kind.
        self._clouds: dict[int, CloudSource] = {}
        self._decoders: dict[int, CloudDecoder] = {}
        self._scans: dict[int, ScanSource] = {}
        for i, cfg in enumerate(self.configs):
            if cfg.type == SourceKind.CLOUD:
                self._clouds[i] = CloudSource(cfg, self.shared, n_sectors, body)
                self._decoders[i] = CloudDecoder()
                node.create_subscription(PointCloud2, cfg.resolved_topic,
                                         functools.partial(self._on_cloud, i), qos.SENSOR,
                                         raw=True)
            else:
                self._scans[i] = ScanSource(cfg, self.shared, n_sectors, body, processor)
                node.create_subscription(LaserScan, cfg.resolved_topic,
                                         functools.partial(self._on_scan, i), qos.SENSOR)
        timeouts = [c.timeout_s for c in self.configs]
        self.merger = SectorMerger(n_sectors, timeouts, [c.accumulate_s for c in self.configs])
        self.monitor = SourcesMonitor([c.name for c in self.configs], timeouts)
        tf_sources = [(i, c) for i, c in enumerate(self.configs)
                      if c.mount_from == MountFrom.TF_STATIC]
        self.tf_mounts: TfStaticMounts | None = None
        if tf_sources:
            self.tf_mounts = TfStaticMounts(tf_sources, self.shared)
            self.monitor.tf_static = self.tf_mounts
            self._subscribe_tf_static([c.name for _, c in tf_sources])

    def _subscribe_tf_static(self, names: list[str]) -> None:
        try:
            from tf2_msgs.msg import TFMessage  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise SourceConfigError(
                f"source(s) {', '.join(names)}: mount_from tf_static needs tf2_msgs, which is "
                "not installed (a distro: ros-$ROS_DISTRO-tf2-msgs; the pip door: "
                "scripts/build_interfaces.sh); or give mount_xyz/mount_rpy with mount_from "
                "params") from exc
        self._node.create_subscription(TFMessage, "/tf_static", self._on_tf_static,
                                       qos.TF_STATIC_IN)

    def _source(self, i: int) -> CloudSource | ScanSource:
        return self._clouds[i] if i in self._clouds else self._scans[i]

    def _on_tf_static(self, msg: Any) -> None:
        """A /tf_static message: its transforms into the tree, changed mounts applied."""
        mounts = self.tf_mounts
        if mounts is None:
            return
        transforms = []
        for t in msg.transforms:
            tr, q = t.transform.translation, t.transform.rotation
            transforms.append(StaticTransform(t.header.frame_id, t.child_frame_id,
                                              (tr.x, tr.y, tr.z), (q.x, q.y, q.z, q.w)))
        refused = mounts.refused
        for change in mounts.update(transforms):
            name = self.configs[change.source].name
            self._source(change.source).set_mount(change.mount, change.detail)
            if change.mount is not None:
                m = change.mount
                self._node.get_logger().info(
                    f"source '{name}': mount from /tf_static {change.detail}: xyz "
                    f"{[round(v, 4) for v in m.xyz]} rpy {[round(v, 4) for v in m.rpy]}")
            else:
                self._log.warning(f"{name}:tf_static", f"source '{name}': /tf_static mount "
                                  f"refused, its messages are refused until a usable one "
                                  f"arrives: {change.detail}")
        if mounts.refused > refused:
            self._log.warning("tf_static", f"/tf_static: {mounts.refused - refused} "
                              f"transform(s) ignored, last: {mounts.last_refusal}")

    def describe(self) -> str:
        parts = [f"{c.name} ({c.type} on '{c.resolved_topic}', mount "
                 + (f"{list(c.mount_xyz)} {list(c.mount_rpy)})"
                    if c.mount_from == MountFrom.PARAMS else
                    f"from /tf_static {self.shared.base_frame} -> {c.frame})")
                 for c in self.configs]
        return (f"sources {', '.join(parts)}; band [{self.shared.min_height}, "
                f"{self.shared.max_height}] m; attitude {self.shared.attitude_source}")

    def _now(self) -> float:
        return float(self._node.get_clock().now().nanoseconds) * 1e-9

    def _take_attitude(self) -> None:
        if self._attitude_sub is None or self.attitude is None:
            return
        for raw, _info in take_pending(self._attitude_sub, ATTITUDE_DEPTH):
            try:
                a = self._decode(raw)
            except CdrError as exc:
                self.monitor.attitude_rejected += 1
                self._log.warning("attitude", f"attitude sample ignored: {exc}")
                continue
            if self.attitude.push(a.stamp, a.qx, a.qy, a.qz, a.qw):
                self.monitor.attitude_samples += 1
            else:
                self.monitor.attitude_rejected += 1
                self._log.warning("attitude", f"attitude sample ignored: quaternion "
                                  f"{(a.qx, a.qy, a.qz, a.qw)} is not a rotation")

    def _on_scan(self, i: int, msg: LaserScan) -> None:
        t0 = time.perf_counter()
        self._take_attitude()
        stamp = msg.header.stamp
        result = self._scans[i].process(ranges_array(msg), float(msg.angle_min),
                                float(msg.angle_increment), float(msg.range_min),
                                float(msg.range_max), float(msg.time_increment),
                                msg.header.frame_id, stamp.sec + stamp.nanosec * 1e-9,
                                self._now(), self.attitude)
        self._finish(i, result, stamp, float(msg.range_min), float(msg.range_max),
                     float(msg.scan_time), t0)

    def _on_cloud(self, i: int, raw: bytes) -> None:
        t0 = time.perf_counter()
        self._take_attitude()
        source = self._clouds[i]
        cfg = self.configs[i]
        try:
            sample = self._decoders[i].decode(raw)
        except CdrError as exc:
            self._finish(i, source.invalid(Refusal.FORMAT, f"not a PointCloud2: {exc}", t0),
                         None, cfg.range_min, cfg.range_max, cfg.frame_time_s, t0)
            return
        result = source.process(sample.cloud, sample.frame_id, sample.stamp, self._now(),
                                self.attitude)
        self._finish(i, result, Time(sec=sample.sec, nanosec=sample.nanosec), cfg.range_min,
                     cfg.range_max, cfg.frame_time_s, t0)

    def _finish(self, i: int, result: SourceResult, stamp: Time | None, range_min: float,
                range_max: float, scan_time: float, t0: float) -> None:
        now = time.monotonic()
        name = self.configs[i].name
        self.monitor.on_result(i, result, now)
        if result.outcome is not SourceOutcome.OK:
            action = ("dropped" if result.outcome is SourceOutcome.DROPPED
                      else "its sectors are unknown")
            self._log.warning(f"{name}:{result.kind}", f"source '{name}': message refused "
                              f"({result.kind}), {action}: {result.reason}")
        self.merger.update(i, result.sectors, now)
        if result.outcome is SourceOutcome.DROPPED or stamp is None:
            self._on_result(result, None, time.perf_counter() - t0)
            return
        out = Output(self.merger.merged(now), stamp, range_min, range_max,
                     scan_time if math.isfinite(scan_time) else 0.0, result, name)
        self._emit(out)
        self._on_result(result, out, time.perf_counter() - t0)

    def report(self, now: float) -> HealthReport:
        return self.monitor.report(now)
