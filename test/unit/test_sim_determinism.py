from __future__ import annotations

import math

import numpy as np

from robot_brain.core.geometry import Velocity
from robot_brain.core.resources import default_world_path
from robot_brain.core.sim import SimConfig, Simulator
from robot_brain.core.world import load_world


def run(seed: int) -> tuple[list[tuple[float, float, float]], list[np.ndarray], int, float]:
    sim = Simulator(load_world(default_world_path()), SimConfig(), seed=seed)
    poses, scans = [], []
    for i in range(300):
        sim.step(Velocity(0.6, 0.8 * math.sin(i / 30.0)), 0.05, extra_load_w=6.0)
        if i % 10 == 0:
            scans.append(sim.scan())
            poses.append((sim.pose.x, sim.pose.y, sim.pose.yaw))
    return poses, scans, sim.collisions, sim.battery.energy_wh


def test_same_seed_same_run() -> None:
    a, b = run(3), run(3)
    assert a[0] == b[0] and a[2] == b[2] and a[3] == b[3]
    assert all(np.array_equal(x, y) for x, y in zip(a[1], b[1], strict=True))


def test_other_seed_other_noise_same_motion() -> None:
    a, c = run(3), run(4)
    assert a[0] == c[0]  # motion has no randomness
    assert not all(np.array_equal(x, y) for x, y in zip(a[1], c[1], strict=True))


def test_health_report_has_the_demo_summary_keys() -> None:
    sim = Simulator(load_world(default_world_path()))
    sim.step(Velocity(0.6, 0.0), 1.0)
    values = sim.health().values
    for key in ("distance_walked_m", "collisions", "battery_percentage", "energy_used_wh"):
        assert key in values
    assert values["distance_walked_m"] > 0.0
