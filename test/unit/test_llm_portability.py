"""The embedded LLM is built for a portable CPU feature set, and a native crash stays contained.

A llama.cpp built with native CPU detection on a machine with AMX dies with SIGILL (`tilezero`)
on machines without it, and took the whole test run with it. These tests check the scan that
finds such instructions, the built library itself, and that a test crashing in native code is
reported with the signal named while the rest of the suite runs.
"""

from __future__ import annotations

import platform
from importlib.util import find_spec
from pathlib import Path

import pytest

from robot_brain.core.llm.portability import IsaFamily, describe, forbidden_instructions
from test.native_isolation import _run_module

ROOT = Path(__file__).resolve().parents[2]

DISASSEMBLY = """
    4f20:\tvfmadd231ps %ymm1,%ymm2,%ymm0
    4f26:\ttilezero %tmm0
    4f2a:\ttileloadd (%rsi,%rdx,1),%tmm1
    4f30:\ttdpbssd %tmm2,%tmm1,%tmm0
    4f35:\tvaddps %zmm1,%zmm2,%zmm0
    4f3b:\tkmovw  %k1,%eax
    4f40:\tvpaddd %ymm1,%ymm2,%ymm3
    4f44:\tcall   1030 <tile_helper@plt>
""".splitlines()


def test_scan_counts_amx_and_avx512_and_nothing_else() -> None:
    found = forbidden_instructions(DISASSEMBLY, [IsaFamily.AMX, IsaFamily.AVX512])
    assert found[IsaFamily.AMX] == 3  # tilezero, tileloadd, tdpbssd; not a 'tile_' symbol
    assert found[IsaFamily.AVX512] == 2  # zmm and opmask registers
    assert "AMX tile instructions" in describe(found)
    assert forbidden_instructions(DISASSEMBLY, [IsaFamily.AMX])[IsaFamily.AVX512] == 0
    avx2_only = [line for line in DISASSEMBLY if "ymm" in line]
    assert not forbidden_instructions(avx2_only, list(IsaFamily))


def _portable_build() -> bool:
    venv_stamp = Path(__import__("sys").prefix) / ".robot_brain-llm"
    try:
        return "GGML_NATIVE=OFF" in venv_stamp.read_text()
    except OSError:
        return False


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                    reason="the AMX/AVX-512 check is for x86-64 builds")
@pytest.mark.skipif(find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed")
def test_built_llama_cpp_holds_no_amx_or_avx512_instruction() -> None:
    if not _portable_build():
        pytest.skip("llama.cpp was not built by scripts/setup.sh's portable x86-64 flags "
                    "(ROBOT_BRAIN_LLAMA_NATIVE=1 or a custom build)")
    from robot_brain.cli.llm_check import check_isa
    report = check_isa([IsaFamily.AMX, IsaFamily.AVX512])
    assert report.startswith("no amx/avx512 instruction in libggml-cpu")


def test_a_native_crash_in_a_child_test_is_reported_with_the_signal(tmp_path: Path) -> None:
    (tmp_path / "test_native_crash.py").write_text(
        "import os, signal\n"
        "def test_dies():\n    os.kill(os.getpid(), signal.SIGILL)\n"
        "def test_fine():\n    assert True\n")
    results = _run_module(tmp_path, "test_native_crash.py", ["test_dies", "test_fine"])
    outcome, text = results["test_dies"]
    assert outcome == "failed" and "SIGILL" in text and "illegal instruction" in text
    # The child is lost with everything in it; the parent run itself goes on.
    assert results["test_fine"][0] == "failed"


def test_child_results_carry_pass_fail_and_skip(tmp_path: Path) -> None:
    (tmp_path / "test_mixed.py").write_text(
        "import pytest\n"
        "def test_ok():\n    assert 1 + 1 == 2\n"
        "def test_bad():\n    assert 1 + 1 == 3\n"
        "def test_skip():\n    pytest.skip('no reason to run')\n")
    results = _run_module(tmp_path, "test_mixed.py", ["test_ok", "test_bad", "test_skip"])
    assert results["test_ok"][0] == "passed"
    assert results["test_bad"][0] == "failed" and "assert" in results["test_bad"][1]
    assert results["test_skip"] == ("skipped", "no reason to run")
