"""The venv's ament layout is built like colcon's: `ros2 launch` finds every installed file.

ros2launch looks for launch files by walking share/<pkg> with os.walk, which does not follow
directory symlinks; the layout once linked whole directories, so `ros2 launch robot_brain
brain.launch.py` found nothing. Real directories and one link per file fix that.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from robot_brain.cli.install_layout import install_layout
from robot_brain.install_data import PACKAGE, data_files

ROOT = Path(__file__).resolve().parents[2]


def _walk(share: Path) -> set[str]:
    found = set()
    for dirpath, _dirs, files in os.walk(share, followlinks=False):
        found |= {str(Path(dirpath, f).relative_to(share)) for f in files}
    return found


def _expected() -> set[str]:
    out = set()
    for dest, files in data_files(ROOT):
        if dest.startswith(f"share/{PACKAGE}"):
            sub = Path(dest).relative_to(f"share/{PACKAGE}")
            out |= {str(sub / Path(f).name) for f in files}
    return out


def test_every_data_file_setup_installs_is_found_by_walking_without_links(tmp_path: Path) -> None:
    install_layout(tmp_path, ROOT)
    found = _walk(tmp_path / "share" / PACKAGE)
    expected = _expected()
    assert {"launch/brain.launch.py", "launch/gazebo.launch.py", "config/brain.yaml",
            "worlds/apartment.yaml", "worlds/apartment.sdf", "models/humanoid.sdf",
            "models/policy.onnx", "package.xml"} <= expected
    assert expected <= found, f"not reachable by os.walk: {sorted(expected - found)}"
    assert (tmp_path / "share/ament_index/resource_index/packages" / PACKAGE).exists()


def test_an_old_directory_link_layout_is_replaced(tmp_path: Path) -> None:
    share = tmp_path / "share" / PACKAGE
    share.mkdir(parents=True)
    (share / "launch").symlink_to(ROOT / "launch")  # what the layout used to make
    (share / "stale.yaml").symlink_to(ROOT / "config" / "brain.yaml")
    install_layout(tmp_path, ROOT)
    assert not (share / "launch").is_symlink() and (share / "launch").is_dir()
    assert "launch/brain.launch.py" in _walk(share)
    assert not (share / "stale.yaml").exists()


def test_the_installed_venv_layout_is_walkable() -> None:
    share = Path(sys.prefix) / "share" / PACKAGE
    assert "launch/brain.launch.py" in _walk(share), f"run scripts/setup.sh ({share})"
