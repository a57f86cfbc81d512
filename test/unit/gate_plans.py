"""Shared by the plan gate's tests: plans that walk to places (fixtures in conftest.py)."""

from __future__ import annotations

from robot_brain.core.planner.skills import Plan, PlanLimits
from robot_brain.core.planner.validation import PlanValidator
from robot_brain.core.world import World


def go(world: World, *places: str) -> Plan:
    """A validated plan that docks ("dock") or walks to each named place in turn."""
    steps = [{"skill": "dock"} if p == "dock" else {"skill": "navigate_to", "place": p}
             for p in places]
    plan = PlanValidator(world, PlanLimits()).validate_data({"steps": steps}).plan
    assert plan is not None
    return plan
