"""A Foxglove WebSocket protocol client for tests, on the `websockets` library.

The library does the WebSocket framing; this only speaks the protocol's JSON control messages
(serverInfo, advertise, subscribe) and splits its binary messageData (op 0x01: subscription id,
log time, payload).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
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
    stack: contextlib.ExitStack
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
        stack = contextlib.ExitStack()
        ws = stack.enter_context(connect(url, sock=sock, subprotocols=[SUBPROTOCOL],
                                         max_size=None, max_queue=max_queue, open_timeout=10))
        return FoxgloveClient(ws, stack)

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
            self.stack.close()
        except Exception:  # noqa: BLE001 - a test's cleanup must not mask its failure
            pass


STALLED_CLIENT_USAGE = "python -m test.ros.foxglove_client stall URL"


def start_stalled_client(url: str) -> subprocess.Popen[str]:
    """A client process that subscribes to every channel and then stops reading: it stops
    itself (SIGSTOP) with a 4 kB receive buffer, so the server meets a peer that takes nothing.
    After SIGCONT it drains for 2 s and prints how many messages it then got.

    Returns once it has subscribed (and stopped)."""
    proc = subprocess.Popen([sys.executable, "-m", "test.ros.foxglove_client", "stall", url],
                            stdout=subprocess.PIPE, text=True,
                            cwd=str(Path(__file__).resolve().parents[2]))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("subscribed"):
        proc.kill()
        raise AssertionError(f"stalled client did not subscribe: {line!r}")
    deadline = time.monotonic() + 10.0
    while _state(proc.pid) != "T":
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("stalled client did not stop itself")
        time.sleep(0.05)
    return proc


def resume_stalled_client(proc: subprocess.Popen[str]) -> int:
    """SIGCONT, let it drain, return how many messages it got after resuming (-1 if none)."""
    proc.send_signal(signal.SIGCONT)
    out, _ = proc.communicate(timeout=30)
    m = [line for line in out.splitlines() if line.startswith("drained")]
    return int(m[0].split()[1]) if m else -1


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def _stall(url: str) -> int:
    client = FoxgloveClient.open(url, rcvbuf=4096, max_queue=1)
    client.wait(lambda: bool(client.channels), 10.0, "advertisements")
    time.sleep(0.5)  # all advertisements in
    while client.pump(0.05):
        pass
    client.subscribe(list(client.channels))
    print("subscribed", len(client.channels), flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
    n = 0
    end = time.monotonic() + 2.0
    try:
        while time.monotonic() < end:
            n += int(client.pump(0.1))
    except Exception as exc:  # noqa: BLE001 - the server may have dropped us: report it
        print("closed", repr(exc), flush=True)
    print("drained", n, flush=True)
    client.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "stall":
        print(STALLED_CLIENT_USAGE, file=sys.stderr)
        sys.exit(2)
    sys.exit(_stall(sys.argv[2]))
