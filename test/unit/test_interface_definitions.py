"""The interface packages' definitions: they parse, each builds what it lists, and the typed
planner messages keep the field names and values of the JSON schemas they stand for.

Read with rosidl_adapter (the parser rosidl runs first in every build), so a definition error
shows here without a build.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from rosidl_adapter.parser import (
    ActionSpecification,
    MessageSpecification,
    parse_action_file,
    parse_message_file,
    parse_service_file,
)

from robot_brain.core.planner.skills import Skill

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "robot_brain_interfaces": ROOT / "robot_brain_interfaces",
    "tf2_msgs": ROOT / "interfaces" / "tf2_msgs",
    "nav2_msgs": ROOT / "test" / "interfaces" / "nav2_msgs",
}
IFACES = PACKAGES["robot_brain_interfaces"]


def interface_files(package: Path) -> list[str]:
    return sorted(str(p.relative_to(package)) for kind in ("msg", "srv", "action")
                  for p in (package / kind).glob(f"*.{kind}"))


def parse(package: str, relative: str) -> Any:
    path = str(PACKAGES[package] / relative)
    kind = relative.split("/")[0]
    return {"msg": parse_message_file, "srv": parse_service_file,
            "action": parse_action_file}[kind](package, path)


def message(relative: str) -> MessageSpecification:
    spec = parse("robot_brain_interfaces", relative)
    assert isinstance(spec, MessageSpecification)
    return spec


def field_names(spec: MessageSpecification) -> list[str]:
    return [f.name for f in spec.fields]


def constants(spec: MessageSpecification, prefix: str) -> set[Any]:
    return {c.value for c in spec.constants if c.name.startswith(prefix)}


def schema(name: str) -> dict[str, Any]:
    with open(ROOT / "robot_brain" / "schemas" / name, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@pytest.mark.parametrize("package,relative", [
    (name, rel) for name, path in PACKAGES.items() for rel in interface_files(path)])
def test_every_definition_parses(package: str, relative: str) -> None:
    parse(package, relative)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_each_package_generates_every_file_it_has(package: str) -> None:
    path = PACKAGES[package]
    cmake = (path / "CMakeLists.txt").read_text()
    listed = sorted(re.findall(r'"((?:msg|srv|action)/\w+\.(?:msg|srv|action))"', cmake))
    assert listed == interface_files(path)
    xml = (path / "package.xml").read_text()
    assert f"<name>{package}</name>" in xml
    assert "<member_of_group>rosidl_interface_packages</member_of_group>" in xml


def test_plan_message_has_the_plan_schemas_fields_and_values() -> None:
    plan_schema = schema("plan.schema.json")
    spec = message("msg/Plan.msg")
    assert field_names(spec) == list(plan_schema["properties"])
    assert constants(spec, "SOURCE_") == set(plan_schema["properties"]["source"]["enum"])
    assert constants(spec, "LOCALITY_") == set(plan_schema["properties"]["locality"]["enum"])
    step_keys = list(plan_schema["properties"]["steps"]["items"]["properties"])
    step = message("msg/PlanStep.msg")
    assert field_names(step) == step_keys
    assert constants(step, "SKILL_") == {s.value for s in Skill}
    gate_schema = plan_schema["properties"]["gate"]
    gate = message("msg/PlanGate.msg")
    assert field_names(gate) == list(gate_schema["properties"])
    assert constants(gate, "DECISION_") == set(gate_schema["properties"]["decision"]["enum"])


def test_status_message_has_the_status_schemas_fields_and_values() -> None:
    status_schema = schema("status.schema.json")
    spec = message("msg/PlannerStatus.msg")
    assert set(field_names(spec)) == set(status_schema["properties"])
    assert set(field_names(spec)) == set(status_schema["required"])
    assert constants(spec, "STATE_") == set(status_schema["properties"]["state"]["enum"])
    assert constants(spec, "MODE_") == set(status_schema["properties"]["mode"]["enum"])
    assert constants(spec, "GATE_") | {""} == set(status_schema["properties"]["gate"]["enum"])


def test_instruct_outcomes_and_states_are_distinct_and_unknown_is_zero() -> None:
    spec = parse("robot_brain_interfaces", "action/Instruct.action")
    assert isinstance(spec, ActionSpecification)
    assert field_names(spec.goal) == ["instruction", "sender"]
    outcomes = {c.name: c.value for c in spec.result.constants}
    assert outcomes == {"UNKNOWN": 0, "DONE": 1, "REJECTED": 2, "CANCELLED": 3,
                        "PREEMPTED": 4, "FAILED": 5, "TIMED_OUT": 6}
    states = {c.name: c.value for c in spec.feedback.constants}
    assert sorted(states.values()) == list(range(len(states)))
    assert {"PLANNING", "EXECUTING", "HOLDING"} <= set(states)


def test_docs_interfaces_table_names_every_interface() -> None:
    page = (ROOT / "docs" / "interfaces.md").read_text()
    for package, path in PACKAGES.items():
        for relative in interface_files(path):
            name = Path(relative).stem
            assert f"{package}/{relative.split('/')[0]}/{name}" in page, relative
