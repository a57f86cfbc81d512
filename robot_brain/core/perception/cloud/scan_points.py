"""A LaserScan as points in the laser's frame, so an off-centre or tilted 2D laser merges
with the clouds through the same projection.

Beam k is at angle_min + k * angle_increment in the laser's x-y plane. The REP-117 rules of
`robot_brain.core.perception.sectors` decide what a beam says, and the source's own range
limits narrow them:

=================================  ===============================================
beam value r                       becomes
=================================  ===============================================
finite, within the source's and     a point at r (may be an obstacle)
the scan's [range_min, range_max]
finite, beyond the source's         a free point at the source's range_max
range_max (within the scan's)       (evidence only)
+inf (no return)                    a free point at range_max (evidence only)
-inf (too close)                    a point at the scan's range_min (an obstacle)
NaN, outside the scan's limits,     nothing (counted as invalid)
or nearer than the source's
range_min
=================================  ===============================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from robot_brain.core.perception.sectors import check_geometry


@dataclass(frozen=True)
class ScanPoints:
    """One point per beam, in beam (time) order; `use` is False for beams that give none."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    #: Distance of each point from the laser.
    dist: np.ndarray
    use: np.ndarray
    #: False for evidence-only points (free beams).
    obstacle: np.ndarray

    @property
    def invalid(self) -> int:
        """Beams that gave no point."""
        return int(self.use.size - np.count_nonzero(self.use))


class ScanGeometryCache:
    """cos/sin of every beam angle, recomputed only when the scan's geometry changes."""

    def __init__(self) -> None:
        self._key: tuple[int, float, float] | None = None
        self._cos = np.zeros(0, dtype=np.float32)
        self._sin = np.zeros(0, dtype=np.float32)

    def get(self, n: int, angle_min: float, increment: float) -> tuple[np.ndarray, np.ndarray]:
        key = (n, angle_min, increment if n > 1 else 0.0)
        if key != self._key:
            a = angle_min + np.arange(n, dtype=np.float64) * key[2]
            self._cos, self._sin = np.cos(a).astype(np.float32), np.sin(a).astype(np.float32)
            self._key = key
        return self._cos, self._sin


def scan_points(ranges: np.ndarray, angle_min: float, angle_increment: float,
                scan_range_min: float, scan_range_max: float, source_range_min: float,
                source_range_max: float, cache: ScanGeometryCache) -> ScanPoints:
    """The beams as points (laser frame); ScanGeometryError for an unusable geometry."""
    r = np.asarray(ranges, dtype=np.float32).reshape(-1)
    check_geometry(r.size, angle_min, angle_increment, scan_range_min, scan_range_max)
    lo, hi = np.float32(scan_range_min), np.float32(scan_range_max)
    far = np.float32(min(scan_range_max, source_range_max))
    with np.errstate(invalid="ignore"):
        in_limits = (r >= lo) & (r <= hi)
        use = (in_limits & (r >= np.float32(source_range_min))) | np.isinf(r)
        obstacle = in_limits & (r <= far)
    too_close = np.isneginf(r)
    obstacle |= too_close
    dist = np.where(too_close, lo, np.where(obstacle, r, far))
    dist = np.where(use, dist, np.float32(0.0)).astype(np.float32)
    c, s = cache.get(r.size, angle_min, angle_increment)
    x = dist * c
    y = dist * s
    return ScanPoints(x, y, np.zeros_like(x), dist, use, obstacle)
