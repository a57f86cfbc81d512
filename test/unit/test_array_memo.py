"""core.control.array_memo: memoized per frozen array, never for one that can still change."""

from __future__ import annotations

import numpy as np
import pytest

from robot_brain.core.control.array_memo import ArrayMemo, frozen_copy, is_frozen
from robot_brain.core.control.safety_filter import SectorZones


def test_frozen_copy_owns_its_data_and_refuses_writes() -> None:
    base = np.arange(4.0)
    view = base[1:]
    frozen = frozen_copy(view)
    assert is_frozen(frozen) and frozen is not view
    with pytest.raises(ValueError):
        frozen[0] = 9.0
    already = frozen_copy(np.arange(3.0))
    assert frozen_copy(already) is already


def test_memo_computes_once_per_frozen_array_and_key() -> None:
    memo: ArrayMemo[float] = ArrayMemo()
    calls: list[int] = []

    def compute(a: np.ndarray, k: int) -> float:
        calls.append(k)
        return float(a.sum()) * k

    a = frozen_copy(np.arange(3.0))
    assert memo.get(a, 1, lambda: compute(a, 1)) == 3.0
    assert memo.get(a, 1, lambda: compute(a, 1)) == 3.0
    assert memo.get(a, -1, lambda: compute(a, -1)) == -3.0
    assert calls == [1, -1] and memo.hits == 1
    b = frozen_copy(np.arange(3.0))  # equal values, another message: computed again
    assert memo.get(b, 1, lambda: compute(b, 1)) == 3.0
    assert calls == [1, -1, 1]


def test_memo_never_keeps_a_result_for_an_array_that_can_change() -> None:
    memo: ArrayMemo[float] = ArrayMemo()
    a = np.arange(3.0)
    assert memo.get(a, 0, lambda: float(a.sum())) == 3.0
    a[0] = 10.0
    assert memo.get(a, 0, lambda: float(a.sum())) == 13.0
    base = np.arange(3.0)
    view = base[:]
    view.setflags(write=False)  # read-only, but its base can still change it
    assert memo.get(view, 0, lambda: float(view.sum())) == 3.0
    base[0] = 5.0
    assert memo.get(view, 0, lambda: float(view.sum())) == 8.0
    assert memo.hits == 0


def test_sector_zones_answer_the_same_memoized_or_not() -> None:
    zones = SectorZones(16, 0.25, 0.05)
    rng = np.random.default_rng(3)
    for _ in range(50):
        r = rng.uniform(0.0, 5.0, 16)
        r[rng.integers(0, 16, 3)] = rng.choice([np.nan, np.inf, -1.0], 3)
        frozen = frozen_copy(r.copy())
        for direction in (1, -1):
            want = zones.free_distance(r.copy(), direction)  # writeable: computed
            assert zones.free_distance(frozen, direction) == want
            assert zones.free_distance(frozen, direction) == want  # memoized


def test_onnx_policy_answers_the_same_memoized_or_not() -> None:
    from robot_brain.core.control.policy import load_onnx_policy
    from robot_brain.core.geometry import Velocity

    policy = load_onnx_policy("", 16)
    rng = np.random.default_rng(5)
    for _ in range(20):
        r = rng.uniform(0.2, 6.0, 16)
        r[rng.integers(0, 16)] = np.inf
        frozen = frozen_copy(r.copy())
        dx, dy = rng.uniform(-4.0, 4.0, 2)
        v = Velocity(*rng.uniform(-0.2, 0.6, 2))
        want = policy.command(r.copy(), dx, dy, v)  # writeable: encoded every call
        assert policy.command(frozen, dx, dy, v) == want
        # The goal and velocity still change every tick under the same sectors.
        moved = policy.command(frozen, dx + 1.0, dy, v)
        assert moved == policy.command(r.copy(), dx + 1.0, dy, v)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e300])
def test_velocity_feature_reads_unusable_odometry_as_standing_still(bad: float) -> None:
    from robot_brain.core.control.observation import encode_velocity
    assert encode_velocity(bad, 0.1).tolist() == [0.0, 0.0]
    assert encode_velocity(0.3, bad).tolist() == [0.0, 0.0]
