"""From a bag path to report files: stream the bag, collect figures, render them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

from robot_brain.core.report import recorded_topics as T
from robot_brain.core.report.bag import BagReadError, BagSource
from robot_brain.core.report.collector import (
    DEFAULT_DEADLINE_S,
    DEFAULT_HOLD_DEADLINE_S,
    DEFAULT_OVERRUN_FACTOR,
    FigureCollector,
)
from robot_brain.core.report.figures import RunFigures
from robot_brain.core.report.markdown import render_markdown
from robot_brain.core.report.plots import write_plots
from robot_brain.core.report.summary import summary_rows
from robot_brain.core.report.terminal_table import render_table
from robot_brain.core.world import World


class EmptyBagError(BagReadError):
    """The bag opened but holds no message at all."""


@dataclass(frozen=True)
class ReportFiles:
    markdown: Path
    plots: Mapping[str, Path]


def collect_figures(bag: Path, namespace: str | None = None,
                    deadline_s: float = DEFAULT_DEADLINE_S,
                    overrun_factor: float = DEFAULT_OVERRUN_FACTOR,
                    hold_deadline_s: float = DEFAULT_HOLD_DEADLINE_S) -> RunFigures:
    """Stream the bag once; raise BagReadError (or EmptyBagError) when nothing can be read.

    A damaged bag yields the figures of what precedes the damage, with notes saying so.
    """
    resolver = _Resolver(namespace)
    source: BagSource = BagSource(
        bag, decode=lambda topic: resolver.name(topic, source.topics) in T.ANALYSED_TOPICS)
    collector = FigureCollector(deadline_s=deadline_s, overrun_factor=overrun_factor,
                                hold_deadline_s=hold_deadline_s)
    unknown: dict[str, int] = {}
    for m in source.messages():
        name = resolver.name(m.topic, source.topics)
        if name is None:
            unknown[m.topic] = unknown.get(m.topic, 0) + 1
            continue
        collector.add(name, m.log_time_ns, m.msg)
    total = sum(collector.counts.values()) + sum(unknown.values())
    if total == 0:
        detail = "; ".join(source.notes)
        raise EmptyBagError(f"{bag}: the bag holds no messages" + (f" ({detail})" if detail
                                                                   else ""))
    notes = list(source.notes)
    if unknown:
        notes.append("topics outside the brain's list, counted only: "
                     + ", ".join(f"{t} ({n})" for t, n in sorted(unknown.items())))
    figures = collector.result(bag=str(bag), storage=source.storage, notes=notes)
    return figures


class _Resolver:
    """Bag topic -> relative name; the namespace is fixed from the topics known at first use."""

    def __init__(self, namespace: str | None) -> None:
        self._namespace = namespace
        self._names: dict[str, str | None] = {}

    def name(self, topic: str, bag_topics: Mapping[str, str]) -> str | None:
        if topic not in self._names:
            if self._namespace is None:
                self._namespace = T.guess_namespace(list(bag_topics) + [topic])
            self._names[topic] = T.topic_map([topic], self._namespace).get(topic)
        return self._names[topic]


def table(figures: RunFigures) -> str:
    return render_table(summary_rows(figures), figures.notes)


def write_report(figures: RunFigures, out_dir: Path, world: World | None) -> ReportFiles:
    """report.md plus the PNG plots in out_dir (created)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    plots = write_plots(figures, out_dir, world, problems)
    if problems:
        figures = replace(figures, notes=tuple(figures.notes) + tuple(problems))
    md = out_dir / "report.md"
    md.write_text(render_markdown(figures, summary_rows(figures), plots, out_dir),
                  encoding="utf-8")
    return ReportFiles(md, plots)
