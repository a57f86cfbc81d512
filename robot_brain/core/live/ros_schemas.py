"""ros2msg schema texts of the passed-through topics, from the rosbags type store.

The text is the concatenated definition rosbag2 MCAP and foxglove_bridge carry (the type's
fields, then each nested type after a `MSG: pkg/Name` separator), so Foxglove decodes the
bridge's CDR exactly as it decodes a recorded bag's.
"""

from __future__ import annotations

from functools import lru_cache

from rosbags.typesys.store import Typestore

from robot_brain.core.report.bag import default_typestore


class UnknownSchemaError(LookupError):
    """A message type the type store has no definition for."""


@lru_cache(maxsize=None)
def ros2msg_schema(msgtype: str) -> bytes:
    """The ros2msg definition of 'pkg/msg/Name' as UTF-8 bytes."""
    store = _store()
    if msgtype not in store.fielddefs:
        raise UnknownSchemaError(f"no message definition for {msgtype} in the rosbags type "
                                 "store")
    text, _ = store.generate_msgdef(msgtype, ros_version=2)
    return text.encode("utf-8")


@lru_cache(maxsize=1)
def _store() -> Typestore:
    return default_typestore()
