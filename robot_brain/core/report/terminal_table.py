"""The report as a plain-text table for the terminal."""

from __future__ import annotations

from typing import Sequence

from robot_brain.core.report.summary import Row


def render_table(rows: Sequence[Row], notes: Sequence[str] = ()) -> str:
    width = max((len(r.figure) for r in rows), default=0)
    lines: list[str] = []
    section = None
    for r in rows:
        if r.section != section:
            section = r.section
            if lines:
                lines.append("")
            lines.append(f"== {section} ==")
        lines.append(f"  {r.figure.ljust(width)}  {r.value}")
    if notes:
        lines += ["", "== notes =="] + [f"  - {n}" for n in notes]
    return "\n".join(lines) + "\n"
