"""The route planner's settings: the grid's cell size, the clearance a route keeps, the body."""

from __future__ import annotations

import math
from dataclasses import dataclass

from robot_brain.core.config.params import group, param
from robot_brain.core.config.robot import RobotLimits
from robot_brain.core.errors import ConfigurationError

SQRT2 = math.sqrt(2.0)


class RoutePlannerConfigError(ConfigurationError):
    """Route planner settings that cannot describe a grid."""


@dataclass(frozen=True)
class RoutePlannerConfig:
    resolution: float = param(0.1, "Cell size of the route planner's occupancy grid; query "
                              "time grows with the cell count (10 m x 8 m: ~1 ms median at "
                              "0.1 m, ~20 ms worst at 0.05 m).", unit="m", min=0.05, max=0.5)
    # Kept free beyond the body along the route. 0.25 measured best on the apartment
    # (scripts/eval_place_legs.py): at 0.2 the route hugs the partition's end so closely that
    # the safety filter's conservative sectors stop the ONNX policy there; at 0.35 the 1.15 m
    # gap between the partition and the plant closes and kitchen routes detour 5 m.
    inflation: float = param(0.25, "Clearance a route keeps beyond robot_radius; at least half "
                             "a cell diagonal (0.071 m at 0.1 m cells).", unit="m", min=0.0,
                             max=2.0)
    #: The body circle (robot_radius) a route must fit.
    robot: RobotLimits = group(RobotLimits, shared=True)

    @property
    def robot_radius(self) -> float:
        return self.robot.robot_radius

    def __post_init__(self) -> None:
        for name in ("resolution", "robot_radius"):  # robot_radius: the property above
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0.0):
                raise RoutePlannerConfigError(f"route planner {name} must be > 0, got {v}")
        if not (math.isfinite(self.inflation) and self.inflation >= self.lookup_error):
            raise RoutePlannerConfigError(
                f"route planner inflation ({self.inflation} m) must be at least half a cell "
                f"diagonal ({self.lookup_error:.3f} m at resolution {self.resolution} m): "
                f"clearance is read at cell centres and may be overstated by that much")

    @property
    def inflated_radius(self) -> float:
        return self.robot_radius + self.inflation

    @property
    def lookup_error(self) -> float:
        """Most a nearest-cell lookup can overstate the clearance of a point."""
        return self.resolution * SQRT2 / 2.0
