"""What a BatteryState means, whichever of its two conventions the robot speaks.

The same message is filled two ways in the wild, and the brain must read both:

* **percentage.** sensor_msgs/BatteryState defines it as 0..1. gz-sim's LinearBatteryPlugin
  with `<fix_issue_225>` publishes the state of charge x 100 (0..100); without the flag it
  publishes 0..1 but computes it wrongly (gz-sim issue 225), while its `charge` stays right.
* **current.** BatteryState says negative while discharging. The LinearBatteryPlugin reports
  the discharge as *positive* unless `<invert_current_sign>` (gz-sim 8.8 and 9.1 onwards).

So the state of charge is taken, in this order, from `charge / capacity` (both in Ah, when
the battery reports them: unambiguous, and right in both Gazebo modes); else from the
percentage read in its convention. The convention is the `battery_percentage_scale`
parameter, or with `auto` learnt from the readings: a value above 1 is 0..100, and a
percentage that matches `charge / capacity` in one convention only says which. Learnt once,
it is kept, so a 0..100 battery that has fallen below 1 % (0.5 means 0.5 %, not 50 %) is not
mistaken for a full one. With nothing learnt, a value in [0, 1] is read as BatteryState
defines it (0..1); the one reading this gets wrong is a 0..100 battery that is below 1 % when
the brain starts and reports no charge: set `battery_percentage_scale: percent` for it.

A value outside both conventions (say 140 or -3), or a charge beyond the capacity, makes the
state of charge unknown (NaN) and is reported as an issue for a throttled warning; it never
raises.

The current is turned into the BatteryState convention (negative = discharging) or NaN when
its sign is not known. `battery_current_sign` fixes the convention (`ros` or `gazebo`); with
`auto` it is learnt from evidence that cannot be wrong for either convention: while the
battery says DISCHARGING, current flows out of it whatever its sign, so the sign of the
reported current *is* the convention; and a charge that falls while the current is positive
(or rises while it is negative) says the same. Until it is learnt, a DISCHARGING reading's
magnitude is still the draw (so the measured draw is used at once), and any other reading's
current is unknown. A NaN current is unknown.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from robot_brain.core.config.params import param

#: How far (as a fraction of a full charge) a value may stray beyond empty or full and still
#: be read (clamped): gz-sim's charge integrates past zero by a step before it stops.
TOLERANCE = 0.01
#: A percentage and charge/capacity agree in a convention when within this (fraction of full).
MATCH = 0.02
#: Consistent observations of the current's sign before `auto` trusts it.
SIGN_EVIDENCE_NEEDED = 3
#: A current this small (A) says nothing about its sign.
MIN_SIGN_CURRENT_A = 1e-3
#: A charge change this small (Ah) between two readings says nothing about the trend.
MIN_CHARGE_STEP_AH = 1e-6


class PercentageScale(str, enum.Enum):
    AUTO = "auto"
    FRACTION = "fraction"   # 0..1, sensor_msgs/BatteryState's definition
    PERCENT = "percent"     # 0..100, gz-sim's LinearBatteryPlugin with <fix_issue_225>


class CurrentSign(str, enum.Enum):
    AUTO = "auto"
    ROS = "ros"             # negative while discharging (sensor_msgs/BatteryState)
    GAZEBO = "gazebo"       # positive while discharging (LinearBatteryPlugin by default)


class SupplyStatus(enum.IntEnum):
    """sensor_msgs/BatteryState POWER_SUPPLY_STATUS_* (ros_gz_bridge maps gz's one to one)."""

    UNKNOWN = 0
    CHARGING = 1
    DISCHARGING = 2
    NOT_CHARGING = 3
    FULL = 4


class BatteryIssue(str, enum.Enum):
    PERCENTAGE_OUT_OF_RANGE = "percentage outside both conventions (0..1 and 0..100)"
    CHARGE_OUT_OF_RANGE = "charge outside [0, capacity]"
    SIGN_CONTRADICTED = "current sign contradicts the convention learnt earlier"


@dataclass(frozen=True)
class BatteryConventions:
    """How the robot's BatteryState is filled (docs/power.md, "Reading BatteryState")."""

    battery_percentage_scale: str = param(
        "auto", "Convention of BatteryState.percentage: 'fraction' 0..1 (the message's "
        "definition), 'percent' 0..100 (gz-sim's LinearBatteryPlugin with fix_issue_225), "
        "'auto' = learnt from the readings (charge/capacity is preferred whenever reported).",
        choices=tuple(s.value for s in PercentageScale))
    battery_current_sign: str = param(
        "auto", "Sign of BatteryState.current while discharging: 'ros' negative, 'gazebo' "
        "positive (LinearBatteryPlugin without invert_current_sign), 'auto' = learnt from "
        "DISCHARGING readings and the charge's trend.",
        choices=tuple(s.value for s in CurrentSign))

    @property
    def scale(self) -> PercentageScale:
        return PercentageScale(self.battery_percentage_scale)

    @property
    def sign(self) -> CurrentSign:
        return CurrentSign(self.battery_current_sign)


@dataclass(frozen=True)
class RawBattery:
    """BatteryState's fields as received, nothing checked (NaN where absent)."""

    voltage: float = math.nan
    current: float = math.nan
    charge: float = math.nan      # Ah
    capacity: float = math.nan    # Ah
    percentage: float = math.nan
    status: int = SupplyStatus.UNKNOWN


@dataclass(frozen=True)
class BatteryReading:
    """What the brain believes: every field in one convention, NaN where unknown."""

    voltage: float = math.nan
    current: float = math.nan     # A, negative while discharging (BatteryState convention)
    charge_ah: float = math.nan
    capacity_ah: float = math.nan
    percentage: float = math.nan  # state of charge, 0..1
    charging: bool = False


@dataclass(frozen=True)
class Interpretation:
    reading: BatteryReading
    issues: tuple[BatteryIssue, ...] = ()


def _finite(x: float) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _clamp01(x: float) -> float:
    return min(1.0, max(0.0, x))


def _in_band(x: float, full: float) -> bool:
    """Whether x is within [0, full], give or take TOLERANCE of full."""
    return -TOLERANCE * full <= x <= (1.0 + TOLERANCE) * full


class BatteryInterpreter:
    """Turns RawBattery into a BatteryReading, learning `auto` conventions as it goes.

    One per node that reads the battery (the planner, the power monitor), fed the readings
    in order; cheap (a few comparisons), never raises."""

    def __init__(self, conventions: BatteryConventions = BatteryConventions()) -> None:
        self.conventions = conventions
        self._scale: PercentageScale | None = (
            None if conventions.scale is PercentageScale.AUTO else conventions.scale)
        self._sign: CurrentSign | None = (
            None if conventions.sign is CurrentSign.AUTO else conventions.sign)
        self._evidence = 0  # > 0: gazebo convention, < 0: ros
        self._last_charge = math.nan
        self.out_of_range = 0
        self.sign_contradictions = 0

    @property
    def learnt_scale(self) -> PercentageScale | None:
        """The percentage convention in use (set or learnt); None while not known."""
        return self._scale

    @property
    def learnt_sign(self) -> CurrentSign | None:
        """The current convention in use (set or learnt); None while not known."""
        return self._sign

    def read(self, raw: RawBattery) -> Interpretation:
        issues: list[BatteryIssue] = []
        status = _status(raw.status)
        charge, capacity, from_charge = self._charge(raw, issues)
        from_pct = self._percentage(raw.percentage, from_charge, issues)
        soc = from_charge if _finite(from_charge) else from_pct
        current = self._current(raw.current, status, charge, issues)
        if issues and (BatteryIssue.PERCENTAGE_OUT_OF_RANGE in issues
                       or BatteryIssue.CHARGE_OUT_OF_RANGE in issues):
            self.out_of_range += 1
        voltage = float(raw.voltage) if _finite(raw.voltage) and raw.voltage > 0.0 else math.nan
        return Interpretation(BatteryReading(
            voltage=voltage, current=current, charge_ah=charge, capacity_ah=capacity,
            percentage=soc,
            charging=status in (SupplyStatus.CHARGING, SupplyStatus.FULL)), tuple(issues))

    # -- state of charge -----------------------------------------------------------------

    def _charge(self, raw: RawBattery, issues: list[BatteryIssue]
                ) -> tuple[float, float, float]:
        """(charge Ah, capacity Ah, charge/capacity), NaN where not usable."""
        capacity = float(raw.capacity) if _finite(raw.capacity) and raw.capacity > 0.0 \
            else math.nan
        if not _finite(raw.charge):
            return math.nan, capacity, math.nan
        if not _finite(capacity):
            # A charge without a capacity still says how many Ah are left.
            return (float(raw.charge) if raw.charge >= 0.0 else math.nan), capacity, math.nan
        if not _in_band(raw.charge, capacity):
            issues.append(BatteryIssue.CHARGE_OUT_OF_RANGE)
            return math.nan, capacity, math.nan
        charge = min(capacity, max(0.0, float(raw.charge)))
        return charge, capacity, charge / capacity

    def _percentage(self, p: float, from_charge: float, issues: list[BatteryIssue]) -> float:
        if not _finite(p):
            return math.nan  # BatteryState: NaN = not measured
        if self._scale is None and _finite(from_charge):
            self._learn_scale(p, from_charge)
        scale = self._scale
        if scale is PercentageScale.PERCENT:
            if _in_band(p, 100.0):
                return _clamp01(p / 100.0)
        elif scale is PercentageScale.FRACTION:
            if _in_band(p, 1.0):
                return _clamp01(p)
        elif 1.0 + TOLERANCE < p <= 100.0 * (1.0 + TOLERANCE):
            self._scale = PercentageScale.PERCENT  # only a 0..100 battery says this
            return _clamp01(p / 100.0)
        elif _in_band(p, 1.0):
            return _clamp01(p)  # nothing learnt: the message's own definition
        elif _in_band(p, 100.0):
            return 0.0  # a hair below empty in 0..100; not evidence enough to learn from
        issues.append(BatteryIssue.PERCENTAGE_OUT_OF_RANGE)
        return math.nan

    def _learn_scale(self, p: float, from_charge: float) -> None:
        as_fraction = abs(p - from_charge) <= MATCH
        as_percent = abs(p / 100.0 - from_charge) <= MATCH
        if as_fraction != as_percent:
            self._scale = PercentageScale.FRACTION if as_fraction else PercentageScale.PERCENT

    # -- current ---------------------------------------------------------------------------

    def _current(self, i: float, status: SupplyStatus, charge: float,
                 issues: list[BatteryIssue]) -> float:
        trend = math.nan
        if _finite(charge) and _finite(self._last_charge) \
                and abs(charge - self._last_charge) > MIN_CHARGE_STEP_AH:
            trend = charge - self._last_charge
        if _finite(charge):
            self._last_charge = charge
        if not _finite(i):
            return math.nan
        if abs(i) >= MIN_SIGN_CURRENT_A:
            self._observe_sign(i, status, trend, issues)
        if self._sign is CurrentSign.ROS:
            return float(i)
        if self._sign is CurrentSign.GAZEBO:
            return -float(i)
        if status is SupplyStatus.DISCHARGING:
            return -abs(float(i))  # flowing out, whichever the convention
        return math.nan

    def _observe_sign(self, i: float, status: SupplyStatus, trend: float,
                      issues: list[BatteryIssue]) -> None:
        votes = []
        if status is SupplyStatus.DISCHARGING:
            votes.append(1 if i > 0.0 else -1)  # positive outflow = the gazebo convention
        if _finite(trend):
            # ROS convention: the current is the charge's rate of change (same sign).
            votes.append(-1 if (i > 0.0) == (trend > 0.0) else 1)
        for vote in votes:
            if self.conventions.sign is not CurrentSign.AUTO:
                continue
            if self._sign is not None:
                if (vote > 0) != (self._sign is CurrentSign.GAZEBO):
                    self.sign_contradictions += 1
                    if BatteryIssue.SIGN_CONTRADICTED not in issues:
                        issues.append(BatteryIssue.SIGN_CONTRADICTED)
                continue
            self._evidence += vote
            if abs(self._evidence) >= SIGN_EVIDENCE_NEEDED:
                self._sign = CurrentSign.GAZEBO if self._evidence > 0 else CurrentSign.ROS


def _status(value: int) -> SupplyStatus:
    try:
        return SupplyStatus(int(value))
    except (ValueError, TypeError):
        return SupplyStatus.UNKNOWN
