"""Why there is no route: each reason its own NoRouteError, the message saying where."""

from __future__ import annotations


class NoRouteError(ValueError):
    """No route from the start to the goal; the message says why."""


class OutsideMapError(NoRouteError):
    """The start or the goal lies outside the map bounds."""


class GoalBlockedError(NoRouteError):
    """The goal is inside an obstacle or closer to one than the robot's radius."""


class StartBlockedError(NoRouteError):
    """The start is inside an obstacle (odometry disagrees with the world)."""


class UnreachableError(NoRouteError):
    """Start and goal are both usable, but no corridor wide enough for the body joins them."""
