"""x, y, z of a sensor_msgs/PointCloud2, read from the message's own field table.

Drivers lay their points out differently, and all of them say how in `fields`:

* livox_ros_driver2: x y z intensity (float32) tag line (uint8), packed, point_step 18; its
  newer releases add a float64 `timestamp` at offset 18 (point_step 26);
* ouster-ros: x y z, 4 bytes of padding, intensity, t, reflectivity, ring, ambient, range,
  point_step 48 (PCL's 16-byte alignment), organised: height = the beam count (64/128);
* realsense-ros: x y z, padding, optionally `rgb` at offset 16, organised (640 x 480, invalid
  pixels kept as zeros) or not;
* velodyne_pointcloud: x y z intensity ring time, packed, point_step 22, organised with one
  row per firing.

So nothing is assumed but the PointCloud2 contract: point (r, c) starts at
`r * row_step + c * point_step` in `data`, and field f of it at `offset` more. The three
coordinates are read through strided numpy views of the bytes (no loop over points), each
converted to native float32 in one copy. A field may be float32 or float64; big-endian data
(`is_bigendian`) is byte-swapped by that same copy, so it is read correctly, not refused.

Refused with a `CloudFormatError` subclass that names the problem: a missing x, y or z
(`MissingFieldError`), a coordinate that is not float32/float64 or has count 0
(`FieldTypeError`), and a `point_step`, `row_step`, field offset or data length that
disagree with each other or with height x width (`LayoutError`).

Non-finite coordinates are left in the arrays (the projection counts and drops them: it has
to compute the range anyway). A cloud with more than `max_points` points is decimated
deterministically before anything is copied: every s-th point (an unorganised cloud) or
every s_r-th row and s_c-th column (an organised one), so a 10-million-point message costs
what `max_points` points cost, and the decimation is reported (`CloudPoints.stride`).
"""

from __future__ import annotations

import array
import enum
import functools
import math
from dataclasses import dataclass
from typing import Union

import numpy as np


class PointFieldType(enum.IntEnum):
    """sensor_msgs/PointField datatypes."""

    INT8 = 1
    UINT8 = 2
    INT16 = 3
    UINT16 = 4
    INT32 = 5
    UINT32 = 6
    FLOAT32 = 7
    FLOAT64 = 8


#: Bytes of one element of each datatype.
FIELD_SIZES = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 8: 8}
_FLOAT_CODES = {PointFieldType.FLOAT32: "f4", PointFieldType.FLOAT64: "f8"}
AXES = ("x", "y", "z")
#: What the point bytes may come as: a view into a CDR sample, rclpy's array('B'), bytes, numpy.
PointBytes = Union[bytes, bytearray, memoryview, "array.array[int]", np.ndarray]


class CloudFormatError(ValueError):
    """A PointCloud2 whose points cannot be read; the message says what disagrees."""


class MissingFieldError(CloudFormatError):
    """No x, y or z field in the cloud's field table."""


class FieldTypeError(CloudFormatError):
    """A coordinate field that is not float32 or float64, or has count 0."""


class LayoutError(CloudFormatError):
    """point_step, row_step, field offsets, height x width and the data length disagree."""


@dataclass(frozen=True)
class PointField:
    name: str
    offset: int
    datatype: int
    count: int = 1


@dataclass(frozen=True)
class RawCloud:
    """The parts of a PointCloud2 the reader needs (a ROS-free copy of the message's shape)."""

    height: int
    width: int
    fields: tuple[PointField, ...]
    is_bigendian: bool
    point_step: int
    row_step: int
    #: The point bytes (bytes, memoryview, array('B') or a uint8 numpy array): not copied.
    data: PointBytes
    is_dense: bool = False

    @property
    def n_points(self) -> int:
        return self.height * self.width


@dataclass(frozen=True)
class CloudPoints:
    """Coordinates in the sensor frame: float32, C-contiguous, shape (rows, columns) as the
    cloud is organised (an unorganised cloud is one row), after decimation."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    #: Points in the message (height x width), before decimation.
    total: int
    #: Decimation factor (1 = every point read); about total / stride points were kept.
    stride: int

    @property
    def size(self) -> int:
        return int(self.x.size)


def _field(fields: tuple[PointField, ...], name: str) -> PointField:
    for f in fields:  # the first field of that name, as PCL and RViz read it
        if f.name == name:
            return f
    names = [f.name for f in fields]
    raise MissingFieldError(f"cloud has no '{name}' field (fields: {names})")


def _dtype(is_bigendian: bool, f: PointField) -> np.dtype:
    if f.datatype not in _FLOAT_CODES:
        kind = (PointFieldType(f.datatype).name if f.datatype in FIELD_SIZES
                else f"unknown datatype {f.datatype}")
        raise FieldTypeError(f"field '{f.name}' is {kind}; coordinates must be FLOAT32 or "
                             "FLOAT64")
    if f.count < 1:
        raise FieldTypeError(f"field '{f.name}' has count {f.count}")
    return np.dtype(("<" if not is_bigendian else ">") + _FLOAT_CODES[
        PointFieldType(f.datatype)])


# A driver sends the same field table in every message: what it says is worked out once
# (errors are raised again each time, lru_cache keeps only results).
@functools.lru_cache(maxsize=32)
def _axes(fields: tuple[PointField, ...], is_bigendian: bool
          ) -> tuple[tuple[PointField, np.dtype], ...]:
    """The x, y, z fields with their numpy dtypes; MissingFieldError, FieldTypeError."""
    return tuple((f, _dtype(is_bigendian, f)) for f in (_field(fields, a) for a in AXES))


@functools.lru_cache(maxsize=32)
def _check_fit(fields: tuple[PointField, ...], point_step: int) -> None:
    """Every field of a known type must fit in a point, not only x, y, z: a field table that
    runs past point_step says the steps are not the ones the points were written with."""
    for f in fields:
        nbytes = FIELD_SIZES.get(f.datatype, 0) * max(f.count, 1)
        if f.offset < 0 or f.offset + nbytes > point_step:
            raise LayoutError(f"field '{f.name}' at offset {f.offset} ({nbytes} bytes) "
                              f"does not fit in point_step {point_step}")


def check_layout(cloud: RawCloud) -> tuple[tuple[PointField, np.dtype], ...]:
    """The x, y, z fields with their numpy dtypes; a CloudFormatError when the cloud's
    steps, offsets and length disagree."""
    h, w, ps, rs = cloud.height, cloud.width, cloud.point_step, cloud.row_step
    for label, v in (("height", h), ("width", w), ("point_step", ps), ("row_step", rs)):
        if v < 0:
            raise LayoutError(f"{label} {v} is negative")
    axes = _axes(cloud.fields, cloud.is_bigendian)
    size = len(memoryview(cloud.data).cast("B")) if not isinstance(
        cloud.data, np.ndarray) else int(cloud.data.nbytes)
    if size != h * rs:
        raise LayoutError(f"data has {size} bytes, height {h} x row_step {rs} = {h * rs}")
    if h * w == 0:
        return axes
    _check_fit(cloud.fields, ps)
    if rs < w * ps:
        raise LayoutError(f"row_step {rs} < width {w} x point_step {ps} = {w * ps}")
    return axes


def _strides(h: int, w: int, max_points: int) -> tuple[int, int]:
    """Row and column steps that keep at most `max_points` of an h x w grid."""
    if h * w <= max_points:
        return 1, 1
    if h == 1 or w == 1:
        s = math.ceil(h * w / max_points)
        return (s, 1) if w == 1 else (1, s)
    s = math.ceil(h * w / max_points)
    sr = min(h, max(1, math.isqrt(s)))
    sc = math.ceil(s / sr)
    while math.ceil(h / sr) * math.ceil(w / sc) > max_points:
        sc += 1
    return sr, sc


def read_xyz(cloud: RawCloud, max_points: int) -> CloudPoints:
    """x, y, z of every point (at most about `max_points`, see the module doc), each a
    (rows, columns) float32 array in the message's order."""
    if max_points < 1:
        raise ValueError(f"max_points must be >= 1, got {max_points}")
    axes = check_layout(cloud)
    h, w = cloud.height, cloud.width
    if h * w == 0:
        empty = np.zeros((1, 0), dtype=np.float32)
        return CloudPoints(empty, empty, empty, 0, 1)
    buf = (cloud.data.reshape(-1).view(np.uint8) if isinstance(cloud.data, np.ndarray)
           else np.frombuffer(cloud.data, dtype=np.uint8))
    sr, sc = _strides(h, w, max_points)
    out = []
    for f, dt in axes:
        view = np.ndarray((h, w), dtype=dt, buffer=buf, offset=f.offset,
                          strides=(cloud.row_step, cloud.point_step))[::sr, ::sc]
        # One copy: strided and possibly unaligned bytes -> contiguous native float32.
        out.append(np.ascontiguousarray(view, dtype=np.float32))
    return CloudPoints(out[0], out[1], out[2], h * w, sr * sc)
