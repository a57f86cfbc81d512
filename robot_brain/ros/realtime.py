"""Real-time scheduling for a fast-path node's spinning thread: SCHED_FIFO, CPU affinity and
the process's CPU wake-up latency request (robot_brain.core.timing.cpu_wake_latency).

The settings are the node's RealtimeSettings (robot_brain.core.config.process); applied from
the thread that will spin, once the node is built (docs/realtime.md).
"""

from __future__ import annotations

import os
import threading

from rclpy.node import Node

from robot_brain.core.config.process import RealtimeSettings
from robot_brain.core.timing.cpu_wake_latency import (
    NO_REQUEST,
    CpuWakeLatencyError,
    ProcessWakeLatency,
)

#: The process's one PM QoS request (composed nodes share it: the tightest bound holds).
_WAKE_LATENCY = ProcessWakeLatency()


def release_wake_latency() -> None:
    """End the process's CPU wake-up latency request (at shutdown)."""
    _WAKE_LATENCY.close()


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
