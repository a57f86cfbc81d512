"""A serialized sensor_msgs/PointCloud2 read in place: header, shape, field table, and the
point bytes as a memoryview of the sample (no copy, no per-point Python).

rclpy's conversion of a PointCloud2 sample into a Python message copies the point bytes into
a Python sequence (bench/cloud_perception_bench.py measures it); subscribed with `raw=True`,
perception reads the few header fields here with `struct` and hands the core a `RawCloud`
whose `data` is a view into the sample itself.

Layout (plain CDR, robot_brain.ros.cdr): header (int32 sec, uint32 nanosec, string
frame_id), uint32 height, uint32 width, PointField[] fields (uint32 count, then per field:
string name, uint32 offset, uint8 datatype, uint32 count), bool is_bigendian, uint32
point_step, uint32 row_step, uint8[] data (uint32 length, bytes), bool is_dense.
test/ros/test_cloud_cdr.py checks it against rclpy's own serializer.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from robot_brain.core.perception.cloud.pointcloud import PointField, RawCloud
from robot_brain.ros.cdr import HEADER_SIZE, CdrError, align, byte_order

__all__ = ["CdrError", "CloudDecoder", "CloudSample", "decode_pointcloud2"]

#: More fields than this is not a point cloud anyone publishes; refused before looping.
MAX_FIELDS = 256


class CloudSample(NamedTuple):
    sec: int
    nanosec: int
    frame_id: str
    cloud: RawCloud

    @property
    def stamp(self) -> float:
        return self.sec + self.nanosec * 1e-9


def _string(raw: memoryview, order: str, pos: int) -> tuple[str, int]:
    pos = align(pos, 4)
    (length,) = struct.unpack_from(order + "I", raw, HEADER_SIZE + pos)
    start = HEADER_SIZE + pos + 4
    if length < 1 or start + length > len(raw):
        raise CdrError(f"string of {length} bytes at {pos} runs past the sample")
    text = bytes(raw[start:start + length - 1]).decode("utf-8", errors="replace")
    return text, pos + 4 + length


def decode_pointcloud2(raw: bytes | memoryview) -> CloudSample:
    """The sample's header and a RawCloud viewing its point bytes; CdrError when the bytes
    are not a PointCloud2 (truncated, a length past the end)."""
    return CloudDecoder().decode(raw)


class CloudDecoder:
    """decode_pointcloud2 for one stream: a driver sends the same field table in every
    message, so the bytes of the last table are kept with the fields read from them, and a
    message whose table holds the same bytes (at the same 4-aligned place after the shape,
    so it reads the same) reuses them instead of parsing a dozen strings and numbers again."""

    def __init__(self) -> None:
        self._order = ""
        self._n_fields = -1
        self._table = b""
        self._fields: tuple[PointField, ...] = ()

    def decode(self, raw: bytes | memoryview) -> CloudSample:
        """As decode_pointcloud2."""
        order = byte_order(bytes(raw[:4]))
        view = memoryview(raw).cast("B") if not isinstance(raw, bytes) else memoryview(raw)
        try:
            sec, nanosec = struct.unpack_from(order + "iI", view, HEADER_SIZE)
            frame_id, pos = _string(view, order, 8)
            pos = align(pos, 4)
            height, width, n_fields = struct.unpack_from(order + "3I", view,
                                                         HEADER_SIZE + pos)
            pos += 12
            if n_fields > MAX_FIELDS:
                raise CdrError(f"{n_fields} point fields (more than {MAX_FIELDS})")
            start = HEADER_SIZE + pos
            size = len(self._table)
            if (size and order == self._order and n_fields == self._n_fields
                    and view[start:start + size] == self._table):
                fields = self._fields
                pos += size
            else:
                fields, pos = _fields(view, order, pos, n_fields)
                self._order, self._n_fields, self._fields = order, n_fields, fields
                self._table = bytes(view[start:HEADER_SIZE + pos])
            (is_bigendian,) = struct.unpack_from("B", view, HEADER_SIZE + pos)
            pos = align(pos + 1, 4)
            point_step, row_step, size = struct.unpack_from(order + "3I", view,
                                                            HEADER_SIZE + pos)
            pos += 12
            start = HEADER_SIZE + pos
            if start + size > len(view):
                raise CdrError(f"data of {size} bytes runs past the sample ({len(view)} "
                               "bytes)")
            data = view[start:start + size]
            (is_dense,) = struct.unpack_from("B", view, start + size)
        except struct.error as exc:
            raise CdrError(f"truncated PointCloud2 sample ({len(view)} bytes)") from exc
        return CloudSample(sec, nanosec, frame_id, RawCloud(
            height=height, width=width, fields=fields, is_bigendian=bool(is_bigendian),
            point_step=point_step, row_step=row_step, data=data, is_dense=bool(is_dense)))


def _fields(view: memoryview, order: str, pos: int, n_fields: int
            ) -> tuple[tuple[PointField, ...], int]:
    """The field table at `pos` and the position after it."""
    fields = []
    for _ in range(n_fields):
        name, pos = _string(view, order, pos)
        pos = align(pos, 4)
        offset, datatype = struct.unpack_from(order + "IB", view, HEADER_SIZE + pos)
        pos = align(pos + 5, 4)
        (count,) = struct.unpack_from(order + "I", view, HEADER_SIZE + pos)
        pos += 4
        fields.append(PointField(name, offset, datatype, count))
    return tuple(fields), pos
