"""What the gate decided, counted for planner/status and the planner's /diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field

from robot_brain.core.planner.gate.gate import GateVerdict


@dataclass
class GateCounters:
    checked: int = 0   # plans that reached the gate (every accepted plan)
    held: int = 0      # of which held: stop + say instead
    #: Held plans by cause: a cue category (negation, prohibition, correction, hazard,
    #: conditional, question, stay, deferral), unconfirmed or unreadable.
    held_by: dict[str, int] = field(default_factory=dict)

    def count(self, verdict: GateVerdict) -> None:
        self.checked += 1
        if verdict.holds:
            self.held += 1
            self.held_by[verdict.cause] = self.held_by.get(verdict.cause, 0) + 1

    def values(self) -> dict[str, object]:
        """Diagnostic key/values: gate_checked, gate_held, gate_held.<cause>."""
        return {"gate_checked": self.checked, "gate_held": self.held,
                **{f"gate_held.{k}": n for k, n in sorted(self.held_by.items())}}
