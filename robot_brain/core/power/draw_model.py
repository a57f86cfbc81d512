"""The power monitor's model of where a humanoid's power goes.

Defaults (the sources are in docs/power.md): a 1 kWh pack (Unitree H1: 864 Wh;
Figure 02: 2.25 kWh; Tesla Optimus Gen 2: 2.3 kWh), an embedded LLM accelerator at 20 W while
generating and 5 W idle (Jetson Orin NX/AGX power modes span 10-60 W; the design brief's
15-30 W), a 5G modem at 7 W while a remote call is open (5-10 W), 120 W of base load and
200 W per m/s of walking. These are the monitor's *beliefs*; the simulator's true loads differ
on purpose, so the monitor must estimate from the battery it sees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.errors import ConfigurationError


class PowerModelError(ConfigurationError):
    """A power-model parameter that cannot be right (negative, NaN)."""


@dataclass(frozen=True)
class PowerModel:
    capacity_wh: float = 1000.0
    nominal_voltage: float = 48.0
    base_load_w: float = 120.0
    locomotion_w_per_mps: float = 200.0
    accelerator_generating_w: float = 20.0
    accelerator_idle_w: float = 5.0
    modem_active_w: float = 7.0

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not (math.isfinite(value) and value >= 0.0):
                raise PowerModelError(f"power model {name} must be finite and >= 0, got {value}")
        if self.capacity_wh <= 0.0 or self.nominal_voltage <= 0.0:
            raise PowerModelError("power model capacity_wh and nominal_voltage must be > 0")

    def breakdown(self, speed_mps: float, generating_local: bool,
                  remote_open: bool, accelerator_on: bool = True) -> PowerBreakdown:
        """`accelerator_on` False: the planner powered the accelerator off (no idle draw)."""
        speed = abs(speed_mps) if math.isfinite(speed_mps) else 0.0
        if generating_local:
            compute = self.accelerator_generating_w
        else:
            compute = self.accelerator_idle_w if accelerator_on else 0.0
        return PowerBreakdown(
            base_w=self.base_load_w,
            locomotion_w=self.locomotion_w_per_mps * speed,
            compute_w=compute,
            radio_w=self.modem_active_w if remote_open else 0.0,
        )


@dataclass(frozen=True)
class PowerBreakdown:
    base_w: float
    locomotion_w: float
    compute_w: float
    radio_w: float

    @property
    def total_w(self) -> float:
        return self.base_w + self.locomotion_w + self.compute_w + self.radio_w

    @property
    def llm_w(self) -> float:
        """What thinking costs: compute plus radio."""
        return self.compute_w + self.radio_w
