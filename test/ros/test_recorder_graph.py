"""The `recorder` node on a real DDS graph: a short run with the real `sim`, reopened two ways.

The bag is read back with `rosbags` and, independently, with the `mcap` + `mcap_ros2`
readers: topics, types and counts agree and log times never go backwards. A latched
(transient-local) topic published before the recorder starts is still recorded, and the bag
is closed cleanly on SIGINT and SIGTERM; a killed recorder leaves a bag the report still reads.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from geometry_msgs.msg import TwistStamped
from mcap.reader import make_reader
from mcap_ros2.decoder import DecoderFactory
from rosbags.rosbag2 import Reader
from std_msgs.msg import Bool

from robot_brain.cli.recording import recorder_args
from robot_brain.cli.report import run_report
from robot_brain.ros import qos
from robot_brain.ros.latest import poller_name
from test.ros.graph import CONFIG, Graph, Probe

pytestmark = pytest.mark.ros

#: Every wait is >= 10x what it takes on an idle machine.
START_WAIT_S = 60.0
RUN_S = 3.0

EXPECTED_TYPES = {
    "/scan": "sensor_msgs/msg/LaserScan",
    "/odom": "nav_msgs/msg/Odometry",
    "/battery_state": "sensor_msgs/msg/BatteryState",
    "/cmd_vel": "geometry_msgs/msg/TwistStamped",
    "/watchdog/estop": "std_msgs/msg/Bool",
    "/diagnostics": "diagnostic_msgs/msg/DiagnosticArray",
}


def _recorder_kwargs(run_dir: Path, **extra: Any) -> dict[str, Any]:
    return recorder_args(run_dir, params_files=[CONFIG],
                         extra={"discovery_period_s": 0.2, "flush_period_s": 0.2, **extra})


def _wait_recording(graph: Graph, probe: Probe, topics: list[str]) -> None:
    """Until the recorder subscribes to every topic (it shows up as their subscriber)."""
    def ready() -> bool:
        return all(any(i.node_name == poller_name("recorder")
                       for i in probe.node.get_subscriptions_info_by_topic(t)) for t in topics)
    probe.wait_for(ready, START_WAIT_S, f"the recorder to subscribe to {topics}")


def _drive(probe: Probe, pub: Any, seconds: float) -> int:
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        msg = TwistStamped()
        msg.header.stamp = probe.node.get_clock().now().to_msg()
        msg.header.frame_id = "base_link"
        msg.twist.linear.x = 0.2
        pub.publish(msg)
        n += 1
        time.sleep(0.05)
    return n


def _record_run(tmp_path: Path, stop_signal: int) -> tuple[Path, int]:
    run_dir = tmp_path / f"run_{stop_signal}"
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        # Latched before the recorder exists: transient local must still bring it in.
        estop = probe.publisher(Bool, "watchdog/estop", qos.STATE)
        estop.publish(Bool(data=True))
        cmd = probe.publisher(TwistStamped, "cmd_vel", qos.RELIABLE)
        g.start("sim", name="sim", parameters={"seed": 1})
        rec = g.start(**_recorder_kwargs(run_dir))
        _wait_recording(g, probe, list(EXPECTED_TYPES))
        sent = _drive(probe, cmd, RUN_S)
        time.sleep(0.3)
        rec.signal_group(stop_signal)
        assert rec.proc is not None
        code = rec.proc.wait(START_WAIT_S)
        log = dict(g.logs())["recorder"]
    assert code == 0, log
    assert "bag closed" in log, log
    return run_dir / "bag", sent


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    return _record_run(tmp_path_factory.mktemp("rec"), signal.SIGINT)


def _rosbags_view(bag: Path) -> tuple[dict[str, str], Counter[str], list[int], dict[str, Any]]:
    from robot_brain.core.report.bag import default_typestore
    ts = default_typestore()
    counts: Counter[str] = Counter()
    times: list[int] = []
    last: dict[str, Any] = {}
    with Reader(bag) as reader:
        types = {c.topic: c.msgtype for c in reader.connections}
        meta_total = reader.message_count
        for conn, t, raw in reader.messages():
            counts[conn.topic] += 1
            times.append(t)
            last[conn.topic] = ts.deserialize_cdr(raw, conn.msgtype)
    assert meta_total == sum(counts.values())
    return types, counts, times, last


def _mcap_view(bag: Path) -> tuple[dict[str, str], Counter[str], list[int], dict[str, Any]]:
    files = sorted(bag.glob("*.mcap"))
    assert len(files) == 1
    counts: Counter[str] = Counter()
    times: list[int] = []
    types: dict[str, str] = {}
    last: dict[str, Any] = {}
    with files[0].open("rb") as f:
        reader = make_reader(f, decoder_factories=[DecoderFactory()])
        for schema, channel, message, decoded in reader.iter_decoded_messages(
                log_time_order=False):
            assert schema is not None
            types[channel.topic] = schema.name
            counts[channel.topic] += 1
            times.append(message.log_time)
            last[channel.topic] = decoded
    return types, counts, times, last


def test_bag_reopens_with_rosbags_and_mcap(recorded: tuple[Path, int]) -> None:
    bag, sent = recorded
    assert (bag / "metadata.yaml").exists()
    r_types, r_counts, r_times, r_last = _rosbags_view(bag)
    m_types, m_counts, m_times, m_last = _mcap_view(bag)
    for topic, msgtype in EXPECTED_TYPES.items():
        assert r_types.get(topic) == msgtype, (topic, r_types)
        assert m_types.get(topic) == msgtype, (topic, m_types)
        assert r_counts[topic] >= 1, (topic, r_counts)
    assert r_counts == m_counts
    assert r_times == sorted(r_times)
    # File order (no re-sorting by the reader): the recorder writes log times in order.
    assert m_times == sorted(m_times)
    # Topics the recorder was not asked about, or that nobody published, are absent.
    assert "/tf" not in r_types and "/planner/plan" not in r_types
    assert 1 <= r_counts["/cmd_vel"] <= sent
    # The latched estop, published before the recorder started, is there exactly once.
    assert r_counts["/watchdog/estop"] == 1
    assert bool(r_last["/watchdog/estop"].data) is True
    assert bool(m_last["/watchdog/estop"].data) is True
    # Both decoders agree on the content.
    assert r_last["/odom"].pose.pose.position.x == pytest.approx(
        m_last["/odom"].pose.pose.position.x)
    assert r_last["/scan"].ranges.size == len(m_last["/scan"].ranges)


def test_report_reads_the_recorded_run(recorded: tuple[Path, int], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    bag, _ = recorded
    assert run_report(bag, tmp_path / "report") == 0
    out = capsys.readouterr().out
    assert "distance walked" in out
    assert (tmp_path / "report" / "report.md").exists()
    assert (tmp_path / "report" / "trajectory.png").exists()


def test_sigterm_closes_the_bag(tmp_path: Path) -> None:
    bag, _ = _record_run(tmp_path, signal.SIGTERM)
    types, counts, _, _ = _rosbags_view(bag)
    assert counts["/odom"] >= 1


def test_killed_recorder_leaves_a_readable_bag(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = tmp_path / "run_kill"
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        g.start("sim", name="sim", parameters={"seed": 1})
        rec = g.start(**_recorder_kwargs(run_dir))
        _wait_recording(g, probe, ["/odom", "/scan"])
        time.sleep(1.5)  # several flush periods
        rec.signal_group(signal.SIGKILL)
        assert rec.proc is not None
        rec.proc.wait(START_WAIT_S)
    bag = run_dir / "bag"
    assert not (bag / "metadata.yaml").exists()
    assert run_report(bag, tmp_path / "report") == 0
    captured = capsys.readouterr()
    assert "not closed cleanly" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_existing_output_dir_is_a_clear_startup_error(tmp_path: Path) -> None:
    run_dir = tmp_path / "run_exists"
    (run_dir / "bag").mkdir(parents=True)
    with Graph(tmp_path) as g:
        rec = g.start(**_recorder_kwargs(run_dir))
        assert rec.proc is not None
        code = rec.proc.wait(START_WAIT_S)
        log = dict(g.logs())["recorder"]
    assert code == 1
    assert "exists already" in log
