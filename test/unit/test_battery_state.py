"""BatteryState read in one convention whatever the robot speaks (robot_brain.core.power.
battery_state), fed with what gz-sim's LinearBatteryPlugin really publishes.

The Gazebo stream below follows the plugin's own arithmetic (gz-sim 8/9,
src/systems/battery_plugin/LinearBatteryPlugin.cc, as bridged by ros_gz_bridge): the charge q
(Ah) falls by the smoothed current each step, the voltage is e0 + e1 (1 - q/c) - r i, the
percentage is soc x 100 with <fix_issue_225> (soc without it), the current is the discharge
as a POSITIVE number unless <invert_current_sign>, the status DISCHARGING while draining and
CHARGING while recharging (whatever the state of charge), capacity = c.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from robot_brain.core.power.battery_state import (
    BatteryConventions,
    BatteryInterpreter,
    BatteryIssue,
    CurrentSign,
    PercentageScale,
    RawBattery,
    SupplyStatus,
)
from robot_brain.core.power.draw_model import PowerModel
from robot_brain.core.power.estimator import Activity, DrawSource, EnergyEstimator
from robot_brain.core.power.modes import ModeSelector, PowerMode


@dataclass
class GzLinearBattery:
    """gazebo/models/humanoid.sdf's pack: 50.4 V full, -8.4 V linear coefficient, 20 Ah,
    0.05 ohm, 150 W, tau 1 s."""

    q: float = 20.0
    c: float = 20.0
    e0: float = 50.4
    e1: float = -8.4
    r: float = 0.05
    power_w: float = 150.0
    tau: float = 1.0
    fix_issue_225: bool = True
    invert_current_sign: bool = False
    charging_time_h: float = math.inf
    charging: bool = False
    voltage: float = 50.4
    ismooth: float = 0.0

    def step(self, dt: float) -> None:
        iraw = self.power_w / self.voltage
        if self.charging and self.q / self.c < 0.9:
            iraw -= self.c / self.charging_time_h
        self.ismooth += dt / self.tau * (iraw - self.ismooth)
        self.q -= dt * self.ismooth / 3600.0
        self.voltage = self.e0 + self.e1 * (1.0 - self.q / self.c) - self.r * self.ismooth

    def message(self) -> RawBattery:
        soc = self.q / self.c
        return RawBattery(
            voltage=self.voltage,
            current=-self.ismooth if self.invert_current_sign else self.ismooth,
            charge=self.q, capacity=self.c,
            percentage=soc * 100.0 if self.fix_issue_225 else soc,
            status=SupplyStatus.CHARGING if self.charging else SupplyStatus.DISCHARGING)


def stream(battery: GzLinearBattery, seconds: float, every_s: float = 1.0,
           step_s: float = 0.01) -> Iterator[RawBattery]:
    """The messages a 1 Hz reader takes from the plugin's 50 Hz stream."""
    t = 0.0
    next_take = 0.0
    while t < seconds:
        battery.step(step_s)
        t += step_s
        if t >= next_take:
            next_take += every_s
            yield battery.message()


def read_all(interp: BatteryInterpreter, msgs: Iterator[RawBattery]) -> list:
    return [interp.read(m) for m in msgs]


# --- the state of charge ----------------------------------------------------------------

def test_gazebo_percentage_0_to_100_is_read_as_a_fraction() -> None:
    battery = GzLinearBattery(q=15.0)
    out = read_all(BatteryInterpreter(), stream(battery, 5.0))
    assert out[-1].reading.percentage == pytest.approx(battery.q / battery.c, abs=1e-9)
    assert 0.74 < out[-1].reading.percentage < 0.76
    assert all(not o.issues for o in out)


@pytest.mark.parametrize("fix", [True, False], ids=["fix_issue_225", "without_fix"])
def test_charge_over_capacity_wins_in_both_gazebo_modes(fix: bool) -> None:
    # Without the fix gz-sim's percentage drifts away from q/c (issue 225); charge is right.
    battery = GzLinearBattery(q=10.0, fix_issue_225=fix)
    raw = battery.message()
    skewed = RawBattery(voltage=raw.voltage, current=raw.current, charge=raw.charge,
                        capacity=raw.capacity, percentage=0.8 if not fix else raw.percentage,
                        status=raw.status)
    reading = BatteryInterpreter().read(skewed).reading
    assert reading.percentage == pytest.approx(0.5)


def test_below_one_percent_a_gazebo_battery_stays_nearly_empty() -> None:
    """The ambiguity of 0.5 (0.5 % or 50 %): learnt from the earlier readings, so the power
    monitor does NOT leave critical mode when the pack falls below 1 %."""
    interp = BatteryInterpreter()
    selector = ModeSelector()
    # Percentage only (no charge/capacity), as a driver that reports nothing else would.
    for pct in (12.0, 9.0, 5.0, 2.0, 1.0, 0.8, 0.5, 0.1, 0.0):
        soc = interp.read(RawBattery(percentage=pct, status=SupplyStatus.DISCHARGING)
                          ).reading.percentage
        assert soc == pytest.approx(pct / 100.0)
        selector.update(soc)
    assert interp.learnt_scale is PercentageScale.PERCENT
    assert selector.mode is PowerMode.CRITICAL


def test_a_ros_battery_in_0_to_1_is_read_as_the_message_defines_it() -> None:
    interp = BatteryInterpreter()
    for pct in (0.9, 0.5, 0.05, 0.004):
        assert interp.read(RawBattery(percentage=pct)).reading.percentage == pytest.approx(pct)
    assert interp.learnt_scale is None  # nothing above 1 was ever seen


def test_the_convention_is_learnt_from_charge_and_then_kept_without_it() -> None:
    interp = BatteryInterpreter()
    interp.read(RawBattery(charge=10.0, capacity=20.0, percentage=50.0))
    assert interp.learnt_scale is PercentageScale.PERCENT
    # The charge goes missing; 0.7 is 0.7 %, not 70 %.
    assert interp.read(RawBattery(percentage=0.7)).reading.percentage == pytest.approx(0.007)
    ros = BatteryInterpreter()
    ros.read(RawBattery(charge=10.0, capacity=20.0, percentage=0.5))
    assert ros.learnt_scale is PercentageScale.FRACTION
    issue = ros.read(RawBattery(percentage=50.0))
    assert math.isnan(issue.reading.percentage)
    assert issue.issues == (BatteryIssue.PERCENTAGE_OUT_OF_RANGE,)


def test_the_scale_parameter_decides_when_set() -> None:
    percent = BatteryInterpreter(BatteryConventions(battery_percentage_scale="percent"))
    assert percent.read(RawBattery(percentage=0.5)).reading.percentage == pytest.approx(0.005)
    fraction = BatteryInterpreter(BatteryConventions(battery_percentage_scale="fraction"))
    assert math.isnan(fraction.read(RawBattery(percentage=50.0)).reading.percentage)


@pytest.mark.parametrize("pct", [140.0, -3.0, math.inf, 1e9])
def test_a_percentage_outside_both_conventions_is_unknown_never_a_crash(pct: float) -> None:
    interp = BatteryInterpreter()
    out = interp.read(RawBattery(percentage=pct, voltage=48.0, current=-3.0,
                                 status=SupplyStatus.DISCHARGING))
    assert math.isnan(out.reading.percentage)
    if math.isfinite(pct):
        assert out.issues == (BatteryIssue.PERCENTAGE_OUT_OF_RANGE,)
        assert interp.out_of_range == 1
    # The rest of the reading is still used: the draw is measured.
    assert out.reading.current == pytest.approx(-3.0)
    # And the estimator turns it into an unknown state of charge, not a guess.
    est = EnergyEstimator(PowerModel()).update(0.0, out.reading, Activity())
    assert est.source is DrawSource.MEASURED and est.draw_w == pytest.approx(144.0)


def test_gazebo_charge_a_hair_below_zero_is_empty_and_far_below_is_unknown() -> None:
    interp = BatteryInterpreter()
    empty = interp.read(RawBattery(charge=-0.05, capacity=20.0, percentage=-0.25))
    assert empty.reading.percentage == 0.0 and empty.reading.charge_ah == 0.0
    assert not empty.issues
    bad = interp.read(RawBattery(charge=-3.0, capacity=20.0))
    assert math.isnan(bad.reading.percentage)
    assert bad.issues == (BatteryIssue.CHARGE_OUT_OF_RANGE,)


# --- the current's sign -----------------------------------------------------------------

def test_gazebo_positive_discharge_is_learnt_and_the_draw_is_measured() -> None:
    battery = GzLinearBattery(q=18.0)
    interp = BatteryInterpreter()
    est = EnergyEstimator(PowerModel(capacity_wh=1000.0, nominal_voltage=48.0))
    first = interp.read(battery.message())
    battery.step(0.02)
    # The very first DISCHARGING reading is already a draw (its magnitude), before learning.
    # A minute: the estimator's draw is a 10-s moving average, the plugin's current a 1-s one.
    for t, msg in enumerate(stream(battery, 60.0)):
        out = interp.read(msg)
        e = est.update(float(t), out.reading, Activity())
    assert first.reading.current <= 0.0
    assert interp.learnt_sign is CurrentSign.GAZEBO
    assert out.reading.current < -2.5  # ~3 A flowing out, in the BatteryState convention
    assert e.source is DrawSource.MEASURED
    assert e.draw_w == pytest.approx(150.0, rel=0.05)
    assert math.isfinite(e.endurance_s) and e.endurance_s > 0.0


def test_gazebo_with_invert_current_sign_is_learnt_as_ros() -> None:
    battery = GzLinearBattery(q=18.0, invert_current_sign=True)
    interp = BatteryInterpreter()
    out = read_all(interp, stream(battery, 6.0))
    assert interp.learnt_sign is CurrentSign.ROS
    assert out[-1].reading.current == pytest.approx(-battery.ismooth)


def test_charging_at_the_dock_reads_as_charging_in_both_conventions() -> None:
    battery = GzLinearBattery(q=5.0, charging_time_h=2.0)
    interp = BatteryInterpreter()
    read_all(interp, stream(battery, 5.0))  # learns the sign while discharging
    battery.charging = True
    out = read_all(interp, stream(battery, 20.0))
    last = out[-1].reading
    assert last.charging
    assert last.current > 0.0  # charging current, BatteryState convention
    assert interp.sign_contradictions == 0
    # Charging: endurance is not claimed.
    e = EnergyEstimator(PowerModel()).update(0.0, last, Activity())
    assert math.isnan(e.endurance_s)


def test_the_charge_trend_alone_decides_when_status_is_unknown() -> None:
    battery = GzLinearBattery(q=18.0)
    interp = BatteryInterpreter()
    msgs = [RawBattery(voltage=m.voltage, current=m.current, charge=m.charge,
                       capacity=m.capacity, percentage=m.percentage,
                       status=SupplyStatus.UNKNOWN) for m in stream(battery, 8.0)]
    out = [interp.read(m) for m in msgs]
    assert math.isnan(out[0].reading.current)  # no status, no trend yet: unknown, not guessed
    assert interp.learnt_sign is CurrentSign.GAZEBO
    assert out[-1].reading.current < 0.0


def test_sign_parameter_decides_when_set_and_nan_current_is_unknown() -> None:
    gz = BatteryInterpreter(BatteryConventions(battery_current_sign="gazebo"))
    assert gz.read(RawBattery(current=3.0)).reading.current == -3.0
    ros = BatteryInterpreter(BatteryConventions(battery_current_sign="ros"))
    assert ros.read(RawBattery(current=3.0)).reading.current == 3.0
    nan = BatteryInterpreter().read(RawBattery(current=math.nan, voltage=48.0,
                                               status=SupplyStatus.DISCHARGING))
    assert math.isnan(nan.reading.current)
    e = EnergyEstimator(PowerModel()).update(0.0, nan.reading, Activity())
    assert e.source is DrawSource.MODEL


def test_a_contradicting_sign_is_counted_and_the_learnt_one_kept() -> None:
    interp = BatteryInterpreter()
    for _ in range(3):
        interp.read(RawBattery(current=-3.0, status=SupplyStatus.DISCHARGING))
    assert interp.learnt_sign is CurrentSign.ROS
    out = interp.read(RawBattery(current=3.0, status=SupplyStatus.DISCHARGING))
    assert out.issues == (BatteryIssue.SIGN_CONTRADICTED,)
    assert interp.sign_contradictions == 1 and interp.learnt_sign is CurrentSign.ROS


@pytest.mark.parametrize("status", [-1, 99, 255])
def test_garbage_status_is_unknown(status: int) -> None:
    out = BatteryInterpreter().read(RawBattery(current=3.0, status=status))
    assert math.isnan(out.reading.current) and not out.reading.charging
