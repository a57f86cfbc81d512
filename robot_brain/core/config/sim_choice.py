"""Which simulated robot runs under the brain, decided once for both doors.

`robot-brain demo --sim {builtin,mujoco}` and brain.launch.py's `sim:=true|mujoco|false` both
ask here which node to start and which parameter file to add after the main one, so the two
doors cannot drift apart (as robot_brain.core.config.composition does for processes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from robot_brain.core.errors import ConfigurationError


class SimChoiceError(ConfigurationError):
    """A `sim` value that names no simulator."""


class SimKind(str, enum.Enum):
    BUILTIN = "builtin"  # the built-in 2-D sim (robot_brain.core.sim), the default
    MUJOCO = "mujoco"    # MuJoCo, 3-D (robot_brain.core.sim.mujoco, docs/mujoco.md)


@dataclass(frozen=True)
class SimChoice:
    kind: SimKind
    #: The node (and executable) that simulates the robot.
    node: str
    #: A parameter file under config/ given after the main one ('' = none): what the brain
    #: needs to read this robot's sensors (perception's sources).
    params_overlay: str = ""


SIMS: dict[SimKind, SimChoice] = {
    SimKind.BUILTIN: SimChoice(SimKind.BUILTIN, "sim"),
    SimKind.MUJOCO: SimChoice(SimKind.MUJOCO, "mujoco_sim", "mujoco.yaml"),
}
#: Every simulator node (the diagnostics of any of them carry the robot's collisions).
SIM_NODES = tuple(c.node for c in SIMS.values())
#: brain.launch.py's `sim` argument: a simulator, or false for a real robot.
LAUNCH_VALUES = ("true", "false", SimKind.MUJOCO.value)


def sim_choice(kind: str) -> SimChoice:
    try:
        return SIMS[SimKind(kind)]
    except ValueError as exc:
        raise SimChoiceError(f"unknown simulator '{kind}'; choose one of "
                             f"{[k.value for k in SimKind]}") from exc


def launch_sim(value: str) -> SimChoice | None:
    """brain.launch.py's `sim:=` value: true = the built-in sim, mujoco = MuJoCo, false = a
    real robot (None)."""
    v = value.strip().lower()
    if v == "false":
        return None
    if v == "true":
        return SIMS[SimKind.BUILTIN]
    if v == SimKind.MUJOCO.value:
        return SIMS[SimKind.MUJOCO]
    raise SimChoiceError(f"sim:={value} must be one of {list(LAUNCH_VALUES)}")
