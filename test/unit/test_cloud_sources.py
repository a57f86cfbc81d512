"""A head lidar, a RealSense and an off-centre 2D laser through the whole core: torso-height
obstacles appear in the sectors, the floor and the robot's own arms do not; bad input is
refused with its kind; the centred default scan still runs the sector model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.perception.backend import NumpySectorBackend
from robot_brain.core.perception.cloud.attitude import AttitudeBuffer
from robot_brain.core.perception.cloud.config import (
    SourceConfig,
    SourceConfigError,
    SourcesConfig,
    check_source,
)
from robot_brain.core.perception.cloud.mount import rpy_from_rotation
from robot_brain.core.perception.cloud.pointcloud import RawCloud
from robot_brain.core.perception.cloud.sources import (
    CloudSource,
    Refusal,
    ScanSource,
    SourceOutcome,
)
from robot_brain.core.perception.pipeline import ScanProcessor
from robot_brain.core.perception.sectors import sector_centres, sector_minima
from robot_brain.core.robot_model.frames import rotation_from_rpy
from test.unit import cloud_fixtures as fx
from test.unit.lidar_scene import MID360, Scene, frame_points

N = 16
SHARED = SourcesConfig()
BODY = SHARED.body()
HEAD = SourceConfig(type="cloud", frame="livox_frame", mount_xyz=(0.0, 0.0, 1.2),
                    mount_rpy=(math.pi, 0.0, 0.0), range_max=10.0, name="head")
#: The apartment's torso-height furniture: a table top at 0.75 m on thin legs ahead (sectors
#: 7 and 8), a shelf overhang 1.0 - 1.4 m to the left (sectors 11 and 12).
TABLE = (((1.0, -0.4, 0.72), (1.8, 0.4, 0.75)),
         ((1.0, -0.4, 0.0), (1.03, -0.37, 0.72)), ((1.0, 0.37, 0.0), (1.03, 0.4, 0.72)),
         ((1.77, -0.4, 0.0), (1.8, -0.37, 0.72)), ((1.77, 0.37, 0.0), (1.8, 0.4, 0.72)))
OVERHANG = (((-0.4, 1.2, 1.0), (0.4, 2.0, 1.4)),)
TORSO = (((-0.1, -0.17, 0.6), (0.1, 0.17, 1.08)),)


def _arms() -> tuple:
    """The robot's arms as the lidar sees them: spheres along shoulder -> hand."""
    out = []
    for side in (1.0, -1.0):
        a, b = np.array([0.0, 0.22 * side, 1.03]), np.array([0.06, 0.24 * side, 0.62])
        out += [(tuple(a + (b - a) * k / 8.0), 0.05) for k in range(9)]
    return tuple(out)


ROOM = Scene(boxes=TABLE + OVERHANG + TORSO, spheres=_arms())


class Level:
    def tilt(self, t: float) -> np.ndarray:
        return np.eye(3)


def _head_cloud(scene: Scene, seed: int = 0) -> RawCloud:
    pts = frame_points(scene, MID360(seed=seed), np.array(HEAD.mount_xyz), HEAD.mount_rpy,
                       lambda t: np.eye(3), 0.0, 0.1)
    return fx.livox(pts)


def test_head_lidar_sees_table_and_overhang_not_floor_or_arms() -> None:
    source = CloudSource(HEAD, SHARED, N, BODY)
    r = source.process(_head_cloud(ROOM), "livox_frame", 10.0, 10.05, Level())
    assert r.outcome is SourceOutcome.OK, r.reason
    s = r.sectors
    assert s is not None
    assert s[7] == pytest.approx(1.0, abs=0.05) and s[8] == pytest.approx(1.0, abs=0.05), s
    assert s[11] == pytest.approx(1.2, abs=0.08) and s[12] == pytest.approx(1.2, abs=0.08), s
    others = [i for i in range(N) if i not in (7, 8, 11, 12)]
    assert np.all(np.isposinf(s[others])), s       # the floor everywhere else: free
    assert r.self_filtered > 100                   # the arms and torso were seen, and removed


def test_without_the_self_filter_the_arms_block_the_robot() -> None:
    source = CloudSource(SourceConfig(**{**_fields(HEAD), "self_filter": False}), SHARED, N,
                         BODY)
    s = source.process(_head_cloud(ROOM), "livox_frame", 10.0, 10.05, Level()).sectors
    assert s is not None
    sides = [sector for sector in (3, 4, 11, 12) if s[sector] < 0.35]
    assert sides, s


def test_an_empty_room_is_free_all_round_and_a_knee_height_scan_misses_the_furniture() -> None:
    source = CloudSource(HEAD, SHARED, N, BODY)
    s = source.process(_head_cloud(Scene(boxes=TORSO, spheres=_arms())), "livox_frame", 1.0,
                       1.0, Level()).sectors
    assert s is not None and np.all(np.isposinf(s)), s
    # The 2D laser at 0.3 m through the same room: only the table's thin legs, if anything.
    ranges, angle_min, inc = _scan_of(ROOM, (0.0, 0.0, 0.3), 0.0, 720)
    scan = ScanSource(SourceConfig(name="knee", mount_xyz=(0.0, 0.0, 0.3)), SHARED, N, BODY,
                      ScanProcessor(NumpySectorBackend(N), 8192))
    k = scan.process(ranges, angle_min, inc, 0.1, 8.0, 0.0, "laser", 1.0, 1.0, Level()).sectors
    assert k is not None and np.isposinf(k[11]) and np.isposinf(k[12]), k  # overhang unseen
    assert not (k[7] == pytest.approx(1.0, abs=0.05) and k[8] == pytest.approx(1.0, abs=0.05))


def _fields(cfg: SourceConfig) -> dict:
    import dataclasses
    return {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)}


def _scan_of(scene: Scene, xyz: tuple, yaw: float, beams: int
             ) -> tuple[np.ndarray, float, float]:
    """A horizontal LaserScan from a laser at xyz with heading yaw (no floor: horizontal)."""
    angle_min, inc = -math.pi, 2 * math.pi / beams
    a = angle_min + np.arange(beams) * inc + yaw
    dirs = np.stack([np.cos(a), np.sin(a), np.zeros(beams)], axis=1)
    flat = Scene(boxes=scene.boxes, spheres=scene.spheres, floor=False, max_range=8.0)
    return flat.cast(np.array(xyz), dirs).astype(np.float32), angle_min, inc


def test_off_centre_yawed_laser_lands_in_base_link_sectors() -> None:
    box = Scene(boxes=(((2.0, -0.2, 0.0), (2.4, 0.2, 1.0)),))   # ahead of base_link: 7/8
    mount = (0.3, 0.2, 0.3)
    ranges, angle_min, inc = _scan_of(box, mount, math.pi / 2, 1440)
    cfg = SourceConfig(name="side", mount_xyz=mount, mount_rpy=(0.0, 0.0, math.pi / 2))
    src = ScanSource(cfg, SHARED, N, BODY, ScanProcessor(NumpySectorBackend(N), 8192))
    assert not src.model_capable
    r = src.process(ranges, angle_min, inc, 0.1, 8.0, 0.0, "laser", 1.0, 1.0, Level())
    s = r.sectors
    assert s is not None and not r.model
    # Nearest point of the box from base_link's origin: (2.0, 0.0) -> 2.0 m in sectors 7, 8.
    assert s[7] == pytest.approx(2.0, abs=0.03) and s[8] == pytest.approx(2.0, abs=0.03), s
    assert np.all(np.isposinf(np.delete(s, [7, 8]))), s
    # Ignoring the mount would put it 90 degrees off, at the laser's range, not base_link's.
    naive = sector_minima(ranges, angle_min, inc, 0.1, 8.0, N)
    assert np.isposinf(naive[7]) and np.nanmin(naive) < 1.9


def test_centred_default_scan_runs_the_sector_model_and_matches_it() -> None:
    rng = np.random.default_rng(1)
    ranges = rng.uniform(0.05, 9.0, 1080).astype(np.float32)
    ranges[::17] = np.inf
    ranges[::23] = np.nan
    ranges[5] = -np.inf
    cfg = SourceConfig(name="scan")
    src = ScanSource(cfg, SHARED, N, BODY, ScanProcessor(NumpySectorBackend(N), 8192))
    assert src.model_capable
    angle_min, inc = -math.pi, 2 * math.pi / 1080
    r = src.process(ranges, angle_min, inc, 0.1, 8.0, 0.0, "laser", 5.0, 5.0, Level())
    assert r.model
    np.testing.assert_array_equal(r.sectors, sector_minima(ranges, angle_min, inc, 0.1, 8.0,
                                                            N))
    # The point path gives the same sectors for the same scan (away from sector edges).
    tilted = ScanSource(SourceConfig(name="scan", mount_xyz=(1e-6, 0.0, 0.3)), SHARED, N,
                        BODY, ScanProcessor(NumpySectorBackend(N), 8192))
    p = tilted.process(ranges, angle_min, inc, 0.1, 8.0, 0.0, "laser", 5.0, 5.0, Level())
    assert not p.model
    np.testing.assert_allclose(p.sectors, r.sectors, atol=1e-4)


def test_realsense_in_its_optical_frame() -> None:
    # camera_link at 1.0 m pitched 30 deg down; the optical frame is z forward, x right,
    # y down: rpy (-pi/2, 0, -pi/2) from camera_link.
    r_link = rotation_from_rpy(0.0, math.radians(30.0), 0.0)
    r_opt = rotation_from_rpy(-math.pi / 2, 0.0, -math.pi / 2)
    rpy = rpy_from_rotation(r_link @ r_opt)
    mount = (0.1, 0.0, 1.0)
    h, w = 120, 160
    fx_ = w / 2 / math.tan(math.radians(87 / 2))
    u, v = np.meshgrid(np.arange(w) - w / 2 + 0.5, np.arange(h) - h / 2 + 0.5)
    dirs = np.stack([u / fx_, v / fx_, np.ones_like(u)], axis=-1).reshape(-1, 3)
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    scene = Scene(boxes=(((1.2, -0.3, 0.0), (1.5, 0.3, 0.5)),), max_range=6.0)
    rot = rotation_from_rpy(*rpy)
    dist = scene.cast(np.array(mount), dirs @ rot.T)
    xyz = (dirs * dist[:, None]).reshape(h, w, 3)
    xyz[~np.isfinite(xyz).all(-1)] = 0.0   # no depth: the driver writes zeros
    cloud = fx.realsense(xyz.astype(np.float32), rgb=True, ordered=True)
    cfg = SourceConfig(type="cloud", name="camera", mount_xyz=mount, mount_rpy=rpy,
                       frame="camera_depth_optical_frame")
    r = CloudSource(cfg, SHARED, N, BODY).process(cloud, "camera_depth_optical_frame", 2.0,
                                                    2.0, Level())
    s = r.sectors
    assert s is not None
    assert s[7] == pytest.approx(1.2, abs=0.05) and s[8] == pytest.approx(1.2, abs=0.05), s
    # Outside the camera's 87 degree view: unknown, never free.
    assert np.all(np.isnan(s[[0, 1, 2, 3, 12, 13, 14, 15]])), s
    assert r.out_of_range > 0     # the zeros of pixels without depth were dropped


@pytest.mark.parametrize(("change", "kind", "outcome"), [
    ({"frame_id": "other_frame"}, Refusal.FRAME, SourceOutcome.INVALID),
    ({"stamp": 10.0 - 5.0}, Refusal.STAMP, SourceOutcome.DROPPED),
    ({"stamp": 10.0 + 2.0}, Refusal.STAMP, SourceOutcome.DROPPED),
    ({"stamp": math.nan}, Refusal.STAMP, SourceOutcome.DROPPED),
    ({"no_attitude": True}, Refusal.ATTITUDE, SourceOutcome.DROPPED),
    ({"cloud": "no_z"}, Refusal.FORMAT, SourceOutcome.INVALID),
])
def test_bad_clouds_are_refused_with_their_kind(change: dict, kind: str,
                                                outcome: SourceOutcome) -> None:
    import dataclasses
    cloud = fx.livox(np.ones((10, 3), dtype=np.float32))
    if change.get("cloud") == "no_z":
        cloud = dataclasses.replace(cloud, fields=tuple(f for f in cloud.fields if f.name != "z"))
    attitude = AttitudeBuffer(2.0, 0.1)
    if not change.get("no_attitude"):
        for t in np.arange(8.0, 12.0, 0.02):
            attitude.push(float(t), 0.0, 0.0, 0.0, 1.0)
    r = CloudSource(HEAD, SHARED, N, BODY).process(
        cloud, change.get("frame_id", "livox_frame"), change.get("stamp", 10.0), 10.0, attitude)
    assert (r.outcome, r.kind) == (outcome, kind), r.reason
    assert (r.sectors is None) == (outcome is SourceOutcome.DROPPED)
    if r.sectors is not None:
        assert np.all(np.isnan(r.sectors))


def test_nan_and_inf_points_are_dropped_and_counted() -> None:
    xyz = np.tile(np.array([[2.0, 0.0, -0.7]], dtype=np.float32), (100, 1))  # 0.5 m high
    xyz[:10] = np.nan
    xyz[10:15, 1] = np.inf
    r = CloudSource(SourceConfig(**{**_fields(HEAD), "mount_rpy": (0.0, 0.0, 0.0)}), SHARED,
                    N, BODY).process(fx.livox(xyz), "livox_frame", 1.0, 1.0, Level())
    assert r.outcome is SourceOutcome.OK and r.invalid == 15 and r.obstacle_points == 85
    assert r.sectors is not None and r.sectors[8] == pytest.approx(2.0)


def test_a_ten_million_point_cloud_is_decimated_not_refused() -> None:
    xyz = np.zeros((10_000_000, 3), dtype=np.float32)
    xyz[:, 0] = 3.0
    r = CloudSource(SourceConfig(**{**_fields(HEAD), "mount_rpy": (0.0, 0.0, 0.0)}), SHARED,
                    N, BODY).process(fx.livox(xyz), "livox_frame", 1.0, 1.0, Level())
    assert r.outcome is SourceOutcome.OK and r.stride == 67 and r.points_in == 10_000_000
    assert r.points_used <= HEAD.max_points


def test_start_up_refuses_a_mount_below_the_floor_and_an_empty_band() -> None:
    with pytest.raises(SourceConfigError, match="0.20 m below the floor"):
        check_source(SourceConfig(name="low", mount_xyz=(0.0, 0.0, -0.2)), SHARED)
    with pytest.raises(SourceConfigError, match="min_height 1.0 m must be below max_height"):
        SourcesConfig(min_height=1.0, max_height=1.0)
    # The pointcloud_to_laserscan trap: a 2D laser at base_link height 0 with a band above
    # it would drop every point; said at start instead of silently.
    with pytest.raises(SourceConfigError, match="every point would be dropped"):
        check_source(SourceConfig(name="scan", mount_xyz=(0.0, 0.0, 0.0)), SHARED)
    check_source(SourceConfig(name="scan", mount_xyz=(0.0, 0.0, 0.0)),
                 SourcesConfig(base_height=0.3))


def test_source_names_are_checked() -> None:
    with pytest.raises(SourceConfigError, match="not a valid name"):
        SourcesConfig(sources=("head", "9lives"))
    with pytest.raises(SourceConfigError, match="twice"):
        SourcesConfig(sources=("head", "head"))
    assert sector_centres(N).size == N
