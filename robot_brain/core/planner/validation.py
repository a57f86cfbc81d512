"""Checking an LLM reply on arrival: JSON, the skills schema, the world and the limits.

Grammar-constrained decoding makes most replies well formed, but not all backends constrain
(a plain OpenAI-compatible server may not) and a grammar cannot know map geometry, so every
reply goes through here before anything is executed. The result is either a Plan or a
rejection whose reason is short enough for planner/status and specific enough to act on.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import jsonschema

from robot_brain.core.planner.skills import DOCK_PLACE, Plan, PlanLimits, Skill, Step, output_schema
from robot_brain.core.world import World

#: Longer replies are not plans; refusing them early bounds the work done on garbage.
MAX_REPLY_CHARS = 20_000
#: Field names a hostile or confused model uses to ask for speed; named in the reason.
_SPEED_WORDS = ("speed", "velocity", "vel", "max_speed", "m_s", "mps", "rate", "force",
                "acceleration", "accel", "power", "limit", "limits")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _Reject(Exception):
    """Internal: a check failed; the message becomes the rejection reason."""


@dataclass(frozen=True)
class Verdict:
    """accepted=True with a plan, or accepted=False with the reason it must not run."""

    accepted: bool
    plan: Plan | None
    reason: str
    notes: tuple[str, ...] = ()


def extract_json(text: str) -> Any:
    """The first JSON value in a reply.

    Tolerates what unconstrained models add around a correct answer: code fences, a lead-in
    sentence, and text after the object (a base model keeps writing the next few-shot
    example). Rejects NaN/Infinity literals, which json.loads would otherwise accept.
    """
    if len(text) > MAX_REPLY_CHARS:
        raise _Reject(f"reply is {len(text)} characters; a plan is at most {MAX_REPLY_CHARS}")
    stripped = _FENCE.sub("", text.strip()).strip()
    if not stripped:
        raise _Reject("reply is empty")
    decoder = json.JSONDecoder(parse_constant=_no_constants)
    start = stripped.find("{")
    if start < 0:
        raise _Reject(f"reply is not JSON: {_clip(stripped)!r}")
    try:
        value, _ = decoder.raw_decode(stripped, start)
    except _Reject:
        raise
    except json.JSONDecodeError as exc:
        body = stripped[start:]
        opened = body.count("{") + body.count("[") > body.count("}") + body.count("]")
        what = "truncated JSON" if opened or exc.pos >= len(stripped) - 1 else "invalid JSON"
        raise _Reject(f"reply is {what} ({exc.msg} at char {exc.pos}): "
                      f"{_clip(stripped)!r}") from exc
    except RecursionError as exc:
        raise _Reject("reply JSON is nested too deeply") from exc
    return value


def _no_constants(name: str) -> Any:
    raise _Reject(f"reply contains the non-finite literal {name}")


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "..."


def normalise_place(name: str) -> str:
    """'The Living Room' -> 'living_room': the spellings an unconstrained model uses."""
    s = name.strip().lower()
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[\s\-]+", "_", s)


class PlanValidator:
    """Validates replies for one world and one set of limits (the schema compiled once)."""

    def __init__(self, world: World, limits: PlanLimits) -> None:
        self.world = world
        self.limits = limits
        self.schema = output_schema(world, limits)
        self._schema_validator = jsonschema.Draft202012Validator(self.schema)

    def validate_text(self, text: str) -> Verdict:
        try:
            data = extract_json(text)
        except _Reject as exc:
            return Verdict(False, None, str(exc))
        return self.validate_data(data)

    def validate_data(self, data: Any) -> Verdict:
        notes: list[str] = []
        try:
            plan = self._check(data, notes)
        except _Reject as exc:
            return Verdict(False, None, str(exc), tuple(notes))
        return Verdict(True, plan, "ok" if not notes else "; ".join(notes), tuple(notes))

    # -- the checks, in the order a reader would want the first failure reported ----------

    def _check(self, data: Any, notes: list[str]) -> Plan:
        if not isinstance(data, dict):
            raise _Reject(f"plan must be a JSON object with 'steps', got {type(data).__name__}")
        extra = sorted(set(data) - {"steps"})
        if extra:
            raise _Reject(f"plan has unexpected field(s) {extra}; only 'steps' is allowed")
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list):
            raise _Reject("plan must have a 'steps' list")
        if not raw_steps:
            raise _Reject("plan has no steps")
        if len(raw_steps) > self.limits.max_steps:
            raise _Reject(f"plan has {len(raw_steps)} steps; at most {self.limits.max_steps}")
        steps = tuple(self._step(i + 1, raw, notes) for i, raw in enumerate(raw_steps))
        self._schema_check(raw_steps)
        return Plan(steps)

    def _schema_check(self, raw_steps: list[Any]) -> None:
        # The hand-written checks give the reasons; the shipped schema is the contract, so a
        # reply that passes them but not the schema is still refused.
        fixed = {"steps": [self._canonical(s) for s in raw_steps]}
        error = jsonschema.exceptions.best_match(self._schema_validator.iter_errors(fixed))
        if error is not None:
            raise _Reject(f"plan does not match the skills schema: {error.message}")

    def _canonical(self, raw: dict[str, Any]) -> dict[str, Any]:
        if isinstance(raw.get("place"), str):
            return {**raw, "place": normalise_place(raw["place"])}
        return raw

    def _step(self, index: int, raw: Any, notes: list[str]) -> Step:
        where = f"step {index}"
        if not isinstance(raw, dict):
            raise _Reject(f"{where} must be an object with a 'skill', got {type(raw).__name__}")
        name = raw.get("skill")
        if not isinstance(name, str):
            raise _Reject(f"{where} has no 'skill' name")
        try:
            skill = Skill(name)
        except ValueError:
            known = ", ".join(s.value for s in Skill)
            raise _Reject(f"{where}: unknown skill {_clip(name, 30)!r} (known: {known})") from None
        allowed = {
            Skill.NAVIGATE_TO: {"place", "x", "y"},
            Skill.STOP: set(),
            Skill.WAIT: {"seconds"},
            Skill.DOCK: set(),
            Skill.SAY: {"text"},
        }[skill]
        extra = sorted(set(raw) - allowed - {"skill"})
        if extra:
            speedish = [k for k in extra if k.lower() in _SPEED_WORDS]
            why = "; speeds and limits are not skill parameters" if speedish else ""
            raise _Reject(f"{where} ({skill.value}): unexpected field(s) {extra}{why}")
        where = f"{where} ({skill.value})"
        if skill is Skill.NAVIGATE_TO:
            return self._navigate(where, raw, notes)
        if skill is Skill.WAIT:
            return Step(Skill.WAIT, seconds=self._seconds(where, raw.get("seconds")))
        if skill is Skill.SAY:
            return Step(Skill.SAY, text=self._text(where, raw.get("text")))
        if skill is Skill.DOCK:
            dock = self.world.places.get(DOCK_PLACE)
            if dock is None:
                raise _Reject(f"{where}: this world has no '{DOCK_PLACE}' place")
            return Step(Skill.DOCK, place=DOCK_PLACE, x=dock.x, y=dock.y, yaw=dock.yaw)
        return Step(Skill.STOP)

    def _navigate(self, where: str, raw: dict[str, Any], notes: list[str]) -> Step:
        has_place = "place" in raw
        has_xy = "x" in raw or "y" in raw
        if has_place and has_xy:
            raise _Reject(f"{where}: give a place or x/y, not both")
        if has_place:
            name = raw["place"]
            if not isinstance(name, str) or not name.strip():
                raise _Reject(f"{where}: 'place' must be a place name")
            key = normalise_place(name)
            place = self.world.places.get(key)
            if place is None:
                known = ", ".join(sorted(self.world.places)) or "none"
                raise _Reject(f"{where}: place {_clip(name, 30)!r} is not in world "
                              f"'{self.world.name}' (known: {known})")
            if key != name:
                notes.append(f"{where}: place {name!r} read as '{key}'")
            return Step(Skill.NAVIGATE_TO, place=key, x=place.x, y=place.y, yaw=place.yaw)
        if not has_xy:
            raise _Reject(f"{where}: needs a 'place' or 'x' and 'y'")
        x = self._coordinate(where, "x", raw.get("x"))
        y = self._coordinate(where, "y", raw.get("y"))
        b = self.world.bounds
        if not b.contains(x, y):
            raise _Reject(f"{where}: ({x:g}, {y:g}) is outside the map "
                          f"(x {b.x_min:g}..{b.x_max:g}, y {b.y_min:g}..{b.y_max:g})")
        if self.world.inside_obstacle(x, y):
            raise _Reject(f"{where}: ({x:g}, {y:g}) is inside an obstacle")
        clearance = self.world.clearance(x, y)
        if clearance < self.limits.min_clearance_m:
            raise _Reject(f"{where}: ({x:g}, {y:g}) is {clearance:.2f} m from an obstacle; "
                          f"the robot needs {self.limits.min_clearance_m:g} m")
        return Step(Skill.NAVIGATE_TO, x=x, y=y)

    @staticmethod
    def _coordinate(where: str, key: str, value: Any) -> float:
        if value is None:
            raise _Reject(f"{where}: missing '{key}'")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Reject(f"{where}: '{key}' must be a number, got {_clip(repr(value), 30)}")
        if not math.isfinite(value):
            raise _Reject(f"{where}: '{key}' must be finite")
        return float(value)

    def _seconds(self, where: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Reject(f"{where}: 'seconds' must be a number, got {_clip(repr(value), 30)}")
        if not math.isfinite(value) or value <= 0.0:
            raise _Reject(f"{where}: 'seconds' must be > 0 and finite, got {value!r}")
        if value > self.limits.max_wait_s:
            raise _Reject(f"{where}: {value:g} s is longer than the limit "
                          f"{self.limits.max_wait_s:g} s")
        return float(value)

    def _text(self, where: str, value: Any) -> str:
        if not isinstance(value, str):
            raise _Reject(f"{where}: 'text' must be a string")
        text = _CONTROL.sub(" ", value).strip()
        if not text:
            raise _Reject(f"{where}: 'text' is empty")
        if len(text) > self.limits.max_say_chars:
            raise _Reject(f"{where}: text of {len(text)} characters; at most "
                          f"{self.limits.max_say_chars}")
        return text
