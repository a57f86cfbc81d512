"""What another node may read of `planner/status`: is the planner thinking, where, and is the
local accelerator powered. Shared by the sim (true loads) and the power monitor (estimates),
so neither depends on the other's internals."""

from __future__ import annotations

import json
from dataclasses import dataclass


class PlannerStatusError(ValueError):
    """A planner/status payload that is not the JSON object the schema describes."""


@dataclass(frozen=True)
class PlannerActivity:
    state: str = "idle"       # idle | thinking | executing | error
    locality: str = "none"    # local | remote | none
    accelerator_on: bool = True

    @property
    def generating_local(self) -> bool:
        return self.state == "thinking" and self.locality == "local"

    @property
    def remote_open(self) -> bool:
        return self.state == "thinking" and self.locality == "remote"


def parse_planner_status(text: str) -> PlannerActivity:
    """Read the activity fields; raise PlannerStatusError for anything else.

    A planner that does not report `accelerator_on` is taken as never gating it.
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        raise PlannerStatusError(f"planner/status is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PlannerStatusError(
            f"planner/status must be a JSON object, got {type(data).__name__}")
    state = data.get("state", "idle")
    locality = data.get("locality", "none")
    if not isinstance(state, str) or not isinstance(locality, str):
        raise PlannerStatusError("planner/status 'state' and 'locality' must be strings")
    accelerator_on = data.get("accelerator_on", True)
    if not isinstance(accelerator_on, bool):
        raise PlannerStatusError("planner/status 'accelerator_on' must be a boolean, got "
                                 f"{type(accelerator_on).__name__}")
    return PlannerActivity(state, locality, accelerator_on)
