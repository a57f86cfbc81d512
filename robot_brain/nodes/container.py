"""Composite executables: several of the brain's nodes in one process, on one executor.

As a ROS 2 component container hosts components: the nodes keep their names, parameters,
topics and diagnostics; what they share is an interpreter, a DDS participant and a thread.
Which nodes go together is decided in robot_brain.core.config.composition (docs/composition.md);
`--nodes a,b` (before `--ros-args`) hosts a subset, as `robot-brain demo` and
brain.launch.py pass it.

    fast_path --nodes perception,controller --ros-args --params-file config/brain.yaml
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from rclpy.node import Node

from robot_brain.core.config.composition import CompositionError, parse_hosted
from robot_brain.ros.runtime import EXIT_STARTUP_FAILED, run_nodes


@dataclass(frozen=True)
class NodeKind:
    #: "module:class" of the rclpy node.
    node: str
    #: "module:class" of its config dataclass in the core: every parameter the node declares
    #: (robot_brain.core.config.params), read by the docs and the start-up checks too.
    config: str


#: The one place that lists the brain's node kinds.
NODE_CLASSES: dict[str, NodeKind] = {
    "sim": NodeKind("robot_brain.nodes.sim_node:SimNode",
                    "robot_brain.core.sim.node_config:SimNodeConfig"),
    "mujoco_sim": NodeKind("robot_brain.nodes.mujoco_sim_node:MujocoSimNode",
                           "robot_brain.core.sim.mujoco.node_config:MujocoSimNodeConfig"),
    "perception": NodeKind("robot_brain.nodes.perception_node:PerceptionNode",
                           "robot_brain.core.perception.node_config:PerceptionNodeConfig"),
    "controller": NodeKind("robot_brain.nodes.controller_node:ControllerNode",
                           "robot_brain.core.control.node_config:ControllerNodeConfig"),
    "watchdog": NodeKind("robot_brain.nodes.watchdog_node:WatchdogNode",
                         "robot_brain.core.watchdog.node_config:WatchdogNodeConfig"),
    "planner": NodeKind("robot_brain.nodes.planner_node:PlannerNode",
                        "robot_brain.core.planner.node_config:PlannerNodeConfig"),
    "power_monitor": NodeKind("robot_brain.nodes.power_monitor_node:PowerMonitorNode",
                              "robot_brain.core.power.node_config:PowerMonitorConfig"),
    "recorder": NodeKind("robot_brain.nodes.recorder_node:RecorderNode",
                         "robot_brain.core.report.recorder_config:RecorderConfig"),
    "live_view": NodeKind("robot_brain.nodes.live_view_node:LiveViewNode",
                          "robot_brain.core.live.node_config:LiveViewConfig"),
    "description": NodeKind("robot_brain.nodes.description_node:DescriptionNode",
                            "robot_brain.core.robot_model.node_config:DescriptionConfig"),
}

#: Composites on the fast path freeze start-up objects out of the collector's reach.
_FREEZE_GC = frozenset({"fast_path"})


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def node_class(name: str) -> Callable[[], Node]:
    factory: Callable[[], Node] = _load(NODE_CLASSES[name].node)
    return factory


def config_class(name: str) -> type[Any]:
    """The config dataclass of node kind `name` (ROS-free: importing it starts nothing)."""
    cls: type[Any] = _load(NODE_CLASSES[name].config)
    return cls


def run_composite(composite: str, args: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if args is None else args)
    try:
        hosted, rest = parse_hosted(composite, argv)
    except CompositionError as exc:
        print(f"robot_brain: cannot start: {exc}", file=sys.stderr, flush=True)
        return EXIT_STARTUP_FAILED
    return run_nodes([node_class(n) for n in hosted], rest,
                     freeze_gc=composite in _FREEZE_GC)


def fast_path_main(args: list[str] | None = None) -> int:
    return run_composite("fast_path", args)


def slow_path_main(args: list[str] | None = None) -> int:
    return run_composite("slow_path", args)
