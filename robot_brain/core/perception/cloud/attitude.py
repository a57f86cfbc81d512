"""The base's attitude (roll, pitch) at a cloud's stamp, from a short buffer of orientations.

A walking humanoid's head pitches and rolls a few degrees with every step; at 5 m a 3 degree
error moves the floor by 26 cm, so a cloud must be levelled with the attitude the base had
when the points were taken, not with the newest one. Orientations (odometry or an IMU, both
fed as (stamp, quaternion)) go into a buffer spanning `window_s`; `tilt(t)` interpolates
(normalised linear interpolation of the quaternions) between the two samples around t.

A stamp outside the buffer, within `tolerance_s` of it, uses the oldest sample (before the
buffer) or extrapolates the two newest samples linearly (after it: the newest odometry is
usually 10-20 ms older than the end of a lidar sweep, and a head pitching 5 degrees at
1.8 Hz turns 1 degree in 20 ms, 17 cm of floor at 10 m; the extrapolation leaves ~0.1
degree). Farther out it raises `AttitudeUnavailable` and the cloud is refused (counted).
Levelling with the newest sample instead would put a stale attitude on the points without
saying so, and a wrong attitude is exactly what turns the floor into a wall; with no cloud
the controller's staleness rules stop the robot, which is the safe side.

Only roll and pitch are used: yaw is the base frame's own heading, and the sectors stay in
base_link. The tilt matrix Ry(pitch) Rx(roll) takes a base_link vector to the gravity-aligned
frame that shares base_link's heading.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from robot_brain.core.robot_model.frames import rotation_from_rpy, rpy_from_quaternion

#: A quaternion whose norm is this far from 1 is not an orientation (e.g. an IMU that
#: reports none fills it with zeros).
NORM_TOLERANCE = 0.1
#: Two newest samples closer than this are not extrapolated from (noise would be amplified).
MIN_EXTRAPOLATION_BASE_S = 1e-3


class AttitudeUnavailable(LookupError):
    """No attitude known at the requested stamp; the message says why."""


def tilt_from_quaternion(x: float, y: float, z: float, w: float) -> np.ndarray:
    """Ry(pitch) Rx(roll) of a unit quaternion (the rotation without its yaw)."""
    roll, pitch, _ = rpy_from_quaternion(w, x, y, z)
    return rotation_from_rpy(roll, pitch, 0.0)


class AttitudeBuffer:
    def __init__(self, window_s: float, tolerance_s: float, capacity: int = 1024) -> None:
        if not (window_s > 0.0 and tolerance_s >= 0.0 and capacity >= 2):
            raise ValueError(f"attitude buffer: window {window_s} s, tolerance {tolerance_s} s, "
                             f"capacity {capacity}")
        self.window_s = window_s
        self.tolerance_s = tolerance_s
        self.capacity = capacity
        self._t: list[float] = []
        self._q: list[tuple[float, float, float, float]] = []
        #: Samples refused: not finite, or not a unit quaternion.
        self.rejected = 0
        self.accepted = 0

    def __len__(self) -> int:
        return len(self._t)

    @property
    def newest(self) -> float:
        return self._t[-1] if self._t else -math.inf

    def push(self, stamp: float, x: float, y: float, z: float, w: float) -> bool:
        """Add the orientation at `stamp` (s); False (counted) when it is not one."""
        n = math.sqrt(x * x + y * y + z * z + w * w) if all(
            math.isfinite(v) for v in (stamp, x, y, z, w)) else math.nan
        if not (abs(n - 1.0) <= NORM_TOLERANCE):
            self.rejected += 1
            return False
        q = (x / n, y / n, z / n, w / n)
        i = bisect.bisect_left(self._t, stamp)
        if i < len(self._t) and self._t[i] == stamp:
            self._q[i] = q
        else:
            # Out of order samples are rare (two publishers, a reordering transport) but
            # harmless: they are put where they belong.
            self._t.insert(i, stamp)
            self._q.insert(i, q)
        self.accepted += 1
        cut = bisect.bisect_left(self._t, self._t[-1] - self.window_s)
        cut = max(cut, len(self._t) - self.capacity)
        if cut > 0:
            del self._t[:cut], self._q[:cut]
        return True

    def quaternion(self, t: float) -> tuple[float, float, float, float]:
        """The interpolated orientation at `t`, or AttitudeUnavailable."""
        ts = self._t
        if not ts:
            raise AttitudeUnavailable("no attitude received yet")
        if not math.isfinite(t):
            raise AttitudeUnavailable(f"stamp {t} is not finite")
        if t <= ts[0] or t >= ts[-1]:
            edge = 0 if t <= ts[0] else len(ts) - 1
            gap = abs(t - ts[edge])
            if gap > self.tolerance_s:
                where = "before the oldest" if edge == 0 else "after the newest"
                raise AttitudeUnavailable(
                    f"stamp {t:.3f} is {gap:.3f} s {where} attitude sample ({ts[edge]:.3f}); "
                    f"tolerance {self.tolerance_s} s")
            if edge == 0 or len(ts) < 2 or ts[-1] - ts[-2] < MIN_EXTRAPOLATION_BASE_S:
                return self._q[edge]
            i = len(ts) - 1  # extrapolate along the two newest samples
        else:
            i = bisect.bisect_right(ts, t)
        return self._blend(i, t)

    def _blend(self, i: int, t: float) -> tuple[float, float, float, float]:
        """Normalised linear blend of samples i-1 and i at t (a > 1 extrapolates)."""
        t0, t1 = self._t[i - 1], self._t[i]
        a = (t - t0) / (t1 - t0)
        q0, q1 = self._q[i - 1], self._q[i]
        if sum(p * q for p, q in zip(q0, q1, strict=True)) < 0.0:
            q1 = (-q1[0], -q1[1], -q1[2], -q1[3])  # the short way round
        q = tuple((1.0 - a) * p + a * r for p, r in zip(q0, q1, strict=True))
        n = math.sqrt(sum(v * v for v in q))
        return (q[0] / n, q[1] / n, q[2] / n, q[3] / n)

    def tilt(self, t: float) -> np.ndarray:
        """Ry(pitch) Rx(roll) of the base at `t`, or AttitudeUnavailable."""
        return tilt_from_quaternion(*self.quaternion(t))
