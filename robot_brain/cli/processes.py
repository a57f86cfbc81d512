"""Start robot_brain's node executables as OS processes and stop them cleanly.

Used by `robot-brain demo` and by the ROS graph tests. Each node runs in its own process
group, as `ros2 launch` would, so a stop signal reaches anything it spawned (the LLM worker),
and a stopped (SIGSTOP) or hung child is still ended: SIGCONT, SIGINT, SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Sequence

from robot_brain.ros.dds_environment import brain_dds_settings


class ExecutableNotFound(FileNotFoundError):
    """The node executable is not installed where ros2 run would look for it."""


def children_of(parent: int) -> list[int]:
    """PIDs whose parent is `parent` (Linux /proc; a process that vanishes is skipped)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command may hold spaces or parentheses: the fields follow the last ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found


def install_prefix() -> Path:
    """The prefix that holds lib/robot_brain/ (the venv, or a colcon install space)."""
    for prefix in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep):
        if prefix and (Path(prefix) / "lib" / "robot_brain").is_dir():
            return Path(prefix)
    return Path(sys.prefix)


def executable_path(name: str) -> Path:
    path = install_prefix() / "lib" / "robot_brain" / name
    if not path.exists():
        raise ExecutableNotFound(
            f"executable '{name}' not found at {path}; run scripts/setup.sh (or colcon build)")
    return path


def ros_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a node needs from the PyPI wheels: ament prefix and loader paths."""
    env = dict(os.environ if base is None else base)
    prefix = str(install_prefix())
    paths = [p for p in env.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    if prefix not in paths:
        env["AMENT_PREFIX_PATH"] = os.pathsep.join([prefix] + paths)
    env.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
    env.update(brain_dds_settings(env))  # UDP only: see robot_brain/ros/dds_environment.py
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


@dataclass
class NodeProcess:
    """One node executable with its ROS arguments, started in its own process group."""

    executable: str
    name: str | None = None
    params_files: Sequence[Path] = ()
    parameters: dict[str, object] = field(default_factory=dict)
    remappings: dict[str, str] = field(default_factory=dict)
    #: For a composite executable (several nodes, no `name`): overrides per hosted node.
    node_parameters: dict[str, dict[str, object]] = field(default_factory=dict)
    #: Arguments before --ros-args (a composite's `--nodes a,b`).
    arguments: Sequence[str] = ()
    namespace: str = ""
    env: dict[str, str] | None = None
    log: IO[bytes] | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def label(self) -> str:
        return self.name or self.executable

    def command(self) -> list[str]:
        cmd = [str(executable_path(self.executable)), *self.arguments, "--ros-args"]
        if self.name:
            cmd += ["-r", f"__node:={self.name}"]
        if self.namespace:
            cmd += ["-r", f"__ns:={self.namespace}"]
        for f in self.params_files:
            cmd += ["--params-file", str(f)]
        for key, value in self.parameters.items():
            # Node-qualified: a bare `-p key:=v` is filed under `/**` and loses to the same key
            # in the parameter file's node block.
            cmd += ["-p", f"{self.name or self.executable}:{key}:={_param_literal(value)}"]
        for node, params in self.node_parameters.items():
            cmd += [a for key, value in params.items()
                    for a in ("-p", f"{node}:{key}:={_param_literal(value)}")]
        for src, dst in self.remappings.items():
            cmd += ["-r", f"{src}:={dst}"]
        return cmd

    def start(self) -> NodeProcess:
        self.proc = subprocess.Popen(
            self.command(), env=ros_environment(self.env),
            stdout=self.log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGCONT (a stopped child cannot handle SIGINT), SIGINT, SIGTERM, then SIGKILL."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, timeout / 2),
                              (signal.SIGKILL, timeout)):
                self.signal_group(signal.SIGCONT)
                self.signal_group(sig)
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # Whatever the node spawned (its group) goes too, even if the node itself exited.
        self.signal_group(signal.SIGKILL)
        return self.proc.poll()


def _param_literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value else "''"
    if isinstance(value, (list, tuple)):
        # rcl parses a -p value as YAML: quote string items so JSON or commas survive.
        return "[" + ",".join("'" + v.replace("'", "''") + "'" if isinstance(v, str)
                              else _param_literal(v) for v in value) + "]"
    return str(value)


def stop_all(processes: Sequence[NodeProcess], timeout: float = 10.0) -> None:
    """Stop in reverse start order; the first SIGINT goes to all at once so shutdown is quick."""
    for p in processes:
        if p.running():
            p.signal_group(signal.SIGCONT)
            p.signal_group(signal.SIGINT)
    deadline = time.monotonic() + timeout
    for p in reversed(list(processes)):
        if p.proc is not None and p.proc.poll() is None:
            try:
                p.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        p.stop(timeout=timeout / 2)
