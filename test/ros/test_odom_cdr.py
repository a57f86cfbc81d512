"""decode_odometry reads what rclpy's serializer wrote, for any frame name length."""

from __future__ import annotations

import random

import pytest
from nav_msgs.msg import Odometry
from rclpy.serialization import serialize_message

from robot_brain.ros.odom_cdr import CdrError, decode_odometry


@pytest.mark.parametrize("seed", range(12))
def test_fields_match_the_message(seed: int) -> None:
    rng = random.Random(seed)
    msg = Odometry()
    msg.header.stamp.sec = rng.randint(0, 2**31 - 1)
    msg.header.stamp.nanosec = rng.randint(0, 999_999_999)
    msg.header.frame_id = "o" * rng.randint(0, 9)
    msg.child_frame_id = "b" * rng.randint(0, 9)
    p = msg.pose.pose
    p.position.x, p.position.y, p.position.z = (rng.uniform(-50, 50) for _ in range(3))
    q = p.orientation
    q.x, q.y, q.z, q.w = (rng.uniform(-1, 1) for _ in range(4))
    msg.pose.covariance = [rng.uniform(-1, 1) for _ in range(36)]
    t = msg.twist.twist
    t.linear.x, t.linear.y, t.angular.z = (rng.uniform(-2, 2) for _ in range(3))
    msg.twist.covariance = [rng.uniform(-1, 1) for _ in range(36)]
    got = decode_odometry(serialize_message(msg))
    assert (got.x, got.y) == (p.position.x, p.position.y)
    assert (got.qx, got.qy, got.qz, got.qw) == (q.x, q.y, q.z, q.w)
    assert (got.linear_x, got.angular_z) == (t.linear.x, t.angular.z)
    assert got.stamp_s == pytest.approx(msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9)


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x00\x00", b"\x07\x01\x00\x00" + bytes(400),
                                 serialize_message(Odometry())[:100]])
def test_bad_bytes_are_refused(raw: bytes) -> None:
    with pytest.raises(CdrError):
        decode_odometry(raw)


@pytest.mark.parametrize(("frame", "child"), [("odom", "base_link"), ("", ""), ("o", "bb"),
                                              ("odom_frame", "c"), ("ab", "abcdefgh")])
def test_encoded_odometry_deserializes_to_the_pose(frame: str, child: str) -> None:
    from rclpy.serialization import deserialize_message

    from robot_brain.ros.odom_cdr import OdometryEncoder

    raw = OdometryEncoder(frame, child).encode(12, 34, 1.5, -2.5, (0.0, 0.0, 0.6, 0.8),
                                               0.4, -0.3)
    msg = deserialize_message(raw, Odometry)
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (12, 34)
    assert (msg.header.frame_id, msg.child_frame_id) == (frame, child)
    p = msg.pose.pose
    assert (p.position.x, p.position.y, p.position.z) == (1.5, -2.5, 0.0)
    assert (p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w) == (
        0.0, 0.0, 0.6, 0.8)
    assert (msg.twist.twist.linear.x, msg.twist.twist.angular.z) == (0.4, -0.3)
    assert not any(msg.pose.covariance) and not any(msg.twist.covariance)
    assert len(raw) == len(serialize_message(msg))
    got = decode_odometry(raw)
    assert got[:8] == (1.5, -2.5, 0.0, 0.0, 0.6, 0.8, 0.4, -0.3)
    assert got.stamp_s == pytest.approx(12 + 34e-9)  # the header stamp, for the sim clock


class _FakeLatest:
    def __init__(self, raw: bytes | None) -> None:
        self.raw = raw

    def take(self) -> object:
        from robot_brain.ros.latest import Sample

        return None if self.raw is None else Sample(self.raw, 12.5)


class _FakeLog:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, key: str, text: str) -> bool:
        self.warnings.append(text)
        return True


def test_take_odometry_reads_warns_or_returns_none() -> None:
    from robot_brain.ros.odom_cdr import OdometryEncoder, take_odometry

    log = _FakeLog()
    raw = OdometryEncoder("odom", "base_link").encode(1, 2, 3.0, 4.0, (0.0, 0.0, 0.0, 1.0),
                                                      0.5, 0.0)
    taken = take_odometry(_FakeLatest(raw), log)  # type: ignore[arg-type]
    assert taken is not None and taken[1] == 12.5
    pose = taken[0].pose()
    assert (pose.x, pose.y, pose.yaw) == (3.0, 4.0, 0.0) and taken[0].linear_x == 0.5
    assert take_odometry(_FakeLatest(None), log) is None  # type: ignore[arg-type]
    assert log.warnings == []
    assert take_odometry(_FakeLatest(b"\x00\x01\x00\x00"), log) is None  # type: ignore[arg-type]
    assert len(log.warnings) == 1 and "odom sample ignored" in log.warnings[0]
