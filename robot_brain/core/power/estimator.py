"""Endurance from what a real robot reports: BatteryState, planner activity and speed.

The present draw is voltage x current when the battery measures both (the honest figure);
otherwise the model predicts it. It is smoothed with a time constant, so one noisy sample does
not swing the estimate. The draw is attributed to base, locomotion, compute and radio: compute,
radio and locomotion from the model and the known activity, and the base load as the measured
remainder, so a wrong base-load belief is corrected by the measurement rather than copied.

The reading is already in one convention (robot_brain.core.power.battery_state: percentage
0..1 or NaN, current negative while discharging or NaN), whatever the robot's BatteryState
said. Remaining energy comes from the reported charge (Ah x nominal voltage), else from the
percentage x capacity, else from the voltage between empty and full. When none is known, or
the battery is charging, the endurance is NaN: an explicit unknown, never a guess, never
negative.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from robot_brain.core.config.params import param
from robot_brain.core.errors import ConfigurationError
from robot_brain.core.power.battery_state import BatteryReading
from robot_brain.core.power.draw_model import PowerBreakdown, PowerModel

__all__ = ["Activity", "BatteryReading", "DrawSource", "EnergyEstimate", "EnergyEstimator",
           "EstimatorConfig"]


class DrawSource(str, enum.Enum):
    MEASURED = "measured"
    MODEL = "model"


@dataclass(frozen=True)
class Activity:
    speed_mps: float = 0.0
    generating_local: bool = False
    remote_open: bool = False
    accelerator_on: bool = True  # False: powered off by the planner, no idle draw to attribute


@dataclass(frozen=True)
class EnergyEstimate:
    draw_w: float
    source: DrawSource
    remaining_wh: float
    endurance_s: float
    state_of_charge: float
    breakdown: PowerBreakdown
    charging: bool


class EstimatorConfigError(ConfigurationError):
    """Battery voltages the estimator cannot map onto a state of charge."""


@dataclass(frozen=True)
class EstimatorConfig:
    smoothing_tau_s: float = param(10.0, "Time constant of the draw's moving average.",
                                   unit="s", min=0.1, max=3600.0)
    voltage_empty: float = param(42.0, "Pack voltage at 0 % (for voltage-only batteries).",
                                 unit="V", min=0.0, max=1000.0)
    voltage_full: float = param(54.6, "Pack voltage at 100 %.", unit="V", min=0.1, max=1000.0)

    def __post_init__(self) -> None:
        if self.voltage_empty >= self.voltage_full:
            raise EstimatorConfigError(f"voltage_empty ({self.voltage_empty}) must be below "
                                       f"voltage_full ({self.voltage_full})")


class EnergyEstimator:
    def __init__(self, model: PowerModel, config: EstimatorConfig = EstimatorConfig()) -> None:
        self.model = model
        self.config = config
        self._draw_w = math.nan
        self._last_t: float | None = None
        self._last_soc = math.nan
        self.swaps = 0

    def update(self, now: float, reading: BatteryReading, activity: Activity) -> EnergyEstimate:
        predicted = self.model.breakdown(activity.speed_mps, activity.generating_local,
                                         activity.remote_open, activity.accelerator_on)
        measured = _measured_draw(reading)
        source = DrawSource.MEASURED if math.isfinite(measured) else DrawSource.MODEL
        sample = measured if source is DrawSource.MEASURED else predicted.total_w

        soc = self._state_of_charge(reading)
        if math.isfinite(soc) and math.isfinite(self._last_soc) and soc > self._last_soc + 0.05:
            # A jump up is a battery swap (or a charge we missed): the old average is void.
            self.swaps += 1
            self._draw_w = math.nan
        if math.isfinite(soc):
            self._last_soc = soc

        if not math.isfinite(self._draw_w) or self._last_t is None:
            self._draw_w = sample
        else:
            dt = max(0.0, now - self._last_t)
            alpha = 1.0 - math.exp(-dt / self.config.smoothing_tau_s)
            self._draw_w += alpha * (sample - self._draw_w)
        self._last_t = now

        breakdown = self._attribute(predicted, self._draw_w)
        remaining = self._remaining_wh(reading, soc)
        if reading.charging or not math.isfinite(remaining) or not self._draw_w > 0.0:
            endurance = math.nan
        else:
            endurance = max(0.0, remaining) * 3600.0 / self._draw_w
        return EnergyEstimate(
            draw_w=self._draw_w, source=source, remaining_wh=remaining, endurance_s=endurance,
            state_of_charge=soc, breakdown=breakdown, charging=reading.charging)

    def _attribute(self, predicted: PowerBreakdown, draw_w: float) -> PowerBreakdown:
        known = predicted.locomotion_w + predicted.compute_w + predicted.radio_w
        return PowerBreakdown(base_w=max(0.0, draw_w - known), locomotion_w=predicted.locomotion_w,
                              compute_w=predicted.compute_w, radio_w=predicted.radio_w)

    def _state_of_charge(self, r: BatteryReading) -> float:
        if math.isfinite(r.percentage) and 0.0 <= r.percentage <= 1.0:
            return r.percentage
        if math.isfinite(r.charge_ah) and math.isfinite(r.capacity_ah) and r.capacity_ah > 0:
            return min(1.0, max(0.0, r.charge_ah / r.capacity_ah))
        if math.isfinite(r.voltage) and r.voltage > 0.0:
            c = self.config
            return min(1.0, max(0.0, (r.voltage - c.voltage_empty)
                                / (c.voltage_full - c.voltage_empty)))
        return math.nan

    def _remaining_wh(self, r: BatteryReading, soc: float) -> float:
        if math.isfinite(r.charge_ah) and r.charge_ah >= 0.0:
            return r.charge_ah * self.model.nominal_voltage
        if math.isfinite(soc):
            capacity_wh = (r.capacity_ah * self.model.nominal_voltage
                           if math.isfinite(r.capacity_ah) and r.capacity_ah > 0
                           else self.model.capacity_wh)
            return soc * capacity_wh
        return math.nan


def _measured_draw(r: BatteryReading) -> float:
    if not (math.isfinite(r.voltage) and math.isfinite(r.current)) or r.voltage <= 0.0:
        return math.nan
    if r.current > 0.0 or r.charging:
        return math.nan  # charging: the current says nothing about the robot's draw
    return r.voltage * -r.current
