"""The parameter tables of docs/parameters.md, generated from the nodes' ParamSpec rows.

`python -m robot_brain.cli.param_docs --write` rewrites the block between the markers in
docs/parameters.md; test/ros/test_param_docs.py fails when the page is out of date, so the
documented parameters are always the declared ones.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from robot_brain.nodes.container import NODE_CLASSES
from robot_brain.ros.params import SHARED_PARAMS, ParamSpec
from robot_brain.ros.runtime import RUNTIME_PARAMS

#: Every node kind, in the registry's order (robot_brain/nodes/container.py).
NODES = tuple(NODE_CLASSES)
BEGIN = "<!-- NODE-PARAMETERS BEGIN (generated: python -m robot_brain.cli.param_docs --write) -->"
END = "<!-- NODE-PARAMETERS END -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"


def node_specs(node: str) -> list[ParamSpec]:
    module = importlib.import_module(f"robot_brain.nodes.{node}_node")
    shared = {s.name for s in SHARED_PARAMS}
    specs: list[ParamSpec] = []
    for value in vars(module).values():
        if isinstance(value, tuple) and value and all(isinstance(v, ParamSpec) for v in value):
            specs += [s for s in value if s.name not in shared and s not in specs]
    return specs


def _default(spec: ParamSpec) -> str:
    d = spec.default
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, str):
        return f'`"{d}"`'
    if isinstance(d, float):
        return f"{d:g}"
    return f"`{d}`"


def _range(spec: ParamSpec) -> str:
    if spec.choices:
        return " \\| ".join(f"`{c}`" for c in spec.choices)
    if spec.min is None and spec.max is None:
        return ""
    lo = "" if spec.min is None else f"{spec.min:g}"
    hi = "" if spec.max is None else f"{spec.max:g}"
    return f"{lo} – {hi}"


def _row(s: ParamSpec) -> str:
    desc = s.description.replace("|", "\\|")
    return f"| `{s.name}` | {_default(s)} | {_range(s)} | {desc} |"


def render() -> str:
    out = [BEGIN, "", "**shared** (the `/**:` block, declared by every node)", "",
           "| parameter | default | range | meaning |", "|---|---|---|---|"]
    out += [_row(s) for s in SHARED_PARAMS + RUNTIME_PARAMS]
    out.append("")
    for node in NODES:
        out += [f"**`{node}`**", "", "| parameter | default | range | meaning |",
                "|---|---|---|---|"]
        out += [_row(s) for s in node_specs(node)]
        out.append("")
    out.append(END)
    return "\n".join(out)


def splice(readme: str, block: str) -> str:
    if BEGIN not in readme or END not in readme:
        raise ValueError(f"{DOC} lacks the NODE-PARAMETERS markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + block + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {DOC.name} in place")
    args = parser.parse_args(argv)
    block = render()
    if args.write:
        DOC.write_text(splice(DOC.read_text(), block))
    else:
        print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
