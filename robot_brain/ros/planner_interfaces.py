"""The planner's plan and status records as robot_brain_interfaces messages, and back.

planner/plan and planner/status carry JSON today (robot_brain/schemas/plan.schema.json,
status.schema.json); robot_brain_interfaces/msg/Plan, PlanStep and PlannerStatus have the same
field names. The conversion goes through the records' JSON form (`to_json()`), so the clipping
and rounding the JSON applies hold for the messages too, and one rule covers every field:

- a JSON null is NaN in a float64 field and -1 in an int32 field (PlannerStatus.step_index);
- a key a JSON step lacks is '' in a string field and NaN in a float64 field of PlanStep;
- the plan's `gate` (the plan safety gate's decision, an object) is a PlanGate message; the
  JSON null (no decision) is a PlanGate whose decision is ''.

`plan_json(plan_msg(r)) == r.to_json()` for every record (test/ros/test_planner_interfaces.py),
so a reader of either form sees the same values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from robot_brain_interfaces.msg import Plan, PlanGate, PlannerStatus, PlanStep

from robot_brain.core.planner.messages import PlanRecord, StatusRecord

__all__ = ["gate_json", "gate_msg", "plan_json", "plan_msg", "plan_msg_from_json",
           "status_json", "status_msg", "status_msg_from_json", "step_json", "step_msg"]

_NO_INDEX = -1  # int32 fields: what a JSON null is


class MessageFieldError(ValueError):
    """A JSON payload whose keys do not match the message's fields."""


def _fields(msg_type: type) -> dict[str, str]:
    """{field name: rosidl type name} of a generated message class."""
    fields: dict[str, str] = msg_type.get_fields_and_field_types()  # type: ignore[attr-defined]
    return fields


def _to_field(kind: str, value: Any) -> Any:
    """A JSON value as the field of rosidl type `kind` holds it (None: NaN, -1, '')."""
    if kind in ("double", "float"):
        return math.nan if value is None else float(value)
    if kind == "boolean":
        return bool(value)
    if kind == "string":
        return "" if value is None else str(value)
    if kind.startswith("int"):
        return _NO_INDEX if value is None else int(value)
    if kind.startswith("uint"):
        return int(value)
    raise MessageFieldError(f"no JSON form for a field of type {kind}")


def _fill(msg: Any, payload: Mapping[str, Any], skip: tuple[str, ...] = ()) -> Any:
    """Every field of `msg` from the key of the same name; the keys must be the fields."""
    fields = _fields(type(msg))
    extra = set(payload) - set(fields)
    missing = set(fields) - set(payload) - set(skip)
    if extra or missing:
        raise MessageFieldError(
            f"{type(msg).__name__}: JSON keys not in the message {sorted(extra)}, "
            f"fields not in the JSON {sorted(missing)}")
    for name, kind in fields.items():
        if name not in skip:
            setattr(msg, name, _to_field(kind, payload[name]))
    return msg


def _from_field(kind: str, value: Any) -> Any:
    """A field as its JSON value (NaN and a negative int32 are null)."""
    if kind in ("double", "float"):
        return None if math.isnan(value) else float(value)
    if kind.startswith("int"):
        return None if value < 0 else int(value)
    return value


def _dump(msg: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {name: _from_field(kind, getattr(msg, name))
            for name, kind in _fields(type(msg)).items() if name not in skip}


# --- plan steps ---------------------------------------------------------------------------

def step_msg(step: Mapping[str, Any]) -> PlanStep:
    """A step in its JSON form (Step.to_json()): absent keys are '' or NaN."""
    fields = _fields(PlanStep)
    extra = set(step) - set(fields)
    if extra or "skill" not in step:
        raise MessageFieldError(f"PlanStep: a step needs 'skill' and no key other than "
                                f"{sorted(fields)} (got {sorted(step)})")
    msg = PlanStep()
    for name, kind in fields.items():
        setattr(msg, name, _to_field(kind, step.get(name)))
    return msg


def step_json(msg: PlanStep) -> dict[str, Any]:
    """The step's JSON form: only the keys it has ('' and NaN are absent)."""
    out: dict[str, Any] = {}
    for name, kind in _fields(PlanStep).items():
        value = getattr(msg, name)
        if (kind == "string" and value == "" and name != "skill") or \
                (kind == "double" and math.isnan(value)):
            continue
        out[name] = value
    return out


# --- the plan gate's decision --------------------------------------------------------------

def gate_msg(gate: Mapping[str, Any] | None) -> PlanGate:
    """The plan's `gate` JSON (None: no decision) as a PlanGate message."""
    msg = PlanGate()
    if gate is None:
        return msg
    _fill(msg, gate, skip=("cues", "held_steps"))
    msg.cues = [str(c) for c in gate["cues"]]
    msg.held_steps = [step_msg(s) for s in gate["held_steps"]]
    return msg


def gate_json(msg: PlanGate) -> dict[str, Any] | None:
    """The PlanGate message as the plan's `gate` JSON (None when there is no decision)."""
    if msg.decision == "":
        return None
    out = _dump(msg, skip=("cues", "held_steps"))
    out["cues"] = list(msg.cues)
    out["held_steps"] = [step_json(s) for s in msg.held_steps]
    return out


# --- planner/plan -------------------------------------------------------------------------

def plan_msg_from_json(payload: Mapping[str, Any]) -> Plan:
    """A planner/plan JSON payload (plan.schema.json) as a Plan message."""
    msg = _fill(Plan(), payload, skip=("steps", "gate"))
    msg.steps = [step_msg(s) for s in payload["steps"]]
    if "gate" not in payload:
        raise MessageFieldError("Plan: fields not in the JSON ['gate']")
    msg.gate = gate_msg(payload["gate"])
    return msg


def plan_msg(record: PlanRecord) -> Plan:
    return plan_msg_from_json(record.to_json())


def plan_json(msg: Plan) -> dict[str, Any]:
    """The Plan message as the planner/plan JSON payload (valid against plan.schema.json)."""
    out = _dump(msg, skip=("steps", "gate"))
    out["steps"] = [step_json(s) for s in msg.steps]
    out["gate"] = gate_json(msg.gate)
    return out


# --- planner/status -----------------------------------------------------------------------

def status_msg_from_json(payload: Mapping[str, Any]) -> PlannerStatus:
    """A planner/status JSON payload (status.schema.json) as a PlannerStatus message."""
    msg: PlannerStatus = _fill(PlannerStatus(), payload)
    return msg


def status_msg(record: StatusRecord) -> PlannerStatus:
    return status_msg_from_json(record.to_json())


def status_json(msg: PlannerStatus) -> dict[str, Any]:
    """The PlannerStatus message as the planner/status JSON payload."""
    return _dump(msg)
