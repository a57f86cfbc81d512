"""The robot description and what is generated from it: URDF, MJCF, the perception sources of
config/mujoco.yaml; and the default path's independence from mujoco."""

from __future__ import annotations

import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml

from robot_brain.core.perception.cloud.config import SourcesConfig
from robot_brain.core.robot_model import HUMANOID, BodyPart, ShapeKind
from robot_brain.core.robot_model.frames import (
    quaternion_from_rpy,
    rotation_from_rpy,
    rpy_from_quaternion,
)
from robot_brain.core.robot_model.mjcf import robot_body
from robot_brain.core.robot_model.perception import (
    SELF_FILTER_MARGIN,
    self_filter_boxes,
    self_filter_capsules,
    source_mount,
)
from robot_brain.core.robot_model.urdf import urdf
from robot_brain.core.sim.simulator import SimConfig

ROOT = Path(__file__).resolve().parents[2]
BRAIN_YAML = ROOT / "config" / "brain.yaml"
MUJOCO_YAML = ROOT / "config" / "mujoco.yaml"


def test_the_humanoid_is_a_1_3_m_35_kg_body_inside_the_brains_footprint() -> None:
    assert HUMANOID.height == pytest.approx(1.3, abs=0.05)
    assert HUMANOID.mass == pytest.approx(35.0, abs=3.0)
    shared = yaml.safe_load(BRAIN_YAML.read_text())["/**"]["ros__parameters"]
    assert HUMANOID.footprint_radius < shared["robot_radius"]
    names = [p.name for p in HUMANOID.parts]
    assert len(set(names)) == len(names)
    for word in ("torso", "head", "arm", "thigh", "shin", "foot"):
        assert any(word in n for n in names), word


def test_sensor_mounts() -> None:
    head = HUMANOID.head_lidar
    assert head.frame == "livox_frame" and head.topic == "livox/lidar"
    assert head.pose.z == pytest.approx(1.2) and head.pose.roll == pytest.approx(math.pi)
    assert HUMANOID.part(HUMANOID.head_part).z_range[0] < head.pose.z \
        < HUMANOID.part(HUMANOID.head_part).z_range[1]
    knee = HUMANOID.knee_laser
    assert (knee.frame, knee.topic) == ("laser", "scan") and 0.2 < knee.pose.z < 0.5
    # The built-in sim's planar lidar is the knee laser.
    assert SimConfig().laser_height == knee.pose.z
    spec = HUMANOID.head_lidar_spec
    assert (spec.vertical_min_deg, spec.vertical_max_deg) == (-7.0, 52.0)
    assert spec.points_per_frame * spec.frame_rate_hz == pytest.approx(200_000)


@pytest.mark.parametrize("rpy", [(0.0, 0.0, 0.0), (math.pi, 0.0, 0.0), (0.3, -0.2, 1.1),
                                 (-0.05, 0.04, -3.0)])
def test_rotations_agree(rpy: tuple[float, float, float]) -> None:
    w, x, y, z = quaternion_from_rpy(*rpy)
    r = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                  [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                  [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    assert np.allclose(r, rotation_from_rpy(*rpy))
    back = rotation_from_rpy(*rpy_from_quaternion(w, x, y, z))
    assert np.allclose(back, r)


def test_urdf_has_every_part_and_sensor_frame_at_its_mount() -> None:
    root = ET.fromstring(urdf(HUMANOID))
    assert root.tag == "robot" and root.get("name") == "humanoid"
    links = {link.get("name") for link in root.findall("link")}
    assert {"base_link", "livox_frame", "laser", "imu_link"} | {p.name for p in HUMANOID.parts} \
        == links
    joints = {j.find("child").get("link"): j for j in root.findall("joint")}  # type: ignore[union-attr]
    for mount in HUMANOID.mounts:
        joint = joints[mount.frame]
        assert joint.get("type") == "fixed"
        assert joint.find("parent").get("link") == "base_link"  # type: ignore[union-attr]
        origin = joint.find("origin")
        assert origin is not None
        xyz = [float(v) for v in (origin.get("xyz") or "").split()]
        rpy = [float(v) for v in (origin.get("rpy") or "").split()]
        assert xyz + rpy == pytest.approx(list(mount.pose.as_tuple()), abs=1e-6)
    masses = [float(m.get("value") or "nan") for m in root.iter("mass")]
    assert sum(masses) == pytest.approx(HUMANOID.mass)
    # A capsule is a cylinder and two spheres (URDF has no capsule).
    shin = next(link for link in root.findall("link") if link.get("name") == "shin_left")
    assert [g[0].tag for g in shin.findall("visual/geometry")] == \
        ["cylinder", "sphere", "sphere"]


def test_mjcf_body_compiles_with_the_descriptions_mass() -> None:
    mujoco = pytest.importorskip("mujoco", reason="mujoco not installed")
    xml = f"<mujoco><worldbody>{robot_body(HUMANOID, 1.0, 2.0, 0.5)}</worldbody></mujoco>"
    m = mujoco.MjModel.from_xml_string(xml)
    assert m.body_subtreemass[1] == pytest.approx(HUMANOID.mass)
    assert {m.site(i).name for i in range(m.nsite)} == {"livox_frame", "laser", "imu_link"}
    d = mujoco.MjData(m)
    mujoco.mj_forward(m, d)
    site = m.site("livox_frame").id
    assert d.site_xpos[site] == pytest.approx([1.0, 2.0, 1.2])
    # Upside down: the lidar's z axis points at the floor.
    assert d.site_xmat[site].reshape(3, 3)[:, 2] == pytest.approx([0.0, 0.0, -1.0], abs=1e-9)


def _perception(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text())
    block = data.get("/**/perception", {}).get("ros__parameters", {})
    assert isinstance(block, dict)
    return block


def test_mujoco_config_gives_perception_the_descriptions_mounts_and_body() -> None:
    params = _perception(MUJOCO_YAML)
    assert params["sources"] == ["head", "knee"]
    for name, mount, kind in (("head", HUMANOID.head_lidar, "cloud"),
                              ("knee", HUMANOID.knee_laser, "scan")):
        source = params[name]
        assert isinstance(source, dict) and source["type"] == kind
        expected = source_mount(mount)
        for key in ("topic", "frame"):
            assert source[key] == expected[key], f"{name}.{key}"
        for key in ("mount_xyz", "mount_rpy"):
            assert source[key] == pytest.approx(expected[key], abs=1e-6), f"{name}.{key}"
    # The body shapes are perception's defaults, which are the description's: declared once.
    for key in ("self_boxes", "self_capsules"):
        assert key not in params, f"config/mujoco.yaml repeats {key}: the default is the " \
            "robot description's (robot_model.perception)"
    shared = SourcesConfig()
    assert shared.self_boxes == self_filter_boxes(HUMANOID, SELF_FILTER_MARGIN)
    assert shared.self_capsules == self_filter_capsules(HUMANOID, SELF_FILTER_MARGIN)
    assert SELF_FILTER_MARGIN == pytest.approx(0.05)


def test_the_head_lidar_slices_the_sim_sends_are_merged_over_a_whole_frame() -> None:
    """The sim's slices (brain.yaml, mujoco_sim) and perception's accumulation window
    (mujoco.yaml, head) are set in two nodes' files: one frame of slices must fit the window,
    or a part of the turn would drop out of the head's view between two frames."""
    from robot_brain.core.perception.cloud.config import SourceConfig
    from robot_brain.core.sim.mujoco.config import HeadLidarConfig

    sim = yaml.safe_load(BRAIN_YAML.read_text())["/**/mujoco_sim"]["ros__parameters"]
    lidar = HeadLidarConfig()
    rate = float(sim.get("head_lidar_rate_hz", lidar.rate_hz))
    slices = int(sim.get("head_lidar_slices_per_frame", lidar.slices_per_frame))
    head = _perception(MUJOCO_YAML)["head"]
    assert isinstance(head, dict)
    window = float(head.get("accumulate_s", SourceConfig().accumulate_s))
    if slices > 1:
        assert window >= 1.2 / rate, (slices, rate, window)
        assert window < float(head.get("timeout_s", SourceConfig().timeout_s))
    else:
        assert window == 0.0


def test_self_filter_shapes_cover_the_listed_parts() -> None:
    boxes = self_filter_boxes(HUMANOID, 0.0)
    capsules = self_filter_capsules(HUMANOID, 0.0)
    listed = [HUMANOID.part(n) for n in HUMANOID.self_filter_parts]
    assert len(set(HUMANOID.self_filter_parts)) == len(listed) >= 5
    kinds = [p.kind for p in listed]
    assert len(boxes) == 7 * sum(k in (ShapeKind.BOX, ShapeKind.SPHERE) for k in kinds)
    assert len(capsules) == 7 * sum(k in (ShapeKind.CAPSULE, ShapeKind.CYLINDER) for k in kinds)
    body = SourcesConfig().body()
    # Every listed part's own surface points are inside the filter (with no margin to spare).
    for part in listed:
        pts = _surface(part)
        inside = body.inside(pts[:, 0], pts[:, 1], pts[:, 2])
        assert inside.size == len(pts), f"{part.name}: {len(pts) - inside.size} points outside"


def _surface(part: BodyPart, n: int = 400) -> np.ndarray:
    """Points on the part's surface (a capsule or cylinder: its radius around points of its
    vertical axis, the caps included)."""
    rng = np.random.default_rng(3)
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    if part.kind is ShapeKind.BOX:
        d /= np.max(np.abs(d) / np.array(part.half_extents), axis=1, keepdims=True)
    elif part.kind is ShapeKind.SPHERE:
        d *= part.size[0]
    else:
        r, half = part.size[0], part.size[1] / 2.0
        d *= r
        d[:, 2] += rng.uniform(-half, half, n)
    return d + np.array(part.center)


def test_parts_left_out_of_the_self_filter_are_outside_every_sensors_view() -> None:
    """The head lidar's view (-7 .. 52 degrees in its upside-down frame) misses every part the
    self-filter leaves out; they all lie below the head's view cone or are the legs, which the
    knee laser's mount keeps out of its plane (description.py)."""
    lidar = HUMANOID.head_lidar
    p = lidar.pose
    rot = rotation_from_rpy(p.roll, p.pitch, p.yaw)
    spec = HUMANOID.head_lidar_spec
    left_out = [part for part in HUMANOID.parts if part.name not in HUMANOID.self_filter_parts]
    assert {"pelvis", "thigh_left", "shin_right", "foot_left"} <= {q.name for q in left_out}
    for part in left_out:
        pts = _surface(part)
        local = (pts - np.array([p.x, p.y, p.z])) @ rot   # into the sensor frame
        elevation = np.degrees(np.arcsin(local[:, 2] / np.linalg.norm(local, axis=1)))
        seen = (elevation >= spec.vertical_min_deg) & (elevation <= spec.vertical_max_deg)
        assert not seen.any(), f"the head lidar sees {part.name} (max elevation " \
            f"{elevation.max():.1f} deg): add it to self_filter_parts"
    # ... and those parts the filter keeps out stay clear of the knee laser's plane, so the
    # centred 2D scan keeps its sector model (ScanSource.model_capable).
    low, _ = SourcesConfig().body().z_range()
    assert low > HUMANOID.knee_laser.pose.z


def test_the_shipped_knee_scan_source_sits_where_the_knee_laser_is() -> None:
    """brain.yaml's default 2-D source (when perception has sources) is the built-in sim's
    laser, which is the description's knee laser."""
    scan = _perception(BRAIN_YAML).get("scan")
    if not isinstance(scan, dict) or "mount_xyz" not in scan:
        pytest.skip("perception has no mount parameters in this tree yet")
    assert scan["mount_xyz"] == pytest.approx(source_mount(HUMANOID.knee_laser)["mount_xyz"])


def test_the_default_path_never_imports_mujoco() -> None:
    code = (
        "import sys\n"
        "import robot_brain.nodes.sim_node, robot_brain.cli.demo, robot_brain.cli.main\n"
        "import robot_brain.nodes.mujoco_sim_node, robot_brain.core.sim.mujoco.config\n"
        "import robot_brain.core.sim.mujoco.scene\n"
        "from robot_brain.cli.param_docs import render\n"
        "render()\n"
        "assert 'mujoco' not in sys.modules, sorted(m for m in sys.modules if 'mujoco' in m)\n"
        "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
