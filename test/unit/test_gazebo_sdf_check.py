"""`gz sdf -k` (sdformat's own checker) accepts every shipped SDF, wherever Gazebo is
installed; elsewhere it skips with the reason (the XML-level checks of test_gazebo_sdf.py run
everywhere)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from test.unit.gazebo_files import ROOT

SDF_FILES = sorted((ROOT / "gazebo").rglob("*.sdf"))


def test_there_are_sdf_files_to_check() -> None:
    names = {p.name for p in SDF_FILES}
    assert {"apartment.sdf", "humanoid.sdf"} <= names, names


@pytest.mark.parametrize("path", SDF_FILES, ids=lambda p: p.name)
def test_gz_sdf_check_accepts(path: Path) -> None:
    gz = shutil.which("gz")
    if gz is None:
        pytest.skip("the `gz` command (Gazebo) is not installed")
    probe = subprocess.run([gz, "sdf", "--help"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"`gz sdf` is not available: {probe.stderr.strip()[:200]}")
    result = subprocess.run([gz, "sdf", "-k", str(path)], capture_output=True, text=True,
                            timeout=120)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Valid" in out, out
