"""read_xyz reads x, y, z from every real driver's layout, refuses inconsistent clouds with a
specific error, and caps huge clouds by a fixed stride."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from robot_brain.core.perception.cloud.pointcloud import (
    FieldTypeError,
    LayoutError,
    MissingFieldError,
    PointField,
    PointFieldType,
    RawCloud,
    read_xyz,
)
from test.unit import cloud_fixtures as fx


def _points(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-20, 20, size=(n, 3)).astype(np.float32)


def _stacked(c: object) -> np.ndarray:
    return np.stack([c.x.ravel(), c.y.ravel(), c.z.ravel()], axis=1)  # type: ignore[attr-defined]


@pytest.mark.parametrize("timestamp", [False, True])
def test_livox_packed_layouts(timestamp: bool) -> None:
    xyz = _points(20_000)
    cloud = fx.livox(xyz, timestamp=timestamp)
    assert cloud.point_step == (26 if timestamp else 18)
    got = read_xyz(cloud, 1_000_000)
    np.testing.assert_array_equal(_stacked(got), xyz)
    assert got.total == 20_000 and got.stride == 1


def test_ouster_organised_with_nan_rows_keeps_them_for_the_caller() -> None:
    xyz = _points(64 * 1024).reshape(64, 1024, 3)
    xyz[5, :, :] = np.nan            # a beam with no return at all
    xyz[10, 100:200, :] = np.nan
    got = read_xyz(fx.ouster(xyz), 1_000_000)
    assert got.x.shape == (64, 1024) and got.x.flags.c_contiguous   # organised as sent
    np.testing.assert_array_equal(_stacked(got), xyz.reshape(-1, 3))


def test_big_endian_data_is_byte_swapped() -> None:
    xyz = _points(16 * 32).reshape(16, 32, 3)
    cloud = fx.ouster(xyz, big=True)
    assert cloud.is_bigendian
    np.testing.assert_array_equal(_stacked(read_xyz(cloud, 10_000)), xyz.reshape(-1, 3))
    # The same bytes declared little-endian are something else entirely.
    wrong = read_xyz(dataclasses.replace(cloud, is_bigendian=False), 10_000)
    assert not np.allclose(_stacked(wrong), xyz.reshape(-1, 3), equal_nan=True)


@pytest.mark.parametrize("rgb", [False, True])
@pytest.mark.parametrize("ordered", [False, True])
def test_realsense_layouts(rgb: bool, ordered: bool) -> None:
    xyz = _points(48 * 64, 3).reshape(48, 64, 3)
    xyz[..., 2] = np.abs(xyz[..., 2])
    xyz[::7, ::5, 2] = 0.0  # no depth
    cloud = fx.realsense(xyz, rgb=rgb, ordered=ordered)
    assert cloud.point_step == (20 if rgb else 16)
    got = _stacked(read_xyz(cloud, 1_000_000))
    valid = xyz[..., 2] > 0
    if ordered:
        assert got.shape == (48 * 64, 3)
        np.testing.assert_array_equal(got[~valid.reshape(-1)], 0.0)
        np.testing.assert_array_equal(got[valid.reshape(-1)], xyz[valid])
    else:
        np.testing.assert_array_equal(got, xyz[valid])


@pytest.mark.parametrize("organized", [False, True])
def test_velodyne_packed_22_byte_points(organized: bool) -> None:
    xyz = _points(1800 * 16, 4).reshape(1800, 16, 3)
    xyz[::3, 2, :] = np.nan
    cloud = fx.velodyne(xyz, organized=organized)
    assert cloud.point_step == 22
    got = _stacked(read_xyz(cloud, 1_000_000))
    want = xyz.reshape(-1, 3) if organized else xyz[np.isfinite(xyz).all(-1)]
    np.testing.assert_array_equal(got, want)


def test_float64_coordinates_and_row_padding() -> None:
    h, w, step, row = 3, 5, 32, 5 * 32 + 16  # 16 bytes of padding after every row
    dt = np.dtype({"names": ["x", "y", "z"], "formats": ["<f8"] * 3, "offsets": [0, 8, 16],
                   "itemsize": step})
    data = np.zeros(h * row, dtype=np.uint8)
    xyz = _points(h * w, 5).astype(np.float64).reshape(h, w, 3)
    for r in range(h):
        rec = data[r * row:r * row + w * step].view(dt)
        rec["x"], rec["y"], rec["z"] = xyz[r, :, 0], xyz[r, :, 1], xyz[r, :, 2]
    fields = tuple(PointField(a, 8 * i, PointFieldType.FLOAT64, 1) for i, a in enumerate("xyz"))
    cloud = RawCloud(h, w, fields, False, step, row, data.tobytes())
    np.testing.assert_allclose(_stacked(read_xyz(cloud, 100)), xyz.reshape(-1, 3), rtol=1e-6)


def test_ten_million_points_are_decimated_by_a_fixed_stride() -> None:
    n = 10_000_000
    xyz = np.zeros((n, 3), dtype=np.float32)
    xyz[:, 0] = np.arange(n, dtype=np.float32)
    cloud = fx.livox(xyz)
    got = read_xyz(cloud, 150_000)
    assert got.total == n and got.size <= 150_000 and got.stride == 67
    np.testing.assert_array_equal(got.x.ravel()[:3], [0.0, 67.0, 134.0])
    again = read_xyz(cloud, 150_000)
    np.testing.assert_array_equal(got.x, again.x)


def test_organised_clouds_are_decimated_in_rows_and_columns() -> None:
    xyz = _points(128 * 2048, 6).reshape(128, 2048, 3)
    got = read_xyz(fx.ouster(xyz), 20_000)
    assert 15_000 <= got.size <= 20_000
    # Whole rows and columns of the grid, each kept at a fixed step.
    rows = [sr for sr in range(1, 129) if got.stride % sr == 0]
    assert any(np.array_equal(_stacked(got), xyz[::sr, ::got.stride // sr].reshape(-1, 3))
               for sr in rows)


def _with(cloud: RawCloud, **changes: object) -> RawCloud:
    return dataclasses.replace(cloud, **changes)


BASE = fx.livox(_points(100, 7))


@pytest.mark.parametrize(("cloud", "error", "words"), [
    (_with(BASE, fields=BASE.fields[1:]), MissingFieldError, "no 'x' field"),
    (_with(BASE, fields=tuple(dataclasses.replace(f, datatype=PointFieldType.UINT16)
                              if f.name == "z" else f for f in BASE.fields)),
     FieldTypeError, "'z' is UINT16"),
    (_with(BASE, fields=tuple(dataclasses.replace(f, datatype=42)
                              if f.name == "y" else f for f in BASE.fields)),
     FieldTypeError, "unknown datatype 42"),
    (_with(BASE, fields=tuple(dataclasses.replace(f, count=0)
                              if f.name == "x" else f for f in BASE.fields)),
     FieldTypeError, "count 0"),
    (_with(BASE, point_step=17, row_step=1700), LayoutError, "data has 1800 bytes"),
    (_with(BASE, point_step=17), LayoutError, "field 'line' at offset 17 (1 bytes) does not "
     "fit in point_step 17"),
    (_with(BASE, point_step=10), LayoutError, "does not fit in point_step 10"),
    (_with(BASE, row_step=1700), LayoutError, "height 1 x row_step 1700"),
    (_with(BASE, width=101), LayoutError, "row_step 1800 < width 101"),
    (_with(BASE, height=2), LayoutError, "height 2 x row_step 1800 = 3600"),
    (_with(BASE, data=BASE.data[:-5]), LayoutError, "data has 1795 bytes"),  # type: ignore
    (_with(BASE, fields=tuple(dataclasses.replace(f, offset=16)
                              if f.name == "z" else f for f in BASE.fields)),
     LayoutError, "field 'z' at offset 16 (4 bytes) does not fit in point_step 18"),
])
def test_inconsistent_clouds_are_refused(cloud: RawCloud, error: type, words: str) -> None:
    with pytest.raises(error, match=None) as info:
        read_xyz(cloud, 1000)
    assert words in str(info.value)


def test_empty_cloud_is_not_an_error() -> None:
    empty = RawCloud(1, 0, BASE.fields, False, 18, 0, b"")
    got = read_xyz(empty, 10)
    assert got.size == 0 and got.total == 0
