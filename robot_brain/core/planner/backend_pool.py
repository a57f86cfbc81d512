"""The planner's LLM workers: which run, how fast they answer, which are available now.

The pool owns one worker per backend the backend choice can select. It starts them (or,
with power gating, leaves a local one off while the normal mode's choice cannot use it), polls
them, keeps each backend's measured times (the choice's expected time), marks a backend
unavailable for `unavailable_s` after a failed request or a worker that died before it was
ready (start-up failure: the planner's health is ERROR until that worker starts), and gives
the backend choice its `BackendEstimate`s.

Power gating (`PoolConfig.power_gate`): a discrete accelerator idles at several watts even when
nothing runs on it. When the backend choice of the current power mode cannot select a local backend
(eco -> a remote one, critical -> dock), the pool stops the local workers (the accelerator can
be powered off) and starts them again when a mode's choice needs them; the model then loads in
the new child (~1 s) while the node keeps ticking. Stopping is bounded by `gate_stop_timeout_s`
before the child is terminated, so the tick never waits long.

Everything that would change the planner's status comes back as a `PoolNote`, in order.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, Union

from robot_brain.core.config.params import param
from robot_brain.core.llm.types import ERROR_TIMEOUT, LlmReply, LlmRequest
from robot_brain.core.planner.backend_choice import (
    CHOICE_AUTO,
    BackendChoiceConfig,
    BackendEstimate,
    Mode,
    auto_choice,
    expected_time,
)

if TYPE_CHECKING:
    from robot_brain.core.llm.worker import WorkerEvent


class Worker(Protocol):
    """What the pool needs of robot_brain.core.llm.worker.LlmWorker."""

    model: str

    @property
    def restarts(self) -> int: ...
    def submit(self, request: LlmRequest) -> None: ...
    def cancel(self, request_id: int) -> None: ...
    def poll(self) -> Sequence[WorkerEvent]: ...
    def prepare(self) -> None: ...
    def start(self) -> None: ...
    def stop(self, timeout: float = ...) -> None: ...


@dataclass(frozen=True)
class BackendInfo:
    name: str
    model: str
    locality: str     # 'local' | 'remote'
    power_w: float    # accelerator or modem draw while it works (backend choice estimate)
    prior_time_s: float


@dataclass(frozen=True)
class PoolConfig:
    #: After a backend error (timeout, connection) the choice avoids that backend this long.
    unavailable_s: float = param(30.0, "After a failed request, `auto` and fallbacks avoid "
                                 "that backend this long.", unit="s", min=0.0, max=3600.0,
                                 name="backend_unavailable_s")
    #: Stop local workers while the current mode's backend choice needs none (accelerator off).
    power_gate: bool = param(False, "Stop the local LLM worker (accelerator off) while the "
                             "power mode's backend choice needs no local backend (for `auto`: "
                             "while it would pick a remote one); start it when one does.",
                             name="power_gate_accelerator")
    #: How long a gated stop waits for the child to exit by itself before terminating it.
    gate_stop_timeout_s: float = 0.05


@dataclass(frozen=True)
class PoolNote:
    log: str
    message: str | None = None  # the planner's status message, when this changes it
    error: bool = False  # the planner's state becomes 'error'


#: What `BackendPool.poll` returns, in the order the workers reported it.
Polled = Union[PoolNote, tuple[str, LlmReply]]


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


class BackendPool:
    def __init__(self, choice: BackendChoiceConfig, workers: Mapping[str, Worker],
                 backends: Mapping[str, BackendInfo], config: PoolConfig = PoolConfig(),
                 stopped: Iterable[str] = ()) -> None:
        """`workers` are running except those in `stopped` (see `launch`)."""
        choice.check()
        missing = [n for n in choice.backends_needed() if n not in workers]
        if missing:
            raise ValueError(f"choice needs backend(s) {missing} but no worker was given")
        self.choice = choice
        self.config = config
        self.workers = dict(workers)
        self.backends = dict(backends)
        self._times: dict[str, deque[float]] = {n: deque(maxlen=20) for n in workers}
        self._unavailable_until: dict[str, float] = {}
        #: Backends whose worker died before it was ready (load or self-test): why.
        self._start_failures: dict[str, str] = {}
        self._gated_off: set[str] = {n for n in stopped if n in self.workers}
        self._powering_on: set[str] = set()

    @classmethod
    def launch(cls, choice: BackendChoiceConfig, backends: Mapping[str, BackendInfo],
               make_worker: Callable[[str], Worker], config: PoolConfig = PoolConfig()
               ) -> BackendPool:
        """A worker for every backend some mode's choice can select; each starts, except (with power
        gating) a local one the normal mode's choice (the mode until one is heard) cannot use, which
        is only prepared (a bad model file is found now, not inside a tick). On any failure the
        workers made so far are stopped and the error is raised."""
        choice.check()
        first = set(choice.backends_for(Mode.NORMAL))
        workers: dict[str, Worker] = {}
        stopped: list[str] = []
        try:
            for name in choice.backends_needed():
                worker = workers[name] = make_worker(name)
                info = backends.get(name)
                if config.power_gate and name not in first and info is not None \
                        and info.locality == "local":
                    worker.prepare()
                    stopped.append(name)
                else:
                    worker.start()
        except Exception:
            for worker in workers.values():
                worker.stop()
            raise
        return cls(choice, workers, backends, config, stopped)

    # -- what the session reads ------------------------------------------------------------

    @property
    def gated_off(self) -> list[str]:
        return sorted(self._gated_off)

    @property
    def start_failures(self) -> Mapping[str, str]:
        return MappingProxyType(self._start_failures)

    @property
    def restarts(self) -> int:
        return sum(w.restarts for w in self.workers.values())

    @property
    def accelerator_on(self) -> bool:
        """Without gating the accelerator is never powered off, whatever runs on it."""
        if not self.config.power_gate:
            return True
        return any(self._is_local(n) and n not in self._gated_off for n in self.workers)

    def locality(self, name: str) -> str:
        info = self.backends.get(name)
        return info.locality if info else "none"

    def model(self, name: str) -> str:
        info = self.backends.get(name)
        return str(getattr(self.workers.get(name), "model", "") or (info.model if info else ""))

    def estimates(self, now: float, as_powered: bool = False) -> dict[str, BackendEstimate]:
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

    # -- requests and replies --------------------------------------------------------------

    def submit(self, name: str, request: LlmRequest) -> None:
        self.workers[name].submit(request)

    def cancel(self, name: str, request_id: int) -> None:
        self.workers[name].cancel(request_id)

    def poll(self, now: float) -> list[Polled]:
        out: list[Polled] = []
        for name, worker in self.workers.items():
            for event in worker.poll():
                if event.kind == "reply" and event.reply is not None:
                    out.append((name, event.reply))
                else:
                    out.append(self._on_event(name, event, now))
        return out

    def _on_event(self, name: str, event: WorkerEvent, now: float) -> PoolNote:
        kind = event.kind
        text = f"{name} worker {kind}" + (f": {event.message}" if event.message else "")
        message = text if kind in ("crashed", "hung", "restarted") else None
        error = False
        if kind == "crashed" and event.during_startup:
            # It cannot start (e.g. SIGILL in llama.cpp): avoid it, so the choice falls back.
            self._start_failures[name] = text
            self._unavailable_until[name] = now + self.config.unavailable_s
            error = True
        elif kind == "started":
            self._start_failures.pop(name, None)
            if name in self._powering_on:
                self._powering_on.discard(name)
                message = f"accelerator on: {text}"
        return PoolNote(text, message, error)

    def record(self, name: str, reply: LlmReply, now: float) -> None:
        """A reply's time (the backend choice's estimate), or after an error that is not the
        request's own (remote, or a timeout) the backend avoided for `unavailable_s`."""
        locality = self.locality(name)
        if reply.error:
            if locality == "remote" or reply.error == ERROR_TIMEOUT:
                self._unavailable_until[name] = now + self.config.unavailable_s
            return
        self._times[name].append(float(reply.generation_time_s) if locality == "local"
                                 else float(reply.latency_s))

    def close(self) -> None:
        for name, worker in self.workers.items():
            if name not in self._gated_off:
                worker.stop()

    # -- power gating ----------------------------------------------------------------------

    def _is_local(self, name: str) -> bool:
        return self.locality(name) == "local"

    def gate(self, mode: Mode | None, now: float, busy: str | None) -> list[PoolNote]:
        """Start or stop local workers for the backend choice of `mode`; never the `busy` one."""
        if not self.config.power_gate:
            return []
        mode = mode or Mode.NORMAL
        wanted = self._choice_needs(mode, now)
        if busy is not None:
            wanted.add(busy)  # never pull the plug under a live request
        notes = []
        for name in self.workers:
            if not self._is_local(name):
                continue
            if name in wanted and name in self._gated_off:
                # after a failed start, retry only once the unavailable time has passed
                if now >= self._unavailable_until.get(name, -1.0):
                    notes.append(self._power_on(name, mode, now))
            elif name not in wanted and name not in self._gated_off:
                notes.append(self._power_off(name, mode))
        return notes

    def _choice_needs(self, mode: Mode, now: float) -> set[str]:
        """The backends the choice of `mode` would use now. For `auto`, only the one it would
        pick if every worker were powered (a gated-off worker must not look unavailable, or
        gating would make the backend decision): while a remote backend is the cheaper choice
        the accelerator stays off; when that backend fails and is avoided, auto picks the
        local one and it is powered on again."""
        if self.choice.by_mode.get(mode) != CHOICE_AUTO:
            return set(self.choice.backends_for(mode))
        choice = auto_choice(self.choice, self.estimates(now, as_powered=True))
        return {choice} if choice is not None else set(self.choice.backends_for(mode))

    def _power_on(self, name: str, mode: Mode, now: float) -> PoolNote:
        t = time.monotonic()
        try:
            self.workers[name].start()
        except Exception as exc:  # noqa: BLE001 - a failed start must not stop the planner
            self._unavailable_until[name] = now + self.config.unavailable_s
            text = f"accelerator on failed: {name} worker did not start: {exc}"
            return PoolNote(text, text)
        self._gated_off.discard(name)
        self._powering_on.add(name)
        message = (f"accelerator on ({mode.value} chooses {name}): worker starting, "
                   "model loading")
        return PoolNote(f"{message} (start took {time.monotonic() - t:.3f} s)", message)

    def _power_off(self, name: str, mode: Mode) -> PoolNote:
        t = time.monotonic()
        self.workers[name].stop(timeout=self.config.gate_stop_timeout_s)
        self._gated_off.add(name)
        self._powering_on.discard(name)
        message = f"accelerator off: the {mode.value} choice needs no local backend now"
        return PoolNote(f"{message}; {name} worker stopped in {time.monotonic() - t:.3f} s",
                        message)
