"""The planner's logic without ROS: instruction -> request -> plan -> executive.

Planning is a cascade (docs/design.md): stop words, then the vertical model (about a millisecond,
here), and the LLM only for what that model hands off (first_tiers.py); every plan goes
through the same validator, then through the plan gate (gate/, docs/plan_gate.md) against the
words of its instruction, whichever tier made it: `_admit` is the one place a plan reaches the
executive. The node sets the cached inputs (pose, scene, battery) and calls
`tick(now)` from one timer; everything here is bounded and non-blocking: the LLM runs in the
BackendPool's worker processes, which this class only submits to and polls. Only a reply to
the latest request is used; older ones are counted as superseded. Every decision's reason is
kept in text (PlannerReport) for planner/status and planner/plan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.geometry import Pose2D
from robot_brain.core.health import HealthReport
from robot_brain.core.llm.types import LlmReply, LlmRequest
from robot_brain.core.navigation.route_jobs import RouteJobs
from robot_brain.core.navigation.route_planner import RouteSource
from robot_brain.core.perception.scene import LatestScene
from robot_brain.core.planner.backend_choice import (
    BackendChoiceConfig,
    ChoiceAction,
    Mode,
    choose_backend,
)
from robot_brain.core.planner.backend_pool import BackendPool, PoolNote
from robot_brain.core.planner.executive import Executive
from robot_brain.core.planner.first_tiers import FirstTiers
from robot_brain.core.planner.gate.gate import GateVerdict, PlanGate
from robot_brain.core.planner.gate.reading import MAX_GATE_CHARS
from robot_brain.core.planner.messages import PlanRecord, TickOutput
from robot_brain.core.planner.prompt import PromptContext, build_prompt, clean_instruction
from robot_brain.core.planner.reporting import PlannerReport
from robot_brain.core.planner.skills import Plan, PlanLimits, Skill, Step, dock_plan
from robot_brain.core.planner.validation import PlanValidator
from robot_brain.core.planner.vertical.cascade import DEFAULT_THRESHOLD
from robot_brain.core.planner.vertical.planner import VerticalPlanner
from robot_brain.core.world import World

#: What the robot says when the gate holds the power mode's dock.
POWER_ASK = "My battery is low and you told me not to move. Should I go to the dock?"


@dataclass(frozen=True)
class SessionConfig:
    limits: PlanLimits = group(PlanLimits)
    backend_choice: BackendChoiceConfig = group(BackendChoiceConfig)
    request_timeout_s: float = param(20.0, "A request without a reply after this long fails "
                                     "(the worker stays up).", unit="s", min=0.1, max=600.0)
    max_tokens: int = param(256, "Token budget of one plan.", min=16, max=4096)
    temperature: float = param(0.0, "Sampling temperature (0 = greedy).", min=0.0, max=2.0)
    step_timeout_s: float = param(120.0, "A navigate/dock step not reached in this time fails.",
                                  unit="s", min=1.0, max=3600.0)
    stop_words: bool = param(True, "'stop', 'halt', 'freeze', ... stop at once without the "
                             "LLM.")
    #: The vertical tier answers at or above this calibrated confidence; below, the LLM.
    vertical_threshold: float = param(DEFAULT_THRESHOLD, "The vertical tier answers at or "
                                      "above this calibrated confidence; below it, out of its "
                                      "domain, or for what it cannot express, the LLM answers.",
                                      min=0.0, max=1.0)
    #: Intermediate waypoints of a routed motion step count as passed within this.
    waypoint_tolerance: float = param(0.35, "Distance at which an intermediate waypoint counts "
                                      "as passed and the next one is published; at least "
                                      "goal_tolerance.", unit="m", min=0.05, max=5.0)
    #: goal_tolerance: when a step's goal counts as reached (the robot's shared limits).
    robot: RobotLimits = group(RobotLimits, shared=True)
    #: Another motion layer (Nav2) drives motion steps and reports their end to the executive
    #: (not a parameter: set from the planner's motion settings).
    external_motion: bool = False

    @property
    def goal_tolerance(self) -> float:
        return self.robot.goal_tolerance


@dataclass(frozen=True)
class _Request:
    """An instruction waiting for a backend, or (with `backend`) one sent to it."""

    request_id: int
    instruction: str
    at: float  # received, or submitted
    backend: str = ""
    route_reason: str = ""
    #: The instruction as received (bounded), for the plan gate: `instruction` is clipped for
    #: the prompt, and what was clipped may have said "don't".
    words: str = ""


class PlannerSession:
    def __init__(self, world: World, config: SessionConfig, pool: BackendPool,
                 route_planner: RouteSource | RouteJobs | None = None,
                 vertical: VerticalPlanner | None = None) -> None:
        """`pool`: the workers of every backend `config.backend_choice` can select;
        `route_planner`: waypoints for motion steps (None = the step's target directly);
        `vertical`: the vertical tier (None = every instruction goes to the LLM)."""
        config.backend_choice.check()
        self.world = world
        self.config = config
        self.pool = pool
        self.validator = PlanValidator(world, config.limits)
        # No switch: the gate cannot be turned off (docs/plan_gate.md says why).
        self.plan_gate = PlanGate(world, config.limits)
        self.first = FirstTiers(self.validator, vertical, config.vertical_threshold,
                                config.stop_words)
        self._vertical = vertical
        self.executive = Executive(config.goal_tolerance, config.step_timeout_s, route_planner,
                                   config.waypoint_tolerance, config.external_motion)
        self.report = PlannerReport(last_backend=config.backend_choice.preferred)
        self.mode: Mode | None = None
        # Cached inputs, set by the node's subscription callbacks (the latest value only).
        # perception/scene, validated when a prompt needs it (LatestScene)
        self.scenes = LatestScene()
        self.pose: Pose2D | None = None
        self.battery: float | None = None  # state of charge 0..1
        self._latest_id = 0  # ids increase with every instruction (and dock by power mode)
        self._in_flight: _Request | None = None
        self._pending: _Request | None = None
        self._last_request_at: float | None = None
        self._plans: list[PlanRecord] = []
        self._log: list[str] = []
        #: The latest instruction's words: the standing order a power-mode dock must respect.
        self._words = ""

    def set_world(self, world: World) -> None:
        """Plan in `world` from the next instruction on (places saved or removed at run time;
        the plan running keeps its targets)."""
        self.world = world
        self.validator = PlanValidator(world, self.config.limits)
        self.plan_gate = PlanGate(world, self.config.limits)
        if self._vertical is not None:
            self._vertical.set_world(world)
        self.first = FirstTiers(self.validator, self._vertical, self.config.vertical_threshold,
                                self.config.stop_words)

    # -- inputs (the node's callbacks only store pose, scene, battery; the mode routes) ------

    def set_mode(self, text: str, now: float) -> None:
        mode = Mode.parse(text)
        if mode is None:
            self._log.append(f"ignoring unknown power mode {text[:20]!r}")
            return
        if mode is self.mode:
            return
        self.mode = mode
        self.report.mode = mode.value
        decision = choose_backend(mode, self.config.backend_choice, self.pool.estimates(now), now,
                                  self._last_request_at)
        self.report.route_reason = decision.reason
        if decision.action is ChoiceAction.DOCK:
            self._enter_dock(now, decision.reason)
        self._gate(now)

    def on_instruction(self, text: str, now: float) -> int:
        """Take a new instruction; it replaces whatever was planned or running. Returns its id."""
        instruction = clean_instruction(text)
        words = text[: MAX_GATE_CHARS + 1]   # one more: the gate still sees it is too long
        self._words = words
        self._latest_id += 1
        rid = self._latest_id
        self.report.instruction = instruction
        self.report.error = False
        self._cancel_in_flight("superseded by a newer instruction")
        self._pending = None
        self.executive.cancel("new instruction")
        if not instruction:
            self._record(rid, "", False, "empty instruction", "")
            return rid
        first = self.first.answer(instruction)
        if first.plan is not None:
            self.report.tier = first.tier
            self._start_plan(rid, instruction, first.plan, first.tier, first.reason, now,
                             first.latency_s, words=words)
            self.report.route_reason = f"{first.tier.replace('_', ' ')}: no LLM call"
            return rid
        self.report.tier = "llm"
        self._pending = _Request(rid, instruction, now, route_reason=first.hand_off,
                                 words=words)
        self._dispatch(now)
        return rid

    def cancel(self, reason: str) -> None:
        """Drop what is planned or running (its requester gave it up): the robot holds from the
        next tick. The latest request id stays; a late reply to it is dropped."""
        self._cancel_in_flight(reason)
        self._pending = None
        self.executive.cancel(reason)
        self.report.message = reason

    # -- the timer -------------------------------------------------------------------------

    def tick(self, now: float) -> TickOutput:
        for item in self.pool.poll(now):
            if isinstance(item, PoolNote):
                self._log.append(self.report.pool_note(item))
            else:
                self._on_reply(*item, now)
        self._gate(now)
        self.report.counters.restarts = self.pool.restarts
        if self._pending is not None and self._in_flight is None:
            self._dispatch(now)
        out = self.executive.tick(now, self.pose)
        self._log += [self.report.executive_event(ev) for ev in out.events]
        flight = self._in_flight
        status = self.report.status(self.pool, out, self.executive.current_step,
                                    flight.backend if flight else None,
                                    self._pending is not None, self._latest_id)
        changed = self.report.changed(status)
        plans, log = tuple(self._plans), tuple(self._log)
        self._plans.clear()
        self._log.clear()
        return TickOutput(goal=out.goal, hold=out.hold, say=out.say, plans=plans, status=status,
                          status_changed=changed, log=log, events=out.events)

    def health(self) -> HealthReport:
        return self.report.health(self.pool)

    def close(self) -> None:
        self.pool.close()

    def _gate(self, now: float) -> None:
        busy = self._in_flight.backend if self._in_flight is not None else None
        self._log += [self.report.pool_note(n) for n in self.pool.gate(self.mode, now, busy)]

    # -- backend choice and requests -------------------------------------------------------

    def _dispatch(self, now: float) -> None:
        pending = self._pending
        if pending is None:
            return
        decision = choose_backend(self.mode, self.config.backend_choice,
                                  self.pool.estimates(now), now, self._last_request_at)
        self.report.route_reason = decision.reason
        if decision.action is ChoiceAction.DEFER:
            self.report.message = f"instruction {pending.request_id} waits: {decision.reason}"
            return
        self._pending = None
        if decision.action is ChoiceAction.DOCK:
            self._enter_dock(now, decision.reason, request_id=pending.request_id,
                             instruction=pending.instruction, words=pending.words)
            return
        if pending.route_reason:
            decision = replace(decision, reason=f"{pending.route_reason}; {decision.reason}")
            self.report.route_reason = decision.reason
        if decision.action is ChoiceAction.NONE or decision.backend is None:
            self.report.error = True
            why = f"no backend: {decision.reason}"
            if self.pool.start_failures:
                why += f" ({'; '.join(self.pool.start_failures.values())})"
            self._record(pending.request_id, pending.instruction, False, why, decision.reason)
            return
        self._submit(pending, decision.backend, decision.reason, now)

    def _submit(self, pending: _Request, backend: str, reason: str, now: float) -> None:
        prompt = build_prompt(self.world, self.config.limits, PromptContext(
            pending.instruction, self.scenes.get(), self.pose, self.battery))
        self.pool.submit(backend, LlmRequest(
            request_id=pending.request_id, prompt=prompt.raw, messages=prompt.messages,
            json_schema=self.validator.schema, max_tokens=self.config.max_tokens,
            timeout_s=self.config.request_timeout_s, temperature=self.config.temperature))
        self._in_flight = _Request(pending.request_id, pending.instruction, now, backend, reason,
                                   pending.words)
        self._last_request_at = now
        self.report.last_backend = backend
        self.report.counters.requests += 1
        self.report.message = f"thinking about instruction {pending.request_id} with {backend}"

    def _cancel_in_flight(self, why: str) -> None:
        if self._in_flight is None:
            return
        self.pool.cancel(self._in_flight.backend, self._in_flight.request_id)
        self._log.append(f"request {self._in_flight.request_id} cancelled: {why}")
        self._in_flight = None

    def _enter_dock(self, now: float, reason: str, request_id: int | None = None,
                    instruction: str = "", words: str = "") -> None:
        if request_id is None:
            # A mode change is not an instruction, but it supersedes any request in flight.
            self._latest_id += 1
            request_id = self._latest_id
        self._cancel_in_flight("power mode: no LLM calls")
        self._pending = None
        current = self.executive.current_step
        if instruction == "" and current is not None and current.skill is Skill.DOCK:
            return  # already docking; restarting would reset the step timer for nothing
        plan = dock_plan(self.world)
        if plan is None:
            self.executive.cancel("power mode: no dock in this world")
            self.report.error = True
            self._record(request_id, instruction, False,
                         "power mode wants dock but the world has no 'dock' place", reason)
            return
        self.report.tier = "power"
        # A dock passes the gate like any plan: with the words of the instruction it answers,
        # or for a mode change, with the latest instruction's (still the robot's orders: told
        # not to move, it asks before it walks to the dock).
        self._start_plan(request_id, instruction, plan, "power", reason, now,
                         words=words or self._words)

    # -- replies and plans -----------------------------------------------------------------

    def _on_reply(self, backend: str, reply: LlmReply, now: float) -> None:
        flight = self._in_flight
        if flight is None or reply.request_id != flight.request_id \
                or reply.request_id != self._latest_id:
            self.report.counters.superseded += 1
            self._log.append(f"dropped reply to superseded request {reply.request_id}")
            return
        self._in_flight = None
        self.report.last_reply = reply
        self.report.counters.latency.add(float(reply.latency_s))
        if reply.error and backend in self.pool.start_failures and self._pending is None:
            # The worker died before it could answer: choose again (another backend, or
            # rejected with the reason when there is none).
            self._log.append(f"request {reply.request_id}: {backend} failed at start; "
                             "choosing again")
            self._pending = _Request(reply.request_id, flight.instruction, now,
                                     words=flight.words)
            return
        self.pool.record(backend, reply, now)
        if reply.error:
            self.report.counters.failures += 1
            self.report.error = True
            reason = f"backend {backend} failed: {reply.error}"
            self._record(reply.request_id, flight.instruction, False, reason,
                         flight.route_reason, reply=reply, backend=backend)
            self.report.message = reason
            return
        verdict = self.validator.validate_text(reply.text or "")
        if not verdict.accepted or verdict.plan is None:
            self.report.error = True
            self._record(reply.request_id, flight.instruction, False, verdict.reason,
                         flight.route_reason, reply=reply, backend=backend)
            return
        gate = self._admit(flight.words, verdict.plan, now)
        self.report.message = (f"plan accepted: {verdict.plan.describe()}" if not gate.holds
                               else gate.reason)
        self._record(reply.request_id, flight.instruction, True, _reason(verdict.reason, gate),
                     flight.route_reason, plan=gate.plan, reply=reply, backend=backend,
                     gate=gate)

    def _start_plan(self, rid: int, instruction: str, plan: Plan, source: str, reason: str,
                    now: float, latency_s: float | None = None, words: str = "") -> None:
        """A plan that needs no LLM (stop word, vertical tier, power mode's dock) starts at
        once."""
        gate = self._admit(words, plan, now)
        self.report.message = (f"{reason}: {plan.describe()}" if not gate.holds
                               else gate.reason)
        self._record(rid, instruction, True, _reason(reason, gate), reason, plan=gate.plan,
                     source=source, latency_s=latency_s, gate=gate)

    def _admit(self, words: str, plan: Plan, now: float) -> GateVerdict:
        """The one way a plan reaches the executive: through the plan gate. A plan that moves
        against the words of its instruction is replaced by stop + say (hold, say why or
        ask)."""
        verdict = self.plan_gate.check(words, plan)
        if verdict.holds and plan == dock_plan(self.world) and self.report.tier == "power":
            verdict = replace(verdict, plan=Plan((Step(Skill.STOP), Step(
                Skill.SAY, text=POWER_ASK[: self.config.limits.max_say_chars]))))
        self.report.gate_decided(verdict)
        if verdict.holds:
            self._log.append(verdict.reason)
        self.executive.start(verdict.plan, now)
        return verdict

    def _record(self, rid: int, instruction: str, accepted: bool, reason: str,
                route_reason: str, plan: Plan | None = None, source: str = "llm",
                reply: LlmReply | None = None, backend: str = "none",
                latency_s: float | None = None, gate: GateVerdict | None = None) -> None:
        """Every plan record goes out (and is counted) here; `reply` = the LLM answered,
        `latency_s` = the vertical tier's time when it answered."""
        self.report.count_plan(accepted, source, reason)
        if not accepted:
            self.report.gate_decided(None)
        self._plans.append(PlanRecord.make(
            rid, instruction, accepted, reason, route_reason, plan, source, reply, backend,
            self.pool.locality(backend) if reply else "none", latency_s, gate))


def _reason(reason: str, gate: GateVerdict) -> str:
    """The plan record's reason: the tier's, and the gate's when it held the plan."""
    return f"{reason}; {gate.reason}" if gate.holds else reason
