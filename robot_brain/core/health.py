"""Health levels and reports, mapped 1:1 onto diagnostic_msgs/DiagnosticStatus by the nodes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping


class Level(enum.IntEnum):
    OK = 0
    WARN = 1
    ERROR = 2
    STALE = 3


@dataclass(frozen=True)
class HealthReport:
    name: str
    level: Level
    message: str
    values: Mapping[str, object] = field(default_factory=dict)
