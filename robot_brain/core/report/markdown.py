"""The report as Markdown (report.md): the same rows as the table, the notes, the plots."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from robot_brain.core.report.figures import RunFigures
from robot_brain.core.report.summary import Row


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(figures: RunFigures, rows: Sequence[Row],
                    plots: Mapping[str, Path], out_dir: Path) -> str:
    bag = Path(figures.bag)
    title = f"{bag.parent.name}/{bag.name}" if bag.parent.name else str(bag)
    lines = [f"# Run report: {title}"]
    if figures.notes:
        lines += ["**The bag was read only in part or with problems:**", ""]
        lines += [f"- {_cell(n)}" for n in figures.notes] + [""]
    section = None
    for r in rows:
        if r.section != section:
            section = r.section
            lines += ["", f"## {section.capitalize()}", "", "| figure | value |", "|---|---|"]
        lines.append(f"| {_cell(r.figure)} | {_cell(r.value)} |")
    if figures.node_diagnostics:
        lines += ["", "## As the nodes report it (last /diagnostics values)", ""]
        for name, values in figures.node_diagnostics.items():
            shown = ", ".join(f"{k}={v}" for k, v in values.items()) or "(no values)"
            lines.append(f"- **{_cell(name)}**: {_cell(shown)}")
    lines += ["", "## Messages per topic", "", "| topic | messages |", "|---|---|"]
    lines += [f"| {t} | {n} |" for t, n in figures.message_counts.items()]
    if plots:
        lines += ["", "## Plots", ""]
        for title, path in plots.items():
            rel = path.relative_to(out_dir) if path.is_relative_to(out_dir) else path
            lines += [f"### {title}", "", f"![{title}]({rel.as_posix()})", ""]
    return "\n".join(lines).rstrip() + "\n"
