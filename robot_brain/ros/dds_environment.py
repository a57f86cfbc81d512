"""The Fast DDS settings the brain's processes start with: UDP only, never shared memory.

With Fast DDS's shared-memory transport, a participant that opens a port to a newly
discovered participant can block unrelated publishers for ~333 ms (eProsima/Fast-DDS#6535:
the port's health check waits a third of `healthy_check_timeout_ms`). On the brain that is a
late `controller/cmd_vel` and a watchdog latch whenever a new ROS process joins the graph (the
bench's user node, a `ros2 topic list`; bench/brain_bench.py, condition `churn`). The brain's
messages are small (a 360-beam scan is 1.5 kB), so loopback UDP costs about the same CPU.

How UDP only is reached depends on the discovery range, because rmw_fastrtps's LOCALHOST mode
*always* adds a shared-memory transport, ignoring FASTDDS_BUILTIN_TRANSPORTS and any XML
profile's transports (checked on the Kilted wheels: a LOCALHOST participant has `dds.shm.*`
threads whatever those say):

* LOCALHOST (what `robot-brain demo` and the tests use): the brain's processes run with
  ROS_AUTOMATIC_DISCOVERY_RANGE=SYSTEM_DEFAULT, under which rmw leaves discovery and transport
  to Fast DDS, and FASTDDS_DEFAULT_PROFILES_FILE = the packaged robot_brain/data/
  fastdds_udp_loopback.xml: UDPv4 on 127.0.0.1, no multicast, peers 127.0.0.1. The same reach
  as LOCALHOST, so ordinary LOCALHOST participants (a ros2 command, a tool, the tests' probes)
  and the brain still find each other; they exchange data over UDP.
* any other range (SUBNET, the ROS default, for a robot watched from another machine):
  FASTDDS_BUILTIN_TRANSPORTS=UDPv4, which rmw honours there.

Nothing the user chose is replaced: with FASTDDS_BUILTIN_TRANSPORTS, a profiles file,
ROS_STATIC_PEERS or another RMW set, the brain takes the environment as it is.
"""

from __future__ import annotations

from typing import Mapping

from robot_brain.core.resources import package_file

#: The packaged participant profile for a LOCALHOST brain over UDP.
LOOPBACK_PROFILE = package_file("data", "fastdds_udp_loopback.xml")

#: What brain_dds_settings may set.
DDS_VARIABLES = ("FASTDDS_BUILTIN_TRANSPORTS", "FASTDDS_DEFAULT_PROFILES_FILE")
#: Variables whose presence means the user configured Fast DDS (or another RMW) themselves.
_USER_CHOICES = ("FASTDDS_BUILTIN_TRANSPORTS", "FASTDDS_DEFAULT_PROFILES_FILE",
                 "FASTRTPS_DEFAULT_PROFILES_FILE", "ROS_STATIC_PEERS")


def brain_dds_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The variables to set on top of `env` for the brain's processes (see the module)."""
    if not env.get("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp").startswith("rmw_fastrtps"):
        return {}
    if any(env.get(k) for k in _USER_CHOICES):
        return {}
    if env.get("ROS_AUTOMATIC_DISCOVERY_RANGE", "").upper() == "LOCALHOST":
        return {"ROS_AUTOMATIC_DISCOVERY_RANGE": "SYSTEM_DEFAULT",
                "FASTDDS_DEFAULT_PROFILES_FILE": str(LOOPBACK_PROFILE)}
    return {"FASTDDS_BUILTIN_TRANSPORTS": "UDPv4"}
