"""The power monitor's model of where a humanoid's power goes.

Defaults (the sources are in docs/power.md): a 1 kWh pack (Unitree H1: 864 Wh;
Figure 02: 2.25 kWh; Tesla Optimus Gen 2: 2.3 kWh), an embedded LLM accelerator at 20 W while
generating and 5 W idle (Jetson Orin NX/AGX power modes span 10-60 W: a
15-30 W class), a 5G modem at 7 W while a remote call is open (5-10 W), 120 W of base load and
200 W per m/s of walking. These are the monitor's *beliefs*; the simulator's true loads differ
on purpose, so the monitor must estimate from the battery it sees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from robot_brain.core.config.params import group, param
from robot_brain.core.errors import ConfigurationError


class PowerModelError(ConfigurationError):
    """A power-model parameter that cannot be right (negative, NaN)."""


@dataclass(frozen=True)
class LlmDevicePower:
    """What the LLM devices draw while they work: one belief, shared by the planner (the
    energy of each backend for its `auto` choice) and the power monitor (the draw it expects
    and attributes). Both nodes declare these; the start-up check (core.config.consistency)
    refuses a params file that gives them different values."""

    accelerator_generating_w: float = param(
        20.0, "Local LLM accelerator while generating (15-30 W class).", unit="W", min=0.0,
        max=1000.0)
    modem_active_w: float = param(7.0, "Modem while a remote LLM call is open (5-10 W).",
                                  unit="W", min=0.0, max=1000.0)


@dataclass(frozen=True)
class PowerModel:
    capacity_wh: float = param(1000.0, "Battery capacity believed when BatteryState has none.",
                               unit="Wh", min=1.0, max=100000.0)
    nominal_voltage: float = param(48.0, "Pack nominal voltage, to turn Ah into Wh.", unit="V",
                                   min=1.0, max=1000.0)
    base_load_w: float = param(120.0, "Believed base load: computer, sensors, balance.",
                               unit="W", min=0.0, max=10000.0)
    locomotion_w_per_mps: float = param(200.0, "Believed walking power per m/s.",
                                        unit="W/(m/s)", min=0.0, max=10000.0)
    devices: LlmDevicePower = group(LlmDevicePower, shared=True)
    accelerator_idle_w: float = param(5.0, "Local LLM accelerator when idle.", unit="W",
                                      min=0.0, max=1000.0)

    def __post_init__(self) -> None:
        numbers = {**{f.name: getattr(self, f.name) for f in fields(self) if f.name != "devices"},
                   **vars(self.devices)}
        for name, value in numbers.items():
            if not (math.isfinite(value) and value >= 0.0):
                raise PowerModelError(f"power model {name} must be finite and >= 0, got {value}")
        if self.capacity_wh <= 0.0 or self.nominal_voltage <= 0.0:
            raise PowerModelError("power model capacity_wh and nominal_voltage must be > 0")

    @property
    def accelerator_generating_w(self) -> float:
        return self.devices.accelerator_generating_w

    @property
    def modem_active_w(self) -> float:
        return self.devices.modem_active_w

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
