"""The perception node in a real ROS graph: sim obstacles in the right sectors, bad input
survived, wrong models refused at start."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import LaserScan
from std_msgs.msg import String

from robot_brain.core.perception.model_builder import build_sector_model
from robot_brain.core.perception.scene import validate_scene
from robot_brain.core.perception.sectors import sector_centres
from robot_brain.ros import qos
from test.ros.graph import Graph, Probe

N = 16
CENTRES = sector_centres(N)
START_YAW = 0.3
#: (sector, distance from the robot to the cylinder's centre, radius): nearest surface at d - r.
CYLINDERS = ((10, 2.0, 0.2), (2, 1.2, 0.15))


def _world(tmp_path: Path) -> Path:
    """Two cylinders centred on known sectors of the laser (which is yawed by START_YAW)."""
    cylinders = []
    for sector, dist, radius in CYLINDERS:
        a = float(CENTRES[sector]) + START_YAW
        cylinders.append({"name": f"c{sector}", "center": [dist * math.cos(a), dist * math.sin(a)],
                          "radius": radius})
    world = {"name": "perception_test", "bounds": {"x_min": -10, "x_max": 10, "y_min": -10,
                                                   "y_max": 10},
             "cylinders": cylinders,
             "places": {"goal": {"x": 0.0, "y": 3.0}, "home": {"x": 0.0, "y": 0.0}},
             "start": {"x": 0.0, "y": 0.0, "yaw": START_YAW}}
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(world))
    return path


def _logs(g: Graph) -> str:
    return "\n".join(f"--- {name}\n{text[-3000:]}" for name, text in g.logs())


def _complete(scene: dict) -> bool:
    return scene.get("robot") is not None and scene.get("unknown_fraction", 1.0) < 1.0


def test_sim_obstacles_appear_in_the_right_sectors(tmp_path: Path) -> None:
    world = _world(tmp_path)
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(LaserScan, "perception/obstacles", qos.SENSOR)
        probe.subscribe(String, "perception/scene", qos.RELIABLE)
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        g.start("sim", parameters={"world_file": str(world)})
        perception = g.start("perception", parameters={"world_file": str(world)})
        try:
            probe.wait_for(lambda: len(probe.messages("perception/obstacles")) >= 3, 60.0,
                           "three perception/obstacles messages")
            # The first scenes may predate the first odom (robot pose null) or the first scan
            # (every sector unknown): wait for one with both.
            probe.wait_for(lambda: any(_complete(json.loads(r.msg.data))
                                       for r in probe.messages("perception/scene")), 30.0,
                           "a perception/scene message with the robot pose and a scan")
        except AssertionError:
            pytest.fail(f"no output from perception\n{_logs(g)}")
        assert perception.running()

        msg = probe.messages("perception/obstacles")[-1].msg
        assert msg.header.frame_id == "base_link"   # sectors are around base_link
        assert msg.angle_min == pytest.approx(-math.pi + math.pi / N, abs=1e-6)
        assert msg.angle_increment == pytest.approx(2 * math.pi / N, abs=1e-6)
        assert msg.angle_max == pytest.approx(math.pi - math.pi / N, abs=1e-6)
        ranges = np.array(msg.ranges)
        assert ranges.shape == (N,)
        for sector, dist, radius in CYLINDERS:
            assert ranges[sector] == pytest.approx(dist - radius, abs=0.05), ranges.tolist()
        others = [i for i in range(N) if i not in {s for s, _, _ in CYLINDERS}]
        # No walls within range: everything else is free to range_max.
        assert np.all(np.isposinf(ranges[others])), ranges.tolist()

        scene = next(json.loads(r.msg.data) for r in reversed(probe.messages(
            "perception/scene")) if _complete(json.loads(r.msg.data)))
        validate_scene(scene)
        assert scene["robot"]["yaw"] == pytest.approx(START_YAW, abs=0.02)
        nearest = scene["obstacles"][0]
        assert nearest["bearing"] == pytest.approx(CENTRES[2], abs=0.01)
        assert nearest["distance"] == pytest.approx(1.05, abs=0.06)
        # The default source, the sim's centred 2D laser levelled with its odometry, still
        # runs through the sector model.
        probe.wait_for(lambda: _sources_status(probe).get("scan_sector_model_last") == "True",
                       10.0, "the scan source's sector_model_last")
        goal = next(p for p in scene["places"] if p["name"] == "goal")
        assert goal["distance"] == pytest.approx(3.0, abs=0.02)
        assert goal["bearing"] == pytest.approx(math.pi / 2 - START_YAW, abs=0.02)


def _scan(tag: str, n: int, angle_min: float = -math.pi, inc: float | None = None,
          value: float = 2.0, rmin: float = 0.1, rmax: float = 8.0) -> LaserScan:
    msg = LaserScan()
    msg.header.frame_id = tag
    msg.angle_min = angle_min
    msg.angle_increment = 2 * math.pi / max(n, 1) if inc is None else inc
    msg.angle_max = msg.angle_min + max(n - 1, 0) * msg.angle_increment
    msg.range_min = rmin
    msg.range_max = rmax
    msg.ranges = np.full(n, value, dtype=np.float32)
    return msg


def _sources_status(probe: Probe) -> dict[str, str]:
    for rec in reversed(probe.messages("/diagnostics")):
        for st in rec.msg.status:
            if st.name == "perception: sources":
                return {kv.key: kv.value for kv in st.values}
    return {}


def _perception_status(probe: Probe) -> dict[str, str] | None:
    for rec in reversed(probe.messages("/diagnostics")):
        for st in rec.msg.status:
            if st.name.startswith("perception"):
                values = {kv.key: kv.value for kv in st.values}
                values["_level"] = str(st.level[0] if isinstance(st.level, bytes) else st.level)
                values["_message"] = st.message
                return values
    return None


def _stamp_key(msg: Any) -> tuple[int, int]:
    return (msg.header.stamp.sec, msg.header.stamp.nanosec)


def _until_output(probe: Probe, pub: Any, msg: Any, timeout: float = 20.0) -> LaserScan:
    """Publish (best-effort on the node's side), stamped now each time, until an output with
    one of those stamps comes back (perception/obstacles copies the source's stamp)."""
    sent: set[tuple[int, int]] = set()

    def answered() -> list[Any]:
        return [r.msg for r in probe.messages("perception/obstacles")
                if _stamp_key(r.msg) in sent]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg.header.stamp = probe.node.get_clock().now().to_msg()
        sent.add(_stamp_key(msg))
        pub.publish(msg)
        time.sleep(0.2)
        if answered():
            return answered()[-1]
    raise AssertionError(f"no perception/obstacles output for '{msg.header.frame_id}'")


def test_bad_scans_never_crash_the_node(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(LaserScan, "perception/obstacles", qos.SENSOR)
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        pub = probe.publisher(LaserScan, "scan", qos.SENSOR_PUB)
        # Scans only, no odometry: nothing to level with.
        node = g.start("perception", parameters={"max_beams": 4096, "attitude_source": "none"})
        try:
            _until_output(probe, pub, _scan("warmup", 360), timeout=60.0)
        except AssertionError:
            pytest.fail(f"perception never answered\n{_logs(g)}")

        unknown_cases = {
            "empty": _scan("empty", 0),
            "span": _scan("span", 360, inc=0.5),           # 360 x 0.5 rad: far beyond 2 pi
            "zero_inc": _scan("zero_inc", 360, inc=0.0),
            "neg_inc": _scan("neg_inc", 360, inc=-0.01),
            "nan_inc": _scan("nan_inc", 360, inc=math.nan),
            "nan_angle": _scan("nan_angle", 360, angle_min=math.nan),
            "nan_limits": _scan("nan_limits", 360, rmin=math.nan),
        }
        for tag, scan in unknown_cases.items():
            out = _until_output(probe, pub, scan)
            assert len(out.ranges) == N and np.all(np.isnan(np.array(out.ranges))), tag

        # Negative ranges are invalid beams, ignored: unknown sectors, not a crash.
        out = _until_output(probe, pub, _scan("negative", 360, value=-1.0))
        assert np.all(np.isnan(np.array(out.ranges)))

        # Too many beams: dropped (no output), counted on diagnostics.
        huge = _scan("huge", 100_000)
        huge_stamps = set()
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            huge.header.stamp = probe.node.get_clock().now().to_msg()
            huge_stamps.add(_stamp_key(huge))
            pub.publish(huge)
            time.sleep(0.3)
            st = _perception_status(probe)
            if st is not None and int(st["dropped_scans_total"]) >= 1:
                break
        else:
            pytest.fail(f"100 000-beam scan never counted as dropped\n{_logs(g)}")
        assert not [r for r in probe.messages("perception/obstacles")
                    if _stamp_key(r.msg) in huge_stamps]
        st = _perception_status(probe)
        assert st is not None and int(st["invalid_scans_total"]) >= len(unknown_cases)

        # Still alive and correct afterwards.
        out = _until_output(probe, pub, _scan("after", 360, value=3.0))
        assert np.all(np.array(out.ranges) == pytest.approx(3.0))
        assert node.running(), _logs(g)


def _garbage(tmp_path: Path) -> Path:
    p = tmp_path / "garbage.onnx"
    p.write_bytes(b"not an onnx model at all")
    return p


def _eight(tmp_path: Path) -> Path:
    p = tmp_path / "eight.onnx"
    p.write_bytes(build_sector_model(8).SerializeToString())
    return p


@pytest.mark.parametrize(("make", "fragment"), [
    (_garbage, "cannot load"),
    (_eight, "'sectors' has size 8 on axis 0, expected 16"),
    (lambda tmp: tmp / "missing.onnx", "file not found"),
])
def test_wrong_model_is_a_clear_startup_error(tmp_path: Path, make: Any, fragment: str) -> None:
    model = make(tmp_path)
    with Graph(tmp_path) as g:
        node = g.start("perception", parameters={"model_path": str(model)})
        assert node.proc is not None
        rc = node.proc.wait(timeout=60.0)
        log = dict(g.logs())["perception"]
    assert rc == 1, log
    assert "cannot start" in log and fragment in log, log
