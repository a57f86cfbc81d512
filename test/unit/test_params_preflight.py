"""Parameter files read with one clear error, and settings that must agree across nodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot_brain.core.config.consistency import InconsistentConfigError, check, problems
from robot_brain.core.config.params_file import (
    ParamsFileError,
    load_params_file,
    node_key,
    node_values,
)

GOOD = {
    "perception": {"n_sectors": 16}, "controller": {"n_sectors": 16, "rate_hz": 100.0,
                                                    "goal_timeout_s": 3.0,
                                                    "cmd_vel_stamped": True,
                                                    "hold_publish_hz": 10.0},
    "watchdog": {"deadline_s": 0.02, "cmd_vel_stamped": True, "hold_deadline_s": 0.25},
    "sim": {"cmd_timeout_s": 0.5, "cmd_vel_stamped": True},
    "planner": {"goal_republish_hz": 2.0},
}
for _node in ("perception", "controller", "sim", "planner"):   # shared by every node
    GOOD[_node].update(world_file="", places_file="")
GOOD["planner"]["localization_source"] = "none"
GOOD["controller"]["goal_bounds_check"] = "map"


def with_(node: str, **values: object) -> dict:
    out = {n: dict(v) for n, v in GOOD.items()}
    out[node].update(values)
    return out


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParamsFileError, match=r"parameter file .*nope.yaml does not exist"):
        load_params_file(tmp_path / "nope.yaml")


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("/**:\n  ros__parameters:\n    world_file: [oops\n")
    with pytest.raises(ParamsFileError) as info:
        load_params_file(bad)
    message = str(info.value)
    assert "\n" not in message and "YAML error at line 4, column 1" in message


@pytest.mark.parametrize("text", ["- a list\n", "controller: 3\n",
                                  "controller:\n  ros__parameters: [1]\n"])
def test_not_a_parameter_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ParamsFileError):
        load_params_file(path)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ParamsFileError, match="not UTF-8"):
        load_params_file(path)


def test_node_values_layer_defaults_wildcard_and_own_block() -> None:
    params = {"/**": {"ros__parameters": {"a": 1, "b": 1}},
              "controller": {"ros__parameters": {"b": 2}},
              "/robot/perception": {"ros__parameters": {"b": 3}}}
    assert node_values(params, "controller", {"a": 0, "c": 9}) == {"a": 1, "b": 2, "c": 9}
    assert node_values(params, "perception", {}, namespace="/robot")["b"] == 3
    assert node_values(params, "perception", {})["b"] == 1  # other namespace: not its block


def test_a_bare_node_key_is_the_root_namespace_only_and_wildcards_match_any() -> None:
    # As rcl applies them (checked on rclpy 9.1.2): `perception:` does not reach /ns/perception.
    params = {"perception": {"ros__parameters": {"b": 1}},
              "/**/controller": {"ros__parameters": {"b": 2}}}
    assert node_values(params, "perception", {"b": 0})["b"] == 1
    assert node_values(params, "perception", {"b": 0}, namespace="/ns")["b"] == 0
    assert node_values(params, "controller", {"b": 0}, namespace="/ns")["b"] == 2
    assert node_values(params, "controller", {"b": 0})["b"] == 2
    assert node_key(params, "controller", "/ns") == "/**/controller"
    assert node_key(params, "perception", "/ns") is None


def test_consistent_settings_pass() -> None:
    assert problems(GOOD) == []
    check(GOOD)


@pytest.mark.parametrize("values, words", [
    (with_("perception", n_sectors=24), "perception.n_sectors=24, controller.n_sectors=16"),
    (with_("watchdog", cmd_vel_stamped=False), "watchdog.cmd_vel_stamped=False"),
    (with_("controller", rate_hz=50.0), "shorter than two periods"),
    (with_("controller", goal_timeout_s=0.4), "every goal would time out"),
    (with_("sim", cmd_timeout_s=0.01), "sim.cmd_timeout_s=0.01"),
    (with_("watchdog", hold_deadline_s=0.15), "would latch a healthy controller that holds"),
    (with_("controller", hold_publish_hz=4.0), "shorter than two held-command periods"),
    (with_("sim", cmd_timeout_s=0.1), "would time out between two zero commands"),
    (with_("planner", world_file="office"), "planner.world_file='office'"),
    (with_("sim", places_file="/tmp/p.yaml"), "sim.places_file='/tmp/p.yaml'"),
    (with_("planner", localization_source="pose"), "needs controller.goal_bounds_check='reach'"),
    (with_("controller", goal_bounds_check="reach"), "needs controller.goal_bounds_check='map'"),
])
def test_each_mismatch_is_refused_with_both_sides_named(values: dict, words: str) -> None:
    with pytest.raises(InconsistentConfigError, match="inconsistent parameters") as info:
        check(values)
    assert words in str(info.value)


def test_priority_layout_keeps_each_stage_input_above_its_producer() -> None:
    layout = {"watchdog": {"rt_priority": 50}, "controller": {"rt_priority": 47},
              "perception": {"rt_priority": 44}, "sim": {"rt_priority": 40}}
    values = {n: {**v, **layout.get(n, {})} for n, v in GOOD.items()}
    assert problems(values) == []
    # The layout that starved the watchdog's receive thread on 2 CPUs: controller = watchdog.
    values["controller"]["rt_priority"] = 50
    with pytest.raises(InconsistentConfigError, match="can starve watchdog's input"):
        check(values)
    values["controller"]["rt_priority"] = 0  # off: not in the layout; perception is next
    assert problems(values) == []


def test_rules_only_apply_to_nodes_that_run() -> None:
    # A brain without the sim (a real robot) has no sim timeout to compare.
    values = {n: v for n, v in with_("sim", cmd_timeout_s=0.01).items() if n != "sim"}
    assert problems(values) == []


def test_one_belief_about_the_llm_devices_draw() -> None:
    """The planner prices a remote call with the modem's draw the power monitor believes."""
    values = {"planner": {"accelerator_generating_w": 20.0, "modem_active_w": 7.5},
              "power_monitor": {"accelerator_generating_w": 20.0, "modem_active_w": 7.0}}
    with pytest.raises(InconsistentConfigError, match=r"planner.modem_active_w=7.5, "
                                                      r"power_monitor.modem_active_w=7.0"):
        check(values)


def test_the_shipped_config_passes_preflight_and_an_old_name_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("rclpy")  # the node registry names the nodes' classes
    from robot_brain.cli.preflight import preflight
    from robot_brain.core.config.params import ParamError

    shipped = Path(__file__).resolve().parents[2] / "config" / "brain.yaml"
    nodes = ["sim", "perception", "controller", "watchdog", "planner", "power_monitor"]
    preflight(shipped, nodes)
    old = tmp_path / "old.yaml"
    old.write_text("/**/planner:\n  ros__parameters:\n    route_eco: openai\n")
    with pytest.raises(ParamError, match="'route_eco' was renamed to 'backend_eco'"):
        preflight(old, nodes)


def test_planner_and_power_monitor_read_the_battery_alike() -> None:
    battery = {"battery_percentage_scale": "auto", "battery_current_sign": "auto"}
    values = {**GOOD, "planner": {**GOOD["planner"], **battery}, "power_monitor": dict(battery)}
    assert problems(values) == []
    values["planner"]["battery_percentage_scale"] = "percent"
    with pytest.raises(InconsistentConfigError) as info:
        check(values)
    assert ("planner.battery_percentage_scale='percent', "
            "power_monitor.battery_percentage_scale='auto'") in str(info.value)


def test_a_controller_that_publishes_every_tick_has_no_hold_period_to_check() -> None:
    for hz in (0.0, 100.0, 500.0):  # 0 = every tick; at or above the tick rate, too
        assert problems(with_("controller", hold_publish_hz=hz) | {
            "watchdog": {**GOOD["watchdog"], "hold_deadline_s": 0.02},
            "sim": {**GOOD["sim"], "cmd_timeout_s": 0.05}}) == []
