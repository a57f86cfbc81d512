"""The self-filter's voxel table gives the exact test's answer, point for point."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robot_brain.core.perception.cloud.body import Box, Capsule, SelfFilter
from robot_brain.core.perception.cloud.body_grid import (
    BOUNDARY,
    INSIDE,
    MAX_CELLS,
    OUTSIDE,
    BodyGrid,
)
from robot_brain.core.perception.cloud.config import SourcesConfig

SHAPES = (Box((0.0, 0.0, 0.9), (0.3, 0.4, 0.5), 0.3),
          Box((0.05, 0.0, 1.3), (0.2, 0.2, 0.25), 0.0),
          Capsule((0.0, 0.25, 1.1), (0.1, 0.3, 0.6), 0.05),
          Capsule((0.0, -0.25, 1.1), (0.1, -0.3, 0.6), 0.05),
          Capsule((0.0, 0.1, 0.5), (0.0, 0.1, 0.5), 0.08))  # a sphere


def _filters() -> list[SelfFilter]:
    boxes = tuple(s for s in SHAPES if isinstance(s, Box))
    capsules = tuple(s for s in SHAPES if isinstance(s, Capsule))
    return [SelfFilter(boxes, capsules), SourcesConfig().body()]


def _near_surface_points(f: SelfFilter, n: int, rng: np.random.Generator) -> np.ndarray:
    """Points over the shapes' box, many of them within a millimetre of a surface."""
    lo, hi = f.lower - 0.05, f.upper + 0.05
    pts = rng.uniform(lo, hi, size=(n, 3))
    # Pull a third of them onto a sphere of tiny radius around points just off surfaces:
    # random points nudged along a direction until the exact test flips.
    k = n // 3
    dirs = rng.normal(size=(k, 3))
    dirs /= np.linalg.norm(dirs, axis=1)[:, None]
    start = pts[:k]
    inside0 = f.exact(*start.T.astype(np.float32))
    step = 0.002
    for _ in range(200):
        moved = start + dirs * step
        flip = f.exact(*moved.T.astype(np.float32)) != inside0
        start = np.where(flip[:, None], start, moved)
    pts[:k] = start + dirs * rng.uniform(-2e-3, 2e-3, size=(k, 1))
    return pts.astype(np.float32)


@pytest.mark.parametrize("which", [0, 1])
def test_lookup_matches_the_exact_test(which: int) -> None:
    f = _filters()[which]
    rng = np.random.default_rng(7 + which)
    pts = _near_surface_points(f, 30_000, rng)
    x, y, z = pts[:, 0], pts[:, 1], pts[:, 2]
    expected = np.flatnonzero(f.exact(x, y, z))
    got = f.inside(x, y, z)
    assert expected.size > 1000 and expected.size < x.size - 1000  # both kinds present
    np.testing.assert_array_equal(got, expected)


def test_points_on_cell_faces_and_the_box_edges() -> None:
    f = _filters()[0]
    assert f.grid is not None
    g = f.grid
    # Every cell corner of the table (the worst case for the index's rounding).
    axes = [g.lower[a] + g.cell_m * np.arange(g.counts[a] + 1) for a in range(3)]
    cx, cy, cz = (v.reshape(-1).astype(np.float32)
                  for v in np.meshgrid(*axes, indexing="ij"))
    np.testing.assert_array_equal(f.inside(cx, cy, cz), np.flatnonzero(f.exact(cx, cy, cz)))


def test_the_table_decides_most_cells() -> None:
    g = _filters()[1].grid
    assert g is not None
    inside, outside, boundary = g.share(INSIDE), g.share(OUTSIDE), g.share(BOUNDARY)
    assert inside + outside + boundary == pytest.approx(1.0)
    assert inside > 0.2 and boundary < 0.4


def test_huge_shapes_get_larger_cells_not_a_larger_table() -> None:
    big = Box((0.0, 0.0, 0.0), (40.0, 40.0, 10.0))
    g = BodyGrid((big,), np.array([-20.0, -20.0, -5.0]), np.array([20.0, 20.0, 5.0]))
    assert g.states.size <= MAX_CELLS and g.cell_m > 0.02
    f = SelfFilter((big, Box((30.0, 0.0, 0.0), (1.0, 1.0, 1.0))))
    x = np.array([0.0, 19.99, 20.01, 30.4, 31.0], dtype=np.float32)
    z = np.zeros(5, dtype=np.float32)
    np.testing.assert_array_equal(f.inside(x, z, z), [0, 1, 3])


def test_distance_is_zero_inside_and_euclidean_outside() -> None:
    box = Box((1.0, 0.0, 0.0), (0.2, 0.2, 0.2), math.pi / 4)
    cap = Capsule((0.0, 0.0, 0.0), (0.0, 0.0, 1.0), 0.1)
    pts = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.5]])
    np.testing.assert_allclose(box.distance(*pts.T), [0.0, 0.4])
    pts = np.array([[0.0, 0.0, 0.5], [0.5, 0.0, 0.5], [0.0, 0.0, 1.5]])
    np.testing.assert_allclose(cap.distance(*pts.T), [0.0, 0.4, 0.4])
