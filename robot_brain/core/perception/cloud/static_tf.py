"""Sensor mounts from /tf_static: the static transform tree, composed from the base frame down
to each sensor frame.

A robot that describes itself in a URDF publishes its fixed joints on /tf_static
(robot_state_publisher), and a bare sensor is often placed with a static_transform_publisher.
Each /tf_static message holds transforms parent -> child (the child frame's pose in its
parent: translation, unit quaternion x y z w); a static broadcaster sends all of its
transforms in one latched message, several broadcasters each send theirs, and a broadcaster
that adds a frame sends its whole set again. So the tree keeps the newest transform of every
child frame, as tf2's buffer does, from every message.

A source that takes its mount from here (`<name>.mount_from: tf_static`) looks up
base_frame -> ... -> its `frame`, through any intermediate frames (base_link -> torso_link
-> head_link -> livox_frame on a URDF robot): T = T(base, a) T(a, b) ... T(y, frame). Until
that chain is complete the source has no mount and its messages are refused (never placed
with a guessed mount). A chain that puts the sensor below the floor, or a horizontal 2D scan
outside the height band, is refused with its reason, as the same mount given as parameters
is refused at start (config.mount_problem); the source then has no mount until a correct
transform arrives.

Bad transforms (a non-finite number, a zero quaternion, a frame that is its own parent, an
empty frame name) are refused one by one and counted; the rest of the message is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from robot_brain.core.perception.cloud.config import SourceConfig, SourcesConfig, mount_problem
from robot_brain.core.perception.cloud.mount import Mount, rotation_quaternion, rpy_from_rotation

#: A chain longer than this is a loop in a broken tree (a URDF is a few dozen links deep).
MAX_CHAIN = 64


@dataclass(frozen=True)
class StaticTransform:
    """parent -> child as geometry_msgs/TransformStamped carries it."""

    parent: str
    child: str
    translation: tuple[float, float, float]
    #: x, y, z, w.
    rotation: tuple[float, float, float, float]


def frame_name(frame: str) -> str:
    """tf2 ignores a leading '/' (a ROS 1 habit still found in drivers' frame_ids)."""
    return frame.lstrip("/")


def transform_problem(t: StaticTransform) -> str | None:
    """Why `t` cannot be part of the tree, or None."""
    parent, child = frame_name(t.parent), frame_name(t.child)
    if not parent or not child:
        return f"a transform with an empty frame name ('{t.parent}' -> '{t.child}')"
    if parent == child:
        return f"'{child}' is its own parent"
    numbers = (*t.translation, *t.rotation)
    if len(t.translation) != 3 or len(t.rotation) != 4 or not all(
            math.isfinite(v) for v in numbers):
        return f"{parent} -> {child} is not finite: {numbers}"
    if math.fsum(v * v for v in t.rotation) < 1e-12:
        return f"{parent} -> {child} has a zero quaternion"
    return None


class StaticTree:
    """The newest static transform of every child frame."""

    def __init__(self) -> None:
        #: child -> (parent, R (3x3, child -> parent), t (3,)).
        self._edges: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self._edges)

    def add(self, t: StaticTransform) -> str | None:
        """Take `t` (None), or say why not (the tree is unchanged)."""
        problem = transform_problem(t)
        if problem is not None:
            return problem
        self._edges[frame_name(t.child)] = (
            frame_name(t.parent), rotation_quaternion(*t.rotation),
            np.array(t.translation, dtype=np.float64))
        return None

    def chain(self, base: str, frame: str) -> tuple[Mount | None, str]:
        """The pose of `frame` in `base` composed along the tree (a Mount), or None and what
        is missing."""
        base, frame = frame_name(base), frame_name(frame)
        r, t = np.eye(3), np.zeros(3)
        current, path = frame, [frame]
        while current != base:
            edge = self._edges.get(current)
            if edge is None:
                where = "" if current == frame else f" (reached '{current}' via {path})"
                return None, f"no static transform to '{current}'{where}"
            parent, r_pc, t_pc = edge
            # p_parent = R_pc p_current + t_pc, applied to everything below current.
            r, t = r_pc @ r, r_pc @ t + t_pc
            current = parent
            path.append(current)
            if len(path) > MAX_CHAIN:
                return None, f"the frames above '{frame}' loop: {path[:8]} ..."
        x, y, z = (float(v) for v in t)
        return Mount((x, y, z), rpy_from_rotation(r)), " -> ".join(reversed(path))


@dataclass(frozen=True)
class MountChange:
    """A source whose mount from /tf_static changed: the new mount, or None and why."""

    source: int
    mount: Mount | None
    #: The chain it came from (base -> ... -> frame), or why there is no mount.
    detail: str


class TfStaticMounts:
    """The mounts of the sources that take theirs from /tf_static (`mount_from: tf_static`).

    `update` takes the transforms of one /tf_static message and returns the sources whose
    mount changed; a source keeps no mount while its chain is missing or refused."""

    def __init__(self, sources: Sequence[tuple[int, SourceConfig]], shared: SourcesConfig
                 ) -> None:
        self.tree = StaticTree()
        self.shared = shared
        self._sources = list(sources)
        self._mounts: dict[int, Mount | None] = {i: None for i, _ in self._sources}
        self._reasons: dict[int, str] = {}
        self.transforms = 0
        self.refused = 0
        #: The last refused transform's reason ('' = none refused yet).
        self.last_refusal = ""

    def mount(self, source: int) -> Mount | None:
        return self._mounts[source]

    def waiting(self) -> list[str]:
        """Names of the sources that have no mount yet, with what they wait for."""
        return [f"{cfg.name} ({self.shared.base_frame} -> {cfg.frame})"
                for i, cfg in self._sources if self._mounts[i] is None]

    def update(self, transforms: Iterable[StaticTransform]) -> list[MountChange]:
        for t in transforms:
            problem = self.tree.add(t)
            if problem is None:
                self.transforms += 1
            else:
                self.refused += 1
                self.last_refusal = problem
        changes = []
        for i, cfg in self._sources:
            mount, detail = self.tree.chain(self.shared.base_frame, cfg.frame)
            if mount is not None:
                problem = mount_problem(cfg, self.shared, mount, f"/tf_static {detail}")
                if problem is not None:
                    mount, detail = None, problem
            if mount is None and self._mounts[i] is None and (
                    detail == self._reasons.get(i) or detail.startswith("no static")):
                # Still waiting, for the same reason (or for a frame not yet published):
                # nothing to report.
                self._reasons[i] = detail
                continue
            if mount != self._mounts[i] or detail != self._reasons.get(i):
                self._mounts[i] = mount
                self._reasons[i] = detail
                changes.append(MountChange(i, mount, detail))
        return changes
