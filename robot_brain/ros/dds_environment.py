"""The Fast DDS settings the brain's processes start with, unless the user set them.

UDP on loopback only, no shared-memory transport. With Fast DDS's default transports, a
participant that opens a shared-memory port to a newly discovered participant can block
unrelated publishers for ~333 ms (eProsima/Fast-DDS#6535: the port's health check waits a
third of `healthy_check_timeout_ms`). On the brain that was a late `controller/cmd_vel` and a
watchdog latch whenever a new ROS process joined the graph: the bench's user node, a
`ros2 topic list` (bench/brain_bench.py, condition `churn`: a 324 ms delivery stall with
shared memory, none over 13 ms with UDPv4; BENCHMARKS.md). The brain's messages are small
(a 360-beam scan is 1.5 kB), so loopback UDP costs about the same CPU.

Set FASTDDS_BUILTIN_TRANSPORTS yourself (e.g. `DEFAULT`) to override; `robot-brain demo`,
the ROS graph tests and brain.launch.py only fill in what is unset.
"""

from __future__ import annotations

from typing import Mapping

BRAIN_DDS_DEFAULTS: dict[str, str] = {"FASTDDS_BUILTIN_TRANSPORTS": "UDPv4"}


def missing_dds_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The defaults `env` does not set yet."""
    return {k: v for k, v in BRAIN_DDS_DEFAULTS.items() if not env.get(k)}
