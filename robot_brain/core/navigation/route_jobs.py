"""Routes computed off the caller's tick: the planner's executive asks, and polls.

A route on a large map takes tens to hundreds of milliseconds (bench/route_bench.py); the
planner's tick runs at 20 Hz and must keep publishing holds, goals and status meanwhile. So
the executive submits a query and polls for it on later ticks, never waiting:

- `InlineRoutes` answers at once in `submit` (the tests, the lockstep evaluation);
- `ThreadedRoutes` answers from a worker thread that owns the RoutePlanner. A newer query
  supersedes an older one still waiting; the caller's `result` only reads what the worker
  stored. The search is Python and numpy, which hand the interpreter back to the tick's
  thread every few milliseconds (sys.getswitchinterval, 5 ms; the longest hold measured was
  ~25 ms, in numpy indexing); the thread runs at nice `nice` (10, as the LLM workers), so on
  a busy CPU the tick's thread is scheduled first. bench/route_bench.py --tick measures it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from robot_brain.core.navigation.route_planner import NoRouteError, Route, RouteSource

#: What a query ends with: the route, or why there is none.
RouteResult = Route | NoRouteError


@runtime_checkable
class RouteJobs(Protocol):
    """Route queries answered later: submit, then poll `result` until it is not None."""

    def submit(self, start: tuple[float, float], goal: tuple[float, float]) -> int: ...

    def result(self, job: int) -> RouteResult | None: ...


@dataclass(frozen=True)
class RouteTiming:
    """The last query's search time and the longest so far (s), for diagnostics."""

    last_s: float = 0.0
    max_s: float = 0.0
    queries: int = 0


class InlineRoutes:
    """Computes each route inside `submit` (no thread): for tests and lockstep evaluation."""

    def __init__(self, source: RouteSource) -> None:
        self.source = source
        self._job = 0
        self._result: RouteResult | None = None

    def submit(self, start: tuple[float, float], goal: tuple[float, float]) -> int:
        self._job += 1
        try:
            self._result = self.source.plan(start, goal)
        except NoRouteError as exc:
            self._result = exc
        return self._job

    def result(self, job: int) -> RouteResult | None:
        return self._result if job == self._job else None


class ThreadedRoutes:
    """A worker thread that answers the newest query; `result` never waits on the search."""

    def __init__(self, source: RouteSource, name: str = "routes", nice: int = 10) -> None:
        self.source = source
        self.nice = nice
        self._cond = threading.Condition()
        self._job = 0
        self._query: tuple[int, tuple[float, float], tuple[float, float]] | None = None
        self._done: tuple[int, RouteResult] | None = None
        self._closed = False
        self.timing = RouteTiming()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, start: tuple[float, float], goal: tuple[float, float]) -> int:
        with self._cond:
            self._job += 1
            self._query = (self._job, start, goal)
            self._cond.notify()
            return self._job

    def result(self, job: int) -> RouteResult | None:
        done = self._done   # one reference read: the worker replaces the tuple whole
        return done[1] if done is not None and done[0] == job else None

    def close(self, timeout_s: float = 1.0) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        try:
            # Linux: a thread is a task of its own, so this lowers this thread only.
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           max(os.getpriority(os.PRIO_PROCESS, 0), self.nice))
        except (OSError, AttributeError):
            pass   # elsewhere, or not allowed: the search still runs, at the caller's priority
        while True:
            with self._cond:
                while self._query is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                assert self._query is not None
                job, start, goal = self._query
                self._query = None
            t0 = time.perf_counter()
            result: RouteResult
            try:
                result = self.source.plan(start, goal)
            except NoRouteError as exc:
                result = exc
            except Exception as exc:  # noqa: BLE001 - a bug in the search must not kill routing
                result = NoRouteError(f"route search failed: {type(exc).__name__}: {exc}")
            took = time.perf_counter() - t0
            t = self.timing
            self.timing = RouteTiming(took, max(t.max_s, took), t.queries + 1)
            self._done = (job, result)
