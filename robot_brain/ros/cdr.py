"""Plain CDR (XCDR1), the layout Fast DDS gives a ROS 2 message on the wire.

A 4-byte encapsulation header (0x00 0x01 = little-endian, 0x00 0x00 = big-endian, then two
option bytes), then the fields in order, each primitive aligned to its own size counted from
the end of that header; a string is a uint32 length that includes the NUL, the bytes, the NUL.

The fast streams' few fields are read and written here with `struct` (odom_cdr, twist_cdr)
because rclpy's conversion between a CDR sample and a Python message object costs more than
what the nodes then do with it (docs/composition.md, "lighter wake-ups").
"""

from __future__ import annotations

import struct

#: Encapsulation header of what this package writes: CDR, little-endian, no options.
LITTLE_ENDIAN_HEADER = b"\x00\x01\x00\x00"
HEADER_SIZE = 4


class CdrError(ValueError):
    """Bytes that are not a serialized sample of the expected type."""


def byte_order(raw: bytes) -> str:
    """The struct byte-order prefix of a plain CDR sample, or CdrError."""
    if len(raw) < HEADER_SIZE or raw[0] != 0 or raw[1] not in (0, 1):
        raise CdrError("not a plain CDR sample (encapsulation header)")
    return "<" if raw[1] == 1 else ">"


def align(pos: int, size: int) -> int:
    return (pos + size - 1) // size * size


def skip_string(raw: bytes, order: str, pos: int) -> int:
    """Position after the string at `pos` (relative to the end of the header)."""
    pos = align(pos, 4)
    (length,) = struct.unpack_from(order + "I", raw, HEADER_SIZE + pos)
    return pos + 4 + length


_STAMP = struct.Struct("<iI")


def encode_stamp(sec: int, nanosec: int) -> bytes:
    """A little-endian builtin_interfaces/Time (int32 sec, uint32 nanosec), or CdrError."""
    try:
        return _STAMP.pack(sec, nanosec)
    except struct.error as exc:
        raise CdrError(f"stamp out of range: {sec} s {nanosec} ns") from exc


def encode_string(text: str, pos: int, next_size: int) -> bytes:
    """A little-endian string at `pos` (already 4-aligned), zero-padded so that the field
    after it, a primitive of `next_size` bytes, starts aligned."""
    data = text.encode("utf-8") + b"\0"
    block = struct.pack("<I", len(data)) + data
    return block + bytes(align(pos + len(block), next_size) - pos - len(block))
