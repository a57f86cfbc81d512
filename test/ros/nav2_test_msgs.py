"""nav2_msgs for the tests where Nav2 is not installed: built on first use, then put on the paths.

Nav2's NavigateToPose is the interface of the brain's Nav2 motion layer, and the tests run a
fake Nav2 server with it. Where a ROS 2 distribution has Nav2, its nav2_msgs is used. Elsewhere
(the pip door) `scripts/build_interfaces.sh --tests` builds test/interfaces/nav2_msgs (the same
definition) into <venv>/test_interfaces, a prefix that only the tests put on their paths; once
built, a call costs a stamp comparison.

The prefix's libraries are not on the library path this process started with, and the ROS type
support loads a package's type support library by its file name: each library of the prefix is
loaded here once by its full path, so that later load finds it already in the process. Node
processes a test starts afterwards inherit LD_LIBRARY_PATH, PYTHONPATH and AMENT_PREFIX_PATH
with the prefix in front, and need nothing else.
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "scripts" / "build_interfaces.sh"
_BUILD_TIMEOUT_S = 600.0  # a cold build takes ~10-20 s on 2 cores


class InterfaceBuildError(RuntimeError):
    """The test-only interfaces could not be built (the message has the build's output)."""


def nav2_test_prefix(venv: Path | None = None) -> Path:
    """Where `build_interfaces.sh --tests` installs: <venv>/test_interfaces."""
    return (venv or Path(sys.prefix)) / "test_interfaces"


def _prepend(variable: str, value: str) -> None:
    parts = [p for p in os.environ.get(variable, "").split(os.pathsep) if p and p != value]
    os.environ[variable] = os.pathsep.join([value] + parts)


def _site_packages(prefix: Path) -> Path:
    relative = Path(sysconfig.get_path("purelib")).relative_to(sys.prefix)
    return prefix / relative


def ensure_nav2_msgs() -> Path | None:
    """Make `import nav2_msgs` work here and in node processes started later.

    Returns the test prefix it put on the paths, or None when an installed nav2_msgs (a ROS 2
    distribution's) is used. Skips the test on a distribution without Nav2 (nothing is built
    outside a venv of the PyPI wheels); raises InterfaceBuildError when the build fails.
    """
    prefix = nav2_test_prefix()
    site = _site_packages(prefix)
    spec = importlib.util.find_spec("nav2_msgs")
    if spec is not None and spec.origin is not None and site not in Path(spec.origin).parents:
        return None
    if importlib.util.find_spec("ros_wheels_bootstrapper") is None:
        # A ROS 2 distribution without Nav2: its Python is no venv to build into.
        pytest.skip("nav2_msgs is not installed: apt-get install ros-$ROS_DISTRO-nav2-msgs")
    result = subprocess.run(["bash", str(BUILD_SCRIPT), "--tests", sys.prefix],
                            capture_output=True, text=True, timeout=_BUILD_TIMEOUT_S)
    if result.returncode != 0:
        raise InterfaceBuildError(
            f"scripts/build_interfaces.sh --tests failed:\n{result.stdout}\n{result.stderr}")
    lib = prefix / "lib"
    # Each finds the ones it links through its RUNPATH (the prefix's lib/).
    for library in sorted(lib.glob("libnav2_msgs__*.so")):
        ctypes.CDLL(str(library))
    _prepend("LD_LIBRARY_PATH", str(lib))
    _prepend("PYTHONPATH", str(site))
    _prepend("AMENT_PREFIX_PATH", str(prefix))
    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    return prefix
