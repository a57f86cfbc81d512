"""Builds the sector-minima ONNX graph with onnx.helper (no training: the graph is the code).

The graph implements exactly `sectors.reduce_sectors`; its contract (names, shapes, dtypes) is
in `model_contract`. The sector count N is fixed in the graph as a constant, so the model's
output size says which controller policy it can feed; the beam count is a dynamic dimension,
so one file serves any lidar.

Dense formulation on purpose: a [N, beams] membership mask, a masked ReduceMin and a
ReduceMax for "has any valid beam". For 16 x 1080 that is ~17k elements, cheaper in
onnxruntime than a ScatterElements(min) loop and supported by every runtime.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from robot_brain.core.perception import model_contract as mc

#: Opset 17: ReduceMin/ReduceMax still take `axes` as an attribute; widely supported.
OPSET = 17
PRODUCER = "robot_brain.core.perception.model_builder"
DEFAULT_MODEL_NAME = mc.DEFAULT_MODEL_NAME


def _const(name: str, value: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], name=name,
                            value=numpy_helper.from_array(value, name=name))


def build_sector_model(n_sectors: int) -> onnx.ModelProto:
    """The sector model for `n_sectors` sectors, checked by onnx.checker."""
    if n_sectors < 1:
        raise ValueError(f"n_sectors must be >= 1, got {n_sectors}")
    beams = mc.BEAMS_DIM
    inputs = [
        helper.make_tensor_value_info(mc.RANGES, TensorProto.FLOAT, [beams]),
        helper.make_tensor_value_info(mc.SECTOR_INDEX, TensorProto.INT64, [beams]),
        helper.make_tensor_value_info(mc.RANGE_LIMITS, TensorProto.FLOAT, [2]),
    ]
    outputs = [helper.make_tensor_value_info(mc.SECTORS, TensorProto.FLOAT, [n_sectors])]
    nodes = [
        _const("idx0", np.array(0, dtype=np.int64)),
        _const("idx1", np.array(1, dtype=np.int64)),
        _const("axis0", np.array([0], dtype=np.int64)),
        _const("sector_ids", np.arange(n_sectors, dtype=np.int64).reshape(n_sectors, 1)),
        _const("pos_inf", np.array(math.inf, dtype=np.float32)),
        _const("nan", np.array(math.nan, dtype=np.float32)),
        _const("zero", np.array(0.0, dtype=np.float32)),
        helper.make_node("Gather", [mc.RANGE_LIMITS, "idx0"], ["rmin"], axis=0),
        helper.make_node("Gather", [mc.RANGE_LIMITS, "idx1"], ["rmax"], axis=0),
        # Valid: within [range_min, range_max], or +-inf (NaN fails every comparison).
        helper.make_node("GreaterOrEqual", [mc.RANGES, "rmin"], ["ge_min"]),
        helper.make_node("LessOrEqual", [mc.RANGES, "rmax"], ["le_max"]),
        helper.make_node("And", ["ge_min", "le_max"], ["in_limits"]),
        helper.make_node("IsInf", [mc.RANGES], ["is_inf"]),
        helper.make_node("Or", ["in_limits", "is_inf"], ["valid"]),
        # -inf (too close) becomes an obstacle at range_min.
        helper.make_node("IsInf", [mc.RANGES], ["is_neg_inf"], detect_positive=0),
        helper.make_node("Where", ["is_neg_inf", "rmin", mc.RANGES], ["effective"]),
        # [N, beams] membership of valid beams in each sector.
        helper.make_node("Unsqueeze", [mc.SECTOR_INDEX, "axis0"], ["index_row"]),
        helper.make_node("Equal", ["index_row", "sector_ids"], ["member"]),
        helper.make_node("Unsqueeze", ["valid", "axis0"], ["valid_row"]),
        helper.make_node("And", ["member", "valid_row"], ["take"]),
        helper.make_node("Unsqueeze", ["effective", "axis0"], ["effective_row"]),
        helper.make_node("Where", ["take", "effective_row", "pos_inf"], ["masked"]),
        helper.make_node("ReduceMin", ["masked"], ["minima"], axes=[1], keepdims=0),
        helper.make_node("Cast", ["take"], ["take_f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMax", ["take_f"], ["any_f"], axes=[1], keepdims=0),
        helper.make_node("Greater", ["any_f", "zero"], ["has_valid"]),
        helper.make_node("Where", ["has_valid", "minima", "nan"], [mc.SECTORS]),
    ]
    graph = helper.make_graph(nodes, "sector_minima", inputs, outputs)
    graph.doc_string = (f"Sector minima of a laser scan, {n_sectors} sectors over [-pi, pi); "
                        "REP-117 range semantics; see robot_brain.core.perception.sectors.")
    model = helper.make_model(graph, producer_name=PRODUCER,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    # A fixed IR version keeps the file loadable by older onnxruntime releases.
    model.ir_version = 8
    helper.set_model_props(model, {mc.META_N_SECTORS: str(n_sectors),
                                   mc.META_CONTRACT: mc.CONTRACT_VERSION})
    onnx.checker.check_model(model, full_check=True)
    return model


def model_bytes(n_sectors: int) -> bytes:
    return build_sector_model(n_sectors).SerializeToString(deterministic=True)


def write_sector_model(path: Path, n_sectors: int) -> bool:
    """Write the model to `path` unless an identical file is there; True if written."""
    data = model_bytes(n_sectors)
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True
