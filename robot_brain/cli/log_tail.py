"""Echoing a node's log file, line by line, as it grows."""

from __future__ import annotations

from pathlib import Path
from typing import IO


class LogTail:
    """Echo new lines of a node's log file with a `[node]` prefix, as ros2 launch does."""

    def __init__(self, label: str, path: Path, out: IO[str] | None) -> None:
        self.label = label
        self.path = path
        self.out = out
        self._pos = 0
        self._partial = b""

    def pump(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self._pos)
                data = f.read()
                self._pos = f.tell()
        except OSError:
            return
        if not data or self.out is None:
            return
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            self.out.write(f"[{self.label}] {line.decode(errors='replace')}\n")
        self.out.flush()

    def last_lines(self, n: int = 15) -> str:
        try:
            text = self.path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-n:])
