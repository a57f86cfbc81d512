"""Check the built llama.cpp: its CPU feature set, and one real generation in a child process.

Run by scripts/setup.sh after llama-cpp-python is (re)built, and by the tests:

    python -m robot_brain.cli.llm_check --forbid amx,avx512   # the portable x86-64 build
    python -m robot_brain.cli.llm_check --generate            # one token, in a child process

A native crash (SIGILL from an instruction this CPU lacks) kills only the child; the parent
names the signal and the fix and exits 1.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from robot_brain.core.llm.portability import IsaFamily, describe, forbidden_instructions

#: The fix printed when the built library crashes or holds instructions it should not.
REBUILD_HINT = ("rebuild it portably: rm .venv/.robot_brain-llm && bash scripts/setup.sh "
                "(or ROBOT_BRAIN_LLAMA_NATIVE=1 for a build for this CPU only)")

_GENERATE_CHILD = """
import sys
from llama_cpp import Llama
from robot_brain.core.llm.model_files import resolve_model_path
path = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else str(resolve_model_path(None))
llm = Llama(model_path=path, n_ctx=64, n_threads=1, verbose=False)
out = llm("The robot", max_tokens=1, temperature=0.0)
text = out["choices"][0]["text"]
print("generated", repr(text))
"""


class LlmCheckError(RuntimeError):
    """The built llama.cpp is not usable on this machine."""


def ggml_cpu_libraries() -> list[Path]:
    """The llama.cpp CPU backend libraries installed with llama-cpp-python."""
    import importlib.util
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        raise LlmCheckError("llama-cpp-python is not installed")
    root = Path(spec.origin).parent
    # libggml-cpu.so -> .so.0 -> .so.0.25.3 are one file: disassemble it once.
    libs = sorted({p.resolve() for p in root.rglob("libggml-cpu*")
                   if p.suffix in (".so", ".dylib") or ".so." in p.name})
    if not libs:
        # Older layouts build the CPU backend into libggml itself.
        libs = sorted({p.resolve() for p in root.rglob("libggml.so*")})
    if not libs:
        raise LlmCheckError(f"no libggml-cpu library under {root}")
    return libs


def check_isa(families: list[IsaFamily]) -> str:
    """Disassemble every CPU backend library; raise if a forbidden family is present."""
    objdump = shutil.which("objdump")
    if objdump is None:
        raise LlmCheckError("objdump not found (apt-get install binutils)")
    report = []
    for lib in ggml_cpu_libraries():
        proc = subprocess.Popen([objdump, "-d", "--no-show-raw-insn", str(lib)],
                                stdout=subprocess.PIPE, text=True, errors="replace")
        assert proc.stdout is not None
        found = forbidden_instructions(proc.stdout, families)
        if proc.wait() != 0:
            raise LlmCheckError(f"objdump failed on {lib}")
        if found:
            raise LlmCheckError(f"{lib.name} holds {describe(found)}: it will crash with "
                                f"SIGILL on CPUs without them; {REBUILD_HINT}")
        report.append(lib.name)
    return f"no {'/'.join(f.value for f in families)} instruction in {', '.join(report)}"


def check_generate(model_path: str = "", timeout_s: float = 300.0) -> str:
    """One-token generation in a child process; raise naming the signal if it dies."""
    proc = subprocess.run([sys.executable, "-c", _GENERATE_CHILD, model_path],
                          capture_output=True, text=True, timeout=timeout_s, check=False)
    if proc.returncode < 0:
        sig = signal.Signals(-proc.returncode)
        what = ("an illegal instruction in llama.cpp (built for a CPU feature this machine "
                "lacks)" if sig == signal.SIGILL else f"signal {sig.name}")
        raise LlmCheckError(f"llama.cpp died with {sig.name} on its first generation: {what}; "
                            f"{REBUILD_HINT}")
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise LlmCheckError(f"llama.cpp could not generate (exit {proc.returncode}): {last}")
    return proc.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forbid", default="",
                        help="comma-separated instruction families that must be absent "
                             f"({', '.join(f.value for f in IsaFamily)})")
    parser.add_argument("--generate", action="store_true",
                        help="run a one-token generation in a child process")
    parser.add_argument("--model-path", default="", help="GGUF file (default: the packaged one)")
    args = parser.parse_args(argv)
    try:
        families = [IsaFamily(f) for f in args.forbid.split(",") if f]
    except ValueError as exc:
        parser.error(str(exc))
    try:
        if families:
            print(f"robot_brain llm check: {check_isa(families)}")
        if args.generate:
            print(f"robot_brain llm check: {check_generate(args.model_path)}")
    except (LlmCheckError, subprocess.TimeoutExpired) as exc:
        print(f"robot_brain llm check: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
