"""PNG plots of a run, drawn headless with matplotlib's object API (Agg, no pyplot state).

Each plot is drawn only when the bag has its data; `write_plots` returns {title: path} of
the files written, in display order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from robot_brain.core.maps.outline import obstacle_boxes
from robot_brain.core.report.figures import RunFigures, Span
from robot_brain.core.world import World

DPI = 110


def write_plots(f: RunFigures, out_dir: Path, world: World | None,
                problems: list[str] | None = None) -> dict[str, Path]:
    """Draw every plot that has data; a plot that fails is named in `problems`, not raised."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for title, name, draw in (
        ("Trajectory", "trajectory.png", _trajectory),
        ("Latency scan -> cmd_vel", "latency.png", _latency),
        ("Control period", "control_period.png", _period),
        ("Battery and endurance", "energy.png", _energy),
        ("Timeline", "timeline.png", _timeline),
    ):
        path = out_dir / name
        try:
            fig = draw(f, world)
            if fig is None:
                continue
            fig.savefig(path, dpi=DPI)
        except (ValueError, RuntimeError, OverflowError, MemoryError) as exc:
            if problems is not None:
                problems.append(f"plot {name} could not be drawn ({exc})")
            continue
        written[title] = path
    return written


def _trajectory(f: RunFigures, world: World | None) -> Figure | None:
    path = f.motion.path
    if world is None and len(path) == 0:
        return None
    fig = Figure(figsize=(7.5, 6.5), layout="constrained")
    ax = fig.add_subplot()
    if world is not None:
        if world.grid is not None:
            # A map world: its obstacle cells, one rectangle per row run.
            for m in obstacle_boxes(world.grid):
                ax.add_patch(Rectangle((m.cx - m.sx / 2.0, m.cy - m.sy / 2.0), m.sx, m.sy,
                                       angle=float(np.degrees(m.yaw)), rotation_point="center",
                                       facecolor="0.45", edgecolor="none"))
        segs = world.segments()
        if len(segs):
            ax.add_collection(LineCollection(list(segs.reshape(-1, 2, 2)), colors="0.25",
                                             linewidths=1.2))
        for c in world.cylinders:
            ax.add_patch(Circle(c.center, c.radius, facecolor="0.8", edgecolor="0.25"))
        for place in world.places.values():
            ax.plot(place.x, place.y, marker="*", color="tab:orange", markersize=9)
            ax.annotate(place.name, (place.x, place.y), textcoords="offset points",
                        xytext=(4, 4), fontsize=8, color="tab:orange")
        b = world.bounds
        ax.set_xlim(b.x_min - 0.3, b.x_max + 0.3)
        ax.set_ylim(b.y_min - 0.3, b.y_max + 0.3)
        ax.set_title(f"Trajectory on world '{world.name}' ({f.motion.distance_m:.2f} m walked)")
    else:
        ax.set_title(f"Trajectory ({f.motion.distance_m:.2f} m walked; no world map)")
    if len(path):
        ax.plot(path[:, 0], path[:, 1], color="tab:blue", linewidth=1.5, label="odom")
        ax.plot(path[0, 0], path[0, 1], "o", color="tab:green", label="start")
        ax.plot(path[-1, 0], path[-1, 1], "s", color="tab:red", label="end")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.grid(True, alpha=0.3)
    return fig


def _latency(f: RunFigures, world: World | None) -> Figure | None:
    samples = f.latency_samples
    if samples.size == 0:
        return None
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(samples * 1000.0, bins=min(60, max(10, samples.size // 20)), color="tab:blue")
    d = f.latency_cmd_vel
    for value, label, style in ((d.p50, "p50", "--"), (d.p99, "p99", ":")):
        ax.axvline(value * 1000.0, color="k", linestyle=style, label=f"{label} "
                   f"{value * 1000.0:.1f} ms")
    ax.set_xlabel("scan stamp -> cmd_vel receipt (ms)")
    ax.set_ylabel("commands")
    ax.set_title("Latency from scan to cmd_vel")
    ax.legend(fontsize=8)
    return fig


def _period(f: RunFigures, world: World | None) -> Figure | None:
    p = f.control
    if p.period.count == 0:
        return None
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(p.samples * 1000.0, bins=60, color="tab:blue")
    ax.axvline(p.deadline_s * 1000.0, color="tab:red", linestyle="--",
               label=f"deadline {p.deadline_s * 1000.0:.0f} ms")
    ax.axvline(p.period.p50 * 1000.0, color="k", linestyle=":",
               label=f"median {p.period.p50 * 1000.0:.1f} ms")
    ax.set_title(f"{p.topic} receipt period ({p.overruns} overruns)")
    ax.set_xlabel("period (ms)")
    ax.set_ylabel("periods")
    ax.legend(fontsize=8)
    ax.set_yscale("log")
    return fig


def _energy(f: RunFigures, world: World | None) -> Figure | None:
    battery, endurance = f.energy.battery, f.energy.endurance
    if len(battery) == 0 and len(endurance) == 0:
        return None
    fig = Figure(figsize=(7.5, 5), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    if len(battery):
        ax1.plot(battery.t, battery.v * 100.0, color="tab:green")
    ax1.set_ylabel("battery (%)")
    ax1.set_title("Battery charge and endurance estimate")
    ax1.grid(True, alpha=0.3)
    if len(endurance):
        minutes = np.where(np.isfinite(endurance.v), endurance.v / 60.0, np.nan)
        # Markers: NaN (unknown) samples split the line, and a lone point must still show.
        ax2.plot(endurance.t, minutes, color="tab:purple", marker=".", markersize=4)
    ax2.set_ylabel("endurance (min)")
    ax2.set_xlabel("time since start (s)")
    ax2.grid(True, alpha=0.3)
    _shade(ax1, f.safety.watchdog_estops)
    _shade(ax2, f.safety.watchdog_estops)
    if f.safety.watchdog_estops:
        ax1.legend(loc="best", fontsize=8)
    return fig


def _shade(ax: Axes, spans: tuple[Span, ...]) -> None:
    for i, s in enumerate(spans):
        ax.axvspan(s.start_s, s.end_s, color="tab:red", alpha=0.15,
                   label="watchdog estop" if i == 0 else None)


def _timeline(f: RunFigures, world: World | None) -> Figure | None:
    lanes: list[tuple[str, tuple[Span, ...]]] = [
        ("planner", f.planner_states),
        ("power mode", f.energy.power_modes),
        ("watchdog estop", f.safety.watchdog_estops),
        ("operator estop", f.safety.operator_estops),
    ]
    if not any(spans for _, spans in lanes):
        return None
    labels = sorted({s.label for _, spans in lanes for s in spans})
    # Red is kept for estops only.
    palette = [f"C{i}" for i in range(10) if i != 3]
    cmap = {label: palette[i % len(palette)] for i, label in enumerate(labels)}
    cmap["estop"] = "tab:red"
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    ax = fig.add_subplot()
    for row, (_, spans) in enumerate(lanes):
        for s in spans:
            ax.broken_barh([(s.start_s, max(s.duration_s, 1e-3))], (row - 0.4, 0.8),
                           facecolors=cmap[s.label])
    ax.set_yticks(range(len(lanes)), [name for name, _ in lanes])
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.invert_yaxis()
    ax.set_xlim(0.0, max(f.duration_s, 1e-3))
    ax.set_xlabel("time since start (s)")
    ax.set_title("Planner states, power modes and estop episodes")
    handles = [ax.bar(0, 0, color=cmap[label], label=label) for label in labels]
    if handles:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig
