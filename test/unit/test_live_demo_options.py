"""`robot-brain demo --live [--live-port N]` reaches the live_view node's parameters."""

from __future__ import annotations

from pathlib import Path

from robot_brain.cli.demo_options import DemoOptions
from robot_brain.cli.demo_params import node_overrides
from robot_brain.cli.main import build_parser


def _opts(*argv: str) -> DemoOptions:
    return DemoOptions.from_args(build_parser().parse_args(["demo", *argv]))


def test_live_is_off_by_default() -> None:
    opts = _opts()
    assert not opts.live and opts.live_port == 8765


def test_live_port_goes_to_the_node() -> None:
    opts = _opts("--live", "--live-port", "9001")
    assert opts.live
    params = node_overrides("live_view", opts, ["sim"], Path("/tmp/run"))
    assert params["port"] == 9001
    assert "port" not in node_overrides("sim", opts, ["sim"], Path("/tmp/run"))
