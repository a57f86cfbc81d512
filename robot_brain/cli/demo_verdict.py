"""The end of a demo run: the printed summary, the report of the recorded bag, and the
one-line verdict with the exit code."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from robot_brain.cli.demo_options import DemoOptions
from robot_brain.cli.demo_params import default_goal
from robot_brain.cli.demo_setup import DemoError, DemoSetup
from robot_brain.core.config.sim_choice import sim_choice
from robot_brain.core.report.verdict import MissionFacts, judge

if TYPE_CHECKING:
    from robot_brain.cli.demo_observer import DemoObservations


@dataclass(frozen=True)
class DemoOutcome:
    """How the supervised part of a run ended."""

    snapshot: DemoObservations
    elapsed: float
    all_up: bool
    interrupted: bool
    failure: DemoError | None


def conclude(outcome: DemoOutcome, setup: DemoSetup, opts: DemoOptions) -> int:
    """The summary, the report and the one-line verdict; the exit code."""
    failure = outcome.failure
    if failure is not None and not outcome.all_up:
        raise failure  # start-up failed: there is nothing to summarise
    if failure is not None and failure.detail:
        print(failure.detail, file=sys.stderr, flush=True)
    print(format_summary(outcome.snapshot, outcome.elapsed, setup.run_dir, setup.sim.node),
          flush=True)
    if setup.record:
        _report(setup.run_dir, opts.world)
    verdict = judge(_facts(outcome.snapshot, opts, setup.nodes, outcome.elapsed,
                           outcome.interrupted, str(failure) if failure is not None else None))
    # The last line says whether the run did what it was asked (a script reads the exit code).
    print(f"robot-brain demo: {verdict.line}", file=sys.stdout if verdict.success
          else sys.stderr, flush=True)
    return 0 if verdict.success else 1


def _facts(obs: DemoObservations, opts: DemoOptions, nodes: list[str], elapsed: float,
           interrupted: bool, node_failure: str | None) -> MissionFacts:
    planner = "planner" in nodes and opts.goal is None
    goal = None
    if "controller" in nodes and not planner:
        goal = opts.goal if opts.goal else default_goal(opts)
    sim = _find(obs.diagnostics, sim_choice(opts.sim).node)
    values = sim["values"] if sim else {}
    done_after = (obs.finished_at - obs.instruction_at
                  if obs.finished_at is not None and obs.instruction_at is not None else None)
    return MissionFacts(
        planner=planner,
        goal=goal, plans=obs.plans, outcome=str(obs.last_status.get("outcome") or ""),
        done_after_s=done_after, elapsed_s=elapsed,
        distance_m=_float(values.get("distance_walked_m")),
        collisions=_int(values.get("collisions")), final_pose=obs.pose,
        node_failure=node_failure, interrupted=interrupted)


def _float(v: object) -> float | None:
    try:
        return float(str(v))
    except ValueError:
        return None


def _int(v: object) -> int | None:
    f = _float(v)
    return int(f) if f is not None and math.isfinite(f) else None


def _report(run_dir: Path, world: str | None = None) -> None:
    bag = run_dir / "bag"
    if not bag.exists():
        print(f"robot-brain demo: no bag was written in {bag}", flush=True)
        return
    print(f"robot-brain demo: bag recorded in {bag}", flush=True)
    try:
        from robot_brain.cli.report import run_report
    except ImportError:
        return
    out = run_dir / "report"
    code = run_report(bag, out, world=world)
    if code == 0:
        print(f"robot-brain demo: report in {out / 'report.md'}", flush=True)


def format_summary(obs: object, elapsed: float, run_dir: Path, sim_node: str = "sim") -> str:
    from robot_brain.cli.demo_observer import DemoObservations, _plan_line
    assert isinstance(obs, DemoObservations)
    lines = [f"== robot_brain demo summary ({elapsed:.1f} s) =="]
    sim = _find(obs.diagnostics, sim_node)
    if sim:
        v = sim["values"]
        lines.append(
            f"robot: walked {v.get('distance_walked_m', '?')} m, "
            f"{v.get('collisions', '?')} collision(s), battery "
            f"{_pct(v.get('battery_percentage'))}, energy used {v.get('energy_used_wh', '?')} Wh")
    elif obs.first_pose and obs.pose:
        lines.append(f"robot: displaced {math.dist(obs.first_pose, obs.pose):.2f} m")
    if obs.pose:
        lines.append(f"final pose: x={obs.pose[0]:.2f} y={obs.pose[1]:.2f}")
    for plan in obs.plans:
        lines.append("plan: " + _plan_line(plan))
    if obs.instruct_result:
        lines.append(f"instruction result: {obs.instruct_result}")
    if obs.last_status:
        s = obs.last_status
        lines.append(f"planner: state {s.get('state')}, backend {s.get('backend')} "
                     f"({s.get('locality')}), mode {s.get('mode')}, "
                     f"message {s.get('message')!r}")
    if obs.power_mode is not None:
        lines.append(f"power: mode {obs.power_mode}, endurance "
                     f"{obs.endurance_s / 3600.0:.2f} h" if math.isfinite(obs.endurance_s)
                     else f"power: mode {obs.power_mode}, endurance unknown")
    lines.append(f"watchdog estop episodes seen: {obs.estop_episodes}")
    for name, st in sorted(obs.diagnostics.items()):
        values = ", ".join(f"{k}={val}" for k, val in list(st["values"].items())[:10])
        lines.append(f"[{name}] {st['message']}" + (f" | {values}" if values else ""))
    lines.append(f"logs: {run_dir / 'logs'}")
    return "\n".join(lines)


def _find(diags: dict[str, dict[str, object]], node: str) -> dict[str, dict[str, str]] | None:
    for name, st in diags.items():
        if name.split(":")[0].strip() == node and "distance_walked_m" in st.get("values", {}):
            return st  # type: ignore[return-value]
    return None


def _pct(v: object) -> str:
    fraction = _float(v)
    return f"{fraction * 100:.1f} %" if fraction is not None else "?"
