"""The shipped config, the launch file and setup.py agree, checked on the real nodes.

rclpy silently ignores a parameter-file key that no node declares, so a typo in brain.yaml
would go unnoticed: each node is started with the shipped YAML and asked for the parameters it
declares (rcl_interfaces/ListParameters), and every YAML key must be among them.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
import yaml
from rcl_interfaces.srv import ListParameters

from robot_brain.cli.demo import BRAIN_NODES, available_nodes
from robot_brain.core.config.params_file import node_key
from test.ros.graph import CONFIG, ROOT, Graph

SETUP = ROOT / "setup.py"
LAUNCH = ROOT / "launch" / "brain.launch.py"


def _config() -> dict:
    return yaml.safe_load(CONFIG.read_text())


def _console_scripts() -> set[str]:
    tree = ast.parse(SETUP.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "console_scripts":
                    return {ast.literal_eval(e).split("=")[0].strip()
                            for e in value.elts}  # type: ignore[attr-defined]
    raise AssertionError("no console_scripts in setup.py")


def _launch_executables() -> set[str]:
    """BRAIN_NODES of the launch file, the optional sim, and every constant `executable=`."""
    tree = ast.parse(LAUNCH.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "BRAIN_NODES" for t in node.targets):
            found |= set(ast.literal_eval(node.value))
        if isinstance(node, ast.Tuple) and [ast.literal_eval(e) for e in node.elts
                                            if isinstance(e, ast.Constant)] == ["sim"]:
            found.add("sim")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Node":
            for kw in node.keywords:
                if kw.arg == "executable" and isinstance(kw.value, ast.Constant):
                    found.add(kw.value.value)
    return found


def test_launch_executables_exist_in_setup_and_have_config_blocks() -> None:
    executables = _launch_executables()
    assert set(BRAIN_NODES) <= executables, "brain.launch.py must start every brain node"
    scripts = _console_scripts()
    assert executables <= scripts, f"not console scripts: {executables - scripts}"
    config = _config()
    assert "/**" in config and "ros__parameters" in config["/**"]
    from robot_brain.core.config.composition import COMPOSITES
    missing = {e for e in executables - set(COMPOSITES) if node_key(config, e) is None}
    assert not missing, f"no config block for {missing}"


def test_launch_arguments_cover_the_documented_ones() -> None:
    tree = ast.parse(LAUNCH.read_text())
    declared = {n.args[0].value for n in ast.walk(tree)
                if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "DeclareLaunchArgument"}
    assert {"namespace", "params_file", "use_sim_time", "sim", "record"} <= declared


def test_config_blocks_name_real_nodes_in_any_namespace() -> None:
    known = {f"/**/{n}" for n in (*BRAIN_NODES, "recorder", "live_view")}
    unknown = set(_config()) - {"/**"} - known
    assert not unknown, f"config blocks for unknown nodes, or not keyed /**/<node>: {unknown}"


RETRY_S = 5.0  # one answer takes milliseconds; a lost one is asked for again after this


def _declared_parameters(graph: Graph, node_name: str, timeout: float) -> set[str]:
    probe = graph.probe
    assert probe is not None
    client = probe.node.create_client(ListParameters, f"/{node_name}/list_parameters")
    assert client.wait_for_service(timeout_sec=timeout), f"{node_name} did not come up"
    # A request sent before the server has matched the client's reply reader gets an answer
    # that is never delivered (a DDS discovery race of ROS 2 services): ask again.
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        future = client.call_async(ListParameters.Request(depth=0))
        attempt_end = min(time.monotonic() + RETRY_S, t0 + timeout)
        while not future.done() and time.monotonic() < attempt_end:
            time.sleep(0.02)
        if future.done():
            return set(future.result().result.names)
        client.remove_pending_request(future)
    raise AssertionError(f"{node_name}: list_parameters did not answer within {timeout} s")


@pytest.mark.ros
@pytest.mark.parametrize("node_name", BRAIN_NODES)
def test_node_declares_every_key_of_its_config(node_name: str, tmp_path: Path) -> None:
    if node_name not in available_nodes():
        pytest.fail(f"node '{node_name}' is listed in BRAIN_NODES but not installed")
    config = _config()
    shared = set(config["/**"]["ros__parameters"])
    key = node_key(config, node_name)
    own = set(config[key]["ros__parameters"]) if key else set()
    overrides = {"backend": "scripted"} if node_name == "planner" else {}
    with Graph(tmp_path) as graph:
        proc = graph.start(node_name, name=node_name, parameters=overrides)
        # Start-up takes ~1 s; 60 s leaves room for a loaded machine.
        declared = _declared_parameters(graph, node_name, timeout=60.0)
        assert proc.running(), dict(graph.logs())[node_name]
    undeclared = (shared | own) - declared
    assert not undeclared, f"{node_name}: YAML keys the node does not declare: {undeclared}"
