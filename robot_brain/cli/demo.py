"""`robot-brain demo`: the whole brain against a simulated humanoid (the built-in sim, or
MuJoCo with `--sim mujoco`).

Each node runs as its own OS process from its installed executable (what `ros2 run` starts),
with the shipped parameter file, so the demo exercises the same graph `ros2 launch` would.
The demo process itself only supervises: it echoes the nodes' output, watches the graph with an
observer node, sends the instruction, and stops everything cleanly at the end, also when a
child is stopped (SIGSTOP) or hung.

This module runs the steps; each has its own: the command line (demo_options), the nodes'
parameter overrides (demo_params), what is started (demo_setup), the processes (demo_brain,
log_tail), the observer (demo_observer) and the summary and verdict (demo_verdict).
"""

from __future__ import annotations

import math
import signal
import sys
import time

from robot_brain.cli.demo_brain import DemoBrain
from robot_brain.cli.demo_options import DemoOptions
from robot_brain.cli.demo_setup import DemoError, DemoSetup, prepare
from robot_brain.cli.demo_verdict import DemoOutcome, conclude
from robot_brain.core.config.composition import CompositionError, plan_processes


def run_demo(opts: DemoOptions) -> int:
    try:
        return _run(opts)
    except DemoError as exc:
        if exc.detail:
            print(exc.detail, file=sys.stderr, flush=True)
        print(f"robot-brain demo: FAILED: {exc}", file=sys.stderr, flush=True)
        return 1


def _run(opts: DemoOptions) -> int:
    setup = prepare(opts)
    try:
        processes = plan_processes(setup.to_start, opts.compose, opts.apart)
    except CompositionError as exc:
        raise DemoError(f"--apart: {exc}") from exc
    print(f"robot-brain demo: starting {', '.join(s.title for s in processes)} "
          f"(config {setup.params_file}, domain {setup.env.get('ROS_DOMAIN_ID', '0')}, run dir "
          f"{setup.run_dir})", flush=True)
    return conclude(_supervise(setup, opts), setup, opts)


def _supervise(setup: DemoSetup, opts: DemoOptions) -> DemoOutcome:
    """Start the brain, send the instruction and watch it until the run ends; stop it all."""
    import rclpy
    from rclpy.signals import SignalHandlerOptions

    from robot_brain.cli.demo_observer import DemoMonitor
    from robot_brain.ros.spinner import BackgroundSpinner

    # Ctrl-C and SIGTERM end the demo through KeyboardInterrupt (below). rclpy's own handler
    # would shut the context down under the monitor's spin thread (a traceback there).
    rclpy.init(args=[], signal_handler_options=SignalHandlerOptions.NO)
    monitor = DemoMonitor()
    spinner = BackgroundSpinner(monitor)
    brain = DemoBrain(setup, opts, monitor)
    failure: DemoError | None = None
    interrupted = False
    all_up = False
    t_start = time.monotonic()

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    # Installed explicitly: a demo started in the background by a shell inherits SIGINT
    # ignored, and `kill -INT` would then be lost (seen: the run went on to its duration).
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        brain.start()
        brain.wait_all_up()
        all_up = True
        print(f"robot-brain demo: all {len(setup.to_start)} nodes up after "
              f"{time.monotonic() - t_start:.1f} s", flush=True)
        if "planner" in setup.nodes and opts.goal is None:
            brain.send_instruction()
        brain.run_until(t_start + opts.duration if opts.duration > 0 else math.inf)
    except KeyboardInterrupt:
        interrupted = True
        print("\nrobot-brain demo: interrupted, shutting down", flush=True)
    except DemoError as exc:
        failure = exc
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        elapsed = time.monotonic() - t_start
        snapshot = monitor.snapshot()
        # The observer goes first, while the nodes are still up (see BackgroundSpinner).
        spinner.stop()
        brain.stop()
    return DemoOutcome(snapshot, elapsed, all_up, interrupted, failure)
