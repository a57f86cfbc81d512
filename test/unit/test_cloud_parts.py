"""The parts of multi-source perception: mounts, the attitude buffer, the self-filter, the
merge, the monitor and the parameters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.config.params import defaults, load, specs
from robot_brain.core.health import Level
from robot_brain.core.perception.cloud.attitude import (
    AttitudeBuffer,
    AttitudeUnavailable,
    tilt_from_quaternion,
)
from robot_brain.core.perception.cloud.body import (
    BodyShapeError,
    Box,
    Capsule,
    SelfFilter,
    boxes_from_numbers,
    capsules_from_numbers,
)
from robot_brain.core.perception.cloud.config import (
    SourceConfig,
    SourceConfigError,
    SourcesConfig,
)
from robot_brain.core.perception.cloud.merge import MAX_ACCUMULATED, SectorMerger
from robot_brain.core.perception.cloud.monitor import SourcesMonitor
from robot_brain.core.perception.cloud.mount import (
    Mount,
    rotation_quaternion,
    rpy_from_rotation,
)
from robot_brain.core.perception.cloud.projection import Projector
from robot_brain.core.perception.cloud.sources import Refusal, SourceOutcome, SourceResult
from robot_brain.core.robot_model.frames import rotation_from_rpy


def _q(roll: float, pitch: float, yaw: float) -> tuple[float, float, float, float]:
    cr, sr = math.cos(roll / 2), math.sin(roll / 2)
    cp, sp = math.cos(pitch / 2), math.sin(pitch / 2)
    cy, sy = math.cos(yaw / 2), math.sin(yaw / 2)
    return (sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy, cr * cp * cy + sr * sp * sy)


@pytest.mark.parametrize("rpy", [(0.0, 0.0, 0.0), (math.pi, 0.0, 0.0), (0.3, -0.2, 2.5),
                                 (-1.2, 0.7, -3.0)])
def test_mount_from_parameters_and_from_a_transform_agree(rpy: tuple) -> None:
    m = Mount((0.1, -0.2, 1.2), rpy)
    q = _q(*rpy)
    t = Mount.from_transform((0.1, -0.2, 1.2), q)
    np.testing.assert_allclose(t.rotation(), m.rotation(), atol=1e-12)
    np.testing.assert_allclose(rotation_quaternion(*q), rotation_from_rpy(*rpy), atol=1e-12)
    np.testing.assert_allclose(rotation_from_rpy(*rpy_from_rotation(m.rotation())),
                               m.rotation(), atol=1e-12)
    # Upside down: the sensor's up is base_link's down, its left is base_link's right.
    if rpy == (math.pi, 0.0, 0.0):
        np.testing.assert_allclose(m.rotation() @ [0, 1, 1], [0, -1, -1], atol=1e-12)


def test_mount_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        Mount((0.0, 0.0, math.nan))
    with pytest.raises(ValueError):
        Mount.from_transform((0, 0, 0), (0.0, 0.0, 0.0, 0.0))


def test_attitude_interpolates_extrapolates_a_little_and_refuses_far_stamps() -> None:
    buf = AttitudeBuffer(window_s=1.0, tolerance_s=0.05)
    with pytest.raises(AttitudeUnavailable, match="no attitude"):
        buf.tilt(0.0)
    for k in range(11):  # pitch ramps 0 -> 0.1 rad over 0.1 s
        buf.push(10.0 + 0.01 * k, *_q(0.0, 0.01 * k, 1.0))
    assert len(buf) == 11
    pitch = lambda t: -math.asin(buf.tilt(t)[2, 0])  # noqa: E731
    assert pitch(10.055) == pytest.approx(0.055, abs=1e-4)
    assert pitch(10.12) == pytest.approx(0.12, abs=1e-3)   # extrapolated past the newest
    assert pitch(9.97) == pytest.approx(0.0, abs=1e-9)     # before the oldest: the oldest
    with pytest.raises(AttitudeUnavailable, match="after the newest"):
        buf.tilt(10.2)
    with pytest.raises(AttitudeUnavailable, match="before the oldest"):
        buf.tilt(9.9)
    # The yaw is not part of the tilt.
    np.testing.assert_allclose(buf.tilt(10.05), rotation_from_rpy(0.0, 0.05, 0.0), atol=1e-4)


def test_attitude_buffer_refuses_non_rotations_and_keeps_its_window() -> None:
    buf = AttitudeBuffer(window_s=0.5, tolerance_s=0.05)
    assert not buf.push(1.0, 0.0, 0.0, 0.0, 0.0)      # an IMU without orientation
    assert not buf.push(1.0, math.nan, 0.0, 0.0, 1.0)
    assert buf.rejected == 2
    for k in range(100):
        buf.push(1.0 + 0.01 * k, 0.0, 0.0, 0.0, 1.0)
    assert len(buf) == 51 and buf.newest == pytest.approx(1.99)
    buf.push(1.985, *_q(0.2, 0.0, 0.0))               # out of order: put in place
    assert -math.asin(buf.tilt(1.985)[1, 2]) == pytest.approx(0.2, abs=1e-9)


def test_tilt_levels_a_pitched_base() -> None:
    # The base pitched 10 degrees nose down: a point 1 m ahead along base_link x is below
    # the level frame's horizon by sin(10 deg).
    t = tilt_from_quaternion(*_q(0.0, math.radians(10), 0.7))
    assert (t @ [1.0, 0.0, 0.0])[2] == pytest.approx(-math.sin(math.radians(10)))


def test_self_filter_shapes() -> None:
    f = SelfFilter((Box((1.0, 0.0, 0.5), (0.2, 0.4, 1.0), math.pi / 2),),
                   (Capsule((0.0, 0.0, 0.0), (0.0, 0.0, 1.0), 0.1),))
    x = np.array([1.15, 1.05, 0.0, 0.05, 0.0, 3.0], dtype=np.float32)
    y = np.array([0.0, 0.0, 0.0, 0.05, 0.0, 0.0], dtype=np.float32)
    z = np.array([0.5, 0.5, 1.05, 0.5, 1.2, 0.5], dtype=np.float32)
    # The box is rotated 90 degrees: 0.4 m along x, 0.2 m along y.
    np.testing.assert_array_equal(f.inside(x, y, z), [0, 1, 2, 3])
    assert not SelfFilter() and SelfFilter().inside(x, y, z).size == 0
    assert boxes_from_numbers((0, 0, 0, 0, 0, 0, 0)) == ()
    assert capsules_from_numbers((0, 0, 0, 1, 1, 1, 0.0)) == ()
    with pytest.raises(BodyShapeError, match="whole boxes"):
        boxes_from_numbers((1.0, 2.0))
    with pytest.raises(BodyShapeError, match="negative"):
        capsules_from_numbers((0, 0, 0, 1, 1, 1, -0.1))


def test_merge_takes_the_nearest_obstacle_free_over_unknown_and_forgets_stale_sources() -> None:
    m = SectorMerger(4, [0.5, 1.0])
    nan, inf = np.nan, np.inf
    m.update(0, np.array([2.0, inf, nan, nan], dtype=np.float32), now=0.0)
    m.update(1, np.array([1.0, 3.0, inf, nan], dtype=np.float32), now=0.0)
    np.testing.assert_array_equal(m.merged(0.1), [1.0, 3.0, inf, nan])
    np.testing.assert_array_equal(m.merged(0.7), [1.0, 3.0, inf, nan])   # 0 stale: 1 rules
    m.update(1, None, now=0.8)   # 1's message refused: it is forgotten at once
    np.testing.assert_array_equal(m.merged(0.8), [nan, nan, nan, nan])
    assert m.fresh(0.8) == [False, False]


def test_merge_accumulates_a_sliced_sweep_over_its_window_only() -> None:
    nan, inf = np.nan, np.inf
    m = SectorMerger(4, [0.5, 0.5], accumulate_s=[0.15, 0.0])
    # Slices of one turn, each seeing its own part: together they are the whole view.
    m.update(0, np.array([2.0, nan, nan, nan], dtype=np.float32), now=0.00)
    m.update(0, np.array([nan, inf, nan, nan], dtype=np.float32), now=0.05)
    m.update(0, np.array([nan, nan, 1.5, inf], dtype=np.float32), now=0.10)
    np.testing.assert_array_equal(m.merged(0.10), [2.0, inf, 1.5, inf])
    # The next turn sees sector 0 nearer and sector 2 free: the nearer obstacle wins while
    # the older slice is in the window, and what left the window is gone.
    m.update(0, np.array([1.0, nan, inf, nan], dtype=np.float32), now=0.16)
    np.testing.assert_array_equal(m.merged(0.16), [1.0, inf, 1.5, inf])
    m.update(0, np.array([nan, 3.0, nan, nan], dtype=np.float32), now=0.26)
    np.testing.assert_array_equal(m.merged(0.26), [1.0, 3.0, inf, nan])
    # A source without a window is still replaced by each message.
    m.update(1, np.array([0.5, nan, nan, nan], dtype=np.float32), now=0.26)
    m.update(1, np.array([nan, nan, nan, nan], dtype=np.float32), now=0.27)
    np.testing.assert_array_equal(m.merged(0.27), [1.0, 3.0, inf, nan])
    # A refused message forgets the accumulated view too.
    m.update(0, None, now=0.3)
    m.update(0, np.array([nan, nan, nan, 4.0], dtype=np.float32), now=0.31)
    np.testing.assert_array_equal(m.merged(0.31), [nan, nan, nan, 4.0])
    with pytest.raises(ValueError, match="one finite value"):
        SectorMerger(4, [0.5], accumulate_s=[-1.0])


def test_merge_keeps_a_bounded_number_of_slices() -> None:
    m = SectorMerger(2, [1.0], accumulate_s=[0.9])
    m.update(0, np.array([0.5, np.nan], dtype=np.float32), now=0.0)
    for k in range(1, MAX_ACCUMULATED + 1):   # a flood inside the window pushes it out
        m.update(0, np.array([np.nan, 2.0], dtype=np.float32), now=k * 1e-3)
    np.testing.assert_array_equal(m.merged(0.1), [np.nan, 2.0])


def test_projection_band_keeps_the_floor_out_and_obstacles_in() -> None:
    p = Projector(16, Mount((0.0, 0.0, 1.0)), None, 0.0, 0.1, 1.4)
    # Floor (z = -1 in a sensor 1 m up), a table top at 0.75 m, something above the band.
    x = np.array([3.0, 2.0, 1.5], dtype=np.float32)
    y = np.zeros(3, dtype=np.float32)
    z = np.array([-1.0, -0.25, 0.6], dtype=np.float32)
    s = p.project(x, y, z).sectors
    assert s[8] == pytest.approx(2.0) and np.isnan(s[0])
    floor_only = p.project(x[:1], y[:1], z[:1]).sectors
    assert np.isposinf(floor_only[8]) and np.isnan(floor_only[:8]).all()


def test_parameters_one_declaration_each_with_prefixed_groups() -> None:
    names = [s.name for s in specs(SourceConfig, "head.")]
    assert names[:3] == ["head.type", "head.topic", "head.frame"]
    cfg = load(SourceConfig, {"head.type": "cloud", "head.mount_xyz": [0.0, 0.0, 1.2],
                              "head.mount_rpy": [3.14159, 0, 0]}, "head.", name="head")
    assert cfg.type == "cloud" and cfg.mount.xyz == (0.0, 0.0, 1.2) and cfg.name == "head"
    assert cfg.resolved_topic == "head"
    with pytest.raises(SourceConfigError, match="3 numbers"):
        load(SourceConfig, {"x.mount_xyz": [1.0, 2.0]}, "x.", name="x")
    with pytest.raises(SourceConfigError, match="accumulate_s 0.5 s must be below timeout_s"):
        load(SourceConfig, {"x.accumulate_s": 0.5, "x.timeout_s": 0.5}, "x.", name="x")
    assert load(SourcesConfig, defaults(SourcesConfig)) == SourcesConfig()
    with pytest.raises(SourceConfigError, match="whole capsules"):
        SourcesConfig(self_capsules=(1.0,))


def test_monitor_counts_refusals_by_kind_and_warns() -> None:
    mon = SourcesMonitor(["head", "knee"], [0.5, 0.5])
    ok = SourceResult(SourceOutcome.OK, np.zeros(16, np.float32), stride=3, process_s=0.001)
    bad = SourceResult(SourceOutcome.DROPPED, None, Refusal.STAMP, "stamp 5 s old")
    mon.on_result(0, ok, 1.0)
    mon.on_result(1, ok, 1.0)
    r = mon.report(1.1)
    assert r.level is Level.OK and r.values["head_decimated_clouds"] == 1
    mon.on_result(0, bad, 1.2)
    r = mon.report(1.3)
    assert r.level is Level.WARN and "stamp 5 s old" in r.message
    assert r.values["head_refused_stamp"] == 1 and r.values["knee_refused_stamp"] == 0
    r = mon.report(2.0)
    assert r.level is Level.WARN and "head, knee" in r.message   # both silent by now
