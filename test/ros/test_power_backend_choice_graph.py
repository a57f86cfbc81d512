"""Power modes made by the REAL power monitor from a draining sim battery change the planner's
routing: normal -> the preferred backend; eco -> rationed (one request per interval, a newer
instruction waits); critical -> no LLM call at all, the plan is `dock`, and with power gating
the (local, scripted) worker is stopped: planner/status says the accelerator is off.

sim (small battery, standing: 150 W base + 6 W idle accelerator) -> battery_state ->
power_monitor -> power/mode -> planner (scripted backend). Nothing is published by the test
except instructions. Time bounds are >= 10x the expected times; measured values are printed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from std_msgs.msg import String

from robot_brain.ros import qos
from test.ros.graph import Graph, Probe

pytestmark = pytest.mark.ros

KITCHEN = '{"steps": [{"skill": "navigate_to", "place": "kitchen"}]}'
CAPACITY_WH = 5.0
INITIAL = 0.34
STANDING_W = 156.0
# Expected times from the sim's start: eco below 30 %, critical below 10 %.
ECO_EXPECTED_S = (INITIAL - 0.30) * CAPACITY_WH * 3600.0 / STANDING_W   # ~4.6 s
CRITICAL_EXPECTED_S = (INITIAL - 0.10) * CAPACITY_WH * 3600.0 / STANDING_W  # ~27.7 s
START_TIMEOUT = 60.0  # node + worker process start, well above the ~3 s it takes
ECO_INTERVAL_S = 600.0  # longer than the test: a second request in eco must wait


def statuses(probe: Probe) -> list[tuple[float, dict[str, Any]]]:
    return [(r.t, json.loads(r.msg.data)) for r in probe.messages("planner/status")]


def last_status(probe: Probe) -> dict[str, Any]:
    s = statuses(probe)
    return s[-1][1] if s else {}


def plans(probe: Probe) -> list[dict[str, Any]]:
    return [json.loads(r.msg.data) for r in probe.messages("planner/plan")]


def test_power_monitor_modes_change_planner_routing(tmp_path: Path) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps([KITCHEN]))
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(String, "planner/status", qos.RELIABLE)
        probe.subscribe(String, "planner/plan", qos.RELIABLE)
        probe.subscribe(String, "power/mode", qos.STATE)
        g.start("planner", name="planner", parameters={
            "backend": "scripted", "scripted_reply_file": str(replies), "vertical_tier": False,
            "scripted_latency_s": 0.2, "backend_normal": "preferred", "backend_eco": "scripted",
            "backend_critical": "dock", "eco_min_interval_s": ECO_INTERVAL_S, "status_hz": 5.0,
            "power_gate_accelerator": True})
        # The monitor starts before the sim: with no battery yet it says `normal`.
        g.start("power_monitor", name="power_monitor", parameters={
            "publish_rate_hz": 5.0, "smoothing_tau_s": 2.0, "capacity_wh": CAPACITY_WH})
        probe.wait_for(lambda: last_status(probe).get("mode") == "normal", START_TIMEOUT,
                       "planner in mode normal (from power_monitor)")
        instr = probe.publisher(String, "brain/instruction", qos.RELIABLE)
        probe.wait_for(lambda: instr.get_subscription_count() >= 1, START_TIMEOUT,
                       "planner subscribed to brain/instruction")

        # normal: the preferred backend answers.
        instr.publish(String(data="go to the kitchen"))
        probe.wait_for(lambda: len(plans(probe)) == 1, 10 * 2.0, "plan in normal mode")
        first = plans(probe)[0]
        assert first["source"] == "llm" and first["accepted"]
        assert first["route_reason"] == "normal: preferred backend scripted"

        sim_start = time.monotonic()
        g.start("sim", name="sim", parameters={
            "battery_capacity_wh": CAPACITY_WH, "battery_initial_percentage": INITIAL,
            "battery_rate_hz": 10.0})

        # eco: the monitor sees the battery cross 30 %; a new instruction is rationed.
        took = probe.wait_for(lambda: last_status(probe).get("mode") == "eco",
                              START_TIMEOUT + 10 * ECO_EXPECTED_S, "planner in mode eco")
        print(f"eco reached the planner {took:.1f} s after the sim started "
              f"(expected ~{ECO_EXPECTED_S:.1f} s plus start-up)")
        instr.publish(String(data="go to the door"))
        probe.wait_for(lambda: last_status(probe).get("pending") is True, 10 * 0.5,
                       "eco defers the second request")
        status = last_status(probe)
        assert status["mode"] == "eco"
        assert status["accelerator_on"] is True  # eco routes to the local scripted backend
        assert status["route_reason"].startswith("eco: ") and "deferred" in status["route_reason"]
        assert status["state"] != "thinking" and status["locality"] == "none"
        assert len(plans(probe)) == 1

        # critical: the deferred instruction is dropped and the plan becomes dock, no LLM.
        t_eco = time.monotonic()
        remaining = CRITICAL_EXPECTED_S - (t_eco - sim_start)
        probe.wait_for(lambda: last_status(probe).get("mode") == "critical",
                       START_TIMEOUT + 10 * max(remaining, 5.0), "planner in mode critical")
        print(f"critical reached the planner {time.monotonic() - sim_start:.1f} s after the "
              f"sim started (expected ~{CRITICAL_EXPECTED_S:.1f} s plus start-up)")
        t_critical = time.monotonic()
        probe.wait_for(lambda: any(p["source"] == "power" for p in plans(probe)), 10 * 0.5,
                       "dock plan on entering critical")
        dock = [p for p in plans(probe) if p["source"] == "power"][0]
        assert dock["accepted"] and dock["steps"][0]["skill"] == "dock"
        assert dock["backend"] == "none" and dock["latency_s"] is None
        status = last_status(probe)
        assert status["route_reason"] == "critical: no LLM calls, plan is dock"
        assert not status["pending"]
        # power gating: no route of critical needs the local worker, so it is stopped
        probe.wait_for(lambda: last_status(probe).get("accelerator_on") is False, 10 * 0.5,
                       "accelerator off in critical")

        # An instruction in critical: dock again, never a request.
        instr.publish(String(data="go to the kitchen"))
        probe.wait_for(lambda: sum(p["source"] == "power" for p in plans(probe)) == 2,
                       10 * 0.5, "second dock plan")
        time.sleep(0.5)
        assert [p["source"] for p in plans(probe)] == ["llm", "power", "power"]
        assert all(s["state"] != "thinking" for t, s in statuses(probe) if t >= t_critical)
        assert all(s["mode"] == "critical" for t, s in statuses(probe) if t >= t_critical)

        # The modes came from the monitor, in order, without flapping.
        modes = [r.msg.data for r in probe.messages("power/mode")]
        assert modes == ["normal", "eco", "critical"], modes
