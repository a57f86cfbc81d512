"""Which simulator runs: one decision for `robot-brain demo --sim` and `sim:=` in the launch,
and the cross-node checks hold for the MuJoCo sim as for the built-in one."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot_brain.core.config.consistency import problems
from robot_brain.core.config.sim_choice import (
    SIM_NODES,
    SimChoiceError,
    SimKind,
    launch_sim,
    sim_choice,
)

ROOT = Path(__file__).resolve().parents[2]


def test_choices() -> None:
    assert sim_choice("builtin").node == "sim" and sim_choice("builtin").params_overlay == ""
    mujoco = sim_choice("mujoco")
    assert mujoco.kind is SimKind.MUJOCO and mujoco.node == "mujoco_sim"
    assert (ROOT / "config" / mujoco.params_overlay).is_file()
    assert set(SIM_NODES) == {"sim", "mujoco_sim"}
    with pytest.raises(SimChoiceError, match="unknown simulator 'gazebo'"):
        sim_choice("gazebo")


@pytest.mark.parametrize("value, node", [("true", "sim"), ("True", "sim"),
                                         ("mujoco", "mujoco_sim"), ("false", None)])
def test_launch_values(value: str, node: str | None) -> None:
    choice = launch_sim(value)
    assert (choice.node if choice else None) == node


def test_a_bad_launch_value_is_one_line() -> None:
    with pytest.raises(SimChoiceError, match=r"sim:=maybe must be one of \['true', 'false', "
                                             r"'mujoco'\]"):
        launch_sim("maybe")


BASE = {"controller": {"n_sectors": 16, "rate_hz": 100.0, "goal_timeout_s": 3.0,
                       "cmd_vel_stamped": True},
        "watchdog": {"deadline_s": 0.02, "cmd_vel_stamped": True}}


def test_the_mujoco_sims_own_timeout_and_cmd_vel_type_are_checked_like_the_sims() -> None:
    ok = {**BASE, "mujoco_sim": {"cmd_timeout_s": 0.5, "cmd_vel_stamped": True}}
    assert problems(ok) == []
    late = {**BASE, "mujoco_sim": {"cmd_timeout_s": 0.01, "cmd_vel_stamped": True}}
    assert any("mujoco_sim.cmd_timeout_s=0.01 is not longer than watchdog.deadline_s"
               in p for p in problems(late))
    twist = {**BASE, "mujoco_sim": {"cmd_timeout_s": 0.5, "cmd_vel_stamped": False}}
    assert any("mujoco_sim.cmd_vel_stamped=False" in p for p in problems(twist))
