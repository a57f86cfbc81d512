"""One declaration per parameter: a config dataclass field that is also a ROS parameter.

A component's settings are a frozen dataclass in its core package. Each field that a user may
set is declared with `param(...)`: default, description, unit and range live there and only
there. The node declares ROS parameters from the dataclass (robot_brain.ros.params), loads the
values back into the same dataclass with `load`, and the docs generator reads the same rows
(`specs`). A field declared with `group(...)` holds another config dataclass whose parameters
are flattened into the parent's (optionally under a name prefix), so a node's config can reuse
the robot's shared limits or a sub-component's config without copying a single default.

Fields that are not parameters (objects a node computes, such as world bounds) are left out of
`specs` and passed to `load` as keyword arguments.

    @dataclass(frozen=True)
    class PowerModel:
        capacity_wh: float = param(1000.0, "Battery capacity when BatteryState has none.",
                                   unit="Wh", min=1.0, max=1e5)

    model = load(PowerModel, {"capacity_wh": 800.0})

This module is ROS-free: it is used by cores, nodes, tests and the docs generator alike.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from typing import Any, TypeVar

from robot_brain.core.errors import ConfigurationError

_PARAM = "robot_brain.param"
_GROUP = "robot_brain.param_group"

C = TypeVar("C")


class ParamError(ConfigurationError):
    """A parameter value a component cannot start with; the message names the parameter."""


@dataclass(frozen=True)
class ParamSpec:
    """One parameter as ROS, the docs and `load` see it (name already prefixed)."""

    name: str
    default: Any
    description: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    read_only: bool = True
    unit: str = ""
    #: A string enum the value is converted to (its values are the choices); None = none.
    enum: type[Enum] | None = None

    def check(self, value: Any) -> Any:
        """`value` converted to the default's type (an int for a float parameter becomes a
        float; a list for a tuple parameter becomes a tuple; a choice becomes its enum member)
        and checked against the type, finiteness, range and choices. Raises ParamError naming
        the parameter."""
        if self.enum is not None and isinstance(value, self.enum):
            value = value.value
        default = self.default
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(default, tuple) and isinstance(value, list):
            value = tuple(value)
        if type(value) is not type(default):
            raise ParamError(f"parameter '{self.name}': expected {type(default).__name__}, "
                             f"got {type(value).__name__} {value!r}")
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, float) and not math.isfinite(item):
                raise ParamError(f"parameter '{self.name}': must be finite, got {value!r}")
            if isinstance(item, (int, float)) and not isinstance(item, bool) and (
                    self.min is not None and item < self.min
                    or self.max is not None and item > self.max):
                raise ParamError(f"parameter '{self.name}' = {value!r} is outside "
                                 f"[{_fmt(self.min)}, {_fmt(self.max)}]")
        if self.choices is not None and value not in self.choices:
            raise ParamError(f"parameter '{self.name}' = {value!r} is not one of "
                             f"{list(self.choices)}")
        return self.enum(value) if self.enum is not None else value

    @property
    def full_description(self) -> str:
        """The description with its unit, as `ros2 param describe` and the docs show it."""
        unit = f" [{self.unit}]" if self.unit else ""
        choices = f" One of {list(self.choices)}." if self.choices else ""
        return f"{self.description}{unit}{choices}"


@dataclass(frozen=True)
class _Meta:
    description: str
    unit: str
    min: float | None
    max: float | None
    choices: tuple[str, ...] | None
    read_only: bool
    enum: type[Enum] | None
    name: str | None


def _name(prefix: str, f: dataclasses.Field[Any]) -> str:
    """A parameter field's flattened name: the prefix and its own name (the field's, unless
    the declaration gives one)."""
    m: _Meta = f.metadata[_PARAM]
    return prefix + (m.name or f.name)


def _spec(name: str, default: Any, m: _Meta) -> ParamSpec:
    if m.enum is not None:
        default = default.value  # ROS and the docs see the string
    return ParamSpec(name, default, m.description, m.min, m.max, m.choices, m.read_only, m.unit,
                     m.enum)


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def param(default: Any, description: str, *, unit: str = "", min: float | None = None,
          max: float | None = None, choices: tuple[str, ...] | None = None,
          read_only: bool = True, name: str | None = None) -> Any:
    """A dataclass field that is a parameter. `default` must be a bool, int, float, str or a
    tuple of one of those (a ROS array parameter), or a member of a string enum (a string
    parameter whose choices are the enum's values, loaded as the member); `min`/`max` bound
    numbers (each item of a tuple); `choices` lists the allowed strings. `name` is the
    parameter's name when it is not the field's (kept for a name users already know, say
    "backend" for a field `preferred`)."""
    if isinstance(default, list):
        raise TypeError("a parameter default must be immutable: use a tuple, not a list")
    kind: type[Enum] | None = None
    if isinstance(default, Enum):
        kind = type(default)
        if not all(isinstance(m.value, str) for m in kind):
            raise TypeError(f"an enum parameter needs string values: {kind.__name__}")
        choices = tuple(m.value for m in kind)
    elif not isinstance(default, (bool, int, float, str, tuple)):
        raise TypeError(f"unsupported parameter default {default!r}")
    meta = _Meta(description, unit, min, max, tuple(choices) if choices else None, read_only,
                 kind, name)
    return field(default=default, metadata={_PARAM: meta})


def group(cls: type[Any], prefix: str = "", *, shared: bool = False) -> Any:
    """A dataclass field holding the config dataclass `cls`, whose parameters are flattened
    into the enclosing config's, each name prefixed with `prefix` (say "route_").

    `shared=True` marks settings several components of one node use, such as the robot's
    limits: the group may then stand in more than one place of a node's config (the safety
    filter's and the simulator's limits beside the node's own); its parameters are declared
    once and loaded, the same, into every place, and their names take no enclosing group's
    prefix (they are the robot's, not the component's). Any other name declared twice is an
    error."""
    return field(default_factory=cls, metadata={_GROUP: (prefix, cls, shared)})


def _fields(cls: type[Any]) -> tuple[dataclasses.Field[Any], ...]:
    if not (isinstance(cls, type) and is_dataclass(cls)):
        raise TypeError(f"{cls!r} is not a dataclass")
    return fields(cls)


def _collect(cls: type[Any], prefix: str, shared: set[tuple[type[Any], str]],
             out: list[ParamSpec]) -> None:
    for f in _fields(cls):
        if _PARAM in f.metadata:
            out.append(_spec(_name(prefix, f), f.default, f.metadata[_PARAM]))
        elif _GROUP in f.metadata:
            sub_prefix, sub_cls, is_shared = f.metadata[_GROUP]
            full = _group_prefix(prefix, sub_prefix, is_shared)
            if is_shared and (sub_cls, full) in shared:
                continue  # declared where it first stood
            if is_shared:
                shared.add((sub_cls, full))
            _collect(sub_cls, full, shared, out)


def _group_prefix(prefix: str, sub_prefix: str, is_shared: bool) -> str:
    return sub_prefix if is_shared else prefix + sub_prefix


def specs(cls: type[Any], prefix: str = "") -> tuple[ParamSpec, ...]:
    """Every parameter of `cls` and its groups, in declaration order, names prefixed; a shared
    group's parameters once."""
    out: list[ParamSpec] = []
    _collect(cls, prefix, set(), out)
    names = [s.name for s in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise TypeError(f"{cls.__name__} declares parameter(s) {dupes} twice")
    return tuple(out)


def load(cls: type[C], values: Mapping[str, Any], prefix: str = "", **extra: Any) -> C:
    """An instance of `cls` from flattened parameter values (names prefixed as `specs` gives
    them). A parameter missing from `values` takes its default; each value is checked
    (ParamSpec.check). `extra` sets fields that are not parameters. The dataclass's own
    __post_init__ checks run as usual and raise their ConfigurationError subclasses."""
    kwargs: dict[str, Any] = {}
    for f in _fields(cls):
        if _PARAM in f.metadata:
            name = _name(prefix, f)
            if name in values:
                kwargs[f.name] = _spec(name, f.default, f.metadata[_PARAM]).check(values[name])
        elif _GROUP in f.metadata:
            sub_prefix, sub_cls, is_shared = f.metadata[_GROUP]
            kwargs[f.name] = load(sub_cls, values, _group_prefix(prefix, sub_prefix, is_shared))
        elif f.name in extra:
            kwargs[f.name] = extra[f.name]
    unknown = set(extra) - {f.name for f in _fields(cls)}
    if unknown:
        raise TypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
    return cls(**kwargs)


def renamed(cls: type[Any], prefix: str = "") -> Mapping[str, str]:
    """{old name: new name} of parameters `cls` and its groups have renamed (each one's
    `RENAMED_PARAMS` class attribute, a ClassVar of names as that class declares them), so an
    old name given in a params file is refused, not ignored."""
    out = {prefix + old: prefix + new
           for old, new in getattr(cls, "RENAMED_PARAMS", {}).items()}
    for f in _fields(cls):
        if _GROUP in f.metadata:
            sub_prefix, sub_cls, is_shared = f.metadata[_GROUP]
            out.update(renamed(sub_cls, _group_prefix(prefix, sub_prefix, is_shared)))
    return out


def refuse_renamed(old: Mapping[str, str], given: Iterable[str]) -> None:
    """Raise ParamError naming the new name when `given` (the parameter names a user set)
    holds an old name of `old` ({old: new}, see `renamed`): rclpy ignores an undeclared
    override, so an old name in a params file would otherwise silently fall back to the
    default."""
    for name in sorted(set(given) & set(old)):
        raise ParamError(f"parameter '{name}' was renamed to '{old[name]}': set "
                         f"'{old[name]}' instead")


def defaults(cls: type[Any]) -> dict[str, Any]:
    """{parameter name: default} for `cls` (a params file's block, a test's starting point)."""
    return {s.name: s.default for s in specs(cls)}
