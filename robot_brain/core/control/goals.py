"""Goal acceptance: which `planner/goal` messages the controller will drive to.

Goals come in `odom` (`map` is treated as identical: right without a localiser, documented in
docs/controller.md); any other frame is refused, as is a non-finite goal or one off the map:
with `goal_bounds_check` "map" (odom is the map frame, no localiser) one far outside the map
bounds, with "reach" (a localiser runs, so odom is offset and turned from the map: the planner
checks every goal on the map) one farther from the robot than the map is wide.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from robot_brain.core.world import Bounds

ACCEPTED_FRAMES = ("odom", "map")


class GoalRejection(enum.Enum):
    NON_FINITE = "non-finite coordinates"
    UNKNOWN_FRAME = "frame is not one of " + ", ".join(repr(f) for f in ACCEPTED_FRAMES)
    OUT_OF_BOUNDS = "far outside the map bounds"
    OUT_OF_REACH = "farther from the robot than the map is wide"


class BoundsCheck(str, enum.Enum):
    MAP = "map"       # odom = map: the goal must lie within the map bounds (+ margin)
    REACH = "reach"   # odom != map: within the map's diagonal (+ margin) of the robot


@dataclass(frozen=True)
class Goal:
    x: float
    y: float
    frame: str = "odom"


def check_goal(goal: Goal, bounds: Bounds | None, margin: float,
               mode: BoundsCheck = BoundsCheck.MAP,
               robot: tuple[float, float] | None = None) -> GoalRejection | None:
    """None when the goal is acceptable, else the reason it is refused. In REACH mode a goal
    that arrives before any odometry is accepted (the robot cannot drive without it)."""
    if not (math.isfinite(goal.x) and math.isfinite(goal.y)):
        return GoalRejection.NON_FINITE
    if goal.frame.lstrip("/") not in ACCEPTED_FRAMES:
        return GoalRejection.UNKNOWN_FRAME
    if bounds is None:
        return None
    if mode is BoundsCheck.MAP:
        if not bounds.contains(goal.x, goal.y, margin=-margin):
            return GoalRejection.OUT_OF_BOUNDS
    elif robot is not None:
        wide = math.hypot(bounds.x_max - bounds.x_min, bounds.y_max - bounds.y_min)
        if math.hypot(goal.x - robot[0], goal.y - robot[1]) > wide + margin:
            return GoalRejection.OUT_OF_REACH
    return None
