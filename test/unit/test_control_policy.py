"""Policy model contract: the packaged model loads; wrong or missing models fail clearly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from robot_brain.core.control.expert import ExpertConfig
from robot_brain.core.control.observation import (
    INPUT_GOAL,
    INPUT_SECTORS,
    INPUT_VELOCITY,
    OUTPUT_CMD,
    build_observation,
    encode_sectors,
    sanitize_sectors,
)
from robot_brain.core.control.policy import (
    AnalyticPolicy,
    OnnxPolicy,
    PolicyContractError,
    load_onnx_policy,
    packaged_model_path,
)
from robot_brain.core.errors import StartupError
from robot_brain.core.geometry import Velocity


def linear_model(path: Path, n_sectors: int, names: tuple[str, str, str, str] = (
        INPUT_SECTORS, INPUT_GOAL, INPUT_VELOCITY, OUTPUT_CMD), out_width: int = 2,
        bias: float = 0.1) -> Path:
    """A contract-shaped model: cmd = concat(inputs) @ W + b."""
    s, g, v, out = names
    width = n_sectors + 5
    w = numpy_helper.from_array(np.zeros((width, out_width), np.float32), "W")
    b = numpy_helper.from_array(np.full(out_width, bias, np.float32), "b")
    graph = helper.make_graph(
        [helper.make_node("Concat", [s, g, v], ["x"], axis=1),
         helper.make_node("Gemm", ["x", "W", "b"], [out])], "t",
        [helper.make_tensor_value_info(s, TensorProto.FLOAT, ["batch", n_sectors]),
         helper.make_tensor_value_info(g, TensorProto.FLOAT, ["batch", 3]),
         helper.make_tensor_value_info(v, TensorProto.FLOAT, ["batch", 2])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["batch", out_width])],
        initializer=[w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_packaged_model_loads_and_matches_its_metadata() -> None:
    path = packaged_model_path()
    policy = load_onnx_policy("", 16)
    assert policy.model_sectors == 16
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["n_sectors"] == 16
    assert meta["mse_ratio"] < 0.2
    cmd = policy.command(np.full(16, np.inf), 3.0, 0.0, Velocity(0.3, 0.0))
    assert cmd.is_finite()
    assert cmd.linear > 0.3  # open space, goal straight ahead: keep walking
    assert abs(cmd.angular) < 0.3


def test_contract_model_runs(tmp_path: Path) -> None:
    policy = OnnxPolicy(linear_model(tmp_path / "m.onnx", 16), 16)
    assert policy.command(np.full(16, np.nan), 1.0, 1.0, Velocity()) == Velocity(
        pytest.approx(0.1), pytest.approx(0.1))


def test_missing_model_names_the_contract(tmp_path: Path) -> None:
    with pytest.raises(PolicyContractError) as err:
        load_onnx_policy(str(tmp_path / "nope.onnx"), 16)
    msg = str(err.value)
    assert "not found" in msg
    for name in (INPUT_SECTORS, INPUT_GOAL, INPUT_VELOCITY, OUTPUT_CMD):
        assert name in msg
    assert isinstance(err.value, StartupError)


def test_garbage_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not an onnx model")
    with pytest.raises(PolicyContractError, match="cannot be loaded.*sectors float32"):
        load_onnx_policy(str(bad), 16)


def test_wrong_input_names_are_refused(tmp_path: Path) -> None:
    path = linear_model(tmp_path / "m.onnx", 16, names=("scan", "goal", "velocity", "cmd"))
    with pytest.raises(PolicyContractError, match=r"has inputs scan.*expected inputs sectors"):
        OnnxPolicy(path, 16)


def test_wrong_output_width_is_refused(tmp_path: Path) -> None:
    path = linear_model(tmp_path / "m.onnx", 16, out_width=3)
    with pytest.raises(PolicyContractError, match="output cmd float32"):
        OnnxPolicy(path, 16)


def test_sector_count_mismatch_names_both_counts(tmp_path: Path) -> None:
    path = linear_model(tmp_path / "m.onnx", 16)
    with pytest.raises(PolicyContractError) as err:
        OnnxPolicy(path, 12)
    msg = str(err.value)
    assert "expects 16 sectors but n_sectors is 12" in msg
    assert "perception" in msg and "sectors float32 [batch, 12]" in msg


def test_observation_encodes_bad_values_as_finite_features() -> None:
    raw = np.array([np.inf, np.nan, -1.0, -np.inf, 0.5, 100.0, 2.0, 0.0])
    feats = encode_sectors(sanitize_sectors(raw, 8))
    assert np.all(np.isfinite(feats))
    assert feats.tolist() == pytest.approx([1.0, 0.0, 0.0, 0.0, 0.125, 1.0, 0.5, 0.0])
    obs = build_observation(raw, 8, 0.0, 0.0, math.nan, 1.0)
    assert np.all(np.isfinite(obs.goal)) and np.all(obs.velocity == 0.0)
    wrong = build_observation(np.ones(3), 8, 1.0, 0.0, 0.0, 0.0)
    assert np.all(wrong.sectors == 0.0)  # wrong length: everything unknown


def test_analytic_policy_is_a_policy() -> None:
    policy = AnalyticPolicy(ExpertConfig(), 16)
    assert policy.name == "analytic" and policy.n_sectors == 16
    cmd = policy.command(np.full(16, np.inf), 3.0, 0.0, Velocity())
    assert cmd.linear > 0.3 and abs(cmd.angular) < 0.1
