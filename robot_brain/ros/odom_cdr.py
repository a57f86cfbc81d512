"""The few fields of a serialized nav_msgs/Odometry the controller uses, read in place.

The controller takes odometry at 50 Hz, and rclpy's conversion of each CDR sample into a
Python Odometry (two 36-double covariance arrays among the rest) costs more than everything
the controller then does with it. Subscribed with `raw=True`, the bytes are read here with
`struct`: position x/y, orientation, linear.x and angular.z, nothing else allocated.

The layout is plain CDR (XCDR1) as Fast DDS writes it: a 4-byte encapsulation header (its
second byte says the byte order), then the fields with each primitive aligned to its size
relative to the end of that header. test/ros/test_odom_cdr.py checks it against rclpy's own
serializer.
"""

from __future__ import annotations

import struct
from typing import NamedTuple


class CdrError(ValueError):
    """Bytes that are not a serialized Odometry."""


class OdomFields(NamedTuple):
    x: float
    y: float
    qx: float
    qy: float
    qz: float
    qw: float
    linear_x: float
    angular_z: float


_HEADER = 4  # encapsulation: 0x00 0x01 = CDR little-endian, 0x00 0x00 = big-endian
_COVARIANCE = 36 * 8


def decode_odometry(raw: bytes) -> OdomFields:
    if len(raw) < _HEADER or raw[0] != 0 or raw[1] not in (0, 1):
        raise CdrError("not a plain CDR sample (encapsulation header)")
    order = "<" if raw[1] == 1 else ">"
    try:
        pos = 8  # header.stamp: int32 sec + uint32 nanosec
        for _ in range(2):  # header.frame_id, child_frame_id: uint32 length (with NUL) + bytes
            pos = _align(pos, 4)
            (length,) = struct.unpack_from(order + "I", raw, _HEADER + pos)
            pos += 4 + length
        pos = _align(pos, 8)
        x, y, _z, qx, qy, qz, qw = struct.unpack_from(order + "7d", raw, _HEADER + pos)
        pos += 7 * 8 + _COVARIANCE
        lx, _ly, _lz, _ax, _ay, az = struct.unpack_from(order + "6d", raw, _HEADER + pos)
    except struct.error as exc:
        raise CdrError(f"truncated Odometry sample ({len(raw)} bytes)") from exc
    return OdomFields(x, y, qx, qy, qz, qw, lx, az)


def _align(pos: int, size: int) -> int:
    return (pos + size - 1) // size * size
