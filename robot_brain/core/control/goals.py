"""Goal acceptance: which `planner/goal` messages the controller will drive to.

The sim's odometry frame is the world frame, and there is no localisation yet, so `map` is
treated as identical to `odom` (documented in docs/controller.md); any other frame is refused,
as is a non-finite goal or one far outside the map bounds.
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


@dataclass(frozen=True)
class Goal:
    x: float
    y: float
    frame: str = "odom"


def check_goal(goal: Goal, bounds: Bounds | None, margin: float) -> GoalRejection | None:
    """None when the goal is acceptable, else the reason it is refused."""
    if not (math.isfinite(goal.x) and math.isfinite(goal.y)):
        return GoalRejection.NON_FINITE
    if goal.frame.lstrip("/") not in ACCEPTED_FRAMES:
        return GoalRejection.UNKNOWN_FRAME
    if bounds is not None and not bounds.contains(goal.x, goal.y, margin=-margin):
        return GoalRejection.OUT_OF_BOUNDS
    return None
