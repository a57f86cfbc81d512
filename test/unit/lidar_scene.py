"""A tiny ray caster for perception tests: a head lidar over a floor, boxes and spheres.

The world frame here is the level frame under base_link (x forward, z up, floor at z = 0).
`MID360` draws a Livox-MID-360-like pattern in the sensor's own frame (360 degrees of
azimuth, elevation -7 ... 52 degrees, points in firing order with a rosette-like drift), and
`cast` returns the hit distance of every ray (inf = nothing within range).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from robot_brain.core.robot_model.frames import rotation_from_rpy


@dataclass(frozen=True)
class Scene:
    #: Axis-aligned boxes: (lower corner, upper corner).
    boxes: tuple[tuple[tuple[float, float, float], tuple[float, float, float]], ...] = ()
    #: Spheres: (centre, radius).
    spheres: tuple[tuple[tuple[float, float, float], float], ...] = ()
    floor: bool = True
    max_range: float = 40.0

    def cast(self, origin: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        """Distance along each unit direction (M, 3) from `origin` to the first hit."""
        o = origin.astype(np.float64)
        d = dirs.astype(np.float64)
        best = np.full(len(d), np.inf)
        if self.floor:
            with np.errstate(divide="ignore", invalid="ignore"):
                t = -o[2] / d[:, 2]
            best = np.where((t > 0) & np.isfinite(t), t, best)
        for lo, hi in self.boxes:
            with np.errstate(divide="ignore", invalid="ignore"):
                t1 = (np.array(lo) - o) / d
                t2 = (np.array(hi) - o) / d
            tmin = np.nanmax(np.minimum(t1, t2), axis=1)
            tmax = np.nanmin(np.maximum(t1, t2), axis=1)
            hit = (tmax >= np.maximum(tmin, 0.0)) & (tmin > 0)
            best = np.where(hit & (tmin < best), tmin, best)
        for c, r in self.spheres:
            oc = o - np.array(c)
            b = d @ oc
            disc = b * b - (oc @ oc - r * r)
            t = -b - np.sqrt(np.maximum(disc, 0.0))
            hit = (disc >= 0) & (t > 0)
            best = np.where(hit & (t < best), t, best)
        best[best > self.max_range] = np.inf
        return best


@dataclass
class MID360:
    """Directions of one 10 Hz frame in the sensor frame, in firing order."""

    points: int = 20_000
    elevation_deg: tuple[float, float] = (-7.0, 52.0)
    seed: int = 0
    _frame: int = field(default=0, init=False)

    def directions(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed + self._frame)
        self._frame += 1
        k = np.arange(self.points)
        # Azimuth sweeps several turns per frame (non-repetitive pattern), elevation dithers.
        az = (k * (7.0 * 2.0 * math.pi / self.points) + rng.uniform(0, 2 * math.pi)) % (
            2.0 * math.pi)
        lo, hi = (math.radians(e) for e in self.elevation_deg)
        el = lo + (hi - lo) * ((k * 0.618034 + rng.uniform()) % 1.0)
        return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=1)


def frame_points(scene: Scene, lidar: MID360, mount_xyz: np.ndarray, mount_rpy: tuple,
                 base_tilt: Callable[[float], np.ndarray], stamp: float, sweep_s: float
                 ) -> np.ndarray:
    """One frame of points in the sensor frame (NaN-free, misses dropped), each ray cast at
    its own firing time with the base's tilt at that time (`base_tilt(t)` -> 3x3)."""
    dirs_s = lidar.directions()
    n = len(dirs_s)
    r_mount = rotation_from_rpy(*mount_rpy)
    out = np.empty((n, 3))
    slices = 40  # the true motion, far finer than the 8 slices perception levels with
    bounds = np.linspace(0, n, slices + 1).astype(int)
    for k in range(slices):
        a, b = bounds[k], bounds[k + 1]
        t = stamp + sweep_s * (a + b) / 2.0 / n
        tilt = base_tilt(t)
        r_world = tilt @ r_mount
        origin = tilt @ mount_xyz
        d_world = dirs_s[a:b] @ r_world.T
        dist = scene.cast(origin, d_world)
        out[a:b] = dirs_s[a:b] * dist[:, None]
    keep = np.isfinite(out).all(axis=1)
    return out[keep].astype(np.float32)
