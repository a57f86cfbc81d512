"""LLM backends behind one interface, and the spawned worker process that runs them.

Nothing here imports rclpy. Importing this package never imports llama_cpp: the heavy backend
is loaded only inside the worker process (or by an explicit make_backend call).
"""

from __future__ import annotations

from robot_brain.core.llm.registry import BACKEND_KINDS, make_backend
from robot_brain.core.llm.types import (
    BackendConfig,
    BackendError,
    LlmBackend,
    LlmReply,
    LlmRequest,
    Locality,
)

__all__ = [
    "BACKEND_KINDS",
    "BackendConfig",
    "BackendError",
    "LlmBackend",
    "LlmReply",
    "LlmRequest",
    "Locality",
    "make_backend",
]
