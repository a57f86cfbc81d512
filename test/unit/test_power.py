"""Power model, endurance estimator and mode hysteresis (pure)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.power.draw_model import LlmDevicePower, PowerModel, PowerModelError
from robot_brain.core.power.estimator import Activity, BatteryReading, DrawSource, EnergyEstimator
from robot_brain.core.power.modes import ModeConfigError, ModeSelector, ModeThresholds, PowerMode

MODEL = PowerModel(capacity_wh=1000.0, nominal_voltage=48.0, base_load_w=120.0,
                   locomotion_w_per_mps=200.0,
                   devices=LlmDevicePower(accelerator_generating_w=20.0, modem_active_w=7.0),
                   accelerator_idle_w=5.0)


def test_model_breakdown_sums_its_parts() -> None:
    b = MODEL.breakdown(0.5, generating_local=True, remote_open=True)
    assert (b.base_w, b.locomotion_w, b.compute_w, b.radio_w) == (120.0, 100.0, 20.0, 7.0)
    assert b.total_w == 247.0
    assert b.llm_w == 27.0
    assert MODEL.breakdown(math.nan, False, False).locomotion_w == 0.0


def test_powered_off_accelerator_is_not_attributed_idle_power() -> None:
    off = MODEL.breakdown(0.0, generating_local=False, remote_open=True, accelerator_on=False)
    assert (off.compute_w, off.radio_w, off.llm_w) == (0.0, 7.0, 7.0)
    assert MODEL.breakdown(0.0, False, False).compute_w == 5.0  # default: on, idle
    # generating locally means powered, whatever the flag
    assert MODEL.breakdown(0.0, True, False, accelerator_on=False).compute_w == 20.0
    # the estimator: the measured draw's remainder goes to base, not to an idle accelerator
    r = BatteryReading(voltage=48.0, current=-3.125, percentage=0.5)
    on = EnergyEstimator(MODEL).update(0.0, r, Activity())
    gated = EnergyEstimator(MODEL).update(0.0, r, Activity(accelerator_on=False))
    assert on.breakdown.compute_w == 5.0 and gated.breakdown.compute_w == 0.0
    assert gated.breakdown.base_w == pytest.approx(150.0)
    assert gated.draw_w == on.draw_w == pytest.approx(150.0)
    # model-only draw falls by the idle power
    model_on = EnergyEstimator(MODEL).update(0.0, BatteryReading(percentage=0.5), Activity())
    model_off = EnergyEstimator(MODEL).update(0.0, BatteryReading(percentage=0.5),
                                              Activity(accelerator_on=False))
    assert model_on.draw_w - model_off.draw_w == pytest.approx(5.0)


def test_model_rejects_negative_or_nan() -> None:
    with pytest.raises(PowerModelError, match="base_load_w"):
        PowerModel(base_load_w=-1.0)
    with pytest.raises(PowerModelError, match="modem_active_w"):
        PowerModel(devices=LlmDevicePower(modem_active_w=math.nan))


def test_measured_draw_is_voltage_times_current_and_endurance_follows() -> None:
    est = EnergyEstimator(MODEL)
    # 48 V, 3.125 A discharging = 150 W; 500 Wh left => 12000 s.
    r = BatteryReading(voltage=48.0, current=-3.125, charge_ah=500.0 / 48.0,
                       capacity_ah=1000.0 / 48.0, percentage=0.5)
    e = est.update(0.0, r, Activity())
    assert e.source is DrawSource.MEASURED
    assert e.draw_w == pytest.approx(150.0)
    assert e.remaining_wh == pytest.approx(500.0)
    assert e.endurance_s == pytest.approx(12000.0)
    # The base load is the measured remainder, not the model's belief of 120 W.
    assert e.breakdown.base_w == pytest.approx(150.0 - 5.0)


def test_smoothing_damps_a_single_spike() -> None:
    est = EnergyEstimator(MODEL)
    base = BatteryReading(voltage=50.0, current=-3.0, percentage=0.8)
    for t in range(10):
        est.update(float(t), base, Activity())
    spike = est.update(10.0, BatteryReading(voltage=50.0, current=-30.0, percentage=0.8),
                       Activity())
    assert 150.0 < spike.draw_w < 400.0  # moved towards 1500 W, far from reaching it


def test_only_percentage_uses_the_model_draw() -> None:
    est = EnergyEstimator(MODEL)
    e = est.update(0.0, BatteryReading(percentage=0.5), Activity(speed_mps=0.5))
    assert e.source is DrawSource.MODEL
    assert e.draw_w == pytest.approx(120.0 + 100.0 + 5.0)
    assert e.endurance_s == pytest.approx(500.0 * 3600.0 / 225.0)


def test_only_voltage_gives_a_rough_state_of_charge() -> None:
    est = EnergyEstimator(MODEL)
    e = est.update(0.0, BatteryReading(voltage=(42.0 + 54.6) / 2.0), Activity())
    assert e.state_of_charge == pytest.approx(0.5)
    assert math.isfinite(e.endurance_s) and e.endurance_s > 0.0


def test_nan_everywhere_is_an_explicit_unknown() -> None:
    e = EnergyEstimator(MODEL).update(0.0, BatteryReading(), Activity(speed_mps=math.nan))
    assert math.isnan(e.endurance_s)
    assert math.isnan(e.state_of_charge)


def test_charging_gives_unknown_endurance_never_negative() -> None:
    est = EnergyEstimator(MODEL)
    e = est.update(0.0, BatteryReading(voltage=50.0, current=+5.0, percentage=0.4,
                                       charging=True), Activity())
    assert math.isnan(e.endurance_s)


def test_empty_battery_gives_zero_not_negative() -> None:
    est = EnergyEstimator(MODEL)
    e = est.update(0.0, BatteryReading(voltage=42.0, current=-3.0, charge_ah=-0.1,
                                       percentage=0.0), Activity())
    assert e.endurance_s == 0.0


def test_swap_resets_the_average() -> None:
    est = EnergyEstimator(MODEL)
    for t in range(20):
        est.update(float(t), BatteryReading(voltage=44.0, current=-10.0, percentage=0.1),
                   Activity())
    e = est.update(20.0, BatteryReading(voltage=54.0, current=-3.0, percentage=0.95),
                   Activity())
    assert est.swaps == 1
    assert e.draw_w == pytest.approx(162.0)  # the new pack's sample, not a blend with 440 W


def test_mode_hysteresis_does_not_flap() -> None:
    sel = ModeSelector(ModeThresholds(eco_below=0.30, critical_below=0.10, hysteresis=0.05))
    rng = np.random.default_rng(0)
    modes = [sel.update(0.30 + float(d)) for d in rng.uniform(-0.02, 0.02, 500)]
    # Enters eco at the first dip below 0.30 and stays there: +/- 2 % never reaches 0.35.
    assert modes[-1] is PowerMode.ECO
    assert sel.changes == 1


def test_mode_walks_down_and_back_up() -> None:
    sel = ModeSelector()
    seq = [1.0, 0.29, 0.31, 0.36, 0.09, 0.12, 0.16, 0.36, math.nan]
    got = [sel.update(s).value for s in seq]
    assert got == ["normal", "eco", "eco", "normal", "critical", "critical", "eco", "normal",
                   "normal"]


def test_mode_thresholds_are_checked() -> None:
    with pytest.raises(ModeConfigError):
        ModeThresholds(eco_below=0.1, critical_below=0.2)
    with pytest.raises(ModeConfigError):
        ModeThresholds(eco_below=0.3, critical_below=0.1, hysteresis=0.5)
