"""Run the tests marked `native_llm` in a child pytest, one child per module.

llama.cpp is native code: a build for a CPU feature the machine lacks dies with SIGILL, which
would kill the whole pytest process and lose every other result. The marked tests of a module
run together in one child (`--junit-xml` carries each result back); if the child dies, each of
them fails with the signal named, and the rest of the suite runs on.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from robot_brain.core.llm.worker import describe_signal

MARKER = "native_llm"
IN_CHILD_ENV = "ROBOT_BRAIN_NATIVE_CHILD"
_CHILD_TIMEOUT_S = 1800.0

_results: dict[str, dict[str, tuple[str, str]]] = {}  # module -> test name -> (outcome, text)


def in_child() -> bool:
    return os.environ.get(IN_CHILD_ENV) == "1"


def _run_module(root: Path, module: str, names: list[str]) -> dict[str, tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "results.xml"
        env = dict(os.environ, **{IN_CHILD_ENV: "1"})
        ids = [f"{module}::{n}" for n in names]
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
             "junit_family=xunit2", f"--junit-xml={xml}", *ids],
            cwd=root, env=env, capture_output=True, text=True, timeout=_CHILD_TIMEOUT_S,
            check=False)
        if proc.returncode < 0 or not xml.exists():
            why = (f"the child pytest running {module} died of "
                   f"{describe_signal(-proc.returncode)}"
                   if proc.returncode < 0 else f"the child pytest exited {proc.returncode}")
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            return {n: ("failed", f"{why}\n{tail}") for n in names}
        out: dict[str, tuple[str, str]] = {}
        for case in ET.parse(xml).getroot().iter("testcase"):
            name = case.get("name", "")
            outcome, text = "passed", ""
            for child in case:
                if child.tag in ("failure", "error"):
                    outcome, text = "failed", (child.get("message", "") + "\n" +
                                               (child.text or ""))
                elif child.tag == "skipped":
                    outcome, text = "skipped", child.get("message", "")
            out[name] = (outcome, text)
        return out


def run_in_child(item: pytest.Item) -> None:
    module = item.nodeid.split("::")[0]
    if module not in _results:
        siblings = [i.name for i in item.session.items
                    if i.nodeid.split("::")[0] == module and i.get_closest_marker(MARKER)]
        _results[module] = _run_module(Path(str(item.config.rootpath)), module, siblings)
    outcome, text = _results[module].get(item.name, ("failed", "no result from the child"))
    if outcome == "failed":
        pytest.fail(f"in a child process: {text}", pytrace=False)
    if outcome == "skipped":
        pytest.skip(text)


def wrap(items: list[Any]) -> None:
    """Replace each marked item's runtest with the child-process run (parent side only)."""
    if in_child():
        return
    for item in items:
        if item.get_closest_marker(MARKER) is not None:
            item.runtest = (lambda it=item: run_in_child(it))  # type: ignore[method-assign]
