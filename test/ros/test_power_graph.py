"""Power monitor on the real graph: a small battery run to empty in real time in the sim."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sensor_msgs.msg import BatteryState
from std_msgs.msg import Float32, String

from robot_brain.ros import qos
from test.ros.graph import Graph

pytestmark = pytest.mark.ros

CAPACITY_WH = 1.3  # 156 W standing (base + idle accelerator) empties it in 30 s


def test_endurance_estimate_halfway_is_within_5_percent(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(BatteryState, "battery_state", qos.RELIABLE)
        probe.subscribe(Float32, "power/endurance", qos.RELIABLE)
        probe.subscribe(String, "power/mode", qos.STATE)
        g.start("sim", name="sim", parameters={
            "battery_capacity_wh": CAPACITY_WH, "battery_rate_hz": 20.0})
        g.start("power_monitor", name="power_monitor", parameters={
            "publish_rate_hz": 10.0, "smoothing_tau_s": 2.0})

        def soc() -> float:
            msgs = probe.messages("battery_state")
            return msgs[-1].msg.percentage if msgs else math.nan

        probe.wait_for(lambda: soc() <= 0.5, timeout=300.0, what="battery at 50 %")
        halfway = probe.messages("power/endurance")[-1]
        probe.wait_for(lambda: soc() <= 0.0, timeout=300.0, what="battery empty")
        empty_at = next(r.t for r in probe.messages("battery_state") if r.msg.percentage <= 0.0)
        actual = empty_at - halfway.t
        estimate = float(halfway.msg.data)
        print(f"halfway endurance estimate {estimate:.2f} s, actual remaining {actual:.2f} s")
        assert math.isfinite(estimate)
        assert abs(estimate - actual) <= 0.05 * actual
        modes = [r.msg.data for r in probe.messages("power/mode")]
        assert modes[0] == "normal" and modes[-1] == "critical"
        assert "eco" in modes
