"""The spawned LLM worker: ids, timeout, supersession, crash and hang recovery, never blocking.

Bounds are >= 10x the expected times (scripted replies take ~0.05 s; a spawn takes ~0.3 s on
a loaded 2-core machine, so waits for a (re)started worker are 30 s).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from robot_brain.core.llm.scripted import ScriptedConfig
from robot_brain.core.llm.types import BackendConfig, BackendError, LlmReply
from robot_brain.core.llm.worker import LlmWorker
from test.unit.llm_helpers import PLAN, poll_until, replies, request

SPAWN_BOUND_S = 30.0
CALL_BOUND_S = 0.1  # submit/cancel/poll are expected well under 1 ms


def scripted(**kwargs: object) -> BackendConfig:
    return ScriptedConfig(replies=(PLAN,), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def make_worker() -> Iterator[object]:
    workers: list[LlmWorker] = []

    def make(config: BackendConfig, **kwargs: object) -> LlmWorker:
        worker = LlmWorker(config, **kwargs)  # type: ignore[arg-type]
        workers.append(worker)
        worker.start()
        return worker

    yield make
    for worker in workers:
        pid = worker.pid
        worker.stop(timeout=1.0)
        assert not worker.alive
        if pid is not None:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)  # no orphan left behind


def reply_for(events: list, request_id: int) -> LlmReply | None:  # type: ignore[type-arg]
    return next((r for r in replies(events) if r.request_id == request_id), None)


def wait_reply(worker: LlmWorker, request_id: int, timeout_s: float = SPAWN_BOUND_S,
               events: list | None = None) -> LlmReply:  # type: ignore[type-arg]
    got = poll_until(worker, lambda ev: reply_for(ev, request_id) is not None, timeout_s,
                     record=events)
    reply = reply_for(got, request_id)
    assert reply is not None
    return reply


def test_reply_carries_request_id_and_started_event(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted(latency_s=0.05))
    events: list = []  # type: ignore[type-arg]
    worker.submit(request(42))
    assert worker.busy and worker.in_flight == 42
    reply = wait_reply(worker, 42, events=events)
    assert reply.error is None and reply.text == PLAN
    assert reply.latency_s >= reply.generation_time_s >= 0.05
    assert any(e.kind == "started" for e in events)
    assert not worker.busy and worker.in_flight is None
    assert worker.ready and worker.alive and worker.pid not in (None, os.getpid())


def test_model_stays_loaded_across_requests(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted())
    pid = worker.pid
    for i in range(3):
        worker.submit(request(i))
        assert wait_reply(worker, i).error is None
    assert worker.pid == pid and worker.restarts == 0


def test_timeout_gives_timeout_reply(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted(latency_s=60.0))
    worker.submit(request(7, timeout_s=0.2))
    events: list = []  # type: ignore[type-arg]
    reply = wait_reply(worker, 7, timeout_s=2.0 + SPAWN_BOUND_S, events=events)
    assert reply.error == "timeout"
    assert reply.latency_s >= 0.2
    # Only one reply per request, and the worker is still usable afterwards.
    worker.submit(request(8, timeout_s=0.2))
    poll_until(worker, lambda ev: reply_for(ev, 8) is not None, SPAWN_BOUND_S, record=events)
    assert len([r for r in replies(events) if r.request_id == 7]) == 1
    assert worker.restarts == 0


def test_newer_submit_cancels_older(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted(latency_s=30.0))
    poll_until(worker, lambda ev: any(e.kind == "started" for e in ev), SPAWN_BOUND_S)
    worker.submit(request(1))
    time.sleep(0.1)  # let the child start generating request 1
    worker.submit(request(2, timeout_s=0.5))
    assert worker.in_flight == 2
    events: list = []  # type: ignore[type-arg]
    newer = wait_reply(worker, 2, timeout_s=5.0, events=events)
    older = reply_for(events, 1)
    # The older request must not keep the worker busy for its 30 s latency.
    assert older is None or older.error == "cancelled"
    assert newer.request_id != 1
    assert newer.error == "timeout"  # its own 30 s latency exceeds its 0.5 s budget


def test_newer_request_is_served_after_cancel(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(ScriptedConfig(replies=("old", "new"), latency_s=0.3))
    poll_until(worker, lambda ev: any(e.kind == "started" for e in ev), SPAWN_BOUND_S)
    worker.submit(request(1))
    worker.submit(request(2))
    events: list = []  # type: ignore[type-arg]
    newer = wait_reply(worker, 2, timeout_s=5.0, events=events)
    assert newer.error is None and newer.text in ("old", "new")
    older = reply_for(events, 1)
    assert older is None or older.error == "cancelled"


def test_cancel_live_request(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted(latency_s=30.0))
    worker.submit(request(3))
    worker.cancel(99)  # not the live one: ignored
    assert worker.in_flight == 3
    worker.cancel(3)
    assert not worker.busy
    reply = wait_reply(worker, 3, timeout_s=SPAWN_BOUND_S)
    assert reply.error == "cancelled"


def test_sigkill_restarts_and_next_request_is_served(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted(latency_s=30.0))
    poll_until(worker, lambda ev: any(e.kind == "started" for e in ev), SPAWN_BOUND_S)
    old_pid = worker.pid
    worker.submit(request(1))
    os.kill(old_pid, signal.SIGKILL)
    events = poll_until(worker, lambda ev: any(e.kind == "restarted" for e in ev), SPAWN_BOUND_S)
    kinds = [e.kind for e in events]
    assert kinds.index("crashed") < kinds.index("restarted")
    crashed = reply_for(events, 1)
    assert crashed is not None and crashed.error is not None
    assert crashed.error.startswith("worker crashed")
    assert worker.restarts == 1 and worker.pid != old_pid
    # The restarted child answers the next request; cancelling it skips the 30 s latency.
    worker.submit(request(2, timeout_s=60.0))
    worker.cancel(2)
    assert wait_reply(worker, 2).error == "cancelled"


def test_sigkill_then_normal_reply(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted())
    worker.submit(request(1))
    assert wait_reply(worker, 1).error is None
    os.kill(worker.pid, signal.SIGKILL)
    poll_until(worker, lambda ev: any(e.kind == "restarted" for e in ev), SPAWN_BOUND_S)
    worker.submit(request(2))
    reply = wait_reply(worker, 2)
    assert reply.error is None and reply.text == PLAN


def test_crash_failure_mode_is_reported_and_restarted(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted(failure="crash"))
    poll_until(worker, lambda ev: any(e.kind == "started" for e in ev), SPAWN_BOUND_S)
    worker.submit(request(1))
    events = poll_until(worker, lambda ev: any(e.kind == "restarted" for e in ev), SPAWN_BOUND_S)
    crashed = [e for e in events if e.kind == "crashed"]
    assert crashed and "code 3" in crashed[0].message
    assert reply_for(events, 1) is not None


def test_hang_is_killed_after_hang_timeout_and_restarted(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted(failure="hang"), hang_timeout_s=1.0)
    poll_until(worker, lambda ev: any(e.kind == "started" for e in ev), SPAWN_BOUND_S)
    old_pid = worker.pid
    worker.submit(request(1, timeout_s=0.3))
    start = time.monotonic()
    events = poll_until(worker, lambda ev: any(e.kind == "restarted" for e in ev),
                        SPAWN_BOUND_S)
    elapsed = time.monotonic() - start
    assert reply_for(events, 1) is not None and reply_for(events, 1).error == "timeout"
    hung = [e for e in events if e.kind == "hung"]
    assert hung and elapsed >= 1.0
    assert worker.pid != old_pid and worker.restarts == 1
    with pytest.raises(ProcessLookupError):
        os.kill(old_pid, 0)


def test_startup_failure_is_reported_with_reason(make_worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    reply_file = tmp_path / "replies.json"
    reply_file.write_text('["ok"]')
    worker = make_worker(ScriptedConfig(reply_file=str(reply_file)))
    poll_until(worker, lambda ev: any(e.kind == "started" for e in ev), SPAWN_BOUND_S)
    reply_file.unlink()  # the next child cannot load its backend
    os.kill(worker.pid, signal.SIGKILL)
    events = poll_until(
        worker, lambda ev: any(e.kind == "crashed" and "reply_file" in e.message for e in ev),
        SPAWN_BOUND_S)
    assert any(e.kind == "restarted" for e in events)
    assert "cannot be read" in worker.last_error


def test_calls_never_block_while_worker_hangs(make_worker) -> None:  # type: ignore[no-untyped-def]
    worker = make_worker(scripted(failure="hang"), hang_timeout_s=60.0)
    poll_until(worker, lambda ev: any(e.kind == "started" for e in ev), SPAWN_BOUND_S)
    worst = 0.0
    for i in range(50):
        req = request(i)
        for call in (lambda: worker.submit(req), worker.poll,  # noqa: B023 - called at once
                     lambda: worker.cancel(req.request_id), worker.poll):  # noqa: B023
            start = time.perf_counter()
            call()
            worst = max(worst, time.perf_counter() - start)
    assert worst < CALL_BOUND_S, worst


def test_invalid_worker_config() -> None:
    with pytest.raises(BackendError, match="hang_timeout_s"):
        LlmWorker(scripted(), hang_timeout_s=0)
    with pytest.raises(BackendError, match="unknown LLM backend kind"):
        LlmWorker(BackendConfig(kind="nope"))


def test_stop_without_start_and_double_stop() -> None:
    worker = LlmWorker(scripted())
    worker.stop()
    assert worker.poll() == []
    worker.start()
    worker.stop()
    worker.stop()
    assert not worker.alive


def test_child_exits_when_parent_is_killed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = tmp_path / "parent.py"
    # No main guard on purpose: the worker must not re-run the parent's __main__ in the child.
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "from robot_brain.core.llm.scripted import ScriptedConfig\n"
        "from robot_brain.core.llm.worker import LlmWorker\n"
        "w = LlmWorker(ScriptedConfig())\n"
        "w.start()\n"
        "print(w.pid, flush=True)\n"
        "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        os.kill(child_pid, 0)  # running
        parent.kill()
        parent.wait(timeout=10)
        end = time.monotonic() + 10.0  # expected ~0.5 s (the child's parent check period)
        while time.monotonic() < end:
            try:
                os.kill(child_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(child_pid, signal.SIGKILL)
            raise AssertionError("worker child outlived its killed parent")
    finally:
        if parent.poll() is None:
            parent.kill()


def test_backend_that_dies_at_its_start_up_self_test_is_named(make_worker) -> None:  # type: ignore[no-untyped-def]
    # As llama.cpp built for a CPU feature the machine lacks: SIGILL on the first generation,
    # which the worker now runs at load, so it is a start-up failure, not a lost instruction.
    worker = make_worker(scripted(failure="illegal_instruction"))
    events = poll_until(worker, lambda ev: any(e.kind == "crashed" for e in ev), SPAWN_BOUND_S)
    crash = next(e for e in events if e.kind == "crashed")
    assert crash.during_startup
    assert "illegal instruction (SIGILL)" in crash.message
    assert not any(e.kind == "started" for e in events)


def test_describe_exit_names_signals() -> None:
    from robot_brain.core.llm.worker import describe_exit
    assert describe_exit(3) == "worker exited with code 3"
    assert describe_exit(-signal.SIGKILL) == "worker killed by SIGKILL"
    assert "SIGILL" in describe_exit(-signal.SIGILL)
