"""Process entry point shared by every node: init, build, spin, clean shutdown, exit code.

A node that cannot start (bad parameter, missing model, malformed world) raises one of the
project's start-up errors; `run_nodes` logs it once, clearly, and exits 1, which `robot-brain
demo` and `ros2 launch` both report. Ctrl-C and SIGTERM end the spin and destroy the nodes.

One process may host several nodes (composition, as a ROS 2 component container does: the
fast path's perception and controller share one executor, robot_brain.nodes.fast_path); they
are spun by one executor, chosen by the `executor` parameter.
"""

from __future__ import annotations

import gc
import inspect
import os
import signal
import sys
import threading
from typing import Callable, Sequence

import rclpy
from rclpy._rclpy_pybind11 import RCLError
from rclpy.executors import Executor, ExternalShutdownException, SingleThreadedExecutor
from rclpy.experimental import EventsExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from robot_brain.core.config.params_file import load_params_file
from robot_brain.core.config.process import ExecutorKind, ProcessConfig, RealtimeSettings
from robot_brain.core.errors import StartupError
from robot_brain.core.timing.cpu_wake_latency import (
    NO_REQUEST,
    CpuWakeLatencyError,
    ProcessWakeLatency,
)
from robot_brain.ros.inline_timer import InlineTimer
from robot_brain.ros.params import ConfigError, declare_config

EXIT_STARTUP_FAILED = 1
#: Longest wait of one spin step, so a stop request is seen even by a node with no timer due
#: (the signal's Python handler runs only once the wait returns).
_STOP_POLL_S = 0.1

#: The process's one PM QoS request (composed nodes share it: the tightest bound holds).
_WAKE_LATENCY = ProcessWakeLatency()


def make_executor(kind: ExecutorKind) -> Executor:
    if kind is ExecutorKind.EVENTS:
        return EventsExecutor()
    return SingleThreadedExecutor()


def executor_kind(nodes: Sequence[Node]) -> ExecutorKind:
    """Declare `executor` on every node and return the one value they agree on."""
    kinds = {declare_config(n, ProcessConfig).executor_kind for n in nodes}
    if len(kinds) > 1:
        raise ConfigError("parameter 'executor' differs between nodes composed in one process "
                          f"({sorted(k.value for k in kinds)}); they share one executor")
    return kinds.pop()


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
    # Installed explicitly: a process started in the background by a shell inherits SIGINT
    # ignored, and Python then would not turn it into KeyboardInterrupt.
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    for sig in stop_signals:
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
        presign_timer_callbacks(nodes)
        inline = take_inline_timer(nodes)
        for node in nodes:
            executor.add_node(node)
        if freeze_gc:
            # Everything built at start-up moves out of the collector's reach, so a full
            # collection in the loop has less to walk.
            gc.collect()
            gc.freeze()
        # While spinning, a stop signal only sets a flag: an exception raised at an arbitrary
        # point could land inside a pybind11 call of rclpy, which turns it into a RuntimeError
        # ("Unable to convert call argument") and a traceback instead of a clean stop.
        stop = _StopRequest(executor)
        for sig in stop_signals:
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
        return 0
    finally:
        # A second Ctrl-C (a terminal sends one to the whole process group, and launch sends
        # its own) must not kill the node half-way through shutdown: ignore it until done.
        for sig in stop_signals:
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
        _WAKE_LATENCY.close()
        # The handlers stay ignored until the process exits: `ros2 launch` forwards its own
        # SIGINT after the terminal's, and one landing during interpreter teardown would
        # otherwise kill the finished node by signal (exit -2).


def spin_for(executor: Executor, seconds: float) -> None:
    """Run ready callbacks for up to `seconds`.

    The EventsExecutor runs every callback of the slice in C++ and returns once: its
    spin_once() comes back to Python after each single callback, a mutex, GIL and event-loop
    restart round trip per event (with 300 timer callbacks a second: 7.9 % of a core against
    4.8 % this way, together with presign_timer_callbacks). The future it is given never
    completes and keeps nothing (_NeverDone). The single-threaded executor returns after one
    callback, or at the timeout.
    """
    if isinstance(executor, Executor):  # rclpy's Python executors
        executor.spin_once(timeout_sec=seconds)
    else:  # the EventsExecutor is a C++ class (rclpy.experimental's factory casts it)
        executor.spin_until_future_complete(_NEVER_DONE, timeout_sec=seconds)


class _NeverDone:
    """A future that never completes, for slicing the EventsExecutor's spin: all the executor
    does with it is ask to be called back when it is done, which never happens, and withdraw
    that request after the slice, so nothing needs keeping (an rclpy Future per slice is an
    object, a lock and a callback list per tick once the tick runs inline)."""

    @staticmethod
    def add_done_callback(callback: object) -> None:
        return None

    @staticmethod
    def remove_done_callback(callback: object) -> None:
        return None


_NEVER_DONE = _NeverDone()


def take_inline_timer(nodes: Sequence[Node]) -> InlineTimer | None:
    """The first node that hands its tick to the spin loop (ros.inline_timer), if any."""
    for node in nodes:
        take = getattr(node, "take_inline_timer", None)
        if callable(take):
            timer = take()
            if isinstance(timer, InlineTimer):
                return timer
    return None


def presign_timer_callbacks(nodes: Sequence[Node]) -> int:
    """Give every timer callback a precomputed signature; returns how many were wrapped.

    Both of rclpy's executors call `inspect.signature(timer.callback)` on *every* firing, to
    see whether the callback wants a TimerInfo: ~24 us for a bound method, against ~2.4 us for
    a function that carries `__signature__`. At the controller's 100 Hz and the sim's 160 timer
    firings a second that is wasted CPU on the fast path. The wrapper keeps the callback's own
    signature, so a callback that asks for a TimerInfo still gets one.
    """
    wrapped = 0
    for node in nodes:
        for timer in node.timers:
            callback = timer.callback
            if callback is None or getattr(callback, "__signature__", None) is not None:
                continue
            timer.callback = _presigned(callback)
            wrapped += 1
    return wrapped


def _presigned(callback: Callable[..., object]) -> Callable[..., object]:
    def call(*args: object, **kwargs: object) -> object:
        return callback(*args, **kwargs)

    try:
        # Resolved annotations: under `from __future__ import annotations` a TimerInfo
        # parameter is the string 'TimerInfo', which the single-threaded executor misses.
        signature = inspect.signature(callback, eval_str=True)
    except Exception:  # noqa: BLE001 - an annotation that does not resolve: as rclpy sees it
        signature = inspect.signature(callback)
    call.__signature__ = signature  # type: ignore[attr-defined]
    return call


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


def apply_realtime(node: Node, settings: RealtimeSettings) -> str:
    """SCHED_FIFO `rt_priority` (0 = leave as is) and CPU affinity for the calling thread, and
    the process's CPU wake-up latency request (robot_brain.core.timing.cpu_wake_latency).

    Called from the thread that will spin. When the OS refuses, log once and go on: a robot
    without real-time rights still runs, only with more jitter.
    """
    priority, cpus = settings.rt_priority, settings.cpus
    wake_latency_us = settings.cpu_wake_latency_us
    notes: list[str] = []
    if priority > 0:
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
            notes.append(f"SCHED_FIFO {priority}")
        except (PermissionError, OSError, AttributeError) as exc:
            node.get_logger().warning(
                f"SCHED_FIFO priority {priority} refused ({exc}); running with normal scheduling")
            notes.append("SCHED_OTHER (refused)")
        else:
            # The middleware's threads (created by rclpy.init) deliver this node's messages: left
            # at normal priority they are what a loaded machine delays. One level below the
            # spinning thread, so the tick still wins.
            others = _other_threads()
            below = max(1, priority - 1)
            done = 0
            for tid in others:
                try:
                    os.sched_setscheduler(tid, os.SCHED_FIFO, os.sched_param(below))
                    done += 1
                except OSError:
                    pass
            notes.append(f"{done}/{len(others)} middleware threads SCHED_FIFO {below}")
    if cpus:
        try:
            os.sched_setaffinity(0, set(cpus))
            notes.append(f"cpus {sorted(set(cpus))}")
        except (OSError, ValueError, AttributeError) as exc:
            node.get_logger().warning(f"CPU affinity {list(cpus)} refused ({exc}); not pinned")
            notes.append("affinity refused")
    if wake_latency_us != NO_REQUEST:
        try:
            notes.append(_WAKE_LATENCY.ask(wake_latency_us))
        except CpuWakeLatencyError as exc:
            node.get_logger().warning(f"CPU wake-up latency request refused ({exc}); idle CPUs "
                                      "may take longer to wake")
            notes.append("wake-up latency request refused")
    return ", ".join(notes) or "default scheduling"


def follow_realtime_policy() -> int:
    """Threads started after apply_realtime (the executor's timer thread) join the policy.

    They get the level the middleware's threads got: one below the calling (spinning) thread.
    Returns how many threads were raised; 0 when the calling thread is not real-time.
    """
    try:
        if os.sched_getscheduler(0) != os.SCHED_FIFO:
            return 0
        below = max(1, os.sched_getparam(0).sched_priority - 1)
    except (OSError, AttributeError):
        return 0
    raised = 0
    for tid in _other_threads():
        try:
            if os.sched_getscheduler(tid) != os.SCHED_FIFO:
                os.sched_setscheduler(tid, os.SCHED_FIFO, os.sched_param(below))
                raised += 1
        except OSError:
            pass  # the thread ended meanwhile
    return raised


def _other_threads() -> list[int]:
    """Thread ids of this process other than the calling thread (Linux /proc)."""
    me = threading.get_native_id()
    try:
        return [int(t) for t in os.listdir("/proc/self/task") if int(t) != me]
    except OSError:
        return []
