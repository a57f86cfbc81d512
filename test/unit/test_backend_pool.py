"""BackendPool.launch: the pool, not the node, decides which workers start."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from robot_brain.core.planner.backend_choice import BackendChoiceConfig, Mode
from robot_brain.core.planner.backend_pool import BackendPool, PoolConfig, make_backend_infos
from test.unit.test_planner_backend_choice import per_mode


@dataclass
class Worker:
    name: str
    fail: str = ""  # "start" | "prepare"
    log: list[str] = field(default_factory=list)
    model: str = "m"
    restarts: int = 0

    def prepare(self) -> None:
        self.log.append("prepare")
        if self.fail == "prepare":
            raise OSError("bad model file")

    def start(self) -> None:
        self.log.append("start")
        if self.fail == "start":
            raise OSError("cannot start")

    def stop(self, timeout: float = 5.0) -> None:
        self.log.append("stop")


ECO_REMOTE = {Mode.NORMAL: "openai", Mode.ECO: "openai", Mode.CRITICAL: "llama_cpp"}


def launch(by_mode: dict[Mode, str], gate: bool, fail: dict[str, str] | None = None,
           made: dict[str, Worker] | None = None) -> tuple[BackendPool, dict[str, Worker]]:
    choice = BackendChoiceConfig("openai", **per_mode(by_mode), auto_base_load_w=0.0)
    infos = make_backend_infos(choice.backends_needed(),
                               lambda n: ("m", "remote" if n == "openai" else "local"),
                               20.0, 7.5, {})
    made = {} if made is None else made

    def make(name: str) -> Worker:
        made[name] = Worker(name, (fail or {}).get(name, ""))
        return made[name]

    return BackendPool.launch(choice, infos, make, PoolConfig(power_gate=gate)), made


def test_launch_starts_a_worker_for_every_route() -> None:
    pool, made = launch(ECO_REMOTE, gate=False)
    assert sorted(made) == ["llama_cpp", "openai"] and pool.gated_off == []
    assert made["llama_cpp"].log == ["start"] and made["openai"].log == ["start"]


def test_launch_with_gating_leaves_a_local_worker_the_normal_route_cannot_use_off() -> None:
    pool, made = launch(ECO_REMOTE, gate=True)
    assert pool.gated_off == ["llama_cpp"] and made["llama_cpp"].log == ["prepare"]
    assert made["openai"].log == ["start"] and pool.accelerator_on is False
    pool.close()
    assert made["llama_cpp"].log == ["prepare"] and made["openai"].log == ["start", "stop"]


@pytest.mark.parametrize("fail", [{"llama_cpp": "start"}, {"llama_cpp": "prepare"}])
def test_a_failed_launch_stops_what_it_started(fail: dict[str, str]) -> None:
    gate = fail["llama_cpp"] == "prepare"
    made: dict[str, Worker] = {}
    with pytest.raises(OSError):
        launch({Mode.NORMAL: "openai", Mode.ECO: "llama_cpp", Mode.CRITICAL: "dock"}, gate, fail,
               made)
    assert made["openai"].log == ["start", "stop"]  # preferred first: started, then stopped
    assert made["llama_cpp"].log[-1] == "stop"
