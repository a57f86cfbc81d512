"""Maps as map_server reads them and map_saver writes them (fixtures in test/fixtures/maps,
written by test/fixtures/maps/make_fixtures.py as the tools write them), frames with yaw, and
bad maps refused with one line before anything large is allocated."""

from __future__ import annotations

import math
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest

from robot_brain.core.errors import ConfigurationError, WorldError
from robot_brain.core.maps.errors import (
    MapError,
    MapImageError,
    MapMetadataError,
    MapTooLargeError,
)
from robot_brain.core.maps.map_io import load_map
from robot_brain.core.maps.map_saver import SaverDialect, save_map
from robot_brain.core.maps.metadata import MapMode, MapOrigin
from robot_brain.core.maps.occupancy import OccupancyGrid

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "maps"
W, H = 60, 40


def expected_room(unknown_as: int = -1) -> np.ndarray:
    """The fixtures' room (see make_fixtures.py), rows bottom first."""
    grid = np.zeros((H, W), dtype=np.int8)
    grid[0, :] = grid[-1, :] = grid[:, 0] = grid[:, -1] = 100
    grid[10:16, 30:40] = 100
    grid[:5, W - 5:] = unknown_as
    return grid


@pytest.mark.parametrize("stem, unknown_as", [
    ("room_ros1", -1),        # free_thresh 0.196: map_saver's grey 205 (p = 0.196078) unknown
    ("room_nav2", 0),         # free_thresh 0.25: map_server reads the same grey as free
    ("room_scale", -1),       # transparent = unknown
    ("room_gimp_plain", 0), ("room_gimp16", 0), ("room_grey", 0), ("room_rgb", 0),
    ("room_grey_alpha", 0),
])
def test_fixtures_load_as_map_server_reads_them(stem: str, unknown_as: int) -> None:
    grid = load_map(FIXTURES / f"{stem}.yaml")
    assert (grid.width, grid.height, grid.resolution) == (W, H, 0.05)
    assert grid.origin == MapOrigin(-1.0, -0.5, 0.0)
    np.testing.assert_array_equal(grid.data, expected_room(unknown_as))
    assert grid.bounds() == pytest.approx((-1.0, 2.0, -0.5, 1.5))


def test_trinary_averages_alpha_in_as_map_server_does(tmp_path: Path) -> None:
    # A half-transparent black pixel: shade (0 + 0 + 0 + 128/255) / 4 = 0.125 -> occupied;
    # transparent white: (3 + 0) / 4 = 0.75, p = 0.25 -> unknown (not < free 0.25); in scale
    # mode any transparency is unknown.
    from PIL import Image

    rgba = np.array([[[0, 0, 0, 128], [255, 255, 255, 0], [255, 255, 255, 255]]], np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    for mode, want in (("trinary", [100, -1, 0]), ("scale", [-1, -1, 0])):
        (tmp_path / "a.yaml").write_text(
            f"image: a.png\nmode: {mode}\nresolution: 0.1\norigin: [0, 0, 0]\nnegate: 0\n"
            "occupied_thresh: 0.65\nfree_thresh: 0.25\n")
        assert load_map(tmp_path / "a.yaml").data[0].tolist() == want, mode


def test_scale_raw_and_negate(tmp_path: Path) -> None:
    # grey 255 * (1 - p) for p = 0, 30, 50, 70, 100 %; thresholds 0.2 / 0.8.
    greys = [255, 178, 128, 76, 0]
    (tmp_path / "g.pgm").write_bytes(b"P5\n5 1\n255\n" + bytes(greys))
    base = "image: g.pgm\nresolution: 0.1\norigin: [0, 0, 0]\noccupied_thresh: 0.8\n" \
           "free_thresh: 0.2\n"
    # p = 1 - grey / 255 = 0, 0.302, 0.498, 0.702, 1 -> (p - 0.2) / 0.6 * 100 in between.
    cases = {"mode: scale\nnegate: 0\n": [0, 17, 50, 84, 100],
             "mode: trinary\nnegate: 1\n": [100, -1, -1, -1, 0],
             "mode: raw\nnegate: 0\n": [-1, -1, -1, 76, 0]}
    for extra, want in cases.items():
        (tmp_path / "g.yaml").write_text(base + extra)
        assert load_map(tmp_path / "g.yaml").data[0].tolist() == want, extra


def test_writer_is_byte_identical_to_map_saver(tmp_path: Path) -> None:
    ros1 = load_map(FIXTURES / "room_ros1.yaml")
    y, img = save_map(ros1, tmp_path / "room_ros1.yaml", SaverDialect.ROS1)
    assert y.read_text() == (FIXTURES / "room_ros1.yaml").read_text()
    assert img.read_bytes() == (FIXTURES / "room_ros1.pgm").read_bytes()
    y, img = save_map(ros1, tmp_path / "room_nav2.yaml", SaverDialect.NAV2)
    assert y.read_text() == (FIXTURES / "room_nav2.yaml").read_text()
    assert img.read_bytes() == (FIXTURES / "room_nav2.pgm").read_bytes()


def test_writer_round_trips_every_mode(tmp_path: Path) -> None:
    grid = load_map(FIXTURES / "room_ros1.yaml")
    for mode in MapMode:
        y, _ = save_map(grid, tmp_path / f"m_{mode.value}.yaml", SaverDialect.NAV2, mode,
                        free_thresh=0.196)
        back = load_map(y)
        np.testing.assert_array_equal(back.data, grid.data, err_msg=mode.value)


def test_nav2_numbers_written_by_yaml_cpp_are_read(tmp_path: Path) -> None:
    # yaml-cpp at Precision(3) writes -1000 as "-1e+03": YAML 1.1 (PyYAML) reads a string.
    (tmp_path / "g.pgm").write_bytes(b"P5\n2 1\n255\n\xfe\x00")
    (tmp_path / "g.yaml").write_text("image: g.pgm\nmode: trinary\nresolution: 0.05\n"
                                     "origin: [-1e+03, -2.5e+02, 0]\nnegate: 0\n"
                                     "occupied_thresh: 0.65\nfree_thresh: 0.25")
    assert load_map(tmp_path / "g.yaml").origin == MapOrigin(-1000.0, -250.0, 0.0)


def test_frames_with_yaw() -> None:
    data = np.zeros((3, 4), dtype=np.int8)
    data[2, 3] = 100
    grid = OccupancyGrid(data, 0.5, MapOrigin(1.0, 2.0, math.pi / 2))
    # Cell (0, 0)'s centre: origin + R(90 deg) (0.25, 0.25) = (0.75, 2.25).
    assert grid.cell_centre(0, 0) == pytest.approx((0.75, 2.25))
    x, y = grid.cell_centre(3, 2)
    assert bool(grid.blocked_at(x, y)) and not bool(grid.blocked_at(*grid.cell_centre(0, 0)))
    u, v = grid.to_grid(x, y)
    assert (float(u), float(v)) == pytest.approx((3.5, 2.5))
    # The 2 m x 1.5 m image turned 90 degrees: x from 1 - 1.5 to 1, y from 2 to 4.
    assert grid.bounds() == pytest.approx((-0.5, 1.0, 2.0, 4.0))
    assert bool(grid.blocked_at(5.0, 5.0))  # outside the image counts as an obstacle


def test_clearance_is_a_lower_bound() -> None:
    grid = load_map(FIXTURES / "room_ros1.yaml")
    rng = np.random.default_rng(0)
    pts = rng.uniform((-0.95, -0.45), (1.95, 1.45), size=(500, 2))
    got = grid.clearance_at(pts[:, 0], pts[:, 1])
    # The truth: distance from each point to the nearest obstacle cell's square.
    js, is_ = np.nonzero(grid.blocked)
    x0, y0 = grid.to_world(is_, js)
    best = np.full(len(pts), np.inf)
    for cx, cy in zip(x0, y0, strict=True):
        dx = np.maximum(np.maximum(cx - pts[:, 0], pts[:, 0] - cx - 0.05), 0.0)
        dy = np.maximum(np.maximum(cy - pts[:, 1], pts[:, 1] - cy - 0.05), 0.0)
        best = np.minimum(best, np.hypot(dx, dy))
    free = ~grid.blocked_at(pts[:, 0], pts[:, 1])
    assert np.all(got[free] <= best[free] + 1e-9)
    assert np.all(got[free] >= best[free] - grid.resolution)   # within a cell of the truth
    assert np.all(got[~free] < 0.0)


def _pgm_header_only(path: Path, w: int, h: int) -> None:
    path.write_bytes(b"P5\n# CREATOR: map_saver.cpp 0.050 m/pix\n%d %d\n255\n" % (w, h))


def _png_header_only(path: Path, w: int, h: int) -> None:
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr
                     + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF))


@pytest.mark.parametrize("ext, write", [("pgm", _pgm_header_only), ("png", _png_header_only)])
def test_a_huge_image_is_refused_from_its_header(tmp_path: Path, ext: str, write: object) -> None:
    write(tmp_path / f"big.{ext}", 20_000, 20_000)  # type: ignore[operator]
    (tmp_path / "big.yaml").write_text(
        f"image: big.{ext}\nresolution: 0.05\norigin: [0, 0, 0]\nnegate: 0\n"
        "occupied_thresh: 0.65\nfree_thresh: 0.25\n")
    tracemalloc.start()
    try:
        with pytest.raises(MapTooLargeError, match="20000 x 20000") as info:
            load_map(tmp_path / "big.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000          # 400 M cells were never allocated
    assert "\n" not in str(info.value)


GOOD = {"image": "room.pgm", "resolution": "0.05", "origin": "[0, 0, 0]", "negate": "0",
        "occupied_thresh": "0.65", "free_thresh": "0.25"}


@pytest.mark.parametrize("change, error, match", [
    ({"resolution": "-0.05"}, MapMetadataError, "'resolution' must be > 0"),
    ({"resolution": "0"}, MapMetadataError, "'resolution' must be > 0"),
    ({"resolution": ".nan"}, MapMetadataError, "'resolution' must be a finite number"),
    ({"free_thresh": "0.7"}, MapMetadataError, "thresholds out of order"),
    ({"occupied_thresh": "1.5"}, MapMetadataError, r"'occupied_thresh' must be in \[0, 1\]"),
    ({"origin": "[0, 0]"}, MapMetadataError, r"'origin' must be \[x, y, yaw\]"),
    ({"mode": "binary"}, MapMetadataError, "'mode' must be one of"),
    ({"negate": "2"}, MapMetadataError, "'negate' must be 0 or 1"),
    ({"resolution": None}, MapMetadataError, "missing 'resolution'"),
    ({"image": "nope.pgm"}, MapImageError, "nope.pgm does not exist"),
    ({"image": "junk.pgm"}, MapImageError, "not an image format"),
    ({"image": "short.pgm"}, MapImageError, "truncated"),
    ({"image": "dir.pgm"}, MapImageError, "cannot be read"),
])
def test_bad_maps_are_refused_with_one_line(tmp_path: Path, change: dict[str, str | None],
                                            error: type[MapError], match: str) -> None:
    (tmp_path / "room.pgm").write_bytes((FIXTURES / "room_ros1.pgm").read_bytes())
    (tmp_path / "junk.pgm").write_bytes(b"this is not a picture")
    (tmp_path / "short.pgm").write_bytes((FIXTURES / "room_ros1.pgm").read_bytes()[:500])
    (tmp_path / "dir.pgm").mkdir()
    fields = {**GOOD, **change}
    (tmp_path / "m.yaml").write_text("".join(f"{k}: {v}\n" for k, v in fields.items()
                                             if v is not None))
    with pytest.raises(error, match=match) as info:
        load_map(tmp_path / "m.yaml")
    assert isinstance(info.value, WorldError) and isinstance(info.value, ConfigurationError)
    assert "\n" not in str(info.value) and str(tmp_path) in str(info.value)


def test_missing_and_malformed_yaml(tmp_path: Path) -> None:
    with pytest.raises(MapMetadataError, match="cannot be read"):
        load_map(tmp_path / "absent.yaml")
    (tmp_path / "bad.yaml").write_text("image: [\n")
    with pytest.raises(MapMetadataError, match="not valid YAML"):
        load_map(tmp_path / "bad.yaml")
