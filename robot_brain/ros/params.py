"""Declaring a node's parameters from its config dataclass and loading them back into it.

A node's parameters are the fields of its core config dataclass (robot_brain.core.config.params).
`declare_config` declares them all with ParameterDescriptors, so `ros2 param describe` shows the
description, unit and range, refuses a renamed parameter given under its old name, and returns
the dataclass loaded from the checked values.
"""

from __future__ import annotations

import math
from typing import Any, Sequence, TypeVar

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.exceptions import (
    InvalidParameterTypeException,
    InvalidParameterValueException,
    ParameterException,
)
from rclpy.node import Node

from robot_brain.core.config.params import (
    ParamError,
    ParamSpec,
    load,
    refuse_renamed,
    renamed,
    specs,
)

C = TypeVar("C")


class ConfigError(ParamError):
    """A parameter value that the node cannot start with; the message names the parameter."""


def declare_params(node: Node, specs: Sequence[ParamSpec]) -> dict[str, Any]:
    """Declare every spec with its descriptor and return {name: value}, validated.

    Raises ConfigError naming the parameter for a wrong type, an out-of-range value or a
    value that is not one of the choices.
    """
    values: dict[str, Any] = {}
    for spec in specs:
        descriptor = ParameterDescriptor(description=spec.full_description,
                                         read_only=spec.read_only)
        numbers = spec.default if isinstance(spec.default, tuple) else (spec.default,)
        bounded = spec.min is not None or spec.max is not None
        if not numbers or isinstance(numbers[0], bool) or not bounded:
            pass
        elif isinstance(numbers[0], int) and not isinstance(spec.default, tuple):
            descriptor.integer_range = [IntegerRange(
                from_value=int(spec.min if spec.min is not None else -2**31),
                to_value=int(spec.max if spec.max is not None else 2**31 - 1), step=0)]
        elif isinstance(numbers[0], float) and not isinstance(spec.default, tuple):
            descriptor.floating_point_range = [FloatingPointRange(
                from_value=float(spec.min if spec.min is not None else -math.inf),
                to_value=float(spec.max if spec.max is not None else math.inf), step=0.0)]
        default = list(spec.default) if isinstance(spec.default, tuple) else spec.default
        try:
            param = node.declare_parameter(spec.name, default, descriptor)
        except (InvalidParameterValueException, InvalidParameterTypeException,
                ParameterException) as exc:
            raise ConfigError(f"parameter '{spec.name}': {exc}") from exc
        try:
            values[spec.name] = spec.check(param.value)
        except ParamError as exc:
            raise ConfigError(str(exc)) from exc
    return values


def overridden_names(node: Node) -> set[str]:
    """The parameter names the node was given (params files, -p, launch's parameters).

    rclpy keeps them in Node._parameter_overrides and offers no public accessor; an override
    nobody declares is otherwise dropped without a word."""
    return set(getattr(node, "_parameter_overrides", {}))


def refuse_old_names(node: Node, old: dict[str, str]) -> None:
    """Refuse (ConfigError) an override given under a renamed parameter's old name."""
    try:
        refuse_renamed(old, overridden_names(node))
    except ParamError as exc:
        raise ConfigError(str(exc)) from exc


def declare_config(node: Node, cls: type[C], **extra: Any) -> C:
    """Declare every parameter of the config dataclass `cls` (robot_brain.core.config.params) on
    `node` and return the dataclass loaded from the values; `extra` sets its non-parameter
    fields. A parameter `cls` has renamed (RENAMED_PARAMS), given under its old name, is
    refused. Errors are ConfigurationErrors naming the parameter."""
    refuse_old_names(node, dict(renamed(cls)))
    return load(cls, declare_params(node, specs(cls)), **extra)
