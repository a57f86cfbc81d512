"""One scan in, N sector minima out: input checks, the cached beam index, timed inference.

Outcomes for a scan:

* OK: the backend's sector minima.
* INVALID: the geometry or range limits cannot be mapped onto sectors (empty scan, bad
  increment, span beyond a full turn, bad range limits): all-NaN sectors, so the consumer sees
  "unknown" at once instead of a stale "free" (the controller stops on unknown).
* DROPPED: more beams than `max_beams`: nothing is published. Checked before any per-beam
  work, so a huge message costs O(1) here; the consumer's staleness timeout takes over.

Ranges that are individually bad (negative, NaN, out of limits) are not an input error: the
REP-117 rules of `sectors` ignore them, and `ScanResult.invalid_beams` counts them.
"""

from __future__ import annotations

import enum
import math
import time
from dataclasses import dataclass

import numpy as np

from robot_brain.core.perception.backend import SectorBackend
from robot_brain.core.perception.sectors import ScanGeometryError, beam_sectors, check_geometry


class ScanOutcome(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    DROPPED = "dropped"


@dataclass(frozen=True)
class ScanResult:
    outcome: ScanOutcome
    #: float32 (N,), None when DROPPED.
    sectors: np.ndarray | None
    #: Why the scan is INVALID or DROPPED; '' when OK.
    reason: str = ""
    #: Backend run time (s); NaN when the backend did not run.
    inference_s: float = math.nan
    #: Beams ignored by the REP-117 rules (NaN, below range_min, above range_max).
    invalid_beams: int = 0


@dataclass(frozen=True)
class _Geometry:
    n_beams: int
    angle_min: float
    angle_increment: float


class ScanProcessor:
    """Turns scans into sector minima with a given backend; caches the beam-to-sector index.

    The index depends only on (beam count, angle_min, angle_increment), which a lidar keeps
    constant, so the per-scan work is a dtype view, one backend call and a count.
    """

    def __init__(self, backend: SectorBackend, max_beams: int) -> None:
        if max_beams < 1:
            raise ValueError(f"max_beams must be >= 1, got {max_beams}")
        self.backend = backend
        self.max_beams = max_beams
        self._geometry: _Geometry | None = None
        self._index = np.zeros(0, dtype=np.int64)
        self._unknown = np.full(backend.n_sectors, np.nan, dtype=np.float32)

    @property
    def n_sectors(self) -> int:
        return self.backend.n_sectors

    def process(self, ranges: np.ndarray, angle_min: float, angle_increment: float,
                range_min: float, range_max: float) -> ScanResult:
        n = int(ranges.size)
        if n > self.max_beams:
            return ScanResult(ScanOutcome.DROPPED, None,
                              f"{n} beams exceed max_beams {self.max_beams}")
        try:
            check_geometry(n, angle_min, angle_increment, range_min, range_max)
        except ScanGeometryError as exc:
            return ScanResult(ScanOutcome.INVALID, self._unknown.copy(), str(exc))
        index = self._index_for(_Geometry(n, float(angle_min),
                                          float(angle_increment) if n > 1 else 0.0))
        r = np.ascontiguousarray(ranges, dtype=np.float32).reshape(-1)
        limits = np.array([range_min, range_max], dtype=np.float32)
        t0 = time.perf_counter()
        try:
            sectors = self.backend(r, index, limits)
        except Exception as exc:  # noqa: BLE001 - a bad scan must never end the node
            return ScanResult(ScanOutcome.INVALID, self._unknown.copy(),
                              f"sector backend failed: {type(exc).__name__}: {exc}")
        dt = time.perf_counter() - t0
        with np.errstate(invalid="ignore"):
            usable = int(np.count_nonzero(((r >= limits[0]) & (r <= limits[1])) | np.isinf(r)))
        return ScanResult(ScanOutcome.OK, sectors, inference_s=dt, invalid_beams=n - usable)

    def _index_for(self, geometry: _Geometry) -> np.ndarray:
        if geometry != self._geometry:
            self._index = beam_sectors(geometry.n_beams, geometry.angle_min,
                                       geometry.angle_increment, self.n_sectors)
            self._geometry = geometry
        return self._index
