"""Parameter groups declared for a list of names read at start: `<name>.<field>` for every
name, all from one config dataclass.

ROS parameters must be declared before they can be read, and a node with any number of
sensors cannot declare `head.topic` before it knows there is a `head`. So the list comes
first (an ordinary parameter, e.g. perception's `sources: [head, knee]`), then each listed
name gets the dataclass's parameters under its prefix, with the same descriptors, ranges and
checks as any other parameter (robot_brain.core.config.params), and its own instance:

    shared = declare_config(node, SourcesConfig)
    sources = declare_groups(node, SourceConfig, shared.sources)  # head.topic, knee.topic, ...

In a params file a group is a nested mapping (`head: {topic: /livox/lidar}`), which rcl
flattens to `head.topic`. Keys under a name that is not listed are never declared, so rclpy
ignores them (test/ros/test_config_consistency.py checks the shipped YAML).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from rclpy.node import Node

from robot_brain.core.config.params import ParamError, load, specs
from robot_brain.ros.params import ConfigError, declare_params

C = TypeVar("C")


def group_prefix(name: str) -> str:
    return f"{name}."


def declare_groups(node: Node, cls: type[C], names: Sequence[str], **extra: Any
                   ) -> tuple[C, ...]:
    """One `cls` per name, its parameters declared as `<name>.<field>`; the instance also
    gets the non-parameter field `name` when `cls` has one (and `extra`). Errors are
    ConfigurationErrors naming the prefixed parameter."""
    out = []
    for name in names:
        prefix = group_prefix(name)
        values = declare_params(node, specs(cls, prefix))
        fields = getattr(cls, "__dataclass_fields__", {})
        named = {"name": name} if "name" in fields else {}
        try:
            out.append(load(cls, values, prefix, **named, **extra))
        except ParamError as exc:
            raise ConfigError(str(exc)) from exc
    return tuple(out)
