"""The shipped SDF world and robot model, read as plain XML, against the world file, the robot
description and the config.

Checks: the gz-sim systems and sensors the bridge relies on (real system names), knee lidar
settings equal to the built-in sim's, the head lidar a MID-360 mounted where the robot
description says (upside down), base limits equal to the shared limits, each lidar's near clip
hiding the robot's own body, the body equal to the description, and obstacles (with their
heights) / places / start equal to robot_brain/worlds/apartment.yaml loaded with load_world.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.sim.lidar import LidarConfig
from robot_brain.core.world import World
from test.unit.gazebo_files import (
    DIFF_DRIVE,
    IMU,
    LINEAR_BATTERY,
    ODOMETRY_PUBLISHER,
    PHYSICS,
    SCENE_BROADCASTER,
    SENSORS,
    USER_COMMANDS,
    floats,
    model_element,
    plugins,
    sensors,
    shared_params,
    text,
    world_element,
)

TOL = 1e-5  # the generator writes 6 decimals


def _models(world_el: ET.Element) -> dict[str, ET.Element]:
    return {m.get("name", ""): m for m in world_el.findall("model")}


def _pose(element: ET.Element) -> list[float]:
    values = floats(text(element, "pose"))
    assert len(values) == 6, f"<pose> of {element.get('name')} has {len(values)} values"
    return values


def _same_angle(a: float, b: float, period: float = 2.0 * math.pi) -> bool:
    d = (a - b) % period
    return min(d, period - d) < TOL


def _geometry(shape: ET.Element) -> ET.Element:
    geometry = shape.find("geometry")
    assert geometry is not None and len(geometry), f"{shape.get('name')}: no geometry"
    return geometry[0]


def _z_extent(shape: ET.Element) -> tuple[float, float, float]:
    """(bottom, top, horizontal reach from the link's z axis) of an unrotated shape."""
    pose = floats(shape.findtext("pose") or "0 0 0 0 0 0")
    assert pose[3] == 0 and pose[4] == 0, f"{shape.get('name')}: rolled/pitched shape"
    geom = _geometry(shape)
    if geom.tag == "box":
        sx, sy, sz = floats(text(geom, "size"))
        half, reach = sz / 2, math.hypot(abs(pose[0]) + sx / 2, abs(pose[1]) + sy / 2)
    elif geom.tag in ("cylinder", "capsule"):
        r, length = float(text(geom, "radius")), float(text(geom, "length"))
        half = length / 2 + (r if geom.tag == "capsule" else 0.0)
        reach = math.hypot(pose[0], pose[1]) + r
    elif geom.tag == "sphere":
        r = float(text(geom, "radius"))
        half, reach = r, math.hypot(pose[0], pose[1]) + r
    else:
        raise AssertionError(f"unexpected geometry {geom.tag}")
    return pose[2] - half, pose[2] + half, reach


# --- world systems -------------------------------------------------------------------------

def test_world_has_the_systems_the_model_and_bridge_need() -> None:
    found = plugins(world_element())
    for system in (PHYSICS, USER_COMMANDS, SCENE_BROADCASTER, SENSORS, IMU):
        assert system in found, f"world lacks the {system[1]} system ({system[0]})"
    assert text(found[SENSORS], "render_engine") == "ogre2"


def _step_s() -> float:
    physics = world_element().find("physics")
    assert physics is not None
    return float(text(physics, "max_step_size"))


def test_world_runs_in_real_time_with_clock_at_most_250_hz() -> None:
    """gz-sim publishes /clock on every physics step, unthrottled (SimulationRunner), and
    ignores <real_time_update_rate>: the step alone sets the /clock rate at real time."""
    physics = world_element().find("physics")
    assert physics is not None
    assert float(text(physics, "real_time_factor")) == pytest.approx(1.0)
    assert physics.find("real_time_update_rate") is None  # not read by gz-sim: misleading
    assert 1.0 / _step_s() <= 250.0 + 1e-9
    assert _step_s() <= 0.005  # the wheels' contacts stay resolved at 0.6 m/s


def test_every_sensor_and_publisher_period_is_a_whole_number_of_steps() -> None:
    model = model_element()
    rates = {f"{name} sensor": float(text(sensor, "update_rate"))
             for name, (sensor, _link) in sensors(model).items()}
    found = plugins(model)
    rates["OdometryPublisher"] = float(text(found[ODOMETRY_PUBLISHER], "odom_publish_frequency"))
    rates["DiffDrive odometry"] = float(text(found[DIFF_DRIVE], "odom_publish_frequency"))
    for what, rate in rates.items():
        steps = 1.0 / rate / _step_s()
        assert abs(steps - round(steps)) < 1e-6, f"{what}: {rate} Hz is {steps:g} steps"


# --- robot model ---------------------------------------------------------------------------

def test_model_has_its_lidars_and_imu_on_its_base_at_the_descriptions_mounts() -> None:
    found = sensors(model_element())
    assert {"lidar", "head_lidar", "imu"} <= set(found)
    expected = {"lidar": HUMANOID.knee_laser, "head_lidar": HUMANOID.head_lidar,
                "imu": HUMANOID.imu}
    for name, mount in expected.items():
        sensor, link = found[name]
        assert link.get("name") == "base_link"
        # <frame_id> (SDF 1.12, read on Ionic) and <gz_frame_id> (read on Harmonic) agree.
        assert text(sensor, "frame_id") == text(sensor, "gz_frame_id") == mount.frame
        assert _pose(sensor) == pytest.approx(list(mount.pose.as_tuple()), abs=TOL)
    assert found["lidar"][0].get("type") == found["head_lidar"][0].get("type") == "gpu_lidar"
    assert text(found["imu"][0], "gz_frame_id") == "imu_link"
    assert text(found["lidar"][0], "gz_frame_id") == "laser"
    # Upside down, as a G1 carries its MID-360: roll pi.
    assert _same_angle(_pose(found["head_lidar"][0])[3], math.pi)
    assert text(found["head_lidar"][0], "gz_frame_id") == "livox_frame"


def _axis(sensor: ET.Element, tag: str) -> tuple[int, float, float]:
    axis = sensor.find(f"lidar/scan/{tag}")
    assert axis is not None
    return (int(text(axis, "samples")), float(text(axis, "min_angle")),
            float(text(axis, "max_angle")))


def test_knee_lidar_matches_the_built_in_sims_lidar() -> None:
    sensor = sensors(model_element())["lidar"][0]
    expected = LidarConfig()
    samples, lo, hi = _axis(sensor, "horizontal")
    assert samples == expected.beams == 360
    assert lo == pytest.approx(expected.angle_min, abs=1e-9)
    # Gazebo spreads samples over [min, max] inclusive; no duplicated beam at +pi.
    assert hi == pytest.approx(expected.angle_max, abs=1e-9)
    assert _axis(sensor, "vertical") == (1, 0.0, 0.0)
    rng = sensor.find("lidar/range")
    assert rng is not None
    assert float(text(rng, "max")) == pytest.approx(expected.range_max)
    # The near clip hides the legs beside the laser, and nothing beyond the footprint.
    assert float(text(rng, "min")) <= float(shared_params()["robot_radius"])  # type: ignore[arg-type]
    assert float(text(sensor, "update_rate")) == pytest.approx(10.0)


def test_head_lidar_is_a_mid360_like_3d_lidar() -> None:
    sensor = sensors(model_element())["head_lidar"][0]
    spec = HUMANOID.head_lidar_spec
    h_samples, h_lo, h_hi = _axis(sensor, "horizontal")
    v_samples, v_lo, v_hi = _axis(sensor, "vertical")
    assert h_lo == pytest.approx(-math.pi) and h_hi < math.pi  # a full turn, no duplicate
    assert h_hi - h_lo == pytest.approx(2 * math.pi * (1 - 1 / h_samples))
    assert (v_lo, v_hi) == pytest.approx((math.radians(spec.vertical_min_deg),
                                          math.radians(spec.vertical_max_deg)))
    assert v_samples > 1
    assert 0.8 * spec.points_per_frame <= h_samples * v_samples <= 1.2 * spec.points_per_frame
    assert float(text(sensor, "update_rate")) == pytest.approx(spec.frame_rate_hz)
    rng = sensor.find("lidar/range")
    assert rng is not None and float(text(rng, "max")) == pytest.approx(spec.range_max)
    assert text(sensor, "topic").startswith("/model/humanoid/")


def _link_shapes(link: ET.Element) -> list[ET.Element]:
    return link.findall("visual") + link.findall("collision")


@pytest.mark.parametrize("name", ["lidar", "head_lidar"])
def test_each_lidars_near_clip_hides_the_robots_own_body(name: str) -> None:
    model = model_element()
    sensor, link = sensors(model)[name]
    x, y, z = _pose(sensor)[:3]
    range_min = float(sensor.findtext("lidar/range/min") or "nan")
    shapes = _link_shapes(link)
    assert shapes
    for shape in shapes:
        bottom, top, reach = _z_extent(shape)
        if bottom < z < top:
            assert reach + math.hypot(x, y) < range_min, \
                f"{shape.get('name')} crosses the {name} plane z={z} beyond range_min"
    if name == "lidar":
        # The wheels are separate links, posed in the model frame, below the knee laser.
        for wheel in ("left_wheel", "right_wheel"):
            wheel_link = model.find(f"link[@name='{wheel}']")
            assert wheel_link is not None
            radius = float(wheel_link.findtext("collision/geometry/cylinder/radius") or "nan")
            assert _pose(wheel_link)[2] + radius < z
    else:
        # The head: every shape around the sensor's origin lies within its near clip.
        head = [sh for sh in shapes if sh.get("name", "").startswith(HUMANOID.head_part)]
        assert head
        for sh in head:
            radius = float(sh.findtext("geometry/sphere/radius") or "nan")
            assert math.dist(_pose(sh)[:3], (x, y, z)) + radius < range_min


def test_diff_drive_drives_the_two_wheel_joints_with_the_model_geometry() -> None:
    model = model_element()
    drive = plugins(model)[DIFF_DRIVE]
    joints = {j.get("name"): j for j in model.findall("joint")}
    wheels = []
    for side in ("left_joint", "right_joint"):
        joint = joints[text(drive, side)]
        assert joint.get("type") == "revolute"
        assert text(joint, "parent") == "base_link"
        wheel = model.find(f"link[@name='{text(joint, 'child')}']")
        assert wheel is not None
        wheels.append(wheel)
    y_left, y_right = _pose(wheels[0])[1], _pose(wheels[1])[1]
    assert y_left > 0 > y_right, "left wheel must be on +y"
    assert float(text(drive, "wheel_separation")) == pytest.approx(y_left - y_right)
    radius = float(wheels[0].findtext("collision/geometry/cylinder/radius") or "nan")
    assert float(text(drive, "wheel_radius")) == pytest.approx(radius)


def test_base_limits_equal_the_brains_shared_limits() -> None:
    shared = shared_params()
    drive = plugins(model_element())[DIFF_DRIVE]
    expected = {
        "max_linear_velocity": shared["max_linear_speed"],
        "min_linear_velocity": -float(shared["max_reverse_speed"]),  # type: ignore[arg-type]
        "max_angular_velocity": shared["max_angular_speed"],
        "min_angular_velocity": -float(shared["max_angular_speed"]),  # type: ignore[arg-type]
        "max_linear_acceleration": shared["max_linear_accel"],
        "min_linear_acceleration": -float(shared["max_linear_accel"]),  # type: ignore[arg-type]
        "max_angular_acceleration": shared["max_angular_accel"],
        "min_angular_acceleration": -float(shared["max_angular_accel"]),  # type: ignore[arg-type]
    }
    for tag, value in expected.items():
        assert float(text(drive, tag)) == pytest.approx(float(value)), tag  # type: ignore[arg-type]


def test_robot_fits_the_brains_footprint() -> None:
    radius = float(shared_params()["robot_radius"])  # type: ignore[arg-type]
    link = model_element().find("link[@name='base_link']")
    assert link is not None
    for shape in link.findall("collision"):
        assert _z_extent(shape)[2] <= radius + TOL, shape.get("name")


def test_odometry_is_the_world_pose_in_the_odom_frame() -> None:
    odom = plugins(model_element())[ODOMETRY_PUBLISHER]
    assert text(odom, "odom_frame") == "odom"
    assert text(odom, "robot_base_frame") == "base_link"
    assert text(odom, "dimensions") == "2"


def test_battery_plugin_drains_a_plausible_humanoid_pack() -> None:
    battery = plugins(model_element())[LINEAR_BATTERY]
    capacity_wh = float(text(battery, "capacity")) * float(text(battery, "voltage"))
    assert 500.0 <= capacity_wh <= 3000.0  # humanoid packs hold 1-3 kWh (docs/power.md)
    assert text(battery, "start_draining") == "true"
    # The brain reads either convention; these make Gazebo speak BatteryState's own where it
    # can: a correct state of charge (as 0..100) and a negative discharge current.
    assert text(battery, "fix_issue_225") == "true"
    assert text(battery, "invert_current_sign") == "true"


def test_battery_can_be_recharged_at_a_dock() -> None:
    battery = plugins(model_element())[LINEAR_BATTERY]
    assert text(battery, "enable_recharge") == "true"
    # Required by the plugin with enable_recharge (else it refuses to configure): hours.
    hours = float(text(battery, "charging_time"))
    assert 0.5 <= hours <= 8.0
    # Presence alone turns the topics on (the plugin checks HasElement, not the value).
    assert battery.find("recharge_by_topic") is not None


def test_model_is_the_robot_description() -> None:
    link = model_element().find("link[@name='base_link']")
    assert link is not None
    height = max(_z_extent(v)[1] for v in link.findall("visual"))
    assert height == pytest.approx(HUMANOID.height, abs=TOL)
    assert 1.1 <= height <= 1.9
    names = {v.get("name") for v in link.findall("visual")}
    assert names == {f"{p.name}_visual" for p in HUMANOID.parts}
    mass = float(text(link, "inertial/mass"))
    assert mass == pytest.approx(HUMANOID.mass) and 25.0 <= mass <= 50.0


# --- world content vs the world file ------------------------------------------------------

def test_models_are_exactly_ground_obstacles_and_places(world: World) -> None:
    expected = {"ground_plane"} | {w.name for w in world.walls} | {b.name for b in world.boxes} \
        | {c.name for c in world.cylinders} | {f"place_{p}" for p in world.places}
    assert set(_models(world_element())) == expected


def test_walls_match_the_world_file(world: World) -> None:
    models = _models(world_element())
    for wall in world.walls:
        model = models[wall.name]
        (x0, y0), (x1, y1) = wall.start, wall.end
        pose = _pose(model)
        assert pose[:2] == pytest.approx([(x0 + x1) / 2, (y0 + y1) / 2], abs=TOL)
        assert _same_angle(pose[5], math.atan2(y1 - y0, x1 - x0), math.pi)
        size = floats(model.findtext("link/collision/geometry/box/size") or "")
        assert size[:2] == pytest.approx(
            [math.hypot(x1 - x0, y1 - y0) + wall.thickness, wall.thickness], abs=TOL)


def test_boxes_match_the_world_file(world: World) -> None:
    models = _models(world_element())
    for box in world.boxes:
        model = models[box.name]
        pose = _pose(model)
        assert pose[:2] == pytest.approx(list(box.center), abs=TOL)
        assert _same_angle(pose[5], box.yaw, math.pi)
        size = floats(model.findtext("link/collision/geometry/box/size") or "")
        assert size[:2] == pytest.approx(list(box.size), abs=TOL)


def test_cylinders_match_the_world_file(world: World) -> None:
    models = _models(world_element())
    for cyl in world.cylinders:
        model = models[cyl.name]
        assert _pose(model)[:2] == pytest.approx(list(cyl.center), abs=TOL)
        radius = model.findtext("link/collision/geometry/cylinder/radius")
        assert float(radius or "nan") == pytest.approx(cyl.radius, abs=TOL)


def test_obstacles_are_static_at_the_world_files_heights(world: World) -> None:
    lidar_z = _pose(sensors(model_element())["lidar"][0])[2]
    models = _models(world_element())
    for shape in world.obstacles():
        model = models[shape.name]
        assert text(model, "static") == "true"
        collision = model.find("link/collision")
        assert collision is not None, f"{shape.name} has no collision"
        geom = _geometry(collision)
        height = floats(text(geom, "size"))[2] if geom.tag == "box" \
            else float(text(geom, "length"))
        z = _pose(model)[2]
        assert z - height / 2 == pytest.approx(shape.z_min, abs=TOL), f"{shape.name} bottom"
        assert z + height / 2 == pytest.approx(shape.z_max, abs=TOL), f"{shape.name} top"
        # The default world: the knee lidar sees every obstacle (the 2-D brain's world).
        assert z - height / 2 <= lidar_z < z + height / 2, f"{shape.name} misses the lidar"


def test_places_are_flat_visual_only_markers_at_the_world_files_places(world: World) -> None:
    lidar_z = _pose(sensors(model_element())["lidar"][0])[2]
    models = _models(world_element())
    for place in world.places.values():
        model = models[f"place_{place.name}"]
        pose = _pose(model)
        assert pose[:2] == pytest.approx([place.x, place.y], abs=TOL)
        assert _same_angle(pose[5], place.yaw)
        assert model.find("link/collision") is None, f"place {place.name} would block the robot"
        visuals = model.findall("link/visual")
        assert visuals
        assert all(pose[2] + _z_extent(v)[1] < lidar_z for v in visuals)


def test_robot_start_frame_is_the_world_files_start(world: World) -> None:
    frames = {f.get("name"): f for f in world_element().findall("frame")}
    pose = _pose(frames["robot_start"])
    assert pose[:2] == pytest.approx([world.start.x, world.start.y], abs=TOL)
    assert _same_angle(pose[5], world.start.yaw)


def test_world_name_is_the_world_files_name(world: World) -> None:
    assert world_element().get("name") == world.name
