"""How a node's process runs: its executor, and for the fast path its real-time knobs.

Declared by the runtime (robot_brain.ros.process) on every node (`ProcessConfig`) and by the
fast-path nodes as a group of their config (`RealtimeSettings`); applied by
robot_brain.ros.realtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from robot_brain.core.config.params import ParamError, param
from robot_brain.core.timing.cpu_wake_latency import MAX_US, NO_REQUEST

#: cpu_affinity's "not pinned" value. An empty-list default would be declared by rclpy as a
#: BYTE_ARRAY and then refuse an integer list from the config, hence a sentinel.
NO_AFFINITY = (-1,)


class ExecutorKind(str, Enum):
    """How a process waits for and runs its nodes' callbacks."""

    #: rclpy's EventsExecutor (C++): the middleware pushes events into one queue and timers
    #: run from a timer thread, so a wake-up costs no wait-set rebuild. About a third of the
    #: CPU per callback of the single-threaded executor (BENCHMARKS.md, whole-brain A/B).
    EVENTS = "events"
    #: rclpy's SingleThreadedExecutor: rebuilds a wait set in Python on every wake-up.
    SINGLE_THREADED = "single_threaded"


@dataclass(frozen=True)
class ProcessConfig:
    """Declared by the runtime on every node (docs/parameters.md, shared table)."""

    executor: str = param(
        ExecutorKind.EVENTS.value,
        "How the node's process runs callbacks: 'events' (rclpy's C++ EventsExecutor, about a "
        "third of the CPU per callback) or 'single_threaded' (rclpy's SingleThreadedExecutor). "
        "Nodes composed in one process must agree.",
        choices=tuple(k.value for k in ExecutorKind))

    @property
    def executor_kind(self) -> ExecutorKind:
        return ExecutorKind(self.executor)


@dataclass(frozen=True)
class RealtimeSettings:
    """The real-time knobs of a fast-path node (sim, perception, controller, watchdog)."""

    rt_priority: int = param(0, "SCHED_FIFO priority of the spinning thread, and one below it "
                             "for the middleware's threads (0 = off; the OS may refuse, then a "
                             "warning and normal scheduling).", min=0, max=99)
    cpu_affinity: tuple[int, ...] = param(NO_AFFINITY, "CPUs to pin the node to; [-1] = not "
                                          "pinned.")
    cpu_wake_latency_us: int = param(
        NO_REQUEST, "While the node runs, ask the kernel (PM QoS, /dev/cpu_dma_latency) to "
        "wake idle CPUs within this many microseconds: 0 keeps them polling instead of halting "
        "(on a VM a halted virtual CPU can take milliseconds to wake); costs power on idle "
        "CPUs. -1 = no request. Needs root; refused: a warning, no request.", unit="us",
        min=NO_REQUEST, max=MAX_US)

    def __post_init__(self) -> None:
        if self.cpu_affinity != NO_AFFINITY and any(c < 0 for c in self.cpu_affinity):
            raise ParamError(f"parameter 'cpu_affinity' = {list(self.cpu_affinity)}: CPU "
                             "numbers must be >= 0 ([-1] alone = not pinned)")

    @property
    def cpus(self) -> tuple[int, ...]:
        """The CPUs to pin to; () = not pinned."""
        return () if self.cpu_affinity == NO_AFFINITY else self.cpu_affinity
