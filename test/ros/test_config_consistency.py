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

from robot_brain.cli.demo_setup import BRAIN_NODES, available_nodes
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


def _launch_constant(name: str) -> object:
    for node in ast.walk(ast.parse(LAUNCH.read_text())):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"brain.launch.py has no {name}")


def _launch_executables() -> set[str]:
    """BRAIN_NODES of the launch file, the simulators its `sim` argument may start
    (robot_brain.core.config.sim_choice, which it reads), and every constant `executable=`."""
    from robot_brain.core.config.sim_choice import SIM_NODES
    tree = ast.parse(LAUNCH.read_text())
    found = set(SIM_NODES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "BRAIN_NODES" for t in node.targets):
            found |= set(ast.literal_eval(node.value))
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


def test_launch_sim_values_are_the_simulator_choices() -> None:
    from robot_brain.core.config.sim_choice import LAUNCH_VALUES, launch_sim
    assert list(_launch_constant("SIM_VALUES")) == list(LAUNCH_VALUES)  # type: ignore[call-overload]
    assert launch_sim("false") is None
    assert launch_sim("true").node == "sim" and launch_sim("mujoco").node == "mujoco_sim"
    overlay = launch_sim("mujoco").params_overlay
    assert (ROOT / "config" / overlay).exists()


def test_launch_arguments_cover_the_documented_ones() -> None:
    tree = ast.parse(LAUNCH.read_text())
    declared = {n.args[0].value for n in ast.walk(tree)
                if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "DeclareLaunchArgument"}
    assert {"namespace", "params_file", "use_sim_time", "sim", "record"} <= declared


#: Nodes with a block in brain.yaml that the default demo does not start.
OPTIONAL_NODES = ("recorder", "live_view", "mujoco_sim")


def test_config_blocks_name_real_nodes_in_any_namespace() -> None:
    known = {f"/**/{n}" for n in (*BRAIN_NODES, *OPTIONAL_NODES)}
    unknown = set(_config()) - {"/**"} - known
    assert not unknown, f"config blocks for unknown nodes, or not keyed /**/<node>: {unknown}"


def _flat(block: dict, prefix: str = "") -> set[str]:
    """Parameter names of a YAML block as rcl reads them: a nested mapping (a parameter
    group, e.g. perception's `scan: {type: scan}`) is `scan.type`."""
    names: set[str] = set()
    for k, v in block.items():
        names |= _flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}"}
    return names


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
@pytest.mark.parametrize("node_name", (*BRAIN_NODES, "mujoco_sim"))
def test_node_declares_every_key_of_its_config(node_name: str, tmp_path: Path) -> None:
    if node_name == "mujoco_sim":
        pytest.importorskip("mujoco", reason="mujoco (requirements/python.txt) not installed")
    elif node_name not in available_nodes():
        pytest.fail(f"node '{node_name}' is listed in BRAIN_NODES but not installed")
    config = _config()
    shared = _flat(config["/**"]["ros__parameters"])
    key = node_key(config, node_name)
    own = _flat(config[key]["ros__parameters"]) if key else set()
    overrides = {"backend": "scripted"} if node_name == "planner" else {}
    with Graph(tmp_path) as graph:
        proc = graph.start(node_name, name=node_name, parameters=overrides)
        # Start-up takes ~1 s; 60 s leaves room for a loaded machine.
        declared = _declared_parameters(graph, node_name, timeout=60.0)
        assert proc.running(), dict(graph.logs())[node_name]
    undeclared = (shared | own) - declared
    assert not undeclared, f"{node_name}: YAML keys the node does not declare: {undeclared}"


@pytest.mark.ros
def test_perception_declares_every_key_the_mujoco_overlay_gives_it(tmp_path: Path) -> None:
    """config/mujoco.yaml (given after brain.yaml with --sim mujoco / sim:=mujoco) sets
    perception's sources for the MuJoCo humanoid; rclpy would ignore a key nobody declares."""
    from robot_brain.core.config.sim_choice import sim_choice

    overlay = ROOT / "config" / sim_choice("mujoco").params_overlay

    def flat(block: dict, prefix: str = "") -> set[str]:
        out: set[str] = set()
        for key, value in block.items():
            out |= flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
        return out

    data = yaml.safe_load(overlay.read_text())
    assert set(data) == {"/**/perception"}, "the overlay configures perception only"
    keys = flat(data["/**/perception"]["ros__parameters"])
    with Graph(tmp_path) as graph:
        proc = graph.start("perception", name="perception", params_files=[CONFIG, overlay])
        declared = _declared_parameters(graph, "perception", timeout=60.0)
        assert proc.running(), dict(graph.logs())["perception"]
    assert keys - declared == set(), f"overlay keys perception does not declare: {keys - declared}"
    assert {"head.mount_rpy", "knee.mount_xyz", "sources"} <= keys
