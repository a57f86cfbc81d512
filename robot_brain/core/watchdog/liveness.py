"""Which nodes still report on /diagnostics: a silent node is a warning, never a stop."""

from __future__ import annotations

import math

from robot_brain.core.health import HealthReport, Level
from robot_brain.core.watchdog.deadline import WatchdogConfigError


class NodeLiveness:
    """Last `/diagnostics` receipt per reporting node; a silent node is a warning, never a stop.

    Bounded: at most `max_nodes` are tracked (the oldest entry is forgotten beyond that).
    """

    def __init__(self, timeout_s: float, max_nodes: int = 256) -> None:
        if not math.isfinite(timeout_s) or timeout_s <= 0.0:
            raise WatchdogConfigError(f"stale_node_timeout_s must be positive, got {timeout_s}")
        self.timeout_s = timeout_s
        self.max_nodes = max_nodes
        self._last_seen: dict[str, float] = {}

    def report(self, now: float, key: str) -> None:
        if not key:
            return
        self._last_seen.pop(key, None)  # re-insert: dict order = least recently seen first
        self._last_seen[key] = now
        while len(self._last_seen) > self.max_nodes:
            del self._last_seen[next(iter(self._last_seen))]

    def stale(self, now: float) -> list[str]:
        return sorted(k for k, t in self._last_seen.items() if now - t > self.timeout_s)

    def health(self, now: float) -> HealthReport:
        stale = self.stale(now)
        values: dict[str, object] = {"tracked_nodes": len(self._last_seen),
                                     "stale_nodes": ",".join(stale) or "-"}
        if stale:
            return HealthReport("node liveness", Level.WARN,
                                f"no /diagnostics for > {self.timeout_s:g} s from: "
                                + ", ".join(stale), values)
        return HealthReport("node liveness", Level.OK,
                            f"{len(self._last_seen)} nodes reporting", values)
