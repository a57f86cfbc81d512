"""Checks before any node starts: the parameter file reads, and the nodes agree.

Used by `robot-brain demo` and by brain.launch.py, so both refuse a bad file or a cross-node
mismatch with one clear line instead of starting half a brain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from robot_brain.core.config import consistency
from robot_brain.core.config.params_file import load_params_file, node_values


def node_defaults(node: str) -> dict[str, Any]:
    """The node's declared parameter defaults (its ParamSpec tables, shared ones included)."""
    from robot_brain.cli.param_docs import node_specs
    from robot_brain.ros.params import SHARED_PARAMS
    return {s.name: s.default for s in (*SHARED_PARAMS, *node_specs(node))}


def preflight(params_file: Path, nodes: Sequence[str],
              overrides: Mapping[str, Mapping[str, Any]] | None = None,
              namespace: str = "") -> None:
    """Raise a StartupError (ParamsFileError, InconsistentConfigError) with one clear line."""
    params = load_params_file(params_file)
    values = {}
    for node in nodes:
        resolved = node_values(params, node, node_defaults(node), namespace)
        resolved.update((overrides or {}).get(node, {}))
        values[node] = resolved
    consistency.check(values)
