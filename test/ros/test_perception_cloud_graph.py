"""The perception node with a head lidar (PointCloud2) and a 2D scan: the merged sectors
carry both, and every kind of bad cloud is refused or trimmed with a counter, never a crash."""

from __future__ import annotations

import array
import dataclasses
import math
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import Odometry
from sensor_msgs.msg import LaserScan, PointCloud2
from sensor_msgs.msg import PointField as PointFieldMsg

from robot_brain.core.perception.cloud.pointcloud import RawCloud
from robot_brain.ros import qos
from test.ros.graph import Graph, Probe
from test.unit import cloud_fixtures as fx

N = 16
HEAD = {"sources": ["head", "scan"], "head.type": "cloud", "head.topic": "livox/lidar",
        "head.frame": "livox_frame", "head.mount_xyz": [0.0, 0.0, 1.2],
        "head.mount_rpy": [math.pi, 0.0, 0.0], "head.max_points": 10_000,
        "head.timeout_s": 5.0, "scan.timeout_s": 5.0}


def _msg(cloud: RawCloud, frame: str = "livox_frame") -> PointCloud2:
    msg = PointCloud2()
    msg.header.frame_id = frame
    msg.height, msg.width = cloud.height, cloud.width
    msg.fields = [PointFieldMsg(name=f.name, offset=f.offset, datatype=f.datatype,
                                count=f.count) for f in cloud.fields]
    msg.is_bigendian = cloud.is_bigendian
    msg.point_step, msg.row_step = cloud.point_step, cloud.row_step
    msg.data = array.array("B", bytes(cloud.data))  # type: ignore[arg-type]
    msg.is_dense = cloud.is_dense
    return msg


def _ahead(n: int = 2000, distance: float = 2.0) -> np.ndarray:
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


def _key(msg: Any) -> tuple[int, int]:
    return (msg.header.stamp.sec, msg.header.stamp.nanosec)


def _answer(probe: Probe, pub: Any, msg: Any, timeout: float = 20.0) -> LaserScan | None:
    """Publish `msg` stamped now until perception answers it (None = never, by `timeout`)."""
    sent: set[tuple[int, int]] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # A stamp 0.05 s old: the odometry around it has arrived by the time it is read.
        t = probe.node.get_clock().now().nanoseconds - 50_000_000
        msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(t, 1_000_000_000)
        sent.add(_key(msg))
        pub.publish(msg)
        time.sleep(0.25)
        got = [r.msg for r in probe.messages("perception/obstacles") if _key(r.msg) in sent]
        if got:
            return got[-1]
    return None


def _status(probe: Probe) -> dict[str, str]:
    for rec in reversed(probe.messages("/diagnostics")):
        for st in rec.msg.status:
            if st.name.endswith(": sources"):
                return {kv.key: kv.value for kv in st.values}
    return {}


def _counter(probe: Probe, key: str, at_least: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = int(_status(probe).get(key, "0"))
        if value >= at_least:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{key} never reached {at_least}: {_status(probe)}")


def _logs(g: Graph) -> str:
    return "\n".join(f"--- {name}\n{text[-3000:]}" for name, text in g.logs())


def test_head_cloud_and_scan_merge_and_bad_clouds_are_refused(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(LaserScan, "perception/obstacles", qos.SENSOR)
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        clouds = probe.publisher(PointCloud2, "livox/lidar", qos.SENSOR_PUB)
        scans = probe.publisher(LaserScan, "scan", qos.SENSOR_PUB)
        odom = Odom(probe)
        node = g.start("perception", parameters=HEAD)
        try:
            # The scan (a 90 degree laser looking left) sees something 3 m to the left (sector
            # 12), the head lidar a wall 2 m ahead (sectors 7 and 8): both in every output.
            scan = LaserScan()
            scan.header.frame_id = "laser"
            scan.angle_min, scan.angle_increment = math.pi / 4, math.pi / 180
            scan.range_min, scan.range_max = 0.1, 8.0
            ranges = np.full(91, np.inf, dtype=np.float32)
            ranges[45 - 5:45 + 5] = 3.0
            scan.ranges = ranges.tolist()
            assert _answer(probe, scans, scan, timeout=60.0) is not None, _logs(g)
            good = _msg(fx.livox(_ahead()))
            out = _answer(probe, clouds, good)
            assert out is not None, _logs(g)
            s = np.array(out.ranges)
            assert out.header.frame_id == "base_link" and len(s) == N
            assert s[7] == pytest.approx(2.0, abs=0.01) and s[8] == pytest.approx(2.0, abs=0.01)
            assert s[12] == pytest.approx(3.0, abs=0.01), s
            assert out.range_max == pytest.approx(10.0)   # the source's range_max

            # Big-endian: read correctly, not refused.
            be = fx.livox(_ahead(distance=2.5))
            swapped = np.frombuffer(bytes(be.data), dtype=np.dtype({
                "names": ["x", "y", "z"], "formats": ["<f4"] * 3, "offsets": [0, 4, 8],
                "itemsize": 18})).astype(np.dtype({"names": ["x", "y", "z"],
                                                   "formats": [">f4"] * 3,
                                                   "offsets": [0, 4, 8], "itemsize": 18}))
            raw = bytearray(be.data)  # type: ignore[arg-type]
            view = np.frombuffer(raw, dtype=swapped.dtype)
            view[...] = swapped
            out = _answer(probe, clouds, _msg(dataclasses.replace(be, data=bytes(raw),
                                                                  is_bigendian=True)))
            assert out is not None and np.array(out.ranges)[8] == pytest.approx(2.5, abs=0.01)

            # NaN/inf points: dropped and counted, the rest used.
            xyz = _ahead(distance=1.5)
            xyz[:100] = np.nan
            xyz[100:150, 0] = np.inf
            out = _answer(probe, clouds, _msg(fx.livox(xyz)))
            assert out is not None and np.array(out.ranges)[8] == pytest.approx(1.5, abs=0.01)
            _counter(probe, "head_invalid_points_last", 150)

            # More points than head.max_points: decimated, counted, still right.
            out = _answer(probe, clouds, _msg(fx.livox(_ahead(100_000, distance=1.8))))
            assert out is not None and np.array(out.ranges)[8] == pytest.approx(1.8, abs=0.02)
            _counter(probe, "head_decimated_clouds", 1)

            # Refused, published as unknown for the head's view (the scan's view stays).
            base = fx.livox(_ahead())
            invalid = {
                "format": _msg(dataclasses.replace(base, fields=base.fields[:2])),  # no z
                "format_step": _msg(dataclasses.replace(base, point_step=17)),
                "frame": _msg(base, frame="some_other_frame"),
            }
            for tag, msg in invalid.items():
                out = _answer(probe, clouds, msg)
                assert out is not None, tag
                s = np.array(out.ranges)
                assert np.isnan(s[7]) and np.isnan(s[8]), (tag, s)
                assert s[12] == pytest.approx(3.0, abs=0.01), (tag, s)
            _counter(probe, "head_refused_format", 2)
            _counter(probe, "head_refused_frame", 1)

            # A stamp far in the past or future: dropped, nothing published for it.
            for offset_s in (-30.0, 30.0):
                msg = _msg(base)
                deadline = time.monotonic() + 3.0
                stamps = set()
                while time.monotonic() < deadline:
                    t = probe.node.get_clock().now().nanoseconds + int(offset_s * 1e9)
                    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(t, 1_000_000_000)
                    stamps.add(_key(msg))
                    clouds.publish(msg)
                    time.sleep(0.2)
                assert not [r for r in probe.messages("perception/obstacles")
                            if _key(r.msg) in stamps]
            _counter(probe, "head_refused_stamp", 2)

            # Alive and right afterwards.
            out = _answer(probe, clouds, good)
            assert out is not None and np.array(out.ranges)[8] == pytest.approx(2.0, abs=0.01)
            assert node.running(), _logs(g)
        finally:
            odom.stop()


def test_a_mount_below_the_floor_is_refused_at_start(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        node = g.start("perception", parameters={**HEAD, "head.mount_xyz": [0.0, 0.0, -0.5]})
        assert node.proc is not None
        rc = node.proc.wait(timeout=60.0)
        log = dict(g.logs())["perception"]
    assert rc == 1, log
    assert "cannot start" in log and "head.mount_xyz" in log and "below the floor" in log, log
