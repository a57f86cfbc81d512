"""`robot-brain demo` end to end: runs, summarises, fails loudly, leaves no orphans."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from robot_brain.cli.processes import NodeProcess, children_of
from test.ros.graph import CONFIG

pytestmark = pytest.mark.ros
ROBOT_BRAIN = [sys.executable, "-m", "robot_brain.cli.main"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def _descendants_of_run(run_dir: Path) -> list[int]:
    """PIDs of any process still running a node with this run's log dir in its cmdline."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if str(run_dir) in cmd and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def test_demo_runs_sim_and_prints_summary(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--duration", "5", "--nodes", "sim", "--no-record", "--quiet",
                       "--run-dir", str(run_dir)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "robot_brain demo summary" in result.stdout
    assert "robot: walked" in result.stdout
    assert (run_dir / "logs" / "sim.log").exists()
    assert not _descendants_of_run(run_dir)


def test_demo_runs_the_mujoco_sim_in_the_sims_place(tmp_path: Path) -> None:
    pytest.importorskip("mujoco", reason="mujoco (requirements/python.txt) not installed")
    run_dir = tmp_path / "run"
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--sim", "mujoco", "--duration", "8", "--nodes", "sim",
                       "--no-record", "--quiet", "--run-dir", str(run_dir)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "robot: walked" in result.stdout and "[mujoco_sim: simulator]" in result.stdout
    log = (run_dir / "logs" / "mujoco_sim.log").read_text()
    assert "mujoco_sim ready" in log and "mujoco_sim summary" in log
    assert not (run_dir / "logs" / "sim.log").exists()
    assert not _descendants_of_run(run_dir)


def test_demo_without_recording_still_instructs_the_planner(tmp_path: Path) -> None:
    # The planner-ready check once waited for a second brain/instruction subscriber (the
    # recorder), so --no-record never sent the instruction.
    run_dir = tmp_path / "run"
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--duration", "20", "--backend", "scripted", "--no-record",
                       "--quiet", "--run-dir", str(run_dir)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "instruction sent" in result.stdout, result.stdout
    # The vertical tier answers this instruction itself; with it off, the scripted backend.
    assert re.search(r"plan: #1 (vertical|scripted) accepted", result.stdout), result.stdout
    assert not _descendants_of_run(run_dir)


def test_demo_fails_clearly_when_a_node_cannot_start(tmp_path: Path) -> None:
    bad_world = tmp_path / "broken.yaml"
    bad_world.write_text("bounds: [this is not a mapping\n")
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--duration", "30", "--nodes", "sim", "--no-record", "--quiet",
                       "--world", str(bad_world), "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "node 'sim' exited with code 1" in result.stderr
    assert "broken.yaml" in result.stderr


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("inherited_ignored", [False, True],
                         ids=["foreground", "background-job"])
def test_demo_ends_on_sigint_with_summary_and_no_orphans(tmp_path: Path,
                                                         inherited_ignored: bool) -> None:
    """Also when started as a shell's background job, which inherits SIGINT ignored (a
    `kill -INT` was once lost and the run went on to its duration)."""
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        ROBOT_BRAIN + ["demo", "--duration", "0", "--nodes", "sim", "--no-record", "--quiet",
                       "--run-dir", str(run_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_ignore_sigint if inherited_ignored else None)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (run_dir / "logs" / "sim.log").exists():
            time.sleep(0.1)
        time.sleep(3.0)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out + err
    assert "robot_brain demo summary" in out
    # One line about the interruption, no traceback (the monitor's spin thread once printed
    # an ExternalShutdownException on every Ctrl-C).
    assert "Traceback" not in out + err and "interrupted, shutting down" in out
    assert not _descendants_of_run(run_dir)


def test_stop_ends_a_sigstopped_node(tmp_path: Path) -> None:
    log = open(tmp_path / "sim.log", "wb")
    node = NodeProcess("sim", name="stopped_sim", params_files=[CONFIG], log=log).start()
    try:
        time.sleep(2.0)
        assert node.running()
        os.kill(node.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        node.stop(timeout=10.0)
        assert not _alive(node.pid)
        assert time.monotonic() - t0 < 60.0
    finally:
        node.signal_group(signal.SIGCONT)
        node.signal_group(signal.SIGKILL)
        log.close()


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _params_with(tmp_path: Path, node: str, **values: object) -> Path:
    import yaml
    config = yaml.safe_load(CONFIG.read_text())
    from robot_brain.core.config.params_file import node_key
    config[node_key(config, node)]["ros__parameters"].update(values)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_demo_ends_when_the_plan_is_done_and_says_so(tmp_path: Path) -> None:
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--duration", "120", "--until-done", "--backend", "scripted",
                       "--no-record", "--quiet", "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    last = _last_line(result.stdout)
    assert last.startswith("robot-brain demo: OK: navigate_to kitchen done in "), last
    assert last.endswith(", 0 collisions"), last


def test_demo_fails_when_the_llm_backend_crashes_at_start(tmp_path: Path) -> None:
    # As llama.cpp built for a CPU feature the machine lacks: SIGILL in the worker's self-test.
    params = _params_with(tmp_path, "planner", scripted_failure="illegal_instruction",
                          vertical_tier=False)  # the instruction must reach the LLM
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--duration", "60", "--until-done", "--backend", "scripted",
                       "--params-file", str(params), "--no-record", "--quiet",
                       "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    last = _last_line(result.stderr)
    assert last.startswith("robot-brain demo: FAILED: the instruction got no accepted plan"), last
    assert "illegal instruction" in last, last


def test_demo_fails_when_the_plan_cannot_finish_in_time(tmp_path: Path) -> None:
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--duration", "5", "--backend", "scripted", "--no-record",
                       "--quiet", "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    last = _last_line(result.stderr)
    assert "FAILED: navigate_to kitchen not finished (the run ended after" in last, last


def test_demo_fails_naming_a_node_that_dies_mid_run(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        ROBOT_BRAIN + ["demo", "--duration", "60", "--backend", "scripted", "--no-record",
                       "--quiet", "--run-dir", str(run_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        victim = None
        while time.monotonic() < deadline and victim is None:
            time.sleep(0.5)
            for pid in children_of(proc.pid):
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                if any(part.endswith(b"/fast_path") for part in cmd):
                    victim = pid
        assert victim is not None, "the fast path (perception + controller) never started"
        time.sleep(3.0)
        os.kill(victim, signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    assert _last_line(err) == (
        "robot-brain demo: FAILED: 'fast_path' (perception + controller) exited with code -9 "
        f"(log {run_dir.resolve() / 'logs' / 'fast_path.log'})"), err
    assert not _descendants_of_run(run_dir)


def test_demo_refuses_a_bad_params_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("/**:\n  ros__parameters:\n    world_file: [oops\n")
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--duration", "10", "--params-file", str(bad), "--no-record",
                       "--quiet", "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert _last_line(result.stderr) == (f"robot-brain demo: FAILED: parameter file {bad}: "
                                         "YAML error at line 4, column 1: expected ',' or ']', "
                                         "but got '<stream end>'")


def test_demo_refuses_sector_counts_that_disagree(tmp_path: Path) -> None:
    params = _params_with(tmp_path, "perception", n_sectors=24)
    result = subprocess.run(
        ROBOT_BRAIN + ["demo", "--duration", "10", "--params-file", str(params), "--no-record",
                       "--quiet", "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "perception.n_sectors=24, controller.n_sectors=16: these must be equal" in \
        _last_line(result.stderr)
    assert not (tmp_path / "run").exists()  # refused before any node started
