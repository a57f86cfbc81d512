#!/usr/bin/env bash
# One-time (and idempotent) set-up on a machine with no ROS 2: a virtual environment in .venv
# holding the ROS 2 Kilted wheels from PyPI, robot_brain's Python dependencies, the package
# itself (editable), its ROS 2 interfaces (robot_brain_interfaces, tf2_msgs) built with cmake,
# an ament-style prefix layout (share/, lib/robot_brain/) and the generated ONNX models.
# Re-running it only redoes what changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROBOT_BRAIN_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3.11}"

fail() { echo "robot_brain set-up: $*" >&2; exit 1; }

command -v "$PY" >/dev/null 2>&1 || PY=python3
command -v "$PY" >/dev/null 2>&1 || fail "Python 3.11 is required (apt-get install python3.11 python3.11-venv)."
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || fail "Python 3.11 is required: the ROS 2 Kilted wheels on PyPI are built for CPython 3.11 (found $("$PY" --version 2>&1))."
"$PY" -c 'import venv, ensurepip' 2>/dev/null \
  || fail "the Python venv module is missing (apt-get install python3.11-venv)."
for tool in cc c++; do
  command -v "$tool" >/dev/null 2>&1 \
    || fail "a C/C++ compiler is required to build llama-cpp-python and the ROS 2 interfaces ('$tool' not found: apt-get install build-essential)."
done

if [ ! -x "$VENV/bin/python" ]; then
  echo "robot_brain set-up: creating $VENV"
  "$PY" -m venv "$VENV"
fi

stamp="$VENV/.robot_brain-setup"
want="$(cat "$ROOT/requirements/ros-wheels.txt" "$ROOT/requirements/python.txt" \
  "$ROOT/requirements/dev.txt" "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "robot_brain set-up: installing the ROS 2 wheels and Python dependencies (about 1 minute)"
  "$VENV/bin/python" -m pip install -q --upgrade pip setuptools wheel
  "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements/ros-wheels.txt" \
    -r "$ROOT/requirements/python.txt" -r "$ROOT/requirements/dev.txt"
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$ROOT"
  echo "$want" > "$stamp"
fi

# The ROS 2 interfaces: robot_brain_interfaces, and tf2_msgs where nothing provides it (no wheel
# exists), generated from the repository's definitions with plain cmake into the venv (about
# 40 s cold). Each is rebuilt only when missing or when its sources changed (docs/install.md).
bash "$ROOT/scripts/build_interfaces.sh" "$VENV"

# The embedded LLM: llama.cpp compiled for a PORTABLE feature set of the CPU family, never with
# its default native detection. A native build on a CPU with AMX or AVX-512 dies with SIGILL
# (`tilezero`) on a CPU without them, and a cached native wheel is reused by pip, so the wheel is
# built here with the flags below and without pip's cache. ROBOT_BRAIN_LLAMA_NATIVE=1 opts in to a
# build for this CPU only; ROBOT_BRAIN_LLAMA_CMAKE_ARGS replaces the flags entirely.
arch="$(uname -m)"
forbid=""
if [ -n "${ROBOT_BRAIN_LLAMA_CMAKE_ARGS:-}" ]; then
  llama_flags="$ROBOT_BRAIN_LLAMA_CMAKE_ARGS"; llama_what="custom (ROBOT_BRAIN_LLAMA_CMAKE_ARGS)"
elif [ "${ROBOT_BRAIN_LLAMA_NATIVE:-0}" = 1 ]; then
  llama_flags="-DGGML_NATIVE=ON"; llama_what="native (this CPU only: ROBOT_BRAIN_LLAMA_NATIVE=1)"
else
  case "$arch" in
    x86_64|amd64)
      llama_flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
      llama_flags="$llama_flags -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF"
      llama_flags="$llama_flags -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF"
      llama_flags="$llama_flags -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
      llama_what="portable x86-64: AVX2, FMA, F16C, BMI2; no AVX-512, no AMX"
      forbid="amx,avx512" ;;
    aarch64|arm64)
      # ARMv8.2-A with dot product and fp16 arithmetic: Jetson Orin, Graviton 2+, Raspberry Pi 5.
      llama_flags="-DGGML_NATIVE=OFF -DGGML_CPU_ARM_ARCH=armv8.2-a+dotprod+fp16"
      llama_what="portable arm64: ARMv8.2-A + dotprod + fp16" ;;
    *)
      llama_flags="-DGGML_NATIVE=OFF"; llama_what="generic $arch (GGML_NATIVE=OFF)" ;;
  esac
fi
llm_stamp="$VENV/.robot_brain-llm"
llm_want="$(cat "$ROOT/requirements/llm.txt" | sha256sum | cut -d' ' -f1) $llama_flags"
if [ ! -f "$llm_stamp" ] || [ "$(cat "$llm_stamp")" != "$llm_want" ]; then
  echo "robot_brain set-up: compiling llama-cpp-python for $llama_what (about 6 minutes on 2 cores)"
  CMAKE_ARGS="$llama_flags" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$VENV/bin/python" -m pip install -q --no-cache-dir --force-reinstall --no-deps \
    --no-binary llama-cpp-python -r "$ROOT/requirements/llm.txt"
  # The server extra's dependencies (wheels), without rebuilding llama.cpp.
  "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements/llm.txt"
  if [ -n "$forbid" ]; then
    "$VENV/bin/python" -m robot_brain.cli.llm_check --forbid "$forbid" \
      || fail "the llama.cpp build is not portable (see above)."
  fi
  "$VENV/bin/python" -m robot_brain.cli.llm_check --generate \
    || fail "the embedded LLM cannot generate on this machine (see above)."
  echo "$llm_want" > "$llm_stamp"
fi
# Cheap and always redone: the ament layout (so `ros2 run`-style lookups and
# ament_index_python work in the venv) and the generated model files.
"$VENV/bin/python" -m robot_brain.cli.install_layout --prefix "$VENV" --source "$ROOT"
