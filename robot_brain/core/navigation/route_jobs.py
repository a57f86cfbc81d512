"""Routes computed off the caller's tick: the planner's executive asks, and polls.

A route on a large map takes tens to hundreds of milliseconds (bench/route_bench.py); the
planner's tick runs at 20 Hz and must keep publishing holds, goals and status meanwhile. So
the executive submits a query and polls for it on later ticks, never waiting:

- `InlineRoutes` answers at once in `submit` (the tests, the lockstep evaluation);
- `ThreadedRoutes` answers from a worker thread that owns the RoutePlanner. A newer query
  supersedes an older one still waiting; the caller's `result` only reads what the worker
  stored. The search is Python and numpy, which hand the interpreter back to the tick's
  thread every few milliseconds (sys.getswitchinterval, 5 ms; the longest hold measured was
  ~25 ms, in numpy indexing); the thread runs at nice `nice` (10, as the LLM workers). On a
  busy CPU that backfires: the low-priority thread, preempted while it holds the interpreter
  lock, keeps the tick waiting (measured: tick start p99 38 ms late on a 2000 x 2000 map).
- `ProcessRoutes` answers from a spawned process (nice 10) that loads the world from its
  files and owns the RoutePlanner: no shared interpreter lock, so the search can never hold
  the tick up. Queries and routes cross a pipe (a few hundred bytes); `result` only polls it.
  The planner node uses this one. bench/route_bench.py --tick measures both.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol, runtime_checkable

from robot_brain.core.config.spawning import main_module_hidden
from robot_brain.core.navigation.route_config import RoutePlannerConfig
from robot_brain.core.navigation.route_errors import NoRouteError
from robot_brain.core.navigation.route_planner import Route, RoutePlanner, RouteSource

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


class RouteWorkerError(NoRouteError):
    """The route worker process is not there (it failed to start or died): no route."""


class ProcessRoutes:
    """A spawned process that loads the world and answers the newest query; `submit` and
    `result` never block (a pipe send of a few hundred bytes, a poll of zero seconds)."""

    def __init__(self, world_file: str, places_file: str, robot_radius: float,
                 config: RoutePlannerConfig, nice: int = 10) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve_routes, name="routes", daemon=True,
                                 args=(child, world_file, places_file, robot_radius, config,
                                       nice))
        with main_module_hidden():   # never the node's own script again in the child
            self._proc.start()
        child.close()
        self._job = 0
        self._done: tuple[int, RouteResult] | None = None
        self.timing = RouteTiming()
        #: "" while starting, then the worker's one-line summary (grid size, build time).
        self.ready = ""
        self.error = ""

    def submit(self, start: tuple[float, float], goal: tuple[float, float]) -> int:
        self._job += 1
        if not self.error:
            try:
                self._conn.send(("plan", self._job, start, goal))
            except (OSError, ValueError) as exc:
                self.error = f"route worker gone ({exc})"
        return self._job

    def result(self, job: int) -> RouteResult | None:
        self._drain()
        if self._done is not None and self._done[0] == job:
            return self._done[1]
        if self.error:
            return RouteWorkerError(self.error)
        return None

    def poll(self) -> None:
        """Take what the worker sent (ready, error, routes) without waiting."""
        self._drain()

    def close(self, timeout_s: float = 1.0) -> None:
        try:
            self._conn.send(("stop",))
        except (OSError, ValueError):
            pass
        self._proc.join(timeout_s)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout_s)
        self._conn.close()

    def _drain(self) -> None:
        try:
            while self._conn.poll(0):
                msg = self._conn.recv()
                if msg[0] == "route":
                    _, job, result, took = msg
                    self._done = (job, result)
                    t = self.timing
                    self.timing = RouteTiming(took, max(t.max_s, took), t.queries + 1)
                elif msg[0] == "ready":
                    self.ready = msg[1]
                elif msg[0] == "error":
                    self.error = msg[1]
        except (EOFError, OSError) as exc:
            self.error = self.error or f"route worker gone ({type(exc).__name__})"
        if not self.error and not self._proc.is_alive():
            self.error = f"route worker exited ({self._proc.exitcode})"


def _serve_routes(conn: Connection, world_file: str, places_file: str, robot_radius: float,
                  config: RoutePlannerConfig, nice: int) -> None:
    """The worker process: build the planner, then answer the newest query until told to stop."""
    from robot_brain.core.world import load_world_file

    # Ctrl-C reaches the whole process group: the parent ends this worker (close()), the
    # worker itself ignores it instead of dying with a traceback in the node's log.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(max(0, nice - os.nice(0)))
    except OSError:
        pass
    try:
        t0 = time.perf_counter()
        planner = RoutePlanner(load_world_file(world_file, places_file, robot_radius), config)
        conn.send(("ready", f"route grid {planner.nx}x{planner.ny} at {config.resolution} m "
                            f"built in {(time.perf_counter() - t0) * 1e3:.0f} ms"))
    except Exception as exc:  # noqa: BLE001 - told to the parent, which routes no more
        conn.send(("error", f"route worker could not start: {type(exc).__name__}: {exc}"))
        return
    while True:
        try:
            msg: Any = conn.recv()
            while conn.poll(0):          # only the newest query matters
                msg = conn.recv() if msg[0] == "plan" else msg
                if msg[0] == "stop":
                    break
        except (EOFError, OSError):
            return
        if msg[0] == "stop":
            return
        _, job, start, goal = msg
        t0 = time.perf_counter()
        result: RouteResult
        try:
            result = planner.plan(start, goal)
        except NoRouteError as exc:
            result = exc
        except Exception as exc:  # noqa: BLE001 - a bug in the search must not end routing
            result = NoRouteError(f"route search failed: {type(exc).__name__}: {exc}")
        try:
            conn.send(("route", job, result, time.perf_counter() - t0))
        except (OSError, ValueError):
            return
