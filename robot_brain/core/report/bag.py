"""Streaming a rosbag2 bag (MCAP or sqlite3) one message at a time, damaged bags included.

An intact bag is read with `rosbags` (its metadata.yaml and the storage's index). A bag that
was not closed (no metadata.yaml, an MCAP file without footer) or was cut short is read
sequentially with the `mcap` stream reader up to the first damaged record: what precedes the
damage still makes a partial report. Only the topics the caller asks for are decoded; the rest
are counted. Nothing holds more than one storage chunk in memory.
"""

from __future__ import annotations

import sqlite3
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator

from mcap.exceptions import McapError
from mcap.records import Channel as McapChannel
from mcap.records import Message as McapMessage
from mcap.records import Schema as McapSchema
from mcap.stream_reader import StreamReader
from rosbags.rosbag2 import Reader, ReaderError
from rosbags.typesys import Stores, get_typestore
from rosbags.typesys.store import Typestore

#: Largest record the stream reader accepts: a corrupt length must not allocate gigabytes.
MAX_RECORD_BYTES = 256 * 2**20

#: Errors a damaged storage file raises while it is being read.
_DAMAGE_ERRORS: tuple[type[BaseException], ...] = (
    ReaderError, McapError, struct.error, EOFError, ValueError, KeyError, zlib.error,
    MemoryError, IndexError, AssertionError, sqlite3.DatabaseError,
)


class BagReadError(Exception):
    """Nothing could be read from the path; the message says why."""


@dataclass(frozen=True)
class BagMessage:
    """One message: its full topic name, type, log (receipt) time and decoded value or None."""

    topic: str
    msgtype: str
    log_time_ns: int
    msg: object | None


def default_typestore() -> Typestore:
    """The message definitions of the newest ROS 2 release rosbags knows (Kilted, else Jazzy),
    plus robot_brain_interfaces' where its definitions are installed (interface_types)."""
    from robot_brain.core.report.interface_types import register_interface_types
    store = _release_typestore()
    register_interface_types(store)
    return store


def _release_typestore() -> Typestore:
    for store in ("ROS2_KILTED", "ROS2_JAZZY", "LATEST"):
        if hasattr(Stores, store):
            return get_typestore(getattr(Stores, store))
    return get_typestore(Stores.LATEST)  # pragma: no cover - every rosbags has LATEST


class BagSource:
    """Open a bag path and iterate its messages in log order, collecting notes on damage.

    `decode(topic)` says whether a topic's messages are decoded; `notes` lists the problems
    met (damage, unknown types, undecodable messages) for the report to show.
    """

    def __init__(self, path: Path, decode: Callable[[str], bool],
                 typestore: Typestore | None = None) -> None:
        self.path = Path(path)
        self._decode = decode
        self._typestore = typestore or default_typestore()
        self.notes: list[str] = []
        self.topics: dict[str, str] = {}
        self.storage = "unknown"
        self._undecodable: dict[str, int] = {}
        self._unknown_types: set[str] = set()

    def messages(self) -> Iterator[BagMessage]:
        """Every readable message; raises BagReadError only when the bag cannot be opened."""
        if not self.path.exists():
            raise BagReadError(f"{self.path}: no such file or directory")
        bag_dir = self.path if self.path.is_dir() else self.path.parent
        if self.path.is_dir() and not (bag_dir / "metadata.yaml").exists():
            mcaps = sorted(bag_dir.glob("*.mcap"))
            if not mcaps:
                raise BagReadError(
                    f"{self.path}: not a rosbag2 bag (no metadata.yaml and no .mcap file)")
            self.notes.append("no metadata.yaml (the recording was not closed cleanly); "
                              "read the MCAP data sequentially")
            yield from self._stream_files(mcaps)
            return
        if self.path.is_file() and self.path.suffix == ".mcap" \
                and not (bag_dir / "metadata.yaml").exists():
            yield from self._stream_files([self.path])
            return
        if self.path.is_file() and self.path.suffix not in (".mcap", ".db3", ".yaml"):
            raise BagReadError(f"{self.path}: not a rosbag2 bag (expected a bag directory, "
                               "an .mcap or a .db3 file)")
        indexed = bag_dir if (bag_dir / "metadata.yaml").exists() else self.path
        yield from self._read_indexed(indexed)

    def _read_indexed(self, bag_path: Path) -> Iterator[BagMessage]:
        bag_dir = bag_path if bag_path.is_dir() else bag_path.parent
        try:
            reader = Reader(bag_path)
            reader.open()
        except FileNotFoundError as exc:
            raise BagReadError(f"{bag_path}: {exc}") from exc
        except _DAMAGE_ERRORS as exc:
            mcaps = sorted(bag_dir.glob("*.mcap"))
            if not mcaps:
                raise BagReadError(f"{bag_path}: cannot be read ({_describe(exc)})") from exc
            self.notes.append(f"the bag's index cannot be read ({exc}); read the MCAP data "
                              "sequentially up to the damage")
            yield from self._stream_files(mcaps)
            return
        count = 0
        try:
            self.topics = {c.topic: c.msgtype for c in reader.connections}
            self.storage = _storage_name(bag_dir)
            for connection, timestamp, raw in reader.messages():
                count += 1
                yield self._message(connection.topic, connection.msgtype, timestamp, raw)
        except _DAMAGE_ERRORS as exc:
            self.notes.append(f"reading stopped after {count} messages: the bag is damaged "
                              f"({exc})")
        finally:
            try:
                reader.close()
            except _DAMAGE_ERRORS:
                pass
        self._finish_notes()

    def _stream_files(self, files: list[Path]) -> Iterator[BagMessage]:
        self.storage = "mcap"
        for file in files:
            try:
                with file.open("rb") as stream:
                    yield from self._stream_one(file, stream)
            except OSError as exc:
                self.notes.append(f"{file.name}: cannot be read ({exc.strerror or exc})")
        self._finish_notes()

    def _stream_one(self, file: Path, stream: IO[bytes]) -> Iterator[BagMessage]:
        schemas: dict[int, str] = {}
        channels: dict[int, tuple[str, str]] = {}
        count = 0
        reader = StreamReader(stream, record_size_limit=MAX_RECORD_BYTES)
        try:
            for record in reader.records:
                if isinstance(record, McapSchema):
                    schemas[record.id] = record.name
                elif isinstance(record, McapChannel):
                    msgtype = schemas.get(record.schema_id, "")
                    channels[record.id] = (record.topic, msgtype)
                    self.topics.setdefault(record.topic, msgtype)
                elif isinstance(record, McapMessage):
                    topic, msgtype = channels.get(record.channel_id, ("", ""))
                    if not topic:
                        continue
                    count += 1
                    yield self._message(topic, msgtype, record.log_time, record.data)
        except _DAMAGE_ERRORS as exc:
            if count == 0 and not channels:
                self.notes.append(f"{file.name}: unreadable ({_describe(exc)})")
            else:
                self.notes.append(f"{file.name}: truncated or damaged after {count} messages "
                                  f"({_describe(exc)}); the report covers what precedes it")

    def _message(self, topic: str, msgtype: str, timestamp: int,
                 raw: bytes | memoryview) -> BagMessage:
        msg: object | None = None
        if self._decode(topic):
            if msgtype not in self._typestore.fielddefs:
                self._unknown_types.add(msgtype)
            else:
                try:
                    msg = self._typestore.deserialize_cdr(raw, msgtype)
                except Exception:  # noqa: BLE001 - one bad message must not end the report
                    self._undecodable[topic] = self._undecodable.get(topic, 0) + 1
        return BagMessage(topic, msgtype, timestamp, msg)

    def _finish_notes(self) -> None:
        for msgtype in sorted(self._unknown_types):
            self.notes.append(f"message type '{msgtype}' is unknown to the report; its messages "
                              "were counted, not analysed")
        for topic, n in sorted(self._undecodable.items()):
            self.notes.append(f"{n} message(s) on {topic} could not be decoded")
        self._unknown_types.clear()
        self._undecodable.clear()


def _storage_name(bag_dir: Path) -> str:
    if any(bag_dir.glob("*.mcap")):
        return "mcap"
    if any(bag_dir.glob("*.db3")):
        return "sqlite3"
    return "unknown"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
