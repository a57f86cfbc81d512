"""The planner node in a map world on a real graph: a localiser's pose moves its goals into
odom, bad localisation is refused and counted, places are taught over places/save (and the
robot-brain places CLI) and planned at once, bad place requests get a reason and a counter.
Time bounds are >= 10x the expected times."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PoseStamped, PoseWithCovarianceStamped
from nav_msgs.msg import Odometry
from robot_brain_interfaces.srv import ListPlaces, SavePlace
from std_msgs.msg import String

from robot_brain.core.resources import package_file
from robot_brain.ros import qos
from test.ros.graph import Graph, Probe

pytestmark = pytest.mark.ros

START_TIMEOUT = 60.0
ODOM = (14.0, 7.0)          # the robot in the corridor, odom = its start frame


def _office(tmp: Path) -> Path:
    for name in ("office.yaml", "office.pgm", "office.places.yaml"):
        shutil.copy(package_file("worlds", name), tmp / name)
    return tmp / "office.yaml"


def _odom_publisher(probe: Probe) -> None:
    pub = probe.publisher(Odometry, "odom", qos.SENSOR_PUB)

    def tick() -> None:
        msg = Odometry()
        msg.header.frame_id = "odom"
        msg.header.stamp = probe.node.get_clock().now().to_msg()
        msg.pose.pose.position.x, msg.pose.pose.position.y = ODOM
        msg.pose.pose.orientation.w = 1.0
        pub.publish(msg)
    probe.node.create_timer(0.05, tick)


def _pose(probe: Probe, frame: str, x: float, y: float) -> PoseWithCovarianceStamped:
    msg = PoseWithCovarianceStamped()
    msg.header.frame_id = frame
    msg.header.stamp = probe.node.get_clock().now().to_msg()
    msg.pose.pose.position.x, msg.pose.pose.position.y = x, y
    msg.pose.pose.orientation.w = 1.0
    return msg


def _planner_values(probe: Probe) -> dict[str, str]:
    for r in reversed(probe.messages("/diagnostics")):
        for s in r.msg.status:
            if s.name.startswith("planner"):
                return {kv.key: kv.value for kv in s.values}
    return {}


def _call(probe: Probe, srv: type, name: str, request: Any) -> Any:
    client = probe.node.create_client(srv, name)
    assert client.wait_for_service(timeout_sec=START_TIMEOUT), name
    future = client.call_async(request)
    probe.wait_for(future.done, 10.0, f"{name} answer")
    return future.result()


def test_the_planner_on_a_map_localised_and_taught(tmp_path: Path) -> None:
    world = _office(tmp_path)
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(PoseStamped, "planner/goal", qos.STATE)
        probe.subscribe(String, "planner/plan", qos.RELIABLE)
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        _odom_publisher(probe)
        g.start("planner", name="planner", parameters={
            "backend": "scripted", "world_file": str(world), "vertical_tier": True,
            "localization_source": "pose", "localization_topic": "amcl_pose"})
        loc = probe.publisher(PoseWithCovarianceStamped, "amcl_pose", qos.RELIABLE)
        probe.wait_for(lambda: loc.get_subscription_count() >= 1, START_TIMEOUT,
                       "planner subscribed to amcl_pose")
        # The localiser: the robot is 1 m further east on the map than odom says.
        loc.publish(_pose(probe, "map", ODOM[0] + 1.0, ODOM[1]))
        probe.wait_for(lambda: _planner_values(probe).get("localization_updates") == "1",
                       30.0, "the pose applied")
        # Bad localisation (the tick takes the newest pose: one at a time here).
        loc.publish(_pose(probe, "map", math.nan, 0.0))
        probe.wait_for(lambda: _planner_values(probe).get("localization_refused_not_finite")
                       == "1", 30.0, "the NaN pose refused and counted")
        loc.publish(_pose(probe, "odom", 1.0, 1.0))
        instr = probe.publisher(String, "brain/instruction", qos.RELIABLE)
        probe.wait_for(lambda: instr.get_subscription_count() >= 1, START_TIMEOUT, "instr")
        instr.publish(String(data="Go to the elevator."))   # map (23, 7): odom (22, 7)
        probe.wait_for(lambda: bool(probe.messages("planner/goal")), 30.0, "a goal")
        goal = probe.messages("planner/goal")[-1].msg
        assert goal.header.frame_id == "odom"
        assert (goal.pose.position.x, goal.pose.position.y) == pytest.approx((22.0, 7.0))
        probe.wait_for(lambda: _planner_values(probe).get("localization_refused_frame") == "1",
                       30.0, "the pose in odom refused and counted")
        assert _planner_values(probe)["localization_updates"] == "1"   # neither applied

        # Teach a place where the robot stands (map (15, 7)), then ask for it by its alias.
        saved = _call(probe, SavePlace, "places/save",
                      SavePlace.Request(name="coffee_corner", aliases=["Kaffeeecke"]))
        assert saved.success, saved.message
        assert (saved.place.x, saved.place.y) == pytest.approx((15.0, 7.0))
        for bad in ("", "x" * 10240, "printer"):
            refused = _call(probe, SavePlace, "places/save", SavePlace.Request(name=bad))
            assert not refused.success and refused.message and "\n" not in refused.message
        probe.clear("planner/plan")
        instr.publish(String(data="Geh zur Kaffeeecke."))
        probe.wait_for(lambda: bool(probe.messages("planner/plan")), 30.0, "a plan")
        plan = json.loads(probe.messages("planner/plan")[-1].msg.data)
        assert plan["accepted"] and plan["steps"][0]["place"] == "coffee_corner"
        listed = _call(probe, ListPlaces, "places/list", ListPlaces.Request())
        assert "coffee_corner" in [p.name for p in listed.places]
        assert "coffee_corner:" in (tmp_path / "office.places.yaml").read_text()
        probe.wait_for(lambda: _planner_values(probe).get("places_refused") == "3", 30.0,
                       "refused saves counted")
        # The command line, against the same planner.
        cli = subprocess.run([sys.executable, "-m", "robot_brain.cli.main", "places", "list"],
                             capture_output=True, text=True, timeout=60, env=dict(os.environ))
        assert cli.returncode == 0 and "coffee_corner: (15.00, 7.00" in cli.stdout, cli.stderr
        cli = subprocess.run([sys.executable, "-m", "robot_brain.cli.main", "places", "save",
                              ""], capture_output=True, text=True, timeout=60,
                             env=dict(os.environ))
        assert cli.returncode == 1 and "refused" in cli.stderr
        time.sleep(0.1)


def test_the_sim_in_a_map_world_publishes_a_localisers_pose(tmp_path: Path) -> None:
    from sensor_msgs.msg import LaserScan

    world = _office(tmp_path)
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(PoseWithCovarianceStamped, "amcl_pose", qos.RELIABLE)
        probe.subscribe(LaserScan, "scan", qos.SENSOR)
        g.start("sim", name="sim", parameters={
            "world_file": str(world), "odom_drift_scale": 0.05, "odom_drift_yaw_per_m": 0.02,
            "localization_pose_topic": "amcl_pose", "localization_rate_hz": 5.0,
            "rt_priority": 0})
        probe.wait_for(lambda: len(probe.messages("amcl_pose")) >= 2 and
                       bool(probe.messages("scan")), START_TIMEOUT, "amcl_pose and scan")
        pose = probe.messages("amcl_pose")[-1].msg
        assert pose.header.frame_id == "map"
        # The places file's start, on the map; the corridor's walls 1 m either side.
        assert (pose.pose.pose.position.x, pose.pose.pose.position.y) == pytest.approx((2.0, 7.0))
        scan = probe.messages("scan")[-1].msg
        ranges = [r for r in scan.ranges if math.isfinite(r)]
        assert len(ranges) > 300 and min(ranges) == pytest.approx(0.95, abs=0.1)


@pytest.mark.parametrize("node", ["sim", "planner"])
def test_a_bad_map_stops_the_node_at_start_with_one_line(tmp_path: Path, node: str) -> None:
    world = _office(tmp_path)
    world.write_text(world.read_text().replace("resolution: 0.05", "resolution: -0.05"))
    with Graph(tmp_path) as g:
        proc = g.start(node, name=node, parameters={"world_file": str(world)})
        assert proc.proc is not None and proc.proc.wait(START_TIMEOUT) == 1
    log = dict(g.logs())[node]
    # The runtime's one line (also logged as FATAL), and no traceback.
    lines = [ln for ln in log.splitlines() if ln.startswith("robot_brain: cannot start:")]
    assert len(lines) == 1 and "'resolution' must be > 0" in lines[0], log
    assert "Traceback" not in log
