"""Which of the brain's nodes follow /clock when the robot is simulated (use_sim_time:=true).

A simulator publishes /clock on every physics step (gz-sim: unthrottled, 250 Hz with the
shipped 4-ms world; 1 kHz at gz's usual 1 ms), and every rclpy node with use_sim_time runs a
Python callback for each message. So only the nodes whose *own stamps* must share the
simulator's time base follow it:

* `perception`: its sensor sources refuse a scan or cloud stamped more than
  `stamp_max_age_s` before (or `stamp_max_ahead_s` after) the node's clock, and level it with
  the attitude at its stamp: under a simulator both need the simulator's time;
* `planner`: planner/goal's stamp, so RViz or Foxglove place the goal at the simulated time
  of the TF tree;
* `recorder`: a bag's log times, so a recorded run replays against its own /clock;
* the simulators (`sim`, `mujoco_sim`: robot_brain.core.config.sim_choice.SIM_NODES): the one that
  is the /clock source (publish_clock) stamps its sensors with the simulated time it
  publishes there, so its node clock must be that time too (mujoco_sim stamps from it).

The `controller` and the `watchdog` run on steady-clock timers, judge their inputs on receipt
and copy the scan's stamp into their outputs: they never read the ROS clock for a decision,
and a /clock callback on the thread that ticks at 100 Hz is what they must not have. The
controller judges sensor freshness in simulated seconds instead, from the stamps it already
receives (`freshness_clock: sim`, robot_brain.core.control.freshness). The `power_monitor`
computes endurance from energy and power (no clock in it) on a steady timer, and `live_view`
stamps with the system clock. Their self-made stamps (diagnostics, the watchdog's own stop
commands) are wall-clock times.
"""

from __future__ import annotations

from robot_brain.core.config.sim_choice import SIM_NODES

#: Nodes that run with use_sim_time as launched; every other node runs on steady/wall time.
CLOCK_NODES = frozenset({"perception", "planner", "recorder", *SIM_NODES})


def node_uses_sim_time(node: str, use_sim_time: bool) -> bool:
    return use_sim_time and node in CLOCK_NODES


def freshness_clock(use_sim_time: bool) -> str:
    """The controller's freshness_clock for a launch (robot_brain.core.control.freshness)."""
    return "sim" if use_sim_time else "steady"
