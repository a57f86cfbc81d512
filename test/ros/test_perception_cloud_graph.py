"""The perception node with a head lidar (PointCloud2) and a 2D scan: the merged sectors
carry both, and every kind of bad cloud is refused or trimmed with a counter, never a crash."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from sensor_msgs.msg import LaserScan

from robot_brain.ros import qos
from test.ros.cloud_probe import (
    Odom,
    answer,
    counter,
    logs,
    pointcloud2,
    unanswered,
    wall_ahead,
    watch_perception,
)
from test.ros.graph import Graph
from test.unit import cloud_fixtures as fx

N = 16
HEAD = {"sources": ["head", "scan"], "head.type": "cloud", "head.topic": "livox/lidar",
        "head.frame": "livox_frame", "head.mount_xyz": [0.0, 0.0, 1.2],
        "head.mount_rpy": [math.pi, 0.0, 0.0], "head.max_points": 10_000,
        "head.timeout_s": 5.0, "scan.timeout_s": 5.0}


def test_head_cloud_and_scan_merge_and_bad_clouds_are_refused(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        clouds = watch_perception(probe)
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
            assert answer(probe, scans, scan, timeout=60.0) is not None, logs(g)
            good = pointcloud2(fx.livox(wall_ahead()))
            out = answer(probe, clouds, good)
            assert out is not None, logs(g)
            s = np.array(out.ranges)
            assert out.header.frame_id == "base_link" and len(s) == N
            assert s[7] == pytest.approx(2.0, abs=0.01) and s[8] == pytest.approx(2.0, abs=0.01)
            assert s[12] == pytest.approx(3.0, abs=0.01), s
            assert out.range_max == pytest.approx(10.0)   # the source's range_max

            # Big-endian: read correctly, not refused.
            be = fx.livox(wall_ahead(distance=2.5))
            swapped = np.frombuffer(bytes(be.data), dtype=np.dtype({
                "names": ["x", "y", "z"], "formats": ["<f4"] * 3, "offsets": [0, 4, 8],
                "itemsize": 18})).astype(np.dtype({"names": ["x", "y", "z"],
                                                   "formats": [">f4"] * 3,
                                                   "offsets": [0, 4, 8], "itemsize": 18}))
            raw = bytearray(be.data)  # type: ignore[arg-type]
            view = np.frombuffer(raw, dtype=swapped.dtype)
            view[...] = swapped
            out = answer(probe, clouds, pointcloud2(dataclasses.replace(be, data=bytes(raw),
                                                                  is_bigendian=True)))
            assert out is not None and np.array(out.ranges)[8] == pytest.approx(2.5, abs=0.01)

            # NaN/inf points: dropped and counted, the rest used.
            xyz = wall_ahead(distance=1.5)
            xyz[:100] = np.nan
            xyz[100:150, 0] = np.inf
            out = answer(probe, clouds, pointcloud2(fx.livox(xyz)))
            assert out is not None and np.array(out.ranges)[8] == pytest.approx(1.5, abs=0.01)
            counter(probe, "head_invalid_points_last", 150)

            # More points than head.max_points: decimated, counted, still right.
            out = answer(probe, clouds, pointcloud2(fx.livox(wall_ahead(100_000, distance=1.8))))
            assert out is not None and np.array(out.ranges)[8] == pytest.approx(1.8, abs=0.02)
            counter(probe, "head_decimated_clouds", 1)

            # Refused, published as unknown for the head's view (the scan's view stays).
            base = fx.livox(wall_ahead())
            invalid = {
                "format": pointcloud2(dataclasses.replace(base, fields=base.fields[:2])),  # no z
                "format_step": pointcloud2(dataclasses.replace(base, point_step=17)),
                "frame": pointcloud2(base, frame="some_other_frame"),
            }
            for tag, msg in invalid.items():
                out = answer(probe, clouds, msg)
                assert out is not None, tag
                s = np.array(out.ranges)
                assert np.isnan(s[7]) and np.isnan(s[8]), (tag, s)
                assert s[12] == pytest.approx(3.0, abs=0.01), (tag, s)
            counter(probe, "head_refused_format", 2)
            counter(probe, "head_refused_frame", 1)

            # A stamp far in the past or future: dropped, nothing published for it.
            for offset_s in (-30.0, 30.0):
                unanswered(probe, clouds, pointcloud2(base), 3.0, offset_s)
            counter(probe, "head_refused_stamp", 2)

            # Alive and right afterwards.
            out = answer(probe, clouds, good)
            assert out is not None and np.array(out.ranges)[8] == pytest.approx(2.0, abs=0.01)
            assert node.running(), logs(g)
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
