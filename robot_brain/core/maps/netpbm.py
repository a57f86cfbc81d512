"""Netpbm images (PGM and PPM, plain and raw) read as map_server reads them.

map_saver writes a raw PGM (`P5`) with a comment line in its header ("# CREATOR: map_saver.cpp
0.050 m/pix"); people edit maps in GIMP and save plain PGM (`P2`) or 16-bit PGM. The header
is parsed first, on its own, so an image that would not fit (20 000 x 20 000 cells) is refused
before a single pixel is allocated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from robot_brain.core.maps.errors import MapImageError, MapTooLargeError

#: Netpbm kinds read here: magic -> (channels, raw). P1/P4 (bitmaps) and PAM are not maps.
_KINDS = {b"P2": (1, False), b"P5": (1, True), b"P3": (3, False), b"P6": (3, True)}
#: A header (magic, width, height, maxval and comments) longer than this is not a map's.
_MAX_HEADER_BYTES = 64 * 1024
_SPACE = b" \t\r\n\v\f"


@dataclass(frozen=True)
class NetpbmHeader:
    magic: str
    width: int
    height: int
    maxval: int
    channels: int
    raw: bool
    data_offset: int   # byte offset of the raster


@dataclass(frozen=True)
class NetpbmImage:
    header: NetpbmHeader
    #: (height, width) or (height, width, 3), uint8 or uint16, row 0 = the top of the image.
    pixels: np.ndarray


def is_netpbm(head: bytes) -> bool:
    return head[:2] in _KINDS


def read_header(path: Path, head: bytes) -> NetpbmHeader:
    """Parse the header from the file's first bytes; MapImageError naming what is wrong."""
    kind = _KINDS.get(head[:2])
    if kind is None:
        raise MapImageError(f"map image {path}: not a PGM/PPM file (magic {head[:2]!r})")
    values: list[int] = []
    pos = 2
    while len(values) < 3:
        # Whitespace and comments ("# ..." to the end of the line) may separate every field.
        while pos < len(head) and (head[pos:pos + 1] in (b"#",) or head[pos] in _SPACE):
            if head[pos:pos + 1] == b"#":
                end = min((i for i in (head.find(b"\n", pos), head.find(b"\r", pos)) if i >= 0),
                          default=-1)
                if end < 0:
                    raise MapImageError(f"map image {path}: header comment never ends")
                pos = end
            pos += 1
        start = pos
        while pos < len(head) and head[pos:pos + 1].isdigit():
            pos += 1
        if start == pos:
            what = ("width", "height", "maxval")[len(values)]
            raise MapImageError(f"map image {path}: header has no {what} (truncated or not a "
                                f"netpbm file)")
        values.append(int(head[start:pos]))
    if pos >= len(head) or head[pos] not in _SPACE:
        raise MapImageError(f"map image {path}: header does not end with a whitespace")
    width, height, maxval = values
    if width < 1 or height < 1:
        raise MapImageError(f"map image {path}: size {width} x {height} is empty")
    if not 1 <= maxval <= 65535:
        raise MapImageError(f"map image {path}: maxval {maxval} is not in 1..65535")
    channels, raw = kind
    return NetpbmHeader(head[:2].decode(), width, height, maxval, channels, raw, pos + 1)


def read_netpbm(path: Path, max_cells: int) -> NetpbmImage:
    """The image's pixels; MapTooLargeError before reading them when there are more than
    `max_cells`, MapImageError for a truncated or malformed file."""
    try:
        with path.open("rb") as f:
            head = f.read(_MAX_HEADER_BYTES)
            header = read_header(path, head)
            check_size(path, header.width, header.height, max_cells)
            f.seek(header.data_offset)
            body = f.read()
    except OSError as exc:
        raise MapImageError(f"map image {path}: cannot be read ({exc.strerror or exc})") from exc
    count = header.width * header.height * header.channels
    if header.raw:
        dtype = np.dtype(">u2") if header.maxval > 255 else np.dtype(np.uint8)
        need = count * dtype.itemsize
        if len(body) < need:
            raise MapImageError(f"map image {path}: truncated ({len(body)} of {need} raster "
                                f"bytes)")
        flat = np.frombuffer(body, dtype=dtype, count=count)
    else:
        text = b"\n".join(line.split(b"#", 1)[0] for line in body.splitlines())
        try:
            flat = np.array(text.split()[:count], dtype=np.int64)
        except ValueError as exc:
            raise MapImageError(f"map image {path}: plain raster is not all numbers") from exc
        if flat.size < count:
            raise MapImageError(f"map image {path}: truncated ({flat.size} of {count} samples)")
    if int(flat.max(initial=0)) > header.maxval:
        raise MapImageError(f"map image {path}: a sample exceeds maxval {header.maxval}")
    pixels = flat.astype(np.uint16 if header.maxval > 255 else np.uint8)
    shape = (header.height, header.width) + ((3,) if header.channels == 3 else ())
    return NetpbmImage(header, pixels.reshape(shape))


def check_size(path: Path, width: int, height: int, max_cells: int) -> None:
    if width * height > max_cells:
        raise MapTooLargeError(
            f"map image {path}: {width} x {height} = {width * height:,} cells, more than the "
            f"{max_cells:,} a map may have (crop it, or save it at a coarser resolution)")
