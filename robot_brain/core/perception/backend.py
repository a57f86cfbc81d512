"""Sector backends: the swappable part that turns (ranges, sector index) into sector minima.

`OnnxSectorBackend` is what the node runs; `NumpySectorBackend` is the reference, used by the
tests and the benchmark as the baseline. Both take the beam-to-sector index precomputed by
`sectors.beam_sectors`, so the model never needs to know the scan's angles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort

from robot_brain.core.perception import model_contract as mc
from robot_brain.core.perception.sectors import beam_sectors, reduce_sectors


class SectorBackend(Protocol):
    @property
    def n_sectors(self) -> int: ...

    def __call__(self, ranges: np.ndarray, sector_index: np.ndarray,
                 range_limits: np.ndarray) -> np.ndarray:
        """float32 ranges (B,), int64 sector_index (B,), float32 [rmin, rmax] -> float32 (N,)."""
        ...


class NumpySectorBackend:
    def __init__(self, n_sectors: int) -> None:
        self._n = n_sectors

    @property
    def n_sectors(self) -> int:
        return self._n

    def __call__(self, ranges: np.ndarray, sector_index: np.ndarray,
                 range_limits: np.ndarray) -> np.ndarray:
        return reduce_sectors(ranges, sector_index, float(range_limits[0]),
                              float(range_limits[1]), self._n)


def session_options() -> ort.SessionOptions:
    """One intra-op and one inter-op thread, sequential: no thread pool wake-ups, no jitter."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return opts


class OnnxSectorBackend:
    """An onnxruntime session over a sector model, checked against the contract on creation."""

    def __init__(self, model: Path | bytes, n_sectors: int, label: str | None = None) -> None:
        self.label = label or (str(model) if isinstance(model, Path) else "<in-memory model>")
        where = f"sector model {self.label}"
        if isinstance(model, Path) and not model.is_file():
            raise mc.SectorModelLoadError(f"{where}: file not found")
        try:
            source = str(model) if isinstance(model, Path) else model
            self._session = ort.InferenceSession(source, sess_options=session_options(),
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises several unrelated types
            raise mc.SectorModelLoadError(
                f"{where}: onnxruntime cannot load it ({type(exc).__name__}: "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r})") from exc
        mc.check_signature(self._session.get_inputs(), self._session.get_outputs(),
                           n_sectors, where)
        self._n = n_sectors
        self._self_test(where)

    @property
    def n_sectors(self) -> int:
        return self._n

    def __call__(self, ranges: np.ndarray, sector_index: np.ndarray,
                 range_limits: np.ndarray) -> np.ndarray:
        out = self._session.run([mc.SECTORS], {mc.RANGES: ranges, mc.SECTOR_INDEX: sector_index,
                                               mc.RANGE_LIMITS: range_limits})[0]
        return np.asarray(out, dtype=np.float32)

    def _self_test(self, where: str) -> None:
        """Run the probe scan and compare with the numpy reference, NaN for NaN."""
        ranges, angle_min, inc, rmin, rmax = mc.probe_scan()
        idx = beam_sectors(ranges.size, angle_min, inc, self._n)
        limits = np.array([rmin, rmax], dtype=np.float32)
        try:
            got = self(ranges, idx, limits)
        except Exception as exc:  # noqa: BLE001 - any failure here is a contract failure
            raise mc.SectorModelError(f"{where}: fails on the probe scan ({exc})") from exc
        want = reduce_sectors(ranges, idx, rmin, rmax, self._n)
        if got.shape != want.shape:
            raise mc.SectorModelError(f"{where}: output shape {got.shape} on the probe scan, "
                                      f"expected {want.shape}")
        same = np.isclose(got, want, rtol=0.0, atol=mc.TOLERANCE, equal_nan=True)
        if not bool(np.all(same)):
            bad = np.flatnonzero(~same)[:5].tolist()
            raise mc.SectorModelError(
                f"{where}: output differs from the reference on the probe scan in sectors "
                f"{bad} (got {got[bad].tolist()}, expected {want[bad].tolist()}); it does not "
                f"implement the REP-117 sector-minima semantics")
