"""The sway test: a walking humanoid's head lidar over open floor, pitching +-5 degrees and
rolling +-3 degrees at step frequency, for 5 simulated minutes.

The lidar is a MID-360-like head sensor mounted upside down at 1.2 m, 20 000 points a frame
at 10 Hz, each point cast at its own firing time during the 100 ms sweep. The attitude comes
as odometry at 50 Hz (its own phase, stamped when measured, delivered 12 ms later); a cloud
is processed 10 ms after its sweep ends, with only the attitudes delivered by then. The
floor must never become an obstacle when the cloud is levelled; without levelling it must
(so this test can fail).
"""

from __future__ import annotations

import math

import numpy as np

from robot_brain.core.perception.cloud.attitude import AttitudeBuffer
from robot_brain.core.perception.cloud.config import SourceConfig, SourcesConfig
from robot_brain.core.perception.cloud.sources import CloudSource, SourceOutcome
from robot_brain.core.robot_model.frames import rotation_from_rpy
from test.unit import cloud_fixtures as fx
from test.unit.lidar_scene import MID360, Scene, frame_points

N = 16
STEP_HZ = 1.8
PITCH = math.radians(5.0)
ROLL = math.radians(3.0)
ODOM_PERIOD, ODOM_PHASE, ODOM_LAG = 0.02, 0.007, 0.012
CLOUD_PERIOD, SWEEP, CLOUD_LAG = 0.1, 0.1, 0.010
SHARED = SourcesConfig()


def _rpy(t: float) -> tuple[float, float, float]:
    w = 2.0 * math.pi * STEP_HZ
    return ROLL * math.sin(w * t + 1.0), PITCH * math.sin(w * t), 0.05 * t  # heading drifts


def _quaternion(roll: float, pitch: float, yaw: float) -> tuple[float, float, float, float]:
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    return (sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy, cr * cp * cy + sr * sp * sy)


def _tilt(t: float) -> np.ndarray:
    roll, pitch, _ = _rpy(t)
    return rotation_from_rpy(roll, pitch, 0.0)


def _walk(seconds: float, level: bool) -> tuple[int, int, int]:
    """(false obstacle sectors, unknown sectors, clouds) over `seconds` of walking."""
    head = SourceConfig(type="cloud", name="head", frame="livox_frame",
                        mount_xyz=(0.0, 0.0, 1.2), mount_rpy=(math.pi, 0.0, 0.0),
                        range_max=10.0, frame_time_s=SWEEP, level=level)
    source = CloudSource(head, SHARED, N, SHARED.body())
    attitude = AttitudeBuffer(SHARED.attitude_window_s, SHARED.attitude_tolerance_s)
    lidar = MID360(seed=7)
    floor = Scene()
    next_odom = ODOM_PHASE
    false_sectors = unknown = clouds = 0
    for j in range(int(seconds / CLOUD_PERIOD)):
        stamp = 1000.0 + j * CLOUD_PERIOD
        now = stamp + SWEEP + CLOUD_LAG
        # Odometry delivered by now: measured at least ODOM_LAG earlier.
        while 1000.0 + next_odom <= now - ODOM_LAG:
            t = 1000.0 + next_odom
            attitude.push(t, *_quaternion(*_rpy(t)))
            next_odom += ODOM_PERIOD
        pts = frame_points(floor, lidar, np.array(head.mount_xyz), head.mount_rpy, _tilt,
                           stamp, SWEEP)
        r = source.process(fx.livox(pts), "livox_frame", stamp, now, attitude)
        assert r.outcome is SourceOutcome.OK, r.reason
        assert r.sectors is not None
        false_sectors += int(np.count_nonzero(np.isfinite(r.sectors)))
        unknown += int(np.count_nonzero(np.isnan(r.sectors)))
        clouds += 1
    return false_sectors, unknown, clouds


def test_levelled_head_lidar_sees_no_floor_in_five_minutes_of_walking() -> None:
    false_sectors, unknown, clouds = _walk(300.0, level=True)
    assert clouds == 3000
    assert false_sectors == 0
    assert unknown == 0   # the floor is seen all round: every sector free


def test_without_levelling_the_swaying_floor_becomes_obstacles() -> None:
    false_sectors, _, clouds = _walk(20.0, level=False)
    assert false_sectors > clouds  # more than one false sector per cloud on average


def _ouster_frame(stamp: float, rows: int = 32, cols: int = 512) -> np.ndarray:
    """An organised frame of a horizontal 32-beam spinning lidar at 1.2 m, one column per
    azimuth fired in turn over the 100 ms sweep (+-22.5 degrees), misses as NaN."""
    floor = Scene()
    el = np.radians(np.linspace(22.5, -22.5, rows))
    out = np.full((rows, cols, 3), np.nan)
    for c in range(cols):
        az = 2.0 * math.pi * c / cols
        dirs = np.stack([np.cos(el) * math.cos(az), np.cos(el) * math.sin(az), np.sin(el)], 1)
        tilt = _tilt(stamp + SWEEP * (c + 0.5) / cols)
        dist = floor.cast(tilt @ np.array([0.0, 0.0, 1.2]), dirs @ tilt.T)
        hit = np.isfinite(dist)
        out[hit, c] = dirs[hit] * dist[hit, None]
    return out.astype(np.float32)


def test_organised_cloud_is_levelled_column_by_column() -> None:
    def run(axis: str) -> int:
        cfg = SourceConfig(type="cloud", name="os", mount_xyz=(0.0, 0.0, 1.2), range_max=10.0,
                           frame_time_s=SWEEP, time_axis=axis)
        source = CloudSource(cfg, SHARED, N, SHARED.body())
        attitude = AttitudeBuffer(5.0, SHARED.attitude_tolerance_s)
        for k in range(400):
            t = 999.5 + 0.01 * k
            attitude.push(t, *_quaternion(*_rpy(t)))
        false_sectors = 0
        for j in range(12):   # a third of a step cycle apart: every phase of the sway
            stamp = 1000.0 + j * 0.185
            r = source.process(fx.ouster(_ouster_frame(stamp)), "os", stamp, stamp + 0.11,
                               attitude)
            assert r.outcome is SourceOutcome.OK, r.reason
            assert r.sectors is not None and not np.isnan(r.sectors).any()
            false_sectors += int(np.count_nonzero(np.isfinite(r.sectors)))
        return false_sectors

    assert run("columns") == 0
    assert run("points") > 0   # ring by ring is not the order the points were taken in
