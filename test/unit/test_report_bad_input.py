"""`robot-brain report` on bad input: a clear message, a partial report where possible, never a
traceback; a non-zero exit only when nothing could be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot_brain.cli.report import main as report_main
from robot_brain.core.report.bagwriter import BagWriteError, BagWriter
from robot_brain.core.report.build import collect_figures
from test.unit.test_report_figures import TS, TYPES, odometry, string, write_bag


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = report_main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def _mcap_file(bag: Path) -> Path:
    files = list(bag.glob("*.mcap"))
    assert len(files) == 1
    return files[0]


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(tmp_path / "nope"))
    assert code == 1
    assert "no such file or directory" in err
    assert not (tmp_path / "nope_report").exists()


def test_directory_that_is_not_a_bag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, str(tmp_path / "empty"))
    assert code == 1
    assert "not a rosbag2 bag" in err


def test_file_that_is_not_a_bag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = _run(capsys, str(tmp_path / "notes.txt"))
    assert code == 1
    assert "not a rosbag2 bag" in err


@pytest.mark.parametrize("storage", ["mcap", "sqlite3"])
def test_empty_bag(tmp_path: Path, capsys: pytest.CaptureFixture[str], storage: str) -> None:
    writer = BagWriter(tmp_path / "empty_bag", storage)
    writer.add_topic("/odom", TYPES["/odom"])
    writer.close()
    code, _, err = _run(capsys, str(tmp_path / "empty_bag"))
    assert code == 1
    assert "holds no messages" in err


def test_truncated_mcap_gives_a_partial_report(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # Scans make the bag several chunks long; flushing every 50 messages closes chunks often.
    bag = write_bag(tmp_path / "cut", "mcap", scan_beams=720, flush_every=50)
    full = collect_figures(bag)
    assert full.control.messages == 101
    mcap = _mcap_file(bag)
    data = mcap.read_bytes()
    mcap.write_bytes(data[: len(data) // 2])
    code, out, _ = _run(capsys, str(bag), "--out", str(tmp_path / "rep"))
    assert code == 0
    assert "truncated or damaged after" in out
    partial = collect_figures(bag)
    assert 0 < partial.total_messages < full.total_messages
    assert 0 < partial.control.messages < 101
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "read only in part" in md


def test_mcap_cut_inside_the_header_is_unreadable(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bag = write_bag(tmp_path / "stub", "mcap")
    mcap = _mcap_file(bag)
    mcap.write_bytes(mcap.read_bytes()[:12])
    code, _, err = _run(capsys, str(bag))
    assert code == 1
    assert "holds no messages" in err and "unreadable" in err


def test_garbage_mcap_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "junk.mcap"
    garbage.write_bytes(b"\x00\x01not an mcap file at all" * 10)
    code, _, err = _run(capsys, str(garbage))
    assert code == 1
    assert "invalid magic" in err


def test_bag_without_metadata_is_streamed(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    bag = write_bag(tmp_path / "crashed", "mcap")
    (bag / "metadata.yaml").unlink()
    code, out, _ = _run(capsys, str(bag))
    assert code == 0
    assert "not closed cleanly" in out
    assert collect_figures(bag).motion.distance_m == pytest.approx(7.0)


def test_mcap_file_given_directly(tmp_path: Path) -> None:
    bag = write_bag(tmp_path / "direct", "mcap")
    f = collect_figures(_mcap_file(bag))
    assert f.control.messages == 101
    assert f.motion.distance_m == pytest.approx(7.0)


def test_bag_missing_topics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bag = write_bag(tmp_path / "few", "mcap", topics={"/odom", "/battery_state"})
    code, out, _ = _run(capsys, str(bag), "--out", str(tmp_path / "rep"))
    assert code == 0
    assert "no messages on controller/cmd_vel" in out
    assert "7.00 m" in out
    assert "controller/cmd_vel" in out.split("missing topics", 1)[1].splitlines()[0]
    written = sorted(p.name for p in (tmp_path / "rep").glob("*.png"))
    assert written == ["energy.png", "trajectory.png"]


def test_wrong_message_type_on_a_known_topic(tmp_path: Path) -> None:
    writer = BagWriter(tmp_path / "odd", "mcap")
    writer.add_topic("/odom", "std_msgs/msg/String")
    writer.add_topic("/battery_state", TYPES["/odom"])
    writer.write("/odom", 1, TS.serialize_cdr(string("not odometry"), "std_msgs/msg/String"))
    writer.write("/battery_state", 2, TS.serialize_cdr(odometry(2, 1.0, 1.0), TYPES["/odom"]))
    writer.close()
    f = collect_figures(tmp_path / "odd")
    assert f.message_counts == {"battery_state": 1, "odom": 1}
    assert f.motion.odom_messages == 0
    assert len(f.energy.battery) == 0


def test_undecodable_message_is_counted_and_noted(tmp_path: Path) -> None:
    writer = BagWriter(tmp_path / "bad_cdr", "mcap")
    writer.add_topic("/odom", TYPES["/odom"])
    writer.write("/odom", 1, b"\x00\x01\x00\x00\x01")
    writer.close()
    f = collect_figures(tmp_path / "bad_cdr")
    assert f.message_counts == {"odom": 1}
    assert any("could not be decoded" in n for n in f.notes)


def test_broken_world_file_draws_without_a_map(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    bag = write_bag(tmp_path / "run", "mcap", topics={"/odom"})
    world = tmp_path / "world.yaml"
    world.write_text("bounds: [not, a, mapping]\n")
    code, out, _ = _run(capsys, str(bag), "--world", str(world))
    assert code == 0
    assert "trajectory drawn without a map" in out
    assert (tmp_path / "run_report" / "trajectory.png").exists()


def test_unwritable_output_is_a_message(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    bag = write_bag(tmp_path / "run", "mcap", topics={"/odom"})
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output directory should go")
    code, out, err = _run(capsys, str(bag), "--out", str(blocker / "sub"))
    assert code == 0
    assert "7.00 m" in out
    assert "cannot write the report" in err


def test_writer_refuses_an_existing_bag(tmp_path: Path) -> None:
    (tmp_path / "exists").mkdir()
    with pytest.raises(BagWriteError, match="exists already"):
        BagWriter(tmp_path / "exists")
    with pytest.raises(BagWriteError, match="not one of"):
        BagWriter(tmp_path / "other", "rosbag1")
