"""Policy quality in the pure core: seeded random episodes on worlds never used in training.

Each policy (the packaged ONNX network and the analytic expert) drives EPISODES lockstep
episodes (sim core + perception's sector reference + safety filter) in `eval`-family worlds;
training uses the `train` family from a disjoint seed stream (robot_brain_lab.policy_scenarios).
Success means reaching the goal within the time limit without a collision.
"""

from __future__ import annotations

import time

import pytest

from robot_brain.core.control.expert import ExpertConfig
from robot_brain.core.control.policy import AnalyticPolicy, Policy, load_onnx_policy
from robot_brain.core.control.safety_filter import SafetyConfig
from robot_brain_lab.policy_episodes import EpisodeConfig, EpisodeResult, run_episode
from robot_brain_lab.policy_scenarios import Family, random_scenario

EPISODES = 50
#: Evaluation seeds start here, away from anything a training run might use.
SEED0 = 10_000


def evaluate(policy: Policy) -> list[EpisodeResult]:
    cfg = EpisodeConfig(n_sectors=policy.n_sectors, time_limit_s=60.0)
    return [run_episode(random_scenario(Family.EVAL, SEED0 + i), policy, SafetyConfig(), cfg)
            for i in range(EPISODES)]


@pytest.mark.parametrize("which", ["onnx", "analytic"])
def test_policy_reaches_goals_without_collisions(which: str) -> None:
    policy: Policy = (load_onnx_policy("", 16) if which == "onnx"
                      else AnalyticPolicy(ExpertConfig(), 16))
    t0 = time.monotonic()
    results = evaluate(policy)
    success = sum(r.success for r in results) / len(results)
    collisions = sum(r.collisions for r in results)
    interventions: dict[str, int] = {}
    for r in results:
        for k, v in r.interventions.items():
            interventions[k] = interventions.get(k, 0) + v
    steps = sum(r.steps for r in results)
    failed = [r.seed for r in results if not r.success]
    reached = [r.time_s for r in results if r.success]
    print(f"\n{which}: {len(results)} episodes, success {success:.0%}, collisions {collisions}, "
          f"mean time to goal {sum(reached) / max(1, len(reached)):.1f} s, "
          f"min clearance {min(r.min_clearance for r in results):.3f} m, "
          f"safety interventions {sum(interventions.values())} over {steps} steps "
          f"{interventions}, failed seeds {failed}, {time.monotonic() - t0:.1f} s wall")
    assert collisions == 0
    assert success >= 0.9
