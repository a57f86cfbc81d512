"""The fast path under simulated time slower than real time, on a real graph.

The built-in sim runs at a real-time factor of 0.3 and is the /clock source (stamps in
simulated time, scans 10 Hz and odometry 50 Hz of simulated time: 3 Hz and 15 Hz of wall
time), as a Gazebo on a slow host would. The controller with `freshness_clock: sim` (what
brain.launch.py sets with use_sim_time:=true) measures the factor from the odometry stamps
and judges its inputs in simulated seconds: perception stays fresh and the robot walks to its
goal. The controller does not subscribe to /clock (perception does: it checks scan stamps
against its clock).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import Odometry
from rosgraph_msgs.msg import Clock

from robot_brain.ros import qos
from test.ros.graph import CONFIG, Graph

pytestmark = pytest.mark.ros

RTF = 0.3
START = (-1.0, 0.0)
GOAL = (0.3, 0.0)          # 1.3 m ahead, short of the plant at (1, 0)
TOLERANCE = 0.3
#: ~8 s of wall time at 0.3 (0.6 m/s of simulated time); >= 10x that with start-up.
EPISODE_BOUND_S = 120.0
START_WAIT_S = 60.0


def _controller_reports(msgs: list) -> list[dict[str, str]]:
    return [{kv.key: kv.value for kv in status.values}
            for rec in msgs for status in rec.msg.status if status.name.startswith("controller")]


def _controller(msgs: list) -> dict[str, str]:
    reports = _controller_reports(msgs)
    return reports[-1] if reports else {}


def test_at_real_time_factor_0_3_the_controller_judges_freshness_in_sim_time(
        tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(Odometry, "odom", qos.SENSOR)
        probe.subscribe(Clock, "/clock", qos.SENSOR)
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        sim = g.log_dir / "sim.yaml"
        sim.write_text(yaml.safe_dump({"sim": {"ros__parameters": {
            "real_time_factor": RTF, "publish_clock": True}}}))
        g.start("sim", params_files=[CONFIG, sim])
        g.start("watchdog", parameters={"deadline_s": 0.25, "latch_s": 0.25,
                                        "holdoff_s": 0.2})
        # As brain.launch.py with use_sim_time:=true: perception on /clock (it checks scan
        # stamps against its clock), the controller off it, judging freshness in sim time.
        g.start("fast_path", node_parameters={
            "perception": {"use_sim_time": True},
            "controller": {"policy": "analytic", "use_param_goal": True, "goal_x": GOAL[0],
                           "goal_y": GOAL[1], "freshness_clock": "sim"}})
        probe.wait_for(lambda: bool(probe.messages("odom")), START_WAIT_S, "odom")

        def reached() -> bool:
            o = probe.messages("odom")[-1].msg.pose.pose.position
            return math.hypot(o.x - GOAL[0], o.y - GOAL[1]) <= TOLERANCE + 0.05

        probe.wait_for(reached, EPISODE_BOUND_S, f"the robot to reach {GOAL}")
        probe.wait_for(lambda: "real_time_factor" in _controller(probe.messages("/diagnostics"))
                       and float(_controller(probe.messages("/diagnostics"))
                                 ["real_time_factor"]) > 0.0,
                       START_WAIT_S, "the controller's real-time factor")
        reports = _controller_reports(probe.messages("/diagnostics"))
        values = reports[-1]
        clocks = probe.messages("/clock")
        odoms = probe.messages("odom")
        logs = dict(g.logs())
    # The sim really ran at 0.3: /clock advanced 0.3 s per wall second.
    span = clocks[-1].t - clocks[0].t
    sim_span = (clocks[-1].msg.clock.sec + clocks[-1].msg.clock.nanosec * 1e-9) - (
        clocks[0].msg.clock.sec + clocks[0].msg.clock.nanosec * 1e-9)
    assert sim_span / span == pytest.approx(RTF, rel=0.2), (sim_span, span)
    # Odometry is stamped in simulated time (the sim is the clock), and so judged.
    assert odoms[-1].msg.header.stamp.sec < 1000
    assert float(values["real_time_factor"]) == pytest.approx(RTF, rel=0.25), values
    assert float(values["freshness_scale"]) == pytest.approx(1 / RTF, rel=0.25), values
    # Once the factor was measured, scans 0.33 s apart in wall time never aged nor went stale
    # (on the steady clock a quarter of each scan period was past the 0.25-s hold).
    measured = [r for r in reports if float(r.get("freshness_scale", "1")) > 2.0]
    assert len(measured) >= 2, reports
    for key in ("stale_perception_ticks", "aging_perception_ticks",
                "interventions.aging_perception",
                "interventions.stale_perception"):
        assert measured[-1][key] == measured[0][key], (key, measured[0], measured[-1])
    assert values["clock_resets"] == "0", values
    assert "sensor freshness on the sim clock" in logs["fast_path"], logs["fast_path"]
