"""What the calling thread went through between two points: context switches, page faults.

Used to explain a late tick from inside the loop: *involuntary* switches mean the thread was
runnable but preempted (something of equal or higher priority ran), *voluntary* ones that it
blocked (a lock, I/O, or the executor's own wait), page faults that memory had to be mapped.
A late wake-up with none of these points outside the process (the kernel, or a hypervisor
that did not run the virtual CPU). Linux's RUSAGE_THREAD; elsewhere the sample is empty.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass

_RUSAGE_THREAD = getattr(resource, "RUSAGE_THREAD", None)


@dataclass(frozen=True)
class ThreadUsage:
    voluntary_switches: int = 0
    involuntary_switches: int = 0
    minor_faults: int = 0
    major_faults: int = 0

    @staticmethod
    def sample() -> ThreadUsage:
        if _RUSAGE_THREAD is None:
            return ThreadUsage()
        ru = resource.getrusage(_RUSAGE_THREAD)
        return ThreadUsage(ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_minflt, ru.ru_majflt)

    def since(self, earlier: ThreadUsage) -> ThreadUsage:
        return ThreadUsage(self.voluntary_switches - earlier.voluntary_switches,
                           self.involuntary_switches - earlier.involuntary_switches,
                           self.minor_faults - earlier.minor_faults,
                           self.major_faults - earlier.major_faults)

    def describe(self) -> str:
        return (f"{self.involuntary_switches} involuntary / {self.voluntary_switches} voluntary "
                f"context switches, {self.minor_faults} minor / {self.major_faults} major page "
                f"faults")
