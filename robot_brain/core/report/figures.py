"""The figures of a run report: what the collector extracts and the renderers show.

Times are seconds since the first message of the bag (its log time), durations are seconds,
battery charge is a fraction (0..1). NaN means "no data".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np


@dataclass(frozen=True)
class Distribution:
    """Count, median, 99th percentile (linear interpolation) and maximum of some samples."""

    count: int
    p50: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Distribution:
        arr = np.fromiter(values, dtype=float)
        if arr.size == 0:
            return cls(0, math.nan, math.nan, math.nan)
        return cls(int(arr.size), float(np.percentile(arr, 50)), float(np.percentile(arr, 99)),
                   float(np.max(arr)))


@dataclass(frozen=True)
class TimeSeries:
    """Samples over time: t (s since bag start) and v, same length."""

    t: np.ndarray
    v: np.ndarray

    def __len__(self) -> int:
        return int(self.t.size)

    def first(self) -> float:
        return float(self.v[0]) if self.v.size else math.nan

    def last(self) -> float:
        return float(self.v[-1]) if self.v.size else math.nan

    def min(self) -> float:
        finite = self.v[np.isfinite(self.v)]
        return float(np.min(finite)) if finite.size else math.nan


@dataclass(frozen=True)
class Span:
    """An interval in which something held: a planner state, a power mode, an estop.

    `open` marks a span still active when the bag ended (end_s is then the bag's end).
    """

    label: str
    start_s: float
    end_s: float
    open: bool = False

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class PeriodFigures:
    """Receipt periods of a command stream as recorded: regularity of the control loop."""

    topic: str
    messages: int
    period: Distribution
    overruns: int          # periods longer than overrun_factor x the median period
    #: Periods longer than the watchdog deadline: deadline_s after a moving command,
    #: hold_deadline_s after a zero one.
    deadline_misses: int
    overrun_factor: float
    deadline_s: float
    #: Every period after a moving command, in seconds, for the histogram (`period` too).
    samples: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    #: Periods after a zero command (the controller's heartbeat while it holds): not in
    #: `period`, judged against hold_deadline_s.
    held: int = 0
    hold_deadline_s: float = 0.25


@dataclass(frozen=True)
class BackendPlans:
    backend: str
    plans: int
    accepted: int
    rejected: int
    latency: Distribution

    @property
    def undecided(self) -> int:
        """Plans whose message did not say whether they were accepted."""
        return self.plans - self.accepted - self.rejected


@dataclass(frozen=True)
class PlanGateFigures:
    """The plan safety gate's decisions, from the `gate` field of planner/plan records."""

    checked: int = 0     # plan records carrying a gate decision
    held: int = 0        # of which held (the robot held and said why or asked)
    #: held plans by cause (negation, prohibition, correction, hazard, conditional, question,
    #: stay, deferral, unconfirmed, unreadable)
    held_by: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Safety:
    watchdog_estops: tuple[Span, ...]
    operator_estops: tuple[Span, ...]
    #: The watchdog's own count of deadline misses (its /diagnostics), when it reports one.
    watchdog_deadline_misses: int | None


@dataclass(frozen=True)
class Motion:
    odom_messages: int
    distance_m: float
    #: Trajectory polyline (x, y) in the odom frame, thinned to 1 cm steps; shape (N, 2).
    path: np.ndarray
    #: The simulator's collision count (last `collisions` value on /diagnostics).
    collisions: int | None


@dataclass(frozen=True)
class Energy:
    battery: TimeSeries       # charge fraction 0..1
    endurance: TimeSeries     # seconds, NaN = unknown
    power_modes: tuple[Span, ...]


@dataclass(frozen=True)
class RunFigures:
    """Everything the report says about one bag."""

    bag: str
    storage: str
    start_ns: int
    duration_s: float
    message_counts: Mapping[str, int]
    missing_topics: tuple[str, ...]
    control: PeriodFigures
    command: PeriodFigures
    #: The controller's and watchdog's last /diagnostics values, {status name: {key: value}}.
    node_diagnostics: Mapping[str, Mapping[str, str]]
    controller_overruns: int | None
    safety: Safety
    latency_cmd_vel: Distribution
    #: The same from SETTLE_S into the bag on: in its first seconds the recorder is still
    #: matching its subscriptions, and what it receives then arrives late to it, not to the
    #: robot (the whole-brain bench quotes both).
    latency_cmd_vel_settled: Distribution
    latency_controller: Distribution
    #: cmd_vel latency samples in seconds, for the histogram.
    latency_samples: np.ndarray = field(repr=False)
    negative_latencies: int
    #: cmd_vel messages not forwarded from the controller (the watchdog's own stops).
    watchdog_own_commands: int
    plans: tuple[BackendPlans, ...]
    unparsable_plans: int
    planner_states: tuple[Span, ...]
    motion: Motion
    energy: Energy
    notes: tuple[str, ...] = field(default=())
    plan_gate: PlanGateFigures = field(default_factory=PlanGateFigures)

    @property
    def total_messages(self) -> int:
        return sum(self.message_counts.values())
