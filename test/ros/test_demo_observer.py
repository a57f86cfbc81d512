"""The demo's observer reads odometry from a poller: garbage bytes are skipped, never raised,
and the first and newest positions are what the verdict gets."""

from __future__ import annotations

from pathlib import Path

from robot_brain.ros.latest import Sample
from robot_brain.ros.odom_cdr import OdometryEncoder
from test.ros.graph import Graph


class _Feed:
    """A LatestSample stand-in handing out the given bytes, one per take."""

    def __init__(self, samples: list[bytes]) -> None:
        self.samples = samples

    def take(self) -> Sample[bytes] | None:
        return Sample(self.samples.pop(0), 0.0) if self.samples else None


def test_odometry_garbage_is_skipped_and_positions_kept(tmp_path: Path) -> None:
    from robot_brain.cli.demo_observer import DemoMonitor

    with Graph(tmp_path):
        monitor = DemoMonitor()
        try:
            enc = OdometryEncoder("odom", "base_link")
            q = (0.0, 0.0, 0.0, 1.0)
            truncated = b"\x00\x01\x00\x00" + bytes(40)
            monitor._odom = _Feed([b"", b"\x00\x01\x00\x00garbage",  # type: ignore[assignment]
                                   enc.encode(1, 0, 1.0, 2.0, q, 0.0, 0.0), truncated,
                                   enc.encode(2, 0, 3.5, -1.0, q, 0.0, 0.0)])
            for _ in range(6):  # one more take than samples: nothing to read is no error
                monitor._read_odom()
            obs = monitor.snapshot()
            assert obs.first_pose == (1.0, 2.0)
            assert obs.pose == (3.5, -1.0)
            assert obs.odom_count == 2
        finally:
            monitor.destroy_node()
