"""Writing a rosbag2 bag (MCAP or sqlite3) message by message with `rosbags`, crash-tolerant.

Messages go to the storage as they come. With MCAP, rosbags buffers up to 1 MiB in an open
chunk; `flush()` closes that chunk and pushes it to the file, so a recorder that is killed
loses at most what arrived since the last flush, and the report can still stream the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Sequence

from rosbags.interfaces import Connection, Qos
from rosbags.rosbag2 import StoragePlugin, Writer, WriterError
from rosbags.typesys.store import Typestore

from robot_brain.core.report.bag import default_typestore

STORAGES: dict[str, StoragePlugin] = {"mcap": StoragePlugin.MCAP,
                                      "sqlite3": StoragePlugin.SQLITE3}
#: rosbag2 metadata version written (9: Jazzy and later read it; rosbags' newest).
BAG_VERSION: Literal[9] = 9


class BagWriteError(RuntimeError):
    """The bag cannot be created or written; the message names the path."""


class UnknownTypeError(BagWriteError):
    """A message type without a definition in the typestore: its topic cannot be recorded."""


class BagWriter:
    def __init__(self, path: Path, storage: str = "mcap",
                 typestore: Typestore | None = None) -> None:
        if storage not in STORAGES:
            raise BagWriteError(f"storage '{storage}' is not one of {sorted(STORAGES)}")
        self.path = Path(path)
        self.storage = storage
        self._typestore = typestore or default_typestore()
        self._connections: dict[str, Connection] = {}
        self.counts: dict[str, int] = {}
        if self.path.exists():
            raise BagWriteError(f"{self.path} exists already; a bag is never overwritten")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer: Writer | None = Writer(self.path, version=BAG_VERSION,
                                                 storage_plugin=STORAGES[storage])
            self._writer.open()
        except (OSError, WriterError) as exc:
            raise BagWriteError(f"cannot create bag {self.path}: {exc}") from exc

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    def knows_type(self, msgtype: str) -> bool:
        return msgtype in self._typestore.fielddefs

    def has_topic(self, topic: str) -> bool:
        return topic in self._connections

    def add_topic(self, topic: str, msgtype: str, offered_qos: Sequence[Qos] = ()) -> None:
        if self._writer is None:
            raise BagWriteError(f"bag {self.path} is closed")
        if not self.knows_type(msgtype):
            raise UnknownTypeError(f"message type '{msgtype}' of topic {topic} has no "
                                   "definition in the rosbags typestore")
        self._connections[topic] = self._writer.add_connection(
            topic, msgtype, typestore=self._typestore, offered_qos_profiles=list(offered_qos))
        self.counts[topic] = 0

    def write(self, topic: str, t_ns: int, raw: bytes | memoryview) -> None:
        if self._writer is None:
            return
        self._writer.write(self._connections[topic], t_ns, raw)
        self.counts[topic] += 1

    def flush(self) -> None:
        """Move buffered messages to the file (MCAP: close the open chunk, if any)."""
        if self._writer is None:
            return
        storage: Any = self._writer.storage
        chunk = getattr(storage, "chunk", None)
        # rosbags' MCAP storage has no public flush: close_chunk is what close() itself uses.
        if chunk is not None and chunk.msgs and hasattr(storage, "close_chunk"):
            storage.close_chunk()
        bio = getattr(storage, "bio", None)
        if bio is not None:
            bio.flush()
        conn = getattr(storage, "conn", None)
        if conn is not None:
            conn.commit()

    def close(self) -> None:
        """Write the index, summary and metadata.yaml; idempotent."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
