"""Decoding what the live view serves, the way a Foxglove client does: from the advertised
schema only (protobuf FileDescriptorSet, ros2msg text for CDR, JSON)."""

from __future__ import annotations

import json
from typing import Any, Callable

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from mcap_ros2._dynamic import generate_dynamic


def decoder(schema_name: str, schema_encoding: str, schema: bytes,
            message_encoding: str) -> Callable[[bytes], Any]:
    """A function payload -> decoded message for one advertised channel."""
    if message_encoding == "protobuf" and schema_encoding == "protobuf":
        fds = descriptor_pb2.FileDescriptorSet.FromString(schema)
        pool = descriptor_pool.DescriptorPool()
        for fd in fds.file:
            pool.Add(fd)
        cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(schema_name))
        return cls.FromString
    if message_encoding == "cdr" and schema_encoding == "ros2msg":
        types = generate_dynamic(schema_name, schema.decode())
        return types[schema_name]
    if message_encoding == "json":
        return lambda payload: json.loads(payload)
    raise ValueError(f"no decoder for {schema_name} ({schema_encoding}, {message_encoding})")
