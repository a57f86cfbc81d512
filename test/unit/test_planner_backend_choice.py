"""Routing by power mode: a pure function, the same inputs always give the same decision."""

from __future__ import annotations

import pytest

from robot_brain.core.planner.backend_choice import (
    BackendChoiceConfig,
    BackendChoiceError,
    BackendEstimate,
    ChoiceAction,
    Mode,
    choose_backend,
    expected_time,
)

LOCAL = BackendEstimate("llama_cpp", "local", power_w=20.0, expected_time_s=3.0)
REMOTE = BackendEstimate("openai", "remote", power_w=7.5, expected_time_s=1.5)
BOTH = {"llama_cpp": LOCAL, "openai": REMOTE}


def cfg(**by_mode: str) -> BackendChoiceConfig:
    base = {Mode.NORMAL: "preferred", Mode.ECO: "openai", Mode.CRITICAL: "dock"}
    base.update({Mode(k): v for k, v in by_mode.items()})
    return BackendChoiceConfig(preferred="llama_cpp", **per_mode(base), eco_min_interval_s=30.0,
                               auto_max_latency_s=10.0, auto_candidates=("llama_cpp", "openai"),
                               auto_base_load_w=0.0)


def per_mode(by_mode: dict[Mode, str]) -> dict[str, str]:
    """{mode: choice} as BackendChoiceConfig's parameters (backend_normal, ...)."""
    return {f"backend_{mode.value}": choice for mode, choice in by_mode.items()}


def test_normal_uses_preferred() -> None:
    d = choose_backend(Mode.NORMAL, cfg(), BOTH, 0.0, None)
    assert (d.action, d.backend) == (ChoiceAction.LLM, "llama_cpp")
    assert "preferred backend llama_cpp" in d.reason


def test_unknown_mode_counts_as_normal() -> None:
    assert choose_backend(None, cfg(), BOTH, 0.0, None).backend == "llama_cpp"
    assert Mode.parse(" ECO ") is Mode.ECO and Mode.parse("turbo") is None


def test_eco_uses_the_cheaper_backend_and_rations_requests() -> None:
    d = choose_backend(Mode.ECO, cfg(), BOTH, 100.0, None)
    assert (d.action, d.backend) == (ChoiceAction.LLM, "openai")
    d = choose_backend(Mode.ECO, cfg(), BOTH, 110.0, last_request_at=100.0)
    assert d.action is ChoiceAction.DEFER and d.defer_s == pytest.approx(20.0)
    assert "at most one request per 30 s" in d.reason
    d = choose_backend(Mode.ECO, cfg(), BOTH, 130.0, last_request_at=100.0)
    assert d.action is ChoiceAction.LLM
    # the interval belongs to eco only
    assert choose_backend(Mode.NORMAL, cfg(), BOTH, 101.0, 100.0).action is ChoiceAction.LLM


def test_critical_docks_without_llm_even_right_after_a_request() -> None:
    d = choose_backend(Mode.CRITICAL, cfg(), BOTH, 1.0, last_request_at=0.9)
    assert d.action is ChoiceAction.DOCK and d.backend is None
    assert "no LLM calls" in d.reason


def test_deterministic_no_hidden_state() -> None:
    decisions = {choose_backend(m, cfg(eco="auto"), BOTH, 50.0, 10.0)
                 for m in Mode for _ in range(5)}
    assert len(decisions) == 3
    # flipping modes back and forth gives the same decision every time: no hysteresis here
    seq = [choose_backend(m, cfg(), BOTH, 0.0, None).action
           for m in [Mode.NORMAL, Mode.CRITICAL] * 4]
    assert seq == [ChoiceAction.LLM, ChoiceAction.DOCK] * 4


def test_auto_picks_least_energy() -> None:
    # local 20 W x 3 s = 60 J vs remote 7.5 W x 1.5 s = 11 J -> remote
    d = choose_backend(Mode.NORMAL, cfg(normal="auto"), BOTH, 0.0, None)
    assert d.backend == "openai" and "least energy" in d.reason and "60.0 J" in d.reason
    # a fast local model on a small accelerator beats a slow link
    fast_local = {"llama_cpp": BackendEstimate("llama_cpp", "local", 5.0, 0.5),
                  "openai": BackendEstimate("openai", "remote", 7.5, 4.0)}
    d = choose_backend(Mode.NORMAL, cfg(normal="auto"), fast_local, 0.0, None)
    assert d.backend == "llama_cpp"


def test_auto_respects_latency_bound() -> None:
    slow_remote = {"llama_cpp": BackendEstimate("llama_cpp", "local", 20.0, 3.0),
                   "openai": BackendEstimate("openai", "remote", 1.0, 15.0)}  # cheap but slow
    d = choose_backend(Mode.NORMAL, cfg(normal="auto"), slow_remote, 0.0, None)
    assert d.backend == "llama_cpp"
    both_slow = {"llama_cpp": BackendEstimate("llama_cpp", "local", 20.0, 12.0),
                 "openai": BackendEstimate("openai", "remote", 1.0, 15.0)}
    d = choose_backend(Mode.NORMAL, cfg(normal="auto"), both_slow, 0.0, None)
    assert d.backend == "llama_cpp" and "fastest" in d.reason


def test_auto_skips_unavailable_backend() -> None:
    down = {"llama_cpp": LOCAL, "openai": BackendEstimate("openai", "remote", 7.5, 1.5,
                                                          available=False)}
    d = choose_backend(Mode.NORMAL, cfg(normal="auto"), down, 0.0, None)
    assert d.backend == "llama_cpp" and "unavailable: openai" in d.reason
    none = {k: BackendEstimate(v.name, v.locality, v.power_w, v.expected_time_s, False)
            for k, v in BOTH.items()}
    d = choose_backend(Mode.NORMAL, cfg(normal="auto"), none, 0.0, None)
    assert d.action is ChoiceAction.NONE


def test_named_backend_unavailable_falls_back() -> None:
    down = {"llama_cpp": LOCAL, "openai": BackendEstimate("openai", "remote", 7.5, 1.5, False)}
    d = choose_backend(Mode.ECO, cfg(), down, 0.0, None)
    assert d.backend == "llama_cpp" and "falling back" in d.reason
    d = choose_backend(Mode.ECO, cfg(), {"openai": down["openai"]}, 0.0, None)
    assert d.action is ChoiceAction.NONE


def test_backends_needed_and_config_check() -> None:
    assert cfg().backends_needed() == ("llama_cpp", "openai")
    assert BackendChoiceConfig("scripted").backends_needed() == ("scripted",)
    with pytest.raises(BackendChoiceError, match="preferred backend"):
        BackendChoiceConfig("gpt").check()
    with pytest.raises(BackendChoiceError, match="mode 'eco'"):
        BackendChoiceConfig("scripted", **per_mode({Mode.ECO: "cheapest"})).check()
    with pytest.raises(BackendChoiceError, match="no auto candidates"):
        BackendChoiceConfig("scripted", **per_mode({Mode.NORMAL: "auto"}),
                            auto_candidates=()).check()
    with pytest.raises(BackendChoiceError, match=">= 0"):
        BackendChoiceConfig("scripted", eco_min_interval_s=-1.0).check()


def test_auto_charges_the_base_load_for_waiting() -> None:
    # device energy alone: local 20 W x 2 s = 40 J > remote 7.5 W x 4 s = 30 J -> remote;
    # with a 150 W robot waiting: local 170 W x 2 s = 340 J < remote 157.5 W x 4 s = 630 J
    ests = {"llama_cpp": BackendEstimate("llama_cpp", "local", 20.0, 2.0),
            "openai": BackendEstimate("openai", "remote", 7.5, 4.0)}
    assert choose_backend(Mode.NORMAL, cfg(normal="auto"), ests, 0.0, None).backend == "openai"
    waiting = BackendChoiceConfig(preferred="llama_cpp", **per_mode({Mode.NORMAL: "auto"}),
                                  auto_candidates=("llama_cpp", "openai"), auto_base_load_w=150.0)
    d = choose_backend(Mode.NORMAL, waiting, ests, 0.0, None)
    assert d.backend == "llama_cpp" and "least energy" in d.reason
    assert "(20 W + 150 W base) x 2.00 s = 340.0 J" in d.reason and "630.0 J" in d.reason
    assert ests["openai"].cost_j(150.0) == pytest.approx(630.0)
    assert ests["openai"].cost_j(0.0) == ests["openai"].energy_j
    # the same inputs, the same decision
    assert {choose_backend(Mode.NORMAL, waiting, ests, 0.0, None) for _ in range(3)} == {d}


def test_auto_base_load_is_checked() -> None:
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(BackendChoiceError, match="auto_base_load_w"):
            BackendChoiceConfig("scripted", auto_base_load_w=bad).check()


def test_backends_for_a_mode() -> None:
    c = cfg(normal="auto")
    assert c.backends_for(Mode.NORMAL) == ("llama_cpp", "openai")
    assert c.backends_for(Mode.ECO) == ("openai",)
    assert c.backends_for(Mode.CRITICAL) == ()
    assert cfg().backends_for(Mode.NORMAL) == ("llama_cpp",)  # preferred


def test_expected_time_uses_median_or_prior() -> None:
    assert expected_time([], 3.0) == 3.0
    assert expected_time([1.0, 2.0, 100.0], 3.0) == 2.0
    assert expected_time([float("nan")], 3.0) == 3.0
