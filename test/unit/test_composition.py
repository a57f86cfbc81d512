"""Which nodes share a process: the plan both doors (demo, launch) start from."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from robot_brain.core import composition
from robot_brain.core.composition import ProcessSpec, check_composites, plan_processes

ROOT = Path(__file__).resolve().parents[2]
BRAIN = ["sim", "perception", "controller", "watchdog", "power_monitor", "planner", "recorder"]


def test_the_fast_path_is_one_process_in_the_perception_slot() -> None:
    specs = plan_processes(BRAIN)
    assert [s.executable for s in specs] == ["sim", "fast_path", "watchdog", "power_monitor",
                                             "planner", "recorder"]
    fast = specs[1]
    assert fast.composed and fast.nodes == ("perception", "controller")
    # Every node is started exactly once.
    assert sorted(n for s in specs for n in s.nodes) == sorted(BRAIN)


def test_split_is_one_process_per_node() -> None:
    specs = plan_processes(BRAIN, compose=False)
    assert specs == [ProcessSpec(n, (n,)) for n in BRAIN]
    assert not any(s.composed for s in specs)


@pytest.mark.parametrize("subset", [["sim", "perception"], ["controller", "watchdog"]])
def test_a_composite_needs_all_its_nodes(subset: list[str]) -> None:
    assert plan_processes(subset) == [ProcessSpec(n, (n,)) for n in subset]


def test_the_shipped_table_keeps_the_watchdog_alone() -> None:
    check_composites()
    for spec in plan_processes(BRAIN):
        if "watchdog" in spec.nodes:
            assert spec.nodes == ("watchdog",)


def test_a_bad_table_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(composition, "COMPOSITES", {"bad": ("controller", "watchdog")})
    with pytest.raises(ValueError, match="watchdog"):
        check_composites()
    monkeypatch.setattr(composition, "COMPOSITES", {"one": ("controller",)})
    with pytest.raises(ValueError, match="fewer than two"):
        check_composites()


def test_every_composite_is_an_installed_executable() -> None:
    tree = ast.parse((ROOT / "setup.py").read_text())
    scripts = {ast.literal_eval(e).split("=")[0].strip()
               for n in ast.walk(tree) if isinstance(n, ast.List)
               for e in n.elts if isinstance(e, ast.Constant) and "=" in str(e.value)}
    assert set(composition.COMPOSITES) <= scripts
