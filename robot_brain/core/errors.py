"""Start-up errors shared across the project. Specific errors subclass these."""

from __future__ import annotations


class StartupError(RuntimeError):
    """A node cannot start: the message says what is wrong and how to fix it."""


class ModelContractError(StartupError):
    """An ONNX model whose inputs or outputs differ from the documented contract."""
