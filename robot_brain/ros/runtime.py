"""Process entry point shared by every node: init, build, spin, clean shutdown, exit code.

A node that cannot start (bad parameter, missing model, malformed world) raises one of the
project's start-up errors; `run_nodes` logs it once, clearly, and exits 1, which `robot-brain
demo` and `ros2 launch` both report. Ctrl-C and SIGTERM end the spin and destroy the nodes.

One process may host several nodes (composition, as a ROS 2 component container does: the
fast path's perception and controller share one executor, robot_brain.nodes.container); they
are spun by one executor, chosen by the `executor` parameter (robot_brain.ros.executors). The
other concerns of a process live beside this module: real-time scheduling and the CPU wake-up
request (robot_brain.ros.realtime), the tick the spin loop runs itself
(robot_brain.ros.inline_timer).
"""

from __future__ import annotations

import gc
import signal
import sys
from typing import Callable, Sequence

import rclpy
from rclpy._rclpy_pybind11 import RCLError
from rclpy.executors import Executor, ExternalShutdownException
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from robot_brain.core.config.params_file import load_params_file
from robot_brain.core.errors import StartupError
from robot_brain.ros.executors import (
    executor_kind,
    make_executor,
    presign_timer_callbacks,
    spin_for,
)
from robot_brain.ros.inline_timer import InlineTimer, take_inline_timer
from robot_brain.ros.realtime import follow_realtime_policy, release_wake_latency

#: The exit code of a node that could not start (a bad parameter, model or world): `robot-brain
#: demo` and `ros2 launch` report it with the node's name.
EXIT_STARTUP_FAILED = 1
#: Longest wait of one spin step, so a stop request is seen even by a node with no timer due
#: (the signal's Python handler runs only once the wait returns).
_STOP_POLL_S = 0.1
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_node(factory: Callable[[], Node], args: Sequence[str] | None = None,
             *, freeze_gc: bool = False) -> int:
    """One node in its own process (see run_nodes)."""
    return run_nodes((factory,), args, freeze_gc=freeze_gc)


def run_nodes(factories: Sequence[Callable[[], Node]], args: Sequence[str] | None = None,
              *, freeze_gc: bool = False) -> int:
    """Build the nodes in order and spin them on one executor, on this thread, until shutdown.

    One thread runs every callback, deliberately: in Python it jitters less than a
    multi-threaded executor, and every callback of these nodes is short and bounded. The
    nodes are built on this thread, so a real-time policy one of them applies (apply_realtime)
    holds for the spin; composed, the last one built sets it.
    """
    argv = list(args) if args is not None else sys.argv
    failed = _init_ros(argv)
    if failed is not None:
        return failed
    # Installed explicitly: a process started in the background by a shell inherits SIGINT
    # ignored, and Python then would not turn it into KeyboardInterrupt.
    for sig in _STOP_SIGNALS:
        signal.signal(sig, _raise_keyboard_interrupt)
    nodes: list[Node] = []
    try:
        try:
            for factory in factories:
                nodes.append(factory())
            executor = make_executor(executor_kind(nodes))
        except StartupError as exc:  # every *ConfigError is one (core.errors)
            rclpy.logging.get_logger("robot_brain").fatal(f"cannot start: {exc}")
            print(f"robot_brain: cannot start: {exc}", file=sys.stderr, flush=True)
            return EXIT_STARTUP_FAILED
        except KeyboardInterrupt:
            # Stopped while starting (Ctrl-C, or a launch shutting down): one line, no trace.
            print("robot_brain: interrupted while starting", file=sys.stderr, flush=True)
            return 0
        inline = _prepare_spin(nodes, executor, freeze_gc)
        _spin(executor, inline)
        return 0
    finally:
        _shutdown(nodes)


def _init_ros(argv: Sequence[str]) -> int | None:
    """rclpy.init after the params files are read with one clear error; the exit code when
    the process cannot start, else None."""
    try:
        # rcl's own error for a bad file is a traceback naming only "Error parsing a event".
        for path in params_files(argv):
            load_params_file(path)
        # rclpy's own handlers would shut the context down inside the signal handler, before
        # the node's on_shutdown() could still log or publish; SIGINT and SIGTERM end the spin.
        rclpy.init(args=argv, signal_handler_options=SignalHandlerOptions.NO)
    except StartupError as exc:
        print(f"robot_brain: cannot start: {exc}", file=sys.stderr, flush=True)
        return EXIT_STARTUP_FAILED
    except RCLError as exc:
        print(f"robot_brain: cannot start: {str(exc).splitlines()[0]}", file=sys.stderr,
              flush=True)
        return EXIT_STARTUP_FAILED
    except KeyboardInterrupt:
        print("robot_brain: interrupted while starting", file=sys.stderr, flush=True)
        return 0
    return None


def _prepare_spin(nodes: Sequence[Node], executor: Executor,
                  freeze_gc: bool) -> InlineTimer | None:
    """Timers presigned, the inline tick taken over, the nodes added; the inline timer."""
    presign_timer_callbacks(nodes)
    inline = take_inline_timer(nodes)
    for node in nodes:
        executor.add_node(node)
    if freeze_gc:
        # Everything built at start-up moves out of the collector's reach, so a full
        # collection in the loop has less to walk.
        gc.collect()
        gc.freeze()
    return inline


def _spin(executor: Executor, inline: InlineTimer | None) -> None:
    """Spin until a stop signal or the context's shutdown."""
    # While spinning, a stop signal only sets a flag: an exception raised at an arbitrary
    # point could land inside a pybind11 call of rclpy, which turns it into a RuntimeError
    # ("Unable to convert call argument") and a traceback instead of a clean stop.
    stop = _StopRequest(executor)
    for sig in _STOP_SIGNALS:
        signal.signal(sig, stop)
    try:
        # The EventsExecutor starts its timer thread on the first spin: that thread wakes
        # the control tick, so it must follow the node's real-time policy too.
        executor.spin_once(timeout_sec=0.0)
        follow_realtime_policy()
        # In slices of _STOP_POLL_S, not spin(): a stop request is seen within one slice.
        # (The EventsExecutor's spin() cannot be ended from a callback: shutting it down
        # there leaves it busy-looping.)
        while not stop.requested and executor.context.ok():
            if inline is None:
                spin_for(executor, _STOP_POLL_S)
                continue
            # The executor's callbacks until the tick is due, then the tick, on this
            # thread (robot_brain.ros.inline_timer).
            wait_s = inline.time_until_next_call() * 1e-9
            if wait_s > 0.0:
                spin_for(executor, min(wait_s, _STOP_POLL_S))
            else:
                inline.call_if_due()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass


def _shutdown(nodes: Sequence[Node]) -> None:
    """Each node's shutdown hook, newest first; then the nodes, rclpy and the wake request."""
    # A second Ctrl-C (a terminal sends one to the whole process group, and launch sends
    # its own) must not kill the node half-way through shutdown: ignore it until done.
    for sig in _STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    for node in reversed(nodes):
        on_shutdown = getattr(node, "on_shutdown", None)
        if callable(on_shutdown):
            try:
                on_shutdown()
            except Exception as exc:  # noqa: BLE001 - shutdown must finish whatever fails
                print(f"robot_brain: shutdown hook failed: {exc}", file=sys.stderr)
        node.destroy_node()
    rclpy.try_shutdown()
    release_wake_latency()
    # The handlers stay ignored until the process exits: `ros2 launch` forwards its own
    # SIGINT after the terminal's, and one landing during interpreter teardown would
    # otherwise kill the finished node by signal (exit -2).


def params_files(argv: Sequence[str]) -> list[str]:
    """The `--params-file PATH` arguments of a ROS command line (inside --ros-args)."""
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--params-file"]


class _StopRequest:
    """A SIGINT/SIGTERM handler that asks the spin loop to end after its current callback."""

    def __init__(self, executor: Executor) -> None:
        self.requested = False
        self._executor = executor

    def __call__(self, signum: int, frame: object) -> None:
        self.requested = True
        self._executor.wake()


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
