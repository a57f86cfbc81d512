"""Tiny hand-made worlds whose distances can be worked out on paper."""

from __future__ import annotations

from typing import Any

from robot_brain.core.world import World, parse_world


def world(**extra: Any) -> World:
    data: dict[str, Any] = {"name": "t", "bounds": {"x_min": -20.0, "x_max": 20.0,
                                                    "y_min": -20.0, "y_max": 20.0},
                            "start": {"x": 0.0, "y": 0.0, "yaw": 0.0}}
    data.update(extra)
    return parse_world(data)


def wall_ahead(x: float = 3.0, thickness: float = 0.2) -> World:
    """A wall whose near face is the line x = `x`, far wider than any beam reaches."""
    cx = x + thickness / 2.0
    return world(walls=[{"start": [cx, -15.0], "end": [cx, 15.0], "thickness": thickness}])


def empty() -> World:
    return world()
