"""Streaming extraction of the run figures from decoded messages, one message at a time.

The collector keeps per-message figures only (a float per period, latency and battery sample,
a point per centimetre walked, a span per state change), never the messages. Messages are
read by attribute (duck typing), so rosbags' decoded classes, rclpy messages and test doubles
all work. Timing figures come from the bag's log times: the recorder's receipt times.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter, OrderedDict
from typing import Any, Callable, ClassVar, Iterable, Mapping

import numpy as np

from robot_brain.core.geometry import Velocity
from robot_brain.core.report import recorded_topics as T
from robot_brain.core.report.figures import (
    BackendPlans,
    Distribution,
    Energy,
    Motion,
    PeriodFigures,
    PlanGateFigures,
    RunFigures,
    Safety,
    Span,
    TimeSeries,
)
from robot_brain.core.timing.holding import hold_deadline

#: Default watchdog deadline (docs/design.md: two control periods at 100 Hz).
DEFAULT_DEADLINE_S = 0.02
#: Default watchdog hold_deadline_s: the deadline after a zero command, which the controller
#: repeats only as a heartbeat while it holds the robot still (core.control.hold_beat).
DEFAULT_HOLD_DEADLINE_S = 0.25
#: A period longer than this many median periods counts as an overrun (at least a lost tick).
DEFAULT_OVERRUN_FACTOR = 1.5
#: Trajectory points closer than this to the previous kept one are dropped (plot only).
PATH_STEP_M = 0.01
#: Distinct diagnostic statuses remembered: bounded even if a node invents names.
MAX_STATUSES = 64
#: controller/cmd_vel stamps remembered to recognise the commands the watchdog forwards.
RECENT_STAMPS = 512

NS_PER_S = 1_000_000_000
#: Seconds from a bag's first message after which latencies count as settled (the recorder's
#: subscriptions match within its first ~2 s; RunFigures.latency_cmd_vel_settled).
SETTLE_S = 2.0


def _is_zero_command(msg: Any) -> bool:
    """A Twist or TwistStamped that is exactly zero (a held command); False when unreadable."""
    twist = getattr(msg, "twist", msg)
    try:
        return Velocity(float(twist.linear.x), float(twist.angular.z)).is_zero()
    except (AttributeError, TypeError, ValueError):
        return False


class _Periods:
    """Receipt periods of one topic, from integer nanosecond log times (exact differences).

    A period that starts at a zero command is a heartbeat while the robot holds (the controller
    repeats a zero only every 1/hold_publish_hz): kept apart from the control loop's periods and
    judged against the hold deadline."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.count = 0
        self._last_ns: int | None = None
        self._last_zero = False
        self.values = array("d")
        self.held = array("d")

    @property
    def after_zero(self) -> bool:
        """Was the last command exactly zero? A command after one is the controller's
        heartbeat while it holds, or its first move after a hold (which a goal or a release
        starts, not a scan)."""
        return self._last_zero

    def add(self, t_ns: int, zero: bool = False) -> None:
        self.count += 1
        if self._last_ns is not None:
            out = self.held if self._last_zero else self.values
            out.append((t_ns - self._last_ns) / NS_PER_S)
        self._last_ns = t_ns
        self._last_zero = zero

    def figures(self, deadline_s: float, hold_deadline_s: float,
                overrun_factor: float) -> PeriodFigures:
        dist = Distribution.of(self.values)
        arr = np.frombuffer(self.values, dtype=float) if self.values else np.zeros(0)
        held = np.frombuffer(self.held, dtype=float) if self.held else np.zeros(0)
        nominal = dist.p50
        overruns = int(np.sum(arr > overrun_factor * nominal)) if arr.size else 0
        misses = int(np.sum(arr > deadline_s)) + int(np.sum(held > hold_deadline_s))
        return PeriodFigures(self.topic, self.count, dist, overruns, misses, overrun_factor,
                             deadline_s, arr.copy(), held=int(held.size),
                             hold_deadline_s=hold_deadline_s)


class _Spans:
    """Changes of a labelled state over time, closed into spans at the end."""

    def __init__(self) -> None:
        self._changes: list[tuple[float, str]] = []

    def set(self, t: float, label: str) -> None:
        if not self._changes or self._changes[-1][1] != label:
            self._changes.append((t, label))

    def spans(self, t0: float, t_end: float, keep: Callable[[str], bool] = lambda _: True
              ) -> tuple[Span, ...]:
        out: list[Span] = []
        for i, (t, label) in enumerate(self._changes):
            if not keep(label):
                continue
            is_last = i + 1 == len(self._changes)
            end = t_end if is_last else self._changes[i + 1][0]
            out.append(Span(label, t - t0, end - t0, open=is_last))
        return tuple(out)


class _Series:
    def __init__(self) -> None:
        self.t = array("d")
        self.v = array("d")

    def add(self, t: float, v: float) -> None:
        self.t.append(t)
        self.v.append(v)

    def series(self, t0: float) -> TimeSeries:
        return TimeSeries(np.asarray(self.t, dtype=float) - t0, np.asarray(self.v, dtype=float))


class FigureCollector:
    """Feed `add(name, log_time_ns, msg)` for every message in log order; then `result()`.

    `name` is the topic's relative name (topics.RECORDED_TOPICS); `msg` may be None for topics
    that are only counted (or could not be decoded).
    """

    def __init__(self, deadline_s: float = DEFAULT_DEADLINE_S,
                 overrun_factor: float = DEFAULT_OVERRUN_FACTOR,
                 hold_deadline_s: float = DEFAULT_HOLD_DEADLINE_S) -> None:
        self.deadline_s = deadline_s
        self.hold_deadline_s = hold_deadline(hold_deadline_s, deadline_s)
        self.overrun_factor = overrun_factor
        self.counts: Counter[str] = Counter()
        self._t_first: int | None = None
        self._t_last: int | None = None
        self._control = _Periods(T.CONTROLLER_CMD_VEL)
        self._command = _Periods(T.CMD_VEL)
        self._lat_cmd = array("d")
        self._lat_cmd_t = array("q")  # the receipt time (ns) of each _lat_cmd sample
        self._lat_ctrl = array("d")
        self._negative = 0
        self._ctrl_stamps: OrderedDict[int, None] = OrderedDict()
        # Stamps already measured, per stream: a scan's latency is to the FIRST command computed
        # from it; later ticks reusing the same perception would measure its age, not latency.
        self._measured: dict[int, OrderedDict[int, None]] = {}
        self._not_forwarded = 0
        # cmd_vel stamps not (yet) seen from the controller: stamp -> (first receipt, count).
        self._pending_cmd: OrderedDict[int, tuple[int, int, bool]] = OrderedDict()
        self._plans: dict[str, tuple[list[int], array[float]]] = {}
        self._unparsable_plans = 0
        # The plan gate's decisions: [plans checked, held by cause], from each form.
        self._gates: list[Any] = [0, Counter()]
        self._gates_typed: list[Any] = [0, Counter()]
        self._planner = _Spans()
        # The typed planner topics (planner/plan_typed, planner/status_typed): used only when
        # the bag has no JSON planner topics, so a plan recorded in both forms counts once.
        self._plans_typed: dict[str, tuple[list[int], array[float]]] = {}
        self._planner_typed = _Spans()
        self._modes = _Spans()
        self._wd_estop = _Spans()
        self._op_estop = _Spans()
        self._diag: dict[str, dict[str, str]] = {}
        self._collisions: int | None = None
        self._distance = 0.0
        self._odom_n = 0
        self._last_xy: tuple[float, float] | None = None
        self._path = array("d")
        self._battery = _Series()
        self._endurance = _Series()

    # --- feeding ---------------------------------------------------------------------------

    def add(self, name: str, t_ns: int, msg: Any) -> None:
        self.counts[name] += 1
        self._t_first = t_ns if self._t_first is None else min(self._t_first, t_ns)
        self._t_last = t_ns if self._t_last is None else max(self._t_last, t_ns)
        t = t_ns / NS_PER_S
        if name == T.CONTROLLER_CMD_VEL:
            # A command after a zero takes its stamp but is not a scan's reaction time.
            reaction = not self._control.after_zero
            self._control.add(t_ns, _is_zero_command(msg))
            stamp = self._latency(self._lat_ctrl, t_ns, msg, reaction)
            if stamp:
                self._ctrl_stamps[stamp] = None
                if len(self._ctrl_stamps) > RECENT_STAMPS:
                    self._ctrl_stamps.popitem(last=False)
                pending = self._pending_cmd.pop(stamp, None)
                if pending is not None:
                    # The forwarded copy was logged before the controller's own (two topics,
                    # no order between them): measure it at its own receipt time.
                    self._measure(self._lat_cmd, pending[0], stamp, pending[2])
        elif name == T.CMD_VEL:
            reaction = not self._command.after_zero
            self._command.add(t_ns, _is_zero_command(msg))
            self._latency(self._lat_cmd, t_ns, msg, reaction,
                          forwarded_only=self._control.count > 0)
        if msg is None:
            return
        handler = self._HANDLERS.get(name)
        if handler is not None:
            try:
                handler(self, t, msg)
            except (AttributeError, TypeError, ValueError):
                # A message of an unexpected type on a known topic: counted, not analysed.
                pass

    def _latency(self, out: array[float], t_ns: int, msg: Any, reaction: bool,
                 forwarded_only: bool = False) -> int:
        """Append receipt time - stamp (s) for the first command carrying a stamp; return the
        stamp (ns), 0 when there is none.

        With `forwarded_only`, only commands carrying a stamp the controller sent count: the
        watchdog's own stops are stamped when it sends them and do not start at a scan.
        """
        header = getattr(msg, "header", None)
        if header is None:
            return 0
        stamp_ns = int(header.stamp.sec) * NS_PER_S + int(header.stamp.nanosec)
        if stamp_ns == 0:
            return 0
        if forwarded_only and stamp_ns not in self._ctrl_stamps:
            first_t, count, first_reaction = self._pending_cmd.get(stamp_ns,
                                                                   (t_ns, 0, reaction))
            self._pending_cmd[stamp_ns] = (first_t, count + 1, first_reaction)
            if len(self._pending_cmd) > RECENT_STAMPS:
                # Never matched by a controller command: the watchdog's own.
                self._not_forwarded += self._pending_cmd.popitem(last=False)[1][1]
            return stamp_ns
        self._measure(out, t_ns, stamp_ns, reaction)
        return stamp_ns

    def _measure(self, out: array[float], t_ns: int, stamp_ns: int, reaction: bool) -> None:
        """The stamp's first command is its latency sample, if it is a reaction (see
        `_Periods.after_zero`); either way later commands with the same stamp are not."""
        measured = self._measured.setdefault(id(out), OrderedDict())
        if stamp_ns in measured:
            return
        measured[stamp_ns] = None
        if len(measured) > RECENT_STAMPS:
            measured.popitem(last=False)
        if not reaction:
            return
        latency = (t_ns - stamp_ns) / NS_PER_S
        if latency < 0.0:
            # Clocks that disagree (sim time vs wall time) make a meaningless latency.
            self._negative += 1
            return
        out.append(latency)
        if out is self._lat_cmd:
            self._lat_cmd_t.append(t_ns)

    def _odom(self, t: float, msg: Any) -> None:
        p = msg.pose.pose.position
        x, y = float(p.x), float(p.y)
        if not (math.isfinite(x) and math.isfinite(y)):
            return
        self._odom_n += 1
        if self._last_xy is not None:
            self._distance += math.hypot(x - self._last_xy[0], y - self._last_xy[1])
        self._last_xy = (x, y)
        if len(self._path) < 2 or math.hypot(x - self._path[-2], y - self._path[-1]) \
                >= PATH_STEP_M:
            self._path.extend((x, y))

    def _battery_state(self, t: float, msg: Any) -> None:
        pct = float(msg.percentage)
        if math.isfinite(pct):
            # ROS says 0..1; some drivers send 0..100.
            self._battery.add(t, pct / 100.0 if pct > 1.0 else pct)

    def _endurance_value(self, t: float, msg: Any) -> None:
        self._endurance.add(t, float(msg.data))

    def _plan(self, t: float, msg: Any) -> None:
        try:
            data = json.loads(msg.data)
        except (json.JSONDecodeError, TypeError):
            data = None
        if not isinstance(data, dict):
            self._unparsable_plans += 1
            return
        _count_plan(self._plans, data.get("backend"), data.get("accepted"),
                    data.get("latency_s"))
        gate = data.get("gate")
        if isinstance(gate, dict):
            self._gate(self._gates, gate.get("decision"), gate.get("cause"))

    def _plan_typed(self, t: float, msg: Any) -> None:
        # robot_brain_interfaces/msg/Plan: the JSON keys as fields, NaN for null, a gate
        # decision '' for none.
        _count_plan(self._plans_typed, msg.backend, bool(msg.accepted), float(msg.latency_s))
        gate = getattr(msg, "gate", None)
        if gate is not None and gate.decision:
            self._gate(self._gates_typed, gate.decision, gate.cause)

    @staticmethod
    def _gate(gates: list[Any], decision: object, cause: object) -> None:
        """[checked, Counter of held causes]: one gate decision."""
        gates[0] += 1
        if decision == "hold":
            held: Counter[str] = gates[1]
            name = str(cause or "unknown")[:40]
            if name in held or len(held) < MAX_STATUSES:
                held[name] += 1

    def _planner_status(self, t: float, msg: Any) -> None:
        try:
            data = json.loads(msg.data)
        except (json.JSONDecodeError, TypeError):
            return
        if isinstance(data, dict) and data.get("state") is not None:
            self._planner.set(t, str(data["state"]))

    def _planner_status_typed(self, t: float, msg: Any) -> None:
        if msg.state:
            self._planner_typed.set(t, str(msg.state))

    def _power_mode(self, t: float, msg: Any) -> None:
        self._modes.set(t, str(msg.data))

    def _watchdog_estop(self, t: float, msg: Any) -> None:
        self._wd_estop.set(t, "estop" if bool(msg.data) else "clear")

    def _operator_estop(self, t: float, msg: Any) -> None:
        self._op_estop.set(t, "estop" if bool(msg.data) else "clear")

    def _diagnostics(self, t: float, msg: Any) -> None:
        for status in msg.status:
            name = str(status.name)
            values = {str(kv.key): str(kv.value) for kv in status.values}
            if "collisions" in values:
                n = _as_int(values["collisions"])
                if n is not None:
                    self._collisions = n if self._collisions is None else max(self._collisions,
                                                                              n)
            if name in self._diag or len(self._diag) < MAX_STATUSES:
                self._diag[name] = values

    _HANDLERS: ClassVar[Mapping[str, Callable[[FigureCollector, float, Any], None]]] = {
        T.ODOM: _odom,
        T.BATTERY: _battery_state,
        T.ENDURANCE: _endurance_value,
        T.PLAN: _plan,
        T.PLANNER_STATUS: _planner_status,
        T.PLAN_TYPED: _plan_typed,
        T.PLANNER_STATUS_TYPED: _planner_status_typed,
        T.POWER_MODE: _power_mode,
        T.WATCHDOG_ESTOP: _watchdog_estop,
        T.OPERATOR_ESTOP: _operator_estop,
        T.DIAGNOSTICS: _diagnostics,
    }

    # --- result ----------------------------------------------------------------------------

    def result(self, bag: str = "", storage: str = "", notes: Iterable[str] = (),
               expected: Iterable[str] = T.RECORDED_TOPICS) -> RunFigures:
        t0_ns = self._t_first or 0
        t0 = t0_ns / NS_PER_S
        t_end = (self._t_last or 0) / NS_PER_S
        node_diag = {name: values for name, values in self._diag.items()
                     if _is_node(name, "controller") or _is_node(name, "watchdog")}
        json_plans = self.counts[T.PLAN] > 0
        plans = tuple(
            BackendPlans(backend, c[0], c[1], c[2], Distribution.of(lat))
            for backend, (c, lat) in sorted((self._plans if json_plans
                                             else self._plans_typed).items()))
        states = self._planner if self.counts[T.PLANNER_STATUS] > 0 else self._planner_typed
        gates = self._gates if json_plans else self._gates_typed
        is_estop: Callable[[str], bool] = lambda label: label == "estop"  # noqa: E731
        path = np.asarray(self._path, dtype=float).reshape(-1, 2)
        if self._last_xy is not None and (not len(path) or tuple(path[-1]) != self._last_xy):
            path = np.vstack([path, np.asarray(self._last_xy)[None, :]])
        return RunFigures(
            bag=bag, storage=storage, start_ns=t0_ns, duration_s=max(0.0, t_end - t0),
            message_counts=dict(sorted(self.counts.items())),
            missing_topics=tuple(n for n in expected if self.counts[n] == 0),
            control=self._control.figures(self.deadline_s, self.hold_deadline_s,
                                          self.overrun_factor),
            command=self._command.figures(self.deadline_s, self.hold_deadline_s,
                                          self.overrun_factor),
            node_diagnostics=node_diag,
            controller_overruns=_diag_int(node_diag, "controller", "overrun"),
            safety=Safety(
                watchdog_estops=self._wd_estop.spans(t0, t_end, is_estop),
                operator_estops=self._op_estop.spans(t0, t_end, is_estop),
                watchdog_deadline_misses=_diag_int(node_diag, "watchdog", "miss"),
            ),
            latency_cmd_vel=Distribution.of(self._lat_cmd),
            latency_cmd_vel_settled=Distribution.of(
                [lat for lat, t in zip(self._lat_cmd, self._lat_cmd_t, strict=True)
                 if t - t0_ns >= SETTLE_S * NS_PER_S]),
            latency_controller=Distribution.of(self._lat_ctrl),
            latency_samples=np.asarray(self._lat_cmd, dtype=float),
            negative_latencies=self._negative,
            watchdog_own_commands=self._not_forwarded + sum(
                n for _, n, _ in self._pending_cmd.values()),
            plans=plans,
            unparsable_plans=self._unparsable_plans,
            planner_states=states.spans(t0, t_end),
            motion=Motion(self._odom_n, self._distance, path, self._collisions),
            energy=Energy(self._battery.series(t0), self._endurance.series(t0),
                          self._modes.spans(t0, t_end)),
            notes=tuple(notes),
            plan_gate=PlanGateFigures(gates[0], sum(gates[1].values()),
                                      dict(sorted(gates[1].items()))),
        )


def _count_plan(plans: dict[str, tuple[list[int], array[float]]], backend: object,
                accepted: object, latency: object) -> None:
    """One plan decision: counted per backend (all, accepted, rejected), its latency kept."""
    counts, latencies = plans.setdefault(str(backend or "unknown"), ([0, 0, 0], array("d")))
    counts[0] += 1
    if accepted is True:
        counts[1] += 1
    elif accepted is False:
        counts[2] += 1
    if isinstance(latency, (int, float)) and not isinstance(latency, bool) \
            and math.isfinite(latency):
        latencies.append(float(latency))


def _is_node(status_name: str, node: str) -> bool:
    """Status names are '<node name>: <report name>' (robot_brain.ros.diagnostics)."""
    return status_name.split(":", 1)[0].strip().rsplit("/", 1)[-1].startswith(node)


def _diag_int(diag: Mapping[str, Mapping[str, str]], node: str, key_part: str) -> int | None:
    """Largest integer value whose key contains key_part, among a node's statuses."""
    found: int | None = None
    for name, values in diag.items():
        if not _is_node(name, node):
            continue
        for key, value in values.items():
            if key_part in key.lower():
                n = _as_int(value)
                if n is not None:
                    found = n if found is None else max(found, n)
    return found


def _as_int(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) else None
