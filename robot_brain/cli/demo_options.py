"""`robot-brain demo`'s command line: its sub-parser and the options it yields."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robot_brain.core.config.composition import node_names
from robot_brain.core.llm.registry import BACKEND_KINDS


def add_demo_parser(sub: Any) -> argparse.ArgumentParser:
    """The `demo` sub-command on `sub` (what ArgumentParser.add_subparsers returned)."""
    demo = sub.add_parser(
        "demo", help="start sim and every brain node (one process each) and run a mission",
        description="Start the built-in simulated humanoid and every node of the brain, each in "
                    "its own process with the shipped config, send an instruction to the "
                    "planner, run for --duration seconds (or until Ctrl-C), stop everything "
                    "cleanly and print a summary.")
    demo.add_argument("--duration", type=float, default=60.0,
                      help="seconds to run (default 60; 0 = until Ctrl-C)")
    demo.add_argument("--instruction", default="Please walk over to the kitchen.",
                      help="instruction sent to the planner once it is up")
    demo.add_argument("--backend", choices=list(BACKEND_KINDS), default=None,
                      help="planner backend (default: the config file's)")
    demo.add_argument("--params-file", type=Path, default=None,
                      help="parameter file (default: the shipped config/brain.yaml)")
    demo.add_argument("--world", default=None,
                      help="world YAML or a map YAML as map_saver writes it, or a packaged "
                           "world's name (default: the config's; docs/maps.md)")
    demo.add_argument("--places", default=None,
                      help="places file for the world (default: the world's places, or "
                           "<map>.places.yaml beside a map)")
    demo.add_argument("--goal", type=float, nargs=2, metavar=("X", "Y"), default=None,
                      help="drive the controller to this goal directly (no planner needed)")
    demo.add_argument("--run-dir", type=Path, default=None,
                      help="where logs, the bag and the report go (default runs/<timestamp>)")
    demo.add_argument("--no-record", action="store_true", help="do not record a bag")
    demo.add_argument("--nodes", default=None,
                      help="comma-separated subset of nodes to start (default: all that exist)")
    demo.add_argument("--quiet", action="store_true", help="do not echo node output")
    demo.add_argument("--until-done", action="store_true",
                      help="end as soon as the plan is done, failed or rejected "
                           "(--duration stays the upper bound)")
    demo.add_argument("--live", action="store_true",
                      help="also serve a Foxglove WebSocket live view on 127.0.0.1 "
                           "(docs/live_view.md)")
    demo.add_argument("--live-port", type=int, default=8765,
                      help="TCP port of the live view (default 8765)")
    demo.add_argument("--motion", choices=["brain", "nav2"], default="brain",
                      help="who drives navigate_to steps: the brain's controller (default) or "
                           "Nav2 (NavigateToPose; the demo starts no Nav2: run it beside with "
                           "its cmd_vel remapped to controller/cmd_vel, docs/nav2.md)")
    demo.add_argument("--sim", choices=["builtin", "mujoco"], default="builtin",
                      help="the simulated robot: the built-in 2-D sim (default) or MuJoCo "
                           "(3-D, a head lidar; docs/mujoco.md)")
    demo.add_argument("--no-compose", action="store_true",
                      help="run perception and controller as two processes instead of one "
                           "(docs/composition.md)")
    demo.add_argument("--apart", default="", metavar="NODES",
                      help="comma-separated nodes that keep a process of their own while the "
                           "rest is composed, e.g. recorder (docs/composition.md)")
    return demo


@dataclass(frozen=True)
class DemoOptions:
    duration: float
    instruction: str
    backend: str | None
    params_file: Path | None
    world: str | None
    goal: tuple[float, float] | None
    run_dir: Path | None
    record: bool
    nodes: tuple[str, ...] | None
    quiet: bool
    until_done: bool = False
    live: bool = False
    live_port: int = 8765
    compose: bool = True
    #: Nodes kept out of the composites (core/config/composition.plan_processes).
    apart: tuple[str, ...] = ()
    places: str | None = None
    motion: str = "brain"  # or nav2 (core/planner/nav2_motion.motion_layout)
    #: builtin | mujoco (robot_brain.core.config.sim_choice)
    sim: str = "builtin"

    @staticmethod
    def from_args(args: argparse.Namespace) -> DemoOptions:
        return DemoOptions(
            duration=args.duration, instruction=args.instruction, backend=args.backend,
            params_file=args.params_file, world=args.world,
            goal=tuple(args.goal) if args.goal else None, run_dir=args.run_dir,
            record=not args.no_record,
            nodes=tuple(n.strip() for n in args.nodes.split(",")) if args.nodes else None,
            quiet=args.quiet, until_done=args.until_done, live=args.live,
            live_port=args.live_port, compose=not args.no_compose,
            apart=node_names(getattr(args, "apart", "")),
            motion=getattr(args, "motion", "brain"),
            sim=getattr(args, "sim", "builtin"),
            places=getattr(args, "places", None))
