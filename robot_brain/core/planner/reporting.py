"""What the planner reports: planner/status (StatusRecord), its counters and its health.

The session writes what happened (the message, the error flag, the last reply, the route's
reason) into a PlannerReport; the report turns that into the status and the health the node
publishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from robot_brain.core.health import HealthReport, Level
from robot_brain.core.llm.types import LlmReply
from robot_brain.core.planner.backend_pool import BackendPool, PoolNote
from robot_brain.core.planner.executive import ExecEvent, ExecOutput
from robot_brain.core.planner.gate.counters import GateCounters
from robot_brain.core.planner.gate.gate import GateVerdict
from robot_brain.core.planner.messages import StatusRecord
from robot_brain.core.planner.skills import Step
from robot_brain.core.timing.stats import RollingWindow


@dataclass
class PlannerCounters:
    requests: int = 0
    accepted: int = 0
    rejected: int = 0
    superseded: int = 0
    failures: int = 0
    restarts: int = 0
    latency: RollingWindow = field(default_factory=lambda: RollingWindow(200))
    #: Plans started, by the tier that made them (stop_word, vertical, llm, power).
    by_tier: dict[str, int] = field(default_factory=dict)
    #: The plan gate's decisions (every accepted plan passes it).
    gate: GateCounters = field(default_factory=GateCounters)

    def health(self, status: Mapping[str, Any], start_failures: Mapping[str, str],
               accelerator_on: bool) -> HealthReport:
        """ERROR while a backend cannot start (naming why), WARN in state 'error'."""
        level = Level.OK
        message = str(status.get("message", ""))
        if start_failures:
            level = Level.ERROR
            message = "; ".join(start_failures.values())
        elif status.get("state") == "error":
            level = Level.WARN
        values: dict[str, object] = {
            "state": status.get("state", "idle"), "backend": status.get("backend", ""),
            "mode": status.get("mode", "unknown"), "requests": self.requests,
            "plans_accepted": self.accepted, "plans_rejected": self.rejected,
            "replies_superseded": self.superseded, "backend_failures": self.failures,
            "worker_restarts": self.restarts, "accelerator_on": accelerator_on,
            "latency_p50_s": self.latency.percentile(50),
            "latency_p99_s": self.latency.percentile(99),
            **{f"plans_by_tier.{t}": n for t, n in sorted(self.by_tier.items())},
            **self.gate.values(),
        }
        return HealthReport("planner", level, message, values)


@dataclass
class PlannerReport:
    last_backend: str  # the backend of the last request (the preferred one before any)
    counters: PlannerCounters = field(default_factory=PlannerCounters)
    message: str = "waiting for an instruction"
    error: bool = False  # the state is 'error' until the next instruction
    instruction: str = ""
    route_reason: str = ""
    mode: str = "unknown"
    last_reply: LlmReply | None = None
    last_status: dict[str, Any] | None = None
    _last_record: StatusRecord | None = field(default=None, init=False, repr=False)
    tier: str = ""  # which cascade tier answered the latest instruction
    gate: GateVerdict | None = None  # the plan gate's decision on the latest plan

    def count_plan(self, accepted: bool, tier: str, reason: str) -> None:
        """A plan record went out: counted, by tier when accepted; a rejection is the news."""
        if accepted:
            self.counters.accepted += 1
            self.counters.by_tier[tier] = self.counters.by_tier.get(tier, 0) + 1
        else:
            self.counters.rejected += 1
            self.message = f"plan rejected: {reason}"

    def gate_decided(self, verdict: GateVerdict | None) -> None:
        """The plan gate's decision on the plan being started (None: nothing reached it)."""
        self.gate = verdict
        if verdict is not None:
            self.counters.gate.count(verdict)

    def pool_note(self, note: PoolNote) -> str:
        """Take what the backend pool reported; returns the log line."""
        if note.message is not None:
            self.message = note.message
        if note.error:
            self.error = True
        return note.log

    def executive_event(self, ev: ExecEvent) -> str:
        """Take a step's start or end; returns the log line."""
        if ev.kind == "step_failed":
            self.message = ev.message
        elif ev.kind == "plan_done":
            self.message = f"plan done: {ev.message}"
        elif ev.kind == "step_started":
            self.message = f"step {ev.step_index + 1}: {ev.message}"
        return f"{ev.kind}: {ev.message}"

    def status(self, pool: BackendPool, out: ExecOutput, step: Step | None,
               thinking: str | None, pending: bool, request_id: int) -> StatusRecord:
        """`thinking`: the backend of the request in flight, if any."""
        if thinking is not None:
            state, backend = "thinking", thinking
        elif out.step_index is not None:
            state, backend = "executing", self.last_backend
        else:
            state, backend = ("error" if self.error else "idle"), self.last_backend
        last, c = self.last_reply, self.counters
        return StatusRecord(
            state=state, backend=backend,
            locality=pool.locality(backend) if thinking is not None else "none",
            accelerator_on=pool.accelerator_on, model=pool.model(backend),
            request_id=request_id, mode=self.mode, route_reason=self.route_reason,
            last_latency_s=float(last.latency_s) if last else None,
            tokens=int(last.tokens) if last else 0,
            generation_time_s=float(last.generation_time_s) if last else None,
            worker_restarts=c.restarts, message=self.message, instruction=self.instruction,
            pending=pending, step_index=out.step_index, step_count=out.step_count,
            step=step.describe() if step is not None else "", outcome=out.outcome,
            plans_accepted=c.accepted, plans_rejected=c.rejected,
            replies_superseded=c.superseded, tier=self.tier,
            gate=self.gate.decision.value if self.gate is not None else "",
            gate_reason=self.gate.reason if self.gate is not None else "",
            plans_held=c.gate.held)

    def changed(self, status: StatusRecord) -> bool:
        """Remember `status`; whether it differs from the one before.

        Called every tick: the record is compared first (a tuple comparison) and turned into
        JSON only when it differs, which the dataclass conversion made 3/4 of a tick."""
        if self._last_record is not None and status == self._last_record:
            return False
        self._last_record = status
        payload = status.to_json()
        changed = payload != self.last_status
        self.last_status = payload
        return changed

    def health(self, pool: BackendPool) -> HealthReport:
        return self.counters.health(self.last_status or {}, pool.start_failures,
                                    pool.accelerator_on)
