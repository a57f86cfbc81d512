"""A sensor_msgs/PointCloud2 written as plain CDR bytes (robot_brain.ros.cdr), for the sims'
clouds: ~20 000 points, 520 kB, 10 times a second.

Everything but the stamp, the width and the data is fixed per publisher and encoded once; a
frame is then one join of a few small blocks and the point bytes, which rclpy publishes as a
serialized message without building a Python PointCloud2 (whose `data` a publish would convert
again). test/ros/test_pointcloud_cdr.py checks the bytes against rclpy's own serializer.
"""

from __future__ import annotations

import struct
from typing import Sequence

from robot_brain.core.sim.mujoco.livox_layout import Field
from robot_brain.ros.cdr import LITTLE_ENDIAN_HEADER, encode_stamp, encode_string

_U32 = struct.Struct("<I")


def _fields_block(fields: Sequence[Field]) -> bytes:
    """The `fields` sequence, starting 4-aligned (every member aligns to 4 at most)."""
    out = bytearray(_U32.pack(len(fields)))
    for f in fields:
        name = encode_string(f.name, len(out), 4)
        out += name
        out += _U32.pack(f.offset)
        out += bytes([f.datatype])
        out += bytes(3)  # count (uint32) aligns to 4 after the uint8 datatype
        out += _U32.pack(f.count)
    return bytes(out)


class PointCloud2Encoder:
    """Bytes of an unorganised (height 1), little-endian PointCloud2 with fixed fields."""

    def __init__(self, frame_id: str, fields: Sequence[Field], point_step: int,
                 is_dense: bool = True) -> None:
        self.point_step = point_step
        # After the stamp (8 bytes) the frame id, padded so height (uint32) aligns.
        self._frame = encode_string(frame_id, 8, 4)
        self._fields = _fields_block(fields)
        self._dense = b"\x01" if is_dense else b"\x00"

    def encode(self, sec: int, nanosec: int, width: int, data: bytes | memoryview) -> bytes:
        if len(data) != width * self.point_step:
            raise ValueError(f"{len(data)} data bytes for {width} points of "
                             f"{self.point_step} bytes")
        return b"".join((
            LITTLE_ENDIAN_HEADER, encode_stamp(sec, nanosec), self._frame,
            struct.pack("<II", 1, width), self._fields,
            # is_bigendian (false), padding to point_step, point_step, row_step, data length.
            b"\x00\x00\x00\x00", struct.pack("<III", self.point_step, width * self.point_step,
                                             len(data)),
            data, self._dense))
