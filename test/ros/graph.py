"""Helpers for ROS graph tests: node processes from the real executables, and a probe node.

The probe is an rclpy node in the test process, spun by a SingleThreadedExecutor on a
background thread; it records every message it receives with its receipt time (monotonic).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import rclpy
from rclpy.node import Node
from rclpy.qos import QoSProfile

from robot_brain.cli.processes import NodeProcess, stop_all
from robot_brain.ros.spinner import BackgroundSpinner

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "brain.yaml"


@dataclass
class Received:
    t: float
    msg: Any


@dataclass
class Probe:
    node: Node
    spinner: BackgroundSpinner
    inbox: dict[str, list[Received]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, msg_type: type, topic: str, qos: QoSProfile | int = 10) -> None:
        self.inbox.setdefault(topic, [])

        def cb(msg: Any, topic: str = topic) -> None:
            with self.lock:
                self.inbox[topic].append(Received(time.monotonic(), msg))
        self.node.create_subscription(msg_type, topic, cb, qos)

    def messages(self, topic: str) -> list[Received]:
        with self.lock:
            return list(self.inbox.get(topic, []))

    def last(self, topic: str) -> Any:
        """The newest message on `topic`, or None."""
        with self.lock:
            received = self.inbox.get(topic, [])
            return received[-1].msg if received else None

    def diagnostic_values(self, name_start: str = "", name_end: str = "") -> dict[str, str]:
        """The values of the newest /diagnostics status whose name starts with `name_start`
        and ends with `name_end` (subscribe /diagnostics first); {} before there is one."""
        for rec in reversed(self.messages("/diagnostics")):
            for status in rec.msg.status:
                if status.name.startswith(name_start) and status.name.endswith(name_end):
                    return {kv.key: kv.value for kv in status.values}
        return {}

    def clear(self, topic: str) -> None:
        with self.lock:
            self.inbox[topic] = []

    def wait_for(self, predicate: Callable[[], bool], timeout: float, what: str = "") -> float:
        """Poll until predicate() holds; return the seconds it took; fail with `what`."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if predicate():
                return time.monotonic() - t0
            time.sleep(0.01)
        raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")

    def publisher(self, msg_type: type, topic: str, qos: QoSProfile | int = 10) -> Any:
        return self.node.create_publisher(msg_type, topic, qos)


def start_probe(name: str = "test_probe") -> Probe:
    if not rclpy.ok():
        rclpy.init()
    node = rclpy.create_node(name)
    return Probe(node, BackgroundSpinner(node))


def stop_probe(probe: Probe) -> None:
    probe.spinner.stop()


def node_process(executable: str, log_dir: Path, **kwargs: Any) -> NodeProcess:
    """A node started with the shipped config plus overrides; its output goes to a log file."""
    params = kwargs.pop("params_files", [CONFIG])
    log = open(log_dir / f"{kwargs.get('name') or executable}.log", "wb")  # noqa: SIM115
    return NodeProcess(executable, params_files=params, log=log, **kwargs).start()


class Graph:
    """Context manager: a probe and a set of node processes, always cleaned up."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[NodeProcess] = []
        self.probe: Probe | None = None

    def __enter__(self) -> Graph:
        self.probe = start_probe()
        return self

    def start(self, executable: str, **kwargs: Any) -> NodeProcess:
        p = node_process(executable, self.log_dir, **kwargs)
        self.processes.append(p)
        return p

    def logs(self) -> Iterator[tuple[str, str]]:
        for p in self.processes:
            path = self.log_dir / f"{p.label}.log"
            yield p.label, path.read_text(errors="replace") if path.exists() else ""

    def __exit__(self, *exc: object) -> None:
        # The probe goes first, while the nodes are still up (see BackgroundSpinner).
        if self.probe is not None:
            stop_probe(self.probe)
        stop_all(self.processes)
        for p in self.processes:
            if p.log:
                p.log.close()
