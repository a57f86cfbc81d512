"""What the calling thread went through between two points: switches, faults, CPU, run queue.

Used to explain a late or slow tick from inside the loop: *involuntary* switches mean the
thread was preempted while running, *voluntary* ones that it blocked (a lock, I/O, or the
executor's own wait), page faults that memory had to be mapped. Its CPU time
(CLOCK_THREAD_CPUTIME_ID, exact for the calling thread) says how much of a slow tick it really
computed: with paravirtual steal accounting (CONFIG_PARAVIRT_TIME_ACCOUNTING, as on this VM),
time the hypervisor did not run the virtual CPU is not counted, so a tick with much more wall
time than CPU time and no switches lost the difference to the hypervisor. The scheduler's
`/proc/.../schedstat` adds the time the thread spent *runnable but waiting for a CPU*: a thread
woken on time behind something of equal or higher priority shows it there, not as an
involuntary switch. A late wake-up with none of these means the wake-up itself came late: the
timer fired late, which inside a virtual machine is a virtual CPU the hypervisor did not run.
Linux only (RUSAGE_THREAD, schedstat); elsewhere the sample is empty.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from dataclasses import dataclass

_RUSAGE_THREAD = getattr(resource, "RUSAGE_THREAD", None)
_schedstat = threading.local()


def _run_queue_ns() -> int:
    """Time the calling thread has spent runnable in a run queue, in ns (schedstat's second
    field; its first, the CPU time, is only updated at scheduler ticks, hence thread_time).

    The file is opened once per thread and re-read with pread: a few microseconds a sample.
    """
    fd = getattr(_schedstat, "fd", None)
    if fd is None:
        try:
            fd = os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)
        except OSError:
            fd = -1  # no schedstat here (not Linux, or no procfs): report zeros
        _schedstat.fd = fd
    if fd < 0:
        return 0
    try:
        return int(os.pread(fd, 96, 0).split()[1])
    except (OSError, ValueError, IndexError):
        return 0


@dataclass(frozen=True)
class ThreadUsage:
    voluntary_switches: int = 0
    involuntary_switches: int = 0
    minor_faults: int = 0
    major_faults: int = 0
    on_cpu_ns: int = 0
    run_queue_ns: int = 0

    @staticmethod
    def sample() -> ThreadUsage:
        if _RUSAGE_THREAD is None:
            return ThreadUsage()
        ru = resource.getrusage(_RUSAGE_THREAD)
        return ThreadUsage(ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_minflt, ru.ru_majflt,
                           time.thread_time_ns(), _run_queue_ns())

    def since(self, earlier: ThreadUsage) -> ThreadUsage:
        return ThreadUsage(self.voluntary_switches - earlier.voluntary_switches,
                           self.involuntary_switches - earlier.involuntary_switches,
                           self.minor_faults - earlier.minor_faults,
                           self.major_faults - earlier.major_faults,
                           self.on_cpu_ns - earlier.on_cpu_ns,
                           self.run_queue_ns - earlier.run_queue_ns)

    def describe(self) -> str:
        return (f"{self.involuntary_switches} involuntary / {self.voluntary_switches} voluntary "
                f"context switches, {self.minor_faults} minor / {self.major_faults} major page "
                f"faults, {self.on_cpu_ns * 1e-6:.2f} ms on a CPU, "
                f"{self.run_queue_ns * 1e-6:.2f} ms runnable waiting for one")
