"""The clause-intent classifier: an ONNX file plus a JSON metadata file, checked on load.

The session is created once, with one thread (the planner shares two cores with the fast
path), and runs all clauses of an instruction in one call. Temperature scaling fitted at
training time on held-out generated clauses is applied here, so the probabilities the planner
combines are the calibrated ones.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from robot_brain.core.errors import ModelContractError
from robot_brain.core.planner.vertical.features import featurize
from robot_brain.core.resources import package_file

MODEL_FILE = "planner_intent.onnx"
INPUT_NAME = "features"
PROB_OUTPUT = "probabilities"


class VerticalModelError(ModelContractError):
    """The intent model or its metadata is missing, altered or inconsistent."""


class Intent(str, enum.Enum):
    """What one clause asks for. FILLER carries no step ("please", "thanks", context)."""

    NAVIGATE = "navigate"
    STOP = "stop"
    WAIT = "wait"
    DOCK = "dock"
    SAY = "say"
    FILLER = "filler"
    UNSAFE = "unsafe"            # hostile or injection: refused by the vertical tier itself
    OUT_OF_DOMAIN = "out_of_domain"  # not a robot instruction it knows: the LLM's job


@dataclass(frozen=True)
class ModelMetadata:
    model: str
    sha256: str
    bytes: int
    dim: int
    classes: tuple[Intent, ...]
    temperature: float
    seed: int
    known_words: frozenset[str]
    extra: dict[str, Any]

    @staticmethod
    def load(path: Path) -> ModelMetadata:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return ModelMetadata(
                model=str(data["model"]), sha256=str(data["sha256"]), bytes=int(data["bytes"]),
                dim=int(data["dim"]), classes=tuple(Intent(c) for c in data["classes"]),
                temperature=float(data["temperature"]), seed=int(data["seed"]),
                known_words=frozenset(str(w) for w in data.get("known_words", ())),
                extra={k: v for k, v in data.items() if k not in _META_KEYS})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VerticalModelError(f"vertical planner metadata {path}: {exc}; retrain with "
                                     "scripts/train_planner_model.py") from exc


_META_KEYS = frozenset({"model", "sha256", "bytes", "dim", "classes", "temperature", "seed",
                        "known_words"})


def default_model_path() -> Path:
    return package_file("models", MODEL_FILE)


class IntentModel:
    """Clause texts in, calibrated class probabilities out (rows follow `classes`)."""

    def __init__(self, model_path: Path | None = None) -> None:
        import onnxruntime as ort  # deferred: importing core modules must not need it

        path = model_path or default_model_path()
        # The metadata sits next to the model with the same stem (planner_intent.json).
        self.metadata = ModelMetadata.load(path.with_suffix(".json"))
        try:
            blob = path.read_bytes()
        except OSError as exc:
            raise VerticalModelError(f"vertical planner model {path}: {exc.strerror or exc}; "
                                     "train it with scripts/train_planner_model.py") from exc
        digest = hashlib.sha256(blob).hexdigest()
        if digest != self.metadata.sha256 or len(blob) != self.metadata.bytes:
            raise VerticalModelError(f"vertical planner model {path}: sha256 {digest[:12]} "
                                     f"does not match its metadata "
                                     f"({self.metadata.sha256[:12]}); retrain or restore both")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
        inputs = self._session.get_inputs()
        if len(inputs) != 1 or inputs[0].name != INPUT_NAME or \
                inputs[0].shape[-1] != self.metadata.dim:
            raise VerticalModelError(f"vertical planner model {path}: expected one input "
                                     f"'{INPUT_NAME}' of width {self.metadata.dim}")
        names = [o.name for o in self._session.get_outputs()]
        if PROB_OUTPUT not in names:
            raise VerticalModelError(f"vertical planner model {path}: no output "
                                     f"'{PROB_OUTPUT}' (has {names})")
        self.classes = self.metadata.classes

    def predict(self, clauses: list[str]) -> np.ndarray:
        """Calibrated probabilities, shape (len(clauses), len(classes))."""
        if not clauses:
            return np.zeros((0, len(self.classes)), dtype=np.float64)
        feats = featurize(clauses, self.metadata.dim)
        (probs,) = self._session.run([PROB_OUTPUT], {INPUT_NAME: feats})
        return calibrate(np.asarray(probs, dtype=np.float64), self.metadata.temperature)


def calibrate(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Temperature scaling applied to probabilities: softmax(log(p) / T)."""
    logits = np.log(np.clip(probs, 1e-9, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out
