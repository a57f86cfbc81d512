"""The run report on a synthetic bag with known timings: every figure equals a literal."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from robot_brain.cli.report import main as report_main
from robot_brain.core.report.bag import default_typestore
from robot_brain.core.report.bagwriter import BagWriter
from robot_brain.core.report.build import collect_figures
from robot_brain.core.report.figures import RunFigures, Span
from robot_brain.core.report.summary import summary_rows

T0 = 1_700_000_000 * 10**9   # ns; the first message of the bag
MS = 1_000_000
TS = default_typestore()

TYPES = {
    "/controller/cmd_vel": "geometry_msgs/msg/TwistStamped",
    "/cmd_vel": "geometry_msgs/msg/TwistStamped",
    "/odom": "nav_msgs/msg/Odometry",
    "/battery_state": "sensor_msgs/msg/BatteryState",
    "/power/endurance": "std_msgs/msg/Float32",
    "/power/mode": "std_msgs/msg/String",
    "/planner/plan": "std_msgs/msg/String",
    "/planner/status": "std_msgs/msg/String",
    "/watchdog/estop": "std_msgs/msg/Bool",
    "/diagnostics": "diagnostic_msgs/msg/DiagnosticArray",
    "/scan": "sensor_msgs/msg/LaserScan",
}


def _t(name: str) -> Any:
    return TS.types[name]


def stamp(ns: int) -> Any:
    return _t("builtin_interfaces/msg/Time")(sec=ns // 10**9, nanosec=ns % 10**9)


def header(ns: int) -> Any:
    return _t("std_msgs/msg/Header")(stamp=stamp(ns), frame_id="base_link")


def twist_stamped(stamp_ns: int) -> Any:
    vec = _t("geometry_msgs/msg/Vector3")
    twist = _t("geometry_msgs/msg/Twist")(linear=vec(x=0.3, y=0.0, z=0.0),
                                          angular=vec(x=0.0, y=0.0, z=0.1))
    return _t("geometry_msgs/msg/TwistStamped")(header=header(stamp_ns), twist=twist)


def odometry(ns: int, x: float, y: float) -> Any:
    g = "geometry_msgs/msg/"
    pose = _t(g + "Pose")(position=_t(g + "Point")(x=x, y=y, z=0.0),
                          orientation=_t(g + "Quaternion")(x=0.0, y=0.0, z=0.0, w=1.0))
    pwc = _t(g + "PoseWithCovariance")(pose=pose, covariance=np.zeros(36))
    vec = _t(g + "Vector3")(x=0.0, y=0.0, z=0.0)
    twc = _t(g + "TwistWithCovariance")(twist=_t(g + "Twist")(linear=vec, angular=vec),
                                        covariance=np.zeros(36))
    return _t("nav_msgs/msg/Odometry")(header=header(ns), child_frame_id="base_link",
                                       pose=pwc, twist=twc)


def battery(ns: int, fraction: float) -> Any:
    cls = _t("sensor_msgs/msg/BatteryState")
    return cls(header=header(ns), voltage=48.0, temperature=math.nan, current=-2.0,
               charge=math.nan, capacity=math.nan, design_capacity=math.nan,
               percentage=fraction, power_supply_status=2, power_supply_health=1,
               power_supply_technology=2, present=True,
               cell_voltage=np.zeros(0, dtype=np.float32),
               cell_temperature=np.zeros(0, dtype=np.float32), location="", serial_number="")


def string(text: str) -> Any:
    return _t("std_msgs/msg/String")(data=text)


def float32(value: float) -> Any:
    return _t("std_msgs/msg/Float32")(data=value)


def boolean(value: bool) -> Any:
    return _t("std_msgs/msg/Bool")(data=value)


def diagnostics(ns: int, statuses: list[tuple[str, dict[str, str]]]) -> Any:
    kv = _t("diagnostic_msgs/msg/KeyValue")
    st = _t("diagnostic_msgs/msg/DiagnosticStatus")
    return _t("diagnostic_msgs/msg/DiagnosticArray")(header=header(ns), status=[
        st(level=0, name=name, message="ok", hardware_id="",
           values=[kv(key=k, value=v) for k, v in values.items()])
        for name, values in statuses])


def scan(ns: int, beams: int) -> Any:
    return _t("sensor_msgs/msg/LaserScan")(
        header=header(ns), angle_min=-math.pi, angle_max=math.pi,
        angle_increment=2 * math.pi / beams, time_increment=0.0, scan_time=0.1,
        range_min=0.1, range_max=10.0, ranges=np.full(beams, 2.0, dtype=np.float32),
        intensities=np.zeros(0, dtype=np.float32))


def synthetic_messages(scan_beams: int = 0) -> list[tuple[str, int, Any]]:
    """(topic, log time ns, message) of a 2 s run with known figures (see the test)."""
    out: list[tuple[str, int, Any]] = []
    # Controller at exactly 10 ms, one 30 ms gap after the 51st command: 101 commands, 100
    # periods (99 x 10 ms + 1 x 30 ms). Each carries the stamp of a scan 5 ms older; the
    # watchdog forwards it 1 ms later (latency 6 ms), except one forwarded 15 ms later (20 ms).
    times = [i * 10 * MS for i in range(51)] + [500 * MS + 30 * MS + i * 10 * MS
                                                for i in range(50)]
    for i, t in enumerate(times):
        src = T0 + t - 5 * MS
        out.append(("/controller/cmd_vel", T0 + t, twist_stamped(src)))
        delay = 15 * MS if i == 60 else 1 * MS
        out.append(("/cmd_vel", T0 + t + delay, twist_stamped(src)))
    # Odometry: (0,0) -> (3,0) -> (3,4) in 0.5 m steps: 7.0 m.
    points = [(0.5 * i, 0.0) for i in range(7)] + [(3.0, 0.5 * j) for j in range(9)]
    for k, (x, y) in enumerate(points):
        out.append(("/odom", T0 + 100 * MS * k + 1, odometry(T0 + 100 * MS * k, x, y)))
    for k, frac in enumerate((1.0, 0.9, 0.8)):
        out.append(("/battery_state", T0 + k * 1000 * MS, battery(T0 + k * 1000 * MS, frac)))
    for k, value in enumerate((3600.0, math.nan, 3000.0)):
        out.append(("/power/endurance", T0 + k * 900 * MS + 2, float32(value)))
    out.append(("/power/mode", T0 + 3, string("normal")))
    out.append(("/power/mode", T0 + 1500 * MS, string("eco")))
    plans = [
        {"backend": "llama_cpp", "latency_s": 1.5, "accepted": True, "request_id": 1,
         "gate": {"decision": "pass", "cause": ""}},
        {"backend": "llama_cpp", "latency_s": 2.5, "accepted": False, "reason": "unknown place",
         "gate": None},
        {"backend": "scripted", "gate": {"decision": "hold", "cause": "hazard"}},
    ]
    for k, plan in enumerate(plans):
        out.append(("/planner/plan", T0 + (400 + 100 * k) * MS, string(json.dumps(plan))))
    out.append(("/planner/plan", T0 + 750 * MS, string("not json {")))
    for t_ms, state in ((0, "idle"), (200, "thinking"), (300, "thinking"), (800, "executing")):
        out.append(("/planner/status", T0 + t_ms * MS + 4, string(json.dumps({"state": state}))))
    for t_ms, value in ((100, False), (530, True), (600, False), (1000, True)):
        out.append(("/watchdog/estop", T0 + t_ms * MS, boolean(value)))
    out.append(("/diagnostics", T0 + 700 * MS, diagnostics(T0, [
        ("sim: world", {"collisions": "2"}),
        ("controller: loop", {"rate_hz": "99.5", "overruns": "1"}),
        ("watchdog: deadline", {"deadline_misses": "1"}),
    ])))
    out.append(("/diagnostics", T0 + 1700 * MS, diagnostics(T0, [
        ("sim: world", {"collisions": "3"}),
    ])))
    if scan_beams:
        for k in range(200):
            out.append(("/scan", T0 + k * 10 * MS + 5, scan(T0 + k * 10 * MS, scan_beams)))
    out.sort(key=lambda m: m[1])
    return out


def write_bag(path: Path, storage: str = "mcap", scan_beams: int = 0,
              topics: set[str] | None = None, flush_every: int = 0) -> Path:
    writer = BagWriter(path, storage)
    messages = [m for m in synthetic_messages(scan_beams) if topics is None or m[0] in topics]
    for topic in dict.fromkeys(m[0] for m in messages):
        writer.add_topic(topic, TYPES[topic])
    for i, (topic, t_ns, msg) in enumerate(messages):
        writer.write(topic, t_ns, TS.serialize_cdr(msg, TYPES[topic]))
        if flush_every and i % flush_every == flush_every - 1:
            writer.flush()
    writer.close()
    return path


@pytest.fixture(scope="module", params=["mcap", "sqlite3"])
def figures(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> RunFigures:
    bag = write_bag(tmp_path_factory.mktemp("bags") / f"run_{request.param}", request.param)
    return collect_figures(bag)


def test_control_period_from_receipt_times(figures: RunFigures) -> None:
    c = figures.control
    assert c.topic == "controller/cmd_vel"
    assert c.messages == 101
    assert c.period.count == 100
    assert c.period.p50 == pytest.approx(0.010)
    assert c.period.p99 == pytest.approx(0.0102)   # 98.01th of 100 sorted: 10 ms + 0.01 x 20 ms
    assert c.period.max == pytest.approx(0.030)
    assert c.overruns == 1
    assert c.deadline_misses == 1
    assert figures.controller_overruns == 1
    assert figures.command.messages == 101


def test_latency_scan_to_cmd_vel(figures: RunFigures) -> None:
    assert figures.latency_controller.count == 101
    assert figures.latency_controller.p50 == pytest.approx(0.005)
    assert figures.latency_controller.max == pytest.approx(0.005)
    lat = figures.latency_cmd_vel
    assert lat.count == 101
    assert lat.p50 == pytest.approx(0.006)
    assert lat.p99 == pytest.approx(0.006)
    assert lat.max == pytest.approx(0.020)
    assert figures.negative_latencies == 0


def test_plans_by_backend(figures: RunFigures) -> None:
    by = {b.backend: b for b in figures.plans}
    assert set(by) == {"llama_cpp", "scripted"}
    llama = by["llama_cpp"]
    assert (llama.plans, llama.accepted, llama.rejected, llama.undecided) == (2, 1, 1, 0)
    assert llama.latency.p50 == pytest.approx(2.0)
    assert llama.latency.max == pytest.approx(2.5)
    scripted = by["scripted"]
    assert (scripted.plans, scripted.accepted, scripted.rejected) == (1, 0, 0)
    assert scripted.latency.count == 0
    assert figures.unparsable_plans == 1


def test_plan_gate_decisions(figures: RunFigures) -> None:
    gate = figures.plan_gate
    assert (gate.checked, gate.held, dict(gate.held_by)) == (2, 1, {"hazard": 1})
    rows = {(r.section, r.figure): r.value for r in summary_rows(figures)}
    assert rows[("planner", "plan gate")] == "1 of 2 plans held (hazard 1)"


def test_safety_episodes(figures: RunFigures) -> None:
    estops = figures.safety.watchdog_estops
    assert len(estops) == 2
    assert estops[0] == Span("estop", pytest.approx(0.53), pytest.approx(0.60), open=False)
    assert estops[1].start_s == pytest.approx(1.0)
    assert estops[1].end_s == pytest.approx(2.0)
    assert estops[1].open
    assert figures.safety.operator_estops == ()
    assert figures.safety.watchdog_deadline_misses == 1


def test_motion_energy_and_states(figures: RunFigures) -> None:
    assert figures.motion.odom_messages == 16
    assert figures.motion.distance_m == pytest.approx(7.0)
    assert figures.motion.path[0].tolist() == [0.0, 0.0]
    assert figures.motion.path[-1].tolist() == [3.0, 4.0]
    assert figures.motion.collisions == 3
    bat = figures.energy.battery
    assert (bat.first(), bat.last(), bat.min()) == pytest.approx((1.0, 0.8, 0.8))
    assert bat.t.tolist() == pytest.approx([0.0, 1.0, 2.0])
    end = figures.energy.endurance
    assert end.first() == pytest.approx(3600.0) and end.last() == pytest.approx(3000.0)
    assert math.isnan(end.v[1])
    assert [(s.label, round(s.duration_s, 6)) for s in figures.planner_states] == \
        [("idle", 0.2), ("thinking", 0.6), ("executing", 1.2)]
    assert [s.label for s in figures.energy.power_modes] == ["normal", "eco"]
    assert figures.duration_s == pytest.approx(2.0)


def test_counts_and_missing_topics(figures: RunFigures) -> None:
    assert figures.message_counts["controller/cmd_vel"] == 101
    assert figures.message_counts["planner/plan"] == 4
    assert "scan" in figures.missing_topics
    assert "odom" not in figures.missing_topics
    assert figures.notes == ()


def test_cli_writes_markdown_and_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    bag = write_bag(tmp_path / "run", "mcap")
    assert report_main([str(bag)]) == 0
    out = capsys.readouterr().out
    assert "p50 10.0 ms, p99 10.2 ms, max 30.0 ms (n=100)" in out
    assert "7.00 m" in out
    assert "plans [llama_cpp]" in out and "1 accepted, 1 rejected" in out
    report_dir = tmp_path / "run_report"
    md = (report_dir / "report.md").read_text()
    assert "| distance walked | 7.00 m |" in md
    for png in ("trajectory.png", "latency.png", "control_period.png", "energy.png",
                "timeline.png"):
        data = (report_dir / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", png
        assert f"]({png})" in md


def test_namespaced_bag_is_recognised(tmp_path: Path) -> None:
    writer = BagWriter(tmp_path / "ns", "mcap")
    for topic in ("/robot1/odom", "/robot1/controller/cmd_vel", "/diagnostics"):
        writer.add_topic(topic, TYPES["/" + topic.split("/", 2)[-1]] if topic != "/diagnostics"
                         else TYPES["/diagnostics"])
    writer.write("/robot1/odom", T0, TS.serialize_cdr(odometry(T0, 0.0, 0.0),
                                                      TYPES["/odom"]))
    writer.write("/robot1/odom", T0 + MS, TS.serialize_cdr(odometry(T0, 1.0, 0.0),
                                                           TYPES["/odom"]))
    writer.close()
    f = collect_figures(tmp_path / "ns")
    assert f.motion.distance_m == pytest.approx(1.0)
    assert f.message_counts == {"odom": 2}


def test_watchdog_own_stops_are_not_scan_latencies(tmp_path: Path) -> None:
    writer = BagWriter(tmp_path / "stops", "mcap")
    for topic in ("/controller/cmd_vel", "/cmd_vel"):
        writer.add_topic(topic, TYPES[topic])
    ctrl, cmd = TYPES["/controller/cmd_vel"], TYPES["/cmd_vel"]
    # One forwarded command (scan 5 ms old, forwarded after 1 ms), then the watchdog's own
    # stop stamped when it was sent (2 ms before receipt): only the first is a scan latency.
    writer.write("/controller/cmd_vel", T0 + 5 * MS, TS.serialize_cdr(twist_stamped(T0), ctrl))
    writer.write("/cmd_vel", T0 + 6 * MS, TS.serialize_cdr(twist_stamped(T0), cmd))
    writer.write("/cmd_vel", T0 + 40 * MS, TS.serialize_cdr(twist_stamped(T0 + 38 * MS), cmd))
    writer.close()
    f = collect_figures(tmp_path / "stops")
    assert f.latency_cmd_vel.count == 1
    assert f.latency_cmd_vel.max == pytest.approx(0.006)
    assert f.watchdog_own_commands == 1



def test_settled_latency_leaves_out_the_bags_first_seconds(tmp_path: Path) -> None:
    writer = BagWriter(tmp_path / "settle", "mcap")
    for topic in ("/controller/cmd_vel", "/cmd_vel"):
        writer.add_topic(topic, TYPES[topic])
    ctrl, cmd = TYPES["/controller/cmd_vel"], TYPES["/cmd_vel"]
    # 50 ms late while the recorder matches (0.5 s in), 4 ms and 7 ms once settled (3 s, 4 s).
    for at_ms, late_ms in ((500, 50), (3000, 4), (4000, 7)):
        stamp = T0 + (at_ms - late_ms) * MS
        writer.write("/controller/cmd_vel", T0 + (at_ms - 1) * MS,
                     TS.serialize_cdr(twist_stamped(stamp), ctrl))
        writer.write("/cmd_vel", T0 + at_ms * MS, TS.serialize_cdr(twist_stamped(stamp), cmd))
    writer.close()
    f = collect_figures(tmp_path / "settle")
    assert f.latency_cmd_vel.count == 3 and f.latency_cmd_vel.max == pytest.approx(0.050)
    assert f.latency_cmd_vel_settled.count == 2
    assert f.latency_cmd_vel_settled.max == pytest.approx(0.007)

def test_latency_counts_the_first_command_of_each_scan_only() -> None:
    """Ticks reusing the same perception carry its stamp; only the first measures latency."""
    from types import SimpleNamespace

    from robot_brain.core.report import recorded_topics as T
    from robot_brain.core.report.collector import FigureCollector

    def cmd(stamp_ns: int) -> SimpleNamespace:
        stamp = SimpleNamespace(sec=stamp_ns // 10**9, nanosec=stamp_ns % 10**9)
        return SimpleNamespace(header=SimpleNamespace(stamp=stamp))

    c = FigureCollector()
    scan_ns = 10 * 10**9
    # Scan at 10 s; commands from it at +4, +14, ..., +94 ms; the next scan at 10.1 s, +3 ms.
    for k in range(10):
        c.add(T.CONTROLLER_CMD_VEL, scan_ns + (4 + 10 * k) * 10**6, cmd(scan_ns))
    c.add(T.CONTROLLER_CMD_VEL, scan_ns + 103 * 10**6, cmd(scan_ns + 100 * 10**6))
    lat = c.result().latency_controller
    assert lat.count == 2
    assert lat.max == pytest.approx(0.004)
    assert lat.p50 == pytest.approx(0.0035)


def test_forwarded_command_logged_before_the_controllers_own_still_counts() -> None:
    """Two topics have no order in a bag: cmd_vel may be logged before controller/cmd_vel."""
    from types import SimpleNamespace

    from robot_brain.core.report import recorded_topics as T
    from robot_brain.core.report.collector import FigureCollector

    def cmd(stamp_ns: int) -> SimpleNamespace:
        stamp = SimpleNamespace(sec=stamp_ns // 10**9, nanosec=stamp_ns % 10**9)
        return SimpleNamespace(header=SimpleNamespace(stamp=stamp))

    c = FigureCollector()
    scan1, scan2 = 10 * 10**9, 10 * 10**9 + 100 * 10**6
    c.add(T.CONTROLLER_CMD_VEL, scan1 + 4 * 10**6, cmd(scan1))
    c.add(T.CMD_VEL, scan1 + 5 * 10**6, cmd(scan1))
    # Next scan: the watchdog's copy is logged first (6 ms), the controller's after (7 ms).
    c.add(T.CMD_VEL, scan2 + 6 * 10**6, cmd(scan2))
    c.add(T.CONTROLLER_CMD_VEL, scan2 + 7 * 10**6, cmd(scan2))
    c.add(T.CMD_VEL, scan2 + 16 * 10**6, cmd(scan2))
    # A stop of the watchdog's own, stamped when sent: never matched.
    c.add(T.CMD_VEL, scan2 + 50 * 10**6, cmd(scan2 + 50 * 10**6))
    r = c.result()
    assert sorted(round(x, 6) for x in r.latency_samples) == [0.005, 0.006]
    assert r.watchdog_own_commands == 1


def test_heartbeats_while_holding_are_judged_against_the_hold_deadline() -> None:
    """The controller repeats a zero every 0.1 s while it holds: not a 100 ms control period
    and not a deadline miss; a gap past the hold deadline after a zero still is one."""
    from types import SimpleNamespace

    from robot_brain.core.report import recorded_topics as T
    from robot_brain.core.report.collector import FigureCollector

    def twist(linear: float) -> SimpleNamespace:
        stamp = SimpleNamespace(sec=0, nanosec=0)
        return SimpleNamespace(header=SimpleNamespace(stamp=stamp), twist=SimpleNamespace(
            linear=SimpleNamespace(x=linear), angular=SimpleNamespace(z=0.0)))

    c = FigureCollector(deadline_s=0.02, hold_deadline_s=0.25)
    ms = 10**6
    t = 0
    for _ in range(20):  # moving at 100 Hz
        c.add(T.CONTROLLER_CMD_VEL, t, twist(0.3))
        t += 10 * ms
    for _ in range(10):  # holding: heartbeats every 100 ms
        c.add(T.CONTROLLER_CMD_VEL, t, twist(0.0))
        t += 100 * ms
    t += 200 * ms        # a silence of 300 ms after a zero: a miss
    c.add(T.CONTROLLER_CMD_VEL, t, twist(0.3))
    c.add(T.CONTROLLER_CMD_VEL, t + 30 * ms, twist(0.3))  # 30 ms after a move: a miss
    p = c.result().control
    assert p.messages == 32
    assert p.held == 10
    assert p.period.count == 21 and p.period.max == pytest.approx(0.03)
    assert p.deadline_misses == 2


def test_latency_is_a_reaction_only_after_a_moving_command() -> None:
    """A command after a zero (a heartbeat while holding, or the first move after a hold, which
    a goal starts) takes its stamp without being a latency sample; the first zero after motion
    is one."""
    from types import SimpleNamespace

    from robot_brain.core.report import recorded_topics as T
    from robot_brain.core.report.collector import FigureCollector

    def cmd(stamp_ns: int, linear: float) -> SimpleNamespace:
        stamp = SimpleNamespace(sec=stamp_ns // 10**9, nanosec=stamp_ns % 10**9)
        return SimpleNamespace(header=SimpleNamespace(stamp=stamp), twist=SimpleNamespace(
            linear=SimpleNamespace(x=linear), angular=SimpleNamespace(z=0.0)))

    ms = 10**6
    scan = [10 * 10**9 + k * 100 * ms for k in range(6)]
    c = FigureCollector()
    c.add(T.CONTROLLER_CMD_VEL, scan[0] + 4 * ms, cmd(scan[0], 0.3))   # 4 ms: a sample
    c.add(T.CONTROLLER_CMD_VEL, scan[1] + 5 * ms, cmd(scan[1], 0.0))   # first zero: 5 ms
    c.add(T.CONTROLLER_CMD_VEL, scan[2] + 60 * ms, cmd(scan[2], 0.0))  # heartbeat: none
    c.add(T.CONTROLLER_CMD_VEL, scan[3] + 70 * ms, cmd(scan[3], 0.2))  # first move: none
    c.add(T.CONTROLLER_CMD_VEL, scan[3] + 80 * ms, cmd(scan[3], 0.2))  # same stamp: none
    c.add(T.CONTROLLER_CMD_VEL, scan[4] + 6 * ms, cmd(scan[4], 0.2))   # moving: 6 ms
    lat = c.result().latency_controller
    assert lat.count == 3 and lat.max == pytest.approx(0.006)
