"""config/gz_bridge.yaml bridges every topic the brain exchanges with the robot, correctly typed.

Gazebo is not installable here, so the bridge is checked against (a) the ros_gz_bridge type
mapping table, (b) the robot interface (docs/design.md) and config/brain.yaml, and (c)
the topics the shipped SDF world and model actually publish or subscribe, read independently
as XML.
"""

from __future__ import annotations

import pytest

from test.unit.gazebo_files import bridge_entries, gz_endpoints, shared_params

# ROS type -> Gazebo types ros_gz_bridge converts, from the table in ros_gz_bridge/README.md
# (branches jazzy and ros2: identical for these rows; TwistStamped <-> gz.msgs.Twist exists on
# both). Only standard-message rows are listed.
VALID_MAPPINGS: dict[str, frozenset[str]] = {
    "builtin_interfaces/msg/Time": frozenset({"gz.msgs.Time"}),
    "geometry_msgs/msg/Point": frozenset({"gz.msgs.Vector3d"}),
    "geometry_msgs/msg/Pose": frozenset({"gz.msgs.Pose"}),
    "geometry_msgs/msg/PoseArray": frozenset({"gz.msgs.Pose_V"}),
    "geometry_msgs/msg/PoseStamped": frozenset({"gz.msgs.Pose"}),
    "geometry_msgs/msg/PoseWithCovariance": frozenset({"gz.msgs.PoseWithCovariance"}),
    "geometry_msgs/msg/Quaternion": frozenset({"gz.msgs.Quaternion"}),
    "geometry_msgs/msg/Transform": frozenset({"gz.msgs.Pose"}),
    "geometry_msgs/msg/TransformStamped": frozenset({"gz.msgs.Pose"}),
    "geometry_msgs/msg/Twist": frozenset({"gz.msgs.Twist"}),
    "geometry_msgs/msg/TwistStamped": frozenset({"gz.msgs.Twist"}),
    "geometry_msgs/msg/TwistWithCovariance": frozenset({"gz.msgs.TwistWithCovariance"}),
    "geometry_msgs/msg/Vector3": frozenset({"gz.msgs.Vector3d"}),
    "geometry_msgs/msg/Wrench": frozenset({"gz.msgs.Wrench"}),
    "nav_msgs/msg/Odometry": frozenset({"gz.msgs.Odometry", "gz.msgs.OdometryWithCovariance"}),
    "rosgraph_msgs/msg/Clock": frozenset({"gz.msgs.Clock"}),
    "sensor_msgs/msg/BatteryState": frozenset({"gz.msgs.BatteryState"}),
    "sensor_msgs/msg/CameraInfo": frozenset({"gz.msgs.CameraInfo"}),
    "sensor_msgs/msg/Image": frozenset({"gz.msgs.Image"}),
    "sensor_msgs/msg/Imu": frozenset({"gz.msgs.IMU"}),
    "sensor_msgs/msg/JointState": frozenset({"gz.msgs.Model"}),
    "sensor_msgs/msg/LaserScan": frozenset({"gz.msgs.LaserScan"}),
    "sensor_msgs/msg/MagneticField": frozenset({"gz.msgs.Magnetometer"}),
    "sensor_msgs/msg/NavSatFix": frozenset({"gz.msgs.NavSat"}),
    "sensor_msgs/msg/PointCloud2": frozenset({"gz.msgs.PointCloudPacked"}),
    "std_msgs/msg/Bool": frozenset({"gz.msgs.Boolean"}),
    "std_msgs/msg/Empty": frozenset({"gz.msgs.Empty"}),
    "std_msgs/msg/Float32": frozenset({"gz.msgs.Float"}),
    "std_msgs/msg/Float64": frozenset({"gz.msgs.Double"}),
    "std_msgs/msg/String": frozenset({"gz.msgs.StringMsg"}),
    "tf2_msgs/msg/TFMessage": frozenset({"gz.msgs.Pose_V"}),
}
DIRECTIONS = {"BIDIRECTIONAL", "GZ_TO_ROS", "ROS_TO_GZ"}
REQUIRED_KEYS = {"ros_topic_name", "gz_topic_name", "ros_type_name", "gz_type_name", "direction"}


def _robot_interface() -> dict[str, tuple[str, str]]:
    """ROS topic -> (type, direction) the brain needs from any robot (docs/design.md)."""
    stamped = shared_params()["cmd_vel_stamped"]
    assert isinstance(stamped, bool)
    twist = "geometry_msgs/msg/TwistStamped" if stamped else "geometry_msgs/msg/Twist"
    return {
        "cmd_vel": (twist, "ROS_TO_GZ"),
        "scan": ("sensor_msgs/msg/LaserScan", "GZ_TO_ROS"),
        "odom": ("nav_msgs/msg/Odometry", "GZ_TO_ROS"),
        "battery_state": ("sensor_msgs/msg/BatteryState", "GZ_TO_ROS"),
        "/clock": ("rosgraph_msgs/msg/Clock", "GZ_TO_ROS"),
        "livox/lidar": ("sensor_msgs/msg/PointCloud2", "GZ_TO_ROS"),
    }


def _by_ros_topic() -> dict[str, dict[str, str]]:
    return {e["ros_topic_name"]: e for e in bridge_entries()}


def test_every_entry_is_complete_and_unique() -> None:
    entries = bridge_entries()
    assert entries
    for entry in entries:
        missing = REQUIRED_KEYS - set(entry)
        assert not missing, f"bridge entry {entry} lacks {sorted(missing)}"
        assert entry["direction"] in DIRECTIONS, entry
    ros_topics = [e["ros_topic_name"] for e in entries]
    gz_topics = [e["gz_topic_name"] for e in entries]
    assert len(set(ros_topics)) == len(ros_topics), f"duplicate ROS topics: {ros_topics}"
    assert len(set(gz_topics)) == len(gz_topics), f"duplicate Gazebo topics: {gz_topics}"


@pytest.mark.parametrize("entry", bridge_entries(), ids=lambda e: e.get("ros_topic_name", "?"))
def test_type_pair_is_one_ros_gz_bridge_converts(entry: dict[str, str]) -> None:
    ros_type, gz_type = entry["ros_type_name"], entry["gz_type_name"]
    assert ros_type in VALID_MAPPINGS, f"ros_gz_bridge has no mapping for {ros_type}"
    assert gz_type in VALID_MAPPINGS[ros_type], \
        f"ros_gz_bridge maps {ros_type} to {sorted(VALID_MAPPINGS[ros_type])}, not {gz_type}"


@pytest.mark.parametrize("topic", sorted(_robot_interface()))
def test_robot_interface_topic_is_bridged_with_the_brains_type_and_direction(topic: str) -> None:
    ros_type, direction = _robot_interface()[topic]
    entries = _by_ros_topic()
    assert topic in entries, f"gz_bridge.yaml does not bridge '{topic}'"
    assert entries[topic]["ros_type_name"] == ros_type, \
        f"{topic}: bridge type {entries[topic]['ros_type_name']}, the brain uses {ros_type}"
    assert entries[topic]["direction"] == direction


def test_cmd_vel_type_follows_cmd_vel_stamped() -> None:
    # Both settings are legal for the bridge; the shipped pair must agree.
    stamped = shared_params()["cmd_vel_stamped"]
    expected = "geometry_msgs/msg/TwistStamped" if stamped else "geometry_msgs/msg/Twist"
    assert _by_ros_topic()["cmd_vel"]["ros_type_name"] == expected


def test_ros_names_are_relative_except_the_global_ones() -> None:
    # Relative names follow the launch namespace, as the brain's own topics do.
    for entry in bridge_entries():
        name = entry["ros_topic_name"]
        assert name.startswith("/") == (name in {"/clock", "/tf"}), name


@pytest.mark.parametrize("entry", bridge_entries(), ids=lambda e: e.get("ros_topic_name", "?"))
def test_gazebo_side_matches_a_topic_of_the_sdf(entry: dict[str, str]) -> None:
    endpoints = {ep.topic: ep for ep in gz_endpoints()}
    gz_topic = entry["gz_topic_name"]
    assert gz_topic in endpoints, \
        f"nothing in the SDF world/model uses Gazebo topic {gz_topic}; SDF topics: " \
        f"{sorted(endpoints)}"
    endpoint = endpoints[gz_topic]
    assert entry["gz_type_name"] == endpoint.gz_type, \
        f"{gz_topic}: {endpoint.source} speaks {endpoint.gz_type}, bridge says " \
        f"{entry['gz_type_name']}"
    assert entry["direction"] == endpoint.direction, \
        f"{gz_topic}: {endpoint.source} needs {endpoint.direction}"


def test_every_brain_topic_has_a_gazebo_producer_or_consumer() -> None:
    endpoints = {ep.topic for ep in gz_endpoints()}
    entries = _by_ros_topic()
    for topic in _robot_interface():
        assert entries[topic]["gz_topic_name"] in endpoints, topic


def test_the_endpoint_reader_is_not_vacuous() -> None:
    # The SDF reader itself finds the five robot-interface producers/consumers.
    sources = {ep.source for ep in gz_endpoints()}
    assert {"world", "DiffDrive", "OdometryPublisher", "LinearBatteryPlugin",
            "gpu_lidar sensor", "gpu_lidar points"} <= sources
