"""What the live view passes through: a ros2msg schema for every served type that decodes the
CDR of a real message, and which topics are followed."""

from __future__ import annotations

import numpy as np
import pytest
from mcap_ros2._dynamic import generate_dynamic

from robot_brain.core.live.ros_schemas import UnknownSchemaError, ros2msg_schema
from robot_brain.core.live.served_topics import Delivery, needed_topics, qualify, served_topics
from robot_brain.core.report.bag import default_typestore


@pytest.mark.parametrize("stamped", [True, False])
def test_every_served_type_has_a_schema(stamped: bool) -> None:
    topics = served_topics(stamped)
    assert len({t.name for t in topics}) == len(topics)
    for t in topics:
        text = ros2msg_schema(t.msgtype).decode()
        assert generate_dynamic(t.msgtype, text)[t.msgtype]
    cmd = next(t for t in topics if t.name == "cmd_vel")
    assert cmd.msgtype.endswith("TwistStamped" if stamped else "/Twist")
    assert cmd.delivery is Delivery.STREAM


def test_schema_decodes_cdr_of_a_laser_scan() -> None:
    store = default_typestore()
    LaserScan = store.types["sensor_msgs/msg/LaserScan"]
    Header = store.types["std_msgs/msg/Header"]
    Time = store.types["builtin_interfaces/msg/Time"]
    msg = LaserScan(Header(Time(12, 34), "laser"), -3.14, 3.14, 0.1, 0.0, 0.1, 0.1, 8.0,
                    np.array([1.0, np.inf, 2.5], dtype=np.float32),
                    np.array([], dtype=np.float32))
    raw = store.serialize_cdr(msg, "sensor_msgs/msg/LaserScan")
    decode = generate_dynamic("sensor_msgs/msg/LaserScan",
                              ros2msg_schema("sensor_msgs/msg/LaserScan").decode())
    out = decode["sensor_msgs/msg/LaserScan"](bytes(raw))
    assert out.header.frame_id == "laser" and out.header.stamp.sec == 12
    assert list(out.ranges)[0] == pytest.approx(1.0) and out.range_max == pytest.approx(8.0)


def test_unknown_type_is_refused() -> None:
    with pytest.raises(UnknownSchemaError):
        ros2msg_schema("no_msgs/msg/Nothing")


def test_qualify() -> None:
    assert qualify("scan") == "/scan"
    assert qualify("/diagnostics", "/robot1") == "/diagnostics"
    assert qualify("planner/goal", "/robot1") == "/robot1/planner/goal"


def test_a_topic_is_followed_only_while_watched() -> None:
    assert needed_topics({}) == set()
    assert needed_topics({"scan": 1, "odom": 0}) == {"scan"}
    assert needed_topics({"live_view/tf": 2}) == {"odom"}
    assert needed_topics({"live_view/route": 1, "live_view/world": 1}) == \
        {"planner/goal", "planner/plan", "odom"}
    assert needed_topics({}, always=["brain/say"]) == {"brain/say"}


def test_one_shot_events_are_replayed_to_late_viewers() -> None:
    replayed = {t.name for t in served_topics() if t.delivery is Delivery.LAST_EVENT}
    assert replayed == {"planner/plan", "planner/plan_typed", "brain/instruction", "brain/say"}
