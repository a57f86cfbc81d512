from __future__ import annotations

import pytest

from robot_brain.core.planner.activity import (
    PlannerActivity,
    PlannerStatusError,
    parse_planner_status,
)
from robot_brain.core.sim.loads import PlannerLoads, planner_load_w

LOADS = PlannerLoads(compute_generating_w=24.0, compute_idle_w=6.0, modem_active_w=8.5)


@pytest.mark.parametrize("state, locality, watts", [
    ("thinking", "local", 24.0), ("thinking", "remote", 14.5), ("idle", "none", 6.0),
    ("executing", "local", 6.0), ("error", "remote", 6.0),
])
def test_true_planner_load(state: str, locality: str, watts: float) -> None:
    assert planner_load_w(PlannerActivity(state, locality), LOADS) == pytest.approx(watts)


def test_parse_reads_state_and_locality_and_ignores_the_rest() -> None:
    a = parse_planner_status('{"state": "thinking", "locality": "remote", "request_id": 3}')
    assert a == PlannerActivity("thinking", "remote")


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"state": 3}', ""])
def test_malformed_status_is_rejected(text: str) -> None:
    with pytest.raises(PlannerStatusError):
        parse_planner_status(text)


def test_negative_load_is_rejected() -> None:
    with pytest.raises(ValueError):
        PlannerLoads(compute_idle_w=-1.0)


@pytest.mark.parametrize("state, locality, watts", [
    ("idle", "none", 0.0), ("executing", "none", 0.0), ("thinking", "remote", 8.5),
    # local generation needs the accelerator: charged even if the flag were wrong
    ("thinking", "local", 24.0),
])
def test_powered_off_accelerator_draws_no_idle(state: str, locality: str, watts: float) -> None:
    activity = PlannerActivity(state, locality, accelerator_on=False)
    assert planner_load_w(activity, LOADS) == pytest.approx(watts)


def test_parse_reads_accelerator_on_and_absent_means_on() -> None:
    off = parse_planner_status('{"state": "idle", "locality": "none", "accelerator_on": false}')
    assert off == PlannerActivity("idle", "none", accelerator_on=False)
    assert planner_load_w(off, LOADS) == 0.0
    old = parse_planner_status('{"state": "idle", "locality": "none"}')
    assert old.accelerator_on is True and planner_load_w(old, LOADS) == pytest.approx(6.0)


@pytest.mark.parametrize("value", ['"false"', "0", "null", "[]"])
def test_non_boolean_accelerator_on_is_rejected(value: str) -> None:
    with pytest.raises(PlannerStatusError, match="accelerator_on"):
        parse_planner_status('{"state": "idle", "locality": "none", "accelerator_on": '
                             f'{value}}}')
