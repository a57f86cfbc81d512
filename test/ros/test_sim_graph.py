"""The `sim` node on a real DDS graph: obeys cmd_vel, scans, stops by itself, shrugs off NaN
and malformed bytes."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import TwistStamped
from nav_msgs.msg import Odometry
from sensor_msgs.msg import BatteryState, LaserScan
from std_msgs.msg import String

from robot_brain.cli.processes import NodeProcess
from robot_brain.ros import qos
from test.ros.graph import CONFIG, Graph, Probe

pytestmark = pytest.mark.ros

BEAMS = 90
TIMEOUT_S = 0.5
#: Every wait below is >= 10x what it should take on an idle machine.
START_WAIT_S = 60.0
MOTION_WAIT_S = 20.0


def _odom_x(probe: Probe) -> float:
    return float(probe.last("odom").pose.pose.position.x)


def _twist(linear: float, angular: float = 0.0) -> TwistStamped:
    msg = TwistStamped()
    msg.header.frame_id = "base_link"
    msg.twist.linear.x = linear
    msg.twist.angular.z = angular
    return msg


def _drive(pub: Any, probe: Probe, linear: float, seconds: float, angular: float = 0.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        msg = _twist(linear, angular)
        msg.header.stamp = probe.node.get_clock().now().to_msg()
        pub.publish(msg)
        time.sleep(0.05)


def _start_sim(g: Graph, **params: object) -> tuple[Probe, NodeProcess]:
    assert g.probe is not None
    probe = g.probe
    probe.subscribe(Odometry, "odom", qos.SENSOR)
    probe.subscribe(LaserScan, "scan", qos.SENSOR)
    probe.subscribe(BatteryState, "battery_state", qos.RELIABLE)
    probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
    probe.subscribe(String, "robot_description", qos.STATE)
    # A node block in a later params file, not `-p`: rcl lets the shipped YAML's `sim:` block
    # win over `-p` overrides (those land in the `/**` wildcard block).
    overrides = {"lidar_beams": BEAMS, "cmd_timeout_s": TIMEOUT_S, **params}
    extra = g.log_dir / "sim_overrides.yaml"
    extra.write_text(yaml.safe_dump({"sim": {"ros__parameters": overrides}}))
    proc = g.start("sim", params_files=[CONFIG, extra])
    probe.wait_for(lambda: bool(probe.messages("odom")) and bool(probe.messages("scan")),
                   START_WAIT_S, "first odom and scan from sim")
    return probe, proc


def _log(g: Graph) -> str:
    return "\n".join(f"--- {name}\n{text}" for name, text in g.logs())


def test_sim_obeys_cmd_vel_scans_and_stops_after_timeout(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe, proc = _start_sim(g)
        pub = probe.publisher(TwistStamped, "cmd_vel", qos.RELIABLE)
        probe.wait_for(lambda: pub.get_subscription_count() > 0, START_WAIT_S,
                       "sim subscribed to cmd_vel")

        scan = probe.last("scan")
        assert scan.header.frame_id == "laser"
        assert len(scan.ranges) == BEAMS
        assert scan.angle_increment == pytest.approx(2 * math.pi / BEAMS, rel=1e-6)
        assert all(r > 0.0 for r in scan.ranges)  # finite hits or +inf, never NaN or <= 0

        x0 = _odom_x(probe)
        odom = probe.last("odom")
        assert (odom.header.frame_id, odom.child_frame_id) == ("odom", "base_link")
        _drive(pub, probe, 0.3, 2.0)
        x_last_cmd = _odom_x(probe)
        assert x_last_cmd - x0 > 0.2, _log(g)
        moving = [r.msg.twist.twist.linear.x for r in probe.messages("odom")[-10:]]
        assert max(moving) == pytest.approx(0.3, abs=1e-6)
        assert abs(probe.last("odom").pose.pose.position.y) < 1e-6

        # No more commands: the robot holds the last one until its own timeout, then brakes.
        probe.wait_for(lambda: probe.last("odom").twist.twist.linear.x == 0.0,
                       MOTION_WAIT_S, "the robot stops by itself after the cmd_vel timeout")
        coasted = _odom_x(probe) - x_last_cmd
        # 0.3 m/s for up to the 0.5 s timeout plus braking: clearly more than a step or two.
        assert coasted > 0.05
        stopped_x = _odom_x(probe)
        time.sleep(1.0)
        assert _odom_x(probe) == pytest.approx(stopped_x, abs=1e-9)

        probe.wait_for(lambda: bool(probe.messages("robot_description")), START_WAIT_S,
                       "robot_description (transient local)")
        assert "<robot name=\"humanoid\">" in probe.last("robot_description").data
        probe.wait_for(lambda: bool(probe.messages("battery_state")), START_WAIT_S,
                       "battery_state")
        bat = probe.last("battery_state")
        assert 0.0 < bat.percentage <= 1.0 and bat.current < 0.0 and bat.voltage > 40.0
        assert bat.present and bat.power_supply_status == \
            BatteryState.POWER_SUPPLY_STATUS_DISCHARGING
        probe.wait_for(lambda: bool(probe.diagnostic_values("sim")), START_WAIT_S,
                       "sim diagnostics")
        values = probe.diagnostic_values("sim")
        for key in ("distance_walked_m", "collisions", "battery_percentage", "energy_used_wh",
                    "real_time_factor"):
            assert key in values, values
        probe.wait_for(lambda: float(probe.diagnostic_values("sim")["distance_walked_m"]) > 0.2,
                       START_WAIT_S, "distance walked reported")
        assert proc.running()


def test_non_finite_cmd_vel_is_ignored_and_the_node_lives(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe, proc = _start_sim(g)
        pub = probe.publisher(TwistStamped, "cmd_vel", qos.RELIABLE)
        probe.wait_for(lambda: pub.get_subscription_count() > 0, START_WAIT_S,
                       "sim subscribed to cmd_vel")
        x0 = _odom_x(probe)
        # Bytes that are no TwistStamped (a CDR header, then too little): never a command.
        for raw in (b"\x00\x01\x00\x00\x01\x02\x03", b"\x00\x01\x00\x00" + b"\xff" * 12):
            for _ in range(5):
                pub.publish(raw)
                time.sleep(0.05)
        probe.wait_for(lambda: int(probe.diagnostic_values("sim").get("cmd_vel_rejected", 0)) > 0,
                       START_WAIT_S, "malformed cmd_vel counted")
        assert proc.running(), _log(g)
        assert _odom_x(probe) == pytest.approx(x0, abs=1e-9)
        for bad in (math.nan, math.inf, -math.inf):
            _drive(pub, probe, bad, 0.5)
            _drive(pub, probe, 0.3, 0.5, angular=bad)
        probe.clear("odom")
        probe.wait_for(lambda: bool(probe.messages("odom")), START_WAIT_S, "odom after NaN")
        assert proc.running(), _log(g)
        assert _odom_x(probe) == pytest.approx(x0, abs=1e-9)
        assert probe.last("odom").twist.twist.linear.x == 0.0

        # A malformed planner/status is also just a warning.
        status = probe.publisher(String, "planner/status", qos.RELIABLE)
        probe.wait_for(lambda: status.get_subscription_count() > 0, START_WAIT_S,
                       "sim subscribed to planner/status")
        status.publish(String(data="{not json"))
        status.publish(String(data='{"state": "thinking", "locality": "local"}'))
        probe.wait_for(lambda: probe.diagnostic_values("sim").get("planner_load_w") == "24",
                       START_WAIT_S, "planner load applied")
        assert proc.running(), _log(g)
    log = _log(g)
    assert "non-finite cmd_vel" in log
    assert "malformed cmd_vel" in log
    assert "malformed planner/status" in log


def test_bad_world_fails_at_start_with_a_clear_message(tmp_path: Path) -> None:
    world = tmp_path / "bad_world.yaml"
    world.write_text("bounds: {x_min: 0, x_max: 1, y_min: 0, y_max: 1}\n"
                     "places: {dock: {x: 5, y: 0}}\n")
    with Graph(tmp_path) as g:
        proc = g.start("sim", parameters={"world_file": str(world)})
        assert proc.proc is not None
        assert proc.proc.wait(START_WAIT_S) == 1
    assert "outside the map bounds" in _log(g)


def _thread_names(pid: int) -> list[str]:
    names = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            names.append((task / "comm").read_text().strip())
        except OSError:
            pass  # the thread ended meanwhile
    return names


def test_brain_process_talks_udp_only_with_a_plain_localhost_participant(
        tmp_path: Path) -> None:
    """A node started as the demo starts it has no shared-memory transport (rmw's LOCALHOST
    mode would add one: robot_brain/ros/dds_environment.py), yet this test's probe, a plain
    LOCALHOST participant with shared memory, still exchanges messages with it both ways."""
    with Graph(tmp_path) as g:
        probe, proc = _start_sim(g)  # odom and scan received: sim -> probe works
        pub = probe.publisher(TwistStamped, "cmd_vel", qos.RELIABLE)
        probe.wait_for(lambda: pub.get_subscription_count() > 0, START_WAIT_S,
                       "sim subscribed to cmd_vel")
        x0 = _odom_x(probe)
        _drive(pub, probe, 0.3, 1.0)  # probe -> sim works
        assert _odom_x(probe) - x0 > 0.1, _log(g)
        names = _thread_names(proc.pid)
        assert any(n.startswith("dds.udp") for n in names), names
        assert not any(n.startswith("dds.shm") for n in names), names
        # The probe itself is LOCALHOST with shared memory, so the check above can fail.
        assert any(n.startswith("dds.shm") for n in _thread_names(os.getpid()))
