"""The "why 3-D" scenario (docs/mujoco.md) in MuJoCo, lockstep: furniture moved since the map
was made stands on the planned route; the brain fed the knee-height 2-D scan walks into it,
a brain that perceives the body's whole height walks round it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.control.policy import load_onnx_policy
from robot_brain.core.geometry import Pose2D
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.robot_model.frames import rotation_from_rpy
from robot_brain.core.sim.mujoco.config import MujocoSimConfig
from robot_brain.core.sim.simulator import SimConfig
from robot_brain.core.world import Box, load_world_file
from robot_brain_lab.scenario3d import (
    SCENARIO_PLACES,
    SCENARIO_WORLD,
    CloudPerceptionUnavailable,
    ScenarioConfig,
    body_slice_sectors,
    head_cloud_sectors,
    knee_scan_sectors,
    run_scenario,
)

pytest.importorskip("mujoco", reason="mujoco (requirements/python.txt) not installed")

from robot_brain.core.sim.mujoco.simulator import MujocoSimulator  # noqa: E402

N = 16


@pytest.fixture(scope="module")
def policy():  # noqa: ANN201 - the shipped ONNX policy, as the controller runs it
    return load_onnx_policy("", N)


@pytest.mark.parametrize("place", SCENARIO_PLACES)
def test_the_2d_brain_walks_into_the_moved_furniture(policy, place: str) -> None:  # noqa: ANN001
    result = run_scenario(place, knee_scan_sectors(N), policy)
    assert result.contacts > 0, result.line
    assert result.contact_with in {"side_table_top", "breakfast_bar_top"}, result.line
    assert not result.success


@pytest.mark.parametrize("place", SCENARIO_PLACES)
def test_perceiving_the_bodys_height_gets_round_it(policy, place: str) -> None:  # noqa: ANN001
    """The reference (exact 3-D obstacles, no sensor): the scenario is solvable by the
    reactive controller and route planner once the furniture is seen at all."""
    result = run_scenario(place, body_slice_sectors(N), policy)
    assert result.success, result.line
    assert result.contacts == 0


@pytest.mark.slow
@pytest.mark.parametrize("place", SCENARIO_PLACES)
def test_the_brain_fed_the_head_cloud_reaches_the_goal_without_contact(
        policy, place: str) -> None:  # noqa: ANN001
    try:
        sectors = head_cloud_sectors(N, with_knee_scan=True)
    except CloudPerceptionUnavailable as exc:
        pytest.skip(str(exc))
    result = run_scenario(place, sectors, policy,
                          ScenarioConfig(sim=MujocoSimConfig(seed=1)))
    assert result.success, result.line


def _tops() -> list[Box]:
    world = load_world_file(SCENARIO_WORLD, include_unmapped=True)
    return [b for b in world.boxes if not b.mapped and b.z_min > 0.5]


@pytest.mark.parametrize("top", _tops(), ids=lambda b: b.name)
def test_the_head_lidar_sees_each_top_the_knee_laser_misses(top: Box) -> None:
    world = load_world_file(SCENARIO_WORLD, include_unmapped=True)
    # 1.6 m from the top's centre, facing it, on the side of the start.
    dx, dy = world.start.x - top.center[0], world.start.y - top.center[1]
    d = math.hypot(dx, dy)
    x, y = top.center[0] + 1.6 * dx / d, top.center[1] + 1.6 * dy / d
    pose = Pose2D(x, y, math.atan2(-dy, -dx))
    sim = MujocoSimulator(world, MujocoSimConfig(), SimConfig().velocity_limits, start=pose)
    m = HUMANOID.head_lidar.pose
    pts = sim.head_cloud().points.astype(float) @ rotation_from_rpy(m.roll, m.pitch,
                                                                   m.yaw).T + [m.x, m.y, m.z]
    c, s = math.cos(pose.yaw), math.sin(pose.yaw)
    wx, wy, wz = pose.x + c * pts[:, 0] - s * pts[:, 1], pose.y + s * pts[:, 0] + c * pts[:, 1], \
        pts[:, 2]
    cy, sy = math.cos(top.yaw), math.sin(top.yaw)
    lx = cy * (wx - top.center[0]) + sy * (wy - top.center[1])
    ly = -sy * (wx - top.center[0]) + cy * (wy - top.center[1])
    on_top = ((np.abs(lx) <= top.size[0] / 2 + 0.03) & (np.abs(ly) <= top.size[1] / 2 + 0.03)
              & (wz >= top.z_min - 0.03) & (wz <= top.z_max + 0.03))
    assert on_top.sum() >= 20, f"{top.name}: {on_top.sum()} head-lidar points on it"
    # The knee laser's plane passes under it.
    assert not (top.z_min <= HUMANOID.knee_laser.pose.z <= top.z_max)
