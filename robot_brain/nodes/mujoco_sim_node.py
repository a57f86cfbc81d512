"""`mujoco_sim`: the humanoid simulated by MuJoCo, stepped in real time (docs/mujoco.md).

The same robot interface as the built-in `sim` (cmd_vel in; scan, odom, battery_state, /clock
when asked, /diagnostics out, same QoS) plus the head lidar's cloud on `livox/lidar`
(sensor_msgs/PointCloud2 in `livox_frame`, livox_ros_driver2's point layout) and the robot's
URDF on `robot_description`. The core is robot_brain.core.sim.mujoco; mujoco is imported here,
in the constructor, so the package (and `robot-brain demo` with the built-in sim) never needs
it. Physics runs on a steady-clock timer in whole MuJoCo time steps, at most
core.sim.clock.MAX_PHYSICS_DT_S per tick; a sim that cannot keep up says so on /diagnostics.
"""

from __future__ import annotations

import math
import time
from typing import Any, Sequence

import numpy as np
from builtin_interfaces.msg import Time
from geometry_msgs.msg import TransformStamped
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from rclpy.publisher import Publisher
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import BatteryState, LaserScan, PointCloud2

from robot_brain.core.errors import StartupError
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.robot_model.urdf import FixedJoint
from robot_brain.core.sim.clock import PhysicsTicks
from robot_brain.core.sim.mujoco.livox_layout import FIELDS, POINT_STEP, pack_points
from robot_brain.core.sim.mujoco.node_config import MujocoSimNodeConfig
from robot_brain.core.sim.mujoco.realtime import RealTimeMonitor
from robot_brain.core.timing.stats import RollingWindow
from robot_brain.core.world import World, WorldError, load_world_file
from robot_brain.nodes.sim_io import (
    PlannerLoad,
    SimCommands,
    battery_state,
    laser_scan,
)
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.odom_cdr import OdometryEncoder
from robot_brain.ros.params import declare_config
from robot_brain.ros.pointcloud_cdr import PointCloud2Encoder
from robot_brain.ros.realtime import apply_realtime
from robot_brain.ros.robot_description import publish_static, publish_urdf, tf_message_type
from robot_brain.ros.runtime import run_node
from robot_brain.ros.throttled_log import ThrottledLog

#: Below this real-time factor over a diagnostics period the sim reports that it cannot keep
#: real time (WARN): the brain's freshness rules run on the steady clock.
MIN_REAL_TIME_FACTOR = 0.95
WARN_THROTTLE_S = 5.0
#: Cloud encode times kept for the diagnostics' percentiles.
_ENCODE_WINDOW = 100

class MujocoSimStartupError(StartupError):
    """The MuJoCo sim cannot start: mujoco missing, or an unusable world or setting."""


def _stamp(t: float) -> Time:
    sec = math.floor(t)
    return Time(sec=int(sec), nanosec=int((t - sec) * 1e9))


class MujocoSimNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("mujoco_sim")
        self.params = declare_config(self, MujocoSimNodeConfig)
        self.cfg = self.params.sim
        try:
            from robot_brain.core.sim.mujoco.simulator import MujocoSimulator
        except ImportError as exc:
            raise MujocoSimStartupError(
                f"the MuJoCo sim needs the `mujoco` package ({exc}); install it with "
                "`pip install -r requirements/python.txt` (mujoco==3.17.0)") from exc
        self.cmd_vel_stamped = self.params.robot.cmd_vel_stamped
        self.world = self._load_world(self.params.robot.world_file)
        self.sim = MujocoSimulator(self.world, self.cfg, self.params.velocity_limits)
        self.realtime = apply_realtime(self, self.params.realtime)
        self._steady = Clock(clock_type=ClockType.STEADY_TIME)
        self._log = ThrottledLog(self, WARN_THROTTLE_S)

        self._t0 = time.monotonic()
        self._physics = PhysicsTicks()
        self._overruns = 0
        self._tick_work_max_s = 0.0
        self._rtf = RealTimeMonitor(self._t0, MIN_REAL_TIME_FACTOR)
        self._encode_ms = RollingWindow(_ENCODE_WINDOW)
        self._cloud_points = 0
        self._clouds = 0

        self._scan_pub: Publisher | None = None
        if self.cfg.knee_laser.enabled:
            self._scan_pub = self.create_publisher(LaserScan, "scan", qos.SENSOR_PUB)
        self._cloud_pub: Publisher | None = None
        self._cloud_encoder = PointCloud2Encoder(HUMANOID.head_lidar.frame, FIELDS, POINT_STEP)
        if self.cfg.head_lidar.enabled:
            self._cloud_pub = self.create_publisher(PointCloud2, HUMANOID.head_lidar.topic,
                                                    qos.SENSOR_PUB)
        self._odom_pub = self.create_publisher(Odometry, "odom", qos.SENSOR_PUB)
        self._odom_encoder = OdometryEncoder(self.cfg.odom_frame, self.cfg.base_frame)
        self._battery_pub = self.create_publisher(BatteryState, "battery_state", qos.RELIABLE)
        self._diag_pub = diagnostics.create_diagnostics_publisher(self)
        self._clock_pub: Publisher | None = (
            self.create_publisher(ClockMsg, "/clock", qos.SENSOR_PUB)
            if self.cfg.publish_clock else None)
        if self.cfg.publish_robot_description:
            # Transient local: RViz or Foxglove joining later still gets it.
            self._description_pub = publish_urdf(self, HUMANOID)
        self._tf_pub, self._tf_type = self._create_tf_publishers()

        # The newest command at each physics tick, as bytes (as the built-in sim does).
        self._commands = SimCommands(self, self.cmd_vel_stamped, self._log)
        self._planner = PlannerLoad(self, self.cfg.loads)

        self._period_s = 1.0 / self.cfg.physics_rate_hz
        self._timer(self.cfg.physics_rate_hz, self._on_physics)
        if self._scan_pub is not None:
            self._timer(self.cfg.knee_laser.rate_hz, self._publish_scan)
        if self._cloud_pub is not None:
            # One message per slice of a frame (slices_per_frame): created beside the knee
            # laser's timer, so on the steady clock their calls fall together.
            lidar = self.cfg.head_lidar
            self._timer(lidar.rate_hz * lidar.slices_per_frame, self._publish_cloud)
        self._timer(self.cfg.odom_rate_hz, self._publish_odom)
        self._timer(self.cfg.battery_rate_hz, self._publish_battery)
        self._timer(1.0, self._publish_diagnostics)

        self.get_logger().info(
            f"mujoco_sim ready: world '{self.world.name}' ({self.world.source}, "
            f"{len(self.world.unmapped)} unmapped obstacle(s)), start ({self.sim.pose.x:.2f}, "
            f"{self.sim.pose.y:.2f}), time step {self.cfg.timestep_s} s, head lidar "
            f"{'on' if self._cloud_pub else 'off'} ({self.cfg.head_lidar.points_per_frame} "
            f"rays at {self.cfg.head_lidar.rate_hz} Hz in {self.cfg.head_lidar.slices_per_frame}"
            f" message(s) a frame), knee laser "
            f"{'on' if self._scan_pub else 'off'}, sway +-{self.cfg.gait.pitch_amplitude_deg} "
            f"deg pitch / +-{self.cfg.gait.roll_amplitude_deg} deg roll, {self.realtime}")

    # --- set-up ---------------------------------------------------------------------------

    @staticmethod
    def _load_world(world_file: str) -> World:
        try:
            # The physical world: furniture the brain's map does not know is still there.
            return load_world_file(world_file, include_unmapped=True)
        except WorldError as exc:
            raise MujocoSimStartupError(str(exc)) from exc

    def _timer(self, rate_hz: float, cb: Any) -> None:
        self.create_timer(1.0 / rate_hz, cb, clock=self._steady)

    def _create_tf_publishers(self) -> tuple[Publisher | None, Any]:
        tf_message = tf_message_type()
        if tf_message is None:
            self.get_logger().info("tf2_msgs is not installed (PyPI wheels): /tf not published")
            return None, None
        mounts = [FixedJoint(self.cfg.base_frame, m.frame, m.pose) for m in HUMANOID.mounts]
        self._tf_static_pub = publish_static(self, mounts)  # kept alive for late joiners
        return self.create_publisher(tf_message, "/tf", qos.RELIABLE), tf_message

    # --- physics --------------------------------------------------------------------------

    def _on_physics(self) -> None:
        self._commands.take(self.sim)
        now = time.monotonic()
        dt = self._physics.dt(now)
        if dt is None:
            return
        self.sim.drive(now, dt, self._planner.watts)
        work = time.monotonic() - now
        self._tick_work_max_s = max(self._tick_work_max_s, work)
        if work > self._period_s:
            self._overruns += 1
        if self._clock_pub is not None:
            self._clock_pub.publish(ClockMsg(clock=_stamp(self.sim.time)))

    # --- outputs --------------------------------------------------------------------------

    def _publish_scan(self) -> None:
        assert self._scan_pub is not None
        self._scan_pub.publish(laser_scan(self.sim.knee_lidar, self.sim.scan(),
                                          self.get_clock().now().to_msg(),
                                          HUMANOID.knee_laser.frame, self.cfg.knee_laser.rate_hz))

    def _publish_cloud(self) -> None:
        assert self._cloud_pub is not None
        now = self.get_clock().now()
        cloud = self.sim.head_cloud()
        t0 = time.perf_counter()
        packed = pack_points(cloud.points, cloud.intensity, cloud.line, now.nanoseconds)
        sec, nanosec = divmod(now.nanoseconds, 1_000_000_000)
        raw = self._cloud_encoder.encode(sec, nanosec, len(packed), packed.view(np.uint8).data)
        self._encode_ms.add(1e3 * (time.perf_counter() - t0))
        self._cloud_pub.publish(raw)
        self._clouds += 1
        self._cloud_points = len(packed)

    def _publish_odom(self) -> None:
        now = self.get_clock().now()
        pose, vel = self.sim.pose, self.sim.velocity
        q = self.sim.quaternion  # roll and pitch of the sway included
        sec, nanosec = divmod(now.nanoseconds, 1_000_000_000)
        self._odom_pub.publish(self._odom_encoder.encode(sec, nanosec, pose.x, pose.y, q,
                                                         vel.linear, vel.angular))
        if self._tf_pub is not None:
            t = TransformStamped()
            t.header.stamp = now.to_msg()
            t.header.frame_id = self.cfg.odom_frame
            t.child_frame_id = self.cfg.base_frame
            t.transform.translation.x, t.transform.translation.y = pose.x, pose.y
            r = t.transform.rotation
            r.x, r.y, r.z, r.w = q
            self._tf_pub.publish(self._tf_type(transforms=[t]))

    def _publish_battery(self) -> None:
        self._battery_pub.publish(battery_state(self.sim.battery,
                                                self.get_clock().now().to_msg(),
                                                self.cfg.base_frame))

    def health(self) -> HealthReport:
        report = self.sim.health()
        wall = time.monotonic()
        recent = self._rtf.update(wall, self.sim.time)
        level, message = report.level, report.message
        if self._physics.ticks > 0 and self._rtf.slow and level == Level.OK:
            level = Level.WARN
            message = (f"cannot keep real time: real-time factor {recent:.2f} "
                       f"(physics ticks over their {1e3 * self._period_s:.0f} ms period: "
                       f"{self._overruns})")
        values = dict(report.values)
        values.update({
            "real_time_factor": round(self._rtf.overall(wall, self.sim.time), 4),
            "real_time_factor_recent": round(recent, 4),
            "physics_ticks": self._physics.ticks,
            "physics_dt_clamped": self._physics.clamped,
            "physics_overruns": self._overruns,
            "physics_tick_max_ms": round(1e3 * self._tick_work_max_s, 3),
            "clouds_published": self._clouds,
            "cloud_points": self._cloud_points,
            "cloud_encode_ms_p50": round(self._encode_ms.percentile(50), 3),
            "cloud_encode_ms_max": round(self._encode_ms.max(), 3),
            "cmd_vel_taken": self._commands.taken,
            "cmd_vel_rejected": self._commands.rejected,
            "planner_load_w": self._planner.watts,
        })
        return HealthReport(report.name, level, message, values)

    def _publish_diagnostics(self) -> None:
        diagnostics.publish(self, self._diag_pub, [self.health()])

    def on_shutdown(self) -> None:
        s = self.sim
        c = s.costs
        per_s = (1e3 * (c.physics_s + c.head_lidar_s + c.knee_laser_s) / s.time
                 if s.time > 0 else math.nan)
        self.get_logger().info(
            f"mujoco_sim summary: walked {s.distance_walked:.2f} m, {s.collisions} "
            f"collision(s) ({s.contact_steps} contact steps), battery "
            f"{s.battery.percentage:.1%}, sim time {s.time:.1f} s, sim work {per_s:.0f} ms per "
            f"simulated second")


def main(args: Sequence[str] | None = None) -> int:
    return run_node(MujocoSimNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
