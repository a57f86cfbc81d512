"""A periodic tick run by the process's spin loop itself instead of by an rclpy timer.

rclpy's EventsExecutor runs timers from a timer thread that wakes, posts the call to the
executor and wakes the executor's thread in turn: two wake-ups per tick, and on the project's
2-core VMs code runs many times slower right after a wake-up (bench/wake_cost_bench.py). With
an InlineTimer the spin loop (robot_brain.ros.runtime.run_nodes) waits on the executor only
until the tick is due and then calls it on the same thread: one wake-up per tick. Everything
else of the process (subscriptions, services, other timers) is still the executor's, between
ticks, on that same thread, so the tick never runs beside another callback.

The part of rclpy's Timer interface the controller uses is kept (time_until_next_call,
timer_period_ns, callback), with rcl's schedule (robot_brain.core.timing.loop.TickSchedule).
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

from rclpy.node import Node

from robot_brain.core.timing.loop import TickSchedule


class InlineTimer:
    """A tick on the steady clock, called by the spin loop when due."""

    def __init__(self, period_ns: int, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.schedule = TickSchedule(period_ns, time.monotonic_ns())

    @property
    def timer_period_ns(self) -> int:
        return self.schedule.period_ns

    @timer_period_ns.setter
    def timer_period_ns(self, value: int) -> None:
        self.schedule.period_ns = value

    def time_until_next_call(self) -> int:
        """Nanoseconds until the tick is due (<= 0: due now), as rclpy's Timer says it."""
        return self.schedule.until_ns(time.monotonic_ns())

    def call_if_due(self) -> bool:
        """Run the tick if it is due; whether it ran."""
        if not self.schedule.call(time.monotonic_ns()):
            return False
        self.callback()
        return True


def take_inline_timer(nodes: Sequence[Node]) -> InlineTimer | None:
    """The first node that hands its tick to the spin loop (ros.inline_timer), if any."""
    for node in nodes:
        take = getattr(node, "take_inline_timer", None)
        if callable(take):
            timer = take()
            if isinstance(timer, InlineTimer):
                return timer
    return None
