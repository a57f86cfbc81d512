"""A map image reduced to what map_server looks at: per pixel, the mean of its colour channels
and, when the image has one, its alpha; both on a 0..1 scale.

PGM/PPM are read here (robot_brain.core.maps.netpbm); PNG and the other formats GraphicsMagick
reads for map_server (BMP, TIFF, JPEG...) through Pillow, whose header is read before the
pixels, so the size cap holds for every format. A grey pixel counts as R = G = B, as
GraphicsMagick presents it; a palette image is expanded to its colours; transparency given as a
PNG tRNS chunk counts as alpha.
"""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from robot_brain.core.maps.errors import MapImageError, MapTooLargeError
from robot_brain.core.maps.netpbm import check_size, is_netpbm, read_netpbm

if TYPE_CHECKING:  # Pillow is imported only when a map is not a PGM
    from PIL.Image import Image as PilImage

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Pillow modes read as they are (grey or colour, with or without alpha) or converted first.
_AS_RGB = ("CMYK", "YCbCr", "LAB", "HSV", "1")


@dataclass(frozen=True)
class MapImage:
    #: (height, width) float32 in [0, 1]: the mean of R, G, B (grey: the grey value).
    color: np.ndarray
    #: (height, width) float32 in [0, 1] (1 = opaque), or None for an image without alpha.
    alpha: np.ndarray | None
    #: Where it came from, for messages.
    kind: str

    @property
    def width(self) -> int:
        return int(self.color.shape[1])

    @property
    def height(self) -> int:
        return int(self.color.shape[0])


def read_map_image(path: Path, max_cells: int) -> MapImage:
    """Read `path`; MapImageError (missing, unreadable, truncated, unsupported) or
    MapTooLargeError (more than `max_cells` pixels, found from the header)."""
    try:
        with path.open("rb") as f:
            head = f.read(24)
    except OSError as exc:
        raise MapImageError(f"map image {path}: cannot be read ({exc.strerror or exc})") from exc
    if head.startswith(_PNG_SIGNATURE) and head[12:16] == b"IHDR":
        # The size from the IHDR chunk, before Pillow sees the file (its own limit would
        # refuse a huge image with a less helpful message, or only warn).
        width, height = struct.unpack(">II", head[16:24])
        check_size(path, width, height, max_cells)
    if is_netpbm(head):
        img = read_netpbm(path, max_cells)
        scale = float(img.header.maxval)
        px = img.pixels.astype(np.float32) / np.float32(scale)
        color = px if px.ndim == 2 else px.mean(axis=2, dtype=np.float32)
        return MapImage(np.ascontiguousarray(color, dtype=np.float32), None,
                        f"{img.header.magic} {img.header.width}x{img.header.height} maxval "
                        f"{img.header.maxval}")
    return _read_with_pillow(path, max_cells)


def _read_with_pillow(path: Path, max_cells: int) -> MapImage:
    from PIL import Image, UnidentifiedImageError  # only maps in other formats need Pillow

    try:
        with warnings.catch_warnings():
            # Pillow warns (and above twice its limit refuses) on huge images; the cap below
            # is far lower and says so in one line.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                check_size(path, im.width, im.height, max_cells)
                im.load()
                return _from_pillow(path, im)
    except Image.DecompressionBombError as exc:
        raise MapTooLargeError(f"map image {path}: too large ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise MapImageError(f"map image {path}: not an image format map_server reads") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        # Pillow raises OSError for truncated data, SyntaxError for some broken headers.
        raise MapImageError(f"map image {path}: cannot be decoded ({exc})") from exc


def _from_pillow(path: Path, im: PilImage) -> MapImage:
    mode = im.mode
    kind = f"{im.format or 'image'} {im.width}x{im.height} {mode}"
    if "transparency" in im.info and mode in ("L", "RGB", "P"):
        im = im.convert("LA" if mode == "L" else "RGBA")
    elif mode in ("P", "PA"):
        im = im.convert("RGBA" if mode == "PA" else "RGB")
    elif mode in _AS_RGB:
        im = im.convert("RGB")
    mode = im.mode
    if mode.startswith("I;16") or mode == "I":
        grey = np.asarray(im).astype(np.float32) / np.float32(65535.0)
        return MapImage(np.clip(grey, 0.0, 1.0), None, kind)
    if mode == "F":
        raise MapImageError(f"map image {path}: floating-point images are not maps")
    arr = np.asarray(im)
    if mode == "L":
        return MapImage(arr.astype(np.float32) / np.float32(255.0), None, kind)
    if mode in ("LA", "La"):
        return MapImage(arr[..., 0].astype(np.float32) / np.float32(255.0),
                        arr[..., 1].astype(np.float32) / np.float32(255.0), kind)
    if mode == "RGB":
        return MapImage(arr.mean(axis=2, dtype=np.float32) / np.float32(255.0), None, kind)
    if mode in ("RGBA", "RGBa"):
        return MapImage(arr[..., :3].mean(axis=2, dtype=np.float32) / np.float32(255.0),
                        arr[..., 3].astype(np.float32) / np.float32(255.0), kind)
    raise MapImageError(f"map image {path}: pixel mode {mode!r} is not supported")
