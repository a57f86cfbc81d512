"""geometry_msgs/TwistStamped and Twist as plain CDR bytes, written and read with `struct`.

Every command of the brain crosses two 100 Hz hops (controller -> watchdog -> robot). rclpy's
conversion of a TwistStamped between its Python object and the middleware's form (a header,
a stamp, a twist, two vectors: five Python objects) costs more than the watchdog's whole
decision, on each side of each hop: on the 2-core test machines a 100 Hz subscriber took
6.6–8.6 % of a core with messages and 4.8–5.7 % with bytes (BENCHMARKS.md). Publishing
bytes is `Publisher.publish` with a `bytes` argument (rclpy's publish_raw); subscribing is
`raw=True`.

The layout is plain CDR (robot_brain.ros.cdr): TwistStamped = stamp (int32 sec, uint32
nanosec), frame_id (string), then six float64 (linear x y z, angular x y z) 8-aligned; Twist =
the six float64 alone. test/ros/test_twist_cdr.py checks both against rclpy's serializer.
"""

from __future__ import annotations

import struct
from typing import NamedTuple, Protocol

from robot_brain.ros.cdr import (
    HEADER_SIZE,
    LITTLE_ENDIAN_HEADER,
    CdrError,
    align,
    byte_order,
    encode_stamp,
    encode_string,
    skip_string,
)

__all__ = ["CdrError", "Stamp", "StampLike", "TwistEncoder", "TwistFields", "decode_twist"]


class StampLike(Protocol):
    """builtin_interfaces/Time or Stamp."""

    @property
    def sec(self) -> int: ...

    @property
    def nanosec(self) -> int: ...


class Stamp(NamedTuple):
    sec: int
    nanosec: int

    @staticmethod
    def from_nanoseconds(ns: int) -> Stamp:
        sec, nanosec = divmod(ns, 1_000_000_000)
        return Stamp(sec, nanosec)


class TwistFields(NamedTuple):
    #: The header stamp; None for a Twist, which has no header.
    stamp: Stamp | None
    linear_x: float
    angular_z: float


_SIX = struct.Struct("<6d")
_SIX_BIG = struct.Struct(">6d")


class TwistEncoder:
    """Bytes of a TwistStamped with a fixed frame_id (or of a Twist), linear.x and angular.z
    set, every other component zero."""

    def __init__(self, stamped: bool, frame_id: str = "base_link") -> None:
        self.stamped = stamped
        # Everything between the stamp and the six doubles is fixed: computed once.
        self._frame = encode_string(frame_id, 8, 8) if stamped else b""

    def encode(self, linear_x: float, angular_z: float, stamp: StampLike | None = None) -> bytes:
        twist = _SIX.pack(linear_x, 0.0, 0.0, 0.0, 0.0, angular_z)
        if not self.stamped:
            return LITTLE_ENDIAN_HEADER + twist
        head = encode_stamp(0, 0) if stamp is None else encode_stamp(stamp.sec, stamp.nanosec)
        return LITTLE_ENDIAN_HEADER + head + self._frame + twist


def decode_twist(raw: bytes, stamped: bool) -> TwistFields:
    """The stamp, linear.x and angular.z of a serialized TwistStamped (or Twist)."""
    order = byte_order(raw)
    try:
        stamp = None
        pos = 0
        if stamped:
            sec, nanosec = struct.unpack_from(order + "iI", raw, HEADER_SIZE)
            stamp = Stamp(sec, nanosec)
            pos = align(skip_string(raw, order, 8), 8)
        six = (_SIX if order == "<" else _SIX_BIG).unpack_from(raw, HEADER_SIZE + pos)
    except struct.error as exc:
        kind = "TwistStamped" if stamped else "Twist"
        raise CdrError(f"truncated {kind} sample ({len(raw)} bytes)") from exc
    return TwistFields(stamp, six[0], six[5])
