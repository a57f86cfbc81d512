"""The Foxglove layout of the live view (layouts/robot_brain_layout.json), built here.

`python -m robot_brain.core.live.layout --write` rewrites the shipped file; a unit test fails
when it differs from `build_layout()`, and checks that every topic it names is one the bridge
serves. It is the layout format Foxglove's "Import layout from file" reads (configById, a
mosaic `layout` tree, userNodes for user scripts).

Panels name the ROS topics with their fully qualified names (`/scan`, `/cmd_vel`, ...), which
is what both the bridge and a rosbag2 MCAP bag written by the recorder carry, so the same file
opens on either. Two user scripts turn what every source has into plot series: the
scan->cmd_vel latency of each command (its receipt time minus its header stamp, which is the
source scan's stamp) and the controller's and watchdog's loop figures parsed out of the
string values of /diagnostics. The 3D panel's world, robot footprint, route and frame
transforms come from the bridge's `/live_view/*` channels: on a bag they are absent (see
docs/live_view.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from robot_brain.core.live.served_topics import DERIVED_CHANNELS, qualify, served_topics

LAYOUT_FILE = Path(__file__).resolve().parents[3] / "layouts" / "robot_brain_layout.json"

SCRIPT_LATENCY_OUT = "/studio_script/scan_to_cmd_vel"
SCRIPT_LOOPS_OUT = "/studio_script/brain_loops"

SCAN_TO_CMD_VEL_SCRIPT = f"""\
// scan->cmd_vel latency of each command reaching the robot: its receipt time (the bridge's or
// the recorder's middleware receipt) minus its header stamp, which the controller copies from
// the scan the command was computed from (the watchdog forwards it unchanged).
import {{ Input }} from "./types";

type Output = {{ latency_ms: number }};

export const inputs = ["/cmd_vel"];
export const output = "{SCRIPT_LATENCY_OUT}";

export default function script(event: Input<"/cmd_vel">): Output | undefined {{
  const stamp = (event.message as any).header?.stamp;
  if (!stamp || (stamp.sec === 0 && stamp.nanosec === 0)) {{
    return undefined; // unstamped (Twist) or before the first perception
  }}
  const rx = event.receiveTime;
  return {{ latency_ms: (rx.sec - stamp.sec) * 1e3 + (rx.nsec - stamp.nanosec) / 1e6 }};
}}
"""

BRAIN_LOOPS_SCRIPT = f"""\
// The fast path's loop figures, parsed from the string values of /diagnostics: the
// controller's tick (rate, period p99, jitter p99, compute p99, overruns, skipped ticks) and
// the watchdog's deadline misses and estop latches (estop_episodes).
import {{ Input }} from "./types";

type Output = {{
  tick_rate_hz: number; period_p99_ms: number; jitter_p99_ms: number; compute_p99_ms: number;
  overruns: number; skipped_ticks: number; deadline_misses: number; latches: number;
}};

export const inputs = ["/diagnostics"];
export const output = "{SCRIPT_LOOPS_OUT}";

const last: Output = {{
  tick_rate_hz: NaN, period_p99_ms: NaN, jitter_p99_ms: NaN, compute_p99_ms: NaN,
  overruns: NaN, skipped_ticks: NaN, deadline_misses: NaN, latches: NaN,
}};

function value(status: any, key: string): number {{
  const kv = status.values.find((v: any) => v.key === key);
  return kv ? Number(kv.value) : NaN;
}}

export default function script(event: Input<"/diagnostics">): Output | undefined {{
  let seen = false;
  for (const status of (event.message as any).status) {{
    if (status.name.startsWith("controller:")) {{
      last.tick_rate_hz = value(status, "rate_hz");
      last.period_p99_ms = value(status, "period_p99_ms");
      last.jitter_p99_ms = value(status, "jitter_p99_ms");
      last.compute_p99_ms = value(status, "compute_p99_ms");
      last.overruns = value(status, "overruns");
      last.skipped_ticks = value(status, "skipped_ticks");
      seen = true;
    }} else if (status.name.startsWith("watchdog: deadline")) {{
      last.deadline_misses = value(status, "deadline_misses");
      last.latches = value(status, "estop_episodes");
      seen = true;
    }}
  }}
  return seen ? {{ ...last }} : undefined;
}}
"""


def _series(path: str, label: str, color: str) -> dict[str, Any]:
    return {"value": path, "enabled": True, "timestampMethod": "receiveTime", "label": label,
            "color": color}


def _plot(title: str, series: list[dict[str, Any]], width_s: float = 60.0) -> dict[str, Any]:
    return {"title": title, "paths": series, "showXAxisLabels": True, "showYAxisLabels": True,
            "showLegend": True, "legendDisplay": "floating", "showPlotValuesInLegend": True,
            "isSynced": True, "xAxisVal": "timestamp", "followingViewWidth": width_s}


def _split(direction: str, first: Any, second: Any, percent: float) -> dict[str, Any]:
    return {"direction": direction, "first": first, "second": second,
            "splitPercentage": percent}


def build_layout() -> dict[str, Any]:
    """The layout as a JSON-ready dict."""
    topics: dict[str, Any] = {
        "/scan": {"visible": True, "colorField": "range", "colorMode": "colormap",
                  "colorMap": "turbo", "pointSize": 4},
        "/perception/obstacles": {"visible": False},
        "/odom": {"visible": False},
        "/planner/goal": {"visible": True, "type": "arrow"},
        "/live_view/world": {"visible": True},
        "/live_view/robot": {"visible": True},
        "/live_view/route": {"visible": True},
    }
    three_d = {
        "cameraState": {"distance": 14.0, "perspective": False, "phi": 0.0, "thetaOffset": 0.0,
                        "targetOffset": [0, 0, 0], "target": [0, 0, 0],
                        "targetOrientation": [0, 0, 0, 1], "fovy": 45, "near": 0.01,
                        "far": 5000},
        "followMode": "follow-none",
        "followTf": "odom",
        "scene": {"enableStats": False, "transforms": {"showLabel": False}},
        "transforms": {"frame:laser": {"visible": False}},
        "topics": topics,
        "layers": {"grid": {"visible": True, "frameId": "odom", "size": 20, "divisions": 20,
                            "lineWidth": 1, "color": "#248eff40", "position": [0, 0, 0],
                            "rotation": [0, 0, 0], "order": 1, "layerId": "foxglove.Grid"}},
        "publish": {"type": "point", "poseTopic": "/move_base_simple/goal",
                    "pointTopic": "/clicked_point", "poseEstimateTopic": "/initialpose"},
    }
    config = {
        "3D!live": three_d,
        "Plot!cmd_vel": _plot("cmd_vel (what the robot obeys)", [
            _series("/cmd_vel.twist.linear.x", "linear x (m/s)", "#4e98e2"),
            _series("/cmd_vel.twist.angular.z", "angular z (rad/s)", "#f5774d")], 30.0),
        "Plot!latency": _plot("fast path timing (ms)", [
            _series(f"{SCRIPT_LATENCY_OUT}.latency_ms", "scan->cmd_vel (ms)", "#f7df71"),
            _series(f"{SCRIPT_LOOPS_OUT}.jitter_p99_ms", "tick jitter p99 (ms)", "#5cd6a9"),
            _series(f"{SCRIPT_LOOPS_OUT}.compute_p99_ms", "tick compute p99 (ms)",
                    "#d66b5c")], 30.0),
        "Plot!battery": _plot("battery", [
            _series("/battery_state.percentage", "state of charge (0..1)", "#5cd6a9")], 600.0),
        "Plot!endurance": _plot("endurance estimate (s)", [
            _series("/power/endurance.data", "endurance (s)", "#c17ff5")], 600.0),
        "Indicator!estop": {
            "path": "/watchdog/estop.data", "style": "background",
            "fallbackColor": "#2e7d32", "fallbackLabel": "watchdog: running",
            "rules": [{"operator": "=", "rawValue": "true", "color": "#c62828",
                       "label": "watchdog ESTOP latched"}]},
        "Indicator!operator_estop": {
            "path": "/estop.data", "style": "background",
            "fallbackColor": "#37474f", "fallbackLabel": "operator estop: off",
            "rules": [{"operator": "=", "rawValue": "true", "color": "#c62828",
                       "label": "operator ESTOP"}]},
        "Indicator!power_mode": {
            "path": "/power/mode.data", "style": "bulb", "fallbackColor": "#2e7d32",
            "fallbackLabel": "power mode normal",
            "rules": [{"operator": "=", "rawValue": "eco", "color": "#f9a825",
                       "label": "power mode eco"},
                      {"operator": "=", "rawValue": "critical", "color": "#c62828",
                       "label": "power mode critical"}]},
        "RawMessages!plan": {"topicPath": "/planner/plan.data", "diffEnabled": False,
                             "diffMethod": "custom", "diffTopicPath": "", "showFullMessageForDiff":
                             False, "expansion": "all"},
        "RawMessages!status": {"topicPath": "/planner/status.data", "diffEnabled": False,
                               "diffMethod": "custom", "diffTopicPath": "",
                               "showFullMessageForDiff": False, "expansion": "all"},
        "RawMessages!say": {"topicPath": "/brain/say.data", "diffEnabled": False,
                            "diffMethod": "custom", "diffTopicPath": "",
                            "showFullMessageForDiff": False, "expansion": "all"},
        "DiagnosticSummary!brain": {"minLevel": 0, "pinnedIds": [], "hardwareIdFilter": "",
                                    "topicToRender": "/diagnostics", "sortByLevel": True},
    }
    indicators = _split("row", "Indicator!estop",
                        _split("row", "Indicator!operator_estop", "Indicator!power_mode", 50), 34)
    plots = _split("column", _split("column", "Plot!cmd_vel", "Plot!latency", 50),
                   _split("column", "Plot!battery", "Plot!endurance", 50), 55)
    text = _split("column", "RawMessages!plan",
                  _split("column", "RawMessages!status",
                         _split("column", "RawMessages!say", "DiagnosticSummary!brain", 25), 60),
                  30)
    left = _split("column", indicators, "3D!live", 8)
    layout = _split("row", _split("row", left, plots, 60), text, 72)
    return {
        "configById": config,
        "globalVariables": {},
        "userNodes": {
            "scan_to_cmd_vel": {"name": "scan_to_cmd_vel", "sourceCode": SCAN_TO_CMD_VEL_SCRIPT},
            "brain_loops": {"name": "brain_loops", "sourceCode": BRAIN_LOOPS_SCRIPT},
        },
        "playbackConfig": {"speed": 1.0},
        "layout": layout,
    }


def render() -> str:
    return json.dumps(build_layout(), indent=2, sort_keys=False) + "\n"


_TOPIC = re.compile(r'"(/[a-z_][a-z0-9_/]*)[."]')


def referenced_topics(layout: dict[str, Any]) -> set[str]:
    """Every topic named by a panel path or a script input (output topics excluded)."""
    out: set[str] = set()
    for panel in layout["configById"].values():
        text = json.dumps(panel)
        out.update(m for m in _TOPIC.findall(text))
        out.update(panel.get("topics", {}).keys())
    for node in layout["userNodes"].values():
        inputs = re.search(r"export const inputs = \[(.*?)\]", node["sourceCode"])
        if inputs:
            out.update(re.findall(r'"(/[^"]+)"', inputs.group(1)))
    script_outputs = {SCRIPT_LATENCY_OUT, SCRIPT_LOOPS_OUT}
    publish_only = {"/move_base_simple/goal", "/clicked_point", "/initialpose"}
    return {t for t in out if t not in publish_only
            and not any(t == s or t.startswith(s + ".") for s in script_outputs)}


def served_names(cmd_vel_stamped: bool = True) -> set[str]:
    """Channel names of a bridge in the root namespace."""
    return {qualify(t.name) for t in served_topics(cmd_vel_stamped)} | \
        {qualify(c) for c in DERIVED_CHANNELS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {LAYOUT_FILE}")
    args = parser.parse_args(argv)
    if args.write:
        LAYOUT_FILE.parent.mkdir(parents=True, exist_ok=True)
        LAYOUT_FILE.write_text(render())
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
