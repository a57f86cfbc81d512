"""Fixtures shared by the unit tests: the packaged apartment world and its plan gate."""

from __future__ import annotations

import pytest

from robot_brain.core.planner.gate.gate import PlanGate
from robot_brain.core.planner.skills import PlanLimits
from robot_brain.core.resources import default_world_path
from robot_brain.core.world import World, load_world


@pytest.fixture(scope="module")
def world() -> World:
    """The packaged apartment (a module may override it with a world of its own)."""
    return load_world(default_world_path())


@pytest.fixture(scope="module")
def gate(world: World) -> PlanGate:
    return PlanGate(world, PlanLimits())
