"""Power modes with hysteresis: a state of charge hovering at a threshold never flaps the mode."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError


class PowerMode(str, enum.Enum):
    NORMAL = "normal"
    ECO = "eco"
    CRITICAL = "critical"


class ModeConfigError(ConfigurationError):
    """Thresholds that do not order normal > eco > critical."""


@dataclass(frozen=True)
class ModeThresholds:
    eco_below: float = param(0.30, "Enter eco below this state of charge.", unit="0..1",
                             min=0.0, max=1.0)
    critical_below: float = param(0.10, "Enter critical below this state of charge.",
                                  unit="0..1", min=0.0, max=1.0)
    hysteresis: float = param(0.05, "Leave a mode only this far above its threshold.",
                              unit="0..1", min=0.0, max=0.5)

    def __post_init__(self) -> None:
        if not (0.0 <= self.critical_below < self.eco_below <= 1.0):
            raise ModeConfigError(
                f"need 0 <= critical_below ({self.critical_below}) < eco_below "
                f"({self.eco_below}) <= 1")
        if not (0.0 <= self.hysteresis < self.eco_below - self.critical_below):
            raise ModeConfigError(
                f"hysteresis {self.hysteresis} must be >= 0 and smaller than the gap between "
                f"the thresholds ({self.eco_below - self.critical_below:.3f})")


class ModeSelector:
    """Enter a lower mode below its threshold; leave it only above threshold + hysteresis."""

    def __init__(self, thresholds: ModeThresholds = ModeThresholds(),
                 initial: PowerMode = PowerMode.NORMAL) -> None:
        self.thresholds = thresholds
        self.mode = initial
        self.changes = 0

    def update(self, state_of_charge: float) -> PowerMode:
        if not math.isfinite(state_of_charge):
            return self.mode  # unknown: keep what we had rather than guess
        t = self.thresholds
        soc = state_of_charge
        new = self.mode
        if soc < t.critical_below:
            new = PowerMode.CRITICAL
        elif soc < t.eco_below:
            if self.mode is PowerMode.NORMAL or (
                    self.mode is PowerMode.CRITICAL and soc >= t.critical_below + t.hysteresis):
                new = PowerMode.ECO
        else:
            if self.mode is PowerMode.CRITICAL:
                new = PowerMode.NORMAL if soc >= t.eco_below + t.hysteresis else PowerMode.ECO
            elif self.mode is PowerMode.ECO and soc >= t.eco_below + t.hysteresis:
                new = PowerMode.NORMAL
        if new is not self.mode:
            self.changes += 1
            self.mode = new
        return self.mode
