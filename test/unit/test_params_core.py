"""robot_brain.core.config.params: one declaration per parameter, read by specs, load and docs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

import pytest

from robot_brain.core.config.params import (
    ParamError,
    defaults,
    group,
    load,
    param,
    refuse_renamed,
    renamed,
    specs,
)
from robot_brain.core.errors import ConfigurationError


@dataclass(frozen=True)
class Limits:
    speed: float = param(0.6, "Forward speed limit.", unit="m/s", min=0.0, max=3.0)
    stamped: bool = param(True, "Commands carry a stamp.")


class ArmError(ConfigurationError):
    pass


@dataclass(frozen=True)
class Arm:
    mode: str = param("fast", "How it moves.", choices=("fast", "slow"))
    joints: int = param(6, "Joint count.", min=1, max=12)
    cpus: tuple[int, ...] = param((-1,), "CPUs to pin to.", min=-1)
    limits: Limits = group(Limits)
    tool: Limits = group(Limits, prefix="tool_")
    bounds: object = None  # not a parameter: passed to load

    def __post_init__(self) -> None:
        if self.mode == "slow" and self.limits.speed > 1.0:
            raise ArmError("slow mode wants speed <= 1")


def test_specs_flatten_groups_with_prefixes_in_order() -> None:
    names = [s.name for s in specs(Arm)]
    assert names == ["mode", "joints", "cpus", "speed", "stamped", "tool_speed", "tool_stamped"]
    speed = specs(Arm)[3]
    assert (speed.default, speed.unit, speed.min, speed.max) == (0.6, "m/s", 0.0, 3.0)
    assert "[m/s]" in speed.full_description
    assert "'fast'" in specs(Arm)[0].full_description


def test_load_uses_defaults_values_and_extra() -> None:
    arm = load(Arm, {"joints": 7, "tool_speed": 1, "cpus": [0, 1]}, bounds="B")
    assert arm.joints == 7 and arm.tool.speed == 1.0 and isinstance(arm.tool.speed, float)
    assert arm.cpus == (0, 1) and arm.limits == Limits() and arm.bounds == "B"
    assert load(Arm, defaults(Arm)) == Arm()


@pytest.mark.parametrize("values, words", [
    ({"joints": 0}, "'joints' = 0 is outside [1, 12]"),
    ({"speed": float("nan")}, "'speed': must be finite"),
    ({"tool_speed": "fast"}, "'tool_speed': expected float, got str"),
    ({"mode": "medium"}, "'mode' = 'medium' is not one of ['fast', 'slow']"),
    ({"stamped": 1}, "'stamped': expected bool"),
    ({"joints": True}, "'joints': expected int"),
    ({"cpus": [0, -2]}, "'cpus' = (0, -2) is outside [-1, ]"),
])
def test_bad_values_name_the_parameter(values: dict, words: str) -> None:
    with pytest.raises(ParamError, match=None) as info:
        load(Arm, values)
    assert words in str(info.value)
    assert isinstance(info.value, ConfigurationError)


def test_cross_field_rules_still_run() -> None:
    with pytest.raises(ArmError):
        load(Arm, {"mode": "slow", "speed": 2.0})


def test_mutable_default_and_duplicate_names_are_refused() -> None:
    with pytest.raises(TypeError):
        param([1, 2], "a list")

    @dataclass(frozen=True)
    class Twice:
        a: Limits = group(Limits)
        b: Limits = group(Limits)

    with pytest.raises(TypeError, match="twice"):
        specs(Twice)


@dataclass(frozen=True)
class Renamed:
    RENAMED_PARAMS: ClassVar[dict[str, str]] = {"route_eco": "backend_eco"}
    backend_eco: str = param("preferred", "Backend in eco.")


def test_an_old_parameter_name_is_refused_naming_the_new_one() -> None:
    assert renamed(Renamed) == {"route_eco": "backend_eco"}
    assert renamed(Arm) == {}
    refuse_renamed(renamed(Renamed), ["backend_eco", "other"])
    with pytest.raises(ParamError, match="'route_eco' was renamed to 'backend_eco'"):
        refuse_renamed(renamed(Renamed), ["route_eco"])
    # The old name is not a parameter: specs list only the new one.
    assert [s.name for s in specs(Renamed)] == ["backend_eco"]


def test_a_shared_group_is_declared_once_and_loaded_into_every_place() -> None:
    @dataclass(frozen=True)
    class Gripper:
        limits: Limits = group(Limits, shared=True)
        force: float = param(10.0, "Grip force.", unit="N", min=0.0, max=100.0)

    @dataclass(frozen=True)
    class Robot:
        limits: Limits = group(Limits, shared=True)
        gripper: Gripper = group(Gripper)

    assert [s.name for s in specs(Robot)] == ["speed", "stamped", "force"]
    robot = load(Robot, {"speed": 1.5, "force": 20.0})
    assert robot.limits.speed == robot.gripper.limits.speed == 1.5
    assert robot.gripper.force == 20.0

    @dataclass(frozen=True)
    class Clash:
        limits: Limits = group(Limits, shared=True)
        speed: float = param(1.0, "Another speed.")

    with pytest.raises(TypeError, match="twice"):
        specs(Clash)


class Gait(Enum):
    WALK = "walk"
    RUN = "run"


def test_an_enum_parameter_is_a_string_with_its_values_as_choices() -> None:
    @dataclass(frozen=True)
    class Legs:
        gait: Gait = param(Gait.WALK, "How it moves.")

    (spec,) = specs(Legs)
    assert (spec.default, spec.choices) == ("walk", ("walk", "run"))
    assert load(Legs, {"gait": "run"}).gait is Gait.RUN
    assert load(Legs, {}).gait is Gait.WALK
    with pytest.raises(ParamError, match="'gait' = 'jump' is not one of"):
        load(Legs, {"gait": "jump"})


def test_a_declared_name_and_a_shared_group_inside_a_prefixed_one() -> None:
    @dataclass(frozen=True)
    class Route:
        RENAMED_PARAMS: ClassVar[dict[str, str]] = {"cell": "resolution"}
        limits: Limits = group(Limits, shared=True)
        resolution: float = param(0.1, "Cell size.", unit="m")
        planned: bool = param(True, "Plan routes.", name="route_planning")

    @dataclass(frozen=True)
    class Planner:
        limits: Limits = group(Limits, shared=True)
        route: Route = group(Route, prefix="route_")

    # The shared limits keep their own names inside the prefixed group; `name` is used as is
    # after the prefix.
    assert [s.name for s in specs(Planner)] == ["speed", "stamped", "route_resolution",
                                                "route_route_planning"]
    planner = load(Planner, {"speed": 2.0, "route_resolution": 0.2,
                             "route_route_planning": False})
    assert planner.route.limits.speed == 2.0 and planner.route.resolution == 0.2
    assert planner.route.planned is False
    assert renamed(Planner) == {"route_cell": "route_resolution"}
