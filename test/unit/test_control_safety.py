"""Safety filter cases: limits, zones, unknown sectors, non-finite commands, hold, estop."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.control.safety_filter import (
    Intervention,
    SafetyConfig,
    SafetyConfigError,
    SafetyFilter,
    SafetyInputs,
    SectorZones,
)
from robot_brain.core.geometry import Velocity

N = 16
FREE = np.full(N, np.inf)
CFG = SafetyConfig()


def sectors_with(value: float, bearing: float) -> np.ndarray:
    """All free except the sector holding `bearing` (rad), which reads `value`."""
    s = FREE.copy()
    s[int((bearing + math.pi) // (2 * math.pi / N)) % N] = value
    return s


def filt(last: Velocity = Velocity(0.0, 0.0)) -> SafetyFilter:
    f = SafetyFilter(CFG, N)
    f.reset(last)
    return f


def test_free_space_passes_command_within_limits() -> None:
    out = filt(Velocity(0.5, 0.5)).apply(Velocity(0.5, 0.5), SafetyInputs(FREE, 0.01))
    assert out.velocity == Velocity(0.5, 0.5)
    assert not out.reasons


def test_speed_and_yaw_rate_limits() -> None:
    f = filt(Velocity(0.6, -1.0))
    out = f.apply(Velocity(5.0, -9.0), SafetyInputs(FREE, 0.01))
    assert out.velocity.linear == pytest.approx(CFG.limits.max_linear_speed)
    assert out.velocity.angular == pytest.approx(-CFG.limits.max_angular_speed)
    assert {Intervention.SPEED_LIMIT, Intervention.YAW_RATE_LIMIT} <= out.reasons
    out = filt(Velocity(-0.2, 0.0)).apply(Velocity(-3.0, 0.0), SafetyInputs(FREE, 0.01))
    assert out.velocity.linear == pytest.approx(-CFG.limits.max_reverse_speed)


def test_accel_limit_on_speeding_up_only() -> None:
    f = filt()
    out = f.apply(Velocity(0.6, 0.0), SafetyInputs(FREE, 0.1))
    assert out.velocity.linear == pytest.approx(CFG.limits.max_linear_accel * 0.1)
    assert Intervention.ACCEL_LIMIT in out.reasons
    # Braking is never rate-limited.
    f.reset(Velocity(0.6, 1.0))
    out = f.apply(Velocity(0.0, 0.0), SafetyInputs(FREE, 0.01))
    assert out.velocity == Velocity(0.0, 0.0)
    assert Intervention.ACCEL_LIMIT not in out.reasons


def test_sign_reversal_brakes_freely_then_accelerates_from_zero() -> None:
    out = filt(Velocity(0.5, 0.0)).apply(Velocity(-0.2, 0.0), SafetyInputs(FREE, 0.01))
    assert out.velocity.linear == pytest.approx(-CFG.limits.max_linear_accel * 0.01)


def test_stop_zone_blocks_forward_but_allows_turning_and_reversing() -> None:
    ahead = sectors_with(CFG.limits.robot_radius + 0.1, 0.05)
    f = filt(Velocity(0.3, 0.0))
    out = f.apply(Velocity(0.3, 0.8), SafetyInputs(ahead, 0.01))
    assert out.velocity.linear == 0.0
    assert out.velocity.angular > 0.0
    assert Intervention.STOP_ZONE in out.reasons
    out = filt(Velocity(-0.1, 0.0)).apply(Velocity(-0.1, 0.0), SafetyInputs(ahead, 0.01))
    assert out.velocity.linear == pytest.approx(-0.1)


def test_stop_zone_behind_blocks_reversing() -> None:
    behind = sectors_with(CFG.limits.robot_radius + 0.05, math.pi - 0.05)
    out = filt(Velocity(-0.1, 0.0)).apply(Velocity(-0.1, 0.0), SafetyInputs(behind, 0.01))
    assert out.velocity.linear == 0.0
    assert Intervention.STOP_ZONE in out.reasons


def test_slowdown_zone_scales_speed_linearly() -> None:
    d = CFG.stop_distance + 0.5 * (CFG.slowdown_distance - CFG.stop_distance)
    # An obstacle dead ahead: sectors 7 and 8 meet at 0 rad, put it in both.
    s = FREE.copy()
    s[7] = s[8] = CFG.limits.robot_radius + d
    out = filt(Velocity(0.4, 0.0)).apply(Velocity(0.4, 0.0), SafetyInputs(s, 0.01))
    assert Intervention.SLOWDOWN_ZONE in out.reasons
    # The conservative zone places the minimum anywhere in the sector, so at most half speed.
    assert 0.0 < out.velocity.linear <= 0.2 + 1e-9


def test_obstacle_beside_the_corridor_does_not_slow() -> None:
    side = sectors_with(CFG.limits.robot_radius + 0.3, math.pi / 2 + 0.2)
    out = filt(Velocity(0.5, 0.0)).apply(Velocity(0.5, 0.0), SafetyInputs(side, 0.01))
    assert out.velocity.linear == pytest.approx(0.5)


@pytest.mark.parametrize("bad", [math.nan, -1.0, -math.inf])
def test_unknown_or_invalid_sector_ahead_blocks(bad: float) -> None:
    s = sectors_with(bad, 0.3)
    out = filt(Velocity(0.3, 0.2)).apply(Velocity(0.3, 0.2), SafetyInputs(s, 0.01))
    assert out.velocity.linear == 0.0
    assert out.velocity.angular == pytest.approx(0.2)
    assert Intervention.UNKNOWN_AHEAD in out.reasons


def test_unknown_sector_behind_does_not_block_forward() -> None:
    s = sectors_with(math.nan, math.pi - 0.1)
    out = filt(Velocity(0.3, 0.0)).apply(Velocity(0.3, 0.0), SafetyInputs(s, 0.01))
    assert out.velocity.linear == pytest.approx(0.3)


def test_wrong_sector_count_is_all_unknown() -> None:
    out = filt(Velocity(0.3, 0.0)).apply(Velocity(0.3, 0.0),
                                         SafetyInputs(np.full(8, np.inf), 0.01))
    assert out.velocity.linear == 0.0
    assert Intervention.UNKNOWN_AHEAD in out.reasons


@pytest.mark.parametrize("cmd", [Velocity(math.nan, 0.0), Velocity(0.1, math.inf),
                                 Velocity(-math.inf, math.nan)])
def test_non_finite_policy_output_is_zero(cmd: Velocity) -> None:
    f = filt(Velocity(0.4, 0.4))
    out = f.apply(cmd, SafetyInputs(FREE, 0.01))
    assert out.velocity == Velocity(0.0, 0.0)
    assert out.reasons == {Intervention.NON_FINITE}
    assert f.counts[Intervention.NON_FINITE] == 1


def test_hold_and_estop_zero_at_once() -> None:
    out = filt(Velocity(0.6, 1.0)).apply(Velocity(0.6, 1.0), SafetyInputs(FREE, 0.01, hold=True))
    assert out.velocity == Velocity(0.0, 0.0) and out.reasons == {Intervention.HOLD}
    out = filt(Velocity(0.6, 1.0)).apply(Velocity(0.6, 1.0),
                                         SafetyInputs(FREE, 0.01, hold=True, estop=True))
    assert out.velocity == Velocity(0.0, 0.0) and out.reasons == {Intervention.ESTOP}


def test_stale_perception_decelerates_to_a_stop() -> None:
    f = filt(Velocity(0.6, 1.0))
    speeds = []
    for _ in range(200):
        out = f.apply(Velocity(0.6, 1.0), SafetyInputs(FREE, 0.01, perception_fresh=False))
        speeds.append(out.velocity.linear)
        assert Intervention.STALE_PERCEPTION in out.reasons
    assert speeds[0] == pytest.approx(0.6 - CFG.limits.max_linear_accel * 0.01)
    assert all(b <= a for a, b in zip(speeds, speeds[1:], strict=False))
    assert speeds[-1] == 0.0 and f.last.angular == 0.0


def test_interventions_are_counted_by_reason() -> None:
    f = filt()
    f.apply(Velocity(math.nan, 0.0), SafetyInputs(FREE, 0.01))
    f.apply(Velocity(0.1, 0.0), SafetyInputs(FREE, 0.01, estop=True))
    f.apply(Velocity(0.1, 0.0), SafetyInputs(FREE, 0.01, estop=True))
    assert f.counts[Intervention.NON_FINITE] == 1
    assert f.counts[Intervention.ESTOP] == 2
    assert f.total_interventions() == 3


def test_zone_free_distance_geometry() -> None:
    zones = SectorZones(N, 0.25, 0.05)
    s = FREE.copy()
    s[7] = s[8] = 1.25
    free, unknown = zones.free_distance(s, +1)
    assert not unknown
    assert 0.9 < free <= 1.0
    assert zones.free_distance(s, -1) == (math.inf, False)


def test_bad_config_is_refused() -> None:
    with pytest.raises(SafetyConfigError, match="slowdown_distance"):
        SafetyConfig(stop_distance=0.5, slowdown_distance=0.4)
    with pytest.raises(SafetyConfigError, match="robot_radius"):
        SafetyConfig(limits=RobotLimits(robot_radius=0.0))
