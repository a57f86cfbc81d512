"""Exact clearance from a world's shapes: the distance from points to the nearest wall, box
(with yaw) or cylinder surface, negative inside, and which obstacle that is; vectorised."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from robot_brain.core.world import Box, Wall, World


@dataclass(frozen=True)
class Obstacles:
    """Arrays of the world's primitives for vectorised clearance."""

    segments: np.ndarray       # (M, 4) x0 y0 x1 y1
    circles: np.ndarray        # (K, 3) cx cy r
    box_centres: np.ndarray    # (B, 2)
    box_cos_sin: np.ndarray    # (B, 2)
    box_half: np.ndarray       # (B, 2) half sizes
    names: tuple[str, ...]     # boxes (walls included) then cylinders


def _wall_box(wall: Wall) -> Box:
    # The same thick rectangle the world's segments() and inside_obstacle() use for a wall
    # (robot_brain.core.world keeps its helper private).
    (x0, y0), (x1, y1) = wall.start, wall.end
    return Box(wall.name, ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
               (math.hypot(x1 - x0, y1 - y0) + wall.thickness, wall.thickness),
               math.atan2(y1 - y0, x1 - x0))


def obstacles(world: World) -> Obstacles:
    boxes = world.boxes + tuple(_wall_box(w) for w in world.walls)
    # Four edges per rectangle, in the order of `names`, so an edge index // 4 names its box.
    edges = [np.hstack([c, np.roll(c, -1, axis=0)]) for c in (b.corners() for b in boxes)]
    return Obstacles(
        segments=np.vstack(edges) if edges else np.zeros((0, 4)),
        circles=world.circles().reshape(-1, 3),
        box_centres=np.array([b.center for b in boxes], dtype=np.float64).reshape(-1, 2),
        box_cos_sin=np.array([[math.cos(b.yaw), math.sin(b.yaw)] for b in boxes],
                             dtype=np.float64).reshape(-1, 2),
        box_half=np.array([[b.size[0] / 2.0, b.size[1] / 2.0] for b in boxes],
                          dtype=np.float64).reshape(-1, 2),
        names=tuple(b.name for b in boxes) + tuple(c.name for c in world.cylinders),
    )


def clearance(obs: Obstacles, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact clearance of points (P, 2) and the index (into obs.names) of the nearest obstacle.

    Inside a box the clearance is minus the distance to its nearest edge, inside a circle minus
    the depth, so 'negative' always means 'inside'.
    """
    n = len(pts)
    best = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    n_boxes = len(obs.box_centres)
    if len(obs.segments):
        a = obs.segments[:, 0:2]
        ab = obs.segments[:, 2:4] - a
        denom = np.einsum("ij,ij->i", ab, ab)
        safe = np.where(denom > 0.0, denom, 1.0)
        ap_x = pts[:, 0:1] - a[None, :, 0]
        ap_y = pts[:, 1:2] - a[None, :, 1]
        t = np.clip((ap_x * ab[None, :, 0] + ap_y * ab[None, :, 1]) / safe[None, :], 0.0, 1.0)
        t = np.where(denom[None, :] > 0.0, t, 0.0)
        d = np.hypot(ap_x - t * ab[None, :, 0], ap_y - t * ab[None, :, 1])
        seg = np.argmin(d, axis=1)
        best = d[np.arange(n), seg]
        which = seg // 4
    if n_boxes:
        dx = pts[:, 0:1] - obs.box_centres[None, :, 0]
        dy = pts[:, 1:2] - obs.box_centres[None, :, 1]
        c, s = obs.box_cos_sin[None, :, 0], obs.box_cos_sin[None, :, 1]
        inside = ((np.abs(c * dx + s * dy) <= obs.box_half[None, :, 0])
                  & (np.abs(-s * dx + c * dy) <= obs.box_half[None, :, 1]))
        in_any = inside.any(axis=1)
        best = np.where(in_any, -best, best)
        which = np.where(in_any, np.argmax(inside, axis=1), which)
    if len(obs.circles):
        dc = (np.hypot(pts[:, 0:1] - obs.circles[None, :, 0], pts[:, 1:2] - obs.circles[None, :, 1])
              - obs.circles[None, :, 2])
        k = np.argmin(dc, axis=1)
        dk = dc[np.arange(n), k]
        # A point inside a box keeps its negative box clearance unless deeper in a circle.
        closer = dk < best
        best = np.where(closer, dk, best)
        which = np.where(closer, n_boxes + k, which)
    return best, which
