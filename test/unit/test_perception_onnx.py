"""The ONNX sector model: equal to the numpy reference, contract-checked, refused when wrong."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from robot_brain.core.errors import ModelContractError, StartupError
from robot_brain.core.perception import model_contract as mc
from robot_brain.core.perception.backend import NumpySectorBackend, OnnxSectorBackend
from robot_brain.core.perception.model_builder import (
    DEFAULT_MODEL_NAME,
    build_sector_model,
    model_bytes,
    write_sector_model,
)
from robot_brain.core.perception.sectors import (
    DEFAULT_SECTORS,
    beam_sectors,
    reduce_sectors,
    sector_minima,
)
from robot_brain.core.resources import package_file

INF = math.inf
NAN = math.nan
RMIN, RMAX = 0.12, 12.0


@pytest.fixture(scope="module")
def onnx16() -> OnnxSectorBackend:
    return OnnxSectorBackend(model_bytes(16), 16)


def run_both(backend: OnnxSectorBackend, ranges: np.ndarray, angle_min: float, inc: float,
             n: int = 16) -> tuple[np.ndarray, np.ndarray]:
    ranges = np.asarray(ranges, dtype=np.float32)
    idx = beam_sectors(ranges.size, angle_min, inc, n)
    got = backend(ranges, idx, np.array([RMIN, RMAX], dtype=np.float32))
    want = sector_minima(ranges, angle_min, inc, RMIN, RMAX, n)
    return got, want


def assert_same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want))
    np.testing.assert_allclose(got, want, rtol=0, atol=mc.TOLERANCE, equal_nan=True)


def random_scan(rng: np.random.Generator, n: int) -> np.ndarray:
    r = rng.uniform(-1.0, 14.0, n).astype(np.float32)
    special = rng.random(n)
    r[special < 0.05] = INF
    r[(special >= 0.05) & (special < 0.08)] = -INF
    r[(special >= 0.08) & (special < 0.12)] = NAN
    return r


@pytest.mark.parametrize("seed", range(20))
def test_random_scans_match_reference(onnx16: OnnxSectorBackend, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 2000))
    fov = float(rng.uniform(0.1, 2.0 * math.pi))
    inc = fov / max(n - 1, 1)
    amin = float(rng.uniform(-math.pi, math.pi))
    assert_same(*run_both(onnx16, random_scan(rng, n), amin, inc))


@pytest.mark.parametrize("case", ["all_inf", "all_nan", "all_neg_inf", "mixed", "one_beam",
                                  "not_divisible", "fov_270", "fov_90", "below_min",
                                  "above_max", "negative"])
def test_edge_cases_match_reference(onnx16: OnnxSectorBackend, case: str) -> None:
    n = 360
    amin, inc = -math.pi, 2.0 * math.pi / n
    r = np.full(n, 3.0, dtype=np.float32)
    if case == "all_inf":
        r[:] = INF
    elif case == "all_nan":
        r[:] = NAN
    elif case == "all_neg_inf":
        r[:] = -INF
    elif case == "mixed":
        r[0::4], r[1::4], r[2::4] = INF, NAN, -INF
    elif case == "one_beam":
        r, amin, inc = np.array([2.5], dtype=np.float32), 0.3, 0.0
    elif case == "not_divisible":
        r = np.linspace(0.5, 5.0, 1000, dtype=np.float32)
        inc = 2.0 * math.pi / 1000
    elif case == "fov_270":
        r = np.linspace(0.5, 5.0, 1081, dtype=np.float32)
        amin, inc = -0.75 * math.pi, 1.5 * math.pi / 1080
    elif case == "fov_90":
        amin, inc = -math.pi / 4, (math.pi / 2) / (n - 1)
    elif case == "below_min":
        r[:180] = 0.05
    elif case == "above_max":
        r[:180] = 50.0
    elif case == "negative":
        r[::2] = -2.0
    got, want = run_both(onnx16, r, amin, inc)
    assert_same(got, want)
    if case == "all_inf":
        assert np.all(np.isposinf(got))
    if case == "all_nan":
        assert np.all(np.isnan(got))
    if case in ("below_min", "above_max"):
        # Beams 0..179 cover sectors 0..7 and are all invalid there: unknown, never free.
        assert np.all(np.isnan(got[:8])) and np.all(got[8:] == 3.0)
    if case == "all_neg_inf":
        assert np.all(got == np.float32(RMIN))
    if case == "fov_90":
        assert np.count_nonzero(np.isnan(got)) == 11


def test_empty_input_gives_unknown(onnx16: OnnxSectorBackend) -> None:
    out = onnx16(np.zeros(0, np.float32), np.zeros(0, np.int64),
                 np.array([RMIN, RMAX], dtype=np.float32))
    assert out.shape == (16,) and np.all(np.isnan(out))


@pytest.mark.parametrize("n_sectors", [1, 8, 24, 72])
def test_other_sector_counts_match_reference(n_sectors: int) -> None:
    backend = OnnxSectorBackend(model_bytes(n_sectors), n_sectors)
    rng = np.random.default_rng(n_sectors)
    assert_same(*run_both(backend, random_scan(rng, 720), -math.pi, 2 * math.pi / 720,
                          n_sectors))


def test_numpy_backend_is_the_reference() -> None:
    rng = np.random.default_rng(5)
    r = random_scan(rng, 100)
    idx = beam_sectors(100, -1.0, 0.02, 16)
    out = NumpySectorBackend(16)(r, idx, np.array([RMIN, RMAX], dtype=np.float32))
    assert_same(out, reduce_sectors(r, idx, RMIN, RMAX, 16))


# --- the shipped file and its generation --------------------------------------------------

def test_generation_is_deterministic_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "m.onnx"
    assert write_sector_model(path, 16) is True
    assert write_sector_model(path, 16) is False
    assert path.read_bytes() == model_bytes(16)


def test_packaged_model_is_current() -> None:
    path = package_file("models", DEFAULT_MODEL_NAME)
    assert path.is_file(), "run robot_brain.models.generate_all() (scripts/setup.sh)"
    assert path.read_bytes() == model_bytes(DEFAULT_SECTORS)
    OnnxSectorBackend(path, DEFAULT_SECTORS)


def test_model_documents_its_sector_count() -> None:
    props = {p.key: p.value for p in build_sector_model(24).metadata_props}
    assert props[mc.META_N_SECTORS] == "24"
    assert props[mc.META_CONTRACT] == mc.CONTRACT_VERSION


# --- wrong models -> clear start-up errors -------------------------------------------------

def _save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.save(model, str(path))
    return path


def _identity_model(inputs: list[onnx.ValueInfoProto], out: onnx.ValueInfoProto,
                    src: str) -> onnx.ModelProto:
    graph = helper.make_graph([helper.make_node("Identity", [src], [out.name])], "wrong",
                              inputs, [out])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _inputs(ranges_type: int = TensorProto.FLOAT, ranges_name: str = mc.RANGES,
            beams: str | int = "beams") -> list[onnx.ValueInfoProto]:
    return [helper.make_tensor_value_info(ranges_name, ranges_type, [beams]),
            helper.make_tensor_value_info(mc.SECTOR_INDEX, TensorProto.INT64, [beams]),
            helper.make_tensor_value_info(mc.RANGE_LIMITS, TensorProto.FLOAT, [2])]


def test_missing_file_is_a_startup_error(tmp_path: Path) -> None:
    with pytest.raises(mc.SectorModelLoadError, match="file not found"):
        OnnxSectorBackend(tmp_path / "nope.onnx", 16)


def test_garbage_file_is_a_startup_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.onnx"
    path.write_bytes(b"this is not a protobuf \x00\xff" * 10)
    with pytest.raises(StartupError, match="cannot load"):
        OnnxSectorBackend(path, 16)


def test_wrong_sector_count_names_the_size(tmp_path: Path) -> None:
    path = _save(build_sector_model(8), tmp_path / "m8.onnx")
    with pytest.raises(mc.SectorModelError, match=r"'sectors' has size 8 .* expected 16"):
        OnnxSectorBackend(path, 16)


def test_wrong_input_name_is_named(tmp_path: Path) -> None:
    model = _identity_model(_inputs(ranges_name="scan"),
                            helper.make_tensor_value_info(mc.SECTORS, TensorProto.FLOAT, [16]),
                            "scan")
    with pytest.raises(mc.SectorModelError, match=r"missing \['ranges'\].*unexpected \['scan'\]"):
        OnnxSectorBackend(_save(model, tmp_path / "m.onnx"), 16)


def test_wrong_input_dtype_is_named(tmp_path: Path) -> None:
    model = _identity_model(_inputs(ranges_type=TensorProto.DOUBLE),
                            helper.make_tensor_value_info(mc.SECTORS, TensorProto.FLOAT, [16]),
                            mc.RANGE_LIMITS)
    with pytest.raises(mc.SectorModelError, match=r"'ranges' has type tensor\(double\)"):
        OnnxSectorBackend(_save(model, tmp_path / "m.onnx"), 16)


def test_fixed_beam_count_is_refused(tmp_path: Path) -> None:
    model = _identity_model(_inputs(beams=360),
                            helper.make_tensor_value_info(mc.SECTORS, TensorProto.FLOAT, [16]),
                            mc.RANGE_LIMITS)
    with pytest.raises(mc.SectorModelError, match="fixed size 360"):
        OnnxSectorBackend(_save(model, tmp_path / "m.onnx"), 16)


def test_wrong_output_name_is_named(tmp_path: Path) -> None:
    model = _identity_model(_inputs(),
                            helper.make_tensor_value_info("minima", TensorProto.FLOAT, [16]),
                            mc.RANGE_LIMITS)
    with pytest.raises(mc.SectorModelError, match="outputs"):
        OnnxSectorBackend(_save(model, tmp_path / "m.onnx"), 16)


def test_right_signature_wrong_behaviour_is_refused(tmp_path: Path) -> None:
    # Right names, dtypes and shapes, but it ignores the REP-117 rules: plain ReduceMin.
    model = build_sector_model(16)
    for node in model.graph.node:
        if node.op_type == "Where" and node.output[0] == "effective":
            node.input[0] = "is_inf"  # +inf beams would become range_min too
    path = _save(model, tmp_path / "bad.onnx")
    with pytest.raises(mc.SectorModelError, match="differs from the reference"):
        OnnxSectorBackend(path, 16)


def test_contract_errors_are_startup_errors() -> None:
    assert issubclass(mc.SectorModelError, ModelContractError)
    assert issubclass(mc.SectorModelError, StartupError)
    assert issubclass(mc.SectorModelLoadError, StartupError)
