"""The robot's skills: the only things a plan can ask for, and the JSON schema the LLM must fill.

A plan is a short list of steps, each one skill with its arguments. Speeds, forces and limits
are not skill arguments on purpose: whatever the instruction says, the model can only choose
*where* to go, *how long* to wait and *what* to say; the fast path owns how.
"""

from __future__ import annotations

import copy
import enum
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.resources import package_file
from robot_brain.core.world import World

SKILLS_SCHEMA_FILE = "skills.schema.json"
DOCK_PLACE = "dock"


class Skill(str, enum.Enum):
    NAVIGATE_TO = "navigate_to"
    STOP = "stop"
    WAIT = "wait"
    DOCK = "dock"
    SAY = "say"


class PlanLimitsError(ConfigurationError):
    """Plan bounds that no plan could meet."""


@dataclass(frozen=True)
class PlanLimits:
    """Bounds every plan is checked against, whatever the model wrote."""

    max_steps: int = param(5, "Most steps a plan may have.", min=1, max=20)
    max_wait_s: float = param(60.0, "Longest `wait` step.", unit="s", min=0.1, max=3600.0)
    max_say_chars: int = param(120, "Longest `say` text.", min=1, max=1000)
    #: A coordinate goal must leave the footprint's radius to the nearest obstacle.
    robot: RobotLimits = group(RobotLimits, shared=True)

    def __post_init__(self) -> None:
        if self.max_steps < 1:
            raise PlanLimitsError(f"max_steps must be >= 1, got {self.max_steps}")
        if not self.max_wait_s > 0.0:
            raise PlanLimitsError(f"max_wait_s must be > 0, got {self.max_wait_s}")
        if self.max_say_chars < 1:
            raise PlanLimitsError(f"max_say_chars must be >= 1, got {self.max_say_chars}")

    @property
    def min_clearance_m(self) -> float:
        return self.robot.robot_radius


@dataclass(frozen=True)
class Step:
    """One validated step. Which fields are set depends on the skill.

    navigate_to: place (named) or x/y; the resolved target is always in x, y (and yaw).
    dock: place='dock' and its x, y, yaw. wait: seconds. say: text. stop: nothing.
    """

    skill: Skill
    place: str | None = None
    x: float | None = None
    y: float | None = None
    yaw: float | None = None
    seconds: float | None = None
    text: str | None = None

    @property
    def is_motion(self) -> bool:
        return self.skill in (Skill.NAVIGATE_TO, Skill.DOCK)

    def to_json(self) -> dict[str, Any]:
        """The step as shown on planner/plan: the model's form plus the resolved target."""
        out: dict[str, Any] = {"skill": self.skill.value}
        if self.place is not None:
            out["place"] = self.place
        if self.x is not None and self.y is not None:
            out["x"] = round(self.x, 3)
            out["y"] = round(self.y, 3)
        if self.yaw is not None:
            out["yaw"] = round(self.yaw, 4)
        if self.seconds is not None:
            out["seconds"] = self.seconds
        if self.text is not None:
            out["text"] = self.text
        return out

    def describe(self) -> str:
        if self.skill is Skill.NAVIGATE_TO:
            where = self.place if self.place is not None else f"({self.x:.2f}, {self.y:.2f})"
            return f"navigate_to {where}"
        if self.skill is Skill.WAIT:
            return f"wait {self.seconds:g} s"
        if self.skill is Skill.SAY:
            return f"say {self.text!r}"
        return self.skill.value


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]

    def to_json(self) -> list[dict[str, Any]]:
        return [s.to_json() for s in self.steps]

    def describe(self) -> str:
        return "; ".join(s.describe() for s in self.steps) or "(empty)"


def dock_plan(world: World) -> Plan | None:
    """The plan a critical battery forces, or None when the world has no dock."""
    place = world.places.get(DOCK_PLACE)
    if place is None:
        return None
    return Plan((Step(Skill.DOCK, place=DOCK_PLACE, x=place.x, y=place.y, yaw=place.yaw),))


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    with open(package_file("schemas", SKILLS_SCHEMA_FILE), encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def template_schema() -> dict[str, Any]:
    """The world-independent skills schema shipped in robot_brain/schemas (a fresh copy)."""
    return copy.deepcopy(_template())


def output_schema(world: World, limits: PlanLimits) -> dict[str, Any]:
    """The schema for one world: place names as an enum and the limits as bounds.

    This is what becomes the decoding grammar, so a grammar-constrained model cannot even
    spell a place that is not in the world. Coordinate goals stay free numbers (a grammar
    cannot express "outside every obstacle"); validation checks them on arrival.
    """
    schema = template_schema()
    steps = schema["properties"]["steps"]
    steps["maxItems"] = limits.max_steps
    variants: list[dict[str, Any]] = steps["items"]["anyOf"]
    places = sorted(world.places)
    kept: list[dict[str, Any]] = []
    for variant in variants:
        props = variant["properties"]
        skill = props["skill"]["const"]
        if "place" in props:
            if not places:
                continue  # a world without places only allows coordinate goals
            props["place"] = {"type": "string", "enum": places}
        if skill == Skill.DOCK.value and DOCK_PLACE not in world.places:
            continue
        if "seconds" in props:
            props["seconds"]["maximum"] = limits.max_wait_s
        if "text" in props:
            props["text"]["maxLength"] = limits.max_say_chars
        kept.append(variant)
    steps["items"]["anyOf"] = kept
    return schema
