"""Gazebo's battery on the real graph: the planner and the power monitor read a 50 Hz
BatteryState in the LinearBatteryPlugin's convention (percentage 0..100 with fix_issue_225,
discharge as a positive current, charge and capacity in Ah) as the state of charge and draw
it means, taken at their own rates; a percentage outside both conventions is unknown, warned
once, and crashes nothing.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path

import pytest
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import BatteryState
from std_msgs.msg import String

from robot_brain.ros import qos
from test.ros.graph import Graph, Probe

pytestmark = pytest.mark.ros

START_TIMEOUT = 60.0
#: The pack of gazebo/models/humanoid.sdf at 8 %: 1.6 of 20 Ah, e0 + e1 (1 - q/c) - r i.
CAPACITY_AH = 20.0
CHARGE_AH = 1.6
CURRENT_A = 3.45   # 150 W at ~43.5 V, positive: discharging, gz-sim's default sign
VOLTAGE = 50.4 - 8.4 * (1.0 - CHARGE_AH / CAPACITY_AH) - 0.05 * CURRENT_A


def gazebo_battery(percentage: float) -> BatteryState:
    """What ros_gz_bridge makes of the plugin's gz.msgs.BatteryState."""
    msg = BatteryState()
    msg.voltage = VOLTAGE
    msg.current = CURRENT_A
    msg.charge = CHARGE_AH
    msg.capacity = CAPACITY_AH
    msg.design_capacity = math.nan
    msg.percentage = percentage
    msg.power_supply_status = BatteryState.POWER_SUPPLY_STATUS_DISCHARGING
    msg.present = True
    return msg


def values_of(probe: Probe, prefix: str) -> dict[str, str]:
    for rec in reversed(probe.messages("/diagnostics")):
        for status in rec.msg.status:
            if status.name.startswith(prefix):
                return {kv.key: kv.value for kv in status.values}
    return {}


class Publisher50Hz:
    def __init__(self, probe: Probe) -> None:
        self.pub = probe.publisher(BatteryState, "battery_state", qos.RELIABLE)
        self.msg = gazebo_battery(100.0 * CHARGE_AH / CAPACITY_AH)
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.pub.publish(self.msg)
            self.sent += 1
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)


def test_gazebo_convention_at_50hz_is_read_by_planner_and_monitor(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        probe.subscribe(String, "power/mode", qos.STATE)
        g.start("power_monitor", name="power_monitor", parameters={
            "publish_rate_hz": 2.0, "smoothing_tau_s": 0.5})
        g.start("planner", name="planner", parameters={
            "backend": "scripted", "vertical_tier": False, "route_planning": False})
        stream = Publisher50Hz(probe)
        try:
            probe.wait_for(lambda: values_of(probe, "power").get("battery_current_sign")
                           == "gazebo", START_TIMEOUT, "the monitor learning gz's current sign")
            probe.wait_for(lambda: any(r.msg.data == "critical"
                                       for r in probe.messages("power/mode")),
                           START_TIMEOUT, "power mode critical at 8 %")
            probe.wait_for(lambda: values_of(probe, "planner").get("battery_percentage_scale")
                           == "percent", START_TIMEOUT, "the planner reading 0..100")
            power = values_of(probe, "power")
            planner = values_of(probe, "planner")
            # Bad input: 140 % fits neither convention.
            stream.msg = gazebo_battery(140.0)
            stream.msg.charge = math.nan  # no charge to fall back on
            time.sleep(3.0)
            after = values_of(probe, "power")
        finally:
            stream.stop()
        alive = all(p.running() for p in g.processes)
        logs = dict(g.logs())
    assert float(power["state_of_charge"]) == pytest.approx(0.08, abs=1e-3), power
    assert power["draw_source"] == "measured", power
    assert float(power["draw_w"]) == pytest.approx(VOLTAGE * CURRENT_A, rel=0.02), power
    assert math.isfinite(float(power["endurance_s"])) and float(power["endurance_s"]) > 0
    assert power["battery_percentage_scale"] == "percent", power
    assert float(planner["battery_state_of_charge"]) == pytest.approx(0.08, abs=1e-3), planner
    assert int(after["battery_out_of_range"]) >= 1, after
    assert after["mode"] == "critical", after  # unknown keeps the mode; never "normal" again
    assert alive, logs
    warned = [line for line in logs["power_monitor"].splitlines()
              if "percentage outside both conventions" in line]
    assert 1 <= len(warned) <= 2, warned  # throttled: ~150 bad messages, one warning
    assert "Traceback" not in logs["power_monitor"] + logs["planner"]
    print(f"\n{stream.sent} BatteryState at 50 Hz; monitor: {power}")
