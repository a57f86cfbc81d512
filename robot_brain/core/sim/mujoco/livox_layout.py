"""The point layout livox_ros_driver2 publishes a MID-360 cloud in (PointCloud2, xfer_format 0).

Since livox_ros_driver2 1.2.0 each point is the packed (`#pragma pack(1)`) struct
LivoxPointXyzrtlt: x y z intensity (float32), tag and line (uint8), timestamp (float64, the
point's absolute time in ns), 26 bytes, little-endian, height 1, is_dense true. The MuJoCo sim
writes its head cloud exactly so, so perception is tested on the layout a G1 sends (unaligned
float64 included). The sim casts a whole frame at one instant: every point carries the frame's
time. tag 0 = a normal return (no noise flags).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: sensor_msgs/PointField datatypes.
UINT8 = 2
FLOAT32 = 7
FLOAT64 = 8


@dataclass(frozen=True)
class Field:
    name: str
    offset: int
    datatype: int
    count: int = 1


FIELDS: tuple[Field, ...] = (
    Field("x", 0, FLOAT32), Field("y", 4, FLOAT32), Field("z", 8, FLOAT32),
    Field("intensity", 12, FLOAT32), Field("tag", 16, UINT8), Field("line", 17, UINT8),
    Field("timestamp", 18, FLOAT64),
)
#: numpy's view of one point: no padding (align=False), little-endian.
POINT_DTYPE = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("intensity", "<f4"),
                        ("tag", "u1"), ("line", "u1"), ("timestamp", "<f8")])
POINT_STEP = POINT_DTYPE.itemsize  # 26


def pack_points(points: np.ndarray, intensity: np.ndarray, line: np.ndarray,
                timestamp_ns: int) -> np.ndarray:
    """The cloud's `data` as a structured array (view it as bytes with `.view(np.uint8)`)."""
    n = len(points)
    out = np.empty(n, dtype=POINT_DTYPE)
    out["x"] = points[:, 0]
    out["y"] = points[:, 1]
    out["z"] = points[:, 2]
    out["intensity"] = intensity
    out["tag"] = 0
    out["line"] = line
    out["timestamp"] = float(timestamp_ns)
    return out
