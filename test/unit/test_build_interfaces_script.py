"""scripts/build_interfaces.sh: what it builds, when it builds again, and when it leaves alone.

The real build (cmake, the rosidl generators) is what set-up runs and test/ros/ exercises. Here
the script runs in a copy of the repository against a stand-in venv and a stand-in cmake that
log their calls and "install" one file per interface, so the stamp logic can be driven in
milliseconds: a cold run builds, a warm run builds nothing, a changed or removed file rebuilds
only its package, a tf2_msgs from elsewhere is never shadowed, a failed build leaves no stamp.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_CMAKE = r"""#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1" in
  --version) echo "cmake version ${FAKE_CMAKE_VERSION:-3.25.1}" ;;
  -S)
    mkdir -p "$4"
    echo "$2" > "$4/source"
    for arg in "$@"; do
      case "$arg" in -DCMAKE_INSTALL_PREFIX=*) echo "${arg#*=}" > "$4/prefix" ;; esac
    done ;;
  --build) [ -z "$FAKE_FAIL" ] || { echo "error: the compiler failed"; exit 2; } ;;
  --install)
    src="$(cat "$2/source")"; prefix="$(cat "$2/prefix")"; name="$(basename "$src")"
    index="$prefix/share/ament_index/resource_index/packages"
    mkdir -p "$index"; touch "$index/$name"; echo "$index/$name" > "$2/install_manifest.txt"
    for f in "$src"/msg/* "$src"/srv/* "$src"/action/*; do
      [ -f "$f" ] || continue
      out="$prefix/share/$name/$(basename "$(dirname "$f")")/$(basename "$f")"
      mkdir -p "$(dirname "$out")"; cp "$f" "$out"; echo "$out" >> "$2/install_manifest.txt"
    done ;;
esac
"""

FAKE_PYTHON = r"""#!/bin/sh
echo "python $*" >> "$FAKE_LOG"
if [ "$1" = "-c" ] && [ -n "$FAKE_NO_HEADERS" ]; then exit 1; fi
case "$*" in
  *"pip install -q cmake=="*) cp "$FAKE_CMAKE_SOURCE" "$(dirname "$0")/cmake" ;;
esac
exit 0
"""


@dataclass
class Repo:
    root: Path
    venv: Path
    log: Path
    env: dict[str, str]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        self.log.write_text("")
        return subprocess.run(["bash", str(self.root / "scripts" / "build_interfaces.sh"),
                               *args, str(self.venv)], env={**self.env, **env},
                              capture_output=True, text=True, timeout=60)

    def built(self) -> list[str]:
        """The packages configured in the last run, in order."""
        return [Path(line.split()[1]).name for line in self.log.read_text().splitlines()
                if line.startswith("-S ")]

    def installed(self, package: str, relative: str, prefix: Path | None = None) -> Path:
        return (prefix or self.venv) / "share" / package / relative


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "repo"
    for part in ("scripts/build_interfaces.sh", "interfaces", "robot_brain_interfaces",
                 "test/interfaces", "requirements/ros-build.txt",
                 "requirements/ros-wheels.txt"):
        source, dest = ROOT / part, root / part
        dest.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, dest)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cmake").write_text(FAKE_CMAKE)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(FAKE_PYTHON)
    for tool in (bin_dir / "cmake", venv / "bin" / "python"):
        tool.chmod(0o755)
    log = tmp_path / "calls.log"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "FAKE_LOG": str(log), "FAKE_CMAKE_SOURCE": str(bin_dir / "cmake"),
           "AMENT_PREFIX_PATH": str(venv)}
    return Repo(root, venv, log, env)


def test_cold_run_builds_both_then_a_warm_run_builds_nothing(repo: Repo) -> None:
    cold = repo.run()
    assert cold.returncode == 0, cold.stderr
    assert repo.built() == ["robot_brain_interfaces", "tf2_msgs"]
    assert repo.installed("robot_brain_interfaces", "action/Instruct.action").is_file()
    assert repo.installed("tf2_msgs", "msg/TFMessage.msg").is_file()
    assert "robot_brain set-up: building the ROS 2 interfaces robot_brain_interfaces" in cold.stdout
    configure = next(line for line in repo.log.read_text().splitlines() if line.startswith("-S "))
    for arg in (f"-DCMAKE_PREFIX_PATH={repo.venv}", f"-DCMAKE_INSTALL_PREFIX={repo.venv}",
                f"-DPython3_EXECUTABLE={repo.venv}/bin/python", "-DBUILD_TESTING=OFF",
                f"-DCMAKE_PROJECT_INCLUDE={repo.root}/interfaces/pip_door.cmake"):
        assert arg in configure.split()
    warm = repo.run()
    assert warm.returncode == 0 and warm.stdout == ""
    assert repo.built() == []


def test_a_changed_definition_rebuilds_only_its_package(repo: Repo) -> None:
    assert repo.run().returncode == 0
    plan = repo.root / "robot_brain_interfaces" / "msg" / "Plan.msg"
    plan.write_text(plan.read_text() + "string note\n")
    assert repo.run().returncode == 0
    assert repo.built() == ["robot_brain_interfaces"]
    assert repo.installed("robot_brain_interfaces", "msg/Plan.msg").read_text().endswith(
        "string note\n")


def test_a_removed_interface_leaves_the_install_and_a_missing_file_is_rebuilt(
        repo: Repo) -> None:
    assert repo.run().returncode == 0
    (repo.root / "robot_brain_interfaces" / "srv" / "RemovePlace.srv").unlink()
    assert repo.run().returncode == 0
    assert not repo.installed("robot_brain_interfaces", "srv/RemovePlace.srv").exists()
    assert repo.installed("robot_brain_interfaces", "srv/SavePlace.srv").exists()
    repo.installed("tf2_msgs", "msg/TFMessage.msg").unlink()  # an install damaged by hand
    assert repo.run().returncode == 0
    assert repo.built() == ["tf2_msgs"]


def test_tf2_msgs_of_another_prefix_is_used_not_built(repo: Repo, tmp_path: Path) -> None:
    distro = tmp_path / "opt_ros"
    (distro / "share" / "ament_index" / "resource_index" / "packages").mkdir(parents=True)
    (distro / "share" / "ament_index" / "resource_index" / "packages" / "tf2_msgs").touch()
    done = repo.run(AMENT_PREFIX_PATH=f"{distro}{os.pathsep}{repo.venv}")
    assert done.returncode == 0
    assert repo.built() == ["robot_brain_interfaces"]
    assert f"tf2_msgs is installed in {distro}: using it" in done.stdout


def test_tests_flag_builds_nav2_msgs_into_its_own_prefix(repo: Repo) -> None:
    done = repo.run("--tests")
    assert done.returncode == 0, done.stderr
    assert repo.built() == ["nav2_msgs"]
    prefix = repo.venv / "test_interfaces"
    assert repo.installed("nav2_msgs", "action/NavigateToPose.action", prefix).is_file()
    assert not repo.installed("nav2_msgs", "action/NavigateToPose.action").exists()
    assert f"-DCMAKE_INSTALL_RPATH={prefix}/lib" in repo.log.read_text()
    assert repo.run("--tests").returncode == 0 and repo.built() == []


def test_a_failed_build_says_so_in_one_line_and_is_retried(repo: Repo) -> None:
    failed = repo.run(FAKE_FAIL="1")
    assert failed.returncode != 0
    assert "error: the compiler failed" in failed.stderr
    last = failed.stderr.strip().splitlines()[-1]
    assert last.startswith("robot_brain set-up: building the ROS 2 interfaces "
                           "robot_brain_interfaces failed (full log: ")
    assert repo.run().returncode == 0
    assert repo.built() == ["robot_brain_interfaces", "tf2_msgs"]


def test_missing_python_headers_are_named(repo: Repo) -> None:
    done = repo.run(FAKE_NO_HEADERS="1")
    assert done.returncode != 0
    assert "apt-get install python3.11-dev" in done.stderr
    assert repo.built() == []


def test_an_old_cmake_is_replaced_by_the_pinned_wheel(repo: Repo) -> None:
    done = repo.run(FAKE_CMAKE_VERSION="3.16.3")
    assert done.returncode == 0, done.stderr
    assert "cmake >= 3.21 not found (found 3.16.3)" in done.stdout
    assert "pip install -q cmake==3.31.10" in repo.log.read_text()
    assert (repo.venv / "bin" / "cmake").is_file()
