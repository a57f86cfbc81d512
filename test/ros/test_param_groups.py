"""declare_groups declares `<name>.<field>` for every listed name, from one dataclass, with
descriptors, and refuses bad values naming the prefixed parameter."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
import rclpy
from rclpy.node import Node
from rclpy.parameter import Parameter

from robot_brain.core.errors import ConfigurationError
from robot_brain.core.perception.cloud.config import SourceConfig, SourcesConfig
from robot_brain.ros.param_groups import declare_groups
from robot_brain.ros.params import declare_config


@pytest.fixture
def ros() -> Iterator[None]:
    own = not rclpy.ok()
    if own:
        rclpy.init()
    yield
    if own:
        rclpy.shutdown()


def _node(overrides: dict[str, object]) -> Node:
    return Node("groups_test", parameter_overrides=[Parameter(k, value=v)
                                                     for k, v in overrides.items()])


def test_groups_are_declared_per_listed_name(ros: None) -> None:
    node = _node({"sources": ["head", "knee"], "head.type": "cloud",
                  "head.mount_xyz": [0.0, 0.0, 1.2], "head.mount_rpy": [math.pi, 0.0, 0.0],
                  "knee.mount_xyz": [0.1, 0.0, 0.3], "ghost.type": "cloud"})
    try:
        shared = declare_config(node, SourcesConfig)
        head, knee = declare_groups(node, SourceConfig, shared.sources)
        assert (head.name, head.type, head.mount.rpy[0]) == ("head", "cloud", math.pi)
        assert (knee.name, knee.type, knee.mount.xyz) == ("knee", "scan", (0.1, 0.0, 0.3))
        assert head.resolved_topic == "head"
        assert node.has_parameter("knee.range_max") and not node.has_parameter("ghost.type")
        desc = node.describe_parameter("head.mount_xyz")
        assert "base_link" in desc.description and "[m]" in desc.description
    finally:
        node.destroy_node()


@pytest.mark.parametrize(("overrides", "words"), [
    ({"head.type": "radar"}, "'head.type' = 'radar' is not one of"),
    ({"head.mount_xyz": [0.0, 1.0]}, "source 'head': mount_xyz and mount_rpy need 3 numbers"),
    ({"head.range_min": 5.0, "head.range_max": 2.0}, "range_min 5.0 must be below"),
])
def test_bad_group_values_name_the_parameter(ros: None, overrides: dict, words: str) -> None:
    node = _node({"sources": ["head"], **overrides})
    try:
        with pytest.raises(ConfigurationError) as info:
            declare_groups(node, SourceConfig, declare_config(node, SourcesConfig).sources)
        assert words in str(info.value)
    finally:
        node.destroy_node()
