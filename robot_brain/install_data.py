"""The data files the package installs under share/, in one place.

setup.py (what colcon and pip install) and robot_brain.cli.install_layout (the venv's ament
layout) both read this list, so the two install paths cannot drift apart. Standard library
only: setup.py imports it before anything else is installed.
"""

from __future__ import annotations

from glob import glob
from pathlib import Path

PACKAGE = "robot_brain"

#: (destination under the prefix, glob patterns relative to the source root).
DATA_FILES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("share/ament_index/resource_index/packages", ("resource/" + PACKAGE,)),
    ("share/" + PACKAGE, ("package.xml",)),
    ("share/" + PACKAGE + "/launch", ("launch/*.launch.py",)),
    ("share/" + PACKAGE + "/config", ("config/*.yaml",)),
    ("share/" + PACKAGE + "/worlds", (PACKAGE + "/worlds/*.yaml", PACKAGE + "/worlds/*.pgm",
                                     "gazebo/worlds/*.sdf")),
    ("share/" + PACKAGE + "/schemas", (PACKAGE + "/schemas/*.json",)),
    ("share/" + PACKAGE + "/models", (PACKAGE + "/models/*.onnx", "gazebo/models/*.sdf")),
    ("share/" + PACKAGE + "/layouts", ("layouts/*.json",)),
)


def data_files(root: Path = Path(".")) -> list[tuple[str, list[str]]]:
    """Setuptools' data_files: each destination with its files, relative to `root` (the source
    tree; setup.py runs in it)."""
    return [(dest, [f for pattern in patterns for f in sorted(glob(pattern, root_dir=root))])
            for dest, patterns in DATA_FILES]
