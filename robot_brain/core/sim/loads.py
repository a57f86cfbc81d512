"""The planner's true electrical load, from what it says on `planner/status`.

The sim drains its battery with what the thinking really costs: a local accelerator while
generating, or the modem (plus an idle accelerator) while a remote call is open. The idle
accelerator is charged only while the planner reports it powered (`accelerator_on`; a planner
that does not say is taken as never gating it). The power monitor estimates the same loads
from its own parameters; the two differ on purpose, so the monitor is judged against a truth
it does not know exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.planner.activity import PlannerActivity


class PlannerLoadsError(ConfigurationError):
    """A true planner load that cannot be right (negative, NaN)."""


@dataclass(frozen=True)
class PlannerLoads:
    """The sim's TRUE loads (what it drains); the power monitor's beliefs (core.power) differ
    on purpose."""

    compute_generating_w: float = param(
        24.0, "True load of the local LLM accelerator while generating (Jetson class, "
        "15-30 W).", unit="W", min=0.0, max=1000.0)
    compute_idle_w: float = param(6.0, "True load of the LLM accelerator when idle and powered "
                                  "(planner/status accelerator_on, absent = on).", unit="W",
                                  min=0.0, max=1000.0)
    modem_active_w: float = param(8.5, "True load of the modem during a remote LLM call (5G, "
                                  "5-10 W).", unit="W", min=0.0, max=1000.0)

    def __post_init__(self) -> None:
        for name in ("compute_generating_w", "compute_idle_w", "modem_active_w"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0.0):
                raise PlannerLoadsError(f"planner load {name} must be >= 0, got {v}")


def planner_load_w(activity: PlannerActivity, loads: PlannerLoads) -> float:
    # Local generation powers the accelerator whatever the flag says: it cannot run unpowered.
    if activity.generating_local:
        return loads.compute_generating_w
    idle = loads.compute_idle_w if activity.accelerator_on else 0.0
    if activity.remote_open:
        return loads.modem_active_w + idle
    return idle
