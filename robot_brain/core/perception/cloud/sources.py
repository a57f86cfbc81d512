"""One message of one source -> that source's sectors, or a refusal that says why.

Outcomes (`SourceOutcome`):

* OK: the source's sectors (obstacle / free / unknown, see `projection`).
* INVALID: the message is from this source but its content cannot be used (missing x/y/z, a
  step or length mismatch, an unusable scan geometry, a frame other than the configured
  one): the source's sectors become unknown at once, so the controller sees "unknown" now
  rather than the previous message's view for another `timeout_s`.
* DROPPED: the message cannot be placed in time (stamp far in the past or future, no
  attitude at its stamp) or in space (a source whose mount comes from /tf_static before
  that transform has arrived, or while the one that arrived was refused), or is too big to
  read (a scan with more than `max_beams` beams): nothing is published for it and its
  previous view is forgotten; with no usable message the controller's staleness rules stop
  the robot.

Every refusal carries a `kind` (the diagnostics counter it increments) and a one-line reason.
A cloud bigger than `max_points` is not refused but decimated (`SourceResult.stride`).
"""

from __future__ import annotations

import enum
import math
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from robot_brain.core.perception.cloud.attitude import AttitudeUnavailable
from robot_brain.core.perception.cloud.body import SelfFilter
from robot_brain.core.perception.cloud.config import (
    MountFrom,
    SourceConfig,
    SourcesConfig,
    TimeAxis,
)
from robot_brain.core.perception.cloud.mount import Mount
from robot_brain.core.perception.cloud.pointcloud import CloudFormatError, RawCloud, read_xyz
from robot_brain.core.perception.cloud.projection import Projector
from robot_brain.core.perception.cloud.scan_points import ScanGeometryCache, scan_points
from robot_brain.core.perception.pipeline import ScanOutcome, ScanProcessor
from robot_brain.core.perception.sectors import ScanGeometryError

#: Time slices a sweep is levelled in: at 57 deg/s of head pitch (5 deg at 1.8 Hz) a 100 ms
#: sweep turns 5.7 deg; in 16 slices each point's attitude is off by at most 0.18 deg (3 cm of
#: floor at 10 m). The sway test measured 4.7 cm at most with 16 slices, 7.6 cm with 8.
LEVEL_SLICES = 16
#: A tilt this close to identity is "level" (a planar robot's odometry gives exactly that).
LEVEL_EPS = 1e-9


class SourceOutcome(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    DROPPED = "dropped"


class Refusal:
    """Counter keys of refused messages."""

    FRAME = "frame"
    STAMP = "stamp"
    ATTITUDE = "attitude"
    FORMAT = "format"
    GEOMETRY = "geometry"
    OVERSIZE = "oversize"
    BACKEND = "backend"
    MOUNT = "mount"
    ALL = (FRAME, STAMP, ATTITUDE, FORMAT, GEOMETRY, OVERSIZE, BACKEND, MOUNT)


@dataclass(frozen=True)
class SourceResult:
    outcome: SourceOutcome
    #: float32 (N,) when OK, all NaN when INVALID, None when DROPPED.
    sectors: np.ndarray | None
    kind: str = ""
    reason: str = ""
    #: Points (beams) in the message.
    points_in: int = 0
    #: Points that reached the projection.
    points_used: int = 0
    #: Decimation stride of a cloud (1 = every point read).
    stride: int = 1
    #: Non-finite points (clouds) or invalid beams (scans) ignored.
    invalid: int = 0
    #: Points farther than range_max or nearer than range_min from the sensor.
    out_of_range: int = 0
    self_filtered: int = 0
    obstacle_points: int = 0
    #: Time spent in the core for this message (s).
    process_s: float = math.nan
    #: The sector model ran (a centred, level LaserScan: the ONNX fast path).
    model: bool = False


class AttitudeLookup(Protocol):
    def tilt(self, t: float) -> np.ndarray: ...


class _Source:
    """What clouds and scans share: frame and stamp checks, the attitude, the projector."""

    def __init__(self, cfg: SourceConfig, shared: SourcesConfig, n_sectors: int,
                 body: SelfFilter) -> None:
        self.cfg = cfg
        self.shared = shared
        self.n_sectors = n_sectors
        self.body = body
        self._unknown = np.full(n_sectors, np.nan, dtype=np.float32)
        self.mount: Mount | None = None
        self.projector: Projector | None = None
        self._no_mount = ""
        if cfg.mount_from == MountFrom.PARAMS:
            self.set_mount(cfg.mount)
        else:
            self.set_mount(None, f"waiting for {shared.base_frame} -> {cfg.frame} on "
                           "/tf_static")

    def set_mount(self, mount: Mount | None, reason: str = "") -> None:
        """Place the source's points with `mount` from now on; None: refuse its messages
        (`reason` says why) until a mount is set."""
        self.mount = mount
        self._no_mount = reason or "no mount"
        self.projector = None if mount is None else Projector(
            self.n_sectors, mount, self.body if self.cfg.self_filter else None,
            self.shared.base_height, self.shared.min_height, self.shared.max_height,
            self.cfg.min_free_points)

    def _unmounted(self, t0: float, points_in: int) -> SourceResult:
        return self.dropped(Refusal.MOUNT, f"no mount ({self._no_mount})", t0,
                            points_in=points_in)

    def _check_header(self, frame_id: str, stamp: float, now: float, t0: float
                      ) -> SourceResult | None:
        if self.cfg.frame and frame_id != self.cfg.frame:
            return self.invalid(Refusal.FRAME, f"frame '{frame_id}', expected "
                                f"'{self.cfg.frame}' ({self.cfg.name}.frame)", t0)
        age = now - stamp
        if not math.isfinite(age) or age > self.shared.stamp_max_age_s:
            return self.dropped(Refusal.STAMP, f"stamp {stamp:.3f} is {age:.3f} s old "
                                f"(stamp_max_age_s {self.shared.stamp_max_age_s})", t0)
        if -age > self.shared.stamp_max_ahead_s:
            return self.dropped(Refusal.STAMP, f"stamp {stamp:.3f} is {-age:.3f} s in the "
                                f"future (stamp_max_ahead_s {self.shared.stamp_max_ahead_s})",
                                t0)
        return None

    def _tilts(self, stamp: float, duration: float, attitude: AttitudeLookup | None
               ) -> list[np.ndarray] | None:
        """Tilt of each time slice (None = not levelled); AttitudeUnavailable."""
        if not self.cfg.level or attitude is None:
            return None
        if duration <= 0.0:
            return [attitude.tilt(stamp)]
        return [attitude.tilt(stamp + (k + 0.5) * duration / LEVEL_SLICES)
                for k in range(LEVEL_SLICES)]

    def invalid(self, kind: str, reason: str, t0: float, points_in: int = 0) -> SourceResult:
        return SourceResult(SourceOutcome.INVALID, self._unknown.copy(), kind, reason,
                            points_in=points_in, process_s=time.perf_counter() - t0)

    def dropped(self, kind: str, reason: str, t0: float, points_in: int = 0) -> SourceResult:
        return SourceResult(SourceOutcome.DROPPED, None, kind, reason, points_in=points_in,
                            process_s=time.perf_counter() - t0)


def _level(tilts: list[np.ndarray] | None) -> bool:
    return tilts is None or all(
        bool(np.allclose(t, np.eye(3), rtol=0.0, atol=LEVEL_EPS)) for t in tilts)


class CloudSource(_Source):
    def process(self, cloud: RawCloud, frame_id: str, stamp: float, now: float,
                attitude: AttitudeLookup | None) -> SourceResult:
        """One PointCloud2 (its parts), stamped `stamp`, received at `now` (node clock, s)."""
        t0 = time.perf_counter()
        projector = self.projector
        if projector is None:
            return self._unmounted(t0, cloud.n_points)
        refused = self._check_header(frame_id, stamp, now, t0)
        if refused is not None:
            return refused
        cfg = self.cfg
        try:
            tilts = self._tilts(stamp, cfg.frame_time_s, attitude)
        except AttitudeUnavailable as exc:
            return self.dropped(Refusal.ATTITUDE, f"no attitude to level it: {exc}", t0)
        try:
            pts = read_xyz(cloud, cfg.max_points)
        except CloudFormatError as exc:
            return self.invalid(Refusal.FORMAT, str(exc), t0, points_in=cloud.n_points)
        x, y, z = pts.x, pts.y, pts.z
        d2 = x * x + y * y + z * z
        finite = int(np.count_nonzero(np.isfinite(d2)))
        lo, hi = cfg.range_min, cfg.range_max
        use = (d2 >= np.float32(lo * lo)) & (d2 <= np.float32(hi * hi))
        in_range = int(np.count_nonzero(use))
        p = projector.project(x, y, z, d2, use, None, tilts,
                              by_columns=cfg.time_axis == TimeAxis.COLUMNS)
        return SourceResult(SourceOutcome.OK, p.sectors, points_in=pts.total,
                            points_used=p.points, stride=pts.stride, invalid=pts.size - finite,
                            out_of_range=finite - in_range, self_filtered=p.self_filtered,
                            obstacle_points=p.obstacles, process_s=time.perf_counter() - t0)


class ScanSource(_Source):
    """A LaserScan source: the sector model for a centred, level scan; points otherwise."""

    def __init__(self, cfg: SourceConfig, shared: SourcesConfig, n_sectors: int,
                 body: SelfFilter, processor: ScanProcessor) -> None:
        self.processor = processor
        self._cache = ScanGeometryCache()
        self.model_capable = False
        super().__init__(cfg, shared, n_sectors, body)

    def set_mount(self, mount: Mount | None, reason: str = "") -> None:
        super().set_mount(mount, reason)
        z_lo, z_hi = self.body.z_range() if self.cfg.self_filter else (math.inf, -math.inf)
        # The sector model sees beam angles only: usable when every beam's base_link bearing
        # is its angle plus the mount's yaw and its range is unchanged (the laser on the
        # vertical axis through base_link, horizontal), and no body shape cuts its plane.
        self.model_capable = (mount is not None and mount.centred and mount.horizontal
                              and not z_lo <= mount.xyz[2] <= z_hi)

    def process(self, ranges: np.ndarray, angle_min: float, angle_increment: float,
                range_min: float, range_max: float, time_increment: float, frame_id: str,
                stamp: float, now: float, attitude: AttitudeLookup | None) -> SourceResult:
        t0 = time.perf_counter()
        n = int(ranges.size)
        if n > self.processor.max_beams:
            return self.dropped(Refusal.OVERSIZE, f"{n} beams exceed max_beams "
                                f"{self.processor.max_beams}", t0, points_in=n)
        projector = self.projector
        if projector is None:
            return self._unmounted(t0, n)
        refused = self._check_header(frame_id, stamp, now, t0)
        if refused is not None:
            return refused
        cfg = self.cfg
        sweep = (n - 1) * time_increment if (
            n > 1 and math.isfinite(time_increment) and 0.0 < time_increment) else 0.0
        try:
            tilts = self._tilts(stamp, min(sweep, 1.0), attitude)
        except AttitudeUnavailable as exc:
            return self.dropped(Refusal.ATTITUDE, f"no attitude to level it: {exc}", t0,
                                points_in=n)
        if (self.model_capable and _level(tilts) and cfg.range_min <= range_min
                and cfg.range_max >= range_max):
            return self._model(ranges, angle_min, angle_increment, range_min, range_max, t0)
        try:
            pts = scan_points(ranges, angle_min, angle_increment, range_min, range_max,
                              cfg.range_min, cfg.range_max, self._cache)
        except ScanGeometryError as exc:
            return self.invalid(Refusal.GEOMETRY, str(exc), t0, points_in=n)
        row = (1, -1)
        p = projector.project(pts.x.reshape(row), pts.y.reshape(row), pts.z.reshape(row),
                              (pts.dist * pts.dist).reshape(row), pts.use.reshape(row),
                              pts.obstacle.reshape(row), tilts)
        return SourceResult(SourceOutcome.OK, p.sectors, points_in=n, points_used=p.points,
                            invalid=pts.invalid, self_filtered=p.self_filtered,
                            obstacle_points=p.obstacles, process_s=time.perf_counter() - t0)

    def _model(self, ranges: np.ndarray, angle_min: float, angle_increment: float,
               range_min: float, range_max: float, t0: float) -> SourceResult:
        yaw = self.mount.rpy[2] if self.mount is not None else 0.0  # model_capable: mounted
        r = self.processor.process(ranges, angle_min + yaw, angle_increment, range_min,
                                   range_max)
        n = int(ranges.size)
        if r.outcome is ScanOutcome.DROPPED:
            return self.dropped(Refusal.OVERSIZE, r.reason, t0, points_in=n)
        if r.outcome is ScanOutcome.INVALID:
            kind = Refusal.BACKEND if r.reason.startswith("sector backend") else Refusal.GEOMETRY
            return self.invalid(kind, r.reason, t0, points_in=n)
        return SourceResult(SourceOutcome.OK, r.sectors, points_in=n,
                            points_used=n - r.invalid_beams, invalid=r.invalid_beams,
                            process_s=time.perf_counter() - t0, model=True)
