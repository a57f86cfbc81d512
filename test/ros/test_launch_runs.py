"""brain.launch.py under the real `ros2 launch` machinery (launch + launch_ros [+ ros2cli]).

`launch` and `launch_ros` are not on PyPI, so on a machine without a ROS 2 distribution these
tests skip with that reason. Where they exist they run the PACKAGE form against the installed
layout (`ros2 launch robot_brain brain.launch.py` when ros2cli is there too, else the same
lookup through ament_index and a LaunchService), which is what a user types, and check each
defect found by hand: a missing params file, a bad choice, a cross-node mismatch, a node that
dies, recording without rosbag2 (into a relative bag_dir, logged absolute), a repeated Ctrl-C,
no parameter file left behind; and gazebo.launch.py where ros_gz is not installed:
`--show-args` lists its arguments, a run says in one line what to install.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

try:
    # `launch` alone would import this repository's launch/ folder as a namespace package.
    from launch import LaunchService  # noqa: F401
    from launch_ros.actions import Node  # noqa: F401
except ImportError:
    pytest.skip("the ROS 2 `launch` and `launch_ros` packages are not installed (not on PyPI)",
                allow_module_level=True)

pytestmark = pytest.mark.ros

ROOT = Path(__file__).resolve().parents[2]
NODES = ("sim", "perception", "controller", "watchdog", "planner", "power_monitor")
#: The processes of the default, composed layout (docs/composition.md).
COMPOSED = ("sim", "fast_path", "watchdog", "slow_path")

# The package form without ros2cli: the launch file found through the ament index, exactly
# as `ros2 launch robot_brain brain.launch.py` finds it.
RUNNER = textwrap.dedent("""
    import os, sys
    from ament_index_python.packages import get_package_share_directory
    from launch import LaunchDescription, LaunchService
    from launch.actions import IncludeLaunchDescription
    from launch.launch_description_sources import PythonLaunchDescriptionSource
    path = os.path.join(get_package_share_directory("robot_brain"), "launch", sys.argv[1])
    args = [a.split(":=", 1) for a in sys.argv[2:]]
    service = LaunchService(argv=sys.argv[2:])
    service.include_launch_description(LaunchDescription([IncludeLaunchDescription(
        PythonLaunchDescriptionSource(path), launch_arguments=args)]))
    sys.exit(service.run())
""")


# `ros2 launch ... --show-args` without ros2cli: ros2launch's own printer where it exists.
SHOW_ARGS = textwrap.dedent("""
    import os, sys
    from ament_index_python.packages import get_package_share_directory
    from ros2launch.api import print_arguments_of_launch_file
    path = os.path.join(get_package_share_directory("robot_brain"), "launch", sys.argv[1])
    print_arguments_of_launch_file(launch_file_path=path)
""")


def _command(*args: str, launch_file: str = "brain.launch.py") -> list[str]:
    if shutil.which("ros2") and importlib.util.find_spec("ros2launch") is not None:
        return ["ros2", "launch", "robot_brain", launch_file, *args]
    if args == ("--show-args",):
        return [sys.executable, "-c", SHOW_ARGS, launch_file]
    return [sys.executable, "-c", RUNNER, launch_file, *args]


def _start(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
           ) -> subprocess.Popen[str]:
    # Own process group: a "terminal Ctrl-C" reaches launch and every node, as in a shell.
    return subprocess.Popen(_command(*args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True, cwd=cwd,
                            env=None if env is None else {**os.environ, **env})


def _wait_started(proc: subprocess.Popen[str], settle_s: float = 8.0) -> None:
    """Every node is up a few seconds after start (the demo measures ~3 s)."""
    time.sleep(settle_s)
    assert proc.poll() is None, "launch ended early"


def _run(*args: str, timeout: float = 120.0, launch_file: str = "brain.launch.py"
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(*args, launch_file=launch_file), capture_output=True,
                          text=True, timeout=timeout)


def _installed(package: str) -> bool:
    from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
    try:
        get_package_share_directory(package)
    except PackageNotFoundError:
        return False
    return True


@pytest.mark.parametrize("compose", [True, False], ids=["composed", "split"])
def test_package_form_starts_every_node_and_a_double_ctrl_c_stops_them_cleanly(
        compose: bool) -> None:
    # Non-default overrides: they must reach hosted nodes too (a composite's overrides once
    # lost to the params file's node blocks).
    proc = _start("planner_backend:=scripted", "rt_priority:=60",
                  f"compose:={'true' if compose else 'false'}")
    try:
        _wait_started(proc)
        os.killpg(proc.pid, signal.SIGINT)  # the terminal's Ctrl-C: every process
        time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)  # and a second one during shutdown
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    processes = COMPOSED if compose else NODES
    for name in processes:
        assert f"[{name}-" in out and "process started" in out, f"{name} not started\n{out}"
    assert "process has died" not in out, out
    assert out.count("process has finished cleanly") >= len(processes), out
    assert "Traceback" not in out, out
    lines = out.splitlines()
    for node, fragment in (("watchdog", "SCHED_FIFO 60"), ("controller", "SCHED_FIFO 57"),
                           ("perception", "SCHED_FIFO 54"), ("planner", "['scripted']")):
        assert any(f"[{node}]" in line and fragment in line for line in lines), (node, out)


def test_missing_params_file_is_an_error() -> None:
    result = _run("params_file:=/nonexistent/brain.yaml")
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "parameter file /nonexistent/brain.yaml does not exist" in out, out
    assert "process started" not in out, out


def test_a_value_outside_the_choices_is_refused() -> None:
    result = _run("planner_backend:=nonsense")
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "Valid options are" in out, out
    assert "process started" not in out, out


def test_settings_that_must_agree_across_nodes_are_checked_first(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "config" / "brain.yaml").read_text())
    config["/**/perception"]["ros__parameters"]["n_sectors"] = 24
    params = tmp_path / "p.yaml"
    params.write_text(yaml.safe_dump(config))
    result = _run(f"params_file:={params}")
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "perception.n_sectors=24, controller.n_sectors=16" in out, out


def test_a_node_that_dies_ends_the_launch_non_zero_naming_it(tmp_path: Path) -> None:
    proc = _start("planner_backend:=scripted", "record:=true", f"bag_dir:={tmp_path}")
    try:
        _wait_started(proc)
        found = subprocess.run(["pgrep", "-f", "-g", str(proc.pid), "lib/robot_brain/fast_path"],
                               capture_output=True, text=True).stdout.split()
        assert found, "fast_path (perception + controller) not running"
        os.kill(int(found[0]), signal.SIGKILL)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0, out
    assert "node 'fast_path (perception, controller)' exited with code -9" in out, out
    # record:=true without rosbag2 records with the project's recorder, in a fresh folder.
    bags = list(tmp_path.glob("brain_*"))
    assert len(bags) == 1 and (bags[0] / "metadata.yaml").exists(), out


def test_relative_bag_dir_is_logged_absolute_and_no_parameter_file_is_left(
        tmp_path: Path) -> None:
    """record:=true with bag_dir relative to the shell's directory: the log names the bag's
    absolute path; and neither launch_ros's nor the launch's own parameter files stay in the
    temporary directory once the launch has ended (split nodes, the recorder composed)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    shell = tmp_path / "shell"
    shell.mkdir()
    proc = _start("planner_backend:=scripted", "record:=true", "bag_dir:=rel_runs",
                  "compose:=false", cwd=shell, env={"TMPDIR": str(temp)})
    try:
        _wait_started(proc)
        # The recorder makes the bag when it is up (slower than 8 s on a loaded machine).
        end = time.monotonic() + 120.0
        while not list((shell / "rel_runs").glob("brain_*/*")) and time.monotonic() < end:
            assert proc.poll() is None, "launch ended early"
            time.sleep(0.5)
        time.sleep(2.0)
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    bags = list((shell / "rel_runs").glob("brain_*"))
    assert len(bags) == 1, out
    assert f"recording the brain's topics to {bags[0]}" in out, out
    # (Libraries may keep their own files there, e.g. a `.ses`; parameter files must go.)
    left = [p.name for p in temp.iterdir()
            if p.name.startswith(("launch_params_", "robot_brain_launch_"))]
    assert not left, f"left behind: {left}"
    assert "Traceback" not in out, out


def test_gazebo_show_args_works_without_ros_gz() -> None:
    if importlib.util.find_spec("ros2launch") is None:
        pytest.skip("ros2launch (its --show-args printer) is not installed")
    result = _run("--show-args", launch_file="gazebo.launch.py")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out, out
    for name in ("gz_partition", "spawn_timeout", "world", "bag_dir", "live", "live_port",
                 "compose", "planner_backend"):
        assert f"'{name}':" in out, (name, out)


def test_gazebo_launch_without_ros_gz_says_what_to_install() -> None:
    if _installed("ros_gz_sim") and _installed("ros_gz_bridge"):
        pytest.skip("ros_gz is installed here: test/ros/test_gazebo_smoke.py runs it")
    result = _run("planner_backend:=scripted", launch_file="gazebo.launch.py")
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "not found: install ros_gz for your distribution" in out, out
    assert "process started" not in out, out  # no brain without its robot
    assert "Traceback" not in out, out


def _stand_in_ros_gz(root: Path, create: str) -> dict[str, str]:
    """An ament prefix with stand-ins for ros_gz_sim (an empty gz_sim.launch.py and a `create`
    running `create`'s shell body) and ros_gz_bridge (a process that waits; no
    robot_state_publisher, so the brain's own `description` node publishes the URDF): the
    launch's own logic runs for real, Gazebo is not needed. Returns the launch's environment."""
    index = root / "share" / "ament_index" / "resource_index" / "packages"
    index.mkdir(parents=True)
    executables = {("ros_gz_sim", "create"): create,
                   ("ros_gz_bridge", "parameter_bridge"): "exec sleep 600"}
    for (package, exe), body in executables.items():
        (index / package).write_text("")
        (root / "share" / package).mkdir(parents=True, exist_ok=True)
        path = root / "lib" / package / exe
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    launch_dir = root / "share" / "ros_gz_sim" / "launch"
    launch_dir.mkdir(parents=True)
    (launch_dir / "gz_sim.launch.py").write_text(textwrap.dedent("""
        from launch import LaunchDescription
        from launch.actions import DeclareLaunchArgument

        def generate_launch_description():
            return LaunchDescription([DeclareLaunchArgument("gz_args", default_value=""),
                                      DeclareLaunchArgument("on_exit_shutdown",
                                                            default_value="false")])
    """))
    return {"AMENT_PREFIX_PATH": f"{root}{os.pathsep}{os.environ.get('AMENT_PREFIX_PATH', '')}"}


@pytest.mark.parametrize(("create", "args", "expected"), [
    ('echo "create: GZ_PARTITION=$GZ_PARTITION $*"; exit 1', (),
     "spawning 'humanoid' into world 'apartment' failed: ros_gz_sim create exited with code 1"),
    ("exec sleep 600", ("spawn_timeout:=4",),
     "spawning 'humanoid' into world 'apartment' did not finish within 4 s"),
], ids=["fails", "hangs"])
def test_a_spawn_that_fails_or_hangs_ends_the_gazebo_launch(
        tmp_path: Path, create: str, args: tuple[str, ...], expected: str) -> None:
    env = _stand_in_ros_gz(tmp_path / "ros_gz", create)
    command = _command("planner_backend:=scripted", "gz_partition:=robot_brain_test_42", *args,
                       launch_file="gazebo.launch.py")
    result = subprocess.run(command, capture_output=True, text=True, timeout=180,
                            env={**os.environ, **env}, start_new_session=True)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert expected in out, out
    assert "the brain must not run without its robot" in out, out
    assert "Traceback" not in out, out
    for brain_process in COMPOSED[1:]:  # the brain starts only once the robot is spawned
        assert f"[{brain_process}-" not in out, out
    if "exit 1" in create:
        # create got the world's name and ran on the launch's partition.
        line = next(x for x in out.splitlines() if "create: GZ_PARTITION=" in x)
        assert "GZ_PARTITION=robot_brain_test_42" in line, line
        assert "-world apartment -name humanoid" in line, line


def test_the_brain_starts_once_the_robot_is_spawned(tmp_path: Path) -> None:
    env = _stand_in_ros_gz(tmp_path / "ros_gz", "exit 0")
    proc = subprocess.Popen(_command("planner_backend:=scripted", launch_file="gazebo.launch.py"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env={**os.environ, **env})
    try:
        _wait_started(proc)
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    spawned = out.index("'humanoid' spawned into world 'apartment': starting the brain")
    for brain_process in COMPOSED[1:]:
        assert f"[{brain_process}-" in out[spawned:], out
    # On simulated time: the controller judges sensor freshness in simulated seconds.
    assert "sensor freshness on the sim clock" in out, out
    assert "Traceback" not in out, out
