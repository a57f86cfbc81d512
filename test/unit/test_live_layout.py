"""The shipped Foxglove layout is the generated one, and names only topics that the bridge
serves; apart from the bridge-only `/live_view/*` channels, only topics a recorded bag has."""

from __future__ import annotations

import json

from robot_brain.core.live.layout import (
    LAYOUT_FILE,
    build_layout,
    referenced_topics,
    render,
    served_names,
)
from robot_brain.core.live.served_topics import DERIVED_CHANNELS, qualify
from robot_brain.core.report.recorded_topics import RECORDED_TOPICS


def test_shipped_layout_is_current() -> None:
    assert LAYOUT_FILE.read_text() == render(), (
        "layouts/robot_brain_layout.json is out of date: run "
        "`python -m robot_brain.core.live.layout --write`")


def test_layout_names_only_served_topics() -> None:
    used = referenced_topics(build_layout())
    assert {"/scan", "/cmd_vel", "/diagnostics", "/watchdog/estop", "/planner/plan",
            "/planner/status", "/battery_state", "/power/endurance",
            "/live_view/world"} <= used
    assert used <= served_names(), used - served_names()


def test_layout_without_bridge_channels_opens_on_a_recorded_bag() -> None:
    used = referenced_topics(build_layout()) - {qualify(c) for c in DERIVED_CHANNELS}
    recorded = {qualify(t) for t in RECORDED_TOPICS}
    assert used <= recorded, used - recorded


def test_every_panel_is_placed_and_every_placed_panel_configured() -> None:
    layout = build_layout()

    def leaves(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        assert isinstance(node, dict)
        return leaves(node["first"]) + leaves(node["second"])

    placed = leaves(layout["layout"])
    assert sorted(placed) == sorted(layout["configById"])
    json.dumps(layout, allow_nan=False)
