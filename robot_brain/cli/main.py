"""`robot-brain`: run the whole brain against the simulated robot (`demo`) or analyse a bag."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from robot_brain.core.llm.registry import BACKEND_KINDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="robot-brain",
        description="robot_brain: a humanoid's split brain (fast ONNX path, slow LLM planner).")
    sub = parser.add_subparsers(dest="command", required=True)

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

    instruct = sub.add_parser(
        "instruct", help="give the running brain an instruction (the Instruct action)",
        description="Send an instruction to the running brain's planner as an Instruct goal "
                    "(brain/instruct), print its feedback and result. Exit codes: 0 done, 1 "
                    "failed or timed out, 3 refused or no valid plan, 4 replaced by a newer "
                    "instruction, 5 no server, 130 interrupted (Ctrl-C cancels the goal).")
    instruct.add_argument("instruction", help="what to do, in words")
    instruct.add_argument("--sender", default=None,
                          help="who asks (default: robot-brain instruct@<user>)")
    instruct.add_argument("--action", default="brain/instruct",
                          help="the Instruct action's name (default brain/instruct)")
    instruct.add_argument("--server-timeout", type=float, default=10.0,
                          help="seconds to wait for the server (default 10)")
    instruct.add_argument("--timeout", type=float, default=0.0,
                          help="seconds to wait for the result (default 0: as long as it runs)")
    instruct.add_argument("--quiet", action="store_true", help="print the result only")

    from robot_brain.cli.places import add_places_parser
    add_places_parser(sub)

    report = sub.add_parser("report", help="figures and plots from a recorded rosbag2 bag")
    report.add_argument("bag", type=Path, help="bag directory (MCAP or sqlite3)")
    report.add_argument("--out", type=Path, default=None, help="output directory")
    report.add_argument("--world", default=None, help="world YAML for the trajectory plot")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from robot_brain.cli.demo import DemoOptions, run_demo
        return run_demo(DemoOptions.from_args(args))
    if args.command == "places":
        from robot_brain.cli.places import run_places
        return run_places(args)
    if args.command == "instruct":
        from robot_brain.cli.instruct import InstructOptions, default_sender, run_instruct
        return run_instruct(InstructOptions(
            instruction=args.instruction, sender=args.sender or default_sender(),
            action=args.action, server_timeout_s=args.server_timeout,
            result_timeout_s=args.timeout, quiet=args.quiet))
    if args.command == "report":
        try:
            from robot_brain.cli.report import run_report
        except ImportError as exc:
            print(f"robot-brain report: not available ({exc})", file=sys.stderr)
            return 2
        return run_report(args.bag, args.out, world=args.world)
    return 2


if __name__ == "__main__":
    sys.exit(main())
