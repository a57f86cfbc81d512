"""The planner's logic without ROS: instructions in; requests, plans, goals and status out.

The node feeds it cached inputs and calls `tick(now)` from one timer; everything here is
bounded and non-blocking: the LLM runs in worker processes that this class only submits to
and polls. Request ids increase with every instruction; only a reply to the latest one is
used, anything older is counted as superseded and dropped.

Every decision that has a reason (routing, rejection, cancellation) is kept in text so the
node can put it on planner/status and planner/plan as it is.

Power gating (`SessionConfig.power_gate`): a discrete accelerator idles at several watts even
when nothing runs on it. When the route of the current power mode cannot select a local
backend (eco -> a remote one, critical -> dock), the session stops the local workers (the
accelerator can be powered off) and starts them again when a route needs them; the model then
loads in the new child (~1 s) while the node keeps ticking. Stopping is bounded by
`gate_stop_timeout_s` before the child is terminated, so the tick never waits long.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Protocol

from robot_brain.core.geometry import Pose2D
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.planner.executive import ExecOutput, Executive, Goal, RouteSource
from robot_brain.core.planner.messages import PlanRecord, StatusRecord
from robot_brain.core.planner.prompt import PromptContext, build_prompt, clean_instruction
from robot_brain.core.planner.routing import (
    ROUTE_AUTO,
    BackendEstimate,
    Mode,
    RouteAction,
    RoutingConfig,
    auto_choice,
    expected_time,
    route,
)
from robot_brain.core.planner.skills import Plan, PlanLimits, Skill, Step, dock_plan
from robot_brain.core.planner.validation import PlanValidator
from robot_brain.core.stats import RollingWindow
from robot_brain.core.world import World

#: Instructions that stop the robot at once, without waiting seconds for a model. Compared
#: after lower-casing and removing punctuation and the filler words below.
STOP_WORDS = frozenset({
    "stop", "halt", "freeze", "stopp", "arrête", "arrete", "stoppe", "alto", "para", "pare",
    "fermati", "basta", "стоп", "停", "停止", "止まれ", "emergency stop", "stop stop",
})
_FILLER = frozenset({"please", "now", "robot", "immediately", "bitte", "sofort", "maintenant",
                     "ya", "right"})
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def is_stop_word(text: str) -> bool:
    words = [w for w in _PUNCT.sub(" ", text.lower()).split() if w not in _FILLER]
    return bool(words) and " ".join(words) in STOP_WORDS


class Reply(Protocol):
    request_id: int
    text: str
    backend: str
    model: str
    tokens: int
    generation_time_s: float
    latency_s: float
    error: str | None


class Event(Protocol):
    kind: str
    message: str

    @property
    def reply(self) -> Any: ...


class Worker(Protocol):
    """What the session needs of robot_brain.core.llm.worker.LlmWorker."""

    def submit(self, request: Any) -> None: ...
    def cancel(self, request_id: int) -> None: ...
    def poll(self) -> list[Any]: ...
    @property
    def restarts(self) -> int: ...
    def start(self) -> None: ...
    def stop(self, timeout: float = ...) -> None: ...


@dataclass(frozen=True)
class BackendInfo:
    name: str
    model: str
    locality: str     # 'local' | 'remote'
    power_w: float    # accelerator or modem draw while it works (routing estimate)
    prior_time_s: float


@dataclass(frozen=True)
class SessionConfig:
    limits: PlanLimits
    routing: RoutingConfig
    goal_tolerance: float = 0.3
    step_timeout_s: float = 120.0
    request_timeout_s: float = 20.0
    max_tokens: int = 256
    temperature: float = 0.0
    #: After a backend error (timeout, connection) routing avoids that backend this long.
    unavailable_s: float = 30.0
    stop_words: bool = True
    #: Stop local workers while the current mode's route needs none (accelerator off).
    power_gate: bool = False
    #: How long a gated stop waits for the child to exit by itself before terminating it.
    gate_stop_timeout_s: float = 0.05
    #: Intermediate waypoints of a routed motion step count as passed within this (m).
    waypoint_tolerance: float = 0.35


@dataclass(frozen=True)
class TickOutput:
    goal: Goal | None
    hold: bool
    say: tuple[str, ...]
    plans: tuple[PlanRecord, ...]
    status: StatusRecord
    status_changed: bool
    log: tuple[str, ...]


@dataclass
class _InFlight:
    request_id: int
    backend: str
    instruction: str
    submitted_at: float
    route_reason: str


@dataclass
class _Pending:
    request_id: int
    instruction: str
    received_at: float


@dataclass
class _Counters:
    requests: int = 0
    accepted: int = 0
    rejected: int = 0
    superseded: int = 0
    failures: int = 0
    restarts: int = 0
    latency: RollingWindow = field(default_factory=lambda: RollingWindow(200))


class PlannerSession:
    def __init__(self, world: World, config: SessionConfig, workers: Mapping[str, Worker],
                 backends: Mapping[str, BackendInfo], stopped: Iterable[str] = (),
                 route_planner: RouteSource | None = None) -> None:
        """`stopped`: workers the caller did not start (power gating at start-up);
        `route_planner`: waypoints for motion steps (None = the step's target directly)."""
        config.routing.check()
        missing = [n for n in config.routing.backends_needed() if n not in workers]
        if missing:
            raise ValueError(f"routing needs backend(s) {missing} but no worker was given")
        self.world = world
        self.config = config
        self.workers = dict(workers)
        self.backends = dict(backends)
        self.validator = PlanValidator(world, config.limits)
        self.executive = Executive(config.goal_tolerance, config.step_timeout_s, route_planner,
                                   config.waypoint_tolerance)
        self.mode: Mode | None = None
        self.scene: Mapping[str, Any] | None = None
        self.pose: Pose2D | None = None
        self.battery: float | None = None
        self._next_id = 0
        self._latest_id = 0
        self._in_flight: _InFlight | None = None
        self._pending: _Pending | None = None
        self._last_request_at: float | None = None
        self._times: dict[str, deque[float]] = {n: deque(maxlen=20) for n in workers}
        self._unavailable_until: dict[str, float] = {}
        #: Backends whose worker died before it was ready (load or self-test): why.
        self._start_failures: dict[str, str] = {}
        self._gated_off: set[str] = {n for n in stopped if n in self.workers}
        self._powering_on: set[str] = set()
        self._plans: list[PlanRecord] = []
        self._log: list[str] = []
        self._instruction = ""
        self._route_reason = ""
        self._message = "waiting for an instruction"
        self._error = False
        self._last_backend = config.routing.preferred
        self._last_latency: float | None = None
        self._last_tokens = 0
        self._last_generation: float | None = None
        self._last_status: dict[str, Any] | None = None
        self._last_exec: ExecOutput | None = None
        self.counters = _Counters()

    # -- inputs (the node's subscription callbacks only cache; these only store) ------------

    def set_pose(self, pose: Pose2D) -> None:
        self.pose = pose

    def set_scene(self, scene: Mapping[str, Any]) -> None:
        self.scene = scene

    def set_battery(self, fraction: float | None) -> None:
        self.battery = fraction

    def set_mode(self, text: str, now: float) -> None:
        mode = Mode.parse(text)
        if mode is None:
            self._log.append(f"ignoring unknown power mode {text[:20]!r}")
            return
        if mode is self.mode:
            return
        self.mode = mode
        decision = route(mode, self.config.routing, self._estimates(now), now,
                         self._last_request_at)
        self._route_reason = decision.reason
        if decision.action is RouteAction.DOCK:
            self._enter_dock(now, decision.reason)
        self._gate(now)

    def on_instruction(self, text: str, now: float) -> int:
        """Take a new instruction; it replaces whatever was planned or running. Returns its id."""
        instruction = clean_instruction(text)
        self._next_id += 1
        rid = self._latest_id = self._next_id
        self._instruction = instruction
        self._error = False
        self._cancel_in_flight("superseded by a newer instruction")
        self._pending = None
        self.executive.cancel("new instruction")
        if not instruction:
            self._reject_without_llm(rid, "", "empty instruction", "")
            return rid
        if self.config.stop_words and is_stop_word(instruction):
            plan = Plan((Step(Skill.STOP),))
            self._accept(rid, instruction, plan, "stop_word", "stop word: executed at once "
                         "without the LLM", now)
            self._route_reason = "stop word: no LLM call"
            return rid
        self._pending = _Pending(rid, instruction, now)
        self._dispatch(now)
        return rid

    # -- the timer -------------------------------------------------------------------------

    def tick(self, now: float) -> TickOutput:
        for name, worker in self.workers.items():
            for event in worker.poll():
                self._on_event(name, event, now)
        self._gate(now)
        restarts = sum(w.restarts for w in self.workers.values())
        self.counters.restarts = restarts
        if self._pending is not None and self._in_flight is None:
            self._dispatch(now)
        out = self.executive.tick(now, self.pose)
        self._last_exec = out
        for ev in out.events:
            if ev.kind == "step_failed":
                self._message = ev.message
            elif ev.kind == "plan_done":
                self._message = f"plan done: {ev.message}"
            elif ev.kind == "step_started":
                self._message = f"step {ev.step_index + 1}: {ev.message}"
            self._log.append(f"{ev.kind}: {ev.message}")
        status = self._status(out)
        payload = status.to_json()
        changed = payload != self._last_status
        self._last_status = payload
        plans, log = tuple(self._plans), tuple(self._log)
        self._plans.clear()
        self._log.clear()
        return TickOutput(goal=out.goal, hold=out.hold, say=out.say, plans=plans, status=status,
                          status_changed=changed, log=log)

    def close(self) -> None:
        for name, worker in self.workers.items():
            if name not in self._gated_off:
                worker.stop()

    # -- power gating ----------------------------------------------------------------------

    @property
    def accelerator_on(self) -> bool:
        """Without gating the accelerator is never powered off, whatever runs on it."""
        if not self.config.power_gate:
            return True
        return any(self._is_local(n) and n not in self._gated_off for n in self.workers)

    def _is_local(self, name: str) -> bool:
        info = self.backends.get(name)
        return info is not None and info.locality == "local"

    def _gate(self, now: float) -> None:
        if not self.config.power_gate:
            return
        mode = self.mode or Mode.NORMAL
        wanted = self._route_needs(mode, now)
        if self._in_flight is not None:
            wanted.add(self._in_flight.backend)  # never pull the plug under a live request
        for name in self.workers:
            if not self._is_local(name):
                continue
            if name in wanted and name in self._gated_off:
                # after a failed start, retry only once the unavailable time has passed
                if now >= self._unavailable_until.get(name, -1.0):
                    self._power_on(name, mode, now)
            elif name not in wanted and name not in self._gated_off:
                self._power_off(name, mode)

    def _route_needs(self, mode: Mode, now: float) -> set[str]:
        """The backends the route of `mode` would use now. For `auto`, only the one it would
        pick if every worker were powered (a gated-off worker must not look unavailable, or
        gating would make the routing decision): while a remote backend is the cheaper choice
        the accelerator stays off; when that backend fails and is avoided, auto picks the
        local one and it is powered on again."""
        routing = self.config.routing
        if routing.routes.get(mode) != ROUTE_AUTO:
            return set(routing.backends_for(mode))
        choice = auto_choice(routing, self._estimates(now, as_powered=True))
        return {choice} if choice is not None else set(routing.backends_for(mode))

    def _power_on(self, name: str, mode: Mode, now: float) -> None:
        t = time.monotonic()
        try:
            self.workers[name].start()
        except Exception as exc:  # noqa: BLE001 - a failed start must not stop the planner
            self._unavailable_until[name] = now + self.config.unavailable_s
            self._message = f"accelerator on failed: {name} worker did not start: {exc}"
            self._log.append(self._message)
            return
        self._gated_off.discard(name)
        self._powering_on.add(name)
        self._message = (f"accelerator on ({mode.value} routes to {name}): worker starting, "
                         "model loading")
        self._log.append(f"{self._message} (start took {time.monotonic() - t:.3f} s)")

    def _power_off(self, name: str, mode: Mode) -> None:
        t = time.monotonic()
        self.workers[name].stop(timeout=self.config.gate_stop_timeout_s)
        self._gated_off.add(name)
        self._powering_on.discard(name)
        self._message = f"accelerator off: the {mode.value} route needs no local backend now"
        self._log.append(f"{self._message}; {name} worker stopped in "
                         f"{time.monotonic() - t:.3f} s")

    # -- routing and requests --------------------------------------------------------------

    def _estimates(self, now: float, as_powered: bool = False) -> dict[str, BackendEstimate]:
        """`as_powered`: judge gated-off workers as if they were running."""
        out = {}
        for name, info in self.backends.items():
            if name not in self.workers:
                continue
            out[name] = BackendEstimate(
                name=name, locality=info.locality, power_w=info.power_w,
                expected_time_s=expected_time(list(self._times.get(name, ())),
                                              info.prior_time_s),
                available=(as_powered or name not in self._gated_off)
                and now >= self._unavailable_until.get(name, -1.0))
        return out

    def _dispatch(self, now: float) -> None:
        pending = self._pending
        if pending is None:
            return
        decision = route(self.mode, self.config.routing, self._estimates(now), now,
                         self._last_request_at)
        if decision.reason != self._route_reason:
            self._route_reason = decision.reason
        if decision.action is RouteAction.DEFER:
            self._message = f"instruction {pending.request_id} waits: {decision.reason}"
            return
        self._pending = None
        if decision.action is RouteAction.DOCK:
            self._enter_dock(now, decision.reason, request_id=pending.request_id,
                             instruction=pending.instruction)
            return
        if decision.action is RouteAction.NONE or decision.backend is None:
            self._error = True
            why = f"no backend: {decision.reason}"
            if self._start_failures:
                why += f" ({'; '.join(self._start_failures.values())})"
            self._reject_without_llm(pending.request_id, pending.instruction, why,
                                     decision.reason)
            return
        self._submit(pending, decision.backend, decision.reason, now)

    def _submit(self, pending: _Pending, backend: str, reason: str, now: float) -> None:
        # Imported here so this module's tests can run with fake workers and requests alone.
        from robot_brain.core.llm.backend import LlmRequest

        prompt = build_prompt(self.world, self.config.limits, PromptContext(
            pending.instruction, self.scene, self.pose, self.battery))
        request = LlmRequest(request_id=pending.request_id, prompt=prompt.raw,
                             messages=prompt.messages, json_schema=self.validator.schema,
                             max_tokens=self.config.max_tokens,
                             timeout_s=self.config.request_timeout_s,
                             temperature=self.config.temperature)
        self.workers[backend].submit(request)
        self._in_flight = _InFlight(pending.request_id, backend, pending.instruction, now, reason)
        self._last_request_at = now
        self._last_backend = backend
        self.counters.requests += 1
        self._message = f"thinking about instruction {pending.request_id} with {backend}"

    def _cancel_in_flight(self, why: str) -> None:
        if self._in_flight is None:
            return
        self.workers[self._in_flight.backend].cancel(self._in_flight.request_id)
        self._log.append(f"request {self._in_flight.request_id} cancelled: {why}")
        self._in_flight = None

    def _enter_dock(self, now: float, reason: str, request_id: int | None = None,
                    instruction: str = "") -> None:
        if request_id is None:
            # A mode change is not an instruction, but it supersedes any request in flight.
            self._next_id += 1
            request_id = self._latest_id = self._next_id
        self._cancel_in_flight("power mode: no LLM calls")
        self._pending = None
        current = self.executive.current_step
        if instruction == "" and current is not None and current.skill is Skill.DOCK:
            return  # already docking; restarting would reset the step timer for nothing
        plan = dock_plan(self.world)
        if plan is None:
            self.executive.cancel("power mode: no dock in this world")
            self._error = True
            self._reject_without_llm(request_id, instruction,
                                     "power mode wants dock but the world has no 'dock' place",
                                     reason)
            return
        self._accept(request_id, instruction, plan, "power", reason, now)

    # -- replies ---------------------------------------------------------------------------

    def _on_event(self, backend: str, event: Any, now: float) -> None:
        kind = event.kind
        if kind == "reply" and event.reply is not None:
            self._on_reply(backend, event.reply, now)
            return
        text = f"{backend} worker {kind}" + (f": {event.message}" if event.message else "")
        self._log.append(text)
        if kind in ("crashed", "hung", "restarted"):
            self._message = text
        if kind == "crashed" and getattr(event, "during_startup", False):
            # It cannot start (e.g. SIGILL in llama.cpp): avoid it, so routing falls back.
            self._start_failures[backend] = text
            self._unavailable_until[backend] = now + self.config.unavailable_s
            self._error = True
        elif kind == "started":
            self._start_failures.pop(backend, None)
        if kind == "started" and backend in self._powering_on:
            self._powering_on.discard(backend)
            self._message = f"accelerator on: {text}"

    def _on_reply(self, backend: str, reply: Any, now: float) -> None:
        flight = self._in_flight
        if flight is None or reply.request_id != flight.request_id \
                or reply.request_id != self._latest_id:
            self.counters.superseded += 1
            self._log.append(f"dropped reply to superseded request {reply.request_id}")
            return
        self._in_flight = None
        info = self.backends.get(backend)
        locality = info.locality if info else "none"
        self._last_latency = float(reply.latency_s)
        self._last_tokens = int(reply.tokens)
        self._last_generation = float(reply.generation_time_s)
        self.counters.latency.add(float(reply.latency_s))
        common = dict(request_id=reply.request_id, instruction=flight.instruction, source="llm",
                      backend=reply.backend or backend, model=reply.model, locality=locality,
                      latency_s=reply.latency_s, tokens=reply.tokens,
                      generation_time_s=reply.generation_time_s, route_reason=flight.route_reason)
        if reply.error and backend in self._start_failures and self._pending is None:
            # The worker died before it could answer: route the instruction again (to another
            # backend, or rejected with the reason when there is none).
            self._log.append(f"request {reply.request_id}: {backend} failed at start; re-routing")
            self._pending = _Pending(reply.request_id, flight.instruction, now)
            return
        if reply.error:
            self.counters.failures += 1
            if locality == "remote" or reply.error == "timeout":
                self._unavailable_until[backend] = now + self.config.unavailable_s
            self._error = True
            reason = f"backend {backend} failed: {reply.error}"
            self._message = reason
            self.counters.rejected += 1
            self._plans.append(PlanRecord(accepted=False, reason=reason, plan=None,
                                          raw=reply.text or "", **common))
            return
        self._times[backend].append(float(reply.generation_time_s) if locality == "local"
                                    else float(reply.latency_s))
        verdict = self.validator.validate_text(reply.text or "")
        if not verdict.accepted or verdict.plan is None:
            self._error = True
            self.counters.rejected += 1
            self._message = f"plan rejected: {verdict.reason}"
            self._plans.append(PlanRecord(accepted=False, reason=verdict.reason, plan=None,
                                          raw=reply.text or "", **common))
            return
        self.counters.accepted += 1
        self.executive.start(verdict.plan, now)
        self._message = f"plan accepted: {verdict.plan.describe()}"
        self._plans.append(PlanRecord(accepted=True, reason=verdict.reason, plan=verdict.plan,
                                      raw=reply.text or "", **common))

    def _accept(self, rid: int, instruction: str, plan: Plan, source: str, reason: str,
                now: float) -> None:
        self.counters.accepted += 1
        self.executive.start(plan, now)
        self._message = f"{reason}: {plan.describe()}"
        self._plans.append(PlanRecord(
            request_id=rid, instruction=instruction, source=source, backend="none", model="",
            locality="none", latency_s=None, tokens=0, generation_time_s=None, accepted=True,
            reason=reason, plan=plan, raw="", route_reason=reason))

    def _reject_without_llm(self, rid: int, instruction: str, reason: str,
                            route_reason: str) -> None:
        self.counters.rejected += 1
        self._message = f"plan rejected: {reason}"
        self._plans.append(PlanRecord(
            request_id=rid, instruction=instruction, source="llm", backend="none", model="",
            locality="none", latency_s=None, tokens=0, generation_time_s=None, accepted=False,
            reason=reason, plan=None, raw="", route_reason=route_reason))

    # -- status ----------------------------------------------------------------------------

    def _status(self, out: ExecOutput) -> StatusRecord:
        flight = self._in_flight
        if flight is not None:
            state = "thinking"
            backend = flight.backend
        elif out.step_index is not None:
            state, backend = "executing", self._last_backend
        else:
            state = "error" if self._error else "idle"
            backend = self._last_backend
        info = self.backends.get(backend)
        step = self.executive.current_step
        return StatusRecord(
            state=state,
            backend=backend,
            locality=(info.locality if info else "none") if flight is not None else "none",
            accelerator_on=self.accelerator_on,
            model=str(getattr(self.workers.get(backend), "model", "") or
                      (info.model if info else "")),
            request_id=self._latest_id,
            mode=self.mode.value if self.mode else "unknown",
            route_reason=self._route_reason,
            last_latency_s=self._last_latency,
            tokens=self._last_tokens,
            generation_time_s=self._last_generation,
            worker_restarts=self.counters.restarts,
            message=self._message,
            instruction=self._instruction,
            pending=self._pending is not None,
            step_index=out.step_index,
            step_count=out.step_count,
            step=step.describe() if step is not None else "",
            outcome=out.outcome,
            plans_accepted=self.counters.accepted,
            plans_rejected=self.counters.rejected,
            replies_superseded=self.counters.superseded,
        )

    def health(self) -> HealthReport:
        c = self.counters
        status = self._last_status or {}
        level = Level.OK
        message = str(status.get("message", ""))
        if self._start_failures:
            level = Level.ERROR
            message = "; ".join(self._start_failures.values())
        elif status.get("state") == "error":
            level = Level.WARN
        values: dict[str, object] = {
            "state": status.get("state", "idle"), "backend": status.get("backend", ""),
            "mode": status.get("mode", "unknown"), "requests": c.requests,
            "plans_accepted": c.accepted, "plans_rejected": c.rejected,
            "replies_superseded": c.superseded, "backend_failures": c.failures,
            "worker_restarts": c.restarts, "accelerator_on": self.accelerator_on,
            "latency_p50_s": c.latency.percentile(50), "latency_p99_s": c.latency.percentile(99),
        }
        return HealthReport("planner", level, message, values)


def make_backend_infos(names: Iterable[str], identify: Callable[[str], tuple[str, str]],
                       local_power_w: float, remote_power_w: float,
                       priors: Mapping[str, float]) -> dict[str, BackendInfo]:
    """BackendInfo per name from `identify(name) -> (model, locality)` and the power figures."""
    out = {}
    for name in names:
        model, locality = identify(name)
        out[name] = BackendInfo(name=name, model=model, locality=locality,
                                power_w=local_power_w if locality == "local" else remote_power_w,
                                prior_time_s=priors.get(name, 5.0))
    return out
