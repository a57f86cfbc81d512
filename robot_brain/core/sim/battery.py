"""A humanoid's battery pack: energy in Wh drained by base, locomotion and extra loads.

Defaults: a 1 kWh, 48 V (13S Li-ion, 42.0-54.6 V) pack; 150 W base load for the on-board
computer, sensors and standing balance; 250 W per m/s of walking speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError


class BatteryConfigError(ConfigurationError):
    """Battery settings that cannot describe a pack."""


@dataclass(frozen=True)
class BatteryConfig:
    capacity_wh: float = param(1000.0, "Battery capacity; humanoids carry 1-3 kWh.", unit="Wh",
                               min=1.0, max=100000.0)
    initial_percentage: float = param(1.0, "State of charge at start.", unit="0..1", min=0.0,
                                      max=1.0)
    base_load_w: float = param(150.0, "Load while standing: computer, sensors, balance.",
                               unit="W", min=0.0, max=10000.0)
    locomotion_w_per_mps: float = param(250.0, "Extra walking load per m/s of speed.",
                                        unit="W/(m/s)", min=0.0, max=10000.0)
    voltage_full: float = 54.6
    voltage_empty: float = 42.0
    voltage_nominal: float = 48.0

    def __post_init__(self) -> None:
        for name in ("capacity_wh", "voltage_full", "voltage_empty", "voltage_nominal"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0.0):
                raise BatteryConfigError(f"battery {name} must be > 0, got {v}")
        for name in ("base_load_w", "locomotion_w_per_mps"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0.0):
                raise BatteryConfigError(f"battery {name} must be >= 0, got {v}")
        if not self.voltage_empty < self.voltage_full:
            raise BatteryConfigError(
                f"battery voltage_empty ({self.voltage_empty}) must be below voltage_full "
                f"({self.voltage_full})")
        if not 0.0 <= self.initial_percentage <= 1.0:
            raise BatteryConfigError(
                f"battery initial_percentage must be in [0, 1], got {self.initial_percentage}")

    @property
    def capacity_ah(self) -> float:
        return self.capacity_wh / self.voltage_nominal

    def load_w(self, speed_mps: float, extra_load_w: float = 0.0) -> float:
        return self.base_load_w + self.locomotion_w_per_mps * abs(speed_mps) + extra_load_w


class Battery:
    """State of charge integrated from the present power draw."""

    def __init__(self, config: BatteryConfig) -> None:
        self.config = config
        self._energy_wh = config.capacity_wh * config.initial_percentage
        self._initial_wh = self._energy_wh
        self._power_w = 0.0

    @property
    def energy_wh(self) -> float:
        return self._energy_wh

    @property
    def energy_used_wh(self) -> float:
        return self._initial_wh - self._energy_wh

    @property
    def percentage(self) -> float:
        return self._energy_wh / self.config.capacity_wh

    @property
    def depleted(self) -> bool:
        return self._energy_wh <= 0.0

    @property
    def voltage(self) -> float:
        # Linear in state of charge: coarse, but monotonic, which is all a monitor relies on.
        c = self.config
        return c.voltage_empty + (c.voltage_full - c.voltage_empty) * self.percentage

    @property
    def power_w(self) -> float:
        """Present draw (W), positive while discharging; 0 once the pack is empty."""
        return self._power_w

    @property
    def current(self) -> float:
        """Amperes, negative while discharging (sensor_msgs/BatteryState convention)."""
        return -self._power_w / self.voltage

    @property
    def charge_ah(self) -> float:
        return self._energy_wh / self.config.voltage_nominal

    def drain(self, power_w: float, dt: float) -> None:
        """Draw power_w for dt seconds; the pack stops at 0 Wh and then delivers nothing."""
        if not (math.isfinite(power_w) and power_w >= 0.0):
            raise ValueError(f"battery power must be a finite number >= 0, got {power_w}")
        if self.depleted:
            self._power_w = 0.0
            return
        self._power_w = power_w
        self._energy_wh = max(0.0, self._energy_wh - power_w * dt / 3600.0)
