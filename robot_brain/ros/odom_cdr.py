"""The few fields of a serialized nav_msgs/Odometry the controller uses, read in place; and
the sim's odometry written as bytes.

The controller takes odometry at 50 Hz, and rclpy's conversion of each CDR sample into a
Python Odometry (two 36-double covariance arrays among the rest) costs more than everything
the controller then does with it. Subscribed with `raw=True`, the bytes are read here with
`struct`: position x/y, orientation, linear.x and angular.z, nothing else allocated.

The layout is plain CDR (robot_brain.ros.cdr). test/ros/test_odom_cdr.py checks it against
rclpy's own serializer.
"""

from __future__ import annotations

import math
import struct
from typing import NamedTuple

from robot_brain.core.geometry import Pose2D, yaw_from_quaternion
from robot_brain.ros.cdr import (
    HEADER_SIZE,
    LITTLE_ENDIAN_HEADER,
    CdrError,
    align,
    byte_order,
    encode_stamp,
    encode_string,
    skip_string,
)
from robot_brain.ros.latest import LatestSample
from robot_brain.ros.throttled_log import ThrottledLog

__all__ = ["CdrError", "OdomFields", "OdometryEncoder", "decode_odometry", "take_odometry"]


class OdomFields(NamedTuple):
    """What the nodes read of an Odometry sample."""

    x: float
    y: float
    qx: float
    qy: float
    qz: float
    qw: float
    linear_x: float
    angular_z: float
    #: header.stamp in seconds (simulated seconds under a simulator's /clock).
    stamp_s: float = math.nan

    def pose(self) -> Pose2D:
        return Pose2D(self.x, self.y, yaw_from_quaternion(self.qx, self.qy, self.qz, self.qw))


_COVARIANCE = 36 * 8


def take_odometry(latest: LatestSample[bytes], log: ThrottledLog
                  ) -> tuple[OdomFields, float] | None:
    """The newest odometry taken from a raw LatestSample and its receipt time (monotonic), or
    None when none arrived or the bytes are not an Odometry (warned through `log`)."""
    sample = latest.take()
    if sample is None:
        return None
    try:
        return decode_odometry(sample.msg), sample.received
    except CdrError as exc:
        log.warning("odom", f"odom sample ignored: {exc}")
        return None


def decode_odometry(raw: bytes) -> OdomFields:
    order = byte_order(raw)
    try:
        sec, nanosec = struct.unpack_from(order + "iI", raw, HEADER_SIZE)
        pos = 8  # header.stamp: int32 sec + uint32 nanosec
        pos = skip_string(raw, order, pos)  # header.frame_id
        pos = skip_string(raw, order, pos)  # child_frame_id
        pos = align(pos, 8)
        x, y, _z, qx, qy, qz, qw = struct.unpack_from(order + "7d", raw, HEADER_SIZE + pos)
        pos += 7 * 8 + _COVARIANCE
        lx, _ly, _lz, _ax, _ay, az = struct.unpack_from(order + "6d", raw, HEADER_SIZE + pos)
    except struct.error as exc:
        raise CdrError(f"truncated Odometry sample ({len(raw)} bytes)") from exc
    return OdomFields(x, y, qx, qy, qz, qw, lx, az, sec + nanosec * 1e-9)


_POSE = struct.Struct("<7d")
_TWIST = struct.Struct("<6d")
_ZERO_COVARIANCE = bytes(_COVARIANCE)


class OdometryEncoder:
    """Bytes of an Odometry with fixed frames, a planar pose and velocity, zero covariances.

    The sim publishes odometry at 50 Hz; building the Python message alone took ~48 µs, before
    rclpy converted it again for the middleware."""

    def __init__(self, frame_id: str, child_frame_id: str) -> None:
        first = encode_string(frame_id, 8, 4)
        self._frames = first + encode_string(child_frame_id, 8 + len(first), 8)

    def encode(self, sec: int, nanosec: int, x: float, y: float,
               q: tuple[float, float, float, float], linear_x: float, angular_z: float
               ) -> bytes:
        return b"".join((LITTLE_ENDIAN_HEADER, encode_stamp(sec, nanosec), self._frames,
                         _POSE.pack(x, y, 0.0, *q), _ZERO_COVARIANCE,
                         _TWIST.pack(linear_x, 0.0, 0.0, 0.0, 0.0, angular_z),
                         _ZERO_COVARIANCE))
