"""Model files: generated ONNX graphs (built by code at install) and trained policies (shipped)."""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent


def generate_all() -> list[Path]:
    """Build every generated model that is missing or out of date; return their paths."""
    made: list[Path] = []
    # Perception: the sector-minima graph for the default sector count (issue 3).
    from robot_brain.core.perception.model_builder import DEFAULT_MODEL_NAME, write_sector_model
    from robot_brain.core.perception.sectors import DEFAULT_SECTORS
    write_sector_model(MODELS_DIR / DEFAULT_MODEL_NAME, DEFAULT_SECTORS)
    made.append(MODELS_DIR / DEFAULT_MODEL_NAME)
    return made
