#!/usr/bin/env bash
# Set up (idempotent) and run every test: pure core, real ROS 2 graph (isolated DDS domain),
# lint and type checks. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROBOT_BRAIN_VENV:-$ROOT/.venv}"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest -p no:cacheprovider "$@" test
