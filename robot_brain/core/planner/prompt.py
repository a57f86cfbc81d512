"""The prompt: skills, places, the latest scene, the battery and a few examples.

Two forms from the same parts: `raw` is a few-shot completion for a base model (the embedded
Gemma 3 270M), ending in "Plan:" so that the grammar-constrained decoder writes the JSON next;
`messages` is the chat form for OpenAI-compatible servers. Both stay short: the embedded model
has a 2048-token context and every prompt token costs generation time on the robot.

The examples (robot_brain.core.planner.examples) are a few fixed ones followed by those most
similar to the instruction; the fixed part comes first so llama.cpp's prompt-prefix cache keeps
it evaluated between requests.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

from robot_brain.core.geometry import Pose2D
from robot_brain.core.planner.examples import (
    DEFAULT_RETRIEVED,
    Example,
    example_pool,
    fixed_examples,
    place_phrases,
    similar_examples,
)
from robot_brain.core.planner.skills import PlanLimits
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


def clean_instruction(text: str) -> str:
    """One line, bounded: an instruction cannot add lines that look like prompt structure."""
    text = _SPACE.sub(" ", text).strip()
    return text[:MAX_INSTRUCTION_CHARS]


def example_parts(world: World, instruction: str) -> tuple[tuple[Example, ...],
                                                         tuple[Example, ...]]:
    """(fixed, retrieved): the prompt's examples for this instruction.

    The fixed examples can be retrieved too (shown again, close to the instruction): "Stop!"
    is the best neighbour of "Halt!" and it must not lose to a worse one for being fixed.
    """
    fixed = fixed_examples(world)
    retrieved = similar_examples(fixed + example_pool(world), instruction, DEFAULT_RETRIEVED,
                                 place_phrases(world))
    return fixed, retrieved


def examples(world: World, limits: PlanLimits, instruction: str = "") -> tuple[Example, ...]:
    """All few-shot examples of the prompt for this instruction, in prompt order."""
    fixed, retrieved = example_parts(world, clean_instruction(instruction))
    return fixed + retrieved


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


def _shot(ex: Example) -> str:
    return f"Instruction: {ex.instruction}\nPlan: {_compact(ex.plan)}\n"


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
    fixed, retrieved = example_parts(world, instruction)
    shots = fixed + retrieved
    # Order matters to a small base model: the fixed part first (cached between requests),
    # then the scene (kept away from the instruction: "Battery: 80 %" right above it made
    # the model answer "dock"), then the retrieved examples, closest last.
    raw_lines = [header]
    raw_lines += [_shot(ex) for ex in fixed]
    raw_lines.append(f"Scene: {scene}. Battery: {battery}.\n")
    raw_lines += [_shot(ex) for ex in retrieved]
    raw_lines.append(f"Instruction: {instruction}\nPlan:")
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
