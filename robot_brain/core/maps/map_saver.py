"""Writing a map the way map_saver writes it, so what the brain saves (and the repository's
maps and test fixtures) reads as a ROS user's own files do.

Two dialects, both still found on robots:
- `ros1`: ROS 1's map_saver (and ROS 2 Dashing/Eloquent's): a raw PGM whose header carries the
  comment "# CREATOR: map_saver.cpp 0.050 m/pix", and a YAML written with printf: six decimals,
  `free_thresh: 0.196`, no `mode`, a blank line at the end.
- `nav2`: Nav2's map_saver_cli (which slam_toolbox's "save map" calls): the YAML emitted by
  yaml-cpp at 3 significant digits, keys image, mode, resolution, origin, negate,
  occupied_thresh, free_thresh, no final newline; PGM for trinary, PNG with alpha for scale.

Pixels as map_saver writes them: trinary free 254, occupied 0, unknown 205; scale grey
(100 - p) / 100 of white, unknown half grey and fully transparent; raw the value itself,
unknown 255.
"""

from __future__ import annotations

import enum
import math
from pathlib import Path

import numpy as np

from robot_brain.core.maps.metadata import MapMode
from robot_brain.core.maps.occupancy import OccupancyGrid


class SaverDialect(str, enum.Enum):
    ROS1 = "ros1"
    NAV2 = "nav2"


def pgm_bytes(pixels: np.ndarray, resolution: float) -> bytes:
    """A raw 8-bit PGM with map_saver's header; `pixels` (height, width) uint8, top row first."""
    h, w = pixels.shape
    header = f"P5\n# CREATOR: map_saver.cpp {resolution:.3f} m/pix\n{w} {h}\n255\n"
    return header.encode("ascii") + np.ascontiguousarray(pixels, dtype=np.uint8).tobytes()


def image_pixels(grid: OccupancyGrid, mode: MapMode, free_thresh: float = 0.25,
                 occupied_thresh: float = 0.65) -> tuple[np.ndarray, np.ndarray | None]:
    """(grey (height, width) uint8, alpha or None), the image's top row first."""
    data = grid.data[::-1].astype(np.int16)
    unknown = (data < 0) | (data > 100)
    if mode is MapMode.TRINARY:
        free_int = int(np.rint(free_thresh * 100.0))
        occ_int = int(np.rint(occupied_thresh * 100.0))
        grey = np.where(unknown, 205, np.where(data <= free_int, 254,
                                               np.where(data >= occ_int, 0, 205)))
        return grey.astype(np.uint8), None
    if mode is MapMode.SCALE:
        grey = np.where(unknown, 128, np.rint((100 - data) / 100.0 * 255.0))
        alpha = np.where(unknown, 0, 255).astype(np.uint8)
        return grey.astype(np.uint8), alpha
    return np.where(unknown, 255, data).astype(np.uint8), None


def save_map(grid: OccupancyGrid, yaml_path: str | Path,
             dialect: SaverDialect = SaverDialect.NAV2, mode: MapMode = MapMode.TRINARY,
             image_format: str = "", occupied_thresh: float = 0.65,
             free_thresh: float | None = None) -> tuple[Path, Path]:
    """Write `<stem>.yaml` and its image beside it; returns (yaml, image) paths."""
    yaml_path = Path(yaml_path)
    if free_thresh is None:
        free_thresh = 0.196 if dialect is SaverDialect.ROS1 else 0.25
    fmt = image_format or ("png" if mode is MapMode.SCALE else "pgm")
    image_path = yaml_path.with_suffix("." + fmt)
    grey, alpha = image_pixels(grid, mode, free_thresh, occupied_thresh)
    if fmt == "pgm":
        image_path.write_bytes(pgm_bytes(grey, grid.resolution))
    else:
        from PIL import Image

        if alpha is not None:
            rgba = np.dstack([grey, grey, grey, alpha])
            Image.fromarray(rgba, "RGBA").save(image_path)
        else:
            Image.fromarray(grey, "L").save(image_path)
    o = grid.origin
    if dialect is SaverDialect.ROS1:
        text = (f"image: {image_path.name}\nresolution: {grid.resolution:f}\n"
                f"origin: [{o.x:f}, {o.y:f}, {o.yaw:f}]\nnegate: 0\n"
                f"occupied_thresh: {occupied_thresh:g}\nfree_thresh: {free_thresh:g}\n\n")
    else:
        text = (f"image: {image_path.name}\nmode: {mode.value}\n"
                f"resolution: {_yaml_cpp(grid.resolution)}\n"
                f"origin: [{_yaml_cpp(o.x)}, {_yaml_cpp(o.y)}, {_yaml_cpp(o.yaw)}]\n"
                f"negate: 0\noccupied_thresh: {_yaml_cpp(occupied_thresh)}\n"
                f"free_thresh: {_yaml_cpp(free_thresh)}")
    yaml_path.write_text(text, encoding="utf-8")
    return yaml_path, image_path


def _yaml_cpp(value: float) -> str:
    """A double as yaml-cpp's emitter writes it at Precision(3): 3 significant digits, no
    trailing zeros, an exponent for large magnitudes ("-10", "0.05", "-1e+03")."""
    if value == 0.0 or not math.isfinite(value):
        return "0" if value == 0.0 else str(value)
    return f"{value:.3g}"
