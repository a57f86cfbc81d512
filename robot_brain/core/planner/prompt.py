"""The prompt: skills, places, the latest scene, the battery and a few examples.

Two forms from the same parts: `raw` is a few-shot completion for a base model (the embedded
Gemma 3 270M), ending in "Plan:" so that the grammar-constrained decoder writes the JSON next;
`messages` is the chat form for OpenAI-compatible servers. Both stay short: the embedded model
has a 2048-token context and every prompt token costs generation time on the robot.

The examples are built from the world's own places so they never name a place the world lacks,
and they are deliberately not instructions of the scored set (robot_brain/data).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

from robot_brain.core.geometry import Pose2D
from robot_brain.core.planner.skills import DOCK_PLACE, PlanLimits
from robot_brain.core.world import World

MAX_INSTRUCTION_CHARS = 300
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PromptContext:
    instruction: str
    scene: Mapping[str, Any] | None = None
    pose: Pose2D | None = None
    battery_fraction: float | None = None  # 0..1, None/NaN = unknown


@dataclass(frozen=True)
class Prompt:
    raw: str
    messages: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Example:
    instruction: str
    plan: dict[str, Any]


def clean_instruction(text: str) -> str:
    """One line, bounded: an instruction cannot add lines that look like prompt structure."""
    text = _SPACE.sub(" ", text).strip()
    return text[:MAX_INSTRUCTION_CHARS]


def examples(world: World, limits: PlanLimits) -> tuple[Example, ...]:
    """Few-shot examples, ordered for a small base model.

    Gemma 3 270M copies the most recent example most, so the single navigate_to steps come
    last, to *different* places with different verbs: the pattern to copy is "the place named
    in the instruction", not "the place of the last example".
    """
    names = [n for n in sorted(world.places) if n != DOCK_PLACE]
    out: list[Example] = [
        Example("Fly up to the ceiling at full speed.",
                {"steps": [{"skill": "say", "text": "I cannot do that safely."}]}),
        Example("Freeze!", {"steps": [{"skill": "stop"}]}),
    ]
    if len(names) > 1:
        p = names[1]
        out.append(Example(f"Say hello, then go to the {p.replace('_', ' ')} and stay there "
                           "3 seconds.",
                           {"steps": [{"skill": "say", "text": "Hello!"},
                                      {"skill": "navigate_to", "place": p},
                                      {"skill": "wait", "seconds": 3}]}))
    if DOCK_PLACE in world.places:
        out.append(Example("You are almost out of power, recharge.",
                           {"steps": [{"skill": "dock"}]}))
    verbs = ("Walk over to the {}.", "Please head to the {} now.", "Can you move to the {}?")
    out.extend(Example(verb.format(name.replace("_", " ")),
                       {"steps": [{"skill": "navigate_to", "place": name}]})
               for verb, name in zip(verbs, names[::2], strict=False))
    return tuple(out)


def place_list(world: World) -> str:
    return ", ".join(f"{n} ({p.x:.1f}, {p.y:.1f})" for n, p in sorted(world.places.items()))


def skills_text(limits: PlanLimits) -> str:
    return ("navigate_to {place} or {x, y}; stop; "
            f"wait {{seconds}} (at most {limits.max_wait_s:g}); dock (go charge); "
            f"say {{text}} (at most {limits.max_say_chars} characters)")


def battery_text(fraction: float | None) -> str:
    if fraction is None or not math.isfinite(fraction):
        return "unknown"
    return f"{round(100.0 * min(max(fraction, 0.0), 1.0))} %"


def summarize_scene(scene: Mapping[str, Any] | None, pose: Pose2D | None) -> str:
    """A one-line scene: where the robot is and what is close.

    Reads the perception/scene keys it knows and ignores the rest, so a richer scene message
    does not lengthen the prompt.
    """
    parts: list[str] = []
    robot = _robot_pose(scene) or pose
    if robot is not None:
        parts.append(f"robot at ({robot.x:.1f}, {robot.y:.1f}) facing "
                     f"{math.degrees(robot.yaw):.0f} deg")
    near = _nearest_obstacles(scene)
    if near:
        parts.append("obstacles " + ", ".join(near))
    free = scene.get("free_directions") if scene else None
    if isinstance(free, list) and free:
        parts.append("free " + ", ".join(_direction(f) for f in free[:4]))
    return "; ".join(parts) if parts else "unknown"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _robot_pose(scene: Mapping[str, Any] | None) -> Pose2D | None:
    if not scene:
        return None
    robot = scene.get("robot") or scene.get("pose") or scene.get("robot_pose")
    if isinstance(robot, Mapping) and isinstance(robot.get("pose"), Mapping):
        robot = robot["pose"]
    if not isinstance(robot, Mapping):
        return None
    x, y = _number(robot.get("x")), _number(robot.get("y"))
    yaw = _number(robot.get("yaw")) or 0.0
    return Pose2D(x, y, yaw) if x is not None and y is not None else None


def _nearest_obstacles(scene: Mapping[str, Any] | None, n: int = 3) -> list[str]:
    if not scene:
        return []
    items = scene.get("nearest_obstacles") or scene.get("obstacles") or []
    out: list[str] = []
    if not isinstance(items, list):
        return out
    for item in items[:n]:
        if not isinstance(item, Mapping):
            continue
        dist = _number(item.get("distance", item.get("range")))
        bearing = _number(item.get("bearing"))
        if dist is None:
            continue
        where = f" at {math.degrees(bearing):.0f} deg" if bearing is not None else ""
        out.append(f"{dist:.1f} m{where}")
    return out


def _direction(item: Any) -> str:
    if isinstance(item, Mapping):
        b = _number(item.get("bearing"))
        return f"{math.degrees(b):.0f} deg" if b is not None else "?"
    b = _number(item)
    if b is not None:
        return f"{math.degrees(b):.0f} deg"
    return str(item)[:12]


def _compact(plan: Mapping[str, Any]) -> str:
    return json.dumps(plan, separators=(", ", ": "), ensure_ascii=False)


def build_prompt(world: World, limits: PlanLimits, ctx: PromptContext) -> Prompt:
    instruction = clean_instruction(ctx.instruction)
    scene = summarize_scene(ctx.scene, ctx.pose)
    battery = battery_text(ctx.battery_fraction)
    b = world.bounds
    header = (
        "A home robot turns an instruction into a JSON plan of skills.\n"
        f"Skills: {skills_text(limits)}.\n"
        f"Places: {place_list(world)}.\n"
        f"Map: x {b.x_min:g} to {b.x_max:g}, y {b.y_min:g} to {b.y_max:g}. "
        f"At most {limits.max_steps} steps. Unsafe or impossible requests get a say step "
        "that refuses.\n"
    )
    shots = examples(world, limits)
    raw_lines = [header]
    for ex in shots:
        raw_lines.append(f"Instruction: {ex.instruction}\nPlan: {_compact(ex.plan)}\n")
    raw_lines.append(f"Scene: {scene}. Battery: {battery}.\n"
                     f"Instruction: {instruction}\nPlan:")
    raw = "\n".join(raw_lines)

    system = (header + "Answer with the JSON plan only, e.g. "
              + _compact({"steps": [{"skill": "navigate_to", "place": "PLACE"}]}) + ".")
    messages: list[dict[str, str]] = [{"role": "system", "content": system}]
    for ex in shots:
        messages.append({"role": "user", "content": f"Instruction: {ex.instruction}"})
        messages.append({"role": "assistant", "content": _compact(ex.plan)})
    messages.append({"role": "user", "content": f"Scene: {scene}. Battery: {battery}.\n"
                                                f"Instruction: {instruction}"})
    return Prompt(raw=raw, messages=tuple(messages))
