"""The report's figures as (section, figure, value) rows: one list for the table and Markdown."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone

from robot_brain.core.report.figures import Distribution, PeriodFigures, RunFigures, Span


@dataclass(frozen=True)
class Row:
    section: str
    figure: str
    value: str


NO_DATA = "no data"


def ms(value: float) -> str:
    return NO_DATA if math.isnan(value) else f"{value * 1000.0:.1f} ms"


def seconds(value: float) -> str:
    return NO_DATA if math.isnan(value) else f"{value:.2f} s"


def dist_ms(d: Distribution) -> str:
    if d.count == 0:
        return NO_DATA
    return f"p50 {ms(d.p50)}, p99 {ms(d.p99)}, max {ms(d.max)} (n={d.count})"


def dist_s(d: Distribution) -> str:
    if d.count == 0:
        return NO_DATA
    return f"p50 {seconds(d.p50)}, max {seconds(d.max)}"


def percent(fraction: float) -> str:
    return NO_DATA if math.isnan(fraction) else f"{fraction * 100.0:.1f} %"


def endurance(value_s: float) -> str:
    if math.isnan(value_s):
        return "unknown"
    if math.isinf(value_s):
        return "unlimited"
    return f"{value_s / 60.0:.1f} min"


def episodes(spans: tuple[Span, ...]) -> str:
    if not spans:
        return "0"
    total = sum(s.duration_s for s in spans)
    open_note = ", active at the end" if spans[-1].open else ""
    return f"{len(spans)} ({total:.2f} s in total{open_note})"


def _period_rows(section: str, p: PeriodFigures) -> list[Row]:
    if p.messages == 0:
        return [Row(section, f"{p.topic} period", f"no messages on {p.topic}")]
    return [
        Row(section, f"{p.topic} period", dist_ms(p.period)
            + (f"; {p.held} heartbeat(s) while holding" if p.held else "")),
        Row(section, f"{p.topic} overruns",
            f"{p.overruns} (periods > {p.overrun_factor:g} x median)"),
        Row(section, f"{p.topic} deadline misses",
            f"{p.deadline_misses} (periods > {ms(p.deadline_s)}"
            + (f", after a zero > {ms(p.hold_deadline_s)})" if p.held else ")")),
    ]


def summary_rows(f: RunFigures) -> list[Row]:
    """Every figure of the report, in display order."""
    rows: list[Row] = []
    run = "run"
    start = datetime.fromtimestamp(f.start_ns / 1e9, tz=timezone.utc) if f.start_ns else None
    rows += [
        Row(run, "bag", f"{f.bag} ({f.storage})"),
        Row(run, "start", start.strftime("%Y-%m-%d %H:%M:%S UTC") if start else NO_DATA),
        Row(run, "duration", seconds(f.duration_s)),
        Row(run, "messages", f"{f.total_messages} on {len(f.message_counts)} topics"),
        Row(run, "missing topics", ", ".join(f.missing_topics) or "none"),
    ]
    control = "control loop"
    rows += _period_rows(control, f.control)
    if f.controller_overruns is not None:
        rows.append(Row(control, "overruns (controller's diagnostics)",
                        str(f.controller_overruns)))
    rows += _period_rows(control, f.command)[:1]
    safety = "safety"
    rows += [
        Row(safety, "deadline misses (bag)",
            str(f.control.deadline_misses) if f.control.messages else NO_DATA),
        Row(safety, "deadline misses (watchdog's diagnostics)",
            NO_DATA if f.safety.watchdog_deadline_misses is None
            else str(f.safety.watchdog_deadline_misses)),
        Row(safety, "watchdog estop episodes", episodes(f.safety.watchdog_estops)),
        Row(safety, "operator estop episodes", episodes(f.safety.operator_estops)),
    ]
    latency = "latency"
    rows += [
        Row(latency, "scan -> cmd_vel", dist_ms(f.latency_cmd_vel)),
        Row(latency, "scan -> controller/cmd_vel", dist_ms(f.latency_controller)),
    ]
    if f.watchdog_own_commands:
        rows.append(Row(latency, "cmd_vel not from the controller (not counted)",
                        str(f.watchdog_own_commands)))
    if f.negative_latencies:
        rows.append(Row(latency, "skipped (stamp after receipt)", str(f.negative_latencies)))
    plans = "planner"
    if not f.plans:
        rows.append(Row(plans, "plans", "none"))
    for b in f.plans:
        decided = f"{b.accepted} accepted, {b.rejected} rejected"
        if b.undecided:
            decided += f", {b.undecided} unknown"
        rows.append(Row(plans, f"plans [{b.backend}]",
                        f"{b.plans} ({decided}); latency {dist_s(b.latency)}"))
    if f.unparsable_plans:
        rows.append(Row(plans, "unparsable plan messages", str(f.unparsable_plans)))
    gate = f.plan_gate
    if gate.checked:
        causes = ", ".join(f"{cause} {n}" for cause, n in gate.held_by.items())
        rows.append(Row(plans, "plan gate", f"{gate.held} of {gate.checked} plans held"
                        + (f" ({causes})" if causes else "")))
    else:
        rows.append(Row(plans, "plan gate", NO_DATA))
    states = sorted({s.label for s in f.planner_states})
    rows.append(Row(plans, "planner states", ", ".join(states) or NO_DATA))
    motion = "motion"
    rows += [
        Row(motion, "distance walked",
            f"{f.motion.distance_m:.2f} m" if f.motion.odom_messages else NO_DATA),
        Row(motion, "collisions",
            NO_DATA if f.motion.collisions is None else str(f.motion.collisions)),
    ]
    energy = "energy"
    battery = f.energy.battery
    rows.append(Row(energy, "battery",
                    f"{percent(battery.first())} -> {percent(battery.last())} "
                    f"(min {percent(battery.min())})" if len(battery) else NO_DATA))
    end = f.energy.endurance
    rows.append(Row(energy, "endurance estimate",
                    f"{endurance(end.first())} -> {endurance(end.last())}" if len(end)
                    else NO_DATA))
    modes = f.energy.power_modes
    rows.append(Row(energy, "power modes",
                    ", ".join(f"{s.label} {s.duration_s:.1f} s" for s in modes) or NO_DATA))
    return rows
