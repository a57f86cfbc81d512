"""The MuJoCo simulator's core: the extruded world, the velocity-controlled base, contacts,
the scripted sway, the head lidar and the knee laser (robot_brain.core.sim.mujoco)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.geometry import Pose2D, Velocity
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.robot_model.frames import rotation_from_rpy
from robot_brain.core.sim.mujoco.config import GaitConfig, MujocoSimConfig
from robot_brain.core.sim.simulator import SimConfig
from robot_brain.core.world import World, load_world_file
from test.unit.sim_worlds import world

mujoco = pytest.importorskip("mujoco", reason="mujoco (requirements/python.txt) not installed")

from robot_brain.core.sim.mujoco.simulator import MujocoSimulator  # noqa: E402

LIMITS = SimConfig().velocity_limits
QUIET = MujocoSimConfig(head_lidar=MujocoSimConfig().head_lidar.__class__(
    points_per_frame=4000, noise_std=0.0))


def _sim(w: World, config: MujocoSimConfig = QUIET, start: Pose2D | None = None
         ) -> MujocoSimulator:
    return MujocoSimulator(w, config, LIMITS, start=start)


def _drive(sim: MujocoSimulator, v: float, seconds: float, w: float = 0.0) -> None:
    for _ in range(int(round(seconds / 0.01))):
        sim.step(Velocity(v, w), 0.01)


def _table_world() -> World:
    return world(boxes=[
        {"name": "top", "center": [3.0, 0.0], "size": [1.2, 1.2], "z_min": 0.72,
         "z_max": 0.76},
        *({"name": f"leg{i}", "center": [3.0 + sx * 0.55, sy * 0.55], "size": [0.05, 0.05],
           "z_max": 0.72} for i, (sx, sy) in enumerate([(-1, -1), (-1, 1), (1, -1), (1, 1)]))])


def _in_base(sim: MujocoSimulator, points: np.ndarray) -> np.ndarray:
    """Head-lidar points in a levelled base frame (the odometry's attitude undone)."""
    m = HUMANOID.head_lidar.pose
    mount = rotation_from_rpy(m.roll, m.pitch, m.yaw)
    roll, pitch = sim.attitude
    tilt = rotation_from_rpy(roll, pitch, 0.0)
    in_base = points.astype(float) @ mount.T + np.array([m.x, m.y, m.z])
    out: np.ndarray = in_base @ tilt.T
    return out


def test_the_model_is_the_world_and_the_description() -> None:
    w = load_world_file("apartment_rearranged.yaml", include_unmapped=True)
    sim = _sim(w)
    names = {mujoco.mj_id2name(sim.model, mujoco.mjtObj.mjOBJ_GEOM, g)
             for g in range(sim.model.ngeom)}
    assert {f"world/{o.name}" for o in w.obstacles()} | {"world/floor"} <= names
    assert {p.name for p in HUMANOID.parts} <= names
    robot_mass = sim.model.body_subtreemass[sim._root]
    assert robot_mass == pytest.approx(HUMANOID.mass)
    top = sim.model.geom("world/side_table_top")
    assert top.pos[2] - top.size[2] == pytest.approx(0.72)
    assert top.pos[2] + top.size[2] == pytest.approx(0.76)
    assert sim.pose == Pose2D(w.start.x, w.start.y, w.start.yaw)


def test_walks_at_the_commanded_speed_and_stops_after_the_command_timeout() -> None:
    sim = _sim(world())
    sim.set_command(Velocity(0.4, 0.0), 0.0)
    t = 0.0
    while t < 3.0:
        sim.drive(t, 0.01)
        t += 0.01
        sim.set_command(Velocity(0.4, 0.0), t)
    assert sim.velocity.linear == pytest.approx(0.4, abs=1e-6)
    x = sim.pose.x
    assert x == pytest.approx(0.4 * 3.0 - 0.4 ** 2 / (2 * LIMITS.max_linear_accel), abs=0.02)
    for _ in range(200):  # no fresh command: brakes to a stop on its own
        sim.drive(t, 0.01)
        t += 0.01
    assert sim.velocity.linear == pytest.approx(0.0, abs=1e-9)
    assert abs(sim.pose.y) < 1e-6 and sim.collisions == 0
    assert not sim.set_command(Velocity(math.nan, 0.0), t)


def test_time_advances_in_whole_steps_carrying_the_remainder() -> None:
    sim = _sim(world())
    for _ in range(3):
        sim.step(Velocity(), 0.003)  # 1.5 steps each
    assert sim.steps == 4 and sim.time == pytest.approx(0.008)


def test_a_wall_stops_the_body_at_its_surface_counted_once() -> None:
    w = world(walls=[{"start": [2.05, -5.0], "end": [2.05, 5.0], "thickness": 0.1}])
    sim = _sim(w)
    _drive(sim, 0.6, 8.0)
    front = max(p.center[0] + p.half_extents[0] for p in HUMANOID.parts)
    assert sim.pose.x + front == pytest.approx(2.0, abs=0.03)  # stiff contacts: < 3 cm in
    assert sim.collisions == 1 and sim.in_contact and sim.contact_with == "wall_0"
    assert sim.health().message == "in contact with wall_0"
    _drive(sim, -0.2, 1.0)
    _drive(sim, 0.6, 3.0)
    assert sim.collisions == 2


def test_a_table_top_is_hit_by_the_body_and_missed_by_the_knee_laser() -> None:
    sim = _sim(_table_world())
    ranges = sim.scan()
    angles = sim.knee_lidar.angles()
    ahead = ranges[np.abs(angles) < math.radians(5)]
    # Straight ahead the knee laser passes between the legs, under the top.
    assert np.all(ahead > 3.0 + 0.6)
    _drive(sim, 0.5, 10.0)
    assert sim.collisions >= 1 and sim.contact_with == "top"
    assert sim.pose.x < 3.0 - 0.6  # stopped at the top's edge


def test_a_sliced_frame_is_the_whole_frame_one_wedge_of_the_turn_at_a_time() -> None:
    w = _table_world()
    whole = _sim(w).head_cloud()
    lidar = QUIET.head_lidar.__class__(points_per_frame=4000, noise_std=0.0,
                                       slices_per_frame=5)
    sliced = _sim(w, MujocoSimConfig(head_lidar=lidar))
    parts = [sliced.head_cloud() for _ in range(5)]
    assert [p.rays for p in parts] == [800] * 5
    np.testing.assert_allclose(np.concatenate([p.points for p in parts]), whole.points,
                               atol=1e-6)
    np.testing.assert_array_equal(np.concatenate([p.line for p in parts]), whole.line)
    # Each slice is a fifth of the turn (72 degrees of azimuth, about the sensor's z axis).
    for p in parts:
        az = np.unwrap(np.sort(np.arctan2(p.points[:, 1], p.points[:, 0])))
        gaps = np.diff(np.concatenate([az, az[:1] + 2 * np.pi]))
        assert 2 * np.pi - gaps.max() < math.radians(73)
    # The sixth message starts the next frame (a new phase): not a repeat of the first.
    assert not np.allclose(sliced.head_cloud().points[:50], parts[0].points[:50])


def test_slices_are_checked() -> None:
    from robot_brain.core.sim.mujoco.config import MujocoConfigError
    cls = QUIET.head_lidar.__class__
    with pytest.raises(MujocoConfigError, match="publish_freq"):
        MujocoSimConfig(head_lidar=cls(rate_hz=10.0, slices_per_frame=20))
    assert MujocoSimConfig(head_lidar=cls(rate_hz=10.0, slices_per_frame=10))


def test_the_head_lidar_sees_the_table_top_the_floor_and_its_shoulders() -> None:
    sim = _sim(_table_world())
    cloud = sim.head_cloud()
    assert cloud.rays == 4000 and 0 < len(cloud.points) <= cloud.rays
    assert cloud.points.dtype == np.float32 and set(np.unique(cloud.line)) == {0, 1, 2, 3}
    base = _in_base(sim, cloud.points)
    floor = np.abs(base[:, 2]) < 0.01
    assert floor.sum() > 0.3 * len(base)
    top = (np.abs(base[:, 2] - 0.76) < 0.02) & (base[:, 0] > 2.3)
    assert top.sum() >= 5  # a 1.2 m top 2.4 m away, seen edge-on from 0.44 m above
    # The robot's own shoulders and arms: close, below the sensor, inside the footprint.
    near = np.hypot(base[:, 0], base[:, 1]) < HUMANOID.footprint_radius + 0.01
    assert near.sum() > 0.02 * len(base)
    assert np.all(base[near, 2] < HUMANOID.head_lidar.pose.z)
    # Mounted upside down: the field looks from 7 degrees up to 52 degrees down.
    elevation = np.degrees(np.arctan2(base[:, 2] - 1.2, np.hypot(base[:, 0], base[:, 1])))
    assert elevation.max() <= 7.5 and elevation.min() >= -52.5


def test_the_head_lidar_can_leave_the_body_out() -> None:
    config = MujocoSimConfig(head_lidar=QUIET.head_lidar.__class__(
        points_per_frame=4000, noise_std=0.0, sees_self=False))
    sim = _sim(world(), config)
    base = _in_base(sim, sim.head_cloud().points)
    assert np.all(np.abs(base[:, 2]) < 0.01)  # only the floor in an empty world


def test_walking_sways_the_body_and_odometry_carries_it() -> None:
    sim = _sim(world())
    assert sim.attitude == (0.0, 0.0)
    rolls, pitches, floors = [], [], []
    for i in range(400):
        sim.step(Velocity(0.5, 0.0), 0.01)
        roll, pitch = sim.attitude
        rolls.append(roll)
        pitches.append(pitch)
        if i % 20 == 0:
            floors.append(np.abs(_in_base(sim, sim.head_cloud().points)[:, 2]))
    g = GaitConfig()
    assert max(np.abs(pitches)) == pytest.approx(math.radians(g.pitch_amplitude_deg), rel=0.05)
    assert max(np.abs(rolls)) == pytest.approx(math.radians(g.roll_amplitude_deg), rel=0.05)
    x, y, z, w = sim.quaternion
    roll, pitch = sim.attitude
    assert math.isclose(math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y)), roll,
                        abs_tol=1e-9)
    # Pitch crosses zero twice per step: about 2 * 1.8 * 4 s crossings.
    crossings = sum(1 for a, b in zip(pitches, pitches[1:], strict=False) if a * b < 0)
    assert 12 <= crossings <= 16
    # Levelled with the attitude, the floor stays at height 0 all the way (noise-free).
    assert all(float(np.median(f)) < 0.005 for f in floors)
    _drive(sim, 0.0, 6.0)  # the sway fades over about a step's time constant
    assert sim.attitude == (0.0, 0.0)  # standing still, standing straight


def test_same_seed_same_run_different_seed_different_noise() -> None:
    config = MujocoSimConfig(seed=3, head_lidar=QUIET.head_lidar.__class__(
        points_per_frame=2000))

    def run(c: MujocoSimConfig) -> tuple[np.ndarray, np.ndarray, Pose2D]:
        sim = _sim(_table_world(), c)
        _drive(sim, 0.5, 2.0, 0.2)
        return sim.head_cloud().points, sim.scan(), sim.pose

    a, b = run(config), run(config)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]
    c = run(MujocoSimConfig(seed=4, head_lidar=config.head_lidar))
    assert not np.array_equal(a[1], c[1])


def test_battery_drains_with_walking_and_the_extra_load() -> None:
    sim = _sim(world())
    _drive(sim, 0.5, 2.0)
    used = sim.battery.energy_used_wh
    base = HUMANOID and SimConfig().battery.base_load_w
    assert used > base * 2.0 / 3600.0
    values = sim.health().values
    for key in ("distance_walked_m", "collisions", "battery_percentage", "energy_used_wh",
                "sim_time_s", "roll_deg", "pitch_deg", "physics_ms_per_sim_s"):
        assert key in values


def test_the_real_time_monitor_says_when_the_sim_falls_behind() -> None:
    from robot_brain.core.sim.mujoco.realtime import RealTimeMonitor
    rt = RealTimeMonitor(100.0, min_factor=0.95)
    assert not rt.slow and math.isnan(rt.update(100.2, 0.2))  # too short a period: no verdict
    assert rt.update(101.0, 1.0) == pytest.approx(1.0) and not rt.slow
    assert rt.update(102.0, 1.6) == pytest.approx(0.6) and rt.slow
    assert rt.update(103.0, 2.6) == pytest.approx(1.0) and not rt.slow
    assert rt.overall(103.0, 2.6) == pytest.approx(2.6 / 3.0)
