"""The numpy reference: sector geometry and the REP-117 rules, checked by hand-made scans."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.perception.sectors import (
    DEFAULT_SECTORS,
    ScanGeometryError,
    beam_sectors,
    check_geometry,
    sector_centres,
    sector_minima,
)

INF = math.inf
NAN = math.nan


def full_turn(n: int) -> tuple[float, float]:
    return -math.pi, 2.0 * math.pi / n


def test_default_sector_count() -> None:
    assert DEFAULT_SECTORS == 16


def test_sector_centres_follow_contract() -> None:
    c = sector_centres(16)
    assert c[0] == pytest.approx(-math.pi + math.pi / 16)
    assert c[8] == pytest.approx(math.pi / 16)
    assert np.diff(c) == pytest.approx(np.full(15, math.pi / 8))


def test_beam_at_sector_centre_lands_in_that_sector() -> None:
    for n in (4, 16, 30):
        centres = sector_centres(n)
        for i, a in enumerate(centres):
            assert beam_sectors(1, float(a), 0.0, n)[0] == i


def test_beam_angles_wrap_into_minus_pi_pi() -> None:
    # 0 .. 2pi (a driver with angle_min = 0): angle 3pi/2 is -pi/2, sector 1 of 4.
    idx = beam_sectors(4, 0.0, math.pi / 2, 4)
    assert idx.tolist() == [2, 3, 0, 1]
    # Exactly +pi wraps to -pi: sector 0.
    assert beam_sectors(1, math.pi, 0.0, 4)[0] == 0


def test_min_of_valid_beams_per_sector() -> None:
    amin, inc = full_turn(8)
    ranges = np.array([5.0, 1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0], dtype=np.float32)
    out = sector_minima(ranges, amin, inc, 0.1, 10.0, 4)
    assert out.dtype == np.float32 and out.shape == (4,)
    assert out.tolist() == [1.0, 2.0, 4.0, 7.0]


@pytest.mark.parametrize(("beams", "expected"), [
    ([INF, INF], INF),                 # no return: free to range_max
    ([INF, 3.0], 3.0),                 # a return beats free
    ([-INF, 3.0], 0.1),                # too close: blocked at range_min
    ([NAN, NAN], NAN),                 # only invalid beams: unknown
    ([NAN, INF], INF),                 # NaN ignored
    ([-1.0, 2.0], 2.0),                # negative range ignored
    ([-1.0, NAN], NAN),
    ([0.05, 20.0], NAN),               # below range_min and above range_max: ignored
    ([0.1, 10.0], 0.1),                # the limits themselves are valid
    ([10.0, INF], 10.0),
])
def test_rep117_rules(beams: list[float], expected: float) -> None:
    # Two beams per sector, 2 sectors; the second sector always holds 5.0 as a control.
    ranges = np.array(beams + [5.0, 5.0], dtype=np.float32)
    amin, inc = full_turn(4)
    out = sector_minima(ranges, amin, inc, 0.1, 10.0, 2)
    assert out[1] == 5.0
    if math.isnan(expected):
        assert math.isnan(out[0])
    else:
        assert out[0] == pytest.approx(expected)


def test_sector_without_beams_is_unknown() -> None:
    # A 90 degree lidar facing forward: only the 4 of 16 sectors in front see anything.
    n = 91
    ranges = np.full(n, 3.0, dtype=np.float32)
    out = sector_minima(ranges, -math.pi / 4, (math.pi / 2) / (n - 1), 0.1, 10.0, 16)
    seen = np.flatnonzero(~np.isnan(out)).tolist()
    assert seen == [6, 7, 8, 9, 10]  # -pi/4 is sector 6's opening edge; +pi/4 opens sector 10
    assert np.all(out[seen] == 3.0)


@pytest.mark.parametrize(("n", "amin", "inc", "rmin", "rmax", "fragment"), [
    (0, -math.pi, 0.1, 0.1, 10.0, "empty"),
    (360, math.nan, 0.01, 0.1, 10.0, "angle_min"),
    (360, 100.0, 0.01, 0.1, 10.0, "angle_min"),
    (360, -math.pi, 0.0, 0.1, 10.0, "angle_increment"),
    (360, -math.pi, -0.01, 0.1, 10.0, "angle_increment"),
    (360, -math.pi, math.nan, 0.1, 10.0, "angle_increment"),
    (360, -math.pi, math.inf, 0.1, 10.0, "angle_increment"),
    (360, -math.pi, 0.1, 0.1, 10.0, "full turn"),
    (360, -math.pi, 0.01, math.nan, 10.0, "range limits"),
    (360, -math.pi, 0.01, 0.1, math.inf, "range limits"),
    (360, -math.pi, 0.01, 5.0, 1.0, "range limits"),
    (360, -math.pi, 0.01, -1.0, 1.0, "range limits"),
])
def test_bad_geometry_is_named_and_gives_unknown(n: int, amin: float, inc: float, rmin: float,
                                                 rmax: float, fragment: str) -> None:
    with pytest.raises(ScanGeometryError, match=fragment):
        check_geometry(n, amin, inc, rmin, rmax)
    out = sector_minima(np.full(n, 1.0, dtype=np.float32), amin, inc, rmin, rmax, 16)
    assert out.shape == (16,) and np.all(np.isnan(out))


def test_full_turn_with_rounded_increment_is_accepted() -> None:
    check_geometry(360, -math.pi, 2.0 * math.pi / 359.9, 0.1, 10.0)


def test_one_beam_ignores_the_increment() -> None:
    out = sector_minima(np.array([2.0], dtype=np.float32), 0.0, 0.0, 0.1, 10.0, 4)
    assert np.isnan(out).tolist() == [True, True, False, True] and out[2] == 2.0


def test_bad_sector_count_is_refused() -> None:
    with pytest.raises(ValueError, match="n_sectors"):
        sector_minima(np.ones(4, dtype=np.float32), -math.pi, 1.0, 0.1, 10.0, 0)
