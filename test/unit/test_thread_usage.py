"""ThreadUsage: per-thread counters sampled and differenced."""

from __future__ import annotations

import sys
import time

import pytest

from robot_brain.core.thread_usage import ThreadUsage


def test_difference_and_description() -> None:
    a = ThreadUsage(10, 2, 100, 0)
    b = ThreadUsage(13, 5, 140, 1)
    d = b.since(a)
    assert d == ThreadUsage(3, 3, 40, 1)
    assert d.describe() == ("3 involuntary / 3 voluntary context switches, 40 minor / 1 major "
                            "page faults")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RUSAGE_THREAD is Linux-only")
def test_sleeping_is_a_voluntary_switch_of_this_thread() -> None:
    before = ThreadUsage.sample()
    time.sleep(0.01)
    d = ThreadUsage.sample().since(before)
    assert d.voluntary_switches >= 1
    assert d.major_faults >= 0 and d.minor_faults >= 0
