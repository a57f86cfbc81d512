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
from typing import Callable, Sequence

from rclpy.node import Node

from robot_brain.core.config.composition import CompositionError, parse_hosted
from robot_brain.ros.runtime import EXIT_STARTUP_FAILED, run_nodes

#: The one place that lists the brain's node kinds: name -> "module:class".
NODE_CLASSES: dict[str, str] = {
    "sim": "robot_brain.nodes.sim_node:SimNode",
    "perception": "robot_brain.nodes.perception_node:PerceptionNode",
    "controller": "robot_brain.nodes.controller_node:ControllerNode",
    "watchdog": "robot_brain.nodes.watchdog_node:WatchdogNode",
    "planner": "robot_brain.nodes.planner_node:PlannerNode",
    "power_monitor": "robot_brain.nodes.power_monitor_node:PowerMonitorNode",
    "recorder": "robot_brain.nodes.recorder_node:RecorderNode",
    "live_view": "robot_brain.nodes.live_view_node:LiveViewNode",
}

#: Composites on the fast path freeze start-up objects out of the collector's reach.
_FREEZE_GC = frozenset({"fast_path"})


def node_class(name: str) -> Callable[[], Node]:
    module, _, cls = NODE_CLASSES[name].partition(":")
    factory: Callable[[], Node] = getattr(importlib.import_module(module), cls)
    return factory


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
