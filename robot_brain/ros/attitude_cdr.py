"""(stamp, orientation) of a serialized nav_msgs/Odometry or sensor_msgs/Imu, read in place.

Perception levels clouds with the base's attitude at the cloud's stamp, so it keeps every
odometry (or IMU) sample of the last seconds, not only the newest; the samples wait in the
middleware queue as bytes and are read here when a cloud arrives, without a Python message.
An Imu whose orientation_covariance[0] is -1 has no orientation (REP 145): refused.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from robot_brain.ros.cdr import HEADER_SIZE, CdrError, align, byte_order, skip_string

__all__ = ["Attitude", "CdrError", "decode_imu_attitude", "decode_odometry_attitude"]


class Attitude(NamedTuple):
    stamp: float
    qx: float
    qy: float
    qz: float
    qw: float


def decode_odometry_attitude(raw: bytes) -> Attitude:
    order = byte_order(raw)
    try:
        sec, nanosec = struct.unpack_from(order + "iI", raw, HEADER_SIZE)
        pos = skip_string(raw, order, 8)      # header.frame_id
        pos = skip_string(raw, order, pos)    # child_frame_id
        pos = align(pos, 8) + 3 * 8           # pose.pose.position
        q = struct.unpack_from(order + "4d", raw, HEADER_SIZE + pos)
    except struct.error as exc:
        raise CdrError(f"truncated Odometry sample ({len(raw)} bytes)") from exc
    return Attitude(sec + nanosec * 1e-9, *q)


def decode_imu_attitude(raw: bytes) -> Attitude:
    order = byte_order(raw)
    try:
        sec, nanosec = struct.unpack_from(order + "iI", raw, HEADER_SIZE)
        pos = align(skip_string(raw, order, 8), 8)
        q = struct.unpack_from(order + "4d", raw, HEADER_SIZE + pos)
        (cov0,) = struct.unpack_from(order + "d", raw, HEADER_SIZE + pos + 32)
    except struct.error as exc:
        raise CdrError(f"truncated Imu sample ({len(raw)} bytes)") from exc
    if cov0 == -1.0:
        raise CdrError("Imu without orientation (orientation_covariance[0] = -1)")
    return Attitude(sec + nanosec * 1e-9, *q)
