"""sensor_msgs/LaserScan as plain CDR bytes (robot_brain.ros.cdr), for perception/obstacles.

Perception publishes one sector set per source message (up to 60 a second with a sliced head
lidar) and the controller takes each one: building and converting a Python LaserScan on both
sides cost more than what either then does with 16 numbers. The encoder writes the fixed frame
id once; the decoder reads the stamp and the ranges only (a view of the bytes when they are
little-endian). test/ros/test_laserscan_cdr.py checks both against rclpy's own serializer.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

import numpy as np

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
from robot_brain.ros.twist_cdr import Stamp

#: angle_min, angle_max, angle_increment, time_increment, scan_time, range_min, range_max.
_GEOMETRY = struct.Struct("<7f")
_U32 = struct.Struct("<I")
_NO_INTENSITIES = _U32.pack(0)


class ScanFields(NamedTuple):
    stamp: Stamp
    #: float32 (N,): a read-only view of the sample when it is little-endian.
    ranges: np.ndarray


class LaserScanEncoder:
    """Bytes of a LaserScan in a fixed frame, without intensities."""

    def __init__(self, frame_id: str) -> None:
        # After the stamp (8 bytes) the frame id, padded so the float32 fields align.
        self._frame = encode_string(frame_id, 8, 4)

    def encode(self, sec: int, nanosec: int, angle_min: float, angle_max: float,
               angle_increment: float, time_increment: float, scan_time: float,
               range_min: float, range_max: float, ranges: np.ndarray) -> bytes:
        r = np.ascontiguousarray(ranges, dtype="<f4").reshape(-1)
        return b"".join((LITTLE_ENDIAN_HEADER, encode_stamp(sec, nanosec), self._frame,
                         _GEOMETRY.pack(angle_min, angle_max, angle_increment, time_increment,
                                        scan_time, range_min, range_max),
                         _U32.pack(r.size), r.tobytes(), _NO_INTENSITIES))


def decode_laserscan(raw: bytes) -> ScanFields:
    """The stamp and ranges of a serialized LaserScan, or CdrError."""
    order = byte_order(raw)
    try:
        sec, nanosec = struct.unpack_from(order + "iI", raw, HEADER_SIZE)
        pos = skip_string(raw, order, 8)  # header.frame_id
        pos = align(pos, 4) + 7 * 4       # the seven float32 fields
        (n,) = struct.unpack_from(order + "I", raw, HEADER_SIZE + pos)
    except struct.error as exc:
        raise CdrError(f"truncated LaserScan sample ({len(raw)} bytes)") from exc
    start = HEADER_SIZE + pos + 4
    if start + 4 * n > len(raw):
        raise CdrError(f"LaserScan sample of {len(raw)} bytes cannot hold its {n} ranges")
    ranges = np.frombuffer(raw, dtype=order + "f4", count=n, offset=start)
    return ScanFields(Stamp(sec, nanosec), ranges)
