"""Loading a map (YAML + image) into an OccupancyGrid, pixel by pixel as map_server does.

Per pixel, map_server takes the mean of the colour channels, and in trinary mode of an image
with alpha the mean of R, G, B *and* alpha; that is the pixel's shade s in [0, 1] (1 = white).
The occupancy is p = 1 - s (p = s with `negate`), and then:

- trinary: p > occupied_thresh -> 100, p < free_thresh -> 0, else -1 (unknown);
- scale: any transparency -> -1; p > occupied_thresh -> 100, p < free_thresh -> 0, in
  between rint((p - free) / (occupied - free) * 100);
- raw: round(s * 255) when it is 0..100, else -1 (`negate` plays no part).

The comparisons are strict, as map_server's: map_saver's unknown grey 205 (p = 0.196078) stays
unknown with ROS 1's free_thresh 0.196.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from robot_brain.core.maps.errors import MapImageError, MapMetadataError
from robot_brain.core.maps.images import MapImage, read_map_image
from robot_brain.core.maps.metadata import MapMetadata, MapMode, parse_metadata
from robot_brain.core.maps.occupancy import OccupancyGrid

#: The most cells a map may have: 4096 x 4096 (a 200 m x 200 m floor at 5 cm). Above it the
#: clearance field alone would need hundreds of MB; it is checked from the image header.
MAX_MAP_CELLS = 4096 * 4096
#: Rows converted at once, bounding the float64 temporaries whatever the map's size.
_CHUNK_CELLS = 1 << 20


def load_map(yaml_path: str | Path, max_cells: int = MAX_MAP_CELLS) -> OccupancyGrid:
    """Read a map YAML and its image; MapMetadataError / MapImageError / MapTooLargeError with
    one line naming the file and what is wrong."""
    path = Path(yaml_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MapMetadataError(f"map file {path}: cannot be read ({exc.strerror or exc})") \
            from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MapMetadataError(f"map file {path}: not valid YAML ({_first_line(exc)})") from exc
    return load_map_data(data, path, max_cells)


def load_map_data(data: Any, yaml_path: Path, max_cells: int = MAX_MAP_CELLS) -> OccupancyGrid:
    """As load_map, from the YAML already parsed (the world loader reads it to see what it is)."""
    meta = parse_metadata(data, yaml_path)
    if not meta.image.exists():
        raise MapImageError(f"map file {yaml_path}: image {meta.image} does not exist")
    image = read_map_image(meta.image, max_cells)
    return OccupancyGrid(occupancy_from_image(image, meta), meta.resolution, meta.origin,
                         str(yaml_path))


def occupancy_from_image(image: MapImage, meta: MapMetadata) -> np.ndarray:
    """int8 (height, width) occupancy values, row 0 = the image's bottom row."""
    h, w = image.height, image.width
    out = np.empty((h, w), dtype=np.int8)
    rows = max(1, _CHUNK_CELLS // w)
    for top in range(0, h, rows):
        sl = slice(top, min(h, top + rows))
        out[sl] = _convert(image.color[sl], None if image.alpha is None else image.alpha[sl],
                           meta)
    return out[::-1].copy()


def _convert(color: np.ndarray, alpha: np.ndarray | None, meta: MapMetadata) -> np.ndarray:
    shade = color.astype(np.float64)
    if meta.mode is MapMode.TRINARY and alpha is not None:
        # map_server averages alpha in with R, G and B (a grey pixel being R = G = B).
        shade = (3.0 * shade + alpha.astype(np.float64)) / 4.0
    if meta.mode is MapMode.RAW:
        value = np.floor(shade * 255.0 + 0.5)
        return np.where((value >= 0) & (value <= 100), value, -1).astype(np.int8)
    occ = shade if meta.negate else 1.0 - shade
    occupied = occ > meta.occupied_thresh
    free = occ < meta.free_thresh
    if meta.mode is MapMode.TRINARY:
        return np.where(occupied, 100, np.where(free, 0, -1)).astype(np.int8)
    scaled = np.rint((occ - meta.free_thresh) / (meta.occupied_thresh - meta.free_thresh)
                     * 100.0)
    cell = np.where(occupied, 100, np.where(free, 0, scaled))
    if alpha is not None:
        cell = np.where(alpha < 1.0, -1, cell)
    return cell.astype(np.int8)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
