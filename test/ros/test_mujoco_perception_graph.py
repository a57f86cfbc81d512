"""mujoco_sim and perception on a real graph with config/mujoco.yaml (what `--sim mujoco`
starts): an overhang that the knee laser passes under shows up in the sector ahead, from the
head cloud, and the floor does not."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import LaserScan

from robot_brain.core.config.sim_choice import sim_choice
from robot_brain.core.perception.sectors import sector_centres
from robot_brain.ros import qos
from test.ros.graph import CONFIG, ROOT, Graph

pytestmark = pytest.mark.ros
pytest.importorskip("mujoco", reason="mujoco (requirements/python.txt) not installed")

N = 16
WAIT_S = 60.0
SHELF_X = 1.2  # the shelf's near edge, m ahead of base_link


def test_the_head_cloud_shows_an_overhang_the_knee_laser_misses(tmp_path: Path) -> None:
    world = tmp_path / "shelf.yaml"
    world.write_text(yaml.safe_dump({
        "name": "shelf", "bounds": {"x_min": -6, "x_max": 6, "y_min": -6, "y_max": 6},
        "boxes": [{"name": "shelf", "center": [SHELF_X + 0.3, 0.0], "size": [0.6, 2.0],
                   "z_min": 1.0, "z_max": 1.04}],
        "start": {"x": 0.0, "y": 0.0, "yaw": 0.0}}))
    overlay = ROOT / "config" / sim_choice("mujoco").params_overlay
    params = [CONFIG, overlay]
    with Graph(tmp_path) as g:
        assert g.probe is not None
        probe = g.probe
        probe.subscribe(LaserScan, "perception/obstacles", qos.SENSOR)
        probe.subscribe(LaserScan, "scan", qos.SENSOR)
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        g.start("mujoco_sim", name="mujoco_sim", params_files=params,
                parameters={"world_file": str(world), "rt_priority": 0})
        g.start("perception", name="perception", params_files=params,
                parameters={"world_file": str(world), "rt_priority": 0})
        probe.wait_for(lambda: len(probe.messages("perception/obstacles")) >= 20, WAIT_S,
                       "perception/obstacles from the MuJoCo sim's sources")
        probe.wait_for(lambda: int(probe.diagnostic_values("perception: sources")
                                   .get("head_messages", "0")) > 5, WAIT_S,
                       "perception's diagnostics of its head source")
        probe.wait_for(lambda: bool(probe.messages("scan")), WAIT_S, "the knee scan")
        logs = "\n".join(text[-2000:] for _, text in g.logs())
        # The knee laser passes under the shelf: nothing ahead within its range.
        scan = probe.messages("scan")[-1].msg
        ahead = np.abs(np.asarray(scan.angle_min + scan.angle_increment
                                  * np.arange(len(scan.ranges)))) < math.radians(10)
        assert np.all(np.isinf(np.asarray(scan.ranges)[ahead])), logs
        # Perception, fed the head cloud too, sees it straight ahead (in most messages: one
        # whose cloud a loaded machine delivered too late to level is left out, by design).
        front = int(np.argmin(np.abs(sector_centres(N))))
        back = int(np.argmin(np.abs(np.abs(sector_centres(N)) - math.pi)))

        def recent() -> np.ndarray:
            return np.array([r.msg.ranges for r in probe.messages("perception/obstacles")[-10:]])

        probe.wait_for(lambda: np.sum((recent()[:, front] > SHELF_X - 0.1)
                                      & (recent()[:, front] < SHELF_X + 0.6)) >= 6, WAIT_S,
                       "the shelf ahead in perception/obstacles")
        sectors = recent()
        # The floor all round is no obstacle: behind the robot, free (or at worst unknown).
        assert not np.any(np.isfinite(sectors[:, back])), sectors[:, back]
        values = probe.diagnostic_values("perception: sources")
        refused = {k: int(v) for k, v in values.items() if "_refused_" in k and v != "0"}
        # At start (no odometry yet) or late on a loaded machine: no attitude to level with.
        assert set(refused) <= {"head_refused_attitude", "knee_refused_attitude",
                                "head_refused_stamp", "knee_refused_stamp"}, (refused, logs)
        assert sum(refused.values()) <= 0.25 * int(values["head_messages"]), (refused, values)
