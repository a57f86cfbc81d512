"""Settings that must agree across nodes, checked before any node starts.

Each node validates its own parameters, but some only make sense together: perception's
sector count is the controller's input width; a watchdog deadline shorter than two control
periods latches all the time, and one shorter than two of the controller's held-command periods
latches a robot that merely stands. A mismatch used to show only as a robot that never moved and a
warning every 5 s; here it is refused at start with one message naming both sides.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from robot_brain.core.errors import ConfigurationError
from robot_brain.core.timing.holding import hold_deadline, hold_period_s

Values = Mapping[str, Mapping[str, Any]]  # node -> parameter -> resolved value


class InconsistentConfigError(ConfigurationError):
    """Parameters of different nodes that contradict each other."""


@dataclass(frozen=True)
class Rule:
    nodes: tuple[str, ...]
    check: Callable[[Values], str | None]  # the problem in words, or None


def _get(values: Values, node: str, name: str) -> Any:
    return values[node][name]


def _same(name: str, *nodes: str) -> Rule:
    def check(v: Values) -> str | None:
        # A node that does not have the setting (a hand-made table) has nothing to disagree.
        seen = {n: _get(v, n, name) for n in nodes if name in v[n]}
        if len({repr(x) for x in seen.values()}) > 1:
            sides = ", ".join(f"{n}.{name}={x!r}" for n, x in seen.items())
            return f"{sides}: these must be equal"
        return None
    return Rule(nodes, check)


def _deadline_vs_rate(v: Values) -> str | None:
    deadline, rate = float(_get(v, "watchdog", "deadline_s")), float(
        _get(v, "controller", "rate_hz"))
    if rate > 0 and deadline < 2.0 / rate - 1e-9:
        return (f"watchdog.deadline_s={deadline:g} is shorter than two periods of "
                f"controller.rate_hz={rate:g} ({2.0 / rate:g} s): the watchdog would stop the "
                "robot between healthy commands")
    return None


def _hold_period(v: Values) -> float:
    """Seconds between the controller's held zero commands (0: it publishes every tick)."""
    return hold_period_s(float(v["controller"].get("hold_publish_hz", 0.0)),
                         float(_get(v, "controller", "rate_hz")))


def _hold_deadline(v: Values) -> str | None:
    period = _hold_period(v)
    if "hold_deadline_s" not in v["watchdog"] or period <= 0.0:
        return None
    deadline = hold_deadline(float(_get(v, "watchdog", "hold_deadline_s")),
                             float(_get(v, "watchdog", "deadline_s")))
    if deadline < 2.0 * period - 1e-9:
        return (f"watchdog.hold_deadline_s={deadline:g} is shorter than two held-command "
                f"periods of controller.hold_publish_hz="
                f"{_get(v, 'controller', 'hold_publish_hz'):g} ({2.0 * period:g} s): the "
                "watchdog would latch a healthy controller that holds the robot still")
    return None


def _robot_timeout_vs_hold(sim: str) -> Callable[[Values], str | None]:
    def check(v: Values) -> str | None:
        robot, period = float(_get(v, sim, "cmd_timeout_s")), _hold_period(v)
        if period > 0.0 and math.isfinite(robot) and robot <= period:
            return (f"{sim}.cmd_timeout_s={robot:g} is not longer than the controller's "
                    f"held-command period ({period:g} s, controller.hold_publish_hz): the robot "
                    "would time out between two zero commands")
        return None
    return check


def _goal_refresh(v: Values) -> str | None:
    timeout, hz = float(_get(v, "controller", "goal_timeout_s")), float(
        _get(v, "planner", "goal_republish_hz"))
    if hz > 0 and timeout <= 1.0 / hz:
        return (f"controller.goal_timeout_s={timeout:g} is not longer than the planner's goal "
                f"refresh period (planner.goal_republish_hz={hz:g}): every goal would time out")
    return None


def _goal_frames(v: Values) -> str | None:
    source = str(_get(v, "planner", "localization_source"))
    check = str(_get(v, "controller", "goal_bounds_check"))
    if (source != "none") != (check == "reach"):
        want = "reach" if source != "none" else "map"
        return (f"planner.localization_source={source!r} needs controller.goal_bounds_check="
                f"{want!r}, got {check!r}: with a localiser odom is not the map frame, and the "
                "controller would refuse the planner's goals as off the map (docs/maps.md)")
    return None


def _robot_timeout(sim: str) -> Callable[[Values], str | None]:
    def check(v: Values) -> str | None:
        robot, deadline = float(_get(v, sim, "cmd_timeout_s")), float(
            _get(v, "watchdog", "deadline_s"))
        if math.isfinite(robot) and robot <= deadline:
            return (f"{sim}.cmd_timeout_s={robot:g} is not longer than watchdog.deadline_s="
                    f"{deadline:g}: the robot's own timeout must be the later backstop")
        return None
    return check


#: Each fast-path stage's input (its middleware threads run one level below its spinning
#: thread) must sit above the stage that feeds it: on 2 CPUs a producer at the same or a higher
#: priority than its consumer's receive thread can hold a CPU while that thread waits.
FAST_PATH_ORDER = ("watchdog", "controller", "perception", "sim", "mujoco_sim")


def _priority_layout(v: Values) -> str | None:
    present = [n for n in FAST_PATH_ORDER if n in v and int(v[n].get("rt_priority", 0)) > 0]
    for consumer, producer in zip(present, present[1:], strict=False):
        c, p = int(v[consumer]["rt_priority"]), int(v[producer]["rt_priority"])
        if c - 1 <= p:
            return (f"{consumer}.rt_priority={c} puts its middleware threads ({c - 1}) at or "
                    f"below {producer}.rt_priority={p}: on 2 CPUs {producer} can starve "
                    f"{consumer}'s input (need {consumer} >= {producer} + 2; docs/realtime.md)")
    return None


RULES: tuple[Rule, ...] = (
    _same("n_sectors", "perception", "controller"),
    _same("cmd_vel_stamped", "sim", "controller", "watchdog"),
    # One belief about the LLM devices' draw (core.power.draw_model.LlmDevicePower): the
    # planner's backend choice and the power monitor's estimate must price them alike.
    _same("accelerator_generating_w", "planner", "power_monitor"),
    _same("modem_active_w", "planner", "power_monitor"),
    # The frames the live view draws are the ones the sim publishes.
    _same("odom_frame", "sim", "live_view"),
    _same("base_frame", "sim", "live_view"),
    _same("laser_frame", "sim", "live_view"),
    _same("cmd_vel_stamped", "mujoco_sim", "controller", "watchdog"),
    # One battery, one reading of it (robot_brain.core.power.battery_state).
    _same("battery_percentage_scale", "planner", "power_monitor"),
    _same("battery_current_sign", "planner", "power_monitor"),
    # One building: the planner's routes, the controller's bounds, the scene's places and the
    # simulated walls from the same map and places (docs/maps.md).
    _same("world_file", "perception", "controller", "planner"),
    _same("world_file", "sim", "planner"),
    _same("places_file", "perception", "planner"),
    _same("places_file", "sim", "planner"),
    Rule(("watchdog", "controller"), _deadline_vs_rate),
    Rule(("watchdog", "controller"), _hold_deadline),
    Rule(("sim", "controller"), _robot_timeout_vs_hold("sim")),
    Rule(("mujoco_sim", "controller"), _robot_timeout_vs_hold("mujoco_sim")),
    Rule(("controller", "planner"), _goal_refresh),
    Rule(("sim", "watchdog"), _robot_timeout("sim")),
    Rule(("mujoco_sim", "watchdog"), _robot_timeout("mujoco_sim")),
    Rule(("planner", "controller"), _goal_frames),
    Rule(("watchdog", "controller"), _priority_layout),
)


def problems(values: Values) -> list[str]:
    """Every rule whose nodes are all present and that fails."""
    out = []
    for rule in RULES:
        if all(n in values for n in rule.nodes):
            problem = rule.check(values)
            if problem:
                out.append(problem)
    return out


def check(values: Values) -> None:
    """Raise InconsistentConfigError listing every problem."""
    found = problems(values)
    if found:
        raise InconsistentConfigError("inconsistent parameters across nodes: " +
                                      "; ".join(found))
