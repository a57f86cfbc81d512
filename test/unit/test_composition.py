"""Which nodes share a process: the plan both doors (demo, launch) start from."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from robot_brain.core.config import composition
from robot_brain.core.config.composition import (
    CompositionError,
    ProcessSpec,
    check_composites,
    parse_hosted,
    plan_processes,
)

ROOT = Path(__file__).resolve().parents[2]
BRAIN = ["sim", "perception", "controller", "watchdog", "power_monitor", "planner", "recorder"]


def test_the_brain_runs_in_four_processes() -> None:
    specs = plan_processes(BRAIN)
    assert specs == [
        ProcessSpec("sim", ("sim",)),
        ProcessSpec("fast_path", ("perception", "controller")),
        ProcessSpec("watchdog", ("watchdog",)),
        ProcessSpec("slow_path", ("power_monitor", "planner", "recorder")),
    ]
    assert specs[1].arguments == ["--nodes", "perception,controller"]
    assert specs[0].arguments == [] and not specs[0].composed
    # Every node is started exactly once.
    assert sorted(n for s in specs for n in s.nodes) == sorted(BRAIN)


def test_without_the_recorder_the_slow_path_hosts_the_other_two() -> None:
    specs = plan_processes([n for n in BRAIN if n != "recorder"])
    assert specs[-1] == ProcessSpec("slow_path", ("power_monitor", "planner"))


def test_nodes_kept_apart_have_their_own_process_the_rest_stays_composed() -> None:
    specs = plan_processes(BRAIN, apart=["recorder"])
    assert ProcessSpec("slow_path", ("power_monitor", "planner")) in specs
    assert ProcessSpec("recorder", ("recorder",)) in specs
    assert ProcessSpec("fast_path", ("perception", "controller")) in specs
    assert sorted(n for s in specs for n in s.nodes) == sorted(BRAIN)
    # Keeping one of two members apart leaves the other alone too.
    assert plan_processes(["perception", "controller"], apart=["controller"]) == [
        ProcessSpec("perception", ("perception",)), ProcessSpec("controller", ("controller",))]
    with pytest.raises(CompositionError, match="not among the nodes"):
        plan_processes(BRAIN, apart=["recordr"])


def test_split_is_one_process_per_node() -> None:
    specs = plan_processes(BRAIN, compose=False)
    assert specs == [ProcessSpec(n, (n,)) for n in BRAIN]
    assert not any(s.composed for s in specs)


@pytest.mark.parametrize("subset", [["sim", "perception"], ["controller", "watchdog"],
                                    ["planner"]])
def test_a_lone_member_keeps_its_own_executable(subset: list[str]) -> None:
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


def test_hosted_nodes_from_the_command_line() -> None:
    ros = ["--ros-args", "--params-file", "x.yaml"]
    assert parse_hosted("slow_path", ["exe", *ros]) == (
        ("power_monitor", "planner", "recorder"), ["exe", *ros])
    # Build order is the table's, not the caller's.
    assert parse_hosted("fast_path", ["exe", "--nodes", "controller,perception", *ros]) == (
        ("perception", "controller"), ["exe", *ros])
    with pytest.raises(CompositionError, match="cannot host \\['watchdog'\\]"):
        parse_hosted("fast_path", ["exe", "--nodes", "perception,watchdog", *ros])
    with pytest.raises(CompositionError, match="needs a comma-separated list"):
        parse_hosted("fast_path", ["exe", "--nodes", *ros])


def test_every_composite_is_an_installed_executable_and_every_node_is_registered() -> None:
    tree = ast.parse((ROOT / "setup.py").read_text())
    scripts = {ast.literal_eval(e).split("=")[0].strip()
               for n in ast.walk(tree) if isinstance(n, ast.List)
               for e in n.elts if isinstance(e, ast.Constant) and "=" in str(e.value)}
    assert set(composition.COMPOSITES) <= scripts
    from robot_brain.nodes.container import NODE_CLASSES
    members = {m for ms in composition.COMPOSITES.values() for m in ms}
    assert members <= set(NODE_CLASSES)
    assert set(NODE_CLASSES) <= scripts  # every node kind also runs alone


def test_brain_dds_settings_mean_udp_only_and_keep_what_the_user_chose() -> None:
    from robot_brain.ros.dds_environment import LOOPBACK_PROFILE, brain_dds_settings
    # SUBNET (the ROS default) honours the builtin-transports variable.
    assert brain_dds_settings({}) == {"FASTDDS_BUILTIN_TRANSPORTS": "UDPv4"}
    assert brain_dds_settings({"ROS_AUTOMATIC_DISCOVERY_RANGE": "SUBNET"}) == {
        "FASTDDS_BUILTIN_TRANSPORTS": "UDPv4"}
    # LOCALHOST would add shared memory whatever that variable says: the packaged profile.
    local = brain_dds_settings({"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"})
    assert local == {"ROS_AUTOMATIC_DISCOVERY_RANGE": "SYSTEM_DEFAULT",
                     "FASTDDS_DEFAULT_PROFILES_FILE": str(LOOPBACK_PROFILE)}
    text = LOOPBACK_PROFILE.read_text()
    assert "<useBuiltinTransports>false</useBuiltinTransports>" in text
    assert "SHM" not in text and "<address>127.0.0.1</address>" in text
    # Applying the result again changes nothing (NodeProcess applies it to the demo's env).
    assert brain_dds_settings({"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", **local}) == {}
    for chosen in ({"FASTDDS_BUILTIN_TRANSPORTS": "DEFAULT"},
                   {"FASTDDS_DEFAULT_PROFILES_FILE": "/etc/my.xml"},
                   {"ROS_STATIC_PEERS": "10.0.0.2"},
                   {"RMW_IMPLEMENTATION": "rmw_cyclonedds_cpp"}):
        assert brain_dds_settings({"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", **chosen}) == {}
