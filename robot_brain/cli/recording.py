"""Where a run is recorded and how the `recorder` node is started for it (used by the demo)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

BAG_DIR_NAME = "bag"
REPORT_DIR_NAME = "report"


def default_run_dir(now: datetime | None = None, base: Path | None = None) -> Path:
    """runs/<YYYYmmdd-HHMMSS>/ under the working directory (or `base`); not created here."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return (base or Path.cwd()) / "runs" / stamp


def bag_path(run_dir: Path) -> Path:
    return run_dir / BAG_DIR_NAME


def report_dir(run_dir: Path) -> Path:
    return run_dir / REPORT_DIR_NAME


def recorder_args(run_dir: Path, *, params_files: Sequence[Path] = (), namespace: str = "",
                  storage: str = "mcap", topics: Sequence[str] | None = None,
                  extra: dict[str, object] | None = None) -> dict[str, Any]:
    """Keyword arguments of NodeProcess for a recorder writing <run_dir>/bag.

    `topics` None keeps the node's default (topics.RECORDED_TOPICS, or the params file's).
    """
    parameters: dict[str, object] = {"output_dir": str(bag_path(run_dir).resolve()),
                                     "storage": storage}
    if topics is not None:
        parameters["topics"] = list(topics)
    parameters.update(extra or {})
    return {"executable": "recorder", "name": "recorder", "params_files": list(params_files),
            "parameters": parameters, "namespace": namespace}
