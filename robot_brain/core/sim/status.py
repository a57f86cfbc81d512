"""A simulated robot's health report, the same for the built-in sim and MuJoCo: graded by
its battery and its contacts, with the values the report and the demo read."""

from __future__ import annotations

from robot_brain.core.geometry import Pose2D
from robot_brain.core.health import HealthReport, Level
from robot_brain.core.sim.battery import Battery

#: Below this fraction of battery the health report warns.
BATTERY_LOW = 0.2
REPORT_NAME = "simulator"


def simulator_health(battery: Battery, contact: str | None, distance_walked_m: float,
                     collisions: int, sim_time_s: float, pose: Pose2D,
                     extra: dict[str, object] | None = None) -> HealthReport:
    """ERROR when the battery is empty, WARN while in contact (`contact`: with what; None =
    no contact) or below BATTERY_LOW, else OK; `extra` values follow the shared ones."""
    pct = battery.percentage
    if battery.depleted:
        level, message = Level.ERROR, "battery empty: robot shut down"
    elif contact is not None:
        level, message = Level.WARN, f"in contact with {contact}"
    elif pct < BATTERY_LOW:
        level, message = Level.WARN, f"battery low ({pct:.0%})"
    else:
        level, message = Level.OK, "running"
    values: dict[str, object] = {
        "distance_walked_m": round(distance_walked_m, 4),
        "collisions": collisions,
        "battery_percentage": round(pct, 6),
        "energy_used_wh": round(battery.energy_used_wh, 6),
        "battery_voltage_v": round(battery.voltage, 4),
        "power_w": round(battery.power_w, 3),
        "sim_time_s": round(sim_time_s, 3),
        "x": round(pose.x, 4),
        "y": round(pose.y, 4),
        "yaw": round(pose.yaw, 4),
    }
    values.update(extra or {})
    return HealthReport(REPORT_NAME, level, message, values)
