from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.geometry import Pose2D
from robot_brain.core.sim import LidarConfig, SimConfig, Simulator
from robot_brain.core.sim.lidar import LidarConfigError
from test.unit.sim_worlds import empty, wall_ahead, world

EXACT = LidarConfig(beams=360, noise_std=0.0)


def beam(lidar: LidarConfig, angle: float) -> int:
    idx = int(round((angle - lidar.angle_min) / lidar.angle_increment))
    assert math.isclose(lidar.angles()[idx], angle, abs_tol=1e-9)
    return idx


def test_wall_ahead_at_known_distance() -> None:
    sim = Simulator(wall_ahead(3.0), SimConfig(lidar=EXACT))
    r = sim.scan()
    assert r.shape == (360,) and r.dtype == np.float64
    assert r[beam(EXACT, 0.0)] == pytest.approx(3.0, abs=1e-9)
    # 30 degrees off the axis the same wall is 3 / cos(30 deg) away.
    assert r[beam(EXACT, math.radians(30))] == pytest.approx(3.0 / math.cos(math.radians(30)))
    assert r[beam(EXACT, math.radians(-60))] == pytest.approx(6.0)


def test_wall_distance_follows_robot_yaw() -> None:
    sim = Simulator(wall_ahead(3.0), SimConfig(lidar=EXACT), start=Pose2D(1.0, 0.0, math.pi / 2))
    # Facing +y, the wall at x = 3 is 2 m away to the right (laser angle -90 deg).
    assert sim.scan()[beam(EXACT, -math.pi / 2)] == pytest.approx(2.0)


def test_circle_at_an_angle() -> None:
    d, radius, angle = 4.0, 0.5, math.radians(45)
    w = world(cylinders=[{"center": [d * math.cos(angle), d * math.sin(angle)],
                          "radius": radius}])
    r = Simulator(w, SimConfig(lidar=EXACT)).scan()
    assert r[beam(EXACT, angle)] == pytest.approx(d - radius)
    # A beam 5 degrees off the centre line meets the circle at the analytic chord distance.
    off = math.radians(5)
    expected = d * math.cos(off) - math.sqrt(radius**2 - (d * math.sin(off)) ** 2)
    assert r[beam(EXACT, angle + off)] == pytest.approx(expected)
    # ... and one 45 degrees away misses it entirely.
    assert math.isinf(r[beam(EXACT, angle + math.radians(45))])


def test_nothing_in_range_is_positive_inf() -> None:
    r = Simulator(empty(), SimConfig(lidar=EXACT)).scan()
    assert np.all(np.isposinf(r))
    beyond = Simulator(wall_ahead(9.0), SimConfig(lidar=EXACT)).scan()
    assert np.isposinf(beyond[beam(EXACT, 0.0)])


def test_noise_is_seeded_and_bounded() -> None:
    noisy = LidarConfig(noise_std=0.01)
    a = Simulator(wall_ahead(3.0), SimConfig(lidar=noisy), seed=7).scan()
    b = Simulator(wall_ahead(3.0), SimConfig(lidar=noisy), seed=7).scan()
    c = Simulator(wall_ahead(3.0), SimConfig(lidar=noisy), seed=8).scan()
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    finite = np.isfinite(a)
    exact = Simulator(wall_ahead(3.0), SimConfig(lidar=EXACT)).scan()
    assert np.array_equal(finite, np.isfinite(exact))
    err = a[finite] - exact[finite]
    assert 0.005 < float(np.std(err)) < 0.02
    assert np.all(a[finite] <= noisy.range_max)


def test_beam_layout_full_circle_and_partial_fov() -> None:
    full = LidarConfig(beams=360)
    assert full.angle_increment == pytest.approx(2 * math.pi / 360)
    assert full.angle_max == pytest.approx(math.pi - 2 * math.pi / 360)
    fan = LidarConfig(beams=181, fov=math.pi, angle_min=-math.pi / 2)
    assert fan.angle_increment == pytest.approx(math.pi / 180)
    assert fan.angle_max == pytest.approx(math.pi / 2)
    sim = Simulator(wall_ahead(2.0), SimConfig(lidar=LidarConfig(beams=181, fov=math.pi,
                                                                 angle_min=-math.pi / 2,
                                                                 noise_std=0.0)))
    assert sim.scan().shape == (181,)
    assert sim.scan()[90] == pytest.approx(2.0)
    assert sim.angle_increment == pytest.approx(math.pi / 180)


@pytest.mark.parametrize("kwargs", [
    {"beams": 0}, {"range_min": 5.0, "range_max": 4.0}, {"range_max": math.inf},
    {"noise_std": -0.1}, {"noise_std": math.nan}, {"fov": 0.0}, {"fov": 7.0},
])
def test_bad_lidar_config_is_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(LidarConfigError):
        LidarConfig(**kwargs)  # type: ignore[arg-type]
