"""`robot-brain instruct` against the real planner node: feedback lines, the result, exit codes,
Ctrl-C cancelling the goal in one line, a refusal explained, no server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from std_msgs.msg import Bool, String

from robot_brain.cli.instruct import (
    EXIT_DONE,
    EXIT_INTERRUPTED,
    EXIT_NO_SERVER,
    EXIT_PREEMPTED,
    EXIT_REFUSED,
)
from robot_brain.cli.processes import ros_environment
from robot_brain.ros import qos
from test.ros.graph import Graph

pytestmark = pytest.mark.ros

WAIT_S = 60.0


def planner(g: Graph, replies: list[str]) -> None:
    path = g.log_dir / "replies.json"
    path.write_text(json.dumps(replies))
    g.start("planner", name="planner", parameters={
        "backend": "scripted", "vertical_tier": False, "scripted_reply_file": str(path)})


def cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "robot_brain.cli.main", "instruct", *args],
                            env=ros_environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str], timeout: float = WAIT_S) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    print(out, err)
    return proc.returncode, out, err


def wait_plan(seconds: float) -> str:
    return json.dumps({"steps": [{"skill": "wait", "seconds": seconds}]})


def read_until(proc: subprocess.Popen[str], words: str, timeout: float = WAIT_S) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        line = proc.stdout.readline()
        lines.append(line)
        if words in line:
            return lines
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no line with {words!r}: {lines}")


def test_done_prints_feedback_and_the_result_and_exits_0(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        planner(g, [wait_plan(1.5)])
        code, out, err = finish(cli("wait a little", "--server-timeout", "60"))
        assert code == EXIT_DONE, err
        assert "goal accepted: 'wait a little'" in out
        assert "executing step 1/1 wait 1.5 s" in out
        assert "DONE: plan done: wait 1.5 s" in out and "Traceback" not in err


def test_ctrl_c_cancels_the_goal_in_one_line(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        planner(g, [wait_plan(60.0)])
        proc = cli("wait for a minute", "--server-timeout", "60")
        read_until(proc, "executing")
        proc.send_signal(signal.SIGINT)
        code, _, err = finish(proc, 30.0)
        assert code == EXIT_INTERRUPTED
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines == ["robot-brain instruct: interrupted: CANCELLED: cancelled by its client; "
                         "the robot was told to stop (0.0 m walked in " + lines[0].split(
                             " walked in ")[1]], lines


def test_a_refusal_is_explained_and_exits_3(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        assert g.probe is not None
        estop = g.probe.publisher(Bool, "watchdog/estop", qos.STATE)
        estop.publish(Bool(data=True))
        planner(g, [wait_plan(1.0)])
        g.probe.wait_for(lambda: estop.get_subscription_count() >= 1, WAIT_S,
                         "the planner's estop subscription")
        time.sleep(0.5)  # the latched estop delivered
        code, _, err = finish(cli("go to the door", "--server-timeout", "60"))
        assert code == EXIT_REFUSED
        assert "REFUSED: estop latched (watchdog/estop): release it first" in err


def test_a_newer_instruction_exits_4(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        assert g.probe is not None
        planner(g, [wait_plan(60.0)])
        proc = cli("wait for a minute", "--server-timeout", "60")
        read_until(proc, "executing")
        topic: Any = g.probe.publisher(String, "brain/instruction", qos.RELIABLE)
        g.probe.wait_for(lambda: topic.get_subscription_count() >= 1, WAIT_S, "subscriber")
        topic.publish(String(data="stop"))
        code, _, err = finish(proc)
        assert code == EXIT_PREEMPTED and "PREEMPTED: replaced by an instruction on " \
            "brain/instruction: 'stop'" in err


def test_no_server_says_so_in_one_line() -> None:
    code, out, err = finish(cli("go to the door", "--server-timeout", "1", "--action",
                                "no/such/instruct"))
    assert code == EXIT_NO_SERVER and out == ""
    assert err.strip().splitlines() == [
        "robot-brain instruct: no Instruct server on /no/such/instruct after 1 s: is the "
        "brain running? (robot-brain demo, or ros2 launch robot_brain brain.launch.py)"]
