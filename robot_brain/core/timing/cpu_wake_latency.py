"""A bound on how long an idle CPU takes to wake up (Linux PM QoS, /dev/cpu_dma_latency).

An idle CPU enters an idle state; the deeper the state, the longer it takes to run a thread
woken on it. On bare metal a deep C-state costs ~0.1 ms; on a virtual machine an idle virtual
CPU halts, the hypervisor deschedules it, and waking it again can take milliseconds: on the
project's nested (Firecracker) VMs a SCHED_FIFO 99 probe woke more than 5 ms late ~80 times a
minute across the two CPUs (worst ~30 ms) with the brain running, and the brain's 10 ms loop
stuttered with it; with this request, ~17 times (BENCHMARKS.md, "The platform"). A process that
writes a latency bound (a 32-bit integer, microseconds) to /dev/cpu_dma_latency and keeps the
file open makes the kernel's idle governor use only states that wake within it: 0 leaves idle
CPUs polling, never halting. The request ends when the file is closed, so it lasts exactly as
long as the process, and with several requests the kernel keeps the smallest. It costs power:
an idle CPU that polls draws more than one asleep (docs/realtime.md). cyclictest makes the same
request by default.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

#: The PM QoS device of the CPU wake-up latency.
DEVICE = Path("/dev/cpu_dma_latency")
#: The request parameter's "no request" value.
NO_REQUEST = -1
#: Largest bound accepted (10 ms): beyond it the request bounds nothing a loop would notice.
MAX_US = 10_000


class CpuWakeLatencyError(OSError):
    """The kernel refused the request (no such device, no permission)."""


class CpuWakeLatencyRequest:
    """Holds one PM QoS request for as long as it is open."""

    def __init__(self, max_us: int, device: Path = DEVICE) -> None:
        if not 0 <= max_us <= MAX_US:
            raise ValueError(f"CPU wake-up latency bound must be 0..{MAX_US} us, got {max_us}")
        self.max_us = max_us
        self.device = device
        try:
            self._fd: int | None = os.open(device, os.O_WRONLY)
        except OSError as exc:
            raise CpuWakeLatencyError(exc.errno, f"cannot open {device}: {exc.strerror}") \
                from exc
        try:
            os.write(self._fd, struct.pack("=i", max_us))
        except OSError as exc:
            self.close()
            raise CpuWakeLatencyError(exc.errno, f"cannot write {device}: {exc.strerror}") \
                from exc

    @property
    def active(self) -> bool:
        return self._fd is not None

    def close(self) -> None:
        """End the request (idempotent); the process's exit ends it too."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class ProcessWakeLatency:
    """The process's single request: the smallest bound any of its nodes asked for.

    Composed nodes share a process; each asks, the process holds one request at the tightest
    bound (a looser one would not change what the kernel does).
    """

    def __init__(self, device: Path = DEVICE) -> None:
        self.device = device
        self.request: CpuWakeLatencyRequest | None = None

    def ask(self, max_us: int) -> str:
        """Hold `max_us` (NO_REQUEST: nothing) unless a tighter bound is held; say what holds.

        Raises CpuWakeLatencyError when the kernel refuses; ValueError for a bad bound.
        """
        if max_us == NO_REQUEST:
            return self.describe()
        if self.request is not None and self.request.max_us <= max_us:
            return self.describe()
        new = CpuWakeLatencyRequest(max_us, self.device)
        if self.request is not None:
            self.request.close()
        self.request = new
        return self.describe()

    def describe(self) -> str:
        if self.request is None:
            return "no CPU wake-up latency request"
        return f"CPU wake-up latency <= {self.request.max_us} us (PM QoS)"

    def close(self) -> None:
        if self.request is not None:
            self.request.close()
            self.request = None
