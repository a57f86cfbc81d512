"""Sector minima of a planar laser scan: the numpy reference of the perception model.

Sector contract (docs/design.md, `perception/obstacles`): N sectors spread evenly over [-pi, pi)
in the laser frame; sector i covers [-pi + i*w, -pi + (i+1)*w) with w = 2*pi/N, so its centre
is -pi + (i + 0.5)*w. Each value is the minimum valid range of the beams in that sector.

Beam angles are `angle_min + k*angle_increment` (k = 0..n-1), wrapped to [-pi, pi); the
scan's `angle_max` is not used, because drivers disagree on whether it is inclusive and the
increment and beam count already fix every angle. A scan spanning more than a full turn is
inconsistent (see `check_geometry`).

REP-117 range semantics, chosen here and implemented identically by the ONNX model:

===========================  =============================================================
beam value r                 treatment
===========================  =============================================================
range_min <= r <= range_max  valid: an obstacle at r
+inf                         valid: no return within range_max ("free" observation)
-inf                         valid: too close, an obstacle at range_min (sector blocked)
NaN                          invalid: ignored
r < range_min (incl. r < 0)  invalid: ignored (below the sensor's trustworthy minimum)
r > range_max (finite)       invalid: ignored (beyond what the sensor guarantees)
===========================  =============================================================

Sector value: the minimum over its valid beams, `+inf` when every valid beam is `+inf` (free
to range_max), NaN when the sector holds no valid beam at all (no beam, only invalid beams,
or outside the sensor's field of view): unknown, never free. A scan whose geometry is unusable
(empty, non-finite or non-positive increment, a span beyond a full turn, bad range limits)
gives all-NaN sectors.
"""

from __future__ import annotations

import math

import numpy as np

#: The default sector count, the input size of the controller's policy.
DEFAULT_SECTORS = 16

#: Largest |angle_min| accepted (rad): beyond this the scan is not a sane sensor reading.
MAX_ABS_ANGLE_MIN = 4.0 * math.pi
#: Relative slack on the full-turn span check, for drivers that round the increment.
SPAN_TOLERANCE = 1e-3


class ScanGeometryError(ValueError):
    """A scan whose beam geometry or range limits cannot be mapped onto sectors."""


def sector_width(n_sectors: int) -> float:
    return 2.0 * math.pi / n_sectors


def sector_centres(n_sectors: int) -> np.ndarray:
    """Centre bearing of every sector (rad, laser frame), float64 (n_sectors,)."""
    return -math.pi + (np.arange(n_sectors, dtype=np.float64) + 0.5) * sector_width(n_sectors)


def check_geometry(n_beams: int, angle_min: float, angle_increment: float,
                   range_min: float, range_max: float) -> None:
    """Raise ScanGeometryError naming the first problem of a scan's geometry, if any."""
    if n_beams <= 0:
        raise ScanGeometryError("empty scan: no ranges")
    if not math.isfinite(angle_min) or abs(angle_min) > MAX_ABS_ANGLE_MIN:
        raise ScanGeometryError(f"angle_min {angle_min} is not a finite angle within "
                                f"+-{MAX_ABS_ANGLE_MIN:.3f} rad")
    if n_beams > 1:
        if not math.isfinite(angle_increment) or angle_increment <= 0.0:
            raise ScanGeometryError(
                f"angle_increment {angle_increment} must be finite and > 0 for {n_beams} beams")
        span = (n_beams - 1) * angle_increment
        if span > 2.0 * math.pi * (1.0 + SPAN_TOLERANCE):
            raise ScanGeometryError(
                f"{n_beams} beams x angle_increment {angle_increment} span {span:.3f} rad, "
                f"more than a full turn: the increment does not match the range count")
    if not (math.isfinite(range_min) and math.isfinite(range_max)):
        raise ScanGeometryError(f"range limits [{range_min}, {range_max}] must be finite")
    if range_min < 0.0 or range_max <= range_min:
        raise ScanGeometryError(
            f"range limits [{range_min}, {range_max}] need 0 <= range_min < range_max")


def beam_sectors(n_beams: int, angle_min: float, angle_increment: float,
                 n_sectors: int) -> np.ndarray:
    """Sector index of every beam, int64 (n_beams,); the geometry must already be checked.

    Computed in float64 so a beam exactly on a sector boundary lands in the sector it opens.
    """
    angles = angle_min + np.arange(n_beams, dtype=np.float64) * (
        angle_increment if n_beams > 1 else 0.0)
    wrapped = np.mod(angles + math.pi, 2.0 * math.pi)
    idx = np.floor(wrapped / sector_width(n_sectors)).astype(np.int64)
    # np.mod can return exactly 2*pi for tiny negative inputs; that beam belongs to sector 0.
    idx[idx >= n_sectors] = 0
    return idx


def reduce_sectors(ranges: np.ndarray, sector_index: np.ndarray, range_min: float,
                   range_max: float, n_sectors: int) -> np.ndarray:
    """Per-sector minimum of valid beams with the REP-117 rules above, float32 (n_sectors,)."""
    r = np.asarray(ranges, dtype=np.float32)
    rmin, rmax = np.float32(range_min), np.float32(range_max)
    with np.errstate(invalid="ignore"):
        valid = ((r >= rmin) & (r <= rmax)) | np.isinf(r)
    eff = np.where(np.isneginf(r), rmin, r)[valid]
    idx = np.asarray(sector_index, dtype=np.int64)[valid]
    out = np.full(n_sectors, np.inf, dtype=np.float32)
    np.minimum.at(out, idx, eff)
    seen = np.zeros(n_sectors, dtype=bool)
    seen[idx] = True
    out[~seen] = np.nan
    return out


def sector_minima(ranges: np.ndarray, angle_min: float, angle_increment: float,
                  range_min: float, range_max: float, n_sectors: int) -> np.ndarray:
    """N sector minima of one scan per the sector contract; all-NaN for unusable geometry."""
    if n_sectors < 1:
        raise ValueError(f"n_sectors must be >= 1, got {n_sectors}")
    r = np.asarray(ranges, dtype=np.float32).reshape(-1)
    try:
        check_geometry(r.size, angle_min, angle_increment, range_min, range_max)
    except ScanGeometryError:
        return np.full(n_sectors, np.nan, dtype=np.float32)
    idx = beam_sectors(r.size, angle_min, angle_increment, n_sectors)
    return reduce_sectors(r, idx, range_min, range_max, n_sectors)
