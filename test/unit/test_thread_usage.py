"""ThreadUsage: per-thread counters sampled and differenced."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from robot_brain.core.timing.thread_usage import ThreadUsage

LINUX = sys.platform.startswith("linux")
HAS_SCHEDSTAT = os.path.exists(f"/proc/self/task/{threading.get_native_id()}/schedstat")


def test_difference_and_description() -> None:
    a = ThreadUsage(10, 2, 100, 0, 1_000_000, 0)
    b = ThreadUsage(13, 5, 140, 1, 3_500_000, 12_250_000)
    d = b.since(a)
    assert d == ThreadUsage(3, 3, 40, 1, 2_500_000, 12_250_000)
    assert d.describe() == ("3 involuntary / 3 voluntary context switches, 40 minor / 1 major "
                            "page faults, 2.50 ms on a CPU, 12.25 ms runnable waiting for one")


@pytest.mark.skipif(not LINUX, reason="RUSAGE_THREAD is Linux-only")
def test_sleeping_is_a_voluntary_switch_of_this_thread() -> None:
    before = ThreadUsage.sample()
    time.sleep(0.01)
    d = ThreadUsage.sample().since(before)
    assert d.voluntary_switches >= 1
    assert d.major_faults >= 0 and d.minor_faults >= 0


@pytest.mark.skipif(not HAS_SCHEDSTAT, reason="no /proc/<pid>/task/<tid>/schedstat here")
def test_busy_work_shows_as_cpu_time_of_this_thread_only() -> None:
    before = ThreadUsage.sample()
    end = time.thread_time() + 0.02
    while time.thread_time() < end:
        pass
    d = ThreadUsage.sample().since(before)
    assert d.on_cpu_ns >= 10_000_000  # 20 ms of this thread's CPU time, schedstat sees >= half
    assert d.run_queue_ns >= 0

    # Another thread's sample reads its own file, not this thread's.
    other: list[ThreadUsage] = []
    t = threading.Thread(target=lambda: other.append(ThreadUsage.sample()))
    t.start()
    t.join()
    assert other[0].on_cpu_ns < ThreadUsage.sample().on_cpu_ns
