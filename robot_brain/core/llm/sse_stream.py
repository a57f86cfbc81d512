"""One streamed HTTP request (server-sent events or a plain JSON completion), read on a thread.

Kept apart from the openai backend's config and logic so that importing the backend's config
(which the planner does for every registered backend) does not load http.client and ssl.
"""

from __future__ import annotations

import http.client
import json
import queue
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlsplit

_ERROR_BODY_CHARS = 300
#: Most bytes read from one reply, streamed or not. A plan is a few hundred bytes; a server
#: that streams megabytes (a runaway generation, a hostile endpoint) is cut off here instead
#: of being read whole into the planner's memory.
MAX_REPLY_BYTES = 256 * 1024


class SseStream:
    """One streamed HTTP request, read on a daemon thread into a queue of events."""

    def __init__(self, url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> None:
        parts = urlsplit(url)
        self._path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn_cls: Any = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        kwargs: dict[str, Any] = {"timeout": timeout_s}
        if parts.scheme == "https":
            kwargs["context"] = ssl.create_default_context()
        self._conn: http.client.HTTPConnection = conn_cls(parts.hostname, parts.port, **kwargs)
        self._body = body
        self._headers = headers
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="openai-stream", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._conn.request("POST", self._path, body=self._body, headers=self._headers)
            resp = self._conn.getresponse()
            if resp.status >= 400:
                text = resp.read(4096).decode("utf-8", "replace").strip()
                self.events.put(("http_error", (resp.status, text[:_ERROR_BODY_CHARS])))
                return
            budget = MAX_REPLY_BYTES
            plain: list[str] = []  # a server that ignored stream=true: one JSON completion
            while True:
                raw = resp.readline(budget + 1)
                if not raw:
                    break
                budget -= len(raw)
                if budget < 0:
                    self.events.put(("error", "backend error: reply larger than "
                                              f"{MAX_REPLY_BYTES} bytes; cut off"))
                    return
                line = raw.decode("utf-8", "replace").strip()
                if plain or line.startswith(("{", "[")):
                    plain.append(line)
                    continue
                if not line.startswith("data:"):
                    continue  # comments, event names, keep-alives, blank separators
                data = line[5:].strip()
                if data == "[DONE]":
                    self.events.put(("done", None))
                    return
                self.events.put(("data", json.loads(data)))
            if plain:
                self.events.put(("complete", json.loads("\n".join(plain))))
                return
            self.events.put(("eof", None))
        except json.JSONDecodeError as exc:
            self.events.put(("error", f"backend error: bad stream chunk: {exc}"))
        except (OSError, http.client.HTTPException) as exc:
            if not self._closed.is_set():
                self.events.put(("error", f"connection error: {type(exc).__name__}: {exc}"))
        finally:
            self._conn.close()

    def close(self) -> None:
        """Stop reading now: shutting the socket down unblocks the reader thread's recv."""
        self._closed.set()
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
