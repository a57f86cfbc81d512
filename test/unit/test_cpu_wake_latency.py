"""The PM QoS request: what it writes, how long it holds, what it does when refused."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from robot_brain.core.timing.cpu_wake_latency import (
    NO_REQUEST,
    CpuWakeLatencyError,
    CpuWakeLatencyRequest,
    ProcessWakeLatency,
)


def written(device: Path) -> list[int]:
    data = device.read_bytes()
    return list(struct.unpack(f"={len(data) // 4}i", data))


def test_request_writes_the_bound_as_a_32_bit_integer_and_holds_until_closed(
        tmp_path: Path) -> None:
    device = tmp_path / "cpu_dma_latency"
    device.write_bytes(b"")
    req = CpuWakeLatencyRequest(0, device)
    assert req.active
    assert written(device) == [0]
    req.close()
    req.close()  # idempotent
    assert not req.active


def test_refused_request_is_a_specific_error(tmp_path: Path) -> None:
    with pytest.raises(CpuWakeLatencyError, match="cannot open"):
        CpuWakeLatencyRequest(0, tmp_path / "missing" / "cpu_dma_latency")


@pytest.mark.parametrize("bad", [-2, 10_001])
def test_bound_out_of_range_is_refused(tmp_path: Path, bad: int) -> None:
    with pytest.raises(ValueError, match="0..10000"):
        CpuWakeLatencyRequest(bad, tmp_path / "x")


def test_process_holds_the_tightest_bound_its_nodes_ask_for(tmp_path: Path) -> None:
    device = tmp_path / "cpu_dma_latency"
    device.write_bytes(b"")
    proc = ProcessWakeLatency(device)
    assert proc.ask(NO_REQUEST) == "no CPU wake-up latency request"
    assert proc.ask(50) == "CPU wake-up latency <= 50 us (PM QoS)"
    first = proc.request
    assert written(device) == [50]
    assert proc.ask(100).endswith("<= 50 us (PM QoS)")  # looser: nothing changes
    assert proc.request is first
    proc.ask(0)
    assert proc.request is not first and first is not None and not first.active
    assert written(device) == [0]  # a new open writes at the start of this file
    proc.close()
    assert proc.request is None and proc.describe() == "no CPU wake-up latency request"
