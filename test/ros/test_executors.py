"""The process runtime under both executors: message info reaches callbacks, bad settings are
refused in one line, and composed nodes must agree on their executor."""

from __future__ import annotations

import inspect
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import rclpy
from rclpy.executors import Executor
from rclpy.timer import TimerInfo
from std_msgs.msg import String

from robot_brain.cli.processes import NodeProcess
from robot_brain.ros.executors import (
    ExecutorKind,
    make_executor,
    presign_timer_callbacks,
    spin_for,
)
from robot_brain.ros.subscriptions import create_subscription_with_info
from test.ros.graph import CONFIG

pytestmark = pytest.mark.ros

SPIN_BOUND_S = 20.0  # a 50 ms publish period, 10x and more for a loaded machine


@pytest.mark.parametrize("kind", list(ExecutorKind))
def test_message_info_reaches_the_callback(kind: ExecutorKind) -> None:
    if not rclpy.ok():
        rclpy.init()
    node = rclpy.create_node(f"info_probe_{kind.value}")
    executor: Executor = make_executor(kind)
    got: list[tuple[Any, dict[str, Any]]] = []
    try:
        pub = node.create_publisher(String, "info_test", 10)
        create_subscription_with_info(node, String, "info_test",
                                      lambda m, info: got.append((m, info)), 10)
        raw: list[tuple[bytes, dict[str, Any]]] = []
        create_subscription_with_info(node, String, "info_test",
                                      lambda m, info: raw.append((m, info)), 10, raw=True)
        node.create_timer(0.05, lambda: pub.publish(String(data="hello")))
        executor.add_node(node)
        t0 = time.monotonic()
        while (len(got) < 3 or len(raw) < 3) and time.monotonic() - t0 < SPIN_BOUND_S:
            executor.spin_once(timeout_sec=0.1)
    finally:
        executor.shutdown()
        node.destroy_node()
    assert len(got) >= 3 and len(raw) >= 3
    msg, info = got[0]
    assert isinstance(msg, String) and msg.data == "hello"
    assert info["received_timestamp"] >= info["source_timestamp"] > 0
    assert isinstance(raw[0][0], bytes)


class _Ticker:
    def __init__(self) -> None:
        self.plain = 0
        self.infos: list[TimerInfo] = []

    def on_plain(self) -> None:
        self.plain += 1

    def on_info(self, info: TimerInfo) -> None:
        self.infos.append(info)


@pytest.mark.parametrize("kind", list(ExecutorKind))
def test_presigned_timer_callbacks_still_fire_and_still_get_timer_info(
        kind: ExecutorKind, monkeypatch: pytest.MonkeyPatch) -> None:
    if not rclpy.ok():
        rclpy.init()
    node = rclpy.create_node(f"presign_probe_{kind.value}")
    ticker = _Ticker()
    node.create_timer(0.02, ticker.on_plain)
    node.create_timer(0.02, ticker.on_info)
    assert presign_timer_callbacks([node]) == 2
    assert presign_timer_callbacks([node]) == 0  # already carrying their signature
    # The executors look the signature up on every firing: it must no longer be computed.
    real = inspect._signature_from_callable  # type: ignore[attr-defined]
    computed: list[object] = []

    def counting(obj: object, *args: Any, **kwargs: Any) -> Any:
        if getattr(obj, "__signature__", None) is None:
            computed.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(inspect, "_signature_from_callable", counting)
    executor: Executor = make_executor(kind)
    try:
        executor.add_node(node)
        t0 = time.monotonic()
        while (ticker.plain < 3 or len(ticker.infos) < 3) and time.monotonic() - t0 < SPIN_BOUND_S:
            executor.spin_once(timeout_sec=0.1)
    finally:
        executor.shutdown()
        node.destroy_node()
    assert ticker.plain >= 3 and len(ticker.infos) >= 3
    assert all(isinstance(i, TimerInfo) for i in ticker.infos)
    assert not computed


@pytest.mark.parametrize("kind", list(ExecutorKind))
def test_spin_for_runs_the_callbacks_of_a_slice_and_returns(kind: ExecutorKind) -> None:
    if not rclpy.ok():
        rclpy.init()
    node = rclpy.create_node(f"slice_probe_{kind.value}")
    ticker = _Ticker()
    node.create_timer(0.01, ticker.on_plain)
    executor: Executor = make_executor(kind)
    try:
        executor.add_node(node)
        t0 = time.monotonic()
        for _ in range(3):
            spin_for(executor, 0.2)
        took = time.monotonic() - t0
    finally:
        executor.shutdown()
        node.destroy_node()
    # 0.6 s of slices at 100 Hz: the events executor runs them all in each slice, the
    # single-threaded one at least one per call; neither may block past its slices.
    assert ticker.plain >= (10 if kind is ExecutorKind.EVENTS else 3)
    assert took < 6.0


def _run(tmp_path: Path, executable: str, **kwargs: Any) -> tuple[int | None, str]:
    log_path = tmp_path / f"{executable}.log"
    with open(log_path, "wb") as log:
        proc = NodeProcess(executable, params_files=[CONFIG], log=log, **kwargs).start()
        assert proc.proc is not None
        try:
            code = proc.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.stop()
            code = None
    return code, log_path.read_text(errors="replace")


def test_an_unknown_executor_is_refused_in_one_line(tmp_path: Path) -> None:
    code, log = _run(tmp_path, "power_monitor", name="power_monitor",
                     parameters={"executor": "multi"})
    assert code == 1, log
    assert "parameter 'executor'" in log and "is not one of" in log
    assert "Traceback" not in log


def test_composed_nodes_must_agree_on_the_executor(tmp_path: Path) -> None:
    code, log = _run(tmp_path, "fast_path", node_parameters={
        "perception": {"executor": "single_threaded"}, "controller": {"executor": "events"}})
    assert code == 1, log
    assert "'executor' differs between nodes composed in one process" in log
    assert "Traceback" not in log

