"""twist_cdr writes what rclpy's deserializer reads, and reads what its serializer wrote."""

from __future__ import annotations

import math
import random

import pytest
from geometry_msgs.msg import Twist, TwistStamped
from rclpy.serialization import deserialize_message, serialize_message

from robot_brain.ros.twist_cdr import CdrError, Stamp, TwistEncoder, decode_twist


def _stamped(rng: random.Random, frame: str) -> TwistStamped:
    msg = TwistStamped()
    msg.header.stamp.sec = rng.randint(-2**31, 2**31 - 1)
    msg.header.stamp.nanosec = rng.randint(0, 999_999_999)
    msg.header.frame_id = frame
    t = msg.twist
    t.linear.x, t.linear.y, t.linear.z = (rng.uniform(-2, 2) for _ in range(3))
    t.angular.x, t.angular.y, t.angular.z = (rng.uniform(-2, 2) for _ in range(3))
    return msg


@pytest.mark.parametrize("length", range(0, 12))
def test_decode_reads_rclpys_bytes_for_any_frame_length(length: int) -> None:
    msg = _stamped(random.Random(length), "f" * length)
    got = decode_twist(serialize_message(msg), stamped=True)
    assert got.stamp == Stamp(msg.header.stamp.sec, msg.header.stamp.nanosec)
    assert (got.linear_x, got.angular_z) == (msg.twist.linear.x, msg.twist.angular.z)


def test_decode_twist_unstamped() -> None:
    msg = Twist()
    msg.linear.x, msg.angular.z, msg.linear.y = 0.3, -1.25, 9.0
    got = decode_twist(serialize_message(msg), stamped=False)
    assert got == (None, 0.3, -1.25)


@pytest.mark.parametrize("frame", ["", "b", "base_link", "a_longer_frame_name", "ünïcode"])
def test_encoded_stamped_bytes_deserialize_to_the_command(frame: str) -> None:
    enc = TwistEncoder(stamped=True, frame_id=frame)
    raw = enc.encode(0.42, -0.7, Stamp(1_796_000_000, 123_456_789))
    msg = deserialize_message(raw, TwistStamped)
    assert msg.header.frame_id == frame
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (1_796_000_000, 123_456_789)
    assert (msg.twist.linear.x, msg.twist.angular.z) == (0.42, -0.7)
    assert (msg.twist.linear.y, msg.twist.linear.z, msg.twist.angular.x,
            msg.twist.angular.y) == (0.0, 0.0, 0.0, 0.0)
    # Same length as rclpy's own bytes (its padding bytes are not zeroed, so not compared).
    assert len(raw) == len(serialize_message(msg))
    assert decode_twist(raw, stamped=True) == (Stamp(1_796_000_000, 123_456_789), 0.42, -0.7)


def test_encoded_twist_and_a_builtin_time_stamp() -> None:
    from builtin_interfaces.msg import Time

    assert deserialize_message(TwistEncoder(stamped=False).encode(1.0, 2.0), Twist).angular.z == 2.0
    raw = TwistEncoder(stamped=True).encode(0.1, 0.2, Time(sec=7, nanosec=8))
    assert decode_twist(raw, stamped=True).stamp == Stamp(7, 8)
    assert decode_twist(TwistEncoder(stamped=True).encode(0.0, 0.0), True).stamp == Stamp(0, 0)


def test_non_finite_values_survive_the_round_trip() -> None:
    # The watchdog's core, not the codec, decides what a NaN command means.
    got = decode_twist(TwistEncoder(stamped=True).encode(math.nan, math.inf), stamped=True)
    assert math.isnan(got.linear_x) and got.angular_z == math.inf


def test_stamp_from_nanoseconds() -> None:
    assert Stamp.from_nanoseconds(5_000_000_007) == Stamp(5, 7)


def test_big_endian_sample_is_read() -> None:
    import struct

    raw = b"\x00\x00\x00\x00" + struct.pack(">6d", 0.5, 0, 0, 0, 0, -0.5)
    assert decode_twist(raw, stamped=False) == (None, 0.5, -0.5)


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x00\x00", b"\x07\x01\x00\x00" + bytes(80),
                                 serialize_message(TwistStamped())[:30],
                                 # a frame_id length pointing far past the end
                                 b"\x00\x01\x00\x00" + bytes(8) + b"\xff\xff\xff\x00" + bytes(48)])
def test_bad_bytes_are_refused(raw: bytes) -> None:
    with pytest.raises(CdrError):
        decode_twist(raw, stamped=True)


def test_out_of_range_stamp_is_refused() -> None:
    with pytest.raises(CdrError):
        TwistEncoder(stamped=True).encode(0.0, 0.0, Stamp(2**40, 0))
