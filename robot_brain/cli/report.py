"""`robot-brain report BAG`: what the brain did during a recorded run, as a table, Markdown, plots.

Exit code 0 when anything could be read (a damaged bag gives a partial report with notes),
1 when nothing could (missing path, not a bag, empty bag). Problems are one clear message on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from robot_brain.core.report.bag import BagReadError
from robot_brain.core.report.build import collect_figures, table, write_report
from robot_brain.core.report.collector import (
    DEFAULT_DEADLINE_S,
    DEFAULT_HOLD_DEADLINE_S,
    DEFAULT_OVERRUN_FACTOR,
)
from robot_brain.core.report.figures import RunFigures
from robot_brain.core.world import World, WorldError, load_world_file

EXIT_OK = 0
EXIT_UNREADABLE = 1


def default_out_dir(bag: Path) -> Path:
    """<bag>_report next to the bag (a bag directory, or a storage file without its suffix)."""
    bag = Path(bag)
    stem = bag.name if bag.is_dir() else bag.stem
    return bag.parent / f"{stem}_report"


def add_report_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("bag", type=Path,
                        help="rosbag2 bag directory (MCAP or sqlite3), or an .mcap file")
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (default: <bag>_report next to the bag)")
    parser.add_argument("--world", default=None,
                        help="world file for the trajectory plot ('' = the packaged apartment)")
    parser.add_argument("--namespace", default=None,
                        help="namespace the brain ran in (default: guessed from the bag)")
    parser.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE_S,
                        help="watchdog deadline for counting misses, seconds (default: "
                             f"{DEFAULT_DEADLINE_S})")
    parser.add_argument("--hold-deadline", type=float, default=DEFAULT_HOLD_DEADLINE_S,
                        help="watchdog hold_deadline_s: the deadline after a zero command (the "
                             "controller's heartbeat while it holds), seconds (default: "
                             f"{DEFAULT_HOLD_DEADLINE_S})")
    parser.add_argument("--overrun-factor", type=float, default=DEFAULT_OVERRUN_FACTOR,
                        help="a control period longer than this many median periods is an "
                             f"overrun (default: {DEFAULT_OVERRUN_FACTOR})")
    return parser


def run_from_args(args: argparse.Namespace) -> int:
    return run_report(args.bag, args.out, world=args.world, namespace=args.namespace,
                      deadline_s=args.deadline, overrun_factor=args.overrun_factor,
                      hold_deadline_s=args.hold_deadline)


def run_report(bag: Path, out: Path | None = None, *, world: str | None = None,
               namespace: str | None = None, deadline_s: float = DEFAULT_DEADLINE_S,
               overrun_factor: float = DEFAULT_OVERRUN_FACTOR,
               hold_deadline_s: float = DEFAULT_HOLD_DEADLINE_S) -> int:
    """Print the table, write report.md and the plots; return the exit code."""
    bag = Path(bag)
    try:
        figures = collect_figures(bag, namespace, deadline_s, overrun_factor, hold_deadline_s)
    except BagReadError as exc:
        print(f"robot-brain report: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"robot-brain report: {bag}: cannot be read ({exc.strerror or exc})",
              file=sys.stderr)
        return EXIT_UNREADABLE
    world_map, world_note = _load_world(world or "")
    if world_note:
        figures = _with_note(figures, world_note)
    print(table(figures), end="")
    out_dir = out if out is not None else default_out_dir(bag)
    try:
        files = write_report(figures, out_dir, world_map)
    except OSError as exc:
        print(f"robot-brain report: cannot write the report to {out_dir} "
              f"({exc.strerror or exc})", file=sys.stderr)
        return EXIT_OK
    print(f"\nreport: {files.markdown}" + (f" ({len(files.plots)} plots)" if files.plots else ""))
    return EXIT_OK


def _load_world(world_file: str) -> tuple[World | None, str]:
    try:
        return load_world_file(world_file), ""
    except WorldError as exc:
        return None, f"trajectory drawn without a map: {exc}"


def _with_note(figures: RunFigures, note: str) -> RunFigures:
    return replace(figures, notes=tuple(figures.notes) + (note,))


def main(argv: Sequence[str] | None = None) -> int:
    parser = add_report_arguments(argparse.ArgumentParser(
        prog="robot-brain report", description=__doc__.split("\n")[0] if __doc__ else None))
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        return run_from_args(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
