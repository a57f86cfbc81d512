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

from robot_brain.core.planner.activity import PlannerActivity


@dataclass(frozen=True)
class PlannerLoads:
    compute_generating_w: float = 24.0   # Jetson-class LLM accelerator while decoding (15-30 W)
    compute_idle_w: float = 6.0          # the same accelerator idle
    modem_active_w: float = 8.5          # 5G modem during a remote call (5-10 W)

    def __post_init__(self) -> None:
        for name in ("compute_generating_w", "compute_idle_w", "modem_active_w"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0.0):
                raise ValueError(f"planner load {name} must be >= 0, got {v}")


def planner_load_w(activity: PlannerActivity, loads: PlannerLoads) -> float:
    # Local generation powers the accelerator whatever the flag says: it cannot run unpowered.
    if activity.generating_local:
        return loads.compute_generating_w
    idle = loads.compute_idle_w if activity.accelerator_on else 0.0
    if activity.remote_open:
        return loads.modem_active_w + idle
    return idle
