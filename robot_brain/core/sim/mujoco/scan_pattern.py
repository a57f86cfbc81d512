"""A MID-360-like scan pattern: where each of a frame's rays points, in the sensor's frame.

A Livox MID-360 covers 360 x (-7..52) degrees with four laser lines and a non-repetitive
pattern: one frame leaves gaps, successive frames fill them, so coverage grows with
integration time. This is not Livox's pattern (which is not published); it has the same
properties: every frame turns once around the sensor's z axis while each line sweeps the
vertical field up and down `sweeps_per_turn` times (a cosine, so points crowd at the top and
bottom edges as a prism scanner's do), the four lines a quarter sweep apart, and each frame
starts at a new phase stepped by the golden ratio, so no two frames repeat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The golden ratio's fractional part: the most irrational frame-to-frame phase step.
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class PatternFrame:
    """One frame's rays: unit directions (N, 3) in the sensor frame, and each ray's line."""

    directions: np.ndarray
    lines: np.ndarray


class Mid360Pattern:
    def __init__(self, points_per_frame: int, vertical_min_deg: float, vertical_max_deg: float,
                 lines: int = 4, sweeps_per_turn: int = 199, start_phase: float = 0.0) -> None:
        if points_per_frame < 1 or lines < 1 or sweeps_per_turn < 1:
            raise ValueError("a scan pattern needs >= 1 point, line and sweep")
        if not vertical_min_deg < vertical_max_deg:
            raise ValueError(f"vertical field {vertical_min_deg}..{vertical_max_deg} is empty")
        self.points = points_per_frame
        self.lines = lines
        self.sweeps = sweeps_per_turn
        self._v_mid = math.radians((vertical_min_deg + vertical_max_deg) / 2.0)
        self._v_half = math.radians((vertical_max_deg - vertical_min_deg) / 2.0)
        t = np.arange(points_per_frame, dtype=np.float64) / points_per_frame  # 0..1 of a turn
        self._line = (np.arange(points_per_frame) % lines).astype(np.uint8)
        azimuth = 2.0 * math.pi * t - math.pi
        sweep = 2.0 * math.pi * (sweeps_per_turn * t + self._line.astype(np.float64) / lines)
        # A frame's phase rotates the whole turn about z and shifts every sweep by the same
        # angle: both are applied to these by angle addition, so a frame costs two trig
        # arrays (its elevations' cosine and sine) instead of five.
        self._cos_az, self._sin_az = np.cos(azimuth), np.sin(azimuth)
        self._cos_sw, self._sin_sw = np.cos(sweep), np.sin(sweep)
        self._phase = start_phase % 1.0
        self.frames = 0

    def next_frame(self) -> PatternFrame:
        """The next frame's rays (a new array each frame: the caller may keep it)."""
        phase = self._phase
        self._phase = (self._phase + _GOLDEN) % 1.0
        self.frames += 1
        # The turn starts at a new azimuth each frame (the phase, in units of the spacing of
        # one sweep) and the sweeps at a new phase: successive frames interleave.
        rot = 2.0 * math.pi * phase * self.sweeps / self.points
        shift = 2.0 * math.pi * phase
        elevation = self._v_mid + self._v_half * (self._cos_sw * math.cos(shift)
                                                  - self._sin_sw * math.sin(shift))
        ce = np.cos(elevation)
        cr, sr = math.cos(rot), math.sin(rot)
        directions = np.empty((self.points, 3))
        directions[:, 0] = ce * (self._cos_az * cr - self._sin_az * sr)
        directions[:, 1] = ce * (self._sin_az * cr + self._cos_az * sr)
        directions[:, 2] = np.sin(elevation)
        return PatternFrame(directions, self._line)
