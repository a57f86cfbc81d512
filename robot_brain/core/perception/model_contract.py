"""The contract every sector model must meet, and the start-up check that enforces it.

Contract (version "sectors/1"):

=================  =======  ============  =================================================
tensor             dtype    shape         meaning
=================  =======  ============  =================================================
in  ``ranges``       float32  [beams]       the scan's ranges, as received (REP-117 values)
in  ``sector_index`` int64    [beams]       sector of each beam, 0..N-1 (`beam_sectors`)
in  ``range_limits`` float32  [2]           [range_min, range_max] of the scan
out ``sectors``      float32  [N]           sector minima per `sectors` (NaN/+inf rules)
=================  =======  ============  =================================================

`beams` must be a dynamic dimension (any beam count); N must equal the node's `n_sectors`.
Beyond names, dtypes and shapes the check runs the model once on a probe scan exercising
every REP-117 case and compares it with the numpy reference, so a model that has the right
signature but the wrong semantics is refused too. Every failure raises SectorModelError
naming what differs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from robot_brain.core.errors import ModelContractError, StartupError

#: The packaged sector model (robot_brain/models/), built by model_builder at set-up.
DEFAULT_MODEL_NAME = "perception_sectors.onnx"

CONTRACT_VERSION = "sectors/1"
RANGES = "ranges"
SECTOR_INDEX = "sector_index"
RANGE_LIMITS = "range_limits"
SECTORS = "sectors"
BEAMS_DIM = "beams"
META_N_SECTORS = "n_sectors"
META_CONTRACT = "robot_brain_contract"

#: Agreement required between a model and the numpy reference (both compute in float32).
TOLERANCE = 1e-5


class SectorModelError(ModelContractError):
    """A sector model whose inputs, outputs or behaviour differ from the contract."""


class SectorModelLoadError(StartupError):
    """A sector model file that is missing or cannot be loaded by onnxruntime."""


@dataclass(frozen=True)
class TensorSpec:
    name: str
    ort_type: str
    #: None = a dynamic dimension; an int = that exact size.
    shape: tuple[int | None, ...]


def contract(n_sectors: int) -> tuple[tuple[TensorSpec, ...], tuple[TensorSpec, ...]]:
    """(inputs, outputs) the model must have for `n_sectors` sectors."""
    return (
        (TensorSpec(RANGES, "tensor(float)", (None,)),
         TensorSpec(SECTOR_INDEX, "tensor(int64)", (None,)),
         TensorSpec(RANGE_LIMITS, "tensor(float)", (2,))),
        (TensorSpec(SECTORS, "tensor(float)", (n_sectors,)),),
    )


class TensorInfo(Protocol):
    """What onnxruntime's NodeArg exposes."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def shape(self) -> Sequence[int | str | None]: ...


def _check_tensors(kind: str, actual: Sequence[TensorInfo], expected: Sequence[TensorSpec],
                   where: str) -> None:
    by_name = {t.name: t for t in actual}
    missing = [s.name for s in expected if s.name not in by_name]
    extra = sorted(set(by_name) - {s.name for s in expected})
    if missing or extra:
        raise SectorModelError(
            f"{where}: {kind}s {sorted(by_name)} differ from the contract "
            f"{[s.name for s in expected]} (missing {missing}, unexpected {extra})")
    for spec in expected:
        t = by_name[spec.name]
        if t.type != spec.ort_type:
            raise SectorModelError(f"{where}: {kind} '{spec.name}' has type {t.type}, "
                                   f"the contract says {spec.ort_type}")
        shape = list(t.shape)
        if len(shape) != len(spec.shape):
            raise SectorModelError(f"{where}: {kind} '{spec.name}' has shape {shape}, the "
                                   f"contract says rank {len(spec.shape)} {_show(spec.shape)}")
        for axis, (got, want) in enumerate(zip(shape, spec.shape, strict=True)):
            if want is None and isinstance(got, int):
                raise SectorModelError(
                    f"{where}: {kind} '{spec.name}' has a fixed size {got} on axis {axis}; "
                    f"the contract needs a dynamic '{BEAMS_DIM}' dimension (any beam count)")
            if want is not None and isinstance(got, int) and got != want:
                raise SectorModelError(
                    f"{where}: {kind} '{spec.name}' has size {got} on axis {axis}, expected "
                    f"{want}" + (" (n_sectors)" if kind == "output" else ""))


def _show(shape: tuple[int | None, ...]) -> str:
    return "[" + ", ".join(BEAMS_DIM if d is None else str(d) for d in shape) + "]"


def check_signature(inputs: Sequence[TensorInfo], outputs: Sequence[TensorInfo],
                    n_sectors: int, where: str) -> None:
    """Raise SectorModelError naming the first difference from the contract."""
    want_in, want_out = contract(n_sectors)
    _check_tensors("input", inputs, want_in, where)
    _check_tensors("output", outputs, want_out, where)


def probe_scan() -> tuple[np.ndarray, float, float, float, float]:
    """A 3/4-turn scan exercising every REP-117 case: (ranges, angle_min, inc, rmin, rmax).

    37 beams (not a multiple of common sector counts), so some sectors hold no beam and stay
    NaN; beams are +inf, -inf, NaN, negative, below range_min, above range_max and valid.
    """
    rng = np.random.default_rng(117)
    n = 37
    ranges = rng.uniform(0.2, 9.0, n).astype(np.float32)
    specials = [math.inf, -math.inf, math.nan, -1.0, 0.05, 12.0, 0.1, 10.0]
    for k, v in enumerate(specials):
        ranges[k * 4] = v
    ranges[29:33] = math.inf
    ranges[33:37] = math.nan
    return ranges, -2.0, 1.5 * math.pi / (n - 1), 0.1, 10.0
