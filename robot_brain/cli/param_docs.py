"""The README's node parameter tables, generated from the nodes' ParamSpec rows.

`python -m robot_brain.cli.param_docs --write` rewrites the block between the markers in
README.md; test/ros/test_param_docs.py fails when the README is out of date, so the documented
parameters are always the declared ones.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from robot_brain.ros.params import SHARED_PARAMS, ParamSpec

NODES = ("sim", "perception", "controller", "watchdog", "planner", "power_monitor", "recorder",
         "live_view")
BEGIN = "<!-- NODE-PARAMETERS BEGIN (generated: python -m robot_brain.cli.param_docs --write) -->"
END = "<!-- NODE-PARAMETERS END -->"
README = Path(__file__).resolve().parents[2] / "README.md"


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


def render() -> str:
    out = [BEGIN, ""]
    for node in NODES:
        out += [f"**`{node}`**", "", "| parameter | default | range | meaning |",
                "|---|---|---|---|"]
        for s in node_specs(node):
            desc = s.description.replace("|", "\\|")
            out.append(f"| `{s.name}` | {_default(s)} | {_range(s)} | {desc} |")
        out.append("")
    out.append(END)
    return "\n".join(out)


def splice(readme: str, block: str) -> str:
    if BEGIN not in readme or END not in readme:
        raise ValueError("README.md lacks the NODE-PARAMETERS markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + block + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md in place")
    args = parser.parse_args(argv)
    block = render()
    if args.write:
        README.write_text(splice(README.read_text(), block))
    else:
        print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
