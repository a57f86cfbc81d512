"""Declaring parameters with descriptors in one place and loading them into a frozen dataclass.

Each node lists its parameters as ParamSpec rows (name, default, description, range or
choices). `declare_params` declares them all with ParameterDescriptors, so `ros2 param describe`
shows the description and range, and returns the values, checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.exceptions import (
    InvalidParameterTypeException,
    InvalidParameterValueException,
    ParameterException,
)
from rclpy.node import Node

from robot_brain.core.errors import ConfigurationError


class ConfigError(ConfigurationError):
    """A parameter value that the node cannot start with; the message names the parameter."""


@dataclass(frozen=True)
class ParamSpec:
    name: str
    default: Any
    description: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    read_only: bool = True


#: Parameters shared by every node, set once in the `/**:` block of config/brain.yaml.
SHARED_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("world_file", "", "World YAML (walls, obstacles, places, bounds); '' = the packaged "
              "apartment world."),
    ParamSpec("cmd_vel_stamped", True, "cmd_vel and controller/cmd_vel carry TwistStamped "
              "(true) or Twist (false)."),
    ParamSpec("max_linear_speed", 0.6, "Forward speed limit of the walking base (m/s).",
              0.0, 3.0),
    ParamSpec("max_reverse_speed", 0.2, "Backward speed limit of the walking base (m/s).",
              0.0, 1.0),
    ParamSpec("max_angular_speed", 1.0, "Yaw-rate limit of the walking base (rad/s).", 0.0, 6.0),
    ParamSpec("max_linear_accel", 0.8, "Forward acceleration limit (m/s^2).", 0.01, 10.0),
    ParamSpec("max_angular_accel", 3.0, "Yaw acceleration limit (rad/s^2).", 0.01, 30.0),
    ParamSpec("robot_radius", 0.25, "Radius of the robot's footprint circle (m).", 0.05, 1.0),
    ParamSpec("goal_tolerance", 0.3, "Distance at which a goal counts as reached (m).",
              0.05, 2.0),
)


def declare_params(node: Node, specs: Sequence[ParamSpec]) -> dict[str, Any]:
    """Declare every spec with its descriptor and return {name: value}, validated.

    Raises ConfigError naming the parameter for a wrong type, an out-of-range value or a
    value that is not one of the choices.
    """
    values: dict[str, Any] = {}
    for spec in specs:
        descriptor = ParameterDescriptor(
            description=spec.description + (f" One of {list(spec.choices)}." if spec.choices
                                            else ""),
            read_only=spec.read_only,
        )
        if isinstance(spec.default, bool):
            pass
        elif isinstance(spec.default, int) and (spec.min is not None or spec.max is not None):
            descriptor.integer_range = [IntegerRange(
                from_value=int(spec.min if spec.min is not None else -2**31),
                to_value=int(spec.max if spec.max is not None else 2**31 - 1), step=0)]
        elif isinstance(spec.default, float) and (spec.min is not None or spec.max is not None):
            descriptor.floating_point_range = [FloatingPointRange(
                from_value=float(spec.min if spec.min is not None else -math.inf),
                to_value=float(spec.max if spec.max is not None else math.inf), step=0.0)]
        try:
            param = node.declare_parameter(spec.name, spec.default, descriptor)
        except (InvalidParameterValueException, InvalidParameterTypeException,
                ParameterException) as exc:
            raise ConfigError(f"parameter '{spec.name}': {exc}") from exc
        value = param.value
        if isinstance(spec.default, float) and isinstance(value, int) and not isinstance(value,
                                                                                         bool):
            value = float(value)
        if type(value) is not type(spec.default):
            raise ConfigError(
                f"parameter '{spec.name}': expected {type(spec.default).__name__}, "
                f"got {type(value).__name__} {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"parameter '{spec.name}': must be finite, got {value}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if spec.min is not None and value < spec.min or spec.max is not None and \
                    value > spec.max:
                raise ConfigError(f"parameter '{spec.name}' = {value} is outside "
                                  f"[{spec.min}, {spec.max}]")
        if spec.choices is not None and value not in spec.choices:
            raise ConfigError(f"parameter '{spec.name}' = {value!r} is not one of "
                              f"{list(spec.choices)}")
        values[spec.name] = value
    return values
