"""Policies behind one Protocol: the trained ONNX network and the analytic expert.

The ONNX contract (names, shapes, encodings) is in robot_brain.core.control.observation.
`load_onnx_policy` checks it at start and raises PolicyContractError (a StartupError, so the
node prints it and exits 1) naming the expected inputs and outputs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from robot_brain.core.control.array_memo import ArrayMemo
from robot_brain.core.control.expert import AnalyticExpert, ExpertConfig
from robot_brain.core.control.observation import (
    CMD_FEATURES,
    GOAL_FEATURES,
    INPUT_GOAL,
    INPUT_SECTORS,
    INPUT_VELOCITY,
    OUTPUT_CMD,
    VELOCITY_FEATURES,
    encode_goal,
    encode_sectors,
    encode_velocity,
    sanitize_sectors,
)
from robot_brain.core.errors import ModelContractError
from robot_brain.core.geometry import Velocity
from robot_brain.core.resources import package_file

#: The packaged model, produced by scripts/train_policy.py.
PACKAGED_MODEL = "policy.onnx"


class PolicyContractError(ModelContractError):
    """The policy model is missing, unreadable or does not match the documented contract."""


class Policy(Protocol):
    """Maps raw sector minima, the goal in the robot frame and the velocity to a command.

    A function of those inputs (no state between calls): the controller asks again only when
    one of them changed, not on every tick (ControllerCore.tick)."""

    name: str
    n_sectors: int

    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity: ...


def expected_contract(n_sectors: int | str = "N") -> str:
    return (f"inputs {INPUT_SECTORS} float32 [batch, {n_sectors}], {INPUT_GOAL} float32 "
            f"[batch, {GOAL_FEATURES}], {INPUT_VELOCITY} float32 [batch, {VELOCITY_FEATURES}]; "
            f"output {OUTPUT_CMD} float32 [batch, {CMD_FEATURES}] (linear m/s, angular rad/s)")


def packaged_model_path() -> Path:
    return package_file("models", PACKAGED_MODEL)


def resolve_model_path(model_path: str) -> Path:
    """'' means the packaged model."""
    return packaged_model_path() if not model_path else Path(model_path).expanduser()


class AnalyticPolicy:
    name = "analytic"

    def __init__(self, config: ExpertConfig, n_sectors: int) -> None:
        self.n_sectors = n_sectors
        self.expert = AnalyticExpert(config, n_sectors)

    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity:
        return self.expert.command(sanitize_sectors(sectors, self.n_sectors), goal_dx, goal_dy,
                                   velocity)


def _dims(shape: Any) -> list[Any]:
    return list(shape) if shape is not None else []


def _fixed(dim: Any) -> int | None:
    return dim if isinstance(dim, int) else None


class OnnxPolicy:
    """onnxruntime with one intra-op thread and sequential execution: the controller owns a
    core, and a single small matmul chain gains nothing from a thread pool but jitter."""

    name = "onnx"

    def __init__(self, path: Path, n_sectors: int) -> None:
        self.path = path
        self.n_sectors = n_sectors
        self._session = _open_session(path, n_sectors)
        self._features: ArrayMemo[np.ndarray] = ArrayMemo()
        self.model_sectors = check_contract(self._session, n_sectors, path)
        # The first run allocates onnxruntime's buffers (milliseconds): pay it at start-up,
        # not in the first real tick, and fail now if the model cannot run at all.
        try:
            self.command(np.full(n_sectors, 1.0), 1.0, 0.0, Velocity(0.0, 0.0))
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises several unrelated types
            raise PolicyContractError(
                f"policy model {path} loads but fails on a test input ({exc}); expected "
                f"{expected_contract(n_sectors)}") from exc

    def command(self, sectors: np.ndarray, goal_dx: float, goal_dy: float,
                velocity: Velocity) -> Velocity:
        # The sector features change once per perception message, the goal and velocity every
        # tick: the first are memoized on the (frozen) sectors array (core.control.array_memo).
        features = self._features.get(sectors, None, lambda: self._sector_features(sectors))
        out = self._session.run([OUTPUT_CMD], {
            INPUT_SECTORS: features, INPUT_GOAL: encode_goal(goal_dx, goal_dy)[None, :],
            INPUT_VELOCITY: encode_velocity(velocity.linear, velocity.angular)[None, :]})[0]
        flat = np.asarray(out, dtype=np.float64).reshape(-1)
        if flat.size < CMD_FEATURES:
            return Velocity(math.nan, math.nan)
        return Velocity(float(flat[0]), float(flat[1]))

    def _sector_features(self, sectors: np.ndarray) -> np.ndarray:
        return encode_sectors(sanitize_sectors(sectors, self.n_sectors))[None, :]

    def run_batch(self, sectors: np.ndarray, goal: np.ndarray, velocity: np.ndarray) -> np.ndarray:
        """Raw network output for already-encoded batches (training checks)."""
        return np.asarray(self._session.run([OUTPUT_CMD], {
            INPUT_SECTORS: sectors.astype(np.float32), INPUT_GOAL: goal.astype(np.float32),
            INPUT_VELOCITY: velocity.astype(np.float32)})[0])


def _open_session(path: Path, n_sectors: int) -> Any:
    import onnxruntime as ort  # imported here: the analytic policy must not need it

    if not path.is_file():
        raise PolicyContractError(
            f"policy model {path} not found; expected an ONNX file with "
            f"{expected_contract(n_sectors)} (run scripts/train_policy.py, or set "
            f"model_path '' for the packaged model, or policy 'analytic')")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=opts,
                                    providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises several unrelated types
        raise PolicyContractError(
            f"policy model {path} cannot be loaded by onnxruntime ({exc}); expected "
            f"{expected_contract(n_sectors)}") from exc


def check_contract(session: Any, n_sectors: int, path: Path | str = "<model>") -> int:
    """Raise PolicyContractError unless the session matches the contract for n_sectors.

    Returns the model's sector count.
    """
    want = expected_contract(n_sectors)
    inputs = {i.name: i for i in session.get_inputs()}
    outputs = {o.name: o for o in session.get_outputs()}
    got = ("inputs " + ", ".join(f"{i.name} {i.type} {_dims(i.shape)}" for i in inputs.values())
           + "; outputs " + ", ".join(f"{o.name} {o.type} {_dims(o.shape)}"
                                      for o in outputs.values()))
    if set(inputs) != {INPUT_SECTORS, INPUT_GOAL, INPUT_VELOCITY} or OUTPUT_CMD not in outputs:
        raise PolicyContractError(f"policy model {path} has {got}; expected {want}")
    for name, width in ((INPUT_GOAL, GOAL_FEATURES), (INPUT_VELOCITY, VELOCITY_FEATURES)):
        arg = inputs[name]
        dims = _dims(arg.shape)
        if arg.type != "tensor(float)" or len(dims) != 2 or _fixed(dims[1]) != width:
            raise PolicyContractError(f"policy model {path} has {got}; expected {want}")
    out = outputs[OUTPUT_CMD]
    dims = _dims(out.shape)
    if out.type != "tensor(float)" or len(dims) != 2 or _fixed(dims[1]) not in (CMD_FEATURES,
                                                                                None):
        raise PolicyContractError(f"policy model {path} has {got}; expected {want}")
    sec = inputs[INPUT_SECTORS]
    dims = _dims(sec.shape)
    if sec.type != "tensor(float)" or len(dims) != 2 or _fixed(dims[1]) is None:
        raise PolicyContractError(f"policy model {path} has {got}; expected {want}")
    model_sectors = int(dims[1])
    if model_sectors != n_sectors:
        raise PolicyContractError(
            f"policy model {path} expects {model_sectors} sectors but n_sectors is {n_sectors}: "
            f"the controller's n_sectors must equal perception's n_sectors and the model's "
            f"'{INPUT_SECTORS}' input width (retrain with scripts/train_policy.py "
            f"--sectors {n_sectors}); expected {want}")
    return model_sectors


def load_onnx_policy(model_path: str, n_sectors: int) -> OnnxPolicy:
    return OnnxPolicy(resolve_model_path(model_path), n_sectors)
