"""What the demo's options change in each node's parameters (world, places, backend, goal,
recorder output, live-view port, motion layer), on top of the parameter files."""

from __future__ import annotations

import json
from pathlib import Path

from robot_brain.cli.demo_options import DemoOptions


def node_overrides(name: str, opts: DemoOptions, nodes: list[str],
                   run_dir: Path) -> dict[str, object]:
    params: dict[str, object] = {}
    if opts.world:
        # A file is passed by its absolute path, a packaged world's bare name as it is.
        params["world_file"] = (str(Path(opts.world).resolve()) if Path(opts.world).exists()
                                else opts.world)
    if opts.places:
        params["places_file"] = str(Path(opts.places).resolve())
    if name == "planner" and opts.backend:
        params["backend"] = opts.backend
        if opts.backend == "scripted":
            # The scripted backend is a canned reply, not a model: it names the place the
            # instruction mentions, so the demo shows the whole chain without an LLM.
            params["scripted_replies"] = [_scripted_reply(opts)]
    if name == "controller" and (opts.goal or "planner" not in nodes):
        gx, gy = opts.goal if opts.goal else default_goal(opts)
        params.update({"use_param_goal": True, "goal_x": gx, "goal_y": gy})
    if name == "recorder":
        params["output_dir"] = str(run_dir / "bag")
    if name == "live_view":
        params["port"] = opts.live_port
    params.update(_motion_overrides(opts).get(name, {}))
    return params


def _motion_overrides(opts: DemoOptions) -> dict[str, dict[str, object]]:
    from robot_brain.core.planner.nav2_motion import motion_layout
    return motion_layout(opts.motion)[1]


def _scripted_reply(opts: DemoOptions) -> str:
    from robot_brain.core.world import load_world_file
    world = load_world_file(opts.world or "", opts.places or "")
    text = opts.instruction.lower().replace(" ", "_")
    for place in sorted(world.places, key=len, reverse=True):
        if place in text or place.replace("_", "") in text:
            return json.dumps({"steps": [{"skill": "navigate_to", "place": place}]})
    return json.dumps({"steps": [{"skill": "say", "text": "I did not understand."}]})


def default_goal(opts: DemoOptions) -> tuple[float, float]:
    from robot_brain.core.world import load_world_file
    world = load_world_file(opts.world or "", opts.places or "")
    place = world.places.get("kitchen") or next(iter(world.places.values()))
    return (place.x, place.y)
