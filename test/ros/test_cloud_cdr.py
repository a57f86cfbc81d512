"""decode_pointcloud2 reads what rclpy's serializer wrote, for every driver layout (big clouds
too); the attitude readers read Odometry and Imu samples; bad bytes are refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from nav_msgs.msg import Odometry
from rclpy.serialization import serialize_message
from sensor_msgs.msg import Imu, PointCloud2

from robot_brain.core.perception.cloud.pointcloud import RawCloud, read_xyz
from robot_brain.ros.attitude_cdr import decode_imu_attitude, decode_odometry_attitude
from robot_brain.ros.cloud_cdr import CdrError, decode_pointcloud2
from test.ros.cloud_probe import pointcloud2
from test.unit import cloud_fixtures as fx


def to_msg(cloud: RawCloud, frame: str = "livox_frame") -> PointCloud2:
    """Stamped with nanoseconds set, so the decoder's stamp is checked to the nanosecond."""
    return pointcloud2(cloud, frame, sec=1_700_000_000, nanosec=123_456_789)


def _pts(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-9, 9, (n, 3)).astype(np.float32)


LAYOUTS = {
    "livox": lambda: fx.livox(_pts(20_000, 1)),
    "livox_timestamp": lambda: fx.livox(_pts(20_000, 2), timestamp=True),
    "ouster_128x1024": lambda: fx.ouster(_pts(128 * 1024, 3).reshape(128, 1024, 3)),
    "ouster_big_endian": lambda: fx.ouster(_pts(16 * 64, 4).reshape(16, 64, 3), big=True),
    "realsense_ordered_rgb": lambda: fx.realsense(np.abs(_pts(48 * 64, 5)).reshape(48, 64, 3)),
    "realsense_unordered": lambda: fx.realsense(np.abs(_pts(48 * 64, 6)).reshape(48, 64, 3),
                                                rgb=False, ordered=False),
    "velodyne_organised": lambda: fx.velodyne(_pts(1800 * 16, 7).reshape(1800, 16, 3)),
    "empty": lambda: RawCloud(1, 0, fx.livox(_pts(1, 8)).fields, False, 18, 0, b""),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("frame", ["", "l", "livox_frame", "camera_depth_optical_frame"])
def test_decoded_cloud_matches_the_message(layout: str, frame: str) -> None:
    cloud = LAYOUTS[layout]()
    sample = decode_pointcloud2(serialize_message(to_msg(cloud, frame)))
    assert (sample.sec, sample.nanosec, sample.frame_id) == (1_700_000_000, 123_456_789, frame)
    assert sample.stamp == pytest.approx(1_700_000_000.123456789)
    got = sample.cloud
    assert (got.height, got.width, got.point_step, got.row_step, got.is_bigendian,
            got.is_dense) == (cloud.height, cloud.width, cloud.point_step, cloud.row_step,
                              cloud.is_bigendian, cloud.is_dense)
    assert got.fields == cloud.fields
    assert bytes(got.data) == bytes(cloud.data)  # type: ignore[arg-type]
    a, b = read_xyz(got, 10**7), read_xyz(cloud, 10**7)
    for axis in "xyz":
        np.testing.assert_array_equal(getattr(a, axis), getattr(b, axis))


def test_the_point_bytes_are_a_view_not_a_copy() -> None:
    raw = serialize_message(to_msg(fx.livox(_pts(1000, 9))))
    data = decode_pointcloud2(raw).cloud.data
    assert isinstance(data, memoryview) and data.obj is raw


@pytest.mark.parametrize("cut", [0, 3, 10, 30, 60, 100, 200])
def test_truncated_samples_are_refused(cut: int) -> None:
    raw = serialize_message(to_msg(fx.livox(_pts(100, 10))))
    with pytest.raises(CdrError):
        decode_pointcloud2(raw[:cut] if cut else b"")


def test_a_data_length_past_the_end_is_refused() -> None:
    raw = bytearray(serialize_message(to_msg(fx.livox(_pts(10, 11)))))
    size_at = len(raw) - 1 - 180 - 4
    assert int.from_bytes(raw[size_at:size_at + 4], "little") == 180
    raw[size_at:size_at + 4] = (10**6).to_bytes(4, "little")
    with pytest.raises(CdrError, match="runs past"):
        decode_pointcloud2(bytes(raw))


@pytest.mark.parametrize("frame", ["", "o", "odom", "odom_frame_x"])
def test_odometry_attitude(frame: str) -> None:
    msg = Odometry()
    msg.header.stamp.sec, msg.header.stamp.nanosec = 42, 500_000_000
    msg.header.frame_id, msg.child_frame_id = frame, "base_link"
    q = msg.pose.pose.orientation
    q.x, q.y, q.z, q.w = 0.1, -0.2, 0.3, math.sqrt(1 - 0.14)
    msg.pose.pose.position.x = 7.0
    got = decode_odometry_attitude(serialize_message(msg))
    assert got == (42.5, 0.1, -0.2, 0.3, math.sqrt(1 - 0.14))


def test_imu_attitude_and_an_imu_without_orientation() -> None:
    msg = Imu()
    msg.header.stamp.sec = 3
    msg.header.frame_id = "imu_link"
    msg.orientation.x, msg.orientation.w = 0.6, 0.8
    got = decode_imu_attitude(serialize_message(msg))
    assert got == (3.0, 0.6, 0.0, 0.0, 0.8)
    msg.orientation_covariance[0] = -1.0   # REP 145: no orientation
    with pytest.raises(CdrError, match="without orientation"):
        decode_imu_attitude(serialize_message(msg))


def test_one_decoder_over_a_stream_reads_what_a_fresh_one_reads() -> None:
    """The remembered field table is reused only for the same bytes: a stream that changes
    layout, frame name (which moves the table), byte order or field names between messages
    reads the same through one CloudDecoder as through a fresh one each time."""
    from robot_brain.core.perception.cloud.pointcloud import PointField
    from robot_brain.ros.cloud_cdr import CloudDecoder

    livox = fx.livox(_pts(50, 1))
    renamed = RawCloud(livox.height, livox.width,
                       tuple(PointField("q" if f.name == "x" else f.name, f.offset, f.datatype,
                                        f.count) for f in livox.fields),
                       livox.is_bigendian, livox.point_step, livox.row_step, livox.data)
    stream = [(livox, "livox_frame"), (livox, "livox_frame"), (livox, "lf"),
              (fx.ouster(_pts(4 * 8, 3).reshape(4, 8, 3)), "os"),
              (fx.ouster(_pts(4 * 8, 4).reshape(4, 8, 3), big=True), "os"),
              (renamed, "livox_frame"), (livox, "livox_frame"),
              (fx.realsense(np.abs(_pts(6 * 8, 5)).reshape(6, 8, 3)), "cam")]
    decoder = CloudDecoder()
    for cloud, frame in stream:
        raw = serialize_message(to_msg(cloud, frame))
        got, fresh = decoder.decode(raw), decode_pointcloud2(raw)
        assert got.frame_id == fresh.frame_id == frame
        assert got.cloud.fields == fresh.cloud.fields == cloud.fields
        assert bytes(got.cloud.data) == bytes(cloud.data)  # type: ignore[arg-type]
    # A sample cut inside its field table is refused, also after a good one was remembered.
    raw = serialize_message(to_msg(livox))
    decoder.decode(raw)
    with pytest.raises(CdrError):
        decoder.decode(raw[:60])
