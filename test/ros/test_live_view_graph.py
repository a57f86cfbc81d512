"""The live view on a running brain (sim, perception, controller, watchdog, live_view), seen
through a real WebSocket client library (`websockets`) speaking the Foxglove protocol.

* every advertised channel has the expected schema and delivers a message that decodes with
  that schema (CDR with the ros2msg text, protobuf with the FileDescriptorSet);
* a client that subscribes to everything and then never reads (a stopped process) leaves the
  controller's tick figures on /diagnostics essentially unchanged (generous bound: 10x) while
  others are served, also after it vanishes;
* malformed client messages are refused and the server goes on serving.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path
from typing import Iterator

import pytest
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PoseStamped
from robot_brain_interfaces.msg import Plan, PlannerStatus
from std_msgs.msg import Bool, Float32, String

from robot_brain.core.live.ros_schemas import ros2msg_schema
from robot_brain.core.live.served_topics import DERIVED_CHANNELS, Delivery, qualify, served_topics
from robot_brain.ros import qos
from test.ros.foxglove_client import FoxgloveClient, start_stalled_client
from test.ros.graph import CONFIG, Graph
from test.ros.test_config_consistency import _config, _declared_parameters

pytestmark = pytest.mark.ros

STARTUP_TIMEOUT_S = 60.0
WINDOW_S = 8.0          # controller diagnostics windows (1 s each) per condition
FACTOR = 10.0           # generous bound on the change of the controller's figures
FLOOR_MS = 1.0          # a baseline below this counts as this (10x of ~0 would be 0)

#: Topics nobody publishes in this graph (no planner, power monitor, operator): the probe does.
STAND_INS = {
    "planner/goal": (PoseStamped, qos.STATE),
    "planner/hold": (Bool, qos.STATE),
    "estop": (Bool, qos.STATE),
    "power/mode": (String, qos.STATE),
    "planner/plan": (String, qos.RELIABLE),
    "planner/status": (String, qos.RELIABLE),
    "brain/instruction": (String, qos.RELIABLE),
    "brain/say": (String, qos.RELIABLE),
    "power/endurance": (Float32, qos.RELIABLE),
    "planner/plan_typed": (Plan, qos.RELIABLE),
    "planner/status_typed": (PlannerStatus, qos.STATE),
}


class Brain:
    def __init__(self, graph: Graph, url: str) -> None:
        self.graph = graph
        self.url = url
        assert graph.probe is not None
        self.probe = graph.probe
        self.pubs = {t: self.probe.publisher(cls, t, q) for t, (cls, q) in STAND_INS.items()}

    def publish_stand_ins(self) -> None:
        goal = PoseStamped()
        goal.header.frame_id = "odom"
        goal.header.stamp = self.probe.node.get_clock().now().to_msg()
        goal.pose.position.x, goal.pose.position.y, goal.pose.orientation.w = 2.5, 0.8, 1.0
        self.pubs["planner/goal"].publish(goal)
        self.pubs["planner/hold"].publish(Bool(data=False))
        self.pubs["estop"].publish(Bool(data=False))
        self.pubs["power/mode"].publish(String(data="normal"))
        self.pubs["planner/plan"].publish(String(data=json.dumps(
            {"steps": [{"skill": "navigate_to", "place": "kitchen"}]})))
        self.pubs["planner/status"].publish(String(data=json.dumps({"state": "executing"})))
        self.pubs["brain/instruction"].publish(String(data="go to the kitchen"))
        self.pubs["brain/say"].publish(String(data="on my way"))
        self.pubs["power/endurance"].publish(Float32(data=3600.0))
        self.pubs["planner/plan_typed"].publish(Plan(backend="vertical", accepted=True))
        self.pubs["planner/status_typed"].publish(PlannerStatus(state="executing"))

    def controller_windows(self, since: float) -> list[dict[str, float]]:
        out = []
        for r in self.probe.messages("/diagnostics"):
            if r.t < since:
                continue
            for s in r.msg.status:
                if s.name.startswith("controller:"):
                    out.append({kv.key: float(kv.value) for kv in s.values
                                if kv.key in ("rate_hz", "jitter_p99_ms", "period_p99_ms",
                                              "compute_p99_ms")})
        return out


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Brain]:
    log_dir = tmp_path_factory.mktemp("live_view")
    with Graph(log_dir) as g:
        assert g.probe is not None
        g.probe.subscribe(DiagnosticArray, "/diagnostics", qos.DIAGNOSTICS)
        for name in ("sim", "perception", "watchdog"):
            g.start(name, name=name, parameters={"rt_priority": 0})
        g.start("controller", name="controller", parameters={
            "rt_priority": 0, "use_param_goal": True, "goal_x": 2.5, "goal_y": 0.8})
        lv = g.start("live_view", name="live_view", parameters={"port": 0})
        log = log_dir / "live_view.log"
        url = ""
        end = time.monotonic() + STARTUP_TIMEOUT_S
        while not url:
            assert time.monotonic() < end and lv.running(), dict(g.logs())["live_view"]
            m = re.search(r"live view on (ws://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
            url = m.group(1) if m else ""
            time.sleep(0.1)
        b = Brain(g, url)
        g.probe.wait_for(lambda: bool(b.controller_windows(0.0)), STARTUP_TIMEOUT_S,
                         "controller diagnostics")
        yield b
        assert lv.running(), dict(g.logs())["live_view"]


def _live_view_follows(brain: Brain, topic: str) -> bool:
    infos = brain.probe.node.get_subscriptions_info_by_topic(topic)
    return any(i.node_name in ("live_view", "_live_view_streams") for i in infos)


def test_unwatched_topics_are_not_subscribed(brain: Brain) -> None:
    """No client: the live view follows no ROS topic but the one-shot events."""
    # Discovery of the live view's subscriptions takes a while on a loaded machine: wait for
    # the one it must have, then none of the others may have appeared beside it.
    brain.probe.wait_for(lambda: _live_view_follows(brain, "/planner/plan"), 10.0,
                         "the one-shot events followed")
    time.sleep(0.5)
    assert not any(_live_view_follows(brain, qualify(t.name)) for t in served_topics(True)
                   if t.delivery is not Delivery.LAST_EVENT)
    client = FoxgloveClient.open(brain.url)
    try:
        client.wait(lambda: "/live_view/tf" in client.by_topic(), 10.0, "advertisements")
        client.subscribe([client.by_topic()["/live_view/tf"].id])
        brain.probe.wait_for(lambda: _live_view_follows(brain, "/odom"), 10.0,
                             "odom followed for the transforms")
        assert not _live_view_follows(brain, "/scan")
    finally:
        client.close()
    brain.probe.wait_for(lambda: not _live_view_follows(brain, "/odom"), 10.0,
                         "odom dropped once the client left")


def test_a_late_viewer_gets_the_last_plan(brain: Brain) -> None:
    plan = json.dumps({"steps": [{"skill": "say", "text": "sent before anyone watched"}]})
    for _ in range(5):  # best effort on loopback: a few copies, before any client
        brain.pubs["planner/plan"].publish(String(data=plan))
        time.sleep(0.2)
    time.sleep(0.5)
    client = FoxgloveClient.open(brain.url)
    try:
        client.wait(lambda: "/planner/plan" in client.by_topic(), 10.0, "advertisements")
        ch = client.by_topic()["/planner/plan"]
        client.subscribe([ch.id])
        client.wait(lambda: bool(client.received.get(ch.id)), 10.0, "the replayed plan")
        assert ch.decoder()(client.received[ch.id][-1][1]).data == plan
    finally:
        client.close()


def test_every_advertised_channel_has_its_schema_and_decodes(brain: Brain) -> None:
    expected = {qualify(t.name): t.msgtype for t in served_topics(True)}
    client = FoxgloveClient.open(brain.url)
    try:
        client.wait(lambda: len(client.channels) >= len(expected) + len(DERIVED_CHANNELS), 10.0,
                    "the advertisements")
        assert client.server_info is not None
        assert client.server_info["capabilities"] == [], "read-only: no client publish"
        channels = client.by_topic()
        assert set(channels) == set(expected) | {qualify(c) for c in DERIVED_CHANNELS}
        for topic, msgtype in expected.items():
            ch = channels[topic]
            assert (ch.encoding, ch.schema_name, ch.schema_encoding) == \
                (("cdr", msgtype, "ros2msg")), topic
            assert ch.schema == ros2msg_schema(msgtype)
        for c in DERIVED_CHANNELS:
            ch = channels[qualify(c)]
            assert (ch.encoding, ch.schema_encoding) == ("protobuf", "protobuf")
            assert ch.schema_name == ("foxglove.FrameTransforms" if c.endswith("/tf")
                                      else "foxglove.SceneUpdate")
        client.subscribe(list(client.channels))
        decoders = {cid: ch.decoder() for cid, ch in client.channels.items()}
        decoded: dict[str, object] = {}

        def all_decoded() -> bool:
            for cid, msgs in client.received.items():
                topic = client.channels[cid].topic
                if msgs:
                    decoded[topic] = decoders[cid](msgs[-1][1])  # the latest, every time
            tf = decoded.get("/live_view/tf")
            return set(decoded) == set(channels) and len(tf.transforms) == 2  # type: ignore


        end = time.monotonic() + 30.0
        while not all_decoded():
            assert time.monotonic() < end, f"never received: {set(channels) - set(decoded)}"
            brain.publish_stand_ins()
            for _ in range(5):
                client.pump(0.1)
    finally:
        client.close()
    scan = decoded["/scan"]
    assert scan.header.frame_id == "laser" and len(scan.ranges) == 360  # type: ignore[attr-defined]
    world = decoded["/live_view/world"]
    assert {e.id for e in world.entities} >= {"world/walls", "world/places"}  # type: ignore[attr-defined]
    tf = decoded["/live_view/tf"]
    assert ("odom", "base_link") in [(t.parent_frame_id, t.child_frame_id)
                                     for t in tf.transforms]  # type: ignore[attr-defined]
    route = decoded["/live_view/route"]
    spheres = [s for e in route.entities for s in e.spheres]  # type: ignore[attr-defined]
    assert spheres and spheres[0].pose.position.x == pytest.approx(2.5)
    plan = json.loads(decoded["/planner/plan"].data)  # type: ignore[attr-defined]
    assert plan["steps"][0]["place"] == "kitchen"


def _assert_served(url: str, topic: str, what: str) -> None:
    """A new client connects, subscribes to `topic` and gets a message of it."""
    client = FoxgloveClient.open(url)
    try:
        client.wait(lambda: topic in client.by_topic(), 10.0, "advertisements")
        client.subscribe([client.by_topic()[topic].id])
        client.wait(lambda: bool(client.received), 10.0, what)
    finally:
        client.close()


def _medians(windows: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(w[k] for w in windows) for k in windows[0]}


def test_a_client_that_never_reads_does_not_slow_the_brain(brain: Brain) -> None:
    t0 = time.monotonic()
    time.sleep(WINDOW_S)
    baseline = brain.controller_windows(t0)
    # A client process that subscribes to every channel and then stops itself (SIGSTOP, 4 kB
    # receive buffer): nothing is read from its socket for the whole window.
    stalled = start_stalled_client(brain.url)
    try:
        t1 = time.monotonic()
        time.sleep(WINDOW_S)
        during = brain.controller_windows(t1)
        _assert_served(brain.url, "/scan", "a scan while a client stalls")
    finally:
        # Then it vanishes without a goodbye (SIGKILL while stopped).
        stalled.kill()
        stalled.wait(timeout=10)
    _assert_served(brain.url, "/odom", "odom after a client vanished")
    assert len(baseline) >= WINDOW_S / 2 and len(during) >= WINDOW_S / 2
    before, after = _medians(baseline), _medians(during)
    print(f"controller figures (medians of 1-s windows) without / with a stalled client: "
          f"{before} / {after}")
    for key in ("jitter_p99_ms", "period_p99_ms", "compute_p99_ms"):
        assert after[key] <= FACTOR * max(before[key], FLOOR_MS), (key, before, after)
    assert after["rate_hz"] >= before["rate_hz"] / FACTOR * 9  # within 10 %


def test_malformed_client_messages_are_refused_without_harm(brain: Brain) -> None:
    bad = FoxgloveClient.open(brain.url)
    try:
        bad.wait(lambda: len(bad.channels) >= 22, 10.0, "the advertisements")
        for junk in ("{not json", json.dumps({"op": "no-such-op"}),
                     json.dumps({"op": "subscribe", "subscriptions": [{"id": 1,
                                                                       "channelId": 99999}]}),
                     json.dumps({"op": "advertise", "channels": [{"id": 1, "topic": "/cmd_vel",
                                                                  "encoding": "cdr",
                                                                  "schemaName": "x"}]})):
            try:
                bad.ws.send(junk)
            except Exception:  # noqa: BLE001 - the server may already have closed it
                break
        bad.ws.send(b"\x02\xff\x00garbage")
        for _ in range(20):
            try:
                bad.pump(0.1)
            except Exception:  # noqa: BLE001 - a closed connection is a refusal too
                break
    finally:
        bad.close()
    print(f"server answers to the malformed client: {bad.statuses}")
    assert any(st.get("level") == 2 for st in bad.statuses), "refused with an error status"
    # Nothing reached the graph, and the server still serves a new client.
    _assert_served(brain.url, "/cmd_vel", "cmd_vel after the malformed client")
    assert all(p.running() for p in brain.graph.processes), dict(brain.graph.logs())


def test_live_view_declares_every_key_of_its_config(brain: Brain) -> None:
    assert CONFIG.exists()
    own = set(_config()["/**/live_view"]["ros__parameters"])
    shared = set(_config()["/**"]["ros__parameters"])
    declared = _declared_parameters(brain.graph, "live_view", timeout=60.0)
    assert not (own | shared) - declared, (own | shared) - declared


def test_layout_file_is_installed_with_the_package() -> None:
    # setup.py and the venv layout install the same list (robot_brain/install_data.py).
    from robot_brain.install_data import data_files
    root = Path(__file__).resolve().parents[2]
    layouts = dict(data_files(root)).get("share/robot_brain/layouts", [])
    assert "layouts/robot_brain_layout.json" in layouts


def test_clients_must_offer_the_sdk_subprotocol(brain: Brain) -> None:
    """foxglove-sdk (0.30.3, and every release since its first) accepts a WebSocket client only
    when its Sec-WebSocket-Protocol list contains `foxglove.sdk.v1`; it has no option for the
    older `foxglove.websocket.v1`, the only one offered by Foxglove Studio before the SDK, by
    Lichtblick and by other clients built on @foxglove/ws-protocol's FoxgloveClient.
    docs/live_view.md says which clients work."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect
    from websockets.typing import Subprotocol

    legacy = Subprotocol("foxglove.websocket.v1")
    with pytest.raises(InvalidStatus) as refused:
        with connect(brain.url, subprotocols=[legacy], open_timeout=10):
            pass
    assert refused.value.response.status_code == 400
    assert b"Missing expected sec-websocket-protocol header" in refused.value.response.body
    # A client offering both (as the Foxglove app does) gets the SDK's protocol.
    with connect(brain.url, subprotocols=[legacy, Subprotocol("foxglove.sdk.v1")],
                 open_timeout=10) as ws:
        assert ws.subprotocol == "foxglove.sdk.v1"
        first = json.loads(ws.recv(timeout=10))
        assert first["op"] == "serverInfo"
