"""launch/gazebo.launch.py agrees with brain.launch.py, setup.py and the shipped Gazebo files.

ROS 2 `launch` is not on PyPI, so both launch files are read with `ast`: the arguments passed
to brain.launch.py exist there, the executables exist in setup.py or in the ROS packages
named, the files referenced are installed by setup.py, ros_gz is looked up only when the
launch runs. The decisions the launch takes (world name, start pose, partition, a failed
spawn) are robot_brain.core.sim.gazebo's, tested in test_gazebo_world_launch.py; the launch run
by the real `ros2 launch` is test/ros/test_launch_runs.py's.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from test.unit.gazebo_files import (
    BRAIN_LAUNCH,
    GAZEBO_LAUNCH,
    GENERATOR,
    ROOT,
    SETUP_PY,
    model_element,
    sensors,
    world_element,
)

PACKAGE = "robot_brain"
#: Executables and shared files of other ROS packages the launch file may use (ros_gz on
#: Jazzy/Kilted: ros_gz_sim installs launch/gz_sim.launch.py and `create`; ros_gz_bridge
#: `parameter_bridge`; robot_state_publisher its namesake).
EXTERNAL_EXECUTABLES = {("ros_gz_sim", "create"), ("ros_gz_bridge", "parameter_bridge"),
                        ("robot_state_publisher", "robot_state_publisher")}
EXTERNAL_FILES = {("ros_gz_sim", "launch/gz_sim.launch.py")}


@dataclass(frozen=True)
class LaunchFile:
    tree: ast.Module
    shares: dict[str, str]        # variable -> package of get_package_share_directory
    configs: dict[str, str]       # variable -> LaunchConfiguration name
    constants: dict[str, object]  # module-level NAME = constant


def _read(path: Path) -> LaunchFile:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    shares: dict[str, str] = {}
    configs: dict[str, str] = {}
    constants: dict[str, object] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            continue
        target, value = node.targets[0].id, node.value
        if isinstance(value, ast.Constant):
            constants[target] = value.value
        elif isinstance(value, ast.Call) and _name(value) == "get_package_share_directory":
            shares[target] = ast.literal_eval(value.args[0])
        elif isinstance(value, ast.Call) and _name(value) == "LaunchConfiguration":
            configs[target] = ast.literal_eval(value.args[0])
    return LaunchFile(tree, shares, configs, constants)


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _calls(lf: LaunchFile, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(lf.tree) if isinstance(n, ast.Call) and _name(n) == name]


def _kw(call: ast.Call, key: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == key), None)


def _required_kw(call: ast.Call, key: str) -> ast.expr:
    value = _kw(call, key)
    assert value is not None, f"line {call.lineno}: {_name(call)}() has no {key}="
    return value


def _launch_config(lf: LaunchFile, node: ast.expr | None) -> str | None:
    """The argument name a value reads, if it is LaunchConfiguration('x') or a variable of one."""
    if isinstance(node, ast.Name):
        return lf.configs.get(node.id)
    if isinstance(node, ast.Call) and _name(node) == "LaunchConfiguration":
        return str(ast.literal_eval(node.args[0]))
    return None


def _share_file(lf: LaunchFile, node: ast.expr | None) -> tuple[str, str] | None:
    """(package, relative path) of os.path.join(<share dir>, 'a', 'b'), else None."""
    if not (isinstance(node, ast.Call) and _name(node) == "join" and node.args
            and isinstance(node.args[0], ast.Name) and node.args[0].id in lf.shares):
        return None
    parts = [ast.literal_eval(a) for a in node.args[1:]]
    return lf.shares[node.args[0].id], "/".join(parts)


def _declared(lf: LaunchFile) -> dict[str, ast.expr | None]:
    return {ast.literal_eval(c.args[0]): _kw(c, "default_value")
            for c in _calls(lf, "DeclareLaunchArgument")}


def _brain_include(lf: LaunchFile) -> dict[str, ast.expr]:
    for include in _calls(lf, "IncludeLaunchDescription"):
        source = include.args[0]
        assert isinstance(source, ast.Call)
        if _share_file(lf, source.args[0]) == (PACKAGE, "launch/brain.launch.py"):
            return _include_arguments(include)
    raise AssertionError("gazebo.launch.py does not include robot_brain's brain.launch.py")


def _include_arguments(include: ast.Call) -> dict[str, ast.expr]:
    args = _kw(include, "launch_arguments")
    # Written as {...}.items() so it can be read here.
    assert isinstance(args, ast.Call) and isinstance(args.func, ast.Attribute)
    assert isinstance(args.func.value, ast.Dict)
    return {ast.literal_eval(k): v for k, v in zip(args.func.value.keys, args.func.value.values,
                                                   strict=True) if k is not None}


def _console_scripts() -> set[str]:
    for node in ast.walk(ast.parse(SETUP_PY.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "console_scripts":
                    return {str(ast.literal_eval(e)).split("=")[0].strip()
                            for e in value.elts}  # type: ignore[attr-defined]
    raise AssertionError("setup.py has no console_scripts")


def _installed_share_files() -> set[str]:
    """Paths under share/robot_brain/ that setup.py's data_files install (globs evaluated).

    setup.py takes its data_files from robot_brain.install_data (shared with the venv layout);
    the test checks setup.py really does, then evaluates that list."""
    tree = ast.parse(SETUP_PY.read_text(encoding="utf-8"))
    calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and _name(c) == "setup"]
    assert calls, "setup.py has no setup() call"
    data_files = _kw(calls[0], "data_files")
    assert isinstance(data_files, ast.Call) and _name(data_files) == "data_files", \
        "setup.py must take data_files from robot_brain.install_data"
    from robot_brain.install_data import data_files as shared_data_files
    installed: set[str] = set()
    for dest, files in shared_data_files(ROOT):
        prefix = f"share/{PACKAGE}"
        if dest == prefix or dest.startswith(prefix + "/"):
            sub = dest[len(prefix):].strip("/")
            installed |= {"/".join(filter(None, [sub, Path(f).name])) for f in files}
    return installed


@pytest.fixture(scope="module")
def gazebo() -> LaunchFile:
    return _read(GAZEBO_LAUNCH)


@pytest.fixture(scope="module")
def brain() -> LaunchFile:
    return _read(BRAIN_LAUNCH)


# --- the brain.launch.py include -----------------------------------------------------------

def test_brain_is_included_without_its_sim_and_on_sim_time(gazebo: LaunchFile) -> None:
    args = _brain_include(gazebo)
    assert ast.literal_eval(args["sim"]) == "false"
    assert ast.literal_eval(args["use_sim_time"]) == "true"


def test_every_argument_passed_to_brain_is_declared_there(gazebo: LaunchFile,
                                                          brain: LaunchFile) -> None:
    passed = set(_brain_include(gazebo))
    declared = set(_declared(brain))
    assert passed <= declared, f"brain.launch.py has no argument(s) {passed - declared}"
    # And none is silently left at brain's default (e.g. a new brain argument).
    assert declared <= passed, f"not passed to brain.launch.py: {declared - passed}"


def test_passed_through_arguments_are_the_same_named_gazebo_arguments(gazebo: LaunchFile) -> None:
    declared = _declared(gazebo)
    for key, node in _brain_include(gazebo).items():
        if key in ("sim", "use_sim_time"):
            continue
        assert _launch_config(gazebo, node) == key, f"{key} is not passed through"
        assert key in declared, f"gazebo.launch.py does not declare '{key}'"


def test_shared_arguments_keep_brains_defaults(gazebo: LaunchFile, brain: LaunchFile) -> None:
    ours, theirs = _declared(gazebo), _declared(brain)
    for key in set(_brain_include(gazebo)) - {"sim", "use_sim_time"}:
        mine, brains = ours[key], theirs[key]
        assert mine is not None and brains is not None, f"'{key}' needs a default"
        assert ast.dump(mine) == ast.dump(brains), f"default of '{key}' differs"


def test_every_launch_configuration_read_is_declared(gazebo: LaunchFile) -> None:
    declared = set(_declared(gazebo))
    read = {str(ast.literal_eval(c.args[0])) for c in _calls(gazebo, "LaunchConfiguration")}
    assert read, "no LaunchConfiguration found: the reader is broken"
    assert read <= declared, f"read but not declared: {read - declared}"


# --- nodes and files ---------------------------------------------------------------------

def _nodes(lf: LaunchFile) -> list[tuple[str, str, ast.Call]]:
    return [(ast.literal_eval(_required_kw(n, "package")),
             ast.literal_eval(_required_kw(n, "executable")), n)
            for n in _calls(lf, "Node")]


def test_node_executables_exist(gazebo: LaunchFile) -> None:
    nodes = {(pkg, exe) for pkg, exe, _ in _nodes(gazebo)}
    assert {("ros_gz_sim", "create"), ("ros_gz_bridge", "parameter_bridge")} <= nodes
    scripts = _console_scripts()
    for pkg, exe in nodes:
        if pkg == PACKAGE:
            assert exe in scripts, f"{exe} is not a console script of setup.py"
        else:
            assert (pkg, exe) in EXTERNAL_EXECUTABLES, f"unknown executable {pkg}/{exe}"


def test_referenced_files_are_installed_by_setup_py(gazebo: LaunchFile) -> None:
    installed = _installed_share_files()
    assert "launch/brain.launch.py" in installed, "data_files reader is broken"
    referenced = {ref for n in ast.walk(gazebo.tree) if isinstance(n, ast.Call)
                  for ref in [_share_file(gazebo, n)] if ref is not None}
    ours = {rel for pkg, rel in referenced if pkg == PACKAGE}
    assert {"worlds/apartment.sdf", "models/humanoid.sdf", "config/gz_bridge.yaml",
            "launch/brain.launch.py", "config/brain.yaml"} <= ours
    assert ours <= installed, f"not installed by setup.py: {ours - installed}"
    assert {(p, r) for p, r in referenced if p != PACKAGE} <= EXTERNAL_FILES


def test_file_arguments_default_to_the_shipped_files(gazebo: LaunchFile) -> None:
    declared = _declared(gazebo)
    assert _share_file(gazebo, declared["world"]) == (PACKAGE, "worlds/apartment.sdf")
    assert _share_file(gazebo, declared["robot_model"]) == (PACKAGE, "models/humanoid.sdf")
    assert _share_file(gazebo, declared["bridge_config"]) == (PACKAGE, "config/gz_bridge.yaml")


def test_gazebo_runs_the_world_argument(gazebo: LaunchFile) -> None:
    for include in _calls(gazebo, "IncludeLaunchDescription"):
        source = include.args[0]
        assert isinstance(source, ast.Call)
        if _share_file(gazebo, source.args[0]) == ("ros_gz_sim", "launch/gz_sim.launch.py"):
            gz_args = _include_arguments(include)["gz_args"]
            assert isinstance(gz_args, ast.List)
            assert "world" in {_launch_config(gazebo, e) for e in gz_args.elts}
            assert any(isinstance(e, ast.Constant) and "-r" in str(e.value).split()
                       for e in gz_args.elts)
            return
    raise AssertionError("ros_gz_sim's gz_sim.launch.py is not included")


def test_bridge_reads_the_bridge_config_argument_on_sim_time(gazebo: LaunchFile) -> None:
    (bridge,) = [n for pkg, _exe, n in _nodes(gazebo) if pkg == "ros_gz_bridge"]
    params = _kw(bridge, "parameters")
    # Parameter(...) rules, never a dict: launch_ros leaves a dict's launch_params_* file.
    assert isinstance(params, ast.List)
    assert all(isinstance(p, ast.Call) and _name(p) == "Parameter" for p in params.elts)
    entries = {ast.literal_eval(p.args[0]): p.args[1] for p in params.elts
               if isinstance(p, ast.Call)}
    assert _launch_config(gazebo, entries["config_file"]) == "bridge_config"
    assert ast.literal_eval(entries["use_sim_time"]) is True
    assert _launch_config(gazebo, _kw(bridge, "namespace")) == "namespace"


def test_no_node_gets_a_dict_of_parameters(gazebo: LaunchFile, brain: LaunchFile) -> None:
    for lf in (gazebo, brain):
        for call in _calls(lf, "Node"):
            params = _kw(call, "parameters")
            elts = params.elts if isinstance(params, ast.List) else []
            assert not any(isinstance(e, ast.Dict) for e in elts), ast.dump(call)[:200]


def test_ros_gz_is_looked_up_only_when_the_launch_runs(gazebo: LaunchFile) -> None:
    """`--show-args` must work where ros_gz is not installed: generate_launch_description
    looks up robot_brain only; ros_gz_sim inside the OpaqueFunction, after the check."""
    generate = next(n for n in gazebo.tree.body if isinstance(n, ast.FunctionDef)
                    and n.name == "generate_launch_description")
    looked_up = {ast.literal_eval(c.args[0]) for c in ast.walk(generate)
                 if isinstance(c, ast.Call) and _name(c) == "get_package_share_directory"}
    assert looked_up == {"robot_brain"}
    runs = next(n for n in gazebo.tree.body if isinstance(n, ast.FunctionDef)
                and n.name == "_gazebo")
    calls = [c for c in ast.walk(runs) if isinstance(c, ast.Call)]
    names = [_name(c) for c in calls]
    assert names.index("_missing_packages") < names.index("get_package_share_directory")
    opaque = [ast.dump(c) for c in _calls(gazebo, "OpaqueFunction")]
    assert any("_gazebo" in d for d in opaque)


def test_brain_runs_on_sim_time_and_gazebo_on_its_own_partition(gazebo: LaunchFile) -> None:
    assert ast.literal_eval(_brain_include(gazebo)["use_sim_time"]) == "true"
    env = [c for c in _calls(gazebo, "SetEnvironmentVariable")
           if ast.literal_eval(c.args[0]) == "GZ_PARTITION"]
    assert env, "GZ_PARTITION is not set"
    assert "gz_partition" in _declared(gazebo)


def test_spawn_is_watched_and_timed(gazebo: LaunchFile) -> None:
    (create,) = [n for pkg, exe, n in _nodes(gazebo) if (pkg, exe) == ("ros_gz_sim", "create")]
    assert _kw(create, "on_exit") is not None, "a failed spawn must end the launch"
    assert _calls(gazebo, "TimerAction"), "a hung spawn must end the launch"
    assert "spawn_timeout" in _declared(gazebo)


# --- agreement with the SDF files ----------------------------------------------------------

def test_spawn_name_is_the_models_name(gazebo: LaunchFile) -> None:
    assert gazebo.constants["ROBOT_NAME"] == model_element().get("name")
    (create,) = [n for pkg, exe, n in _nodes(gazebo) if (pkg, exe) == ("ros_gz_sim", "create")]
    args = _kw(create, "arguments")
    assert isinstance(args, ast.List)
    flags = [e.value for e in args.elts if isinstance(e, ast.Constant)]
    assert {"-world", "-name", "-file", "-x", "-y", "-Y"} <= set(flags)
    values = [e.value if isinstance(e, ast.Constant) else None for e in args.elts]
    after_name = args.elts[values.index("-name") + 1]
    assert isinstance(after_name, ast.Name) and after_name.id == "ROBOT_NAME"
    # Into the world the launch started, by the name read from its SDF.
    after_world = args.elts[values.index("-world") + 1]
    assert ast.dump(after_world) == ast.dump(ast.parse("world.name", mode="eval").body)


def test_spawn_frame_is_the_one_the_generator_writes() -> None:
    from robot_brain.core.sim.gazebo import ROBOT_START_FRAME

    generator = ast.parse(GENERATOR.read_text(encoding="utf-8"))
    written = {n.targets[0].id: n.value.value for n in generator.body
               if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
               and isinstance(n.targets[0], ast.Name)}
    assert ROBOT_START_FRAME == written["ROBOT_START_FRAME"]
    assert written["ROBOT_START_FRAME"] in {f.get("name") for f in world_element().iter("frame")}


def _function(lf: LaunchFile, name: str) -> ast.FunctionDef:
    return next(n for n in lf.tree.body if isinstance(n, ast.FunctionDef) and n.name == name)


def test_robot_description_is_the_descriptions_urdf(gazebo: LaunchFile) -> None:
    """robot_state_publisher gets the URDF generated from the robot description where it is
    installed (looked up when the launch runs), the brain's `description` node publishes the
    same otherwise; both are in the launch's namespace and started with the bridge."""
    chooser = _function(gazebo, "_description")
    nodes = [(ast.literal_eval(_required_kw(n, "package")),
              ast.literal_eval(_required_kw(n, "executable")), n)
             for n in ast.walk(chooser) if isinstance(n, ast.Call) and _name(n) == "Node"]
    assert {(p, e) for p, e, _ in nodes} == {("robot_state_publisher", "robot_state_publisher"),
                                            (PACKAGE, "description")}
    checks = [c for c in ast.walk(chooser) if isinstance(c, ast.Call)
              and _name(c) == "_missing_packages"]
    assert checks and ast.literal_eval(checks[0].args[0]) == ("robot_state_publisher",)
    for pkg, _exe, node in nodes:
        assert _launch_config(gazebo, _kw(node, "namespace")) == "namespace"
        if pkg == "robot_state_publisher":
            params = _required_kw(node, "parameters")
            assert isinstance(params, ast.List) and len(params.elts) == 1
            rule = params.elts[0]
            assert isinstance(rule, ast.Call) and _name(rule) == "Parameter"
            assert ast.literal_eval(rule.args[0]) == "robot_description"
            assert isinstance(rule.args[1], ast.Name) and rule.args[1].id == "urdf_text"
            value_type = _required_kw(rule, "value_type")
            assert isinstance(value_type, ast.Name) and value_type.id == "str"
    # _gazebo passes the URDF of the robot description, and starts what _description gives.
    runs = _function(gazebo, "_gazebo")
    call = next(c for c in ast.walk(runs) if isinstance(c, ast.Call)
                and _name(c) == "_description")
    assert ast.dump(call.args[1]) == ast.dump(ast.parse("urdf(HUMANOID)", mode="eval").body)
    returned = next(n for n in ast.walk(runs) if isinstance(n, ast.Return)
                    and isinstance(n.value, ast.List))
    assert "description" in {e.id for e in returned.value.elts  # type: ignore[union-attr]
                             if isinstance(e, ast.Name)}


def test_sensor_frames_of_the_urdf_match_the_model() -> None:
    """What robot_state_publisher (or the `description` node) puts on /tf_static for each
    sensor frame is where humanoid.sdf's sensors sit (both from the robot description)."""
    import xml.etree.ElementTree as ET

    from robot_brain.core.robot_model import HUMANOID
    from robot_brain.core.robot_model.urdf import urdf

    robot = ET.fromstring(urdf(HUMANOID))
    published: dict[str, list[float]] = {}
    for joint in robot.iter("joint"):
        assert joint.get("type") == "fixed"
        parent, child, origin = joint.find("parent"), joint.find("child"), joint.find("origin")
        assert parent is not None and child is not None and origin is not None
        assert parent.get("link") == "base_link"
        published[str(child.get("link"))] = [float(v) for v in (
            f"{origin.get('xyz')} {origin.get('rpy')}").split()]
    checked = 0
    for name, (sensor, link) in sensors(model_element()).items():
        frame = sensor.findtext("frame_id")
        assert frame in published, f"no URDF joint for the {name} frame {frame}"
        assert link.get("name") == "base_link"
        pose = [float(v) for v in (sensor.findtext("pose") or "").split()]
        assert published[frame] == pytest.approx(pose, abs=1e-5), \
            f"{frame} pose differs from the SDF"
        checked += 1
    assert checked >= 2


def test_package_xml_declares_what_the_gazebo_launch_runs(gazebo: LaunchFile) -> None:
    import xml.etree.ElementTree as ET

    root = ET.parse(ROOT / "package.xml").getroot()
    depends = {e.text: e.get("condition") for e in root.findall("exec_depend")}
    external = {pkg for pkg, _exe, _n in _nodes(gazebo) if pkg != PACKAGE}
    assert external == {"ros_gz_sim", "ros_gz_bridge", "robot_state_publisher"}
    assert external <= set(depends), f"package.xml lacks {external - set(depends)}"
    # Gazebo is opt-out (it is large): with the variable unset the condition holds
    # (catkin_pkg reads an unset $VAR as ''), with ROBOT_BRAIN_GAZEBO=false it does not.
    for pkg in ("ros_gz_sim", "ros_gz_bridge", "robot_state_publisher"):
        assert depends[pkg] == "$ROBOT_BRAIN_GAZEBO != false", depends[pkg]
    assert root.get("format") == "3"  # conditions need format 3
