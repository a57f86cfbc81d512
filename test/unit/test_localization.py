"""The robot's pose on its map: corrections, bad localisation input, drifting odometry, and a
walk through relocalisation jumps of 0.5 m and 1 m in the lockstep core (0 commands beyond the
limits, the goal still reached)."""

from __future__ import annotations

import math

import pytest

from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.control.controller import ControllerConfig, ControllerCore
from robot_brain.core.control.goals import BoundsCheck
from robot_brain.core.control.goals import Goal as ControlGoal
from robot_brain.core.control.policy import load_onnx_policy
from robot_brain.core.control.safety_filter import SafetyConfig, SafetyFilter
from robot_brain.core.geometry import Pose2D, Velocity, wrap_angle
from robot_brain.core.navigation.localization import (
    Correction,
    LocalizationConfig,
    LocalizationConfigError,
    Localizer,
    Verdict,
)
from robot_brain.core.navigation.route_planner import RoutePlanner
from robot_brain.core.perception.sectors import sector_minima
from robot_brain.core.planner.executive import Executive
from robot_brain.core.planner.skills import Plan, Skill, Step
from robot_brain.core.resources import default_world_path
from robot_brain.core.sim.odometry import DriftingOdometry
from robot_brain.core.sim.simulator import SimConfig, Simulator
from robot_brain.core.world import load_world

POSE_SOURCE = LocalizationConfig(localization_source="pose")


def xyyaw(p: Pose2D) -> tuple[float, float, float]:
    return (p.x, p.y, p.yaw)


def test_a_correction_maps_odom_to_map_and_back() -> None:
    odom = Pose2D(1.0, 2.0, 0.3)
    truth = Pose2D(-0.5, 0.7, 1.9)
    c = Correction.between(truth, odom)
    assert xyyaw(c.to_map(odom)) == pytest.approx(xyyaw(truth))
    x, y, yaw = c.to_odom(truth.x, truth.y, truth.yaw)
    assert (x, y) == pytest.approx((odom.x, odom.y)) and yaw == pytest.approx(odom.yaw)
    assert xyyaw(Correction().to_map(odom)) == pytest.approx(xyyaw(odom))  # map = odom


def test_bad_localisation_input_is_refused_and_counted() -> None:
    loc = Localizer(POSE_SOURCE)
    loc.on_odom(0.0, Pose2D(0.0, 0.0, 0.0))
    assert loc.on_pose(0.0, "map", math.nan, 0.0, 0.0).verdict is Verdict.NOT_FINITE
    assert loc.on_pose(0.0, "map", 1.0, math.inf, 0.0).verdict is Verdict.NOT_FINITE
    bad_frame = loc.on_pose(0.0, "odom", 1.0, 0.0, 0.0)
    assert bad_frame.verdict is Verdict.WRONG_FRAME and "'odom'" in bad_frame.reason
    assert loc.correction == Correction() and loc.updates == 0
    assert loc.counters() == {"localization_updates": 0, "relocalizations": 0,
                              "localization_refused_not_finite": 2,
                              "localization_refused_frame": 1}
    assert loc.on_pose(0.0, "/map", 1.0, 0.0, 0.0).verdict is Verdict.ACCEPTED   # tf style
    with pytest.raises(LocalizationConfigError):
        LocalizationConfig(localization_source="pose", localization_topic=" ")


def test_a_pose_is_paired_with_the_odometry_of_its_time_and_jumps_are_told() -> None:
    loc = Localizer(POSE_SOURCE)
    for k in range(11):                                  # walking +x at 1 m/s, odom exact
        loc.on_odom(k * 0.1, Pose2D(k * 0.1, 0.0, 0.0))
    # A pose stamped 0.5 s ago says the robot was then at (0.5, 0): no correction needed.
    first = loc.on_pose(0.5, "map", 0.5, 0.0, 0.0)
    assert first.verdict is Verdict.ACCEPTED and not first.relocalized
    assert xyyaw(loc.map_pose(Pose2D(1.0, 0.0, 0.0))) == pytest.approx((1.0, 0.0, 0.0))
    small = loc.on_pose(1.0, "map", 1.1, 0.0, 0.0)       # 10 cm: a correction, no re-plan
    assert small.jump_m == pytest.approx(0.1) and not small.relocalized
    big = loc.on_pose(1.0, "map", 2.0, 0.5, 0.0)         # 1 m at once: a relocalisation
    assert big.relocalized and big.jump_m == pytest.approx(math.hypot(0.9, 0.5))
    assert loc.relocalizations == 1


def test_drifting_odometry_walks_long_and_creeps() -> None:
    odo = DriftingOdometry(Pose2D(0.0, 0.0, 0.0), scale=0.02, yaw_per_m=0.01)
    for k in range(1, 101):
        odo.update(Pose2D(k * 0.1, 0.0, 0.0))             # 10 m straight
    assert odo.pose.yaw == pytest.approx(0.1, abs=1e-9)
    assert math.hypot(odo.pose.x, odo.pose.y) == pytest.approx(10.2, abs=0.05)
    exact = DriftingOdometry(Pose2D(1.0, 1.0, 0.5))
    assert xyyaw(exact.update(Pose2D(2.0, 1.5, 0.9))) == pytest.approx((2.0, 1.5, 0.9))


@pytest.mark.parametrize("jump_m", [0.5, 1.0])
def test_relocalisation_jumps_never_make_the_robot_lunge(jump_m: float) -> None:
    """The start to the kitchen (round the partition) with drifting odometry; from 6 s to 9 s the
    localiser believes the robot `jump_m` off where it is (a wrong relocalisation), then
    snaps back: two jumps of `jump_m` during the walk."""
    world = load_world(default_world_path())
    dt = 0.05
    safety = SafetyConfig()
    sim = Simulator(world, SimConfig(), seed=3)
    odometry = DriftingOdometry(sim.pose, scale=0.03, yaw_per_m=0.03)
    loc = Localizer(POSE_SOURCE)
    core = ControllerCore(load_onnx_policy("", 16), SafetyFilter(safety, 16),
                          ControllerConfig(n_sectors=16, bounds=world.bounds,
                                           goal_bounds_check=BoundsCheck.REACH.value))
    executive = Executive(0.3, 90.0, RoutePlanner(world), 0.35)
    kitchen = world.places["kitchen"]
    executive.start(Plan((Step(Skill.NAVIGATE_TO, place="kitchen", x=kitchen.x, y=kitchen.y,
                               yaw=kitchen.yaw),)), 0.0)
    lidar = sim.lidar
    previous = Velocity(0.0, 0.0)
    beyond: list[tuple[float, Velocity]] = []
    replans = 0
    outcome = "running"
    while outcome == "running" and sim.time < 90.0:
        now = sim.time
        odom = odometry.update(sim.pose)
        loc.on_odom(now, odom)
        if int(round(now / dt)) % 10 == 0:               # the localiser at 2 Hz
            truth = sim.pose
            off = jump_m if 6.0 <= now < 9.0 else 0.0
            update = loc.on_pose(now, "map", truth.x + off, truth.y, truth.yaw)
            if update.relocalized and executive.replan():
                replans += 1
        out = executive.tick(now, loc.map_pose(odom))
        outcome = out.outcome
        core.on_obstacles(sector_minima(sim.scan(), lidar.angle_min, lidar.angle_increment,
                                        lidar.range_min, lidar.range_max, 16), None, now)
        core.on_odom(odom, sim.velocity, now)
        core.hold = out.hold
        if out.goal is not None:
            gx, gy, _ = loc.correction.to_odom(out.goal.x, out.goal.y)
            core.on_goal(ControlGoal(gx, gy), now)
        cmd = core.tick(now, dt).velocity
        if not _within_limits(previous, cmd, safety.limits, dt):
            beyond.append((now, cmd))
        previous = cmd
        sim.step(cmd, dt)
    assert beyond == []
    assert outcome == "done", (outcome, sim.pose)
    assert math.hypot(sim.pose.x - kitchen.x, sim.pose.y - kitchen.y) <= 0.3 + 0.1
    assert sim.collisions == 0
    assert loc.relocalizations >= 2 and replans >= 2
    # The odometry drifted meanwhile: the map frame was needed to get there.
    drift = odometry.pose
    assert math.hypot(drift.x - sim.pose.x, drift.y - sim.pose.y) > 0.1 \
        or abs(wrap_angle(drift.yaw - sim.pose.yaw)) > 0.05


def _within_limits(prev: Velocity, cmd: Velocity, s: RobotLimits, dt: float) -> bool:
    eps = 1e-9
    if not (-s.max_reverse_speed - eps <= cmd.linear <= s.max_linear_speed + eps
            and abs(cmd.angular) <= s.max_angular_speed + eps):
        return False
    for now, before, accel in ((cmd.linear, prev.linear, s.max_linear_accel),
                               (cmd.angular, prev.angular, s.max_angular_accel)):
        base = 0.0 if now * before < 0.0 else before
        if abs(now) > abs(base) and abs(now) - abs(base) > accel * dt + eps:
            return False     # speeding up faster than the limit (braking is never limited)
    return True


def test_map_to_odom_from_tf() -> None:
    loc = Localizer(LocalizationConfig(localization_source="tf"))
    loc.on_odom(0.0, Pose2D(1.0, 0.0, 0.0))
    assert loc.on_map_to_odom(0.0, "map", "base_link", 1.0, 0.0, 0.0).verdict \
        is Verdict.WRONG_FRAME
    assert loc.on_map_to_odom(0.0, "map", "odom", math.nan, 0.0, 0.0).verdict \
        is Verdict.NOT_FINITE
    update = loc.on_map_to_odom(0.0, "/map", "odom", 2.0, -1.0, math.pi / 2)
    assert update.verdict is Verdict.ACCEPTED and update.relocalized
    assert xyyaw(loc.map_pose(Pose2D(1.0, 0.0, 0.0))) == pytest.approx((2.0, 0.0, math.pi / 2))


def test_with_a_localiser_the_controller_checks_goals_by_reach() -> None:
    from robot_brain.core.control.goals import BoundsCheck, Goal, GoalRejection, check_goal
    from robot_brain.core.world import Bounds

    b = Bounds(-5.0, 5.0, -4.0, 4.0)                        # 12.8 m across
    far_odom = Goal(30.0, -12.0)                             # a map goal in a turned odom frame
    assert check_goal(far_odom, b, 1.0) is GoalRejection.OUT_OF_BOUNDS
    assert check_goal(far_odom, b, 1.0, BoundsCheck.REACH, (25.0, -10.0)) is None
    assert check_goal(Goal(60.0, -12.0), b, 1.0, BoundsCheck.REACH, (25.0, -10.0)) \
        is GoalRejection.OUT_OF_REACH
