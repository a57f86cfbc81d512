"""Perception's sensor inputs: any number of LaserScan and PointCloud2 sources, each with its
mount, levelled with the base's attitude, merged into one set of sectors.

The perception node owns one `PerceptionSources`. Parameters: `SourcesConfig` (shared) and one
`SourceConfig` group per name in `sources` (robot_brain.ros.param_groups). Each source is a
subscription with sensor-data QoS; a PointCloud2 is taken as CDR bytes and read in place
(robot_brain.ros.cloud_cdr). The attitude input (odometry or an IMU) is a subscription that
nothing wakes for: its samples wait in the middleware queue and are drained into the
attitude buffer when a source message arrives, so levelling costs no 50-500 Hz callback.

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
    SourceConfig,
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
from robot_brain.core.perception.pipeline import ScanProcessor
from robot_brain.ros import qos
from robot_brain.ros.attitude_cdr import CdrError, decode_imu_attitude, decode_odometry_attitude
from robot_brain.ros.cloud_cdr import decode_pointcloud2
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
        self._scans: dict[int, ScanSource] = {}
        for i, cfg in enumerate(self.configs):
            if cfg.type == SourceKind.CLOUD:
                self._clouds[i] = CloudSource(cfg, self.shared, n_sectors, body)
                node.create_subscription(PointCloud2, cfg.resolved_topic,
                                         functools.partial(self._on_cloud, i), qos.SENSOR,
                                         raw=True)
            else:
                self._scans[i] = ScanSource(cfg, self.shared, n_sectors, body, processor)
                node.create_subscription(LaserScan, cfg.resolved_topic,
                                         functools.partial(self._on_scan, i), qos.SENSOR)
        timeouts = [c.timeout_s for c in self.configs]
        self.merger = SectorMerger(n_sectors, timeouts)
        self.monitor = SourcesMonitor([c.name for c in self.configs], timeouts)

    def describe(self) -> str:
        parts = [f"{c.name} ({c.type} on '{c.resolved_topic}', mount {list(c.mount_xyz)} "
                 f"{list(c.mount_rpy)})" for c in self.configs]
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
            sample = decode_pointcloud2(raw)
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
