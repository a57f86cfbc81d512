"""PointCloud2Encoder writes what rclpy's serializer writes, in livox_ros_driver2's layout."""

from __future__ import annotations

import numpy as np
import pytest
from rclpy.serialization import deserialize_message, serialize_message
from sensor_msgs.msg import PointCloud2, PointField

from robot_brain.core.sim.mujoco.livox_layout import FIELDS, POINT_STEP, pack_points
from robot_brain.ros.pointcloud_cdr import PointCloud2Encoder


def _reference(frame: str, sec: int, nanosec: int, width: int, data: bytes) -> PointCloud2:
    msg = PointCloud2()
    msg.header.stamp.sec, msg.header.stamp.nanosec = sec, nanosec
    msg.header.frame_id = frame
    msg.height, msg.width = 1, width
    msg.fields = [PointField(name=f.name, offset=f.offset, datatype=f.datatype, count=f.count)
                  for f in FIELDS]
    msg.is_bigendian = False
    msg.point_step = POINT_STEP
    msg.row_step = POINT_STEP * width
    msg.data = data
    msg.is_dense = True
    return msg


@pytest.mark.parametrize("frame", ["livox_frame", "", "l", "abc", "a_longer_frame_name"])
@pytest.mark.parametrize("width", [0, 1, 3, 1000])
def test_bytes_equal_rclpys(frame: str, width: int) -> None:
    rng = np.random.default_rng(width)
    points = rng.normal(size=(width, 3)).astype(np.float32)
    packed = pack_points(points, rng.uniform(0, 255, width).astype(np.float32),
                         (np.arange(width) % 4).astype(np.uint8), 1_700_000_000_123_456_789)
    data = packed.tobytes()
    raw = PointCloud2Encoder(frame, FIELDS, POINT_STEP).encode(12, 345, width, data)
    reference = serialize_message(_reference(frame, 12, 345, width, data))
    # Same length, and the same bytes but for alignment padding (Fast CDR leaves padding
    # uninitialised, this encoder writes zeros): equal once both are read back.
    assert len(raw) == len(reference)
    assert raw[-len(data) - 1:] == reference[-len(data) - 1:]  # the points and is_dense
    msg = deserialize_message(raw, PointCloud2)
    assert msg == deserialize_message(reference, PointCloud2)
    assert (msg.width, msg.point_step, msg.row_step) == (width, 26, 26 * width)
    assert [(f.name, f.offset, f.datatype) for f in msg.fields] == [
        ("x", 0, 7), ("y", 4, 7), ("z", 8, 7), ("intensity", 12, 7), ("tag", 16, 2),
        ("line", 17, 2), ("timestamp", 18, 8)]
    if width:
        back = np.frombuffer(bytes(msg.data), dtype=packed.dtype)
        assert np.array_equal(back["x"], points[:, 0]) and np.all(back["tag"] == 0)
        assert back["timestamp"][0] == pytest.approx(1.7e18)


def test_wrong_data_length_is_refused() -> None:
    with pytest.raises(ValueError, match="25 data bytes for 1 points"):
        PointCloud2Encoder("f", FIELDS, POINT_STEP).encode(0, 0, 1, bytes(25))
