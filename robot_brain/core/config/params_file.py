"""Read a ROS 2 parameter file and resolve what each node of the brain will get from it.

A YAML syntax error used to surface as six rcl tracebacks (one per node); a missing file as
warnings followed by every node running on its defaults. Both are start-up errors here, with
one line that names the file, the problem and where it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from robot_brain.core.errors import ConfigurationError


class ParamsFileError(ConfigurationError):
    """A parameter file that does not exist, cannot be read or is not a ROS 2 parameter file."""


def load_params_file(path: str | Path) -> dict[str, Any]:
    """The file's mapping of node keys (`/**`, `controller`, `/ns/controller`) to blocks."""
    p = Path(path)
    if not p.is_file():
        raise ParamsFileError(f"parameter file {p} does not exist")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParamsFileError(f"parameter file {p} cannot be read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ParamsFileError(f"parameter file {p} is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParamsFileError(f"parameter file {p}: YAML error{where}: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsFileError(f"parameter file {p} must map node names to "
                              "'ros__parameters' blocks")
    for key, block in data.items():
        if not isinstance(block, dict) or not isinstance(block.get("ros__parameters", {}), dict):
            raise ParamsFileError(f"parameter file {p}: '{key}' must hold a "
                                  "'ros__parameters' mapping")
    return data


def _matches(key: str, node: str, namespace: str) -> bool:
    """Rcl's rule: a key names the node's full name (a leading '/' optional, so a bare `node`
    is the root namespace only), `/**/node` any namespace, `/**` every node."""
    key = key.strip()
    full = f"{namespace.rstrip('/')}/{node}" if namespace else f"/{node}"
    return key in (full, full.lstrip("/"), f"/**/{node}", "/**", "**") or (
        key.endswith("/*") and full.startswith(key[:-1]))


def node_key(params: Mapping[str, Any], node: str, namespace: str = "") -> str | None:
    """The key of `node`'s own block (not the `/**` block), or None."""
    return next((str(k) for k in params if str(k).strip() not in ("/**", "**")
                 and _matches(str(k), node, namespace)), None)


def node_values(params: Mapping[str, Any], node: str, defaults: Mapping[str, Any],
                namespace: str = "") -> dict[str, Any]:
    """What `node` resolves to: its defaults, then wildcard blocks, then its own block (rcl
    applies the more specific block last)."""
    out = dict(defaults)
    wildcard = [k for k in params if str(k).strip() in ("/**", "**")]
    specific = [k for k in params if k not in wildcard and _matches(str(k), node, namespace)]
    for key in wildcard + specific:
        out.update(params[key].get("ros__parameters", {}) or {})
    return out
