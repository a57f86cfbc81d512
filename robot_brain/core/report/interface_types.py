"""The brain's own message types (robot_brain_interfaces) for the rosbags type store.

rosbags ships the definitions of the ROS 2 releases' packages (tf2_msgs, action_msgs, ...), not
of robot_brain_interfaces. To record planner/plan_typed and planner/status_typed, to serve them
on the live view and to read them back, the store learns them from the package's `.msg` files:
the installed share directory (found through AMENT_PREFIX_PATH, as the ament index finds it),
else the source tree beside this package. Without either, the typed topics are left out with
the recorder's usual one-line warning; nothing else changes.
"""

from __future__ import annotations

import os
from pathlib import Path

from rosbags.typesys import get_types_from_msg
from rosbags.typesys.store import Typestore

PACKAGE = "robot_brain_interfaces"
#: Messages every install of the package has (the typed planner topics and their parts); the
#: first directory that has them is used, with every other .msg file beside them.
REQUIRED = ("PlanStep", "Plan", "PlannerStatus")
_SOURCE = Path(__file__).resolve().parents[3] / PACKAGE


def definition_dirs(env: dict[str, str] | None = None) -> list[Path]:
    """Where the package's msg/ directory may be: each prefix's share/, then the source."""
    prefixes = (env if env is not None else os.environ).get("AMENT_PREFIX_PATH", "")
    dirs = [Path(p) / "share" / PACKAGE / "msg" for p in prefixes.split(os.pathsep) if p]
    return dirs + [_SOURCE / "msg"]


def interface_definitions(env: dict[str, str] | None = None) -> dict[str, str]:
    """{'robot_brain_interfaces/msg/Name': .msg text} of every message in the first directory
    that has the REQUIRED ones; {} when none does."""
    for directory in definition_dirs(env):
        if all((directory / f"{name}.msg").is_file() for name in REQUIRED):
            return {f"{PACKAGE}/msg/{f.stem}": f.read_text(encoding="utf-8")
                    for f in sorted(directory.glob("*.msg"))}
    return {}


def register_interface_types(store: Typestore, env: dict[str, str] | None = None) -> list[str]:
    """Teach `store` the package's messages (all at once: one may use another); returns the
    type names it learnt."""
    types: dict[str, object] = {}
    for name, text in interface_definitions(env).items():
        if name not in store.fielddefs:
            types.update(get_types_from_msg(text, name))
    store.register(types)  # type: ignore[arg-type]
    return sorted(types)
