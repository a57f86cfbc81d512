"""The Gazebo launch's decisions (robot_brain.core.sim.gazebo) and which nodes follow /clock
(robot_brain.core.config.sim_time), on the shipped files and on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot_brain.core.config.sim_time import CLOCK_NODES, freshness_clock, node_uses_sim_time
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.sim.gazebo import (
    GazeboWorldError,
    PartitionError,
    check_partition,
    default_partition,
    read_world,
    spawn_failure,
    spawn_pose,
)
from test.unit.gazebo_files import WORLD_SDF


def test_the_shipped_world_is_named_and_has_the_start() -> None:
    world = read_world(str(WORLD_SDF))
    assert world.name == "apartment"
    assert world.start == ("-1", "0", "0")  # robot_brain/worlds/apartment.yaml's start
    assert spawn_pose(world, str(WORLD_SDF), "", "", "") == ("-1", "0", "0")
    assert spawn_pose(world, str(WORLD_SDF), "2", "", "") == ("2", "0", "0")
    assert spawn_pose(world, str(WORLD_SDF), "1", "2", "3") == ("1", "2", "3")


@pytest.mark.parametrize(("text", "words"), [
    ("<sdf version='1.10'><world><physics/></world></sdf>", "no <world name="),
    ("<sdf version='1.10'><world name='w'", "cannot be read"),
    ("", "cannot be read"),
])
def test_unusable_worlds_are_one_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "w.sdf"
    path.write_text(text)
    with pytest.raises(GazeboWorldError, match=words) as info:
        read_world(str(path))
    assert "\n" not in str(info.value) and isinstance(info.value, ConfigurationError)
    with pytest.raises(GazeboWorldError, match="cannot be read"):
        read_world(str(tmp_path / "missing.sdf"))


def test_a_world_without_a_start_needs_the_pose(tmp_path: Path) -> None:
    path = tmp_path / "w.sdf"
    path.write_text("<sdf version='1.10'><world name='flat'/></sdf>")
    world = read_world(str(path))
    assert world.name == "flat" and world.start is None
    with pytest.raises(GazeboWorldError, match="pass x:=, y:= and yaw:="):
        spawn_pose(world, str(path), "1", "", "")
    assert spawn_pose(world, str(path), "1", "2", "0.5") == ("1", "2", "0.5")


def test_default_partitions_are_unique_and_valid() -> None:
    a = default_partition("lab-pc.example.org", 1234)
    assert a == "robot_brain_lab-pc.example.org_1234"
    assert a != default_partition("lab-pc.example.org", 1235)
    assert check_partition(default_partition("we ird@host:=x", 7)) == \
        "robot_brain_we_ird_host__x_7"


@pytest.mark.parametrize("bad", ["", "/", "a b", "a~b", "a//b", "user@host", "a:=b"])
def test_partitions_gz_transport_refuses_are_refused(bad: str) -> None:
    with pytest.raises(PartitionError, match="not a valid gz-transport partition"):
        check_partition(bad)


def test_gz_default_style_partition_is_accepted() -> None:
    # gz-transport's own default is "<hostname>:<username>".
    assert check_partition("lab-pc:alice") == "lab-pc:alice"


def test_a_failed_or_hung_spawn_is_one_line_saying_why() -> None:
    failed = spawn_failure("humanoid", "apartment", 1, 60.0)
    assert "exited with code 1" in failed and "'apartment'" in failed
    hung = spawn_failure("humanoid", "apartment", None, 60.0)
    assert "did not finish within 60 s" in hung and "GZ_PARTITION" in hung
    assert "\n" not in failed + hung


def test_only_nodes_with_their_own_stamps_follow_the_clock() -> None:
    for node in ("controller", "watchdog", "power_monitor", "live_view"):
        assert not node_uses_sim_time(node, True), node
    assert {n for n in ("perception", "planner", "recorder", "sim", "mujoco_sim")
            if node_uses_sim_time(n, True)} == set(CLOCK_NODES)
    assert not any(node_uses_sim_time(n, False) for n in CLOCK_NODES)
    assert (freshness_clock(True), freshness_clock(False)) == ("sim", "steady")
