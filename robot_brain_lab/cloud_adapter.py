"""Perception's cloud sources (robot_brain.core.perception.cloud) as a SectorSource of the
scenario harness (scenario3d): the MuJoCo head lidar's frame, written in livox_ros_driver2's
layout as the node publishes it, read back, levelled with the sim's attitude, cut to the height
band, stripped of the body and projected to sectors by perception's own core, with the
parameters perception gets for the MuJoCo sim (config/brain.yaml, then config/mujoco.yaml).
The knee scan, when given, is merged the way perception merges its sources.

Perception's cloud package is another change of issue #24: it is imported by name here
(importlib), so this module loads and type-checks in a tree without it, and
scenario3d.head_cloud_sectors says so instead of running.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import yaml

from robot_brain.core.config.params import load
from robot_brain.core.robot_model import HUMANOID
from robot_brain.core.sim.mujoco.livox_layout import FIELDS, POINT_STEP, pack_points

if TYPE_CHECKING:
    from robot_brain.core.sim.mujoco.simulator import MujocoSimulator

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
_CLOUD = "robot_brain.core.perception.cloud"


def _flatten(block: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A node block's nested groups as the flat `group.key` names rcl gives them."""
    out: dict[str, Any] = {}
    for key, value in block.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def perception_values(files: tuple[str, ...] = ("brain.yaml", "mujoco.yaml")) -> dict[str, Any]:
    """Perception's parameters as the MuJoCo demo gives them: the files in order, later
    winning, flattened."""
    values: dict[str, Any] = {}
    for name in files:
        data = yaml.safe_load((CONFIG_DIR / name).read_text(encoding="utf-8")) or {}
        block = data.get("/**/perception", {}).get("ros__parameters", {})
        values.update(_flatten(block))
    return values


def cloud_sector_source(n_sectors: int,
                        knee: Callable[[MujocoSimulator, float], np.ndarray] | None = None
                        ) -> Callable[[MujocoSimulator, float], np.ndarray]:
    config = importlib.import_module(f"{_CLOUD}.config")
    sources = importlib.import_module(f"{_CLOUD}.sources")
    pointcloud = importlib.import_module(f"{_CLOUD}.pointcloud")
    attitude = importlib.import_module(f"{_CLOUD}.attitude")
    merge = importlib.import_module(f"{_CLOUD}.merge")

    values = perception_values()
    shared = load(config.SourcesConfig, values)
    clouds = [name for name in shared.sources
              if load(config.SourceConfig, values, f"{name}.", name=name).type == "cloud"]
    if not clouds:
        raise ValueError("config/mujoco.yaml gives perception no cloud source")
    head_cfg = load(config.SourceConfig, values, f"{clouds[0]}.", name=clouds[0])
    fields = tuple(pointcloud.PointField(f.name, f.offset, f.datatype, f.count) for f in FIELDS)
    frame = HUMANOID.head_lidar.frame
    # Perception's state (attitude history, the sources' newest views) belongs to one run:
    # a new simulator (its clock starts at 0 again) gets fresh state.
    state: dict[str, Any] = {}

    def sectors(sim: MujocoSimulator, now: float) -> np.ndarray:
        if state.get("sim") is not sim:
            state.update(
                sim=sim, head=sources.CloudSource(head_cfg, shared, n_sectors, shared.body()),
                buffer=attitude.AttitudeBuffer(shared.attitude_window_s,
                                               shared.attitude_tolerance_s),
                merger=merge.SectorMerger(n_sectors, [head_cfg.timeout_s] * (2 if knee else 1)))
        head, buffer, merger = state["head"], state["buffer"], state["merger"]
        buffer.push(now, *sim.quaternion)
        cloud = sim.head_cloud()
        packed = pack_points(cloud.points, cloud.intensity, cloud.line, int(now * 1e9))
        raw = pointcloud.RawCloud(height=1, width=len(packed), fields=fields,
                                  is_bigendian=False, point_step=POINT_STEP,
                                  row_step=POINT_STEP * len(packed),
                                  data=packed.view(np.uint8), is_dense=True)
        result = head.process(raw, frame, now, now, buffer)
        merger.update(0, result.sectors, now)
        if knee is not None:
            merger.update(1, knee(sim, now), now)
        merged: np.ndarray = merger.merged(now)
        return merged
    return sectors
