"""The executors a process spins its nodes on, and how the spin loop slices their work.

`executor` (robot_brain.core.config.process.ProcessConfig) picks rclpy's EventsExecutor or its
SingleThreadedExecutor; nodes composed in one process share one. The helpers here cut the
per-callback cost the spin loop would otherwise pay in Python (BENCHMARKS.md).
"""

from __future__ import annotations

import inspect
from typing import Callable, Sequence

from rclpy.executors import Executor, SingleThreadedExecutor
from rclpy.experimental import EventsExecutor
from rclpy.node import Node

from robot_brain.core.config.process import ExecutorKind, ProcessConfig
from robot_brain.ros.params import ConfigError, declare_config

__all__ = ["ExecutorKind", "executor_kind", "make_executor", "presign_timer_callbacks",
           "spin_for"]


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
