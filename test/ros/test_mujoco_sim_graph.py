"""The `mujoco_sim` node on a real DDS graph: the built-in sim's interface, the head cloud in
livox_ros_driver2's layout, the sway in odometry, robot_description, stops by itself."""

from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import TwistStamped
from nav_msgs.msg import Odometry
from sensor_msgs.msg import BatteryState, LaserScan, PointCloud2
from std_msgs.msg import String

from robot_brain.core.robot_model import HUMANOID
from robot_brain.ros import qos
from test.ros.graph import CONFIG, Graph, Probe

pytestmark = pytest.mark.ros
pytest.importorskip("mujoco", reason="mujoco (requirements/python.txt) not installed")

START_WAIT_S = 60.0
POINTS = 5000
SLICES = 5  # brain.yaml's: each message a fifth of a frame
TIMEOUT_S = 0.5


def _drive(pub: Any, probe: Probe, linear: float, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        msg = TwistStamped()
        msg.header.stamp = probe.node.get_clock().now().to_msg()
        msg.header.frame_id = "base_link"
        msg.twist.linear.x = linear
        pub.publish(msg)
        time.sleep(0.05)


def _log(g: Graph) -> str:
    return "\n".join(f"--- {name}\n{text}" for name, text in g.logs())


def test_mujoco_sim_speaks_the_robot_interface_and_the_head_cloud(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        assert g.probe is not None
        probe = g.probe
        probe.subscribe(Odometry, "odom", qos.SENSOR)
        probe.subscribe(LaserScan, "scan", qos.SENSOR)
        probe.subscribe(PointCloud2, "livox/lidar", qos.SENSOR)
        probe.subscribe(BatteryState, "battery_state", qos.RELIABLE)
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        probe.subscribe(String, "robot_description", qos.STATE)
        extra = tmp_path / "overrides.yaml"
        extra.write_text(yaml.safe_dump({"mujoco_sim": {"ros__parameters": {
            "head_lidar_points_per_frame": POINTS, "head_lidar_slices_per_frame": SLICES,
            "cmd_timeout_s": TIMEOUT_S,
            "rt_priority": 0}}}))
        try:
            from tf2_msgs.msg import TFMessage
            probe.subscribe(TFMessage, "/tf_static", qos.STATE)
            has_tf = True
        except ImportError:
            has_tf = False
        proc = g.start("mujoco_sim", params_files=[CONFIG, extra])
        probe.wait_for(lambda: all(probe.messages(t) for t in (
            "odom", "scan", "livox/lidar", "robot_description")), START_WAIT_S,
            "odom, scan, cloud and robot_description from mujoco_sim")

        cloud = probe.last("livox/lidar")
        assert cloud.header.frame_id == "livox_frame"
        assert [(f.name, f.offset, f.datatype, f.count) for f in cloud.fields] == [
            ("x", 0, 7, 1), ("y", 4, 7, 1), ("z", 8, 7, 1), ("intensity", 12, 7, 1),
            ("tag", 16, 2, 1), ("line", 17, 2, 1), ("timestamp", 18, 8, 1)]
        assert (cloud.height, cloud.point_step, cloud.is_bigendian) == (1, 26, False)
        assert 0.5 * POINTS / SLICES < cloud.width <= POINTS / SLICES
        assert cloud.row_step == 26 * cloud.width == len(cloud.data)
        dtype = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("i", "<f4"),
                          ("tag", "u1"), ("line", "u1"), ("t", "<f8")])
        pts = np.frombuffer(bytes(cloud.data), dtype=dtype)
        # Upside down at 1.2 m: the floor (most returns of a head lidar) is 1.2 m "up" in the
        # sensor's frame, and nothing is farther up.
        floor = np.abs(pts["z"] - 1.2) < 0.1
        assert floor.mean() > 0.2 and pts["z"].max() < 1.35
        stamp_ns = cloud.header.stamp.sec * 10**9 + cloud.header.stamp.nanosec
        assert pts["t"][0] == pytest.approx(stamp_ns, abs=1e3)

        scan = probe.last("scan")
        assert scan.header.frame_id == "laser" and len(scan.ranges) == 360
        if has_tf:
            probe.wait_for(lambda: bool(probe.messages("/tf_static")), START_WAIT_S,
                           "/tf_static of the sensor mounts")
            mounts = {t.child_frame_id: t.transform
                      for t in probe.last("/tf_static").transforms}
            livox = mounts["livox_frame"]
            assert livox.translation.z == pytest.approx(HUMANOID.head_lidar.pose.z)
            assert abs(livox.rotation.x) == pytest.approx(1.0)  # roll pi: upside down
            assert mounts["laser"].translation.z == pytest.approx(HUMANOID.knee_laser.pose.z)
        description = ET.fromstring(probe.last("robot_description").data)
        assert {"base_link", "livox_frame", "laser"} <= {
            link.get("name") for link in description.findall("link")}

        pub = probe.publisher(TwistStamped, "cmd_vel", qos.RELIABLE)
        probe.wait_for(lambda: pub.get_subscription_count() > 0, START_WAIT_S,
                       "mujoco_sim subscribed to cmd_vel")
        x0 = probe.last("odom").pose.pose.position.x
        probe.clear("odom")
        _drive(pub, probe, 0.4, 3.0)
        odoms = [r.msg for r in probe.messages("odom")]
        assert odoms[-1].pose.pose.position.x - x0 > 0.5, _log(g)
        tilts = [math.degrees(2 * math.asin(min(1.0, math.hypot(o.pose.pose.orientation.x,
                                                                 o.pose.pose.orientation.y))))
                 for o in odoms]
        assert 0.5 < max(tilts) < 5.0, "walking sways the body (and odometry says so)"
        # No more commands: the robot's own timeout stops it.
        probe.wait_for(lambda: probe.last("odom").twist.twist.linear.x == 0.0, START_WAIT_S,
                       "the robot stops by itself after the cmd_vel timeout")

        probe.wait_for(lambda: "clouds_published" in probe.diagnostic_values("mujoco_sim"),
                       START_WAIT_S, "mujoco_sim diagnostics")
        values = probe.diagnostic_values("mujoco_sim")
        for key in ("distance_walked_m", "collisions", "battery_percentage", "real_time_factor",
                    "cloud_encode_ms_p50", "physics_ms_per_sim_s", "roll_deg"):
            assert key in values, values
        assert int(values["clouds_published"]) > 0
        bat = probe.last("battery_state")
        assert bat is not None and 0.0 < bat.percentage <= 1.0 and bat.current < 0.0
        assert proc.running(), _log(g)
    assert f"{len(HUMANOID.parts)}" and "mujoco_sim summary" in _log(g)


def test_a_bad_world_fails_at_start_with_one_line(tmp_path: Path) -> None:
    world = tmp_path / "bad_world.yaml"
    world.write_text("bounds: {x_min: 0, x_max: 1, y_min: 0, y_max: 1}\n"
                     "boxes: [{center: [0.5, 0.5], size: [0.2, 0.2], z_min: 1.0}]\n")
    with Graph(tmp_path) as g:
        proc = g.start("mujoco_sim", parameters={"world_file": str(world)})
        assert proc.proc is not None
        assert proc.proc.wait(START_WAIT_S) == 1
    log = _log(g)
    assert "z_max" in log and "Traceback" not in log
