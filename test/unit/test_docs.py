"""The docs hold together: every relative link resolves, and the node tables list exactly the
node kinds of the registry (robot_brain/nodes/container.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").glob("*.md"))]
#: [text](target) links; the target up to a space (a title), a '#' anchor or ')'.
LINK = re.compile(r"\[[^\]]*\]\(([^)\s#]*)(?:#[^)\s]*)?(?:\s[^)]*)?\)")
NODE_ROW = re.compile(r"^\| `([a-z_]+)`[^|]*\|", re.MULTILINE)


def _relative_links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [t for t in LINK.findall(text)
            if t and not re.match(r"^[a-z][a-z0-9+.-]*:", t)]  # not http:, mailto:, ...


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    broken = [t for t in _relative_links(page) if not (page.parent / t).exists()]
    assert broken == [], f"{page.relative_to(ROOT)}: links to nothing: {broken}"


def test_the_link_scan_finds_links(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("[a](x.md) [b](https://e.org) [c](y.md#part) [d](z.md \"t\")\n"
                    "```\n[e](in_code.md)\n```\n")
    assert _relative_links(page) == ["x.md", "y.md", "z.md"]


def _node_table(page: Path, heading: str) -> list[str]:
    """The first column of the first table after `heading`."""
    text = page.read_text(encoding="utf-8")
    after = text[text.index(heading):]
    table = after[after.index("\n|"):]
    table = table[:table.find("\n\n")] if "\n\n" in table else table
    return NODE_ROW.findall(table)


@pytest.mark.parametrize(("page", "heading"), [("README.md", "## Nodes"),
                                               ("docs/design.md", "## Nodes")])
def test_node_tables_list_the_registry(page: str, heading: str) -> None:
    pytest.importorskip("rclpy")  # the registry module imports it
    from robot_brain.nodes.container import NODE_CLASSES
    assert _node_table(ROOT / page, heading) == list(NODE_CLASSES)


def test_no_page_cites_a_design_file_outside_the_repository() -> None:
    sources = [*PAGES, *(ROOT / "robot_brain").rglob("*.py"), *(ROOT / "config").glob("*"),
               *(ROOT / "test").rglob("*.py")]
    citing = [str(p.relative_to(ROOT)) for p in sources
              if p.is_file() and p != Path(__file__) and "DESIGN.md" in p.read_text()]
    assert citing == []
