"""The openai backend against a fake SSE server (every failure path) and, when
llama-cpp-python is installed, against llama.cpp's own OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.util import find_spec
from typing import Any

import pytest

from robot_brain.core.llm.openai_compat import OpenAiCompatBackend, OpenAiConfig, locality_of_url
from robot_brain.core.llm.registry import make_backend
from robot_brain.core.llm.types import BackendError, Locality
from test.unit.llm_helpers import request


def never() -> bool:
    return False


class FakeServer:
    """Chat-completions over SSE with scripted misbehaviour, on an ephemeral loopback port."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.tokens = ['{"steps": ', '[{"skill": ', '"dock"}]}']
        self.reject_forms: set[str] = set()
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.chunk_delay_s = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.bodies.append(body)
                fake.headers.append(dict(self.headers))
                form = (body.get("response_format") or {}).get("type", "none")
                if fake.mode == "500":
                    return self._plain(500, "internal trouble")
                if form in fake.reject_forms:
                    return self._plain(400, f"response_format {form} not supported")
                if fake.mode == "plain_json":
                    # A server that ignores stream=true and answers one completion.
                    completion = {"choices": [{"message": {"role": "assistant",
                                                           "content": "".join(fake.tokens)},
                                               "finish_reason": "stop"}],
                                  "usage": {"completion_tokens": 7}}
                    data = json.dumps(completion, indent=1).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for i, tok in enumerate(fake.tokens):
                    if fake.mode == "close_mid" and i == 1:
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    chunk = {"choices": [{"delta": {"content": tok}, "finish_reason": None}]}
                    self._event(json.dumps(chunk))
                    time.sleep(fake.chunk_delay_s)
                if fake.mode == "garbage_chunk":
                    self._event("{not json")
                    return
                self._event(json.dumps({"choices": [{"delta": {}, "finish_reason": "stop"}]}))
                if fake.mode != "no_done":
                    self._event("[DONE]")

            def _event(self, data: str) -> None:
                try:
                    self.wfile.write(f"data: {data}\n\n".encode())
                    self.wfile.flush()
                except OSError:
                    pass  # the client went away (cancellation)

            def _plain(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer()
    yield server
    server.close()


def backend_for(url: str, **kwargs: Any) -> OpenAiCompatBackend:
    backend = make_backend(OpenAiConfig(base_url=url, model="m", **kwargs))
    assert isinstance(backend, OpenAiCompatBackend)
    return backend


def test_streamed_reply_and_request_body(fake: FakeServer, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    monkeypatch.setenv("ROBOT_BRAIN_TEST_KEY", "sk-test")
    backend = backend_for(fake.url, api_key_env="ROBOT_BRAIN_TEST_KEY")
    reply = backend.generate(request(5), never)
    assert reply.error is None and reply.request_id == 5
    assert json.loads(reply.text) == {"steps": [{"skill": "dock"}]}
    assert reply.tokens == 3 and reply.backend == "openai" and reply.model == "m"
    body = fake.bodies[0]
    assert body["stream"] is True and body["model"] == "m"
    assert body["messages"][0]["role"] == "user"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["steps"]
    assert fake.headers[0]["Authorization"] == "Bearer sk-test"


def test_no_key_no_authorization_header(fake: FakeServer, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    monkeypatch.delenv("ROBOT_BRAIN_ABSENT_KEY", raising=False)
    backend_for(fake.url, api_key_env="ROBOT_BRAIN_ABSENT_KEY").generate(request(1), never)
    assert "Authorization" not in fake.headers[0]


def test_structured_output_fallback_chain_is_remembered(fake: FakeServer) -> None:
    fake.reject_forms = {"json_schema"}
    backend = backend_for(fake.url)
    assert backend.generate(request(1), never).error is None
    assert [(b.get("response_format") or {}).get("type") for b in fake.bodies] == [
        "json_schema", "json_object"]
    assert fake.bodies[1]["response_format"]["schema"]["required"] == ["steps"]
    assert backend.structured_form == "json_object"
    backend.generate(request(2), never)
    assert fake.bodies[2]["response_format"]["type"] == "json_object"  # no retry of json_schema
    fake.reject_forms = {"json_schema", "json_object"}
    assert backend.generate(request(3), never).error is None
    assert "response_format" not in fake.bodies[-1]
    assert backend.structured_form == "none"


def test_fixed_form_does_not_fall_back(fake: FakeServer) -> None:
    fake.reject_forms = {"json_object"}
    reply = backend_for(fake.url, structured_output="json_object").generate(request(1), never)
    assert reply.error is not None and reply.error.startswith("http 400")
    assert len(fake.bodies) == 1


def test_http_500_is_an_error_reply(fake: FakeServer) -> None:
    fake.mode = "500"
    reply = backend_for(fake.url).generate(request(1), never)
    assert reply.error == "http 500: internal trouble"
    assert len(fake.bodies) == 1  # a server error is not a reason to change the format


def test_connection_closed_mid_stream(fake: FakeServer) -> None:
    fake.mode = "close_mid"
    reply = backend_for(fake.url).generate(request(1), never)
    assert reply.error is not None and reply.error.startswith("connection error")
    assert reply.text == '{"steps": '  # what arrived is kept for the record


def test_bad_chunk_is_an_error_reply(fake: FakeServer) -> None:
    fake.mode = "garbage_chunk"
    reply = backend_for(fake.url).generate(request(1), never)
    assert reply.error is not None and "bad stream chunk" in reply.error


def test_finish_without_done_is_accepted(fake: FakeServer) -> None:
    fake.mode = "no_done"
    reply = backend_for(fake.url).generate(request(1), never)
    assert reply.error is None and reply.tokens == 3


def test_plain_json_completion_is_accepted_as_well_as_a_stream(fake: FakeServer) -> None:
    fake.mode = "plain_json"
    reply = backend_for(fake.url).generate(request(1), never)
    assert reply.error is None, reply.error
    assert json.loads(reply.text) == {"steps": [{"skill": "dock"}]} and reply.tokens == 7


def test_a_huge_streamed_reply_is_cut_off_not_read_whole(fake: FakeServer) -> None:
    from robot_brain.core.llm.sse_stream import MAX_REPLY_BYTES
    fake.tokens = ["x" * 1000] * 4400  # about 4.4 MB of SSE
    reply = backend_for(fake.url).generate(request(1), never)
    assert reply.error == f"backend error: reply larger than {MAX_REPLY_BYTES} bytes; cut off"
    assert len(reply.text) <= MAX_REPLY_BYTES


def test_server_down_is_a_connection_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    reply = backend_for(f"http://127.0.0.1:{port}/v1").generate(request(1), never)
    assert reply.error is not None and reply.error.startswith("connection error")


def test_cancel_and_timeout_between_chunks(fake: FakeServer) -> None:
    fake.chunk_delay_s = 5.0
    backend = backend_for(fake.url)
    start = time.monotonic()
    reply = backend.generate(request(1), lambda: time.monotonic() - start > 0.2)
    assert reply.error == "cancelled" and time.monotonic() - start < 3.0
    start = time.monotonic()
    reply = backend.generate(request(2, timeout_s=0.3), never)
    assert reply.error == "timeout" and time.monotonic() - start < 3.0


def test_locality_and_config_errors() -> None:
    assert locality_of_url("http://127.0.0.1:8000/v1") is Locality.LOCAL
    assert locality_of_url("http://localhost:11434/v1") is Locality.LOCAL
    assert locality_of_url("http://[::1]:8000/v1") is Locality.LOCAL
    assert locality_of_url("https://api.openai.com/v1") is Locality.REMOTE
    assert locality_of_url("http://192.168.1.20:8000/v1") is Locality.REMOTE
    with pytest.raises(BackendError, match="base_url"):
        make_backend(OpenAiConfig(base_url="ftp://x"))
    with pytest.raises(BackendError, match="structured_output"):
        make_backend(OpenAiConfig(structured_output="xml"))
    with pytest.raises(BackendError, match="http_timeout_s"):
        make_backend(OpenAiConfig(http_timeout_s=0))


# -- a real OpenAI-compatible server: llama.cpp's, with the embedded model --------------------

SERVER_START_BOUND_S = 120.0  # model load ~1 s, server import a few s on a loaded machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], bound_s: float) -> None:
    end = time.monotonic() + bound_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"llama_cpp.server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"llama_cpp.server did not listen within {bound_s} s")


@pytest.fixture
def llama_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    if find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed in this Python (pip install "
                    "'llama-cpp-python[server]'); the fake-server tests cover the protocol")
    if find_spec("uvicorn") is None or find_spec("fastapi") is None:
        pytest.skip("llama-cpp-python is installed without its [server] extra")
    from robot_brain.core.llm.model_files import resolve_model_path

    model = resolve_model_path("")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_threads", "1", "--n_ctx", "2048", "--verbose", "False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ),
    )
    try:
        _wait_listening(port, proc, SERVER_START_BOUND_S)
        yield f"http://127.0.0.1:{port}/v1", proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_real_llama_cpp_server(llama_server: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, proc = llama_server
    backend = backend_for(url, http_timeout_s=60.0)
    reply = backend.generate(request(1, timeout_s=120.0, max_tokens=16), never)
    assert reply.error is None, reply.error
    assert reply.tokens > 0 and reply.generation_time_s > 0
    assert reply.locality is Locality.LOCAL
    # llama.cpp's server rejects OpenAI's json_schema form and takes its own json_object form.
    assert backend.structured_form == "json_object"
    # Grammar-constrained from the first token (max_tokens cuts it before the end).
    assert re.match(r'\{\s*"steps"', reply.text), reply.text

    # The server goes away mid-request (1 s in: the request is sent and being generated):
    # a clear error, no hang.
    start = time.monotonic()

    def kill_server_once() -> bool:
        if time.monotonic() - start > 1.0 and proc.poll() is None:
            proc.kill()
        return False

    reply = backend.generate(request(2, timeout_s=120.0, max_tokens=200), kill_server_once)
    assert reply.error is not None
    assert reply.error.startswith("connection error"), reply.error
    assert time.monotonic() - start < 60.0


HOSTILE_REPLIES = {
    "garbage": ["Sure! ", "Running into the wall ", "at 10 m/s now."],
    "truncated": ['{"steps": ', '[{"skill": "navigate_to", "pla'],
    "unknown_skill": ['{"steps": [{"skill": ', '"sprint", "speed": 10}]}'],
    "unknown_place": ['{"steps": [{"skill": "navigate_to", ', '"place": "garage"}]}'],
    "outside_map": ['{"steps": [{"skill": "navigate_to", ', '"x": 50.0, "y": 0.0}]}'],
    "huge_wait": ['{"steps": [{"skill": "wait", ', '"seconds": 1000000000}]}'],
    "speed_field": ['{"steps": [{"skill": "navigate_to", "x": 4.0, ', '"y": 0.0, "speed": 10}]}'],
}


@pytest.mark.parametrize("case", sorted(HOSTILE_REPLIES))
def test_hostile_replies_through_openai_are_rejected_by_the_planner(fake: FakeServer,
                                                                    case: str) -> None:
    """What a remote model streams goes through the same validation: rejected with a reason."""
    from robot_brain.core.planner.skills import PlanLimits
    from robot_brain.core.planner.validation import PlanValidator
    from robot_brain.core.resources import default_world_path
    from robot_brain.core.world import load_world

    fake.tokens = HOSTILE_REPLIES[case]
    reply = backend_for(fake.url, structured_output="none").generate(request(1), never)
    assert reply.error is None and reply.text == "".join(HOSTILE_REPLIES[case])
    verdict = PlanValidator(load_world(default_world_path()),
                            PlanLimits(max_wait_s=60.0)).validate_text(reply.text)
    assert not verdict.accepted and verdict.plan is None
    assert verdict.reason
