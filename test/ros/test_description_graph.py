"""The `description` node (the brain's robot_state_publisher stand-in, started by
gazebo.launch.py where robot_state_publisher is missing): the URDF on robot_description and
every fixed joint on /tf_static, both latched for a late joiner, both from the robot
description, and perception can take the head lidar's mount from it."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from std_msgs.msg import String

from robot_brain.core.perception.cloud.config import SourceConfig, SourcesConfig
from robot_brain.core.perception.cloud.static_tf import StaticTransform, TfStaticMounts
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.robot_model.urdf import fixed_joints, urdf
from robot_brain.ros import qos
from test.ros.graph import Graph

tf2_msgs = pytest.importorskip("tf2_msgs.msg", reason="tf2_msgs is not installed")

pytestmark = pytest.mark.ros

START_WAIT_S = 60.0


def test_description_latches_the_urdf_and_the_fixed_joints(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        node = g.start("description", name="description")
        # Subscribed after the node published: transient local brings both.
        probe.wait_for(lambda: "fixed joints on /tf_static" in dict(g.logs())["description"],
                       START_WAIT_S, "the description node's start line")
        probe.subscribe(String, "robot_description", qos.STATE)
        probe.subscribe(tf2_msgs.TFMessage, "/tf_static", qos.TF_STATIC_IN)
        probe.wait_for(lambda: bool(probe.messages("robot_description"))
                       and bool(probe.messages("/tf_static")), START_WAIT_S,
                       "robot_description and /tf_static")
        text = probe.messages("robot_description")[-1].msg.data
        transforms = probe.messages("/tf_static")[-1].msg.transforms
        assert node.running()
    assert text == urdf(HUMANOID)
    robot = ET.fromstring(text)
    joints = {j.find("child").get("link"): j for j in robot.iter("joint")}  # type: ignore[union-attr]
    published = {(t.header.frame_id, t.child_frame_id): t for t in transforms}
    # Every URDF joint, and nothing else, as robot_state_publisher publishes fixed joints.
    assert set(published) == {(j.find("parent").get("link"), child)  # type: ignore[union-attr]
                              for child, j in joints.items()}
    assert len(published) == len(fixed_joints(HUMANOID)) == len(HUMANOID.parts) + 3
    for child, joint in joints.items():
        t = published[("base_link", child)].transform
        xyz = [float(v) for v in joint.find("origin").get("xyz").split()]  # type: ignore[union-attr]
        assert [t.translation.x, t.translation.y, t.translation.z] == pytest.approx(xyz,
                                                                                     abs=1e-6)
    # The head lidar's mount read back from what was published: the description's.
    head = SourceConfig(type="cloud", name="head", frame=HUMANOID.head_lidar.frame,
                        mount_from="tf_static")
    mounts = TfStaticMounts([(0, head)], SourcesConfig())
    mounts.update([StaticTransform(t.header.frame_id, t.child_frame_id,
                                   (t.transform.translation.x, t.transform.translation.y,
                                    t.transform.translation.z),
                                   (t.transform.rotation.x, t.transform.rotation.y,
                                    t.transform.rotation.z, t.transform.rotation.w))
                   for t in transforms])
    mount = mounts.mount(0)
    assert mount is not None
    p = HUMANOID.head_lidar.pose
    assert mount.xyz == pytest.approx((p.x, p.y, p.z), abs=1e-6)
    assert abs(mount.rpy[0]) == pytest.approx(math.pi, abs=1e-6)
