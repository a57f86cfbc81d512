"""Test-session set-up: DDS isolated on a unique domain and to this host, ament prefix set.

These must be set before rclpy is imported anywhere (test process and the node processes it
starts, which inherit the environment).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if "ROBOT_BRAIN_TEST_DOMAIN_SET" not in os.environ:
    # Unique per test session: derived from the pid, inside the range Fast DDS maps to ports.
    os.environ["ROS_DOMAIN_ID"] = str(10 + os.getpid() % 90)
    os.environ["ROBOT_BRAIN_TEST_DOMAIN_SET"] = "1"
os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
_prefixes = [p for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
if sys.prefix not in _prefixes:
    os.environ["AMENT_PREFIX_PATH"] = os.pathsep.join([sys.prefix] + _prefixes)


def pytest_collection_modifyitems(session: object, config: object, items: list) -> None:
    # Tests that run llama.cpp in this process are run in a child pytest instead, so a native
    # crash (SIGILL) fails them with the signal named and the rest of the suite goes on.
    from test.native_isolation import wrap
    wrap(items)
