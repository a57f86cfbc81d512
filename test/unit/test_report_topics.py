"""One topic list for recorder, launch file and report; namespaces; the recorder's QoS choice."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

from rosbags.interfaces import (
    Qos,
    QosDurability,
    QosHistory,
    QosLiveliness,
    QosReliability,
    QosTime,
)

from robot_brain.cli.recording import default_run_dir, recorder_args
from robot_brain.core.report.recorded_topics import RECORDED_TOPICS, guess_namespace, topic_map
from robot_brain.core.report.recording_qos import RequestQos, adapt_to_offers

ROOT = Path(__file__).resolve().parents[2]


def test_launch_file_records_the_same_topics() -> None:
    """The launch file keeps no list of its own: `ros2 bag record` gets RECORDED_TOPICS."""
    tree = ast.parse((ROOT / "launch" / "brain.launch.py").read_text())
    assigned = [t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)]
    assert "RECORDED_TOPICS" not in assigned
    imported = {(node.module, alias.name) for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert ("robot_brain.core.report.recorded_topics", "RECORDED_TOPICS") in imported
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and getattr(node.func, "id", "") == "_bag_record"]
    assert calls and all("RECORDED_TOPICS" in ast.dump(c) for c in calls)


def _string_constants(paths: list[Path]) -> set[str]:
    return {node.value for p in paths for node in ast.walk(ast.parse(p.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_every_recorded_topic_is_a_topic_of_the_brain() -> None:
    """A recorded topic is published or subscribed by a node (an input such as `estop` comes
    from outside): a name no node uses would be recorded empty and reported as missing."""
    names = _string_constants([*(ROOT / "robot_brain" / "nodes").glob("*.py"),
                               *(ROOT / "robot_brain" / "ros").glob("*.py")])
    assert "controller/cmd_vel" in names  # the scan sees the nodes' topic names
    # An action's status topic is named after the action (<action>/_action/status).
    unused = [t for t in RECORDED_TOPICS if t.split("/_action/")[0] not in names]
    assert unused == [], f"recorded but used by no node: {unused}"


def test_recorded_topics_are_unique_and_well_formed() -> None:
    assert len(set(RECORDED_TOPICS)) == len(RECORDED_TOPICS)
    for t in RECORDED_TOPICS:
        assert t and not t.endswith("/") and " " not in t


def test_namespace_is_guessed_from_the_bag() -> None:
    plain = ["/scan", "/odom", "/controller/cmd_vel", "/cmd_vel", "/diagnostics"]
    assert guess_namespace(plain) == ""
    spaced = ["/robot1/scan", "/robot1/odom", "/robot1/controller/cmd_vel", "/diagnostics"]
    assert guess_namespace(spaced) == "/robot1"
    assert topic_map(spaced) == {"/robot1/scan": "scan", "/robot1/odom": "odom",
                                 "/robot1/controller/cmd_vel": "controller/cmd_vel",
                                 "/diagnostics": "/diagnostics"}


def test_cmd_vel_is_not_confused_with_controller_cmd_vel() -> None:
    m = topic_map(["/controller/cmd_vel", "/cmd_vel", "/other/thing"])
    assert m == {"/controller/cmd_vel": "controller/cmd_vel", "/cmd_vel": "cmd_vel"}
    assert topic_map(["/a/cmd_vel"], namespace="a") == {"/a/cmd_vel": "cmd_vel"}


def _qos(reliability: QosReliability, durability: QosDurability) -> Qos:
    t = QosTime(9223372036, 854775807)
    return Qos(QosHistory.UNKNOWN, 0, reliability, durability, t, t, QosLiveliness.AUTOMATIC, t,
               False)


def test_qos_adapts_to_publishers_as_rosbag2_does() -> None:
    rel_vol = _qos(QosReliability.RELIABLE, QosDurability.VOLATILE)
    rel_tl = _qos(QosReliability.RELIABLE, QosDurability.TRANSIENT_LOCAL)
    be_vol = _qos(QosReliability.BEST_EFFORT, QosDurability.VOLATILE)
    assert adapt_to_offers([rel_tl]) == RequestQos(reliable=True, transient_local=True)
    assert adapt_to_offers([rel_tl, rel_vol]) == RequestQos(reliable=True, transient_local=False)
    assert adapt_to_offers([rel_vol, be_vol]) == RequestQos(reliable=False,
                                                            transient_local=False)


def test_a_weaker_late_publisher_forces_a_new_subscription_never_a_stronger_one() -> None:
    current = RequestQos(reliable=True, transient_local=True)
    assert not current.matches_all([_qos(QosReliability.BEST_EFFORT, QosDurability.VOLATILE)])
    assert current.matches_all([_qos(QosReliability.RELIABLE, QosDurability.TRANSIENT_LOCAL)])
    weak = RequestQos(reliable=False, transient_local=False)
    assert weak.matches_all([_qos(QosReliability.RELIABLE, QosDurability.TRANSIENT_LOCAL)])


def test_run_dir_and_recorder_arguments(tmp_path: Path) -> None:
    run = default_run_dir(datetime(2026, 11, 29, 8, 5, 3), base=tmp_path)
    assert run == tmp_path / "runs" / "20261129-080503"
    args = recorder_args(run, topics=["scan", "odom"])
    assert args["executable"] == "recorder"
    assert args["parameters"]["output_dir"] == str((run / "bag").resolve())
    assert args["parameters"]["topics"] == ["scan", "odom"]
    assert args["parameters"]["storage"] == "mcap"
