"""The fast path composed: perception and controller in one process, on one executor.

As a ROS 2 component container would host them: the two nodes keep their names, parameters,
topics and diagnostics, but a scan's sectors reach the controller without leaving the
process (no second process to wake, no loopback transport), and one Python interpreter
(~70 MB) is saved. `robot-brain demo --no-compose` or `ros2 launch ... compose:=false` runs
them as two processes again (docs/composition.md).

The controller is built last, so its real-time policy is the one the shared thread keeps
(docs/realtime.md); the watchdog stays in a process of its own, so a stalled fast path is
still caught from outside.
"""

from __future__ import annotations

from robot_brain.nodes.controller_node import ControllerNode
from robot_brain.nodes.perception_node import PerceptionNode
from robot_brain.ros.runtime import run_nodes


def main(args: list[str] | None = None) -> int:
    return run_nodes((PerceptionNode, ControllerNode), args, freeze_gc=True)


if __name__ == "__main__":
    raise SystemExit(main())
