"""Independent readers of the shipped Gazebo files for the test_gazebo_* tests.

Everything here reads the files with xml.etree / yaml / ast only, never through
scripts/make_gazebo_world.py, so a generator bug cannot hide itself. The topic and type facts
below come from the gz-sim and ros_gz sources (Harmonic / Jazzy and newer).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORLD_SDF = ROOT / "gazebo" / "worlds" / "apartment.sdf"
MODEL_SDF = ROOT / "gazebo" / "models" / "humanoid.sdf"
BRIDGE_YAML = ROOT / "config" / "gz_bridge.yaml"
BRAIN_YAML = ROOT / "config" / "brain.yaml"
GAZEBO_LAUNCH = ROOT / "launch" / "gazebo.launch.py"
BRAIN_LAUNCH = ROOT / "launch" / "brain.launch.py"
SETUP_PY = ROOT / "setup.py"
GENERATOR = ROOT / "scripts" / "make_gazebo_world.py"

# Real gz-sim system plugin file names and class names (gz-sim src/systems/*/CMakeLists.txt
# gz_add_system(...) and GZ_ADD_PLUGIN_ALIAS).
DIFF_DRIVE = ("gz-sim-diff-drive-system", "gz::sim::systems::DiffDrive")
ODOMETRY_PUBLISHER = ("gz-sim-odometry-publisher-system", "gz::sim::systems::OdometryPublisher")
LINEAR_BATTERY = ("gz-sim-linearbatteryplugin-system", "gz::sim::systems::LinearBatteryPlugin")
PHYSICS = ("gz-sim-physics-system", "gz::sim::systems::Physics")
USER_COMMANDS = ("gz-sim-user-commands-system", "gz::sim::systems::UserCommands")
SCENE_BROADCASTER = ("gz-sim-scene-broadcaster-system", "gz::sim::systems::SceneBroadcaster")
SENSORS = ("gz-sim-sensors-system", "gz::sim::systems::Sensors")
IMU = ("gz-sim-imu-system", "gz::sim::systems::Imu")


@dataclass(frozen=True)
class GzEndpoint:
    """A Gazebo transport topic the simulation reads (ROS_TO_GZ) or writes (GZ_TO_ROS)."""

    topic: str
    gz_type: str
    direction: str
    source: str


def parse(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def model_element() -> ET.Element:
    model = parse(MODEL_SDF).find("model")
    assert model is not None, f"{MODEL_SDF}: no <model>"
    return model


def world_element() -> ET.Element:
    world = parse(WORLD_SDF).find("world")
    assert world is not None, f"{WORLD_SDF}: no <world>"
    return world


def plugins(parent: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(p.get("filename", ""), p.get("name", "")): p for p in parent.findall("plugin")}


def text(element: ET.Element, tag: str) -> str:
    value = element.findtext(tag)
    assert value is not None, f"<{element.tag} name={element.get('name')!r}> has no <{tag}>"
    return value.strip()


def floats(value: str) -> list[float]:
    return [float(v) for v in value.split()]


def sensors(model: ET.Element) -> dict[str, tuple[ET.Element, ET.Element]]:
    """Sensor name -> (sensor element, the link holding it)."""
    found: dict[str, tuple[ET.Element, ET.Element]] = {}
    for link in model.findall("link"):
        for sensor in link.findall("sensor"):
            name = sensor.get("name", "")
            assert name not in found, f"two sensors named {name!r}"
            found[name] = (sensor, link)
    return found


def sensors_of_type(model: ET.Element, kind: str) -> list[tuple[ET.Element, ET.Element]]:
    return [(s, link) for s, link in sensors(model).values() if s.get("type") == kind]


def gz_endpoints() -> list[GzEndpoint]:
    """Every topic the world and model expose to a bridge, derived from the SDF alone."""
    model = model_element()
    world = world_element()
    model_plugins = plugins(model)
    world_plugins = plugins(world)
    found: list[GzEndpoint] = []
    if PHYSICS in world_plugins:
        # gz sim's server publishes the sim time on /clock once physics steps the world.
        found.append(GzEndpoint("/clock", "gz.msgs.Clock", "GZ_TO_ROS", "world"))
    if DIFF_DRIVE in model_plugins:
        found.append(GzEndpoint(text(model_plugins[DIFF_DRIVE], "topic"), "gz.msgs.Twist",
                                "ROS_TO_GZ", "DiffDrive"))
    if ODOMETRY_PUBLISHER in model_plugins:
        odom = model_plugins[ODOMETRY_PUBLISHER]
        found.append(GzEndpoint(text(odom, "odom_topic"), "gz.msgs.Odometry", "GZ_TO_ROS",
                                "OdometryPublisher"))
        found.append(GzEndpoint(text(odom, "tf_topic"), "gz.msgs.Pose_V", "GZ_TO_ROS",
                                "OdometryPublisher"))
    if LINEAR_BATTERY in model_plugins:
        plugin = model_plugins[LINEAR_BATTERY]
        battery = text(plugin, "battery_name")
        prefix = f"/model/{model.get('name')}/battery/{battery}"
        found.append(GzEndpoint(f"{prefix}/state", "gz.msgs.BatteryState", "GZ_TO_ROS",
                                "LinearBatteryPlugin"))
        # With recharging and recharge_by_topic (present, whatever its value), the plugin
        # also subscribes to its recharge services' names as topics.
        if (plugin.findtext("enable_recharge") or "").strip() == "true" \
                and plugin.find("recharge_by_topic") is not None:
            for verb in ("start", "stop"):
                found.append(GzEndpoint(f"{prefix}/recharge/{verb}", "gz.msgs.Boolean",
                                        "ROS_TO_GZ", "LinearBatteryPlugin"))
    sensor_types = {"gpu_lidar": ("gz.msgs.LaserScan", SENSORS), "imu": ("gz.msgs.IMU", IMU)}
    for sensor, _link in sensors(model).values():
        kind = sensor.get("type", "")
        if kind in sensor_types and sensor_types[kind][1] in world_plugins:
            topic = text(sensor, "topic")
            found.append(GzEndpoint(topic, sensor_types[kind][0], "GZ_TO_ROS", f"{kind} sensor"))
            if kind == "gpu_lidar":
                # gz-sensors' GpuLidarSensor also publishes its points on <topic>/points.
                found.append(GzEndpoint(topic + "/points", "gz.msgs.PointCloudPacked",
                                        "GZ_TO_ROS", "gpu_lidar points"))
    return found


def bridge_entries() -> list[dict[str, str]]:
    data = yaml.safe_load(BRIDGE_YAML.read_text(encoding="utf-8"))
    assert isinstance(data, list), "gz_bridge.yaml must be a YAML list of bridge entries"
    return data


def shared_params() -> dict[str, object]:
    params = yaml.safe_load(BRAIN_YAML.read_text(encoding="utf-8"))["/**"]["ros__parameters"]
    assert isinstance(params, dict), f"{BRAIN_YAML}: /** ros__parameters is not a mapping"
    return params
