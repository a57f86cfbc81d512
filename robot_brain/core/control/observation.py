"""The policy's observation: fixed layout, finite features, shared by training and the node.

The ONNX policy has three float32 inputs and one float32 output (batch dimension first):

=============  ==========  =================================================================
name           shape       content
=============  ==========  =================================================================
``sectors``    [B, N]      per-sector clearance: min(range, SECTOR_CAP) / SECTOR_CAP, in
                           [0, 1]; +inf (free) -> 1; NaN, negative or non-finite-other
                           (unknown / invalid) -> 0, i.e. "blocked at the body", the same
                           conservative reading the safety filter uses
``goal``       [B, 3]      goal in the robot frame: min(distance, GOAL_CAP) / GOAL_CAP,
                           cos(bearing), sin(bearing) (no wrap-around jump at +-pi)
``velocity``   [B, 2]      current body velocity from odometry: linear (m/s), angular (rad/s)
``cmd``        [B, 2]      output: linear (m/s) and angular (rad/s) velocity command
=============  ==========  =================================================================

N is the sector count of `perception/obstacles` (docs/design.md, sector contract); the controller
checks the model's N against its `n_sectors` parameter at start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

INPUT_SECTORS = "sectors"
INPUT_GOAL = "goal"
INPUT_VELOCITY = "velocity"
OUTPUT_CMD = "cmd"
GOAL_FEATURES = 3
VELOCITY_FEATURES = 2
CMD_FEATURES = 2

#: Clearance beyond this (m) reads as "free": far obstacles do not steer a walking robot, and
#: the feature stays independent of the lidar's range_max.
SECTOR_CAP = 4.0
#: Goal distance beyond this (m) reads as "far".
GOAL_CAP = 5.0


@dataclass(frozen=True)
class Observation:
    """One observation, already encoded; arrays have a leading batch dimension of 1."""

    sectors: np.ndarray
    goal: np.ndarray
    velocity: np.ndarray


def sanitize_sectors(ranges: np.ndarray, n_sectors: int) -> np.ndarray:
    """Sector ranges as float64 (n_sectors,) with every unusable value turned into NaN.

    Negative or NaN values are unknown; a wrong-length array means the whole picture is
    unknown (all NaN), so every consumer treats it as blocked.
    """
    r = np.asarray(ranges, dtype=np.float64).reshape(-1)
    if r.size != n_sectors:
        return np.full(n_sectors, np.nan)
    out = r.copy()
    with np.errstate(invalid="ignore"):
        out[(out < 0.0) | np.isneginf(out)] = np.nan
    return out


def encode_sectors(ranges: np.ndarray) -> np.ndarray:
    """Clearance features in [0, 1] from sanitized ranges (float32, same shape)."""
    r = np.asarray(ranges, dtype=np.float64)
    feat = np.where(np.isnan(r), 0.0, np.minimum(np.nan_to_num(r, posinf=SECTOR_CAP),
                                                 SECTOR_CAP) / SECTOR_CAP)
    return np.clip(feat, 0.0, 1.0).astype(np.float32)


def encode_goal(dx: float, dy: float) -> np.ndarray:
    """(distance feature, cos bearing, sin bearing) of a goal at (dx, dy) in the robot frame."""
    dist = math.hypot(dx, dy)
    if dist < 1e-9:
        return np.array([0.0, 1.0, 0.0], dtype=np.float32)
    return np.array([min(dist, GOAL_CAP) / GOAL_CAP, dx / dist, dy / dist], dtype=np.float32)


def encode_velocity(linear: float, angular: float) -> np.ndarray:
    """(linear, angular) as float32; a non-finite odometry velocity reads as standing still."""
    # Checked after the cast: a finite float64 beyond float32's range becomes inf.
    vel = np.array([linear, angular], dtype=np.float32)
    if not np.all(np.isfinite(vel)):
        return np.zeros(2, dtype=np.float32)
    return vel


def build_observation(ranges: np.ndarray, n_sectors: int, goal_dx: float, goal_dy: float,
                      linear: float, angular: float) -> Observation:
    sectors = encode_sectors(sanitize_sectors(ranges, n_sectors))
    return Observation(sectors[None, :], encode_goal(goal_dx, goal_dy)[None, :],
                       encode_velocity(linear, angular)[None, :])
