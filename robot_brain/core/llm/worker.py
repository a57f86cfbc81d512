"""The LLM worker: a spawned process that keeps one backend loaded and answers requests.

Parent side (LlmWorker) never waits on the child: submit/cancel put on a queue or write a
shared integer, poll drains the reply queue without blocking and supervises the child (crash,
hang, per-request timeout). The caller (the planner node) calls poll() from a timer.

Cancellation: every submitted request gets a sequence number; the shared `cancel_upto` value
says "every request with seq <= this is cancelled". A newer submit cancels all older ones, so
one integer is exact. It is a lock-free RawValue on purpose: a child SIGKILLed while holding a
lock would block the parent forever, and an aligned 64-bit store is atomic on the platforms we
run on.

Timing: latency is measured from submit (parent) to reply (child) on CLOCK_MONOTONIC, which
is the same clock in every process on Linux.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.process
import multiprocessing.queues
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Final

from robot_brain.core.config.spawning import main_module_hidden
from robot_brain.core.llm.registry import (
    backend_identity,
    make_backend,
    prepare_config,
    validate_config,
)
from robot_brain.core.llm.types import (
    ERROR_CANCELLED,
    ERROR_TIMEOUT,
    BackendConfig,
    BackendError,
    LlmReply,
    LlmRequest,
    Locality,
)

_START_METHOD: Final = "spawn"  # never fork: the parent has rclpy/DDS threads
_PARENT_CHECK_S = 0.5  # how often an orphaned child notices its parent is gone
# A child that dies before reporting ready is a start-up failure; back off so a broken config
# does not respawn a process every poll.
_STARTUP_BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)
_STOP_GRACE_S = 0.5
_WARMUP = "warmup"


@dataclass(frozen=True)
class WorkerEvent:
    kind: str  # "reply" | "started" | "crashed" | "restarted" | "hung"
    reply: LlmReply | None = None
    message: str = ""
    #: "crashed" before the backend reported ready: it cannot start (load or self-test failed).
    during_startup: bool = False


#: What a SIGILL in this project almost always means, and the fix.
SIGILL_CAUSE = ("an illegal instruction (SIGILL) in native code: llama.cpp built for a CPU "
                "feature this machine lacks; rebuild it portably (docs/llm.md)")


def describe_signal(signum: int) -> str:
    """A signal's name, with SIGILL's usual cause."""
    try:
        sig = signal.Signals(signum)
    except ValueError:
        return f"signal {signum}"
    return SIGILL_CAUSE if sig == signal.SIGILL else sig.name


def describe_exit(code: int | None) -> str:
    """A worker's exit code in words; a signal is named, SIGILL with its usual cause."""
    if code is None or code >= 0:
        return f"worker exited with code {code}"
    if code == -signal.SIGILL:
        return f"worker died of {SIGILL_CAUSE}"
    return f"worker killed by {describe_signal(-code)}"


@dataclass(frozen=True)
class _Submitted:
    seq: int
    request: LlmRequest
    submit_time: float  # monotonic


# ---------------------------------------------------------------------------------------------
# Child process


def _set_niceness(nice: int) -> str:
    """Raise the child's nice level to `nice`; returns a note when the OS refuses."""
    try:
        current = os.getpriority(os.PRIO_PROCESS, 0)
        if nice != current:
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        return ""
    except (OSError, AttributeError) as exc:
        return f"cannot set nice {nice}: {exc}"


def _exit_when_orphaned(parent_pid: int) -> None:
    # The child must not outlive the planner: if the parent is SIGKILLed nobody calls stop().
    while True:
        time.sleep(_PARENT_CHECK_S)
        if os.getppid() != parent_pid:
            os._exit(0)


def _worker_main(config: BackendConfig, requests: Any, replies: Any, cancel_upto: Any,
                 nice: int, parent_pid: int) -> None:
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    note = _set_niceness(nice)
    # numpy/BLAS thread pools would otherwise size themselves to every core; set before the
    # backend imports numpy (nothing imported so far in this child does).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(config.worker_threads))
    start = time.monotonic()
    try:
        backend = make_backend(config)
        # Fail at start, not at the first instruction: a native crash here kills this child
        # before "ready", which the parent reports as a start-up failure naming the signal.
        backend.self_test()
    except BackendError as exc:
        replies.put(("fatal", str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - report any load failure to the parent
        replies.put(("fatal", f"backend error: {type(exc).__name__}: {exc}"))
        return
    load_s = time.monotonic() - start
    replies.put(("ready", os.getpid(), backend.name, backend.model, backend.locality.value,
                 load_s, note))
    while True:
        item = requests.get()
        if item is None:
            return
        if not isinstance(item, _Submitted):
            continue  # the parent's warm-up item
        sub = item
        seq = sub.seq

        def cancelled(seq: int = seq) -> bool:
            return bool(cancel_upto.value >= seq)

        if cancelled():
            reply = LlmReply(sub.request.request_id, "", backend.name, backend.model,
                             backend.locality, 0, 0.0, 0.0, ERROR_CANCELLED)
        else:
            try:
                reply = backend.generate(sub.request, cancelled)
            except Exception as exc:  # noqa: BLE001 - a backend bug must not kill the worker
                reply = LlmReply(sub.request.request_id, "", backend.name, backend.model,
                                 backend.locality, 0, 0.0, 0.0,
                                 f"backend error: {type(exc).__name__}: {exc}")
        reply = dataclasses.replace(
            reply, request_id=sub.request.request_id,
            latency_s=time.monotonic() - sub.submit_time,
        )
        replies.put(("reply", seq, reply))


# ---------------------------------------------------------------------------------------------
# Parent side


class LlmWorker:
    """Owns one child process running one backend. All methods return without waiting."""

    def __init__(self, config: BackendConfig, hang_timeout_s: float = 60.0,
                 nice: int = 10) -> None:
        validate_config(config)
        if hang_timeout_s <= 0:
            raise BackendError(f"hang_timeout_s must be > 0, got {hang_timeout_s}")
        self._config = config
        self._hang_timeout_s = hang_timeout_s
        self._nice = nice
        self._ctx = multiprocessing.get_context(_START_METHOD)
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._requests: multiprocessing.queues.Queue[Any] | None = None
        self._replies: multiprocessing.queues.Queue[Any] | None = None
        self._cancel_upto: Any = self._ctx.RawValue("q", 0)
        self._seq = 0
        self._live: _Submitted | None = None  # the one request the caller still waits for
        self._outstanding: dict[int, _Submitted] = {}  # sent to the child, no reply yet
        self._answered: set[int] = set()  # seqs the parent already answered (timeout)
        self._ready = False
        self._startup_failures = 0
        self._restart_at: float | None = None
        self.restarts = 0
        self.name, self.model, self.locality = backend_identity(config)
        self.last_error = ""
        self.load_time_s: float | None = None

    # -- properties ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._live is not None

    @property
    def in_flight(self) -> int | None:
        return self._live.request.request_id if self._live is not None else None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    @property
    def ready(self) -> bool:
        """The child has loaded its backend and is serving."""
        return self._ready and self.alive

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the child. What the backend prepares in the parent (llama_cpp: the model file
        is located and assembled) happens here, so a missing package or file is a BackendError
        at start-up rather than a crashing child."""
        if self._proc is not None:
            return
        self.prepare()
        self._spawn()

    def prepare(self) -> None:
        """What start() does before spawning (raises BackendError), for a worker that starts
        later: a bad model file is found now rather than at its first start."""
        self._config = prepare_config(self._config)
        _, self.model, _ = backend_identity(self._config)

    def _spawn(self) -> None:
        self._requests = self._ctx.Queue()
        self._replies = self._ctx.Queue()
        self._ready = False
        proc = self._ctx.Process(
            target=_worker_main,
            args=(self._config, self._requests, self._replies, self._cancel_upto, self._nice,
                  os.getpid()),
            name=f"llm-worker-{self._config.kind}",
            daemon=True,
        )
        with main_module_hidden():   # never the node's own script again in the child
            proc.start()
        self._proc = proc
        # The first put starts the queue's feeder thread (milliseconds); do it now rather than
        # inside the caller's first submit().
        self._requests.put_nowait(_WARMUP)

    def _discard_child(self, kill: bool) -> None:
        proc, requests, replies = self._proc, self._requests, self._replies
        self._proc = self._requests = self._replies = None
        self._ready = False
        if proc is not None:
            if kill and proc.is_alive():
                proc.kill()
            # Reaps the zombie; bounded because the child is dead or was just SIGKILLed.
            proc.join(timeout=1.0)
            if not proc.is_alive():
                proc.close()
        for q in (requests, replies):
            if q is not None:
                # The feeder thread may hold data for a dead reader; never wait on it.
                q.cancel_join_thread()
                q.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the child to exit, then terminate, then kill: never leaves a process behind."""
        proc = self._proc
        self._restart_at = None
        if proc is None:
            self._live = None
            return
        self._cancel_upto.value = self._seq  # leave any generation between tokens
        if self._requests is not None:
            try:
                self._requests.put_nowait(None)
            except (ValueError, OSError):
                pass
        proc.join(timeout=max(0.0, timeout))
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=_STOP_GRACE_S)
        self._discard_child(kill=True)
        self._restart_at = None
        self._live = None
        self._outstanding.clear()
        self._answered.clear()

    def __enter__(self) -> LlmWorker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- requests ----------------------------------------------------------------------------

    def submit(self, request: LlmRequest) -> None:
        """Queue a request; every older request is cancelled (the child stops between tokens)."""
        self._seq += 1
        sub = _Submitted(self._seq, request, time.monotonic())
        self._cancel_upto.value = self._seq - 1
        self._live = sub
        self._send(sub)

    def _send(self, sub: _Submitted) -> None:
        if self._requests is None:
            return  # between a crash and the restart: resent by _restart()
        self._outstanding[sub.seq] = sub
        self._requests.put_nowait(sub)

    def cancel(self, request_id: int) -> None:
        """Cancel the live request if it has this id (older ones are already cancelled)."""
        if self._live is not None and self._live.request.request_id == request_id:
            self._cancel_upto.value = self._live.seq
            self._live = None

    # -- supervision -------------------------------------------------------------------------

    def poll(self) -> list[WorkerEvent]:
        events: list[WorkerEvent] = []
        if self._proc is None and self._restart_at is None:
            return events  # not started, or stopped
        self._drain(events)
        now = time.monotonic()
        self._check_timeout(now, events)
        if self._restart_at is not None:
            if now >= self._restart_at:
                self._restart(events)
            return events
        assert self._proc is not None
        if not self._proc.is_alive():  # waitpid(WNOHANG): does not block
            self._drain(events)  # whatever the child managed to send before dying
            code = self._proc.exitcode
            crashed_during_startup = not self._ready
            message = describe_exit(code)
            if self.last_error and crashed_during_startup:
                message += f": {self.last_error}"
            events.append(WorkerEvent("crashed", message=message,
                                      during_startup=crashed_during_startup))
            self._fail_live(events, f"worker crashed: {message}")
            self._discard_child(kill=False)
            self._schedule_restart(now, crashed_during_startup, events)
        elif self._hung(now):
            self._discard_child(kill=True)
            events.append(WorkerEvent(
                "hung", message=f"no reply within hang_timeout_s={self._hang_timeout_s:g} s; "
                                "worker killed"))
            self._fail_live(events, "worker crashed: hung and killed")
            self._schedule_restart(now, False, events)
        return events

    def _drain(self, events: list[WorkerEvent]) -> None:
        while self._replies is not None:
            try:
                msg = self._replies.get_nowait()
            except queue.Empty:
                return
            except (EOFError, OSError, ValueError):
                return
            self._handle(msg, events)

    def _handle(self, msg: tuple[Any, ...], events: list[WorkerEvent]) -> None:
        if msg[0] == "ready":
            _, pid, name, model, locality, load_s, note = msg
            self._ready = True
            self._startup_failures = 0
            self.name, self.model, self.locality = name, model, Locality(locality)
            self.load_time_s = load_s
            text = f"{name} backend ({model}, {locality}) loaded in {load_s:.2f} s, pid {pid}"
            events.append(WorkerEvent("started", message=text + (f"; {note}" if note else "")))
        elif msg[0] == "fatal":
            self.last_error = msg[1]
        elif msg[0] == "reply":
            _, seq, reply = msg
            self._outstanding.pop(seq, None)
            if seq in self._answered:
                self._answered.discard(seq)  # the parent already reported its timeout
                return
            if self._live is not None and seq == self._live.seq:
                self._live = None
            elif reply.error is None:
                # Finished just before it was superseded: report it as what it is.
                reply = dataclasses.replace(reply, error=ERROR_CANCELLED)
            events.append(WorkerEvent("reply", reply=reply))

    def _check_timeout(self, now: float, events: list[WorkerEvent]) -> None:
        live = self._live
        if live is None or now - live.submit_time <= live.request.timeout_s:
            return
        self._cancel_upto.value = live.seq
        self._live = None
        if live.seq in self._outstanding:
            self._answered.add(live.seq)
        events.append(WorkerEvent("reply", reply=self._synthetic(live, now, ERROR_TIMEOUT)))

    def _synthetic(self, sub: _Submitted, now: float, error: str) -> LlmReply:
        return LlmReply(sub.request.request_id, "", self.name, self.model, self.locality, 0,
                        0.0, now - sub.submit_time, error)

    def _fail_live(self, events: list[WorkerEvent], error: str) -> None:
        """The child died: its queued requests are lost and the live one is answered now.
        It is not resent: a request that crashes the backend would crash it again."""
        self._outstanding.clear()
        self._answered.clear()
        live, self._live = self._live, None
        if live is not None:
            reply = self._synthetic(live, time.monotonic(), error)
            events.append(WorkerEvent("reply", reply=reply))

    def _hung(self, now: float) -> bool:
        return any(now - s.submit_time > self._hang_timeout_s for s in self._outstanding.values())

    def _schedule_restart(self, now: float, startup_failure: bool,
                          events: list[WorkerEvent]) -> None:
        if startup_failure:
            delay = _STARTUP_BACKOFF_S[min(self._startup_failures, len(_STARTUP_BACKOFF_S) - 1)]
            self._startup_failures += 1
            self._restart_at = now + delay
        else:
            self._restart_at = now
            self._restart(events)

    def _restart(self, events: list[WorkerEvent]) -> None:
        self._restart_at = None
        self._spawn()
        self.restarts += 1
        events.append(WorkerEvent("restarted", message=f"worker restarted, pid {self.pid}"))
        if self._live is not None and self._live.seq not in self._outstanding:
            self._send(self._live)  # submitted while no child was running

