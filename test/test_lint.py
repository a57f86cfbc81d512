"""ament-style lint: ruff (flake8 + import order + pep257 subset) on everything, mypy on core/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *cmd], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff() -> None:
    result = _run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_core() -> None:
    result = _run("mypy", "--no-incremental", "--config-file", "mypy.ini")
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_imports_no_ros() -> None:
    """robot_brain/core stays ROS-free: no rclpy, no *_msgs, no robot_brain.ros/nodes."""
    offenders = []
    for path in (ROOT / "robot_brain" / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top == "rclpy" or top.endswith("_msgs") or top.endswith("_srvs") or \
                        name.startswith(("robot_brain.ros", "robot_brain.nodes")):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders, offenders


def test_every_core_module_uses_future_annotations() -> None:
    sources = [*(ROOT / "robot_brain").rglob("*.py"), *(ROOT / "robot_brain_lab").rglob("*.py")]
    missing = [str(p.relative_to(ROOT)) for p in sources
               if p.read_text().strip() and p.name != "__init__.py"
               and "from __future__ import annotations" not in p.read_text()]
    assert not missing, missing
