"""LaserScanEncoder writes what rclpy's serializer writes; decode_laserscan reads rclpy's."""

from __future__ import annotations

import numpy as np
import pytest
from rclpy.serialization import deserialize_message, serialize_message
from sensor_msgs.msg import LaserScan

from robot_brain.ros.cdr import CdrError
from robot_brain.ros.laserscan_cdr import LaserScanEncoder, decode_laserscan

GEOMETRY = (-3.0, 2.9, 0.39, 0.0, 0.1, 0.05, 10.0)


def _reference(frame: str, ranges: np.ndarray) -> LaserScan:
    msg = LaserScan()
    msg.header.stamp.sec, msg.header.stamp.nanosec = 1_700_000_000, 123_456_789
    msg.header.frame_id = frame
    (msg.angle_min, msg.angle_max, msg.angle_increment, msg.time_increment, msg.scan_time,
     msg.range_min, msg.range_max) = GEOMETRY
    msg.ranges = ranges.astype(np.float32).tolist()
    return msg


@pytest.mark.parametrize("frame", ["base_link", "", "b", "abc", "a_longer_frame_name"])
@pytest.mark.parametrize("n", [0, 1, 16, 720])
def test_bytes_equal_rclpys_and_read_back(frame: str, n: int) -> None:
    ranges = np.random.default_rng(n).uniform(0.1, 9.0, n).astype(np.float32)
    if n:
        ranges[0] = np.inf
    if n > 1:
        ranges[1] = np.nan
    raw = LaserScanEncoder(frame).encode(1_700_000_000, 123_456_789, *GEOMETRY, ranges)
    reference = serialize_message(_reference(frame, ranges))
    assert len(raw) == len(reference)
    msg = deserialize_message(raw, LaserScan)
    ref = deserialize_message(reference, LaserScan)
    assert msg.header == ref.header and len(msg.intensities) == 0
    assert (msg.angle_min, msg.range_max) == (ref.angle_min, ref.range_max)
    np.testing.assert_array_equal(np.array(msg.ranges, np.float32), ranges)
    # Read back, from the encoder's bytes and from rclpy's.
    for sample in (raw, reference):
        fields = decode_laserscan(sample)
        assert fields.stamp == (1_700_000_000, 123_456_789)
        np.testing.assert_array_equal(fields.ranges, ranges)


def test_with_intensities_and_bad_samples() -> None:
    msg = _reference("laser", np.array([1.0, 2.0], np.float32))
    msg.intensities = [5.0, 6.0]
    np.testing.assert_array_equal(decode_laserscan(serialize_message(msg)).ranges, [1.0, 2.0])
    raw = serialize_message(msg)
    for bad in (b"", b"\x00\x01\x00\x00\x01", raw[:40], b"\x07" + raw[1:]):
        with pytest.raises(CdrError):
            decode_laserscan(bad)
