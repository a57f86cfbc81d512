"""`robot-brain`: run the whole brain against the simulated robot (`demo`) or analyse a bag."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from robot_brain.cli.demo_options import add_demo_parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="robot-brain",
        description="robot_brain: a humanoid's split brain (fast ONNX path, slow LLM planner).")
    sub = parser.add_subparsers(dest="command", required=True)

    add_demo_parser(sub)

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
