from __future__ import annotations

import math

import pytest

from robot_brain.core.geometry import Velocity
from robot_brain.core.sim import Battery, BatteryConfig, SimConfig, Simulator
from robot_brain.core.sim.battery import BatteryConfigError
from test.unit.sim_worlds import empty


def test_standing_still_drains_the_base_load() -> None:
    sim = Simulator(empty(), SimConfig())
    sim.step(Velocity(0.0, 0.0), 3600.0, extra_load_w=50.0)
    # 150 W base + 50 W extra for one hour out of 1000 Wh.
    assert sim.battery.energy_used_wh == pytest.approx(200.0)
    assert sim.battery.percentage == pytest.approx(0.8)
    assert sim.battery.power_w == pytest.approx(200.0)


def test_walking_adds_locomotion_power_by_speed() -> None:
    cfg = SimConfig(battery=BatteryConfig(capacity_wh=2000.0, base_load_w=100.0,
                                          locomotion_w_per_mps=300.0))
    sim = Simulator(empty(), cfg)
    sim.step(Velocity(0.5, 0.0), 600.0, extra_load_w=24.0)
    # Hand computation: base and extra for the whole time; locomotion integrates to k * d.
    ramp = 0.5 / 0.8
    distance = 0.5 * 0.5 * ramp + 0.5 * (600.0 - ramp)
    expected_wh = (100.0 + 24.0) * 600.0 / 3600.0 + 300.0 * distance / 3600.0
    assert sim.distance_walked == pytest.approx(distance, rel=1e-3)
    assert sim.battery.energy_used_wh == pytest.approx(expected_wh, rel=1e-4)
    assert sim.battery.power_w == pytest.approx(100.0 + 300.0 * 0.5 + 24.0)
    b = sim.battery
    assert b.current == pytest.approx(-b.power_w / b.voltage)
    assert b.current < 0.0


def test_voltage_is_linear_in_state_of_charge() -> None:
    b = Battery(BatteryConfig(initial_percentage=0.5))
    assert b.voltage == pytest.approx((42.0 + 54.6) / 2)
    assert b.charge_ah == pytest.approx(500.0 / 48.0)
    assert BatteryConfig().capacity_ah == pytest.approx(1000.0 / 48.0)


def test_empty_battery_stops_the_robot_and_never_goes_negative() -> None:
    cfg = SimConfig(battery=BatteryConfig(capacity_wh=1.0, base_load_w=3600.0))
    sim = Simulator(empty(), cfg)
    sim.step(Velocity(0.6, 0.0), 0.5)
    assert sim.pose.x > 0.0
    sim.step(Velocity(0.6, 0.0), 5.0)
    assert sim.battery.energy_wh == 0.0 and sim.battery.percentage == 0.0
    x = sim.pose.x
    sim.step(Velocity(0.6, 0.0), 5.0)
    assert sim.pose.x == x
    assert sim.velocity == Velocity(0.0, 0.0)
    assert sim.battery.power_w == 0.0 and sim.battery.current == 0.0
    assert sim.health().level.name == "ERROR"


@pytest.mark.parametrize("kwargs", [
    {"capacity_wh": 0.0}, {"voltage_empty": 60.0}, {"base_load_w": -1.0},
    {"initial_percentage": 1.5}, {"locomotion_w_per_mps": math.nan},
])
def test_bad_battery_config_is_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(BatteryConfigError):
        BatteryConfig(**kwargs)  # type: ignore[arg-type]


def test_bad_drain_is_rejected() -> None:
    with pytest.raises(ValueError):
        Battery(BatteryConfig()).drain(math.nan, 1.0)
