"""What the perception graph tests share: PointCloud2 messages built as rclpy fills them, level
odometry from the probe, and waiting for perception's answer (or its silence) and counters."""

from __future__ import annotations

import array
import threading
import time
from typing import Any

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import Odometry
from sensor_msgs.msg import LaserScan, PointCloud2
from sensor_msgs.msg import PointField as PointFieldMsg

from robot_brain.core.perception.cloud.pointcloud import RawCloud
from robot_brain.ros import qos
from test.ros.graph import Graph, Probe


def pointcloud2(cloud: RawCloud, frame: str = "livox_frame", sec: int = 0,
                nanosec: int = 0) -> PointCloud2:
    """`cloud` (a driver's layout, test/unit/cloud_fixtures.py) as a PointCloud2 message."""
    msg = PointCloud2()
    msg.header.stamp.sec, msg.header.stamp.nanosec = sec, nanosec
    msg.header.frame_id = frame
    msg.height, msg.width = cloud.height, cloud.width
    msg.fields = [PointFieldMsg(name=f.name, offset=f.offset, datatype=f.datatype,
                                count=f.count) for f in cloud.fields]
    msg.is_bigendian = cloud.is_bigendian
    msg.point_step, msg.row_step = cloud.point_step, cloud.row_step
    msg.data = array.array("B", bytes(cloud.data))  # type: ignore[arg-type]
    msg.is_dense = cloud.is_dense
    return msg


def watch_perception(probe: Probe) -> Any:
    """Subscribe perception/obstacles and /diagnostics; the publisher of the head lidar's
    clouds (livox/lidar)."""
    probe.subscribe(LaserScan, "perception/obstacles", qos.SENSOR)
    probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
    return probe.publisher(PointCloud2, "livox/lidar", qos.SENSOR_PUB)


def wall_ahead(n: int = 2000, distance: float = 2.0) -> np.ndarray:
    """Points of a wall `distance` ahead of base_link, 0.3 - 1.0 m high, in the upside-down
    head lidar's frame (x forward, y right, z down from 1.2 m)."""
    rng = np.random.default_rng(0)
    h = rng.uniform(0.3, 1.0, n)
    y = rng.uniform(-0.3, 0.3, n)
    return np.stack([np.full(n, distance), -y, 1.2 - h], axis=1).astype(np.float32)


class Odom:
    """Level odometry at 50 Hz from the probe, so the node has attitudes to level with."""

    def __init__(self, probe: Probe) -> None:
        self._pub = probe.publisher(Odometry, "odom", qos.SENSOR_PUB)
        self._probe = probe
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            msg = Odometry()
            msg.header.stamp = self._probe.node.get_clock().now().to_msg()
            msg.pose.pose.orientation.w = 1.0
            self._pub.publish(msg)
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def key(msg: Any) -> tuple[int, int]:
    return (msg.header.stamp.sec, msg.header.stamp.nanosec)


def _stamp(probe: Probe, msg: Any, offset_s: float) -> None:
    t = probe.node.get_clock().now().nanoseconds + int(offset_s * 1e9)
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(t, 1_000_000_000)


def answer(probe: Probe, pub: Any, msg: Any, timeout: float = 20.0) -> LaserScan | None:
    """Publish `msg` stamped now until perception answers it (None = never, by `timeout`)."""
    sent: set[tuple[int, int]] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # A stamp 0.05 s old: the odometry around it has arrived by the time it is read.
        _stamp(probe, msg, -0.05)
        sent.add(key(msg))
        pub.publish(msg)
        time.sleep(0.25)
        got = [r.msg for r in probe.messages("perception/obstacles") if key(r.msg) in sent]
        if got:
            return got[-1]
    return None


def unanswered(probe: Probe, pub: Any, msg: Any, seconds: float, offset_s: float = -0.05
               ) -> None:
    """Publish `msg` for `seconds`, stamped now + `offset_s`: perception answers none."""
    stamps = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _stamp(probe, msg, offset_s)
        stamps.add(key(msg))
        pub.publish(msg)
        time.sleep(0.2)
    assert not [r for r in probe.messages("perception/obstacles") if key(r.msg) in stamps]


def sources_status(probe: Probe) -> dict[str, str]:
    """Perception's `sources` diagnostics (subscribe /diagnostics first)."""
    return probe.diagnostic_values(name_end=": sources")


def counter(probe: Probe, name: str, at_least: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = int(sources_status(probe).get(name, "0"))
        if value >= at_least:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{name} never reached {at_least}: {sources_status(probe)}")


def logs(g: Graph) -> str:
    return "\n".join(f"--- {name}\n{text[-3000:]}" for name, text in g.logs())
