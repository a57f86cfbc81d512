"""Perception's source parameters, one declaration each (robot_brain.core.config.params).

`SourcesConfig` holds what all sources share (the list of sources, the height band, the
body, the attitude input, stamp limits). Every name in `sources` has a group of its own,
`SourceConfig`, declared with the prefix `<name>.`:

    perception:
      ros__parameters:
        sources: [head, knee]
        head: {type: cloud, topic: /livox/lidar, frame: livox_frame,
               mount_xyz: [0.0, 0.0, 1.2], mount_rpy: [3.14159, 0.0, 0.0], frame_time_s: 0.1}
        knee: {type: scan, topic: scan, mount_xyz: [0.1, 0.0, 0.3]}

(robot_brain.ros.param_groups declares the groups after reading `sources`.)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.perception.cloud.body import (
    BodyShapeError,
    SelfFilter,
    boxes_from_numbers,
    capsules_from_numbers,
)
from robot_brain.core.perception.cloud.mount import Mount
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.robot_model.perception import self_filter_boxes, self_filter_capsules

#: A source name: one ROS parameter name token.
SOURCE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class SourceConfigError(ConfigurationError):
    """A source, mount, band or body setting perception cannot start with."""


class SourceKind:
    SCAN = "scan"
    CLOUD = "cloud"
    ALL = (SCAN, CLOUD)


class TimeAxis:
    POINTS = "points"
    COLUMNS = "columns"
    ALL = (POINTS, COLUMNS)


class MountFrom:
    PARAMS = "params"
    TF_STATIC = "tf_static"
    ALL = (PARAMS, TF_STATIC)


class AttitudeInput:
    ODOM = "odom"
    IMU = "imu"
    NONE = "none"
    ALL = (ODOM, IMU, NONE)


@dataclass(frozen=True)
class SourceConfig:
    """One sensor: declared as `<name>.<field>` for every name listed in `sources`."""

    type: str = param(SourceKind.SCAN, "sensor_msgs type of the source: a LaserScan or a "
                      "PointCloud2.", choices=SourceKind.ALL)
    topic: str = param("", "Topic of the source; '' = the source's name.")
    frame: str = param("", "Expected header.frame_id; a message in another frame is refused "
                       "(counted); '' = any frame (the mount applies to whatever arrives).")
    mount_from: str = param(
        MountFrom.PARAMS, "Where the mount comes from: mount_xyz and mount_rpy ('params'), or "
        "the static transform base_frame -> frame on /tf_static ('tf_static': composed "
        "through intermediate frames, as robot_state_publisher publishes a URDF's fixed "
        "joints; needs tf2_msgs and `frame`). Until it arrives the source's messages are "
        "refused (counted as 'mount').", choices=MountFrom.ALL)
    mount_xyz: tuple[float, ...] = param(
        (0.0, 0.0, 0.3), "Sensor frame origin in base_link: x, y, z.", unit="m",
        min=-10.0, max=10.0)
    mount_rpy: tuple[float, ...] = param(
        (0.0, 0.0, 0.0), "Sensor frame orientation in base_link: roll, pitch, yaw (fixed "
        "axes, as URDF; an upside-down lidar has roll pi).", unit="rad", min=-7.0, max=7.0)
    level: bool = param(True, "Level the points with the base's roll and pitch at their "
                        "stamp (attitude_source).")
    timeout_s: float = param(0.5, "A source silent for longer stops contributing: its "
                             "sectors become unknown unless another source sees them.",
                             unit="s", min=0.01, max=60.0)
    accumulate_s: float = param(
        0.0, "The source's view is every message of the last this many seconds merged (per "
        "sector the nearest obstacle; free if any saw it free; unknown if none saw it): for a "
        "driver that sends each sweep in slices (livox_ros_driver2 with publish_freq above "
        "the frame rate), a little over one frame period, e.g. 0.15 for a 10 Hz sweep. "
        "0 = each message is a whole view.", unit="s", min=0.0, max=1.0)
    range_min: float = param(0.05, "Points closer to the sensor are dropped (its own body, "
                             "zeros that drivers write for no return).", unit="m", min=0.0,
                             max=10.0)
    range_max: float = param(10.0, "Points farther from the sensor are not used; a sector "
                             "without obstacle is free up to here (the floor's levelling "
                             "error grows with range).", unit="m", min=0.1, max=1000.0)
    max_points: int = param(150_000, "Points read per cloud at most; a bigger cloud is "
                            "decimated by a fixed stride (counted).", min=100,
                            max=10_000_000)
    frame_time_s: float = param(0.0, "Duration of one cloud's sweep (a 10 Hz Livox: 0.1); "
                                "its points are levelled slice by slice over it, in "
                                "time_axis order. 0 = all points at the stamp. LaserScans use "
                                "their own time_increment.", unit="s", min=0.0, max=1.0)
    time_axis: str = param(TimeAxis.POINTS, "Order in which a cloud's points were taken: "
                           "message order (Livox, Velodyne), or column by column (an "
                           "organised ouster-ros cloud).", choices=TimeAxis.ALL)
    min_free_points: int = param(1, "Returns a source needs in a sector, none of them an "
                                 "obstacle, to call it free (fewer: unknown).", min=1,
                                 max=100_000)
    self_filter: bool = param(True, "Remove points inside the body shapes (self_boxes, "
                              "self_capsules).")
    #: The source's name (not a parameter: the group's prefix).
    name: str = ""

    def __post_init__(self) -> None:
        where = f"source '{self.name}'"
        if len(self.mount_xyz) != 3 or len(self.mount_rpy) != 3:
            raise SourceConfigError(f"{where}: mount_xyz and mount_rpy need 3 numbers each, "
                                    f"got {list(self.mount_xyz)} and {list(self.mount_rpy)}")
        if self.mount_from == MountFrom.TF_STATIC and not self.frame:
            raise SourceConfigError(f"{where}: mount_from tf_static needs `{self.name}.frame`, "
                                    "the sensor frame to look up on /tf_static")
        if self.range_min >= self.range_max:
            raise SourceConfigError(f"{where}: range_min {self.range_min} must be below "
                                    f"range_max {self.range_max}")
        if self.accumulate_s >= self.timeout_s:
            raise SourceConfigError(f"{where}: accumulate_s {self.accumulate_s} s must be "
                                    f"below timeout_s {self.timeout_s} s")

    @property
    def mount(self) -> Mount:
        x, y, z = self.mount_xyz
        roll, pitch, yaw = self.mount_rpy
        return Mount((x, y, z), (roll, pitch, yaw))

    @property
    def resolved_topic(self) -> str:
        return self.topic or self.name


@dataclass(frozen=True)
class SourcesConfig:
    """What every source shares."""

    sources: tuple[str, ...] = param(
        ("scan",), "Names of perception's sources; each has a parameter group '<name>.' "
        "(type, topic, frame, mount_xyz, mount_rpy, ...).")
    base_frame: str = param("base_link", "Frame of perception/obstacles: the sectors are "
                            "around this frame's origin.")
    base_height: float = param(0.0, "Height of base_link's origin above the floor when the "
                               "robot stands (0: base_link on the floor).", unit="m",
                               min=-0.5, max=3.0)
    min_height: float = param(0.10, "Lowest obstacle point above the floor; lower points "
                              "(the floor itself, z <= 0) are not obstacles.", unit="m",
                              min=-2.0, max=5.0)
    max_height: float = param(1.40, "Highest obstacle point above the floor (the robot's "
                              "height plus a margin).", unit="m", min=-2.0, max=10.0)
    self_boxes: tuple[float, ...] = param(
        self_filter_boxes(HUMANOID), "Boxes of the robot's body in base_link, 7 numbers "
        "each: centre x y z, size x y z, yaw. Zero size = none. Default: the robot "
        "description's torso and head, grown by 5 cm (robot_brain/core/robot_model).")
    self_capsules: tuple[float, ...] = param(
        self_filter_capsules(HUMANOID), "Capsules of the robot's body in base_link, 7 numbers "
        "each: end a x y z, end b x y z, radius. Zero radius = none. Default: the robot "
        "description's arms and neck, grown by 5 cm (robot_brain/core/robot_model).")
    attitude_source: str = param(AttitudeInput.ODOM, "Where the base's roll and pitch come "
                                 "from for levelling: nav_msgs/Odometry, sensor_msgs/Imu, or "
                                 "none (no levelling).", choices=AttitudeInput.ALL)
    attitude_topic: str = param("", "Topic of the attitude input; '' = odom or imu.")
    attitude_tolerance_s: float = param(0.1, "A cloud stamp this far outside the buffered "
                                        "attitudes uses the nearest; farther, the cloud is "
                                        "refused.", unit="s", min=0.0, max=5.0)
    attitude_window_s: float = param(2.0, "Attitude history kept for levelling.", unit="s",
                                     min=0.1, max=30.0)
    stamp_max_age_s: float = param(1.0, "A message stamped longer ago than this (node clock) "
                                   "is refused.", unit="s", min=0.01, max=3600.0)
    stamp_max_ahead_s: float = param(0.5, "A message stamped this far in the future is "
                                     "refused.", unit="s", min=0.0, max=3600.0)

    def __post_init__(self) -> None:
        if not self.sources:
            raise SourceConfigError("parameter 'sources' lists no source")
        for name in self.sources:
            if not SOURCE_NAME.match(name):
                raise SourceConfigError(f"parameter 'sources': '{name}' is not a valid name "
                                        "(a letter, then letters, digits or _)")
        dupes = sorted({n for n in self.sources if self.sources.count(n) > 1})
        if dupes:
            raise SourceConfigError(f"parameter 'sources' lists {dupes} twice")
        if self.min_height >= self.max_height:
            raise SourceConfigError(f"height band: min_height {self.min_height} m must be "
                                    f"below max_height {self.max_height} m")
        try:
            self.body()
        except BodyShapeError as exc:
            raise SourceConfigError(f"self_boxes/self_capsules: {exc}") from exc

    def body(self) -> SelfFilter:
        return SelfFilter(boxes_from_numbers(self.self_boxes),
                          capsules_from_numbers(self.self_capsules))

    @property
    def resolved_attitude_topic(self) -> str:
        if self.attitude_topic:
            return self.attitude_topic
        return "imu" if self.attitude_source == AttitudeInput.IMU else "odom"


def mount_problem(cfg: SourceConfig, shared: SourcesConfig, mount: Mount, where: str
                  ) -> str | None:
    """Why `mount` cannot carry source `cfg` (`where` names where it came from), or None: a
    sensor below the floor, a horizontal 2D scan outside the height band."""
    height = mount.xyz[2] + shared.base_height
    if not math.isfinite(height):
        return f"{where} is not finite"
    if height < 0.0:
        return (f"{where}: the sensor would sit {-height:.2f} m below the floor (z "
                f"{mount.xyz[2]:g} + base_height {shared.base_height:g})")
    if cfg.type == SourceKind.SCAN and mount.horizontal and not (
            shared.min_height <= height <= shared.max_height):
        return (f"{where}: a horizontal 2D scan at {height:.2f} m above the floor lies "
                f"outside the height band [{shared.min_height}, {shared.max_height}] m "
                "(min_height/max_height): every point would be dropped")
    return None


def check_source(cfg: SourceConfig, shared: SourcesConfig) -> None:
    """Start-up checks that need both a source and the shared settings (a mount from
    /tf_static is checked when it arrives: static_tf.TfStaticMounts)."""
    if cfg.mount_from != MountFrom.PARAMS:
        return
    problem = mount_problem(cfg, shared, cfg.mount, f"parameter '{cfg.name}.mount_xyz'")
    if problem is not None:
        raise SourceConfigError(problem)
