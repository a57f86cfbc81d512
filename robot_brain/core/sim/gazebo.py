"""The Gazebo door's decisions that need neither ROS nor Gazebo (launch/gazebo.launch.py).

* The world the launch starts: its name (`ros_gz_sim create -world <name>` spawns into that
  world and no other that answers on the partition) and the robot's start frame, which
  scripts/make_gazebo_world.py writes from the world file's `start`.
* The gz-transport partition: gz sim, `create` and the bridge find each other by multicast
  discovery, so two launches on one network (two users, a CI job next to a desk) would share
  one simulation unless each has its own GZ_PARTITION. The default is unique per launch.
* What a failed or hung spawn means, in one line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from robot_brain.core.errors import ConfigurationError, StartupError

#: World frame written by scripts/make_gazebo_world.py at the world file's `start`.
ROBOT_START_FRAME = "robot_start"
#: The ROS packages the Gazebo door runs, and what to install for them.
#: (robot_state_publisher is used where installed, the brain's `description` node otherwise.)
ROS_GZ_PACKAGES = ("ros_gz_sim", "ros_gz_bridge")
INSTALL_HINT = ("install ros_gz for your distribution (sudo apt install ros-$ROS_DISTRO-ros-gz)"
                " and source it; see docs/gazebo.md")


class GazeboWorldError(ConfigurationError):
    """A world SDF the launch cannot spawn into: unreadable, unnamed, without a start."""


class PartitionError(ConfigurationError):
    """A GZ_PARTITION gz-transport would refuse."""


class SpawnError(StartupError):
    """The robot could not be spawned: the brain would run without a robot."""


@dataclass(frozen=True)
class GazeboWorld:
    name: str
    #: x, y, yaw of the robot_start frame, as written (strings for the `create` command line).
    start: tuple[str, str, str] | None


def read_world(path: str) -> GazeboWorld:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise GazeboWorldError(f"world {path}: cannot be read ({exc})") from exc
    world = root.find("world")
    name = world.get("name", "").strip() if world is not None else ""
    if not name:
        raise GazeboWorldError(f"world {path}: no <world name='...'>; gz sim and "
                               "`ros_gz_sim create -world` need one")
    start = None
    for frame in root.iter("frame"):
        if frame.get("name") == ROBOT_START_FRAME:
            values = (frame.findtext("pose") or "").split()
            if len(values) == 6:
                start = (values[0], values[1], values[5])
    return GazeboWorld(name, start)


def spawn_pose(world: GazeboWorld, path: str, x: str, y: str, yaw: str
               ) -> tuple[str, str, str]:
    """The spawn pose: each of x, y, yaw as given, or else the world's start."""
    if x and y and yaw:
        return x, y, yaw
    if world.start is None:
        raise GazeboWorldError(f"world {path}: no <frame name='{ROBOT_START_FRAME}'> with a "
                               "6-value pose; pass x:=, y:= and yaw:=")
    return x or world.start[0], y or world.start[1], yaw or world.start[2]


def default_partition(host: str, pid: int) -> str:
    """A partition of this launch alone: the host and the launch's process id."""
    safe_host = re.sub(r"[^A-Za-z0-9_.-]", "_", host) or "host"
    return f"robot_brain_{safe_host}_{pid}"


def check_partition(partition: str) -> str:
    """`partition` if gz-transport accepts it (TopicUtils::IsValidPartition), else raise."""
    bad = [what for what, found in (
        ("empty", not partition), ("'/' alone", partition == "/"),
        ("a '~'", "~" in partition), ("a space", " " in partition),
        ("'//'", "//" in partition), ("an '@'", "@" in partition),
        ("':='", ":=" in partition), ("more than 65535 characters", len(partition) > 65535),
    ) if found]
    if bad:
        raise PartitionError(f"gz_partition:={partition!r} is not a valid gz-transport "
                             f"partition ({', '.join(bad)})")
    return partition


def spawn_failure(model: str, world: str, returncode: int | None, timeout_s: float) -> str:
    """The one line that ends the launch when the robot is not in the world."""
    if returncode is None:
        return (f"spawning '{model}' into world '{world}' did not finish within "
                f"{timeout_s:g} s (is gz sim running on this GZ_PARTITION, with that world?); "
                "stopping: the brain must not run without its robot")
    return (f"spawning '{model}' into world '{world}' failed: ros_gz_sim create exited with "
            f"code {returncode} (its output is above); stopping: the brain must not run "
            "without its robot")
