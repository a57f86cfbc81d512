"""Sensor mounts from /tf_static (robot_brain.core.perception.cloud.static_tf): the chain from
base_link to a sensor frame composed through intermediate frames, a source that refuses its
messages until its mount arrives, a mount below the floor refused, bad transforms counted."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.perception.cloud.config import (
    SourceConfig,
    SourceConfigError,
    SourcesConfig,
    check_source,
)
from robot_brain.core.perception.cloud.mount import Mount
from robot_brain.core.perception.cloud.sources import CloudSource, Refusal, SourceOutcome
from robot_brain.core.perception.cloud.static_tf import (
    StaticTransform,
    StaticTree,
    TfStaticMounts,
)
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.robot_model.frames import quaternion_from_rpy, rotation_from_rpy
from test.unit import cloud_fixtures as fx

N = 16
SHARED = SourcesConfig()
HEAD = SourceConfig(type="cloud", name="head", frame="livox_frame", mount_from="tf_static")


def _tf(parent: str, child: str, xyz: tuple[float, float, float],
        rpy: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> StaticTransform:
    w, x, y, z = quaternion_from_rpy(*rpy)
    return StaticTransform(parent, child, xyz, (x, y, z, w))


def _apply(xyz: tuple[float, float, float], rpy: tuple[float, float, float],
           p: np.ndarray) -> np.ndarray:
    out: np.ndarray = rotation_from_rpy(*rpy) @ p + np.array(xyz)
    return out


#: A URDF-like chain to the Livox on the head, upside down: base_link -> torso_link (a pitch
#: and a yaw in it) -> head_link -> livox_frame.
CHAIN = (("base_link", "torso_link", (0.02, 0.0, 0.66), (0.0, 0.1, 0.3)),
         ("torso_link", "head_link", (0.0, 0.01, 0.45), (0.0, -0.1, -0.3)),
         ("head_link", "livox_frame", (0.01, 0.0, 0.08), (math.pi, 0.0, 0.0)))


def test_a_chain_through_intermediate_frames_is_composed() -> None:
    tree = StaticTree()
    for parent, child, xyz, rpy in CHAIN:
        assert tree.add(_tf(parent, child, xyz, rpy)) is None
    mount, path = tree.chain("base_link", "livox_frame")
    assert mount is not None, path
    assert path == "base_link -> torso_link -> head_link -> livox_frame"
    # A point in the sensor frame, through each link in turn, lands where the mount puts it.
    rng = np.random.default_rng(2)
    for p in rng.uniform(-5.0, 5.0, (20, 3)):
        q = p
        for _parent, _child, xyz, rpy in reversed(CHAIN):
            q = _apply(xyz, rpy, q)
        np.testing.assert_allclose(mount.rotation() @ p + mount.translation(), q, atol=1e-9)
    # ... and the sensor sits upside down 1.2 m up, as the description's head lidar.
    assert mount.xyz[2] == pytest.approx(1.19, abs=0.01)
    assert abs(mount.rpy[0]) == pytest.approx(math.pi, abs=0.05)


def test_the_chain_waits_for_every_link_and_names_what_is_missing() -> None:
    tree = StaticTree()
    tree.add(_tf(*CHAIN[2][:3], CHAIN[2][3]))
    mount, why = tree.chain("base_link", "livox_frame")
    assert mount is None and "no static transform to 'head_link'" in why
    mount, why = tree.chain("base_link", "camera_link")
    assert mount is None and why == "no static transform to 'camera_link'"
    # The base itself: identity.
    mount, _ = tree.chain("base_link", "base_link")
    assert mount == Mount()


def test_leading_slashes_loops_and_bad_transforms() -> None:
    tree = StaticTree()
    assert tree.add(_tf("/base_link", "/laser", (0.1, 0.0, 0.3))) is None
    mount, _ = tree.chain("base_link", "laser")
    assert mount is not None and mount.xyz == pytest.approx((0.1, 0.0, 0.3))
    assert "its own parent" in (tree.add(_tf("a", "a", (0.0, 0.0, 0.0))) or "")
    assert "empty frame" in (tree.add(_tf("", "x", (0.0, 0.0, 0.0))) or "")
    assert "not finite" in (tree.add(_tf("base_link", "x", (math.nan, 0.0, 0.0))) or "")
    assert "zero quaternion" in (tree.add(StaticTransform("base_link", "x", (0.0, 0.0, 0.0),
                                                          (0.0, 0.0, 0.0, 0.0))) or "")
    tree.add(_tf("b", "c", (0.0, 0.0, 0.0)))
    tree.add(_tf("c", "b", (0.0, 0.0, 0.0)))
    mount, why = tree.chain("base_link", "b")
    assert mount is None and "loop" in why


def test_mounts_change_only_when_the_chain_does_and_a_floor_mount_is_refused() -> None:
    mounts = TfStaticMounts([(0, HEAD)], SHARED)
    assert mounts.update([_tf(*CHAIN[1][:3], CHAIN[1][3])]) == []   # still waiting
    assert mounts.mount(0) is None and mounts.waiting() == ["head (base_link -> livox_frame)"]
    # A static broadcaster's latched set, a bad transform in it: the rest is used.
    bad = StaticTransform("base_link", "imu_link", (0.0, 0.0, math.inf), (0.0, 0.0, 0.0, 1.0))
    changes = mounts.update([_tf(*c[:3], c[3]) for c in CHAIN] + [bad])
    assert [c.source for c in changes] == [0] and changes[0].mount is not None
    assert mounts.refused == 1 and "not finite" in mounts.last_refusal
    assert mounts.transforms == 4 and mounts.waiting() == []
    # The same set again (another late reader's copy, a re-publication): no change.
    assert mounts.update([_tf(*c[:3], c[3]) for c in CHAIN]) == []
    # A chain that puts the sensor under the floor: no mount, with the reason.
    changes = mounts.update([_tf("base_link", "torso_link", (0.0, 0.0, -1.5))])
    assert len(changes) == 1 and changes[0].mount is None
    assert "below the floor" in changes[0].detail and "/tf_static base_link ->" in \
        changes[0].detail
    assert mounts.mount(0) is None
    # Corrected: mounted again.
    changes = mounts.update([_tf(*CHAIN[0][:3], CHAIN[0][3])])
    assert len(changes) == 1 and changes[0].mount is not None


def test_a_horizontal_scan_outside_the_band_is_refused_from_tf_static_too() -> None:
    knee = SourceConfig(type="scan", name="knee", frame="laser", mount_from="tf_static")
    mounts = TfStaticMounts([(3, knee)], SHARED)
    (change,) = mounts.update([_tf("base_link", "laser", (0.0, 0.0, 0.02))])
    assert change.source == 3 and change.mount is None and "height band" in change.detail


def test_tf_static_needs_the_frame_and_skips_the_start_check() -> None:
    with pytest.raises(SourceConfigError, match="needs `head.frame`"):
        SourceConfig(type="cloud", name="head", mount_from="tf_static")
    # The parameters' (default) mount is not what such a source uses: not checked at start,
    # even where it would be refused.
    check_source(SourceConfig(type="scan", name="s", frame="laser", mount_from="tf_static",
                              mount_xyz=(0.0, 0.0, -1.0)), SHARED)


def _ahead() -> np.ndarray:
    """A wall 2 m ahead of base_link, 0.3 - 1.0 m high, in the upside-down head lidar's
    frame at 1.2 m (x forward, y right, z down)."""
    rng = np.random.default_rng(0)
    h, y = rng.uniform(0.3, 1.0, 2000), rng.uniform(-0.3, 0.3, 2000)
    return np.stack([np.full(2000, 2.0), -y, 1.2 - h], axis=1).astype(np.float32)


class Level:
    def tilt(self, t: float) -> np.ndarray:
        return np.eye(3)


def test_a_cloud_is_refused_until_its_mount_arrives_then_placed_as_with_parameters() -> None:
    body = SHARED.body()
    source = CloudSource(HEAD, SHARED, N, body)
    cloud = fx.livox(_ahead())
    r = source.process(cloud, "livox_frame", 5.0, 5.0, Level())
    assert r.outcome is SourceOutcome.DROPPED and r.kind == Refusal.MOUNT
    assert "waiting for base_link -> livox_frame on /tf_static" in r.reason
    p = HUMANOID.head_lidar.pose
    mounts = TfStaticMounts([(0, HEAD)], SHARED)
    (change,) = mounts.update([_tf("base_link", "livox_frame", (p.x, p.y, p.z),
                                   (p.roll, p.pitch, p.yaw))])
    source.set_mount(change.mount, change.detail)
    r = source.process(cloud, "livox_frame", 5.0, 5.0, Level())
    assert r.outcome is SourceOutcome.OK and r.sectors is not None
    by_params = CloudSource(SourceConfig(type="cloud", name="head", frame="livox_frame",
                                         mount_xyz=(p.x, p.y, p.z),
                                         mount_rpy=(p.roll, p.pitch, p.yaw)), SHARED, N, body)
    expected = by_params.process(cloud, "livox_frame", 5.0, 5.0, Level()).sectors
    np.testing.assert_allclose(r.sectors, expected, atol=1e-5)
    assert r.sectors[7] == pytest.approx(2.0, abs=0.01) and r.sectors[8] == pytest.approx(
        2.0, abs=0.01)
    # Refused again (a later transform below the floor): no guessing with the old mount.
    source.set_mount(None, "the sensor would sit 0.30 m below the floor")
    r = source.process(cloud, "livox_frame", 5.0, 5.0, Level())
    assert r.outcome is SourceOutcome.DROPPED and "below the floor" in r.reason
