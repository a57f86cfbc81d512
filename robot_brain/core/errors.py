"""Start-up errors shared across the project. Specific errors subclass these."""

from __future__ import annotations


class StartupError(RuntimeError):
    """A node cannot start: the message says what is wrong and how to fix it."""


class ConfigurationError(StartupError, ValueError):
    """A setting a component cannot work with. Every `*ConfigError` of the project derives
    from it, so a node handles them all in one place (robot_brain.ros.runtime.run_node); it
    stays a ValueError for callers that validate values."""


class ModelContractError(StartupError):
    """An ONNX model whose inputs or outputs differ from the documented contract."""


class WorldError(ConfigurationError):
    """A world that cannot be used (a world file, a map, a places file); the message names the
    file and the key. Defined here, below both robot_brain.core.world and robot_brain.core.maps,
    so a map's errors are world errors without the map code importing the world."""
