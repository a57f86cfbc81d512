"""A named place: where the robot can be sent, and the other names people use for it.

Below both the world (robot_brain.core.world, which re-exports it) and the places file
(robot_brain.core.maps.places_file), so either can make places without importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    name: str
    x: float
    y: float
    yaw: float = 0.0
    #: Other names people use for it ("entrance" for door, "Drucker" for printer), in any
    #: language; the vertical planner matches them.
    aliases: tuple[str, ...] = ()
