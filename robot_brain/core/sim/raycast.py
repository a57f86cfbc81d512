"""Vectorised intersection of many rays with line segments and circles.

One module shared by the lidar (rays from the sensor) and the collision sweep (the body
centre's path against obstacles grown by the body radius), so both see the same geometry.
"""

from __future__ import annotations

import numpy as np

#: Below this |cross(d, e)| a ray and a segment count as parallel (no single crossing point).
_PARALLEL_EPS = 1e-12


def ray_segments(origin: np.ndarray, dirs: np.ndarray, segs: np.ndarray,
                 t_min: float = 0.0) -> np.ndarray:
    """Distance along each unit ray in dirs (B, 2) to the nearest segment of segs (M, 4).

    Hits closer than t_min are ignored; +inf where a ray hits nothing. Returns (B,).
    """
    if len(segs) == 0 or len(dirs) == 0:
        return np.full(len(dirs), np.inf)
    a = segs[:, 0:2]
    e = segs[:, 2:4] - a                       # (M, 2)
    ao = a - origin                            # (M, 2)
    dx, dy = dirs[:, 0:1], dirs[:, 1:2]        # (B, 1)
    denom = dx * e[:, 1] - dy * e[:, 0]        # cross(d, e), (B, M)
    parallel = np.abs(denom) < _PARALLEL_EPS
    safe = np.where(parallel, 1.0, denom)
    t = (ao[:, 0] * e[:, 1] - ao[:, 1] * e[:, 0]) / safe    # cross(ao, e) / cross(d, e)
    u = (ao[:, 0] * dy - ao[:, 1] * dx) / safe              # cross(ao, d) / cross(d, e)
    hit = (~parallel) & (t >= t_min) & (u >= 0.0) & (u <= 1.0)
    out: np.ndarray = np.min(np.where(hit, t, np.inf), axis=1)
    return out


def ray_circles(origin: np.ndarray, dirs: np.ndarray, circles: np.ndarray,
                from_inside: str = "exit") -> np.ndarray:
    """Distance along each unit ray in dirs (B, 2) to the nearest circle of circles (K, 3).

    from_inside says what a ray starting inside a circle returns: "exit" (the far surface, as a
    sensor inside would see) or "contact" (0 when heading further in, none when heading out,
    as a body overlapping an obstacle must not go deeper). Returns (B,), +inf for no hit.
    """
    if len(circles) == 0 or len(dirs) == 0:
        return np.full(len(dirs), np.inf)
    oc = origin - circles[:, 0:2]                            # (K, 2)
    c = np.einsum("ij,ij->i", oc, oc) - circles[:, 2] ** 2   # (K,) < 0 when inside
    b = dirs @ oc.T                                          # (B, K) = d . oc
    disc = b * b - c
    real = disc >= 0.0
    sq = np.sqrt(np.where(real, disc, 0.0))
    near = -b - sq
    far = -b + sq
    inside = c < 0.0
    if from_inside == "exit":
        t = np.where(near >= 0.0, near, np.where(far >= 0.0, far, np.inf))
        t = np.where(real, t, np.inf)
    elif from_inside == "contact":
        t = np.where(real & (near >= 0.0), near, np.inf)
        t = np.where(inside, np.where(b < 0.0, 0.0, np.inf), t)
    else:
        raise ValueError(f"from_inside must be 'exit' or 'contact', got {from_inside!r}")
    out: np.ndarray = np.min(t, axis=1)
    return out


def unit_directions(angles: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return out
