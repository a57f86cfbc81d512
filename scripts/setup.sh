#!/usr/bin/env bash
# One-time (and idempotent) set-up on a machine with no ROS 2: a virtual environment in .venv
# holding the ROS 2 Kilted wheels from PyPI, robot_brain's Python dependencies, the package
# itself (editable), an ament-style prefix layout (share/, lib/robot_brain/) and the generated
# ONNX models. Re-running it only redoes what changed.
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
    || fail "a C/C++ compiler is required to build llama-cpp-python ('$tool' not found: apt-get install build-essential)."
done

if [ ! -x "$VENV/bin/python" ]; then
  echo "robot_brain set-up: creating $VENV"
  "$PY" -m venv "$VENV"
fi

stamp="$VENV/.robot_brain-setup"
want="$(cat "$ROOT/requirements/"*.txt "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "robot_brain set-up: installing dependencies (the first time compiles llama-cpp-python, about 6 minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip setuptools wheel
  "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements/ros-wheels.txt" \
    -r "$ROOT/requirements/python.txt" -r "$ROOT/requirements/dev.txt"
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$ROOT"
  echo "$want" > "$stamp"
fi
# Cheap and always redone: the ament layout (so `ros2 run`-style lookups and
# ament_index_python work in the venv) and the generated model files.
"$VENV/bin/python" -m robot_brain.cli.install_layout --prefix "$VENV" --source "$ROOT"
