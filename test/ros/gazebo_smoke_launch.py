"""The Gazebo smoke test itself (launch_testing), imported by test_gazebo_smoke.py only where
ros_gz, Gazebo and launch_testing exist; its docstring says what is checked."""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
import time
import unittest
from pathlib import Path
from typing import Any

import launch_testing
import launch_testing.actions
import pytest
import rclpy
import yaml
from ament_index_python.packages import get_package_share_directory
from diagnostic_msgs.msg import DiagnosticArray
from launch import LaunchDescription
from launch.actions import IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
from nav_msgs.msg import Odometry
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import BatteryState, LaserScan
from std_msgs.msg import String

from robot_brain.ros import qos

pytestmark = pytest.mark.ros

PLAN = '{"steps": [{"skill": "navigate_to", "place": "start_area"}]}'
START = (-1.0, 0.0)           # apartment.yaml's start; start_area is (0, 0), 1 m ahead
#: Gazebo's start (rendering, physics) and a 1-m walk at 0.6 m/s: seconds on a desktop;
#: >= 10x that for a loaded CI machine or software rendering.
START_TIMEOUT_S = 180.0
WALK_TIMEOUT_S = 180.0


def _params_file() -> str:
    """The shipped config, with the planner scripted (one fixed plan, no model)."""
    share = get_package_share_directory("robot_brain")
    config = yaml.safe_load(Path(share, "config", "brain.yaml").read_text())
    planner = config["/**/planner"]["ros__parameters"]
    planner.update({"backend": "scripted", "scripted_replies": [PLAN], "vertical_tier": False})
    fd, path = tempfile.mkstemp(prefix="gazebo_smoke_", suffix=".yaml")
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(config, f)
    return path


@pytest.mark.launch_test
def generate_test_description() -> tuple[LaunchDescription, dict[str, Any]]:
    share = get_package_share_directory("robot_brain")
    params = _params_file()
    gazebo = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(os.path.join(share, "launch", "gazebo.launch.py")),
        launch_arguments={"gz_extra_args": "-s --headless-rendering",
                          "planner_backend": "scripted", "params_file": params,
                          "rt_priority": "0"}.items())
    return LaunchDescription([gazebo, launch_testing.actions.ReadyToTest()]), {"params": params}


class Probe:
    def __init__(self) -> None:
        if not rclpy.ok():
            rclpy.init()
        self.node = rclpy.create_node("gazebo_smoke_probe")
        self.inbox: dict[str, list[tuple[float, Any]]] = {}
        self.lock = threading.Lock()
        for msg_type, topic, profile in (
                (LaserScan, "scan", qos.SENSOR), (Odometry, "odom", qos.SENSOR),
                (BatteryState, "battery_state", qos.RELIABLE), (Clock, "/clock", qos.SENSOR),
                (DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS),
                (String, "planner/status", qos.RELIABLE)):
            self.inbox[topic] = []
            self.node.create_subscription(msg_type, topic, self._keep(topic), profile)
        self.instruction = self.node.create_publisher(String, "brain/instruction", qos.RELIABLE)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()

    def _keep(self, topic: str):  # noqa: ANN202 - a subscription callback
        def cb(msg: Any) -> None:
            with self.lock:
                self.inbox[topic].append((time.monotonic(), msg))
        return cb

    def _spin(self) -> None:
        while not self._stop.is_set() and rclpy.ok():
            rclpy.spin_once(self.node, timeout_sec=0.05)

    def messages(self, topic: str) -> list[Any]:
        with self.lock:
            return [m for _t, m in self.inbox[topic]]

    def wait_for(self, predicate: Any, timeout: float, what: str) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    def diagnostics(self, prefix: str) -> dict[str, str]:
        for msg in reversed(self.messages("/diagnostics")):
            for status in msg.status:
                if status.name.startswith(prefix):
                    return {kv.key: kv.value for kv in status.values}
        return {}

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)
        self.node.destroy_node()


class TestGazeboDoor(unittest.TestCase):
    probe: Probe

    @classmethod
    def setUpClass(cls) -> None:
        cls.probe = Probe()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.probe.close()

    def test_1_sensors_arrive_with_the_brains_frames_and_units(self) -> None:
        p = self.probe
        for topic in ("scan", "odom", "battery_state", "/clock"):
            p.wait_for(lambda t=topic: len(p.messages(t)) >= 3, START_TIMEOUT_S,
                       f"{topic} from Gazebo (robot spawned, bridge up)")
        scan = p.messages("scan")[-1]
        self.assertEqual(scan.header.frame_id, "laser")
        self.assertEqual(len(scan.ranges), 360)
        self.assertAlmostEqual(scan.range_max, 8.0, places=3)
        self.assertAlmostEqual(scan.angle_min, -math.pi, places=3)
        odom = p.messages("odom")[-1]
        self.assertEqual((odom.header.frame_id, odom.child_frame_id), ("odom", "base_link"))
        # Spawned at the world's start (the robot may have moved a little since).
        x, y = odom.pose.pose.position.x, odom.pose.pose.position.y
        self.assertLess(math.hypot(x - START[0], y - START[1]), 0.5, (x, y))
        battery = p.messages("battery_state")[-1]
        self.assertAlmostEqual(battery.capacity, 20.0, places=3)        # Ah
        self.assertGreater(battery.percentage, 1.0)                      # 0..100 (fix 225)
        self.assertLessEqual(battery.charge, battery.capacity)
        self.assertEqual(battery.power_supply_status,
                         BatteryState.POWER_SUPPLY_STATUS_DISCHARGING)
        # /clock: one message per 4-ms physics step (scripts/make_gazebo_world.py).
        clocks = [c.clock.sec + c.clock.nanosec * 1e-9 for c in p.messages("/clock")[-50:]]
        steps = [b - a for a, b in zip(clocks, clocks[1:], strict=False) if b > a]
        self.assertTrue(steps)
        self.assertAlmostEqual(min(steps), 0.004, places=4)

    def test_2_the_brain_reads_the_battery_as_gazebo_means_it(self) -> None:
        p = self.probe
        p.wait_for(lambda: p.diagnostics("power").get("draw_source") == "measured",
                   START_TIMEOUT_S, "the power monitor measuring the draw")
        power = p.diagnostics("power")
        self.assertGreater(float(power["state_of_charge"]), 0.9)   # a full pack, not 100x
        self.assertLessEqual(float(power["state_of_charge"]), 1.0)
        self.assertEqual(power["battery_percentage_scale"], "percent")
        self.assertIn(power["battery_current_sign"], ("ros", "gazebo"))  # per gz version
        self.assertGreater(float(power["draw_w"]), 100.0)  # the SDF's 150 W load
        # gz's first odometry after the spawn (~1000 m/s) is rejected, not used.
        p.wait_for(lambda: "implausible_odometry" in p.diagnostics("controller"),
                   START_TIMEOUT_S, "the controller's diagnostics")
        self.assertLessEqual(int(p.diagnostics("controller")["implausible_odometry"]), 3)

    def test_3_an_instruction_is_walked_to_its_end(self) -> None:
        p = self.probe
        p.wait_for(lambda: p.instruction.get_subscription_count() >= 1, START_TIMEOUT_S,
                   "the planner subscribed to brain/instruction")
        p.instruction.publish(String(data="go to the start area"))

        def done() -> bool:
            statuses = p.messages("planner/status")
            return bool(statuses) and json.loads(statuses[-1].data).get("outcome") == "done"

        p.wait_for(done, WALK_TIMEOUT_S, "the plan done (planner/status)")
        odom = p.messages("odom")[-1].pose.pose.position
        self.assertLess(math.hypot(odom.x, odom.y), 0.3 + 0.1)  # at start_area (0, 0)
        controller = p.diagnostics("controller")
        self.assertEqual(controller.get("clock_resets"), "0")
        self.assertGreater(float(controller.get("real_time_factor", "nan")), 0.0)


@launch_testing.post_shutdown_test()
class TestShutdown(unittest.TestCase):
    def test_params_file_removed(self, params: str) -> None:
        os.unlink(params)
