"""PointCloud2 layouts exactly as the real drivers write them, for the reader's tests.

Each builder returns a `RawCloud` (and the tests turn the same parts into a sensor_msgs
PointCloud2 for the CDR tests). Offsets, datatypes, point_step, organisation and the way
invalid points are written follow the drivers' sources:

* livox_ros_driver2 (lddc.cpp, comm.h): `#pragma pack(1)` LivoxPointXyzrtl = x y z
  reflectivity (float32, published as field "intensity"), tag, line (uint8): point_step 18,
  height 1, is_dense true; the variant with per-point time adds float64 "timestamp" at
  offset 18 (point_step 26).
* ouster-ros (os_point.h, point_cloud_compose.h): PCL point with PCL_ADD_POINT4D (x y z and a
  padding float), intensity float32 @16, t uint32 @20, reflectivity uint16 @24, ring uint16
  @26, ambient uint16 @28, range uint32 @32, EIGEN_ALIGN16 -> point_step 48; organised
  height = beams, width = columns, no return = NaN, is_dense false.
* realsense-ros (named_filter.cpp, PointcloudFilter::Publish): setPointCloud2FieldsByString
  "xyz" (x y z + 4 bytes of padding, point_step 16) then an "rgb" float32 field at offset 16
  (point_step 20) when textured; ordered_pc: height x width of the depth image with invalid
  pixels written as (0, 0, 0), is_dense false; otherwise only valid points, height 1.
* velodyne_pointcloud (datacontainerbase.hpp, organized_cloudXYZIRT.cpp): addPointField
  packs x y z intensity (float32) ring (uint16) time (float32) with no padding: point_step
  22; organised: width = the laser count, height = firings, out of range = NaN.
"""

from __future__ import annotations

import numpy as np

from robot_brain.core.perception.cloud.pointcloud import PointField, PointFieldType, RawCloud

F32, F64 = PointFieldType.FLOAT32, PointFieldType.FLOAT64
U8, U16, U32 = PointFieldType.UINT8, PointFieldType.UINT16, PointFieldType.UINT32


def _structured(names: list[str], formats: list[str], offsets: list[int], itemsize: int,
                big: bool = False) -> np.dtype:
    order = ">" if big else "<"
    return np.dtype({"names": names, "formats": [order + f for f in formats],
                     "offsets": offsets, "itemsize": itemsize})


def _cloud(rec: np.ndarray, fields: list[PointField], dense: bool, big: bool = False
           ) -> RawCloud:
    h, w = rec.shape
    step = rec.dtype.itemsize
    return RawCloud(height=h, width=w, fields=tuple(fields), is_bigendian=big,
                    point_step=step, row_step=w * step, data=rec.tobytes(), is_dense=dense)


def livox(xyz: np.ndarray, timestamp: bool = False, t0_ns: float = 1.7e18) -> RawCloud:
    n = len(xyz)
    names = ["x", "y", "z", "intensity", "tag", "line"]
    formats = ["f4", "f4", "f4", "f4", "u1", "u1"]
    offsets = [0, 4, 8, 12, 16, 17]
    size = 18
    if timestamp:
        names.append("timestamp")
        formats.append("f8")
        offsets.append(18)
        size = 26
    rec = np.zeros((1, n), dtype=_structured(names, formats, offsets, size))
    rec["x"][0], rec["y"][0], rec["z"][0] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    rec["intensity"][0] = np.arange(n) % 150
    rec["tag"][0] = 0x10
    rec["line"][0] = np.arange(n) % 4  # MID-360: 4 lines
    if timestamp:
        rec["timestamp"][0] = t0_ns + np.arange(n) * (1e8 / max(n, 1))
    fields = [PointField(nm, off, dt, 1) for nm, off, dt in zip(
        names, offsets, [F32, F32, F32, F32, U8, U8, F64][:len(names)], strict=True)]
    return _cloud(rec, fields, dense=True)


OUSTER_FIELDS = [("x", 0, F32, "f4"), ("y", 4, F32, "f4"), ("z", 8, F32, "f4"),
                 ("intensity", 16, F32, "f4"), ("t", 20, U32, "u4"),
                 ("reflectivity", 24, U16, "u2"), ("ring", 26, U16, "u2"),
                 ("ambient", 28, U16, "u2"), ("range", 32, U32, "u4")]


def ouster(xyz: np.ndarray, big: bool = False) -> RawCloud:
    """xyz: (beams, columns, 3); NaN rows/points stay NaN as ouster-ros writes them."""
    h, w, _ = xyz.shape
    dt = _structured([f[0] for f in OUSTER_FIELDS], [f[3] for f in OUSTER_FIELDS],
                     [f[1] for f in OUSTER_FIELDS], 48, big)
    rec = np.zeros((h, w), dtype=dt)
    rec["x"], rec["y"], rec["z"] = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    rec["ring"] = np.arange(h)[:, None]
    rec["t"] = (np.arange(w) * (1e8 / w)).astype(np.uint32)[None, :]
    rng = np.linalg.norm(np.nan_to_num(xyz), axis=-1)
    rec["range"] = (rng * 1000).astype(np.uint32)
    fields = [PointField(nm, off, dtp, 1) for nm, off, dtp, _ in OUSTER_FIELDS]
    return _cloud(rec, fields, dense=False, big=big)


def realsense(xyz: np.ndarray, rgb: bool = True, ordered: bool = True) -> RawCloud:
    """xyz: (rows, cols, 3) in camera_depth_optical_frame; z <= 0 = no depth."""
    h, w, _ = xyz.shape
    valid = xyz[..., 2] > 0
    if not ordered:
        xyz = xyz[valid][None, :, :]
        h, w = 1, xyz.shape[1]
    else:
        xyz = np.where(valid[..., None], xyz, 0.0)
    names, formats, offsets = ["x", "y", "z"], ["f4"] * 3, [0, 4, 8]
    fields = [PointField("x", 0, F32, 1), PointField("y", 4, F32, 1),
              PointField("z", 8, F32, 1)]
    size = 16
    if rgb:
        names.append("rgb")
        formats.append("f4")
        offsets.append(16)
        fields.append(PointField("rgb", 16, F32, 1))
        size = 20
    rec = np.zeros((h, w), dtype=_structured(names, formats, offsets, size))
    rec["x"], rec["y"], rec["z"] = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    if rgb:
        rec["rgb"] = np.frombuffer(np.full(h * w, 0x00336699, dtype="<u4").tobytes(),
                                   dtype="<f4").reshape(h, w)
    return _cloud(rec, fields, dense=not ordered)


VELODYNE_FIELDS = [("x", 0, F32, "f4"), ("y", 4, F32, "f4"), ("z", 8, F32, "f4"),
                   ("intensity", 12, F32, "f4"), ("ring", 16, U16, "u2"),
                   ("time", 18, F32, "f4")]


def velodyne(xyz: np.ndarray, organized: bool = True) -> RawCloud:
    """xyz: (firings, lasers, 3); organised: height = firings, width = lasers."""
    f, lasers, _ = xyz.shape
    dt = _structured([v[0] for v in VELODYNE_FIELDS], [v[3] for v in VELODYNE_FIELDS],
                     [v[1] for v in VELODYNE_FIELDS], 22)
    if not organized:
        keep = np.isfinite(xyz).all(axis=-1)
        ring = np.broadcast_to(np.arange(lasers), (f, lasers))[keep]
        xyz = xyz[keep][None, :, :]
        rec = np.zeros(xyz.shape[:2], dtype=dt)
        rec["ring"] = ring[None, :]
    else:
        rec = np.zeros((f, lasers), dtype=dt)
        rec["ring"] = np.arange(lasers)[None, :]
        rec["time"] = (np.arange(f) * 1e-4)[:, None]
    rec["x"], rec["y"], rec["z"] = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    fields = [PointField(nm, off, dtp, 1) for nm, off, dtp, _ in VELODYNE_FIELDS]
    return _cloud(rec, fields, dense=not organized)
