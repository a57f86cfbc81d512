"""The map YAML as map_server reads it and map_saver (and so slam_toolbox) writes it.

    image: map.pgm            # relative to the YAML's directory, or absolute
    mode: trinary             # trinary | scale | raw; absent = trinary
    resolution: 0.05          # m per cell
    origin: [-10, -10, 0]     # pose of the lower-left cell's corner: x, y (m), yaw (rad)
    negate: 0                 # 1 = white is occupied
    occupied_thresh: 0.65     # occupancy above this = occupied
    free_thresh: 0.25         # occupancy below this = free

map_server requires every key but `mode`; so does this reader. Keys it does not know are
ignored, as map_server ignores them. Beyond map_server, values that cannot describe a map are
refused here with one line: a resolution that is not a positive number, thresholds outside
[0, 1] or out of order, an origin that is not three numbers, an unknown mode.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robot_brain.core.maps.errors import MapMetadataError

#: The keys that make a YAML file a map rather than a world description.
MAP_KEYS = ("image", "resolution", "origin")


class MapMode(str, enum.Enum):
    """How pixels become occupancy values (map_server's `mode`)."""

    TRINARY = "trinary"   # occupied (100), free (0) or unknown (-1)
    SCALE = "scale"       # 0..100 between the thresholds; any transparency = unknown
    RAW = "raw"           # the pixel value itself (0..100), else unknown


@dataclass(frozen=True)
class MapOrigin:
    """Pose of the grid's lower-left corner (of cell (0, 0)) in the map frame."""

    x: float
    y: float
    yaw: float = 0.0


@dataclass(frozen=True)
class MapMetadata:
    image: Path
    resolution: float
    origin: MapOrigin
    negate: bool
    occupied_thresh: float
    free_thresh: float
    mode: MapMode = MapMode.TRINARY
    source: str = "<memory>"


def is_map_yaml(data: Any) -> bool:
    """Whether parsed YAML is a map's metadata (it names an image) rather than a world file."""
    return isinstance(data, dict) and "image" in data


def parse_metadata(data: Any, yaml_path: Path) -> MapMetadata:
    """MapMetadata from the parsed YAML of `yaml_path`; MapMetadataError naming the key."""
    where = f"map file {yaml_path}"
    if not isinstance(data, dict):
        raise MapMetadataError(f"{where}: top level must be a mapping, got {type(data).__name__}")
    missing = [k for k in ("image", "resolution", "origin", "negate", "occupied_thresh",
                           "free_thresh") if k not in data]
    if missing:
        raise MapMetadataError(f"{where}: missing {', '.join(repr(k) for k in missing)} "
                               f"(map_server needs every key but 'mode')")
    image = data["image"]
    if not isinstance(image, str) or not image.strip():
        raise MapMetadataError(f"{where}: 'image' must name the image file, got {image!r}")
    image_path = Path(image).expanduser()
    if not image_path.is_absolute():
        image_path = yaml_path.parent / image_path   # as map_server: beside the YAML
    resolution = _number(data, "resolution", where)
    if not resolution > 0.0:
        raise MapMetadataError(f"{where}: 'resolution' must be > 0 m per cell, got {resolution}")
    origin = data["origin"]
    if not (isinstance(origin, list) and len(origin) == 3):
        raise MapMetadataError(f"{where}: 'origin' must be [x, y, yaw], got {origin!r}")
    ox, oy, oyaw = (_number({"origin": v}, "origin", where) for v in origin)
    occupied = _number(data, "occupied_thresh", where)
    free = _number(data, "free_thresh", where)
    for key, value in (("free_thresh", free), ("occupied_thresh", occupied)):
        if not 0.0 <= value <= 1.0:
            raise MapMetadataError(f"{where}: '{key}' must be in [0, 1], got {value}")
    if not free < occupied:
        raise MapMetadataError(f"{where}: thresholds out of order: free_thresh ({free}) must be "
                               f"below occupied_thresh ({occupied})")
    negate = data["negate"]
    if isinstance(negate, bool) or negate in (0, 1):
        negate_flag = bool(negate)
    else:
        raise MapMetadataError(f"{where}: 'negate' must be 0 or 1 (or true/false), got "
                               f"{negate!r}")
    raw_mode = data.get("mode", MapMode.TRINARY.value)
    try:
        mode = MapMode(raw_mode)
    except ValueError:
        raise MapMetadataError(f"{where}: 'mode' must be one of "
                               f"{[m.value for m in MapMode]}, got {raw_mode!r}") from None
    return MapMetadata(image_path, resolution, MapOrigin(ox, oy, oyaw), negate_flag, occupied,
                       free, mode, str(yaml_path))


#: A number as YAML 1.2 (yaml-cpp, so map_server) reads it but PyYAML (YAML 1.1) leaves a
#: string: yaml-cpp's emitter writes -1000 as "-1e+03", with no dot.
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _number(m: dict[str, Any], key: str, where: str) -> float:
    v = m[key]
    if isinstance(v, str) and _NUMBER.fullmatch(v.strip()):
        v = float(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise MapMetadataError(f"{where}: '{key}' must be a finite number, got {v!r}")
    return float(v)
