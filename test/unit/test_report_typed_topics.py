"""The brain's new types in bags and on the live view: robot_brain_interfaces' typed plan and
status and tf2_msgs' transforms are known to the type store, written, read back and counted
(typed planner topics only where the JSON ones are absent, so nothing counts twice)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from robot_brain.core.live.ros_schemas import ros2msg_schema
from robot_brain.core.live.served_topics import served_topics
from robot_brain.core.report.bag import default_typestore
from robot_brain.core.report.bagwriter import BagWriter
from robot_brain.core.report.build import collect_figures
from robot_brain.core.report.interface_types import (
    REQUIRED,
    definition_dirs,
    interface_definitions,
)
from robot_brain.core.report.recorded_topics import RECORDED_TOPICS

TS = default_typestore()
T0 = 1_700_000_000 * 10**9
MS = 1_000_000
PLAN = "robot_brain_interfaces/msg/Plan"
STATUS = "robot_brain_interfaces/msg/PlannerStatus"
TF = "tf2_msgs/msg/TFMessage"
STRING = "std_msgs/msg/String"


def typed(name: str, payload: dict[str, Any]) -> Any:
    """A rosbags message of `name` from a JSON payload (null -> NaN or -1, as the node)."""
    cls = TS.types[name]
    values: dict[str, Any] = {}
    for field, value in payload.items():
        if field == "gate" and name == PLAN:
            gate = value or {}
            value = TS.types["robot_brain_interfaces/msg/PlanGate"](
                decision=gate.get("decision", ""), reason=gate.get("reason", ""),
                cues=list(gate.get("cues", [])), cause=gate.get("cause", ""), held_steps=[])
        elif field == "steps":
            step_cls = TS.types["robot_brain_interfaces/msg/PlanStep"]
            value = [step_cls(skill=s["skill"], place=s.get("place", ""),
                              x=s.get("x", math.nan), y=s.get("y", math.nan),
                              yaw=s.get("yaw", math.nan), seconds=s.get("seconds", math.nan),
                              text=s.get("text", "")) for s in value]
        elif value is None:
            value = -1 if field == "step_index" else math.nan
        values[field] = value
    return cls(**values)


def plan_payload(rid: int, backend: str, accepted: bool, latency: float | None) -> dict[str, Any]:
    return {"request_id": rid, "instruction": "go to the kitchen", "source": "llm",
            "backend": backend, "model": "m", "locality": "local", "latency_s": latency,
            "tokens": 12, "generation_time_s": latency, "accepted": accepted,
            "reason": "ok" if accepted else "unknown place",
            "steps": [{"skill": "navigate_to", "place": "kitchen", "x": 3.0, "y": 2.4}]
            if accepted else [], "raw": "", "route_reason": "normal",
            "gate": {"decision": "hold", "reason": "told not to", "cues": ["negation"],
                     "cause": "negation"} if accepted else None}


def status_payload(state: str) -> dict[str, Any]:
    return {"state": state, "backend": "scripted", "locality": "none",
            "accelerator_on": True, "model": "", "request_id": 1, "mode": "normal",
            "route_reason": "", "tier": "llm", "last_latency_s": None, "tokens": 0,
            "generation_time_s": None, "worker_restarts": 0, "message": "", "instruction": "",
            "pending": False, "step_index": None, "step_count": 0, "step": "",
            "outcome": "", "plans_accepted": 0, "plans_rejected": 0,
            "replies_superseded": 0, "gate": "", "gate_reason": "", "plans_held": 0}


def transforms(parent: str, child: str, x: float) -> Any:
    g = "geometry_msgs/msg/"
    stamp = TS.types["builtin_interfaces/msg/Time"](sec=1, nanosec=0)
    header = TS.types["std_msgs/msg/Header"](stamp=stamp, frame_id=parent)
    tr = TS.types[g + "Transform"](
        translation=TS.types[g + "Vector3"](x=x, y=0.0, z=0.0),
        rotation=TS.types[g + "Quaternion"](x=0.0, y=0.0, z=0.0, w=1.0))
    ts = TS.types[g + "TransformStamped"](header=header, child_frame_id=child, transform=tr)
    return TS.types[TF](transforms=[ts])


def write(path: Path, messages: list[tuple[str, str, int, Any]]) -> Path:
    writer = BagWriter(path)
    for topic, msgtype, _, _ in messages:
        if not writer.has_topic(topic):
            writer.add_topic(topic, msgtype)
    for topic, msgtype, t_ns, msg in messages:
        writer.write(topic, t_ns, TS.serialize_cdr(msg, msgtype))
    writer.close()
    return path


def typed_run() -> list[tuple[str, str, int, Any]]:
    return [
        ("/planner/plan_typed", PLAN, T0 + 100 * MS,
         typed(PLAN, plan_payload(1, "scripted", True, 0.25))),
        ("/planner/plan_typed", PLAN, T0 + 200 * MS,
         typed(PLAN, plan_payload(2, "scripted", False, None))),
        ("/planner/status_typed", STATUS, T0, typed(STATUS, status_payload("thinking"))),
        ("/planner/status_typed", STATUS, T0 + 500 * MS, typed(STATUS, status_payload("idle"))),
        ("/tf_static", TF, T0, transforms("base_link", "laser", 0.0)),
        ("/tf", TF, T0 + 10 * MS, transforms("odom", "base_link", 1.5)),
    ]


def test_the_store_knows_the_brains_types_from_the_installed_package() -> None:
    for name in REQUIRED + ("Place", "PlanGate"):
        assert f"robot_brain_interfaces/msg/{name}" in TS.fielddefs
    assert TF in TS.fielddefs
    # The source tree is the last resort; an installed share directory comes first.
    assert definition_dirs({"AMENT_PREFIX_PATH": "/nowhere"})[0] == Path(
        "/nowhere/share/robot_brain_interfaces/msg")
    assert interface_definitions({"AMENT_PREFIX_PATH": ""})  # the source tree has them


def test_typed_plans_and_states_are_read_back_when_no_json_topic_is_there(
        tmp_path: Path) -> None:
    figures = collect_figures(write(tmp_path / "typed", typed_run()))
    (plans,) = figures.plans
    assert (plans.backend, plans.plans, plans.accepted, plans.rejected) == ("scripted", 2, 1, 1)
    assert plans.latency.p50 == pytest.approx(0.25)
    assert (figures.plan_gate.checked, figures.plan_gate.held) == (1, 1)
    assert [s.label for s in figures.planner_states] == ["thinking", "idle"]
    assert figures.message_counts["/tf"] == 1 and figures.message_counts["/tf_static"] == 1
    for topic in ("planner/plan_typed", "planner/status_typed", "/tf", "/tf_static"):
        assert topic not in figures.missing_topics
    assert not any("outside the brain's list" in n for n in figures.notes)


def test_a_plan_in_both_forms_counts_once(tmp_path: Path) -> None:
    both = typed_run() + [
        ("/planner/plan", STRING, T0 + 100 * MS,
         TS.types[STRING](data=json.dumps(plan_payload(1, "scripted", True, 0.25)))),
        ("/planner/status", STRING, T0 + 300 * MS,
         TS.types[STRING](data=json.dumps(status_payload("executing")))),
    ]
    both.sort(key=lambda m: m[2])
    figures = collect_figures(write(tmp_path / "both", both))
    (plans,) = figures.plans
    assert (plans.plans, plans.accepted) == (1, 1)
    assert [s.label for s in figures.planner_states] == ["executing"]


def test_the_live_view_serves_the_new_types_with_their_schemas() -> None:
    served = {t.name: t.msgtype for t in served_topics()}
    assert served["planner/plan_typed"] == PLAN and served["planner/status_typed"] == STATUS
    assert served["/tf"] == TF and served["/tf_static"] == TF
    assert b"PlanStep[] steps" in ros2msg_schema(PLAN)
    assert b"MSG: robot_brain_interfaces/PlanStep" in ros2msg_schema(PLAN)
    assert b"geometry_msgs/TransformStamped[] transforms" in ros2msg_schema(TF)
    assert set(served) - {"/tf", "/tf_static"} <= {t for t in RECORDED_TOPICS} | {
        "/diagnostics"}
    assert np.isnan(typed(STATUS, status_payload("idle")).last_latency_s)
