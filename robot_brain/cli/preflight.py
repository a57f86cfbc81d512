"""Checks before any node starts: the parameter file reads, and the nodes agree.

Used by `robot-brain demo` and by brain.launch.py, so both refuse a bad file, a renamed
parameter or a cross-node mismatch with one clear line instead of starting half a brain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from robot_brain.core.config import consistency
from robot_brain.core.config.params import defaults, refuse_renamed, renamed
from robot_brain.core.config.params_file import load_params_file, node_values


def node_defaults(node: str) -> dict[str, Any]:
    """The node's declared parameter defaults (its config dataclass, shared ones included)."""
    from robot_brain.nodes.container import config_class
    return defaults(config_class(node))


def preflight(params_file: Path, nodes: Sequence[str],
              overrides: Mapping[str, Mapping[str, Any]] | None = None,
              namespace: str = "") -> None:
    """Raise a StartupError (ParamsFileError, ParamError, InconsistentConfigError) with one
    clear line."""
    from robot_brain.nodes.container import config_class
    params = load_params_file(params_file)
    values = {}
    for node in nodes:
        given = {**node_values(params, node, {}, namespace), **(overrides or {}).get(node, {})}
        refuse_renamed(renamed(config_class(node)), given)
        resolved = node_values(params, node, node_defaults(node), namespace)
        resolved.update((overrides or {}).get(node, {}))
        values[node] = resolved
    consistency.check(values)
