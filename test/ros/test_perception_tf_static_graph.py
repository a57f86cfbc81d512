"""The perception node taking its head lidar's mount from /tf_static (`head.mount_from:
tf_static`), on a real graph: static broadcasters (TFMessage on /tf_static, latched as
tf2_ros's StaticTransformBroadcaster latches) publish base_link -> torso_link -> livox_frame,
the Livox-on-head mount through an intermediate frame. Until the chain is complete every cloud
is refused (counted as `mount`, nothing published); then the sectors are the ones the same
mount gives from parameters; a transform that puts the sensor below the floor is refused with
a warning and the clouds are refused again."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest
from geometry_msgs.msg import TransformStamped

from robot_brain.core.robot_model.frames import quaternion_from_rpy
from robot_brain.ros import qos
from test.ros.cloud_probe import (
    Odom,
    answer,
    counter,
    logs,
    pointcloud2,
    sources_status,
    unanswered,
    wall_ahead,
    watch_perception,
)
from test.ros.graph import Graph
from test.unit import cloud_fixtures as fx

tf2_msgs = pytest.importorskip("tf2_msgs.msg", reason="tf2_msgs is not installed")

PARAMS = {"sources": ["head"], "head.type": "cloud", "head.topic": "livox/lidar",
          "head.frame": "livox_frame", "head.mount_from": "tf_static",
          "head.max_points": 10_000, "head.timeout_s": 5.0}


def _transform(parent: str, child: str, xyz: tuple[float, float, float],
               rpy: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> TransformStamped:
    t = TransformStamped()
    t.header.frame_id, t.child_frame_id = parent, child
    t.transform.translation.x, t.transform.translation.y, t.transform.translation.z = xyz
    w, x, y, z = quaternion_from_rpy(*rpy)
    r = t.transform.rotation
    r.x, r.y, r.z, r.w = x, y, z, w
    return t


def test_the_head_mount_comes_from_tf_static(tmp_path: Path) -> None:
    TFMessage = tf2_msgs.TFMessage
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        clouds = watch_perception(probe)
        # Two static broadcasters, each with its own latched message (a robot's
        # robot_state_publisher and a static_transform_publisher for an added sensor).
        torso = probe.publisher(TFMessage, "/tf_static", qos.STATE)
        head = probe.publisher(TFMessage, "/tf_static", qos.STATE)
        # The first link is there before perception starts: a late reader gets it.
        torso.publish(TFMessage(transforms=[_transform("base_link", "torso_link",
                                                       (0.0, 0.0, 0.7))]))
        odom = Odom(probe)
        node = g.start("perception", parameters=PARAMS)
        try:
            # No mount yet: clouds refused and counted, nothing published for them.
            probe.wait_for(lambda: bool(sources_status(probe)), 60.0, "perception's diagnostics")
            unanswered(probe, clouds, pointcloud2(fx.livox(wall_ahead())), 3.0)
            counter(probe, "head_refused_mount", 1)
            assert "head (base_link -> livox_frame)" in sources_status(probe).get(
                "tf_static_waiting", ""), sources_status(probe)

            # The last link: the Livox 0.5 m above the torso link, upside down (roll pi).
            head.publish(TFMessage(transforms=[_transform("torso_link", "livox_frame",
                                                          (0.0, 0.0, 0.5),
                                                          (math.pi, 0.0, 0.0))]))
            out = answer(probe, clouds, pointcloud2(fx.livox(wall_ahead())), timeout=30.0)
            assert out is not None, logs(g)
            s = np.array(out.ranges)
            assert out.header.frame_id == "base_link" and len(s) == 16
            # The wall 2 m ahead, 0.3 - 1.0 m high: in sectors 7 and 8, nothing elsewhere.
            assert s[7] == pytest.approx(2.0, abs=0.01) and s[8] == pytest.approx(2.0, abs=0.01)
            assert not np.isfinite(np.delete(s, [7, 8])).any(), s
            counter(probe, "tf_static_transforms", 2)   # one from each broadcaster

            # The head link moved under the floor: refused with a warning, clouds refused.
            refused = counter(probe, "head_refused_mount", 1)
            head.publish(TFMessage(transforms=[_transform("torso_link", "livox_frame",
                                                          (0.0, 0.0, -1.0),
                                                          (math.pi, 0.0, 0.0))]))
            time.sleep(1.0)
            unanswered(probe, clouds, pointcloud2(fx.livox(wall_ahead())), 2.0)
            counter(probe, "head_refused_mount", refused + 1)
            log = dict(g.logs())["perception"]
            assert "below the floor" in log and "/tf_static mount refused" in log, log
            assert "mount from /tf_static base_link -> torso_link -> livox_frame" in log, log
            assert node.running(), logs(g)
        finally:
            odom.stop()


def test_mount_from_tf_static_without_a_frame_is_refused_at_start(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        node = g.start("perception", parameters={**PARAMS, "head.frame": ""})
        assert node.proc is not None
        rc = node.proc.wait(timeout=60.0)
        log = dict(g.logs())["perception"]
    assert rc == 1, log
    assert "cannot start" in log and "mount_from tf_static needs `head.frame`" in log, log


def test_mount_from_tf_static_where_tf2_msgs_is_missing_fails_at_start(tmp_path: Path
                                                                       ) -> None:
    """As in a door without tf2_msgs: the package is hidden from the node's interpreter."""
    import os

    hidden = tmp_path / "hide" / "tf2_msgs"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('tf2_msgs hidden by the test')\n")
    path = os.pathsep.join(filter(None, [str(hidden.parent), os.environ.get("PYTHONPATH")]))
    with Graph(tmp_path) as g:
        node = g.start("perception", parameters=PARAMS, env={**os.environ, "PYTHONPATH": path})
        assert node.proc is not None
        rc = node.proc.wait(timeout=60.0)
        log = dict(g.logs())["perception"]
    assert rc == 1, log
    assert "cannot start" in log and "mount_from tf_static needs tf2_msgs" in log, log
    assert "Traceback" not in log, log
