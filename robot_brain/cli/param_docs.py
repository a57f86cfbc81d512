"""The parameter tables of docs/parameters.md, generated from the nodes' config dataclasses.

Each node kind's config class comes from the node registry (robot_brain/nodes/container.py);
its parameters are the ones the node declares (robot_brain.core.config.params.specs).
`python -m robot_brain.cli.param_docs --write` rewrites the block between the markers in
docs/parameters.md; test/ros/test_param_docs.py fails when the page is out of date, so the
documented parameters are always the declared ones.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from robot_brain.core.config.params import ParamSpec, specs
from robot_brain.core.config.process import ProcessConfig
from robot_brain.core.config.robot import RobotConfig
from robot_brain.nodes.container import NODE_CLASSES, config_class

#: Every node kind, in the registry's order.
NODES = tuple(NODE_CLASSES)
BEGIN = "<!-- NODE-PARAMETERS BEGIN (generated: python -m robot_brain.cli.param_docs --write) -->"
END = "<!-- NODE-PARAMETERS END -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"
HEADER = ["| parameter | default | unit | range | meaning |", "|---|---|---|---|---|"]


def shared_specs() -> tuple[ParamSpec, ...]:
    """The `/**:` block's parameters (every node) and the runtime's (every process)."""
    return specs(RobotConfig) + specs(ProcessConfig)


def node_specs(node: str) -> list[ParamSpec]:
    """The node's own parameters: its config's, without the shared ones, and any group it
    declares per name of a list parameter (shown under the placeholder prefix `<name>.`)."""
    cls = config_class(node)
    shared = {s.name for s in specs(RobotConfig)}
    out = [s for s in specs(cls) if s.name not in shared]
    for listed, group_cls in getattr(cls, "PER_NAME_GROUPS", {}).items():
        out += specs(group_cls, f"<{listed.rstrip('s')}>.")
    return out


def _default(spec: ParamSpec) -> str:
    d = spec.default
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, str):
        return f'`"{d}"`'
    if isinstance(d, float):
        return f"{d:g}"
    if isinstance(d, tuple):
        return "`[" + ", ".join(f'"{x}"' if isinstance(x, str) else f"{x:g}" for x in d) + "]`"
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
    unit = s.unit.replace("|", "\\|")
    return f"| `{s.name}` | {_default(s)} | {unit} | {_range(s)} | {desc} |"


def render() -> str:
    out = [BEGIN, "", "**shared** (the `/**:` block, declared by every node)", "", *HEADER]
    out += [_row(s) for s in shared_specs()]
    out.append("")
    for node in NODES:
        out += [f"**`{node}`**", "", *HEADER]
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
