"""The analytic expert: walks to an open goal, steers round an obstacle, stops when unsure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.control.expert import AnalyticExpert, ExpertConfig
from robot_brain.core.geometry import Velocity

N = 16
FREE = np.full(N, np.inf)


@pytest.fixture
def expert() -> AnalyticExpert:
    return AnalyticExpert(ExpertConfig(), N)


def test_open_space_walks_straight_to_goal(expert: AnalyticExpert) -> None:
    cmd = expert.command(FREE, 4.0, 0.0, Velocity(0.6, 0.0))
    assert cmd.linear == pytest.approx(0.6, rel=0.01)
    assert abs(cmd.angular) < 0.1


def test_goal_behind_turns_on_the_spot(expert: AnalyticExpert) -> None:
    cmd = expert.command(FREE, -3.0, 0.5, Velocity())
    assert cmd.linear == 0.0
    assert abs(cmd.angular) == pytest.approx(1.0)


def test_goal_reached_is_zero(expert: AnalyticExpert) -> None:
    assert expert.command(FREE, 0.1, 0.1, Velocity(0.3, 0.0)) == Velocity(0.0, 0.0)


def test_obstacle_dead_ahead_steers_away(expert: AnalyticExpert) -> None:
    s = FREE.copy()
    s[7] = s[8] = 1.0  # a wide obstacle 1 m ahead, goal beyond it
    cmd = expert.command(s, 4.0, 0.0, Velocity(0.3, 0.0))
    assert abs(cmd.angular) > 0.3


def test_commits_to_the_side_it_is_turning_to(expert: AnalyticExpert) -> None:
    s = FREE.copy()
    s[6:10] = 1.0
    left = expert.command(s, 4.0, 0.0, Velocity(0.0, 0.8))
    right = expert.command(s, 4.0, 0.0, Velocity(0.0, -0.8))
    assert left.angular > 0.0 > right.angular


def test_everything_unknown_never_walks(expert: AnalyticExpert) -> None:
    for sectors in (np.full(N, np.nan), np.full(N, -1.0), np.ones(3)):
        cmd = expert.command(sectors, 3.0, 0.0, Velocity())
        assert cmd.linear == 0.0
        assert math.isfinite(cmd.angular)
