"""The robot's pose on its map: the map -> odom correction from a localiser, and what the
planner does with it.

Odometry drifts; a localiser (AMCL's `amcl_pose`, a PoseWithCovarianceStamped in `map`, or
map -> odom on /tf) says where the robot is on the map. The correction T (map -> odom) is
what turns one into the other: map pose = T * odom pose. The planner works in `map` (places,
routes, the executive's progress) and hands the controller its goal in `odom`, through the
latest T. Without a localiser T is the identity: map = odom, as the built-in sim has it.

A localiser's estimate can jump (a relocalisation: the particle cloud converges elsewhere,
up to a metre at once). The controller never lunges at that: its goal moves, but its
commands stay within the speed and acceleration limits of its safety filter. The route,
planned from where the robot was believed to be, is re-planned from the new pose: `on_pose`
reports a jump when the correction moves the robot's map pose by more than
`relocalization_jump_m` (or turns it by more than `relocalization_turn_rad`).

Bad input is refused, counted, and changes nothing: a pose with NaN or infinity, a pose in a
frame other than `map_frame`.
"""

from __future__ import annotations

import bisect
import enum
import math
from collections import deque
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.geometry import Pose2D, wrap_angle

#: Odometry poses kept to pair a localisation pose with the odometry of its time (s).
ODOM_HISTORY_S = 5.0
#: A localisation pose further than this from every kept odometry sample uses the newest (s).
PAIRING_TOLERANCE_S = 0.5


class LocalizationSource(str, enum.Enum):
    NONE = "none"   # map = odom (the built-in sim, or a robot without a localiser)
    POSE = "pose"   # a PoseWithCovarianceStamped topic (AMCL's amcl_pose)
    TF = "tf"       # map -> odom on /tf (where tf2_msgs is installed)


class LocalizationConfigError(ConfigurationError):
    """Localisation settings that cannot work."""


@dataclass(frozen=True)
class LocalizationConfig:
    localization_source: str = param(
        LocalizationSource.NONE.value, "Where the robot's map pose comes from: 'none' (map = "
        "odom), 'pose' (a PoseWithCovarianceStamped topic, localization_topic), 'tf' (map -> "
        "odom on /tf; needs tf2_msgs).", choices=tuple(s.value for s in LocalizationSource))
    localization_topic: str = param(
        "amcl_pose", "PoseWithCovarianceStamped topic of the robot's map pose (source 'pose').")
    map_frame: str = param("map", "Frame of the map, of places and of localisation poses.")
    relocalization_jump_m: float = param(
        0.25, "A correction that moves the robot's map pose further than this re-plans the "
        "route.", unit="m", min=0.01, max=10.0)
    relocalization_turn_rad: float = param(
        0.2, "... or turns it further than this.", unit="rad", min=0.01, max=3.15)

    def __post_init__(self) -> None:
        if self.localization_source == LocalizationSource.POSE.value \
                and not self.localization_topic.strip():
            raise LocalizationConfigError("localization_source 'pose' needs a "
                                          "localization_topic")
        if not self.map_frame.strip():
            raise LocalizationConfigError("map_frame must not be empty")

    @property
    def source(self) -> LocalizationSource:
        return LocalizationSource(self.localization_source)


@dataclass(frozen=True)
class Correction:
    """The map -> odom transform: map pose = this * odom pose."""

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0

    @staticmethod
    def between(map_pose: Pose2D, odom_pose: Pose2D) -> Correction:
        """The correction that puts `odom_pose` at `map_pose`."""
        yaw = wrap_angle(map_pose.yaw - odom_pose.yaw)
        c, s = math.cos(yaw), math.sin(yaw)
        return Correction(map_pose.x - (c * odom_pose.x - s * odom_pose.y),
                          map_pose.y - (s * odom_pose.x + c * odom_pose.y), yaw)

    def to_map(self, odom: Pose2D) -> Pose2D:
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        return Pose2D(self.x + c * odom.x - s * odom.y, self.y + s * odom.x + c * odom.y,
                      wrap_angle(odom.yaw + self.yaw))

    def to_odom(self, x: float, y: float, yaw: float | None = None
                ) -> tuple[float, float, float | None]:
        """A map point (and heading) in odom."""
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        dx, dy = x - self.x, y - self.y
        return (c * dx + s * dy, -s * dx + c * dy,
                None if yaw is None else wrap_angle(yaw - self.yaw))

    def is_finite(self) -> bool:
        return all(math.isfinite(v) for v in (self.x, self.y, self.yaw))


class Verdict(str, enum.Enum):
    ACCEPTED = "accepted"
    NOT_FINITE = "not_finite"
    WRONG_FRAME = "wrong_frame"


@dataclass(frozen=True)
class PoseUpdate:
    verdict: Verdict
    reason: str = ""
    #: How far (m) and how much (rad) the robot's map pose moved with the new correction.
    jump_m: float = 0.0
    turn_rad: float = 0.0
    #: True when the jump is large enough to re-plan the route.
    relocalized: bool = False


class Localizer:
    """The latest correction, from localisation poses paired with the odometry of their
    time. Bounded work per call; not thread-safe (the planner's tick owns it)."""

    def __init__(self, config: LocalizationConfig = LocalizationConfig()) -> None:
        self.config = config
        self.correction = Correction()
        self.updates = 0
        self.relocalizations = 0
        self.refused: dict[Verdict, int] = {Verdict.NOT_FINITE: 0, Verdict.WRONG_FRAME: 0}
        self.last_reason = ""
        self._times: deque[float] = deque()
        self._poses: deque[Pose2D] = deque()
        self.last_update_t: float | None = None

    @property
    def active(self) -> bool:
        return self.config.source is not LocalizationSource.NONE

    def on_odom(self, t: float, pose: Pose2D) -> None:
        """An odometry pose at time t (any clock the caller also uses for on_pose)."""
        if not (math.isfinite(t) and math.isfinite(pose.x) and math.isfinite(pose.y)
                and math.isfinite(pose.yaw)):
            return
        if self._times and t < self._times[-1]:
            self._times.clear()
            self._poses.clear()
        self._times.append(t)
        self._poses.append(pose)
        while self._times and self._times[0] < t - ODOM_HISTORY_S:
            self._times.popleft()
            self._poses.popleft()

    def odom_at(self, t: float) -> Pose2D | None:
        if not self._times:
            return None
        times = list(self._times)
        k = bisect.bisect_left(times, t)
        best = min((i for i in (k - 1, k) if 0 <= i < len(times)),
                   key=lambda i: abs(times[i] - t))
        if abs(times[best] - t) > PAIRING_TOLERANCE_S:
            return self._poses[-1]
        return self._poses[best]

    def on_pose(self, t: float, frame: str, x: float, y: float, yaw: float) -> PoseUpdate:
        """A localisation pose (the robot in `frame`, which must be the map frame) at time t."""
        if not all(math.isfinite(v) for v in (t, x, y, yaw)):
            return self._refuse(Verdict.NOT_FINITE, f"localisation pose ({x}, {y}, {yaw}) at "
                                                    f"{t} is not finite")
        if frame.lstrip("/") != self.config.map_frame:
            return self._refuse(Verdict.WRONG_FRAME, f"localisation pose in frame {frame!r}, "
                                                     f"not {self.config.map_frame!r}")
        odom = self.odom_at(t)
        if odom is None:
            return self._refuse(Verdict.NOT_FINITE, "localisation pose before any odometry")
        return self._apply(Correction.between(Pose2D(x, y, yaw), odom), t)

    def on_map_to_odom(self, t: float, parent: str, child: str, x: float, y: float,
                       yaw: float, odom_frame: str = "odom") -> PoseUpdate:
        """The map -> odom transform itself (from /tf)."""
        if not all(math.isfinite(v) for v in (x, y, yaw)):
            return self._refuse(Verdict.NOT_FINITE, f"map -> odom ({x}, {y}, {yaw}) is not "
                                                    f"finite")
        if parent.lstrip("/") != self.config.map_frame or child.lstrip("/") != odom_frame:
            return self._refuse(Verdict.WRONG_FRAME, f"transform {parent!r} -> {child!r}, "
                                                     f"not {self.config.map_frame!r} -> "
                                                     f"{odom_frame!r}")
        return self._apply(Correction(x, y, yaw), t)

    def map_pose(self, odom: Pose2D) -> Pose2D:
        return self.correction.to_map(odom)

    def _apply(self, new: Correction, t: float) -> PoseUpdate:
        here = self._poses[-1] if self._poses else Pose2D(0.0, 0.0, 0.0)
        before, after = self.correction.to_map(here), new.to_map(here)
        jump = math.hypot(after.x - before.x, after.y - before.y)
        turn = abs(wrap_angle(after.yaw - before.yaw))
        relocalized = (jump > self.config.relocalization_jump_m
                       or turn > self.config.relocalization_turn_rad)
        self.correction = new
        self.updates += 1
        self.last_update_t = t
        if relocalized:
            self.relocalizations += 1
        return PoseUpdate(Verdict.ACCEPTED, "", jump, turn, relocalized)

    def _refuse(self, verdict: Verdict, reason: str) -> PoseUpdate:
        self.refused[verdict] += 1
        self.last_reason = reason
        return PoseUpdate(verdict, reason)

    def counters(self) -> dict[str, int]:
        return {"localization_updates": self.updates,
                "relocalizations": self.relocalizations,
                "localization_refused_not_finite": self.refused[Verdict.NOT_FINITE],
                "localization_refused_frame": self.refused[Verdict.WRONG_FRAME]}
