"""The controller tick without ROS: goals, staleness, hold/estop, bad inputs, stamps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.control.controller import (
    ControllerConfig,
    ControllerConfigError,
    ControllerCore,
    Mode,
)
from robot_brain.core.control.expert import ExpertConfig
from robot_brain.core.control.goals import Goal, GoalRejection
from robot_brain.core.control.policy import AnalyticPolicy
from robot_brain.core.control.safety_filter import Intervention, SafetyConfig, SafetyFilter
from robot_brain.core.geometry import Pose2D, Velocity
from robot_brain.core.world import Bounds

N = 16
FREE = np.full(N, np.inf)
DT = 0.01
BOUNDS = Bounds(-5.0, 5.0, -4.0, 4.0)


class ConstantPolicy:
    name = "constant"
    n_sectors = N

    def __init__(self, cmd: Velocity) -> None:
        self.cmd = cmd

    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity:
        return self.cmd


class FailingPolicy(ConstantPolicy):
    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity:
        raise RuntimeError("onnxruntime exploded")


def make(policy: object | None = None, **cfg: object) -> ControllerCore:
    config = ControllerConfig(n_sectors=N, bounds=BOUNDS, **cfg)  # type: ignore[arg-type]
    pol = policy if policy is not None else AnalyticPolicy(ExpertConfig(), N)
    return ControllerCore(pol, SafetyFilter(SafetyConfig(), N), config)  # type: ignore[arg-type]


def ready(core: ControllerCore, now: float = 0.0, sectors: np.ndarray = FREE,
          goal: Goal | None = Goal(3.0, 0.0)) -> None:
    core.on_obstacles(sectors, "stamp-1", now)
    core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.3, 0.0), now)
    if goal is not None:
        assert core.on_goal(goal, now) is None


def run(core: ControllerCore, t0: float, ticks: int,
        sectors: np.ndarray | None = FREE) -> list[Velocity]:
    """Tick with fresh odometry (and fresh perception unless sectors is None)."""
    out = []
    for i in range(ticks):
        t = t0 + i * DT
        core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.3, 0.0), t)
        if sectors is not None:
            core.on_obstacles(sectors, "stamp-1", t)
        out.append(core.tick(t, DT).velocity)
    return out


def test_drives_towards_a_fresh_goal_and_stamps_with_the_perception_stamp() -> None:
    core = make()
    ready(core)
    result = core.tick(0.01, DT)
    assert result.mode is Mode.DRIVING
    assert result.source_stamp == "stamp-1"
    speeds = run(core, 0.02, 50)
    assert speeds[-1].linear > 0.3


def test_no_goal_holds_without_counting_interventions() -> None:
    core = make()
    ready(core, goal=None)
    result = core.tick(0.01, DT)
    assert result.mode is Mode.NO_GOAL and result.velocity == Velocity(0.0, 0.0)
    assert core.safety.total_interventions() == 0


def test_goal_not_refreshed_holds() -> None:
    core = make(goal_timeout_s=3.0)
    ready(core)
    core.on_obstacles(FREE, "s", 3.5)
    core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(), 3.5)
    result = core.tick(3.5, DT)
    assert result.mode is Mode.GOAL_STALE and result.velocity == Velocity(0.0, 0.0)
    core.on_goal(Goal(3.0, 0.0), 3.6)
    assert core.tick(3.61, DT).mode is Mode.DRIVING


def test_goal_reached_holds() -> None:
    core = make()
    ready(core, goal=Goal(0.1, 0.0))
    assert core.tick(0.01, DT).mode is Mode.REACHED


@pytest.mark.parametrize("goal, reason", [
    (Goal(1.0, 1.0, "base_link"), GoalRejection.UNKNOWN_FRAME),
    (Goal(1.0, 1.0, ""), GoalRejection.UNKNOWN_FRAME),
    (Goal(math.nan, 1.0), GoalRejection.NON_FINITE),
    (Goal(1.0, math.inf, "map"), GoalRejection.NON_FINITE),
    (Goal(50.0, 0.0), GoalRejection.OUT_OF_BOUNDS),
    (Goal(0.0, -5.5, "map"), GoalRejection.OUT_OF_BOUNDS),
])
def test_bad_goals_are_refused_and_the_previous_goal_stays(goal: Goal,
                                                          reason: GoalRejection) -> None:
    core = make()
    ready(core, goal=Goal(3.0, 0.0))
    assert core.on_goal(goal, 0.2) is reason
    assert core.goals_rejected == 1
    # The previous goal still rules (and still times out on its own receipt time).
    assert core.tick(0.3, DT).mode is Mode.DRIVING
    core.on_obstacles(FREE, "s", 3.2)
    core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(), 3.2)
    assert core.tick(3.2, DT).mode is Mode.GOAL_STALE


def test_map_frame_and_slightly_outside_bounds_are_accepted() -> None:
    core = make(goal_bounds_margin=1.0)
    ready(core, goal=None)
    assert core.on_goal(Goal(5.5, 0.0, "map"), 0.0) is None
    assert core.on_goal(Goal(1.0, 0.0, "/odom"), 0.0) is None


def test_param_goal_never_times_out_and_ignores_planner_goals() -> None:
    core = make(goal_timeout_s=1.0)
    ready(core, goal=None)
    assert core.set_fixed_goal(Goal(3.0, 0.0)) is None
    core.on_goal(Goal(-3.0, 0.0), 0.0)
    core.on_obstacles(FREE, "s", 100.0)
    core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(), 100.0)
    assert core.tick(100.0, DT).mode is Mode.DRIVING
    assert core.set_fixed_goal(Goal(99.0, 0.0)) is GoalRejection.OUT_OF_BOUNDS


def test_hold_and_estop_zero_and_count() -> None:
    core = make(ConstantPolicy(Velocity(0.5, 0.0)))
    ready(core)
    core.hold = True
    r = core.tick(0.01, DT)
    assert r.mode is Mode.HOLD and r.velocity == Velocity(0.0, 0.0)
    core.estop = True
    r = core.tick(0.02, DT)
    assert r.mode is Mode.ESTOP and r.velocity == Velocity(0.0, 0.0)
    assert core.safety.counts[Intervention.HOLD] == 1
    assert core.safety.counts[Intervention.ESTOP] == 1


def test_stale_perception_decelerates_to_a_stop() -> None:
    core = make(ConstantPolicy(Velocity(0.5, 0.0)), perception_timeout_s=0.5)
    ready(core)
    moving = run(core, 0.01, 80)
    assert moving[-1].linear == pytest.approx(0.5)
    t = 1.5  # perception last arrived at 0.8: stale (older than 0.5 s)
    speeds = []
    for i in range(100):
        core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.5, 0.0), t + i * DT)
        r = core.tick(t + i * DT, DT)
        assert not r.perception_fresh
        speeds.append(r.velocity.linear)
    assert speeds[0] < 0.5
    assert speeds[-1] == 0.0
    assert core.stale_perception_ticks == 100


def test_no_odometry_holds() -> None:
    core = make()
    core.on_obstacles(FREE, "s", 0.0)
    core.on_goal(Goal(3.0, 0.0), 0.0)
    assert core.tick(0.01, DT).mode is Mode.NO_ODOM


@pytest.mark.parametrize("bad", [math.nan, -0.5, -math.inf])
def test_bad_sector_values_ahead_never_drive_forward(bad: float) -> None:
    core = make(ConstantPolicy(Velocity(0.5, 0.0)))
    sectors = FREE.copy()
    sectors[7] = bad
    ready(core, sectors=sectors)
    speeds = run(core, 0.01, 20, sectors=sectors)
    assert all(v.linear == 0.0 for v in speeds)
    assert core.safety.counts[Intervention.UNKNOWN_AHEAD] == 20


def test_wrong_sector_count_message_is_all_unknown() -> None:
    core = make(ConstantPolicy(Velocity(0.5, 0.0)))
    ready(core)
    assert core.on_obstacles(np.full(8, np.inf), "s", 0.0) is False
    assert core.bad_obstacle_messages == 1
    assert core.tick(0.01, DT).velocity.linear == 0.0


@pytest.mark.parametrize("cmd", [Velocity(math.nan, 0.0), Velocity(0.2, math.inf)])
def test_non_finite_policy_output_is_zero(cmd: Velocity) -> None:
    core = make(ConstantPolicy(cmd))
    ready(core)
    r = core.tick(0.01, DT)
    assert r.velocity == Velocity(0.0, 0.0)
    assert Intervention.NON_FINITE in r.reasons


def test_failing_policy_is_zero_and_reported() -> None:
    core = make(FailingPolicy(Velocity()))
    ready(core)
    r = core.tick(0.01, DT)
    assert r.velocity == Velocity(0.0, 0.0)
    assert r.policy_error is not None and "exploded" in r.policy_error
    assert core.policy_errors == 1


def test_policy_sector_mismatch_is_refused() -> None:
    with pytest.raises(ControllerConfigError, match="12 sectors"):
        ControllerCore(AnalyticPolicy(ExpertConfig(), 12), SafetyFilter(SafetyConfig(), N),
                       ControllerConfig(n_sectors=N))


def test_bad_config_is_refused() -> None:
    with pytest.raises(ControllerConfigError, match="goal_timeout_s"):
        ControllerConfig(goal_timeout_s=0.0)


def test_aging_perception_never_lets_the_robot_speed_up() -> None:
    # Perception died: its last sectors (all clear) are cached. Before the timeout stops the
    # robot, the controller once kept accelerating on them (0.31 -> 0.57 m/s in 0.45 s).
    core = make(ConstantPolicy(Velocity(0.6, 0.0)))
    core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.0, 0.0), 0.0)
    assert core.set_fixed_goal(Goal(4.5, 0.0, "odom")) is None
    speeds = []
    t = 0.0
    for _ in range(40):  # 0.4 s with fresh, clear perception: it accelerates
        core.on_obstacles(FREE, None, t)
        core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.0, 0.0), t)
        speeds.append(core.tick(t, 0.01).velocity.linear)
        t += 0.01
    moving = speeds[-1]
    assert moving > 0.2
    last_scan = t - 0.01
    aging = []
    while t < last_scan + core.config.perception_timeout_s - 0.01:
        core.on_odom(Pose2D(0.0, 0.0, 0.0), Velocity(0.0, 0.0), t)
        result = core.tick(t, 0.01)
        aging.append((t - last_scan, result))
        t += 0.01
    hold = core.config.perception_hold_s
    late = [r for age, r in aging if age > hold]
    assert late and all(r.velocity.linear <= late[0].velocity.linear + 1e-12 for r in late)
    assert max(r.velocity.linear for age, r in aging) <= moving + 0.8 * hold + 1e-9
    assert any(Intervention.AGING_PERCEPTION in r.reasons for r in late)


def test_hold_longer_than_the_timeout_is_refused() -> None:
    with pytest.raises(ControllerConfigError, match="perception_hold_s"):
        ControllerConfig(perception_timeout_s=0.2, perception_hold_s=0.3)


class CountingPolicy(AnalyticPolicy):
    """The analytic policy, counting calls and recording what it was asked."""

    def __init__(self) -> None:
        super().__init__(ExpertConfig(), N)
        self.asked: list[tuple[float, float, Velocity]] = []

    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity:
        self.asked.append((goal_dx, goal_dy, velocity))
        return super().command(sectors, goal_dx, goal_dy, velocity)


def test_the_policy_is_asked_again_only_when_an_input_changed() -> None:
    policy = CountingPolicy()
    core = make(policy)
    ready(core)
    first = [core.tick(0.01 * i, DT).velocity for i in range(1, 4)]
    assert len(policy.asked) == 1 and core.policy_calls == 1
    # The safety filter still runs each tick: the ramp from rest goes on with one answer.
    assert first[0].linear < first[1].linear < first[2].linear
    steps = [
        lambda t: core.on_odom(Pose2D(0.1, 0.0, 0.0), Velocity(0.3, 0.0), t),
        lambda t: core.on_obstacles(FREE, "stamp-2", t),
        lambda t: core.on_goal(Goal(3.0, 1.0), t),
    ]
    for k, change in enumerate(steps, start=2):
        change(0.04)
        core.tick(0.04 + 0.01 * k, DT)
        core.tick(0.045 + 0.01 * k, DT)
        assert len(policy.asked) == k, f"after change {k - 1}"
    # What it was asked after the odometry moved: the goal from the new pose.
    assert policy.asked[1][0] == pytest.approx(2.9)
    assert policy.asked[-1][1] == pytest.approx(1.0)


def test_reused_answers_equal_asking_every_tick() -> None:
    """Ticks between messages give the same commands as a policy asked on every tick."""
    rng = np.random.default_rng(7)
    memo, every = make(CountingPolicy()), make(CountingPolicy())
    fresh_each_tick = every.policy
    out_memo, out_every = [], []
    for i in range(400):
        t = 0.01 * i
        sectors, goal_y = rng.uniform(0.3, 6.0, N), float(rng.uniform(-1, 1))
        for core in (memo, every):
            if i % 10 == 0:
                core.on_obstacles(sectors, f"s{i}", t)
            if i % 2 == 0:
                core.on_odom(Pose2D(0.002 * i, 0.0, 0.001 * i), Velocity(0.3, 0.05), t)
            if i % 100 == 0:
                core.on_goal(Goal(3.0, goal_y), t)
        every._asked = None  # forget the last answer: the policy is asked every tick
        out_memo.append(memo.tick(t, DT).velocity)
        out_every.append(every.tick(t, DT).velocity)
    assert out_memo == out_every
    assert memo.policy_calls < 0.6 * len(fresh_each_tick.asked)  # type: ignore[attr-defined]


def test_a_failing_policy_is_asked_again_next_tick() -> None:
    core = make(FailingPolicy(Velocity(0.2, 0.0)))
    ready(core)
    core.tick(0.01, DT)
    core.tick(0.02, DT)
    assert core.policy_errors == 2
