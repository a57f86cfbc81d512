"""A Foxglove WebSocket protocol client for tests, on the `websockets` library.

The library does the WebSocket framing; this only speaks the protocol's JSON control messages
(serverInfo, advertise, subscribe) and splits its binary messageData (op 0x01: subscription id,
log time, payload).
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlparse

from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from test.live_decode import decoder

SUBPROTOCOL = Subprotocol("foxglove.sdk.v1")
OP_MESSAGE_DATA = 0x01


@dataclass
class Advertised:
    id: int
    topic: str
    encoding: str
    schema_name: str
    schema_encoding: str
    schema: bytes

    @staticmethod
    def from_json(c: dict[str, Any]) -> Advertised:
        enc = c.get("schemaEncoding", "")
        raw = c.get("schema", "")
        # Binary schema encodings (protobuf, flatbuffer) are base64 in the advertisement.
        data = base64.b64decode(raw) if enc in ("protobuf", "flatbuffer") else raw.encode()
        return Advertised(c["id"], c["topic"], c["encoding"], c["schemaName"], enc, data)

    def decoder(self) -> Callable[[bytes], Any]:
        return decoder(self.schema_name, self.schema_encoding, self.schema, self.encoding)


@dataclass
class FoxgloveClient:
    ws: ClientConnection
    channels: dict[int, Advertised] = field(default_factory=dict)
    server_info: dict[str, Any] | None = None
    statuses: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: dict[int, int] = field(default_factory=dict)  # subscription id -> channel
    received: dict[int, list[tuple[int, bytes]]] = field(default_factory=dict)  # by channel

    @staticmethod
    def open(url: str, rcvbuf: int | None = None, max_queue: int | None = 16) -> FoxgloveClient:
        """Connect; `rcvbuf`: a small kernel receive buffer (a client that stops reading then
        pushes back on the server within a few kB instead of megabytes)."""
        sock = None
        if rcvbuf is not None:
            u = urlparse(url)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            sock.connect((u.hostname, u.port))
        ws = connect(url, sock=sock, subprotocols=[SUBPROTOCOL], max_size=None,
                     max_queue=max_queue, open_timeout=10)
        return FoxgloveClient(ws)

    def pump(self, timeout: float) -> bool:
        """Handle one incoming message; False when none came within `timeout`."""
        try:
            data = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return False
        if isinstance(data, bytes):
            if data and data[0] == OP_MESSAGE_DATA:
                sub, log_time = struct.unpack_from("<IQ", data, 1)
                channel = self.subscriptions.get(sub)
                if channel is not None:
                    self.received.setdefault(channel, []).append((log_time, data[13:]))
            return True
        msg = json.loads(data)
        op = msg.get("op")
        if op == "serverInfo":
            self.server_info = msg
        elif op == "advertise":
            for c in msg["channels"]:
                self.channels[c["id"]] = Advertised.from_json(c)
        elif op == "unadvertise":
            for cid in msg["channelIds"]:
                self.channels.pop(cid, None)
        elif op == "status":
            self.statuses.append(msg)
        return True

    def wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        end = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > end:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            self.pump(0.2)

    def subscribe(self, channel_ids: list[int]) -> None:
        subs = []
        for cid in channel_ids:
            sid = len(self.subscriptions) + 1
            self.subscriptions[sid] = cid
            subs.append({"id": sid, "channelId": cid})
        self.ws.send(json.dumps({"op": "subscribe", "subscriptions": subs}))

    def by_topic(self) -> dict[str, Advertised]:
        return {c.topic: c for c in self.channels.values()}

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - a test's cleanup must not mask its failure
            pass
