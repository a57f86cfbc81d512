"""The sim's transforms on a real graph: odom->base_link on /tf at the odometry rate, matching
odom; the sensor mount on /tf_static, latched for a late joiner; without tf2_msgs, one line and
everything else as before."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest
from nav_msgs.msg import Odometry
from tf2_msgs.msg import TFMessage

from robot_brain.ros import qos
from test.ros.graph import Graph

pytestmark = pytest.mark.ros

START_WAIT_S = 60.0  # >= 10x the start-up time


def test_tf_follows_odom_and_tf_static_reaches_a_late_joiner(tmp_path: Path) -> None:
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(TFMessage, "/tf", qos.RELIABLE)
        probe.subscribe(Odometry, "odom", qos.SENSOR)
        g.start("sim", name="sim", parameters={"odom_rate_hz": 50.0})
        probe.wait_for(lambda: len(probe.messages("/tf")) >= 50, START_WAIT_S, "50 /tf")
        # Subscribed only now, after the sim published it: transient local brings it.
        probe.subscribe(TFMessage, "/tf_static", qos.STATE)
        probe.wait_for(lambda: bool(probe.messages("/tf_static")), START_WAIT_S, "/tf_static")
        (mount,) = probe.messages("/tf_static")[-1].msg.transforms
        assert (mount.header.frame_id, mount.child_frame_id) == ("base_link", "laser")
        tfs = probe.messages("/tf")
        span = tfs[-1].t - tfs[0].t
        rate = (len(tfs) - 1) / span
        print(f"/tf at {rate:.1f} Hz (odom_rate_hz 50)")
        assert rate > 50.0 / 10
        (odom_tf,) = tfs[-1].msg.transforms
        assert (odom_tf.header.frame_id, odom_tf.child_frame_id) == ("odom", "base_link")
        odom = probe.messages("odom")[-1].msg
        assert odom_tf.transform.translation.x == pytest.approx(odom.pose.pose.position.x,
                                                               abs=1e-6)
        assert math.isclose(odom_tf.transform.rotation.w ** 2 + odom_tf.transform.rotation.z ** 2,
                            1.0, abs_tol=1e-6)


def test_without_tf2_msgs_the_sim_says_so_once_and_runs(tmp_path: Path) -> None:
    # A tf2_msgs that cannot be imported, first on the path: as where none is installed.
    shadow = tmp_path / "shadow" / "tf2_msgs"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no tf2_msgs here')\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(shadow.parent), env.get("PYTHONPATH", "")])
    with Graph(tmp_path) as g:
        probe = g.probe
        assert probe is not None
        probe.subscribe(Odometry, "odom", qos.SENSOR)
        g.start("sim", name="sim", env=env)
        probe.wait_for(lambda: len(probe.messages("odom")) >= 10, START_WAIT_S, "odom")
        time.sleep(0.2)
        log = dict(g.logs())["sim"]
        lines = [line for line in log.splitlines() if "tf2_msgs" in line]
        assert len(lines) == 1 and "/tf and /tf_static not published" in lines[0], log
        assert "Traceback" not in log
