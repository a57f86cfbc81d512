"""The coarse graph of the free cells that guides the route search round walls to the doors."""

from __future__ import annotations

import math

import numpy as np

from robot_brain.core.navigation.route_config import SQRT2

#: Side (m) of the coarse blocks whose distances to the goal guide the search (see CoarseGraph).
COARSE_BLOCK_M = 0.4


class CoarseGraph:
    """The free cells cut into k x k blocks, and each block's free cells into their connected
    pieces: one node per piece, an edge between two pieces whose cells touch (8-connected).
    Every fine path is a path of this graph, so its distances guide the search round walls to
    the doors (they stay within a few blocks of the truth) and a goal it cannot reach is out of
    reach. Built once; per query one Dijkstra from the goal's piece (scipy, compiled: ~10 ms
    on a 100 m x 100 m floor at 0.4 m blocks)."""

    def __init__(self, free: np.ndarray, k: int) -> None:
        from scipy.ndimage import label
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        self._dijkstra = dijkstra   # imported here: the first query must not pay for it

        ny, nx = free.shape
        self.k = k
        nbx, nby = -(-nx // k), -(-ny // k)
        # Blocks laid out with an empty row and column between them, so a piece never spans
        # two blocks; labelled 8-connected (diagonal contacts count: optimistic is safe here).
        spread = np.zeros((nby, k + 1, nbx, k + 1), dtype=bool)
        padded = np.zeros((nby * k, nbx * k), dtype=bool)
        padded[:ny, :nx] = free
        spread[:, :k, :, :k] = padded.reshape(nby, k, nbx, k)
        labels, n = label(spread.reshape(nby * (k + 1), nbx * (k + 1)),
                          structure=np.ones((3, 3), dtype=bool))
        lab = labels.reshape(nby, k + 1, nbx, k + 1)[:, :k, :, :k] \
            .reshape(nby * k, nbx * k)[:ny, :nx]
        #: (ny, nx) piece of each cell, 0 for a blocked cell; n pieces numbered 1..n.
        self.labels = lab
        self.count = int(n)
        jj, ii = np.nonzero(lab)
        which = lab[jj, ii]
        size = np.bincount(which, minlength=n + 1).astype(np.float64)
        size[0] = 1.0
        cx = np.bincount(which, weights=ii, minlength=n + 1) / size
        cy = np.bincount(which, weights=jj, minlength=n + 1) / size
        pairs: list[np.ndarray] = []
        for a, b in ((lab[:, :-1], lab[:, 1:]), (lab[:-1, :], lab[1:, :]),
                     (lab[:-1, :-1], lab[1:, 1:]), (lab[:-1, 1:], lab[1:, :-1])):
            touch = (a > 0) & (b > 0) & (a != b)
            pairs.append(np.stack([a[touch], b[touch]], axis=1))
        edges = np.unique(np.vstack(pairs), axis=0) if pairs else np.zeros((0, 2), np.int64)
        src = np.concatenate([edges[:, 0], edges[:, 1]])
        dst = np.concatenate([edges[:, 1], edges[:, 0]])
        # Costs in cells, centroid to centroid (at least a little, so no edge is free).
        w = np.maximum(np.hypot(cx[src] - cx[dst], cy[src] - cy[dst]), 0.5)
        self.graph = csr_matrix((w, (src, dst)), shape=(n + 1, n + 1))
        # Centroid paths can be longer than a cell's own: a fine path may start and end up to a
        # block diagonal from its pieces' centroids.
        self.slack = 2.0 * SQRT2 * k

    def heuristic(self, piece: int) -> list[float]:
        """Per piece, its graph distance to `piece` less the slack, in cells (inf where it
        cannot reach it; index 0, blocked cells, inf)."""
        d = self._dijkstra(self.graph, directed=True, indices=piece)
        out: list[float] = np.maximum(d - self.slack, 0.0).tolist()
        out[0] = math.inf
        return out
