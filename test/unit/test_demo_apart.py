"""`robot-brain demo --apart NODES`: the named nodes keep their own process, the rest composed;
a name that is not started is one line, not a traceback."""

from __future__ import annotations

import pytest

from robot_brain.cli.demo_options import DemoOptions
from robot_brain.cli.main import build_parser
from robot_brain.core.config.composition import CompositionError, plan_processes


def _opts(*argv: str) -> DemoOptions:
    return DemoOptions.from_args(build_parser().parse_args(["demo", *argv]))


def test_nothing_apart_by_default() -> None:
    assert _opts().apart == ()


def test_apart_reaches_the_plan() -> None:
    opts = _opts("--apart", " recorder, ")
    assert opts.apart == ("recorder",) and opts.compose
    nodes = ["sim", "perception", "controller", "watchdog", "power_monitor", "planner",
             "recorder"]
    titles = [s.title for s in plan_processes(nodes, opts.compose, opts.apart)]
    assert titles == ["sim", "fast_path (perception + controller)", "watchdog",
                      "slow_path (power_monitor + planner)", "recorder"]
    with pytest.raises(CompositionError, match="recordr"):
        plan_processes(nodes, True, _opts("--apart", "recordr").apart)
