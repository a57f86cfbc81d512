"""`sim`: the built-in simulated humanoid, the core Simulator stepped in real time.

cmd_vel -> Simulator.step() on a steady-clock timer -> scan, odom, battery_state, /tf,
/diagnostics. With real_time_factor below 1 it runs slower than real time, sensor rates in
simulated time (robot_brain.core.sim.clock); with publish_clock it is the /clock source and
stamps its messages with its simulated time, as Gazebo does. The robot keeps its own command
timeout: without a fresh cmd_vel for cmd_timeout_s (steady time) it brakes to a stop under its
acceleration limits, as a real locomotion controller does, whatever the brain upstream is
doing.
"""

from __future__ import annotations

import math
import time
from typing import Any, Sequence

import numpy as np
from builtin_interfaces.msg import Time
from geometry_msgs.msg import PoseWithCovarianceStamped, TransformStamped
from nav_msgs.msg import Odometry
from rclpy.clock import Clock, ClockType
from rclpy.publisher import Publisher
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import BatteryState, LaserScan
from std_msgs.msg import String

from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import Pose2D, quaternion_from_yaw
from robot_brain.core.health import HealthReport
from robot_brain.core.planner.activity import (
    PlannerActivity,
    PlannerStatusError,
    parse_planner_status,
)
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.robot_model.urdf import urdf
from robot_brain.core.sim.loads import planner_load_w
from robot_brain.core.sim.node_config import SimNodeConfig
from robot_brain.core.sim.odometry import DriftingOdometry
from robot_brain.core.sim.simulator import Simulator
from robot_brain.core.world import DEFAULT_ROBOT_RADIUS, World, WorldError, load_world_file
from robot_brain.ros import diagnostics, qos
from robot_brain.ros.cmd_vel import CdrError, decode_command, twist_type
from robot_brain.ros.latest import PollingNode
from robot_brain.ros.odom_cdr import OdometryEncoder
from robot_brain.ros.params import declare_config
from robot_brain.ros.realtime import apply_realtime
from robot_brain.ros.runtime import run_node
from robot_brain.ros.throttled_log import ThrottledLog

#: A physics tick never integrates more than this (s): after a stall (debugger, SIGSTOP,
#: overloaded machine) the robot loses time instead of jumping.
MAX_PHYSICS_DT_S = 0.1
#: Warnings about bad input are repeated at most this often (s).
WARN_THROTTLE_S = 5.0


class SimStartupError(StartupError):
    """The sim cannot start: unusable world file or robot settings."""


def load_sim_world(world_file: str, places_file: str = "",
                   robot_radius: float = DEFAULT_ROBOT_RADIUS) -> World:
    """The physical world: `mapped: false` furniture included (the brain's map leaves it out);
    a map world's start from its places file."""
    try:
        return load_world_file(world_file, places_file, robot_radius, include_unmapped=True)
    except WorldError as exc:
        raise SimStartupError(str(exc)) from exc


def _stamp_from_seconds(t: float) -> Time:
    sec = math.floor(t)
    return Time(sec=int(sec), nanosec=int((t - sec) * 1e9))


class SimNode(PollingNode):
    def __init__(self) -> None:
        super().__init__("sim")
        self.p = declare_config(self, SimNodeConfig)
        r = self.p.robot
        self.world = load_sim_world(r.world_file, r.places_file, r.limits.robot_radius)
        self.sim = Simulator(self.world, self.p.sim, seed=self.p.seed)
        # With drift, odom integrates the motion with errors and the true pose is what a
        # localiser would report on the map (docs/maps.md, localisation).
        self.drift = self.p.drift
        self.odometry = DriftingOdometry(self.sim.pose, self.drift.odom_drift_scale,
                                         self.drift.odom_drift_yaw_per_m)
        # The simulated robot's drivers: a real lidar driver stamps and publishes at high
        # priority, so the scan's stamp is when it was taken, not when the OS let it out.
        self.realtime = apply_realtime(self, self.p.realtime)
        self._steady = Clock(clock_type=ClockType.STEADY_TIME)

        # Cached inputs (subscription callbacks only write these).
        self._extra_load_w: float = planner_load_w(PlannerActivity(), self.p.loads)
        self._log = ThrottledLog(self, WARN_THROTTLE_S)
        self._status_warned = False

        # Loop bookkeeping, for the real-time factor and the diagnostics.
        self._t0 = time.monotonic()
        self._last_physics_t: float | None = None
        self._physics_ticks = 0
        self._clamped_ticks = 0
        self._commands_received = 0
        self._commands_rejected = 0

        self._scan_pub = self.create_publisher(LaserScan, "scan", qos.SENSOR_PUB)
        self._odom_pub = self.create_publisher(Odometry, "odom", qos.SENSOR_PUB)
        self._odom_encoder = OdometryEncoder(self.p.frames.odom_frame, self.p.frames.base_frame)
        self._battery_pub = self.create_publisher(BatteryState, "battery_state", qos.RELIABLE)
        self._diag_pub = diagnostics.create_diagnostics_publisher(self)
        self._clock_pub: Publisher | None = (
            self.create_publisher(ClockMsg, "/clock", qos.SENSOR_PUB)
            if self.p.publish_clock else None)
        self._tf_pub, self._tf_type = self._create_tf_publishers()
        # The robot's URDF for RViz and Foxglove (transient local: late joiners get it).
        self._description_pub = self.create_publisher(String, "robot_description", qos.STATE)
        self._description_pub.publish(String(data=urdf(HUMANOID)))

        # The newest command is taken at each physics step, as bytes (robot_brain.ros.latest,
        # twist_cdr): the step uses only the newest, and a callback per 100 Hz command cost
        # an executor wake-up and a message conversion each. Best effort, as the watchdog's
        # input: a repaired sample would arrive after the next command superseded it, and a
        # reliable reader costs the writer its acknowledgements (qos.COMMANDS_IN).
        self._cmd_vel = self.poller.latest(twist_type(self.p.robot.cmd_vel_stamped), "cmd_vel",
                                            qos.COMMANDS_IN, raw=True)
        self.create_subscription(String, "planner/status", self._on_planner_status, qos.RELIABLE)

        # Physics steps at its rate of steady time (each integrates r x the steady dt); the
        # sensors at theirs of simulated time.
        clock = self.p.clock
        self._timer(self.p.physics_rate_hz, self._on_physics)
        self._timer(clock.wall_rate_hz(self.p.scan_rate_hz), self._publish_scan)
        self._timer(clock.wall_rate_hz(self.p.odom_rate_hz), self._publish_odom)
        self._timer(clock.wall_rate_hz(self.p.battery_rate_hz), self._publish_battery)
        self._loc_pub: Publisher | None = None
        if self.drift.localization_pose_topic:
            self._loc_pub = self.create_publisher(PoseWithCovarianceStamped,
                                                  self.drift.localization_pose_topic,
                                                  qos.RELIABLE)
            self._timer(clock.wall_rate_hz(self.drift.localization_rate_hz),
                        self._publish_localization)
        self._timer(1.0, self._publish_diagnostics)

        lidar = self.p.sim.lidar
        self.get_logger().info(
            f"sim ready: world '{self.world.name}' ({self.world.source}), start "
            f"({self.sim.pose.x:.2f}, {self.sim.pose.y:.2f}), lidar {lidar.beams} beams "
            f"{lidar.range_max} m, physics {self.p.physics_rate_hz} Hz, cmd timeout "
            f"{self.p.sim.cmd_timeout_s} s, seed {self.p.seed}, real-time factor "
            f"{clock.real_time_factor:g}{', /clock source' if self.p.publish_clock else ''}, "
            f"{self.realtime}")

    # --- set-up helpers -------------------------------------------------------------------

    def _now(self) -> Time:
        """The stamp of a message made now: simulated time when this sim is the /clock
        source (its stamps and /clock then agree, as Gazebo's do), else the node's clock."""
        if self.p.publish_clock:
            return _stamp_from_seconds(self.sim.time)
        return self.get_clock().now().to_msg()

    def _timer(self, rate_hz: float, cb: Any) -> None:
        self.create_timer(1.0 / rate_hz, cb, clock=self._steady)

    def _create_tf_publishers(self) -> tuple[Publisher | None, Any]:
        try:
            from tf2_msgs.msg import TFMessage  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            self.get_logger().warning("tf2_msgs is not installed: /tf and /tf_static not "
                                      "published (scripts/setup.sh builds it where no wheel "
                                      "has it)")
            return None, None
        static = self.create_publisher(TFMessage, "/tf_static", qos.STATE)
        laser = TransformStamped()
        laser.header.stamp = self.get_clock().now().to_msg()
        laser.header.frame_id = self.p.frames.base_frame
        laser.child_frame_id = self.p.frames.laser_frame
        # The planar lidar's plane (robot description's knee laser; the sim's laser_height).
        laser.transform.translation.z = self.p.sim.laser_height
        laser.transform.rotation.w = 1.0
        static.publish(TFMessage(transforms=[laser]))
        self._tf_static_pub = static  # kept alive so late joiners still get it
        return self.create_publisher(TFMessage, "/tf", qos.RELIABLE), TFMessage

    # --- inputs ---------------------------------------------------------------------------

    def _take_cmd_vel(self) -> None:
        sample = self._cmd_vel.take()
        if sample is None:
            return
        try:
            v, _ = decode_command(sample.msg, self.p.robot.cmd_vel_stamped)
        except CdrError as exc:
            self._commands_rejected += 1
            self._log.warning("cmd_vel_cdr", f"ignoring malformed cmd_vel: {exc}; "
                                             f"{self._commands_rejected} rejected so far")
            return
        if not self.sim.set_command(v, sample.received):
            self._commands_rejected += 1
            self._log.warning("cmd_vel", f"ignoring non-finite cmd_vel (linear {v.linear}, "
                                         f"angular {v.angular}); {self._commands_rejected} "
                                         "rejected so far")
            return
        self._commands_received += 1

    def _on_planner_status(self, msg: String) -> None:
        try:
            activity = parse_planner_status(msg.data)
        except PlannerStatusError as exc:
            if not self._status_warned:
                self._status_warned = True
                self.get_logger().warning(f"ignoring malformed planner/status: {exc} "
                                          "(warned once)")
            return
        self._extra_load_w = planner_load_w(activity, self.p.loads)

    # --- physics --------------------------------------------------------------------------

    def _on_physics(self) -> None:
        self._take_cmd_vel()
        now = time.monotonic()
        if self._last_physics_t is None:
            self._last_physics_t = now
            return
        dt = now - self._last_physics_t
        self._last_physics_t = now
        if dt > MAX_PHYSICS_DT_S:
            self._clamped_ticks += 1
            dt = MAX_PHYSICS_DT_S
        self.sim.drive(now, self.p.clock.sim_dt(dt), self._extra_load_w)
        self._physics_ticks += 1
        if self._clock_pub is not None:
            self._clock_pub.publish(ClockMsg(clock=_stamp_from_seconds(self.sim.time)))

    # --- outputs --------------------------------------------------------------------------

    def _publish_scan(self) -> None:
        lidar = self.p.sim.lidar
        msg = LaserScan()
        msg.header.stamp = self._now()
        msg.header.frame_id = self.p.frames.laser_frame
        msg.angle_min = float(lidar.angle_min)
        msg.angle_max = float(lidar.angle_max)
        msg.angle_increment = float(lidar.angle_increment)
        msg.scan_time = 1.0 / self.p.scan_rate_hz
        msg.time_increment = 0.0  # every beam of a scan is cast at the same instant
        msg.range_min = float(lidar.range_min)
        msg.range_max = float(lidar.range_max)
        msg.ranges = self.sim.scan().astype(np.float32)
        self._scan_pub.publish(msg)

    def _publish_odom(self) -> None:
        now = self._now()
        pose, vel = self.sim.pose, self.sim.velocity
        if self.drift.drifts:
            pose = self.odometry.update(pose)
        q = quaternion_from_yaw(pose.yaw)
        sec, nanosec = int(now.sec), int(now.nanosec)
        # As bytes (robot_brain.ros.odom_cdr): the same Odometry on the wire, without building
        # the Python message (two 36-double covariances) 50 times a second.
        self._odom_pub.publish(self._odom_encoder.encode(sec, nanosec, pose.x, pose.y, q,
                                                         vel.linear, vel.angular))
        if self._tf_pub is not None:
            self._tf_pub.publish(self._tf_type(transforms=[self._odom_tf(now, pose)]))

    def _publish_localization(self) -> None:
        assert self._loc_pub is not None
        pose = self.sim.pose
        msg = PoseWithCovarianceStamped()
        msg.header.stamp = self._now()
        msg.header.frame_id = self.drift.map_frame
        msg.pose.pose.position.x = pose.x
        msg.pose.pose.position.y = pose.y
        qx, qy, qz, qw = quaternion_from_yaw(pose.yaw)
        o = msg.pose.pose.orientation
        o.x, o.y, o.z, o.w = qx, qy, qz, qw
        # As a converged AMCL reports it: ~5 cm and ~3 degrees (1 sigma).
        cov = [0.0] * 36
        cov[0] = cov[7] = 0.05 ** 2
        cov[35] = 0.05 ** 2
        msg.pose.covariance = cov
        self._loc_pub.publish(msg)

    def _odom_tf(self, stamp: Time, pose: Pose2D) -> TransformStamped:
        t = TransformStamped()
        t.header.stamp = stamp
        t.header.frame_id = self.p.frames.odom_frame
        t.child_frame_id = self.p.frames.base_frame
        t.transform.translation.x = pose.x
        t.transform.translation.y = pose.y
        qx, qy, qz, qw = quaternion_from_yaw(pose.yaw)
        r = t.transform.rotation
        r.x, r.y, r.z, r.w = qx, qy, qz, qw
        return t

    def _publish_battery(self) -> None:
        b = self.sim.battery
        cfg = self.p.sim.battery
        msg = BatteryState()
        msg.header.stamp = self._now()
        msg.header.frame_id = self.p.frames.base_frame
        msg.voltage = float(b.voltage)
        msg.current = float(b.current)
        msg.charge = float(b.charge_ah)
        msg.capacity = float(cfg.capacity_ah)
        msg.design_capacity = float(cfg.capacity_ah)
        msg.percentage = float(b.percentage)
        msg.temperature = math.nan
        msg.power_supply_status = BatteryState.POWER_SUPPLY_STATUS_DISCHARGING
        msg.power_supply_health = (BatteryState.POWER_SUPPLY_HEALTH_DEAD if b.depleted
                                   else BatteryState.POWER_SUPPLY_HEALTH_GOOD)
        msg.power_supply_technology = BatteryState.POWER_SUPPLY_TECHNOLOGY_LION
        msg.present = True
        self._battery_pub.publish(msg)

    def health(self) -> HealthReport:
        report = self.sim.health()
        wall = time.monotonic() - self._t0
        values = dict(report.values)
        values.update({
            "real_time_factor": round(self.sim.time / wall, 4) if wall > 0 else math.nan,
            "physics_ticks": self._physics_ticks,
            "physics_dt_clamped": self._clamped_ticks,
            # Taken at the physics steps: the newest command at each, not every one sent.
            "cmd_vel_taken": self._commands_received,
            "cmd_vel_rejected": self._commands_rejected,
            "planner_load_w": self._extra_load_w,
        })
        return HealthReport(report.name, report.level, report.message, values)

    def _publish_diagnostics(self) -> None:
        diagnostics.publish(self, self._diag_pub, [self.health()])

    def on_shutdown(self) -> None:
        s = self.sim
        self.get_logger().info(
            f"sim summary: walked {s.distance_walked:.2f} m, {s.collisions} collision(s), "
            f"battery {s.battery.percentage:.1%} ({s.battery.energy_used_wh:.2f} Wh used), "
            f"sim time {s.time:.1f} s")


def main(args: Sequence[str] | None = None) -> int:
    return run_node(SimNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
