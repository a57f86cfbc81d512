"""The MuJoCo-simulated humanoid: a physics engine's contacts and ray casts on the world file.

Imports mujoco: import this module only when the MuJoCo sim is asked for (the node does it
in its constructor), never from the default path.

* **Base**: a free joint whose planar velocity is set before every time step from the
  accel-limited command (as mujoco_ros2_control's base velocity plugin does), so contacts
  with any body part stop or deflect it; after every step the base is put back on the floor
  and upright, tilted only by the scripted gait (robot_brain.core.sim.mujoco.gait). No
  locomotion is learned or simulated.
* **Contacts**: any contact of a robot geom with a world geom. A contact episode starts when
  one appears after `contact_release_s` without any and is counted, like the built-in sim's
  collisions.
* **Sensors**: the head lidar (MID-360-like pattern, `mj_multiRay` from its mount, points in
  its own frame), the knee-height laser (the built-in sim's beams, leaving the robot's own
  body out), odometry with the full attitude, the built-in sim's battery model.

Deterministic for a seed: the sensor noise and the scan pattern's phase come from the
simulator's own numpy Generator, the physics from MuJoCo's deterministic step.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import mujoco
import numpy as np

from robot_brain.core.geometry import ZERO_VELOCITY, Pose2D, Velocity, wrap_angle
from robot_brain.core.health import HealthReport
from robot_brain.core.robot_model import HUMANOID, RobotDescription
from robot_brain.core.robot_model.frames import quaternion_from_rpy, rpy_from_quaternion
from robot_brain.core.robot_model.mjcf import ROBOT_GEOM_GROUP
from robot_brain.core.sim.battery import Battery
from robot_brain.core.sim.commands import CommandTimeout, check_step
from robot_brain.core.sim.kinematics import VelocityLimits, accelerate, sanitize
from robot_brain.core.sim.lidar import LidarConfig
from robot_brain.core.sim.mujoco.config import MujocoSimConfig
from robot_brain.core.sim.mujoco.gait import ScriptedGait
from robot_brain.core.sim.mujoco.scan_pattern import Mid360Pattern, PatternFrame
from robot_brain.core.sim.mujoco.scene import FLOOR, OBSTACLE_PREFIX, scene_mjcf
from robot_brain.core.sim.status import simulator_health
from robot_brain.core.world import World

#: Reflectivity (0-255, Livox's intensity scale) by what a ray hit.
_REFLECTIVITY_FLOOR = 20.0
_REFLECTIVITY_WALL = 60.0
_REFLECTIVITY_FURNITURE = 40.0
_REFLECTIVITY_ROBOT = 90.0


def _toward(actual: float, commanded: float) -> float:
    """The part of `actual` that goes the commanded way, no faster than commanded."""
    if commanded >= 0.0:
        return min(max(actual, 0.0), commanded)
    return max(min(actual, 0.0), commanded)


@dataclass(frozen=True)
class HeadCloud:
    """One head-lidar message (a frame, or a slice of one): returns in the sensor frame
    (livox_frame), float32."""

    points: np.ndarray     # (N, 3) x y z, m
    intensity: np.ndarray  # (N,) reflectivity 0-255
    line: np.ndarray       # (N,) uint8 laser line
    time: float            # sim time of the cast, s
    rays: int              # rays cast (returns <= rays)


@dataclass
class SimCosts:
    """Wall time spent (s) and work done, for the cost per simulated second."""

    physics_s: float = 0.0
    steps: int = 0
    head_lidar_s: float = 0.0
    head_rays: int = 0
    knee_laser_s: float = 0.0
    knee_rays: int = 0


class MujocoSimulator:
    def __init__(self, world: World, config: MujocoSimConfig, limits: VelocityLimits,
                 start: Pose2D | None = None, desc: RobotDescription = HUMANOID) -> None:
        self.world = world
        self.config = config
        self.desc = desc
        self._limits = limits
        self._rng = np.random.default_rng(config.seed)
        start = start if start is not None else Pose2D(world.start.x, world.start.y,
                                                       world.start.yaw)
        self.model = mujoco.MjModel.from_xml_string(
            scene_mjcf(world, desc, config.timestep_s, start))
        self.data = mujoco.MjData(self.model)
        m = self.model
        self._root = mujoco.mj_name2id(m, mujoco.mjtObj.mjOBJ_BODY, desc.base_frame)
        self._head = mujoco.mj_name2id(m, mujoco.mjtObj.mjOBJ_BODY, desc.head_part)
        self._head_site = mujoco.mj_name2id(m, mujoco.mjtObj.mjOBJ_SITE, desc.head_lidar.frame)
        self._knee_site = mujoco.mj_name2id(m, mujoco.mjtObj.mjOBJ_SITE, desc.knee_laser.frame)
        robot_bodies = {self._root, self._head}
        self._robot_geom = np.array([int(b) in robot_bodies for b in m.geom_bodyid])
        self._geom_names = [mujoco.mj_id2name(m, mujoco.mjtObj.mjOBJ_GEOM, g) or f"geom {g}"
                            for g in range(m.ngeom)]
        self._reflectivity = np.array([self._geom_reflectivity(n, r) for n, r in
                                       zip(self._geom_names, self._robot_geom, strict=True)],
                                      dtype=np.float32)
        self._gait = ScriptedGait(config.gait)
        self.battery = Battery(config.battery)
        spec = desc.head_lidar_spec
        self._pattern = Mid360Pattern(config.head_lidar.points_per_frame,
                                      spec.vertical_min_deg, spec.vertical_max_deg, spec.lines,
                                      start_phase=float(self._rng.random()))
        self.knee_lidar: LidarConfig = config.knee_laser.lidar()
        angles = self.knee_lidar.angles()
        self._knee_local = np.stack([np.cos(angles), np.sin(angles), np.zeros_like(angles)],
                                    axis=1)
        n_head, n_knee = config.head_lidar.points_per_frame, self.knee_lidar.beams
        slices = config.head_lidar.slices_per_frame
        #: Ray index bounds of each slice of a frame; the frame being sliced and its next slice.
        self._slice_bounds = [(n_head * k // slices, n_head * (k + 1) // slices)
                              for k in range(slices)]
        self._frame: PatternFrame | None = None
        self._next_slice = 0
        self._head_geomid = np.zeros(n_head, dtype=np.int32)
        self._head_dist = np.zeros(n_head)
        self._knee_geomid = np.zeros(n_knee, dtype=np.int32)
        self._knee_dist = np.zeros(n_knee)
        self._floor_geom = mujoco.mj_name2id(m, mujoco.mjtObj.mjOBJ_GEOM, FLOOR)
        # Rays see group 0 (the world) and, when the head lidar sees its own body, group 1;
        # the floor (its own group) is intersected here, not by mj_multiRay (scene.py).
        self._world_only = np.zeros(6, dtype=np.uint8)
        self._world_only[0] = 1
        self._with_robot = self._world_only.copy()
        self._with_robot[ROBOT_GEOM_GROUP] = 1

        self._velocity = ZERO_VELOCITY
        self._commands = CommandTimeout(config.cmd_timeout_s)
        self._debt = 0.0  # simulated time asked for but not yet stepped (< one time step)
        self._since_contact = math.inf
        self._contact_with = ""
        self.in_contact = False
        self.collisions = 0
        self.contact_steps = 0
        self.distance_walked = 0.0
        self.steps = 0
        self.costs = SimCosts()
        mujoco.mj_forward(m, self.data)
        self._settle()

    # --- state ----------------------------------------------------------------------------

    @property
    def time(self) -> float:
        return self.steps * self.config.timestep_s

    @property
    def pose(self) -> Pose2D:
        q = self.data.qpos
        _, _, yaw = rpy_from_quaternion(q[3], q[4], q[5], q[6])
        return Pose2D(float(q[0]), float(q[1]), yaw)

    @property
    def attitude(self) -> tuple[float, float]:
        """(roll, pitch) of the body, rad."""
        return self._gait.attitude()

    @property
    def quaternion(self) -> tuple[float, float, float, float]:
        """Orientation of base_link in odom, (x, y, z, w) as ROS orders it."""
        w, x, y, z = (float(v) for v in self.data.qpos[3:7])
        return (x, y, z, w)

    @property
    def velocity(self) -> Velocity:
        """Body velocity after limits and contacts: forward speed and yaw rate."""
        return self._velocity

    @property
    def contact_with(self) -> str:
        """The world shape of the latest contact ('' before any)."""
        return self._contact_with

    # --- commands (the robot's own command timeout, as the built-in sim) ------------------

    def set_command(self, command: Velocity, now: float) -> bool:
        return self._commands.set(command, now)

    def command_fresh(self, now: float) -> bool:
        return self._commands.fresh(now)

    def drive(self, now: float, dt: float, extra_load_w: float = 0.0) -> None:
        self.step(self._commands.current(now), dt, extra_load_w)

    # --- stepping -------------------------------------------------------------------------

    def step(self, command: Velocity, dt: float, extra_load_w: float = 0.0) -> None:
        """Advance dt seconds (in whole time steps; a remainder is carried to the next call)."""
        check_step(dt, extra_load_w)
        command = sanitize(command)
        h = self.config.timestep_s
        self._debt += dt
        n = int(self._debt / h + 1e-9)
        self._debt -= n * h
        t0 = time.perf_counter()
        for _ in range(n):
            self._substep(command, h, extra_load_w)
        self.costs.physics_s += time.perf_counter() - t0
        self.costs.steps += n

    def _substep(self, command: Velocity, h: float, extra_load_w: float) -> None:
        d = self.data
        if self.battery.depleted:
            self._velocity = ZERO_VELOCITY
            self.battery.drain(0.0, h)
            d.qvel[:] = 0.0
        else:
            v = accelerate(self._velocity, command, self._limits, h)
            yaw = self.pose.yaw
            d.qvel[0] = v.linear * math.cos(yaw)
            d.qvel[1] = v.linear * math.sin(yaw)
            d.qvel[2:5] = 0.0
            d.qvel[5] = v.angular
            mujoco.mj_step(self.model, d)
            touching = self._robot_contacts()
            if touching:
                # Pressed against furniture, the base keeps only what the contact let it do
                # the commanded way (a stiff contact's rebound is not a command to back off),
                # and builds up speed again from there, as the built-in sim's body does.
                speed = float(d.qvel[0] * math.cos(yaw) + d.qvel[1] * math.sin(yaw))
                v = Velocity(_toward(speed, v.linear), _toward(float(d.qvel[5]), v.angular))
            self._velocity = v
            self._update_contact(touching, h)
            planar = math.hypot(float(d.qvel[0]), float(d.qvel[1]))
            self.distance_walked += planar * h
            self.battery.drain(self.battery.config.load_w(planar, extra_load_w), h)
            self._gait.advance(self._velocity.linear, self._velocity.angular, h)
        self._settle()
        self.steps += 1

    def _settle(self) -> None:
        """Back on the floor and upright but for the gait's sway; yaw as the physics left it."""
        d = self.data
        q = d.qpos
        _, _, yaw = rpy_from_quaternion(q[3], q[4], q[5], q[6])
        roll, pitch = self._gait.attitude()
        q[2] = 0.0
        q[3:7] = quaternion_from_rpy(roll, pitch, wrap_angle(yaw))
        d.qvel[2:5] = 0.0

    def _robot_contacts(self) -> bool:
        d = self.data
        if d.ncon == 0:
            return False
        pairs = d.contact.geom[:d.ncon]
        robot = self._robot_geom[pairs]
        mixed = robot[:, 0] != robot[:, 1]
        if not mixed.any():
            return False
        first = pairs[int(np.argmax(mixed))]
        other = int(first[1] if robot[int(np.argmax(mixed))][0] else first[0])
        self._contact_with = self._geom_names[other].removeprefix(OBSTACLE_PREFIX)
        return True

    def _update_contact(self, touching: bool, h: float) -> None:
        if touching:
            self.contact_steps += 1
            if not self.in_contact and self._since_contact > self.config.contact_release_s:
                self.collisions += 1
            self.in_contact = True
            self._since_contact = 0.0
        else:
            self.in_contact = False
            self._since_contact += h

    # --- sensing --------------------------------------------------------------------------

    def _site_pose(self, site: int) -> tuple[np.ndarray, np.ndarray]:
        # Positions and frames of sites follow qpos only after kinematics.
        mujoco.mj_kinematics(self.model, self.data)
        return (self.data.site_xpos[site].copy(), self.data.site_xmat[site].reshape(3, 3).copy())

    def scan(self) -> np.ndarray:
        """Knee-laser ranges (beams,) in the laser frame; +inf where nothing returns within
        range_max. The robot's own body is not in its rays."""
        t0 = time.perf_counter()
        origin, rot = self._site_pose(self._knee_site)
        vec = (self._knee_local @ rot.T).ravel()
        cfg = self.knee_lidar
        mujoco.mj_multiRay(self.model, self.data, origin, vec, self._world_only, 1, self._root,
                           self._knee_geomid, self._knee_dist, None, cfg.beams, cfg.range_max)
        self._with_floor(origin, vec.reshape(-1, 3), self._knee_dist, self._knee_geomid)
        ranges = np.where(self._knee_dist >= 0.0, self._knee_dist, np.inf)
        ranges[ranges > cfg.range_max] = np.inf
        if cfg.noise_std > 0.0:
            # One draw per beam whatever the geometry, so the random stream does not depend on
            # what the beams hit (as the built-in sim).
            noise = self._rng.normal(0.0, cfg.noise_std, size=ranges.shape)
            finite = np.isfinite(ranges)
            ranges = np.where(finite, np.clip(ranges + noise, 0.0, cfg.range_max), ranges)
        self.costs.knee_laser_s += time.perf_counter() - t0
        self.costs.knee_rays += cfg.beams
        return ranges

    def head_cloud(self) -> HeadCloud:
        """The head lidar's next message, cast now: a whole frame, or with slices_per_frame >
        1 the next slice of the frame's rays in their time order. Returns in its own frame
        (livox_frame)."""
        t0 = time.perf_counter()
        cfg = self.config.head_lidar
        if self._next_slice == 0 or self._frame is None:
            self._frame = self._pattern.next_frame()
        lo, hi = self._slice_bounds[self._next_slice]
        self._next_slice = (self._next_slice + 1) % len(self._slice_bounds)
        directions, lines = self._frame.directions[lo:hi], self._frame.lines[lo:hi]
        n = hi - lo
        origin, rot = self._site_pose(self._head_site)
        vec = (directions @ rot.T).ravel()
        groups = self._with_robot if cfg.sees_self else self._world_only
        geomid, dist = self._head_geomid[:n], self._head_dist[:n]
        mujoco.mj_multiRay(self.model, self.data, origin, vec, groups, 1, self._head,
                           geomid, dist, None, n, cfg.range_max)
        self._with_floor(origin, vec.reshape(-1, 3), dist, geomid)
        hit = (dist >= cfg.range_min) & (dist <= cfg.range_max)
        r = dist[hit]
        if cfg.noise_std > 0.0:
            r = np.maximum(r + self._rng.normal(0.0, cfg.noise_std, size=r.shape), 0.0)
        points = (directions[hit] * r[:, None]).astype(np.float32)
        cloud = HeadCloud(points, self._reflectivity[geomid[hit]], lines[hit], self.time, n)
        self.costs.head_lidar_s += time.perf_counter() - t0
        self.costs.head_rays += n
        return cloud

    def _with_floor(self, origin: np.ndarray, dirs: np.ndarray, dist: np.ndarray,
                    geomid: np.ndarray) -> None:
        """Where the floor (z = 0) is nearer than what mj_multiRay found, in place."""
        down = dirs[:, 2] < 0.0
        t = np.full(len(dirs), np.inf)
        t[down] = -origin[2] / dirs[down, 2]
        nearer = (t < np.inf) & ((dist < 0.0) | (t < dist))
        dist[nearer] = t[nearer]
        geomid[nearer] = self._floor_geom

    # --- reporting ------------------------------------------------------------------------

    @staticmethod
    def _geom_reflectivity(name: str, robot: bool) -> float:
        if robot:
            return _REFLECTIVITY_ROBOT
        if name == FLOOR:
            return _REFLECTIVITY_FLOOR
        return _REFLECTIVITY_WALL if name.startswith(OBSTACLE_PREFIX + "wall") \
            else _REFLECTIVITY_FURNITURE

    def health(self) -> HealthReport:
        roll, pitch = self.attitude
        sim_s = self.time
        c = self.costs
        return simulator_health(
            self.battery, self._contact_with if self.in_contact else None,
            self.distance_walked, self.collisions, sim_s, self.pose, {
                "engine": f"mujoco {mujoco.__version__}",
                "contact_steps": self.contact_steps,
                "last_contact_with": self._contact_with or "none",
                "roll_deg": round(math.degrees(roll), 3),
                "pitch_deg": round(math.degrees(pitch), 3),
                "physics_ms_per_sim_s": round(1e3 * c.physics_s / sim_s, 3) if sim_s else 0.0,
                "head_lidar_ms_per_frame": round(
                    1e3 * c.head_lidar_s / max(1, c.head_rays // self._pattern.points), 3),
                "head_rays_cast": c.head_rays,
            })
